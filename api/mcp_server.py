"""The MCP door: tutor's tools and documents for MCP clients (coding assistants, desktop chat apps),
over the same Tutor as every other door. `tutor mcp` serves it over stdio; `tutor serve` mounts it as
streamable HTTP at /mcp behind the API keys (api/routes/mcp.py).

Tools: `ask` (a cited answer with its grounding report), `search` (ranked passages), `roadmap` (the
learning path), `next_topics` and `study_plan` (a learner's own path, from tutor/learner). Resources:
every ingested document, listed live from the store.

A learner belongs to whoever the door says calls: over HTTP the verified API key (as on
/v1/learners: another key never sees it), over stdio the local user (as in the CLI)."""

from __future__ import annotations

import functools
import importlib.metadata
import logging
from collections.abc import Callable, Iterable
from typing import Annotated, Any, Literal
from urllib.parse import quote, unquote

import anyio
from mcp.server import MCPServer
from mcp.server.lowlevel.helper_types import ReadResourceContents
from mcp.server.mcpserver import Context
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp.types import CallToolResult, Resource, TextContent, ToolAnnotations
from pydantic import BaseModel, Field, ValidationError

import tutor as tutor_package
from api.errors import public_detail, public_errors
from tutor.chain import Tutor
from tutor.errors import TutorError
from tutor.learner import Learners
from tutor.learner.state import MAX_HOURS, MIN_HOURS, NAME_RULE
from tutor.text import blank
from tutor.types import SECTION_SEPARATOR, Answer

DOCUMENT_URI = "tutor://documents/"
INSTRUCTIONS = """tutor answers questions about a learning roadmap from the roadmap's own documents.
Use `ask` for a cited answer (every claim carries [n], and `citations` says which document each n is;
`grounding` reports which sentences the cited passages support). Use `search` to see the passages
behind a topic, `roadmap` for the learning path (phases, topics, durations, prerequisites), and
`next_topics` and `study_plan` for a learner's own path, from their recorded progress. Each ingested
document is a resource (tutor://documents/...). Quote tutor's citations when you pass an answer on;
say so when tutor reports the documents do not cover a question."""
READ_ONLY = ToolAnnotations(read_only_hint=True, idempotent_hint=True, open_world_hint=False)
Learner = Annotated[
    str | None,
    Field(max_length=200, description=f"The learner's name ({NAME_RULE}); default: the server's, 'me'."),
]


class Turn(BaseModel):
    role: Literal["user", "assistant"]
    content: str


class CitationOut(BaseModel):
    n: int
    title: str
    section: str
    source: str
    url: str | None
    snippet: str


class GroundingOut(BaseModel):
    score: float = Field(description="Share of the answer's sentences their cited passages support.")
    unsupported: list[str]
    uncited: list[str]
    invalid_citations: list[int]


class AskResult(BaseModel):
    answer: str = Field(description="The answer, with [n] after each claim.")
    citations: list[CitationOut] = Field(description="The passage each [n] refers to.")
    grounding: GroundingOut
    refused: bool = Field(description="True when the documents do not cover the question.")


class Passage(BaseModel):
    rank: int
    score: float
    title: str
    section: str
    source: str
    url: str | None
    text: str


class SearchResult(BaseModel):
    results: list[Passage]


class RoadmapResource(BaseModel):
    title: str
    url: str
    type: str
    free: bool


class RoadmapTopic(BaseModel):
    id: str
    title: str
    phase: str
    order: int
    duration: str | None
    prerequisites: list[str]
    resources: list[RoadmapResource]


class RoadmapResult(BaseModel):
    topics: list[RoadmapTopic] = Field(description="In learning order: by phase, then order.")
    problems: list[str] = Field(
        description="Files left out (broken front matter, a duplicate id) and prerequisites ignored, "
        "each with what was done about it; empty for a sound roadmap."
    )


def package_version() -> str:
    """The installed package's version (what MCP clients read in serverInfo), else the source's."""
    try:
        return importlib.metadata.version("tutor")
    except importlib.metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return tutor_package.__version__


def argument_errors(tool: str, exc: ValidationError) -> str:
    """What was wrong with a tool call's arguments, field by field, without the values sent (the
    SDK's own message quotes them, a few hundred characters of whatever the caller sent)."""
    problems = [
        f"{'.'.join(str(part) for part in e['loc']) or 'arguments'}: {e['msg']}"
        for e in public_errors(exc.errors())
    ]
    return f"Invalid arguments for {tool}: " + "; ".join(problems) + "."


def document_uri(source: str) -> str:
    return DOCUMENT_URI + quote(source, safe="")


def sources_text(answer: Answer) -> str:
    """The answer followed by its sources, as a reader (or a model) reads it."""
    if not answer.citations:
        return answer.answer
    lines = []
    for c in answer.citations:
        heading = (
            c.title if not c.section or c.section == c.title else f"{c.title}{SECTION_SEPARATOR}{c.section}"
        )
        lines.append(f"[{c.n}] {heading} ({c.url or c.source})")
    return answer.answer + "\n\nSources:\n" + "\n".join(lines)


def ask_result(answer: Answer) -> AskResult:
    data = answer.to_dict()
    grounding = {k: data["grounding"][k] for k in ("score", "unsupported", "uncited", "invalid_citations")}
    return AskResult(
        answer=answer.answer,
        citations=[CitationOut(**c) for c in data["citations"]],
        grounding=GroundingOut(**grounding),
        refused=answer.refused,
    )


class TutorMCP(MCPServer):
    """An MCPServer whose resources are the store's documents, listed when asked (an ingest while
    the server runs shows at the next listing)."""

    def __init__(self, tutor: Callable[[], Tutor], **kwargs: Any):
        self._tutor = tutor
        super().__init__(**kwargs)

    async def call_tool(self, name: str, arguments: dict[str, Any], context: Any = None) -> Any:
        """The SDK's tool call, with argument errors and unknown tools told without echoing what the
        caller sent."""
        if self._tool_manager.get_tool(name) is None:
            tools = ", ".join(t.name for t in self._tool_manager.list_tools())
            raise ToolError(f"Unknown tool: the tools are {tools}.")
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if isinstance(exc.__cause__, ValidationError):
                raise ToolError(argument_errors(name, exc.__cause__)) from exc.__cause__
            raise

    def _documents(self) -> list[dict[str, Any]]:
        docs = self._tutor().store.documents()
        return sorted(
            ({"source": d.source, "title": d.title, "chunks": len(d.chunk_ids)} for d in docs.values()),
            key=lambda d: d["source"],
        )

    async def list_resources(self) -> list[Resource]:
        documents = await anyio.to_thread.run_sync(tool_errors(self._documents))
        listed = [
            Resource(
                uri=document_uri(d["source"]),
                name=d["source"],
                title=d["title"] or d["source"],
                description=f"{d['title'] or d['source']}: an ingested document ({d['chunks']} passages).",
                mime_type="text/markdown",
            )
            for d in documents
        ]
        return [*listed, *await super().list_resources()]

    def _document_text(self, source: str) -> str | None:
        """The document as the store holds it: its passages in order, under their section headings."""
        index = self._tutor().store.keyword_index
        rows = sorted(
            (int(meta.get("position", 0)), text, meta)
            for text, meta in zip(index.texts, index.metas, strict=True)
            if meta.get("source") == source
        )
        if not rows:
            return None
        title = rows[0][2].get("title") or source
        parts, section = [f"# {title}\n\nSource: {rows[0][2].get('url') or source}"], None
        for _, text, meta in rows:
            if meta.get("section") and meta.get("section") != section:
                section = meta["section"]
                parts.append(f"## {section}")
            parts.append(text)
        return "\n\n".join(parts) + "\n"

    async def read_resource(self, uri: Any, context: Any = None) -> Iterable[ReadResourceContents] | Any:
        if not str(uri).startswith(DOCUMENT_URI):
            return await super().read_resource(uri, context)
        source = unquote(str(uri)[len(DOCUMENT_URI) :])
        text = await anyio.to_thread.run_sync(tool_errors(self._document_text), source)
        if text is None:
            raise ResourceNotFoundError(f"No ingested document {source!r}: list the resources to see them.")
        return [ReadResourceContents(content=text, mime_type="text/markdown")]


def tool_errors(fn):
    """`fn` with tutor's errors as ToolErrors a client may read (no server paths)."""

    @functools.wraps(fn)
    def call(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except TutorError as exc:
            raise ToolError(public_detail(exc)) from None

    return call


def caller(ctx: Context) -> tuple[str, bool]:
    """Whose learners a tool call reads: the owner (the verified API key's id, "" without keys, as
    on /v1/learners; "" over stdio, as in the CLI) and whether a missing learner is an error (over
    HTTP, as on /v1/learners) or starts from an empty record (over stdio, as in the CLI)."""
    request = ctx.request_context.request
    if request is None:  # stdio, or in process
        return "", True
    client = getattr(request.state, "tutor_client", None)  # set by api/routes/mcp.py's guard
    if client is None:
        raise ToolError("This request did not pass the server's key check.")
    return client.key or "", False


def build_mcp_server(tutor: Callable[[], Tutor], learners: Callable[[], Learners] | None = None) -> TutorMCP:
    """The MCP server over the Tutor that `tutor()` gives (called per request: the API's worker
    builds its Tutor on first use) and the learners `learners()` gives (by default opened from the
    Tutor's settings on first use)."""
    if learners is None:
        learners = functools.cache(lambda: Learners.from_settings(tutor().settings))
    # The SDK's constructor configures the root logger (logging.basicConfig): tutor's doors
    # configure their own logging, so that is undone.
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    server = TutorMCP(
        tutor,
        name="tutor",
        title="tutor: a study companion",
        version=package_version(),
        instructions=INSTRUCTIONS,
    )
    root.handlers[:], root.level = handlers, level

    @server.tool(annotations=READ_ONLY)
    @tool_errors
    def ask(
        question: Annotated[str, Field(description="The learner's question.")],
        history: Annotated[
            list[Turn] | None,
            Field(description="Earlier turns of the conversation, oldest first, for a follow-up."),
        ] = None,
    ) -> Annotated[CallToolResult, AskResult]:
        """Answer a question about the learning roadmap from its documents. The answer cites a
        passage after every claim as [n] (see `citations`) and comes with a grounding report: which
        sentences the cited passages support. When the documents do not cover the question, tutor
        says so (`refused`) instead of guessing."""
        t = tutor()
        settings = t.settings
        turns = [m.model_dump() for m in history or []]
        if blank(question):
            raise ToolError("The question is empty.")
        if len(turns) + 1 > settings.max_messages:
            raise ToolError(f"At most {settings.max_messages} messages (history and question).")
        if any(len(m["content"]) > settings.max_message_chars for m in [*turns, {"content": question}]):
            raise ToolError(f"A message may have at most {settings.max_message_chars} characters.")
        answer = t.ask(question, turns)
        result = ask_result(answer)
        return CallToolResult(
            content=[TextContent(type="text", text=sources_text(answer))],
            structured_content=result.model_dump(mode="json"),
        )

    @server.tool(annotations=READ_ONLY)
    @tool_errors
    def search(
        query: Annotated[str, Field(min_length=1, max_length=2000, description="What to look for.")],
        top_k: Annotated[int, Field(ge=1, le=50, description="How many passages.")] = 5,
    ) -> SearchResult:
        """Ranked passages from the roadmap's documents (hybrid dense + keyword retrieval), without
        answering: to read what the documents say about a topic, or where they say it."""
        if blank(query):
            raise ToolError("The query is empty.")
        hits = tutor().retrieve(query, top_k)
        return SearchResult(
            results=[
                Passage(
                    rank=rank,
                    score=round(h.score, 6),
                    title=h.chunk.title,
                    section=h.chunk.section,
                    source=h.chunk.source,
                    url=h.chunk.extra.get("url") if isinstance(h.chunk.extra.get("url"), str) else None,
                    text=h.chunk.text,
                )
                for rank, h in enumerate(hits, start=1)
            ]
        )

    @server.tool(annotations=READ_ONLY)
    @tool_errors
    def roadmap() -> RoadmapResult:
        """The learning path: every topic in learning order, with its phase, duration,
        prerequisites (topic ids) and recommended resources. A broken file is left out and named
        in `problems`, as `tutor roadmap` does, rather than failing the whole roadmap."""
        from tutor.learner.graph import roadmap_graph

        graph = roadmap_graph(tutor().settings.corpus_dir)
        return RoadmapResult(
            topics=[
                RoadmapTopic(
                    id=t.id,
                    title=t.title,
                    phase=t.phase,
                    order=t.order,
                    duration=t.duration,
                    prerequisites=list(t.declared),
                    resources=[RoadmapResource(**r.model_dump()) for r in t.resources],
                )
                for t in graph.topics.values()
            ],
            problems=graph.problems,
        )

    @server.tool(annotations=READ_ONLY)
    @tool_errors
    def next_topics(
        ctx: Context,
        learner: Learner = None,
        limit: Annotated[int | None, Field(ge=1, le=1000, description="At most this many.")] = None,
    ) -> dict[str, Any]:
        """What a learner should study now, from their recorded progress and the roadmap's
        prerequisites: each topic with the reason (which prerequisites are done), its estimated
        hours and its place in the path."""
        owner, missing_ok = caller(ctx)
        name = learner or tutor().settings.learner
        return learners().next(name, owner, limit=limit, missing_ok=missing_ok).to_dict()

    @server.tool(annotations=READ_ONLY)
    @tool_errors
    def study_plan(
        ctx: Context,
        learner: Learner = None,
        hours_per_week: Annotated[
            float | None,
            Field(
                ge=MIN_HOURS, le=MAX_HOURS, description="Study hours a week; default: the profile's, else 10."
            ),
        ] = None,
    ) -> dict[str, Any]:
        """A learner's remaining topics packed into weeks at their hours a week, in prerequisite
        order: each week's topics and hours, the finish date, and the summary."""
        owner, missing_ok = caller(ctx)
        name = learner or tutor().settings.learner
        return learners().plan(name, owner, hours_per_week=hours_per_week, missing_ok=missing_ok).to_dict()

    return server
