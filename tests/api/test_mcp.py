"""The MCP server (api/mcp_server.py) through the SDK's in-memory client: tools, their schemas and
errors, documents as resources; and its streamable HTTP mount at /mcp behind the API keys.
tests/integration/test_doors.py drives it over stdio and over HTTP with real processes."""

from __future__ import annotations

import importlib.metadata
import json

import anyio
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from api.errors import STORE_UNAVAILABLE
from api.mcp_server import build_mcp_server, document_uri
from ingest.pipeline import ingest
from tests.api.clients import client_for
from tests.conftest import write
from tests.tutor.test_chain import DOCS, FakeAnswerer, make_tutor
from tutor.errors import StoreError
from tutor.learner import Learners
from tutor.llm.offline import OfflineAnswerer
from tutor.roadmap import load_roadmap


@pytest.fixture
def tutor(settings, store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, text in DOCS.items():
        write(tmp_path / "docs" / name, text)
    ingest(["docs"], store)
    return make_tutor(settings, store, OfflineAnswerer(store.embedder), relevance_floor=0.4)


def session(tutor, steps):
    """Run `steps(client)` against an in-memory client of the MCP server over `tutor`."""

    async def main():
        async with Client(build_mcp_server(lambda: tutor)) as client:
            return await steps(client)

    return anyio.run(main)


def test_tools_are_listed_with_their_schemas(tutor):
    async def steps(client):
        return (await client.list_tools()).tools

    tools = {t.name: t for t in session(tutor, steps)}
    assert set(tools) == {"ask", "search", "roadmap", "next_topics", "study_plan"}
    assert tools["ask"].input_schema["required"] == ["question"]
    assert "history" in tools["ask"].input_schema["properties"]
    assert set(tools["ask"].output_schema["properties"]) == {"answer", "citations", "grounding", "refused"}
    assert tools["search"].input_schema["properties"]["top_k"]["maximum"] == 50
    assert all(t.annotations.read_only_hint for t in tools.values())


def test_ask_answers_with_citations_and_grounding(tutor):
    async def steps(client):
        return await client.call_tool("ask", {"question": "I know pandas but not SQL"})

    result = session(tutor, steps)
    assert not result.is_error
    text = result.content[0].text
    assert "SQLZoo" in text and "[1]" in text and "Sources:\n[1] SQL › Pandas users (docs/sql.md)" in text
    data = result.structured_content
    assert data["answer"] in text and data["refused"] is False
    assert data["citations"][0] | {"snippet": ""} == {
        "n": 1,
        "title": "SQL",
        "section": "Pandas users",
        "source": "docs/sql.md",
        "url": None,
        "snippet": "",
    }
    assert data["grounding"]["score"] == 1.0 and data["grounding"]["unsupported"] == []


def test_ask_passes_the_history_on(settings, tutor):
    fake = FakeAnswerer("It takes 4 to 6 hours [1].")
    history = [
        {"role": "user", "content": "I know pandas but not SQL"},
        {"role": "assistant", "content": "Do SQLZoo [1]."},
    ]

    async def steps(client):
        return await client.call_tool("ask", {"question": "how long does it take?", "history": history})

    result = session(make_tutor(settings, tutor.store, fake), steps)
    assert fake.calls[0]["history"] == history and fake.calls[0]["question"] == "how long does it take?"
    assert fake.calls[0]["passages"][0].chunk.title == "SQL"  # retrieval saw the question before
    assert result.structured_content["citations"][0]["title"] == "SQL"


def test_ask_declines_what_the_documents_do_not_cover(tutor):
    async def steps(client):
        return await client.call_tool("ask", {"question": "zebra migration kenya"})

    result = session(tutor, steps)
    assert result.structured_content["refused"] and result.structured_content["citations"] == []
    assert "don't cover" in result.content[0].text


@pytest.mark.parametrize(
    ("tool", "arguments", "fragment"),
    [
        ("ask", {"question": "   "}, "question is empty"),
        ("ask", {"question": "x" * 5000}, "at most 4000 characters"),
        ("ask", {"question": "x", "history": [{"role": "user", "content": "y"}] * 40}, "At most 40 messages"),
        ("ask", {"question": "x", "history": [{"role": "system", "content": "y"}]}, "history"),
        ("ask", {}, "question"),
        ("search", {"query": "SQL", "top_k": 0}, "top_k"),
        ("search", {"query": "  "}, "query is empty"),
        ("ask", {"question": "\u0000\u0001"}, "question is empty"),
    ],
)
def test_bad_arguments_are_tool_errors_the_client_can_read(tutor, tool, arguments, fragment):
    async def steps(client):
        return await client.call_tool(tool, arguments)

    result = session(tutor, steps)
    assert result.is_error and fragment in result.content[0].text


MARKER = "<script>echo-me-back</script>"


@pytest.mark.parametrize(
    ("tool", "arguments", "says"),
    [
        ("search", {"query": "SQL", "top_k": MARKER * 20}, "top_k: Input should be a valid integer"),
        ("ask", {"question": [MARKER]}, "question: Input should be a valid string"),
        (
            "ask",
            {"question": "x", "history": [{"role": MARKER, "content": "y"}]},
            "history.0.role: Input should",
        ),
        ("next_topics", {"learner": MARKER * 30}, "learner: String should have at most 200 characters"),
        (MARKER * 20, {}, "Unknown tool: the tools are ask, search, roadmap, next_topics, study_plan."),
    ],
)
def test_argument_errors_say_what_is_wrong_without_echoing_the_input(tutor, tool, arguments, says):
    async def steps(client):
        return await client.call_tool(tool, arguments)

    result = session(tutor, steps)
    text = result.content[0].text
    assert result.is_error and says in text, text
    assert "echo-me-back" not in text and "input_value" not in text and "pydantic.dev" not in text


def test_the_server_reports_the_package_version(tutor):
    version = importlib.metadata.version("tutor")
    assert version

    async def steps(client):
        return client.server_info

    assert session(tutor, steps).version == version
    with client_for(tutor) as c:
        assert c.post("/mcp", json=INIT, headers=HEADERS).json()["result"]["serverInfo"]["version"] == version


def test_a_store_failure_is_a_tool_error_without_server_details(tutor, monkeypatch):
    def broken(*args, **kwargs):
        raise StoreError("Chroma at /srv/secret/chroma.sqlite3 is locked")

    monkeypatch.setattr(tutor, "retrieve", broken)

    async def steps(client):
        return await client.call_tool("search", {"query": "SQL"})

    result = session(tutor, steps)
    assert result.is_error and STORE_UNAVAILABLE in result.content[0].text
    assert "/srv/secret" not in result.content[0].text


def test_search_returns_ranked_passages(tutor):
    async def steps(client):
        return await client.call_tool("search", {"query": "pandas SQL", "top_k": 2})

    results = session(tutor, steps).structured_content["results"]
    assert [r["rank"] for r in results] == [1, 2] and results[0]["title"] == "SQL"
    assert "SQLZoo" in results[0]["text"] and results[0]["source"] == "docs/sql.md"


def test_roadmap_lists_the_topics_in_learning_order(tutor):
    async def steps(client):
        return await client.call_tool("roadmap", {})

    topics = session(tutor, steps).structured_content["topics"]
    shipped = load_roadmap(tutor.settings.corpus_dir)
    assert [t["id"] for t in topics] == [t.meta.id for t in shipped] and len(topics) > 10
    assert set(topics[0]) == {"id", "title", "phase", "order", "duration", "prerequisites", "resources"}
    assert any(t["prerequisites"] for t in topics) and any(t["resources"] for t in topics)


def test_roadmap_leaves_a_broken_file_out_and_names_it(tutor, tmp_path):
    """One broken or duplicate file in someone's own roadmap must not hide the others (the tool
    failed outright before), and the reader is told what was left out, as `tutor roadmap` does."""
    corpus = tmp_path / "my-roadmap"
    write(
        corpus / "a.md",
        "---\nid: a\ntitle: Python\nphase: 1. Basics\norder: 1\nsources: [s]\n---\nPython first.\n",
    )
    write(
        corpus / "b.md",
        "---\nid: b\ntitle: SQL\nphase: 1. Basics\norder: 2\nprerequisites: [a]\nsources: [s]\n---\nSQL.\n",
    )
    write(corpus / "broken.md", "---\nid: c\ntitle: [unclosed\n---\nBroken.\n")
    write(
        corpus / "again.md",
        "---\nid: a\ntitle: Python again\nphase: 1. Basics\norder: 3\nsources: [s]\n---\nDup.\n",
    )
    tutor.settings.corpus_dir = corpus

    async def steps(client):
        return await client.call_tool("roadmap", {})

    result = session(tutor, steps)
    assert not result.is_error
    data = result.structured_content
    assert [(t["id"], t["title"], t["prerequisites"]) for t in data["topics"]] == [
        ("a", "Python", []),
        ("b", "SQL", ["a"]),
    ]
    problems = data["problems"]
    assert len(problems) == 2
    assert any(p.startswith("broken.md:") and "left out" in p for p in problems)
    assert any("duplicate id 'a'" in p for p in problems)


def test_every_ingested_document_is_a_resource(tutor, tmp_path):
    async def steps(client):
        listed = (await client.list_resources()).resources
        sql = await client.read_resource(document_uri("docs/sql.md"))
        with pytest.raises(MCPError, match="No ingested document"):
            await client.read_resource(document_uri("docs/nope.md"))
        # An ingest while the server runs shows at the next listing.
        write(tmp_path / "docs" / "extra.md", "# Extra\n\nStatistics comes before machine learning.\n")
        await anyio.to_thread.run_sync(ingest, ["docs"], tutor.store)
        relisted = (await client.list_resources()).resources
        return listed, sql, relisted

    listed, sql, relisted = session(tutor, steps)
    assert [(r.name, r.title) for r in listed] == [
        ("docs/evil.md", "Deep learning"),
        ("docs/sql.md", "SQL"),
        ("docs/time.md", "Time plans"),
    ]
    assert str(listed[1].uri) == "tutor://documents/docs%2Fsql.md" and listed[1].mime_type == "text/markdown"
    text = sql.contents[0].text
    assert text.startswith("# SQL\n") and "## Pandas users" in text and "SQLZoo tutorial" in text
    assert "docs/extra.md" in {r.name for r in relisted}


INIT = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "t", "version": "1"},
    },
}
HEADERS = {"accept": "application/json, text/event-stream", "content-type": "application/json"}


def test_the_http_mount_is_behind_the_api_keys_and_the_rate_limit(tutor):
    call = {
        "jsonrpc": "2.0",
        "id": 2,
        "method": "tools/call",
        "params": {"name": "ask", "arguments": {"question": "I know pandas but not SQL"}},
    }
    with client_for(tutor, api_keys="k-one", rate_limit=3) as c:
        response = c.post("/mcp", json=INIT, headers=HEADERS)
        assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
        authorised = {**HEADERS, "authorization": "Bearer k-one"}
        assert c.post("/mcp", json=INIT, headers=authorised).json()["result"]["serverInfo"]["name"] == "tutor"
        # Stateless: a call needs no session from an earlier request (any worker can answer it).
        answer = c.post("/mcp", json=call, headers={**authorised, "mcp-protocol-version": "2025-06-18"})
        assert "SQLZoo" in json.dumps(answer.json()["result"]["structuredContent"])
        # Keys let any Host through: the key is the gate.
        assert c.post("/mcp", json=INIT, headers={**authorised, "host": "tutor.example"}).status_code == 200
        limited = c.post("/mcp", json=INIT, headers=authorised)  # the fourth request of a minute
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1


def test_a_get_opens_no_event_stream_on_the_stateless_mount(tutor):
    # the SDK held an empty event stream open for GET as long as the client liked
    with client_for(tutor) as c:
        response = c.get("/mcp", headers={"accept": "text/event-stream"})
        assert response.status_code == 405 and "POST" in response.headers["allow"]


def test_without_keys_the_http_mount_answers_loopback_names_only(tutor):
    with client_for(tutor) as c:
        assert c.post("/mcp", json=INIT, headers={**HEADERS, "host": "127.0.0.1:8000"}).status_code == 200
        assert c.post("/mcp", json=INIT, headers={**HEADERS, "host": "localhost"}).status_code == 200
        assert c.post("/mcp", json=INIT, headers={**HEADERS, "host": "rebound.example"}).status_code == 421
    with client_for(tutor, api_keys="k") as c:
        headers = {**HEADERS, "host": "tutor.example", "authorization": "Bearer k"}
        assert c.post("/mcp", json=INIT, headers=headers).status_code == 200


def test_next_topics_and_study_plan_read_the_learners_record(tutor):
    learners = Learners.from_settings(tutor.settings)
    first = learners.next("ada").topics[0].id
    learners.set_status("ada", first, "done")
    learners.save_profile("ada", hours_per_week=6)

    async def steps(client):
        return (
            await client.call_tool("next_topics", {"learner": "ada"}),
            await client.call_tool("study_plan", {"learner": "ada"}),
            await client.call_tool("study_plan", {"learner": "ada", "hours_per_week": 20}),
            await client.call_tool("next_topics", {}),  # the default learner, 'me', not yet recorded
        )

    async def main():
        server = build_mcp_server(lambda: tutor, lambda: learners)
        async with Client(server) as client:
            return await steps(client)

    after, plan, faster, default = anyio.run(main)
    assert not after.is_error and after.structured_content == learners.next("ada").to_dict()
    assert first not in [t["id"] for t in after.structured_content["topics"]]
    assert plan.structured_content == learners.plan("ada").to_dict()
    assert (
        plan.structured_content["hours_per_week"] == 6 and plan.structured_content["hours_from"] == "profile"
    )
    assert faster.structured_content["hours_per_week"] == 20
    assert len(faster.structured_content["weeks"]) < len(plan.structured_content["weeks"])
    assert default.structured_content["learner"] == "me"
    assert default.structured_content["topics"][0]["id"] == first  # an empty record starts at the start


@pytest.mark.parametrize(
    ("tool", "arguments", "fragment"),
    [
        ("next_topics", {"learner": "no spaces allowed!"}, "name"),
        ("study_plan", {"learner": "ada", "hours_per_week": 500}, "hours_per_week"),
        ("next_topics", {"learner": "ada", "limit": 0}, "limit"),
    ],
)
def test_bad_learner_arguments_are_tool_errors(tutor, tool, arguments, fragment):
    async def steps(client):
        return await client.call_tool(tool, arguments)

    result = session(tutor, steps)
    assert result.is_error and fragment in result.content[0].text


def test_over_http_a_learner_belongs_to_its_key(tutor):
    def call(name, arguments):
        return {
            "jsonrpc": "2.0",
            "id": 3,
            "method": "tools/call",
            "params": {"name": name, "arguments": arguments},
        }

    def headers(key):
        return {**HEADERS, "authorization": f"Bearer {key}", "mcp-protocol-version": "2025-06-18"}

    with client_for(tutor, api_keys="k-one, k-two") as c:
        made = c.put(
            "/v1/learners/ada", json={"hours_per_week": 5}, headers={"authorization": "Bearer k-one"}
        )
        assert made.status_code in (200, 201)
        mine = c.post("/mcp", json=call("study_plan", {"learner": "ada"}), headers=headers("k-one")).json()
        assert mine["result"]["structuredContent"]["hours_per_week"] == 5
        rest = c.get("/v1/learners/ada/plan", headers={"authorization": "Bearer k-one"}).json()
        assert mine["result"]["structuredContent"]["weeks"] == rest["weeks"]
        theirs = c.post("/mcp", json=call("next_topics", {"learner": "ada"}), headers=headers("k-two")).json()
        assert theirs["result"]["isError"]  # another key never sees it, as on /v1/learners
        assert "ada" in theirs["result"]["content"][0]["text"]
