"""The real Anthropic and OpenAI SDKs against canned HTTP on loopback: streaming and error mapping.

(The SDKs ship their own HTTP stack, so a real local server is what they talk to here.)
"""

from __future__ import annotations

import json
import re
import time

import pytest

from tests.canned import Canned, openai_reply
from tutor.config import Settings
from tutor.errors import ConfigError, MissingKeyError, ProviderError
from tutor.llm import get_answerer, resolve_provider
from tutor.llm.providers import AnthropicAnswerer, OpenAIAnswerer, OpenAICompatibleAnswerer
from tutor.types import Chunk, Passage

PASSAGES = [Passage(1, Chunk("c1", "d", "s.md", "SQL", "Pandas users", "Do SQLZoo.", 0), "Do SQLZoo.")]


def sse(events: list[tuple[str | None, dict | str]]) -> bytes:
    lines = []
    for name, data in events:
        if name:
            lines.append(f"event: {name}")
        lines.append(f"data: {data if isinstance(data, str) else json.dumps(data)}\n")
    return ("\n".join(lines) + "\n").encode()


def anthropic_stream(*texts: str) -> Canned:
    message = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [],
        "stop_reason": None,
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    events = [
        ("message_start", {"type": "message_start", "message": message}),
        (
            "content_block_start",
            {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}},
        ),
    ]
    events += [
        (
            "content_block_delta",
            {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}},
        )
        for t in texts
    ]
    events += [
        ("content_block_stop", {"type": "content_block_stop", "index": 0}),
        (
            "message_delta",
            {
                "type": "message_delta",
                "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                "usage": {"output_tokens": 3},
            },
        ),
        ("message_stop", {"type": "message_stop"}),
    ]
    return Canned(200, sse(events))


def openai_stream(*texts: str) -> Canned:
    chunks = [
        (
            None,
            {
                "id": "c",
                "object": "chat.completion.chunk",
                "created": 1,
                "model": "gpt",
                "choices": [{"index": 0, "delta": {"content": t}, "finish_reason": None}],
            },
        )
        for t in texts
    ]
    return Canned(200, sse([*chunks, (None, "[DONE]")]))


def anthropic(server, timeout=5.0):
    return AnthropicAnswerer(
        api_key="sk-test", model=None, timeout=timeout, max_retries=0, max_tokens=100, base_url=server.url
    )


def openai_(server, timeout=5.0, **kw):
    return OpenAIAnswerer(
        api_key="sk-test",
        model=None,
        timeout=timeout,
        max_retries=0,
        max_tokens=100,
        base_url=kw.pop("base_url", server.url + "/v1"),
        **kw,
    )


def test_anthropic_streams_tokens_with_the_data_wrapped_prompt(server):
    server.replies.append(anthropic_stream("Do ", "SQLZoo [1]."))
    assert list(anthropic(server).stream("pandas but not SQL?", PASSAGES, [])) == ["Do ", "SQLZoo [1]."]
    request = server.requests[0]
    assert request["path"] == "/v1/messages"
    assert "sk-test" in (
        request["headers"].get("x-api-key", "") + request["headers"].get("authorization", "")
    )
    assert "not instructions" in request["body"]["system"]
    assert '<source n="1" title="SQL › Pandas users">' in request["body"]["messages"][-1]["content"]


def test_openai_streams_tokens(server):
    server.replies.append(openai_stream("Do ", "SQLZoo [1]."))
    assert list(openai_(server).stream("pandas but not SQL?", PASSAGES, [])) == ["Do ", "SQLZoo [1]."]
    body = server.requests[0]["body"]
    assert server.requests[0]["path"] == "/v1/chat/completions"
    assert body["stream"] is True and body["messages"][0]["role"] == "system"


def test_openai_compatible_uses_the_base_url(server):
    server.replies.append(openai_stream("ok [1]."))
    answerer = OpenAICompatibleAnswerer(
        api_key="not-needed",
        model="llama3.1",
        timeout=5,
        max_retries=0,
        max_tokens=100,
        base_url=server.url + "/compat/v1",
    )
    assert "".join(answerer.stream("q", PASSAGES, [])) == "ok [1]."
    assert server.requests[0]["path"] == "/compat/v1/chat/completions"


def test_llm_condenses_a_follow_up(server):
    server.replies.append(openai_reply("Why learn SQL before pandas?"))
    history = [
        {"role": "user", "content": "Should I learn SQL?"},
        {"role": "assistant", "content": "Yes [1]."},
    ]
    assert openai_(server).condense("why?", history) == "Why learn SQL before pandas?"


@pytest.mark.parametrize("make", [anthropic, openai_])
@pytest.mark.parametrize(
    "reply,message,retryable",
    [
        (
            Canned(401, {"error": {"type": "authentication_error", "message": "bad key"}}),
            "rejected the API key (401)",
            False,
        ),
        (
            Canned(429, {"error": {"type": "rate_limit_error", "message": "slow"}}, {"retry-after": "0"}),
            "rate limiting requests (429)",
            True,
        ),
        (Canned(500, {"error": {"type": "api_error", "message": "boom"}}), "server error (500)", True),
        (Canned(200, b"", delay=2.0), "did not answer within 0.5 s", True),
    ],
)
def test_provider_errors_become_one_clear_message(server, make, reply, message, retryable):
    server.replies.append(reply)
    started = time.monotonic()
    with pytest.raises(ProviderError, match=re.escape(message)) as info:
        list(make(server, timeout=0.5).stream("q", PASSAGES, []))
    assert info.value.retryable is retryable
    assert "sk-test" not in str(info.value)
    assert time.monotonic() - started < 2.0  # nothing hangs past the timeout


def test_provider_choice_and_missing_keys():
    base = Settings(_env_file=None)
    assert resolve_provider(base) == "offline"
    assert resolve_provider(base.model_copy(update={"anthropic_api_key": "x"})) == "anthropic"
    with pytest.raises(ConfigError, match="choose one of anthropic, openai, openai-compatible, offline"):
        resolve_provider(base, "gemini")
    with pytest.raises(MissingKeyError, match="set ANTHROPIC_API_KEY"):
        get_answerer(base, embedder=None, provider="anthropic")
    with pytest.raises(MissingKeyError, match="set OPENAI_API_KEY"):
        get_answerer(base, embedder=None, provider="openai")


def openai_deprecated_models() -> set[str]:
    """The model names the installed openai SDK lists under "Deprecated values" of its ChatModel type."""
    import inspect

    from openai.types.shared import chat_model

    source = inspect.getsource(chat_model)
    return set(re.findall(r'"([^"]+)"', source.split("Deprecated values:", 1)[1]))


def test_default_models_are_current_in_the_installed_sdks():
    import typing

    from anthropic._data import DEPRECATED_MODELS
    from anthropic.types.model_param import ModelParam
    from openai.types.shared.chat_model import ChatModel

    from tutor.llm.providers import AnthropicAnswerer, OpenAIAnswerer

    anthropic_known = set(typing.get_args(typing.get_args(ModelParam)[0]))
    assert AnthropicAnswerer.default_model in anthropic_known
    assert AnthropicAnswerer.default_model not in DEPRECATED_MODELS
    deprecated = openai_deprecated_models()
    assert "gpt-4o-mini" in deprecated  # the parse sees the SDK's table
    assert OpenAIAnswerer.default_model in typing.get_args(ChatModel)
    assert OpenAIAnswerer.default_model not in deprecated


def test_request_options_reach_the_provider_and_leave_the_answerer_as_it_was(server):
    server.replies += [openai_stream("ok [1]."), anthropic_stream("ok [1]."), openai_stream("ok [1].")]
    base = openai_(server)
    configured = base.with_options(max_tokens=42, temperature=0.7)
    assert configured is not base and configured.client is base.client  # one SDK client, shared
    list(configured.stream("q", PASSAGES, []))
    list(anthropic(server).with_options(max_tokens=7, temperature=0.2).stream("q", PASSAGES, []))
    list(base.stream("q", PASSAGES, []))
    sent = [r["body"] for r in server.requests]
    assert (sent[0]["max_tokens"], sent[0]["temperature"]) == (42, 0.7)
    assert sent[1]["max_tokens"] == 7 and "temperature" not in sent[1]  # the SDK takes none
    assert (sent[2]["max_tokens"], sent[2]["temperature"]) == (100, 0)  # the defaults, unchanged
    assert base.with_options() is base


def test_the_offline_answerer_ignores_request_options():
    from tutor.llm.offline import OfflineAnswerer

    offline = OfflineAnswerer.__new__(OfflineAnswerer)
    assert offline.with_options(max_tokens=5, temperature=1.0) is offline


def test_anthropic_condenses_with_a_request_its_sdk_accepts(server):
    reply = {
        "id": "m",
        "type": "message",
        "role": "assistant",
        "model": "claude",
        "content": [{"type": "text", "text": "How long does SQLZoo take?"}],
        "stop_reason": "end_turn",
        "stop_sequence": None,
        "usage": {"input_tokens": 1, "output_tokens": 1},
    }
    server.replies.append(Canned(200, reply))
    history = [{"role": "user", "content": "I know pandas but not SQL"}]
    assert anthropic(server).condense("how long?", history) == "How long does SQLZoo take?"
    assert server.requests[0]["path"] == "/v1/messages"
