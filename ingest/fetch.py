"""Fetching a URL to ingest: one total deadline, redirects followed by hand (at most five), and,
when only public addresses are allowed (the HTTP API), every hop checked at the moment it connects.

The name is resolved once per connection, the addresses are checked, and the connection goes to
exactly the address that was checked (an httpcore network backend), while the URL keeps its name,
so the Host header, TLS SNI and the certificate check are all for the name. A redirect to a
private address, or a name that answers a public address to one lookup and a private one to the
next (DNS rebinding), never reaches it.
"""

from __future__ import annotations

import ipaddress
import socket
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager

import httpcore
import httpx

from tutor.errors import IngestError

MAX_REDIRECTS = 5
REDIRECTS = frozenset({301, 302, 303, 307, 308})
NAT64 = ipaddress.ip_network("64:ff9b::/96")
USER_AGENT = "tutor-ingest/0.1"
# Only encodings _read_body can decode a bounded piece at a time (not br or zstd).
HEADERS = {"User-Agent": USER_AGENT, "Accept-Encoding": "gzip"}

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


RESERVED_V6 = ipaddress.IPv6Network("::/8")


def is_public(address: Address) -> bool:
    """True for a globally routable unicast address, looking through the IPv6 forms that embed an
    IPv4 address (mapped, 6to4, NAT64) so ::ffff:127.0.0.1 is as private as 127.0.0.1."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return is_public(address.ipv4_mapped)
        if address.sixtofour is not None:
            return is_public(address.sixtofour)
        if address in NAT64:
            return is_public(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
        if address in RESERVED_V6:  # ::127.0.0.1, the deprecated IPv4-compatible form, and all of ::/8
            return False
    return address.is_global and not address.is_multicast


def not_public(host: str) -> str:
    return f"{host} is not a public address (set TUTOR_ALLOW_PRIVATE_URLS to allow)"


def resolve(host: str, port: int | None, *, public_only: bool) -> list[str]:
    """The addresses to connect to for `host`, in the resolver's order; with `public_only`, all of
    them must be public or IngestError says the host is not."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise IngestError(f"{host} could not be resolved") from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise IngestError(f"{host} could not be resolved")
    if public_only and not all(is_public(ipaddress.ip_address(a)) for a in addresses):
        raise IngestError(not_public(host))
    return addresses


class Deadline:
    """One deadline for a whole fetch: every connect, TLS handshake, write and read gets at most
    the time left, so a server trickling bytes cannot stretch a fetch past it."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        remaining = self.at - time.monotonic()
        if remaining <= 0:
            raise error(f"deadline of {self.seconds:g} s reached")
        return remaining if timeout is None else min(timeout, remaining)


class DeadlineStream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream, deadline: Deadline):
        self.stream, self.deadline = stream, deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.stream.read(max_bytes, self.deadline.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.stream.write(buffer, self.deadline.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        left = self.deadline.left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.stream.start_tls(ssl_context, server_hostname, left), self.deadline)

    def get_extra_info(self, info: str):
        return self.stream.get_extra_info(info)


class CheckedBackend(httpcore.NetworkBackend):
    """Connects to an address it has just resolved and checked, never to a name."""

    def __init__(self, deadline: Deadline, *, public_only: bool):
        self.deadline, self.public_only = deadline, public_only
        self.backend = httpcore.SyncBackend()

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        error: Exception | None = None
        for address in resolve(host, port, public_only=self.public_only):
            try:
                left = self.deadline.left(timeout, httpcore.ConnectTimeout)
                stream = self.backend.connect_tcp(address, port, left, local_address, socket_options)
            except httpcore.ConnectError as exc:  # try the next address, as create_connection would
                error = exc
                continue
            return DeadlineStream(stream, self.deadline)
        assert error is not None
        raise error

    def connect_unix_socket(self, path, timeout=None, socket_options=None):
        raise httpcore.ConnectError("unix sockets are not fetched")

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@contextmanager
def httpx_errors(request: httpx.Request) -> Iterator[None]:
    """httpcore's errors as httpx's, as httpx's own transport maps them."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise httpx.TimeoutException(str(exc), request=request) from exc
    except httpcore.ConnectError as exc:
        raise httpx.ConnectError(str(exc), request=request) from exc
    except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise httpx.TransportError(str(exc), request=request) from exc


class CheckedStream(httpx.SyncByteStream):
    def __init__(self, stream, request: httpx.Request):
        self.stream, self.request = stream, request

    def __iter__(self) -> Iterator[bytes]:
        with httpx_errors(self.request):
            yield from self.stream

    def close(self) -> None:
        if hasattr(self.stream, "close"):
            self.stream.close()


class CheckedTransport(httpx.BaseTransport):
    """An httpx transport over an httpcore pool that connects through CheckedBackend."""

    def __init__(self, backend: CheckedBackend):
        self.pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=request.url.raw_scheme,
                host=request.url.raw_host,
                port=request.url.port,
                target=request.url.raw_path,
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with httpx_errors(request):
            response = self.pool.handle_request(core)
        return httpx.Response(
            status_code=response.status,
            headers=response.headers,
            stream=CheckedStream(response.stream, request),
            extensions=response.extensions,
        )

    def close(self) -> None:
        self.pool.close()


def fetch_url(url: str, *, timeout: float, max_bytes: int, public_only: bool = False) -> tuple[bytes, str]:
    """GET a URL within `timeout` seconds in all and `max_bytes`; returns (body, content type).

    With `public_only`, every hop must resolve to public addresses only, checked as it connects;
    proxies from the environment are then not used either (a proxy would resolve names itself)."""
    deadline = Deadline(timeout)
    transport = CheckedTransport(CheckedBackend(deadline, public_only=public_only))
    try:
        with httpx.Client(transport=transport, timeout=timeout, trust_env=not public_only) as client:
            current = httpx.URL(url)
            for _ in range(MAX_REDIRECTS + 1):
                if current.scheme not in ("http", "https"):
                    raise IngestError(f"redirected to a {current.scheme}: URL; only http(s) is fetched")
                with client.stream("GET", current, headers=HEADERS) as response:
                    location = response.headers.get("location")
                    if response.status_code in REDIRECTS and location:
                        current = current.join(location)
                        continue
                    return _read_body(response, max_bytes, deadline)
            raise IngestError(f"more than {MAX_REDIRECTS} redirects")
    except httpx.TimeoutException:
        raise IngestError(f"timed out after {timeout:g} s") from None
    except httpx.HTTPError as exc:
        raise IngestError(f"could not fetch: {exc}") from None
    except httpx.InvalidURL as exc:
        raise IngestError(f"invalid URL: {exc}") from None


def _decoder(response: httpx.Response):
    """A zlib decompressor for the body's Content-Encoding, None for identity. Only what we ask for
    (gzip) and deflate are accepted: they can be decoded a bounded piece at a time."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return None
    if encoding in ("gzip", "x-gzip", "deflate"):
        return zlib.decompressobj(zlib.MAX_WBITS | 32)  # a gzip or zlib header, told apart by zlib
    raise IngestError(f"unsupported content encoding {encoding[:40]!r} (only gzip is accepted)")


def _read_body(response: httpx.Response, max_bytes: int, deadline: Deadline) -> tuple[bytes, str]:
    """The body, decoded as it arrives and never past `max_bytes`, compressed or decoded: httpx's
    own decoding inflates each piece whole before anyone can count it (a 32 KB zstd response
    became 2.4 GB), so the raw bytes are read and inflated here at most up to the limit."""
    if response.status_code >= 400:
        raise IngestError(f"HTTP {response.status_code} {response.reason_phrase}".rstrip())
    too_large = f"larger than the {max_bytes:,}-byte limit"
    declared = response.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise IngestError(too_large)
    decoder = _decoder(response)
    body = bytearray()
    received = 0
    try:
        for part in response.iter_raw():
            received += len(part)
            if received > max_bytes:
                raise IngestError(too_large)
            if decoder is None:
                body.extend(part)
            while decoder is not None and part:
                body.extend(decoder.decompress(part, max_bytes + 1 - len(body)))  # at most this much
                part = decoder.unconsumed_tail
                if len(body) > max_bytes:
                    raise IngestError(too_large)
            if len(body) > max_bytes:
                raise IngestError(too_large)
            deadline.left(None, httpx.ReadTimeout)  # also when a proxy, not our backend, carries it
        if decoder is not None:
            body.extend(decoder.flush(max_bytes + 1 - len(body)))
    except zlib.error:
        raise IngestError("the compressed body could not be decoded") from None
    if len(body) > max_bytes:
        raise IngestError(too_large)
    return bytes(body), response.headers.get("content-type", "")
