"""The doors for other clients, end to end with real processes and the clients people use: the
official openai SDK against `tutor serve` (/v1/chat/completions, /v1/models), the mcp SDK's
streamable HTTP client against its /mcp with a bearer key, and the mcp SDK's stdio client starting
`tutor mcp` itself. Offline answerer, real embedding model, a small corpus."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import anyio
import httpx2
import openai
import pytest
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from openai import OpenAI

from tests.conftest import served_tutor, write
from tests.tutor.test_chain import DOCS

KEY, LIMITED_KEY = "k-main", "k-limited"
RATE_LIMIT = 40  # requests a minute per key: the tests with KEY stay well under it
QUESTION = [{"role": "user", "content": "I know pandas but not SQL, what should I do?"}]


def corpus(root: Path) -> dict[str, str]:
    """A small corpus under `root` and the environment that points tutor at it."""
    for name, text in DOCS.items():
        write(root / "docs" / name, text)
    return {
        "TUTOR_DATA_DIR": str(root / "data"),
        "TUTOR_CORPUS_DIR": str(root / "docs"),
        "TUTOR_PROVIDER": "offline",
        "TUTOR_CACHE_DIR": os.environ["TUTOR_CACHE_DIR"],  # the run's model cache (tests/conftest.py)
    }


@pytest.fixture(scope="module")
def server(tmp_path_factory, onnx_cache):
    root = tmp_path_factory.mktemp("doors")
    env = {**corpus(root), "TUTOR_API_KEYS": f"{KEY},{LIMITED_KEY}", "TUTOR_RATE_LIMIT": str(RATE_LIMIT)}
    with served_tutor(root, root / "docs", env) as served:
        yield served.url


def sdk(server: str, key: str = KEY) -> OpenAI:
    return OpenAI(base_url=server + "/v1", api_key=key, max_retries=0, timeout=60)


def test_the_openai_sdk_lists_the_model(server):
    assert [m.id for m in sdk(server).models.list()] == ["tutor"]


def test_the_openai_sdk_creates_and_streams_the_same_cited_answer(server):
    client = sdk(server)
    completion = client.chat.completions.create(model="tutor", messages=QUESTION)
    answer = completion.choices[0].message.content
    assert "SQLZoo" in answer and "[1]" in answer and completion.choices[0].finish_reason == "stop"
    assert completion.model_extra["citations"][0] == "docs/sql.md"
    assert completion.model_extra["search_results"][0]["title"] == "SQL"
    assert completion.usage.total_tokens > 0

    chunks = list(client.chat.completions.create(model="tutor", messages=QUESTION, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks) == answer
    assert chunks[-1].choices[0].finish_reason == "stop"
    assert chunks[-1].model_extra["citations"] == completion.model_extra["citations"]
    assert chunks[-1].model_extra["search_results"] == completion.model_extra["search_results"]


def test_the_openai_sdk_raises_its_own_errors(server):
    with pytest.raises(openai.AuthenticationError) as caught:
        sdk(server, "wrong-key").chat.completions.create(model="tutor", messages=QUESTION)
    assert caught.value.status_code == 401 and caught.value.code == "invalid_api_key"
    with pytest.raises(openai.UnprocessableEntityError) as caught:
        sdk(server).chat.completions.create(model="tutor", messages=[])
    assert caught.value.body["param"] == "messages"
    image = [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x.io/a.png"}}]}]
    with pytest.raises(openai.BadRequestError):
        sdk(server).chat.completions.create(model="tutor", messages=image)
    with pytest.raises(openai.NotFoundError):
        sdk(server).chat.completions.create(model="gpt-4o", messages=QUESTION)


def test_the_openai_sdk_is_rate_limited_per_key(server):
    client = sdk(server, LIMITED_KEY)
    with pytest.raises(openai.RateLimitError) as caught:
        for _ in range(RATE_LIMIT + 1):
            client.models.list()
    assert caught.value.code == "rate_limit_exceeded"
    assert int(caught.value.response.headers["retry-after"]) >= 1
    assert sdk(server).models.list()  # another key, another bucket


def test_the_mcp_http_client_asks_with_a_bearer_key(server):
    async def main():
        headers = {"Authorization": f"Bearer {KEY}"}
        async with (
            httpx2.AsyncClient(headers=headers, timeout=60) as http,
            Client(streamable_http_client(server + "/mcp", http_client=http)) as client,
        ):
            tools = {t.name for t in (await client.list_tools()).tools}
            result = await client.call_tool("ask", {"question": QUESTION[0]["content"]})
            resources = {r.name for r in (await client.list_resources()).resources}
            return tools, result, resources

    tools, result, resources = anyio.run(main)
    assert {"ask", "search", "roadmap"} <= tools
    assert not result.is_error and "SQLZoo" in result.content[0].text
    assert result.structured_content["citations"][0]["source"] == "docs/sql.md"
    assert resources == {"docs/sql.md", "docs/time.md", "docs/evil.md"}
    refused = httpx2.post(server + "/mcp", json={}, headers={"accept": "application/json"})
    assert refused.status_code == 401 and refused.headers["www-authenticate"] == "Bearer"


def test_the_mcp_stdio_client_starts_tutor_mcp_and_asks(tmp_path, onnx_cache):
    params = StdioServerParameters(
        command=sys.executable, args=["-m", "tutor", "mcp"], env=corpus(tmp_path), cwd=str(tmp_path)
    )
    log = tmp_path / "stderr.log"

    async def main():
        with anyio.fail_after(240), log.open("w") as errlog:
            async with Client(stdio_client(params, errlog=errlog)) as client:
                return await client.call_tool("ask", {"question": QUESTION[0]["content"]})

    try:
        result = anyio.run(main)
    except Exception:
        print(log.read_text()[-3000:])
        raise
    assert not result.is_error, result.content
    assert "SQLZoo" in result.content[0].text and "[1]" in result.content[0].text
    assert result.structured_content["grounding"]["score"] == 1.0
    assert "ingesting the shipped corpus" in log.read_text()  # progress went to stderr, not the protocol
