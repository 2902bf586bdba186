"""Load benchmark: concurrent clients against `tutor serve` on loopback, offline answerer.

    python benchmarks/load.py [--clients 16 64] [--seconds 30] [--workers 1]

Starts `tutor serve` over the shipped corpus (rate limit off), then for each route (/v1/chat,
/v1/search) and each client count runs that many concurrent clients, each sending one request after
another for --seconds, and prints requests/s, p50/p95/p99 latency and the error count.
Target (issue 6): zero errors and p95 <= 300 ms at 16 clients for /v1/chat offline on 2 cores.

The load comes from `wrk` (C, one thread) when it is installed (`apt-get install wrk`), else from
an asyncio httpx client in this process; the generator shares the machine's cores with the server,
and the lighter wrk takes less of them. `--generator httpx` forces the Python one.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def questions() -> list[str]:
    dataset = ROOT / "evals" / "datasets" / "roadmap.jsonl"
    return [json.loads(line)["question"] for line in dataset.read_text().splitlines() if line.strip()]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


async def run(url: str, route: str, clients: int, seconds: float, asked: list[str]) -> dict:
    latencies: list[float] = []
    errors = 0
    kinds: dict[str, int] = {}
    cycle = itertools.cycle(asked)
    deadline = time.perf_counter() + seconds

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            q = next(cycle)
            body = {"messages": [{"role": "user", "content": q}]} if route == "/v1/chat" else {"query": q}
            start = time.perf_counter()
            try:
                response = await http.post(url + route, json=body)
                ok, kind = response.status_code == 200, str(response.status_code)
            except httpx.HTTPError as exc:
                ok, kind = False, type(exc).__name__
            latencies.append((time.perf_counter() - start) * 1000)
            errors += not ok
            if not ok:
                kinds[kind] = kinds.get(kind, 0) + 1

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return {
        "route": route,
        "clients": clients,
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p95": percentile(latencies, 0.95),
        "p99": percentile(latencies, 0.99),
        "errors": errors,
        "kinds": kinds,
    }


WRK_SCRIPT = """
local bodies = {%s}
local i = 0
request = function()
  i = i %% #bodies + 1
  return wrk.format("POST", "%s", {["Content-Type"] = "application/json"}, bodies[i])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %%d %%d %%.3f %%.3f %%.3f %%d %%d\\n", summary.requests, summary.duration,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    e.status + e.connect + e.read + e.write + e.timeout, e.status))
end
"""


def run_wrk(url: str, route: str, clients: int, seconds: float, asked: list[str]) -> dict:
    """The same measurement with wrk: `clients` connections, each one request after another."""
    bodies = [
        json.dumps({"messages": [{"role": "user", "content": q}]} if route == "/v1/chat" else {"query": q})
        for q in asked
    ]
    lua = WRK_SCRIPT % (", ".join(json.dumps(b) for b in bodies), route)
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(lua)
    try:
        out = subprocess.run(
            ["wrk", "-t1", f"-c{clients}", f"-d{int(seconds)}s", "--timeout", "60s", "-s", f.name, url],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(f.name).unlink()
    requests, micros, p50, p95, p99, errors, status = next(
        line.split()[1:] for line in out.splitlines() if line.startswith("RESULT")
    )
    return {
        "route": route,
        "clients": clients,
        "requests": int(requests),
        "rps": int(requests) / (int(micros) / 1e6),
        "p50": float(p50),
        "p95": float(p95),
        "p99": float(p99),
        "errors": int(errors),
        "kinds": {"non-2xx": int(status)} if int(status) else {},
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, nargs="+", default=[16, 64])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--routes", nargs="+", default=["/v1/chat", "/v1/search"])
    parser.add_argument(
        "--generator", choices=["wrk", "httpx"], default="wrk" if shutil.which("wrk") else "httpx"
    )
    args = parser.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "TUTOR_DATA_DIR": tmp, "TUTOR_PROVIDER": "offline", "TUTOR_RATE_LIMIT": "0"}
        cmd = [sys.executable, "-m", "tutor", "serve", "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(600):
                try:
                    with urllib.request.urlopen(url + "/readyz", timeout=2):
                        break
                except OSError:
                    time.sleep(0.5)
            asked = questions()
            # Warm up: every worker sees every question a few times (model, caches), as in steady state.
            asyncio.run(run(url, "/v1/chat", 4 * args.workers, 15, asked))
            measure = run_wrk if args.generator == "wrk" else lambda *a: asyncio.run(run(*a))
            rows = [
                measure(url, route, clients, args.seconds, asked)
                for route in args.routes
                for clients in args.clients
            ]
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(
        f"\n`tutor serve --workers {args.workers}`, offline answerer, {args.seconds:g} s per row, loopback\n"
    )
    print("| route | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors |")
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['route']} | {r['clients']} | {r['requests']} | {r['rps']:.1f} | {r['p50']:.0f} | "
            f"{r['p95']:.0f} | {r['p99']:.0f} | {r['errors']}{' ' + str(r['kinds']) if r['kinds'] else ''} |"
        )


if __name__ == "__main__":
    main()
