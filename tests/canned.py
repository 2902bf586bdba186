"""A canned HTTP server on loopback: the real Anthropic and OpenAI SDKs talk to it in tests.

(The SDKs ship their own HTTP stack, so respx cannot intercept them; a real local server can.)
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    status: int = 200
    body: bytes | dict = b""
    headers: dict = field(default_factory=dict)
    delay: float = 0.0


class CannedServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.replies: list[Canned] = []
        self.requests: list[dict] = []
        super().__init__(("127.0.0.1", 0), CannedHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class CannedHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("content-length", 0))
        self.server.requests.append(
            {
                "path": self.path,
                "headers": {k.lower(): v for k, v in self.headers.items()},
                "body": json.loads(self.rfile.read(length) or b"{}"),
            }
        )
        reply = (
            self.server.replies.pop(0)
            if self.server.replies
            else Canned(500, {"error": {"message": "no reply"}})
        )
        time.sleep(reply.delay)
        body = json.dumps(reply.body).encode() if isinstance(reply.body, dict) else reply.body
        content_type = "application/json" if isinstance(reply.body, dict) else "text/event-stream"
        try:
            self.send_response(reply.status)
            self.send_header("content-type", content_type)
            self.send_header("content-length", str(len(body)))
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout test)

    def log_message(self, *args):
        pass


def openai_reply(content: str) -> Canned:
    """A non-streamed OpenAI chat completion whose message is `content`."""
    return Canned(
        200,
        {
            "id": "c",
            "object": "chat.completion",
            "created": 1,
            "model": "gpt",
            "choices": [
                {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}
            ],
        },
    )
