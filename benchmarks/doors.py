"""What each front door costs over the same answer: one `tutor serve` over the shipped corpus
(offline answerer), the same questions asked through every door, one at a time, interleaved (each
question goes through every door before the next), so the doors share the machine's noise.

    python benchmarks/doors.py [--questions 30]

Baseline: POST /v1/chat with a plain httpx client. Doors: /v1/chat/completions through the openai SDK
(whole, and streamed: time to the first content delta and to [DONE]), the MCP `ask` tool through the
mcp SDK over streamable HTTP (/mcp, one client session), and over stdio (`tutor mcp` started by the
mcp SDK's stdio client: its start-up to the first answer is printed on its own). Every question is
asked once through the server and through `tutor mcp` before timing (the answerer and judge keep
caches per process: the doors are compared warm), and the doors take turns going first. Prints the
median and p90 per door and the ratio of medians to the baseline's.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import anyio
import httpx2
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from openai import OpenAI

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port, wait_for  # noqa: E402


def questions(n: int) -> list[str]:
    dataset = ROOT / "evals" / "datasets" / "roadmap.jsonl"
    rows = [json.loads(line) for line in dataset.read_text().splitlines() if line.strip()]
    return [r["question"] for r in rows][:n]


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=30)
    args = parser.parse_args()
    asked = questions(args.questions)
    data = Path(tempfile.mkdtemp(prefix="tutor-doors-"))
    env = {**os.environ, "TUTOR_DATA_DIR": str(data), "TUTOR_PROVIDER": "offline", "TUTOR_RATE_LIMIT": "0"}
    env.pop("TUTOR_API_KEYS", None)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "tutor", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for(url + "/readyz", 300, server)
        times = anyio.run(measure, url, asked, env)
    finally:
        server.terminate()
        server.wait(timeout=30)
    startup = times.pop("stdio start-up to first answer")
    base = statistics.median(times["/v1/chat (httpx)"])
    order = [
        "/v1/chat (httpx)",
        "/v1/chat/completions (openai SDK)",
        "/v1/chat/completions stream: first delta",
    ]
    times = {name: times[name] for name in [*order, *(n for n in times if n not in order)]}
    print(f"{len(asked)} questions, offline answerer, shipped corpus; ms per question")
    print(f"{'door':<44} {'median':>8} {'p90':>8} {'ratio':>6}")
    for door, values in times.items():
        median = statistics.median(values)
        print(f"{door:<44} {median:8.1f} {p90(values):8.1f} {median / base:6.2f}")
    print(f"{'tutor mcp (stdio): start-up to first answer':<44} {startup[0]:8.1f}")


async def measure(url: str, asked: list[str], env: dict[str, str]) -> dict[str, list[float]]:
    openai_client = OpenAI(base_url=url + "/v1", api_key="none", max_retries=0, timeout=120)
    times: dict[str, list[float]] = {}
    stdio = StdioServerParameters(command=sys.executable, args=["-m", "tutor", "mcp"], env=env)
    started = time.perf_counter()
    async with (
        httpx2.AsyncClient(timeout=120) as http,
        Client(streamable_http_client(url + "/mcp", http_client=http)) as mcp_http,
        Client(stdio_client(stdio, errlog=open(os.devnull, "w"))) as mcp_stdio,
    ):
        await mcp_stdio.call_tool("ask", {"question": asked[0]})
        times["stdio start-up to first answer"] = [(time.perf_counter() - started) * 1000]

        async def chat(question: str) -> None:
            body = {"messages": [{"role": "user", "content": question}]}
            (await http.post(url + "/v1/chat", json=body)).raise_for_status()

        async def completion(question: str) -> None:
            messages = [{"role": "user", "content": question}]
            await anyio.to_thread.run_sync(
                lambda: openai_client.chat.completions.create(model="tutor", messages=messages)
            )

        async def stream(question: str) -> None:
            def read() -> None:
                begun, first = time.perf_counter(), None
                messages = [{"role": "user", "content": question}]
                for chunk in openai_client.chat.completions.create(
                    model="tutor", messages=messages, stream=True
                ):
                    if first is None and chunk.choices and chunk.choices[0].delta.content:
                        first = time.perf_counter()
                times.setdefault("/v1/chat/completions stream: first delta", []).append(
                    ((first or time.perf_counter()) - begun) * 1000
                )

            await anyio.to_thread.run_sync(read)

        def ask(client: Client):
            async def call(question: str) -> None:
                result = await client.call_tool("ask", {"question": question})
                assert not result.is_error, result.content

            return call

        doors = {
            "/v1/chat (httpx)": chat,
            "/v1/chat/completions (openai SDK)": completion,
            "/v1/chat/completions stream: [DONE]": stream,
            "/mcp ask (mcp SDK, streamable HTTP)": ask(mcp_http),
            "tutor mcp ask (mcp SDK, stdio)": ask(mcp_stdio),
        }
        for question in asked:  # warm both processes
            await chat(question)
            await ask(mcp_stdio)(question)
        names = list(doors)
        for turn, question in enumerate(asked):
            for name in names[turn % len(names) :] + names[: turn % len(names)]:  # each door goes first
                start = time.perf_counter()
                await doors[name](question)
                times.setdefault(name, []).append((time.perf_counter() - start) * 1000)
    return times


if __name__ == "__main__":
    main()
