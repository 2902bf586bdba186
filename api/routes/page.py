"""GET /: the chat page (its scripts and styles are mounted at /static by the app)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def page():
    return FileResponse(STATIC / "index.html")
