"""One APIRouter per resource; `api.app.create_app` includes every router of ROUTERS.

Adding a route: put it in the module of its resource (or a new module with its own `router`) and
list that router here."""

from api.routes import chat, health, ingest, learners, mcp, openai, page, quizzes, search, sources

ROUTERS = (
    chat.router,
    search.router,
    sources.router,
    ingest.router,
    learners.router,
    quizzes.router,
    health.router,
    page.router,
    openai.router,
    mcp.router,
)
