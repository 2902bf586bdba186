"""The HTTP API (FastAPI). Not built yet: see the issue "HTTP API with streaming chat"."""
