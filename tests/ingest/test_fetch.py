"""Fetching URLs: every redirect hop checked, the checked address is the one connected to, one
deadline for the whole fetch, and TLS still verified against the name."""

from __future__ import annotations

import gzip
import shutil
import ssl
import subprocess
import threading
import time
import tracemalloc
import zlib
from http.server import ThreadingHTTPServer

import pytest

from ingest.fetch import fetch_url, is_public
from ingest.pipeline import ingest
from tests.sites import PUBLIC, Page, SiteHandler
from tutor.errors import IngestError

SECRET = b"internal admin page: the database password is hunter2\n"


def test_a_redirect_to_a_private_address_is_refused(public_site, site, fake_dns):
    fake_dns["docs.example"] = [PUBLIC]
    site.pages["/secret"] = Page(body=SECRET)
    public_site.pages["/page"] = Page(302, headers={"location": site.url("/secret")})
    with pytest.raises(IngestError, match=r"127\.0\.0\.1 is not a public address"):
        fetch_url(public_site.url("/page", "docs.example"), timeout=5, max_bytes=10_000, public_only=True)
    assert site.hits == []


def test_a_redirect_to_a_name_that_resolves_privately_is_refused(public_site, site, fake_dns):
    fake_dns["docs.example"] = [PUBLIC]
    fake_dns["intranet.example"] = ["127.0.0.1"]
    site.pages["/secret"] = Page(body=SECRET)
    public_site.pages["/page"] = Page(302, headers={"location": site.url("/secret", "intranet.example")})
    with pytest.raises(IngestError, match=r"intranet\.example is not a public address"):
        fetch_url(public_site.url("/page", "docs.example"), timeout=5, max_bytes=10_000, public_only=True)
    assert site.hits == []


def test_the_address_checked_is_the_address_connected_to(site, fake_dns):
    """DNS rebinding: the name answers a public address to the check, a private one after."""
    answers = iter([[PUBLIC]])
    fake_dns["rebind.example"] = lambda: next(answers, ["127.0.0.1"])
    site.pages["/secret"] = Page(body=SECRET)
    with pytest.raises(IngestError):
        fetch_url(site.url("/secret", "rebind.example"), timeout=5, max_bytes=10_000, public_only=True)
    assert site.hits == []


def test_redirects_between_public_pages_are_followed_and_relative_ones_resolved(public_site, fake_dns):
    fake_dns["docs.example"] = [PUBLIC]
    public_site.pages["/old"] = Page(301, headers={"location": "/new"})
    public_site.pages["/new"] = Page(
        body=b"# Moved\n\nThe page moved here.\n", headers={"content-type": "text/markdown"}
    )
    body, content_type = fetch_url(
        public_site.url("/old", "docs.example"), timeout=5, max_bytes=10_000, public_only=True
    )
    assert body.startswith(b"# Moved") and content_type == "text/markdown"
    assert public_site.hits == ["/old", "/new"]


def test_a_redirect_loop_stops_after_five_hops(site):
    for i in range(10):
        site.pages[f"/{i}"] = Page(302, headers={"location": f"/{i + 1}"})
    with pytest.raises(IngestError, match="more than 5 redirects"):
        fetch_url(site.url("/0"), timeout=5, max_bytes=10_000)
    assert len(site.hits) == 6


def test_a_redirect_to_another_scheme_is_refused(site):
    site.pages["/page"] = Page(302, headers={"location": "file:///etc/passwd"})
    with pytest.raises(IngestError, match="redirected to a file: URL"):
        fetch_url(site.url("/page"), timeout=5, max_bytes=10_000)


def test_the_command_line_may_still_fetch_its_own_loopback_pages(site):
    site.pages["/a"] = Page(302, headers={"location": "/b"})
    site.pages["/b"] = Page(body=b"Local notes served on loopback for this learner.\n")
    body, _ = fetch_url(site.url("/a"), timeout=5, max_bytes=10_000)
    assert body.startswith(b"Local notes")


def compressed(compressor, size: int) -> bytes:
    """`size` zero bytes through `compressor` (a gzip or zstd compressobj), a megabyte at a time."""
    block = bytes(1 << 20)
    return b"".join(compressor.compress(block) for _ in range(size >> 20)) + compressor.flush()


def peak_memory_of(work) -> int:
    """The most Python memory allocated while `work()` ran (decoded bodies are Python bytes)."""
    tracemalloc.start()
    try:
        work()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_gzip_bomb_is_cut_off_at_the_limit_without_inflating_it(site):
    """httpx inflated each 64 KB piece whole (about 64 MB) before the size check could count it."""
    bomb = compressed(zlib.compressobj(9, zlib.DEFLATED, 31), 256 << 20)
    site.pages["/bomb.txt"] = Page(
        body=bomb, headers={"content-type": "text/plain", "content-encoding": "gzip"}
    )

    def fetch():
        with pytest.raises(IngestError, match="larger than the 1,000,000-byte limit"):
            fetch_url(site.url("/bomb.txt"), timeout=10, max_bytes=1_000_000)

    assert len(bomb) < 300_000 and peak_memory_of(fetch) < 8_000_000


def test_a_zstd_bomb_is_refused_without_decoding_it(site):
    """A 32 KB zstd response became 2.4 GB in memory: only gzip is asked for and accepted."""
    zstandard = pytest.importorskip("zstandard")
    bomb = compressed(zstandard.ZstdCompressor().compressobj(), 512 << 20)
    site.pages["/bomb.txt"] = Page(
        body=bomb, headers={"content-type": "text/plain", "content-encoding": "zstd"}
    )

    def fetch():
        with pytest.raises(IngestError, match="unsupported content encoding 'zstd'"):
            fetch_url(site.url("/bomb.txt"), timeout=10, max_bytes=1_000_000)

    assert len(bomb) < 100_000 and peak_memory_of(fetch) < 8_000_000


def test_a_gzip_page_is_decoded_and_only_gzip_is_asked_for(site):
    text = b"# Notes\n\nGradient descent takes small steps downhill.\n" * 100
    site.pages["/notes.md"] = Page(
        body=gzip.compress(text), headers={"content-type": "text/markdown", "content-encoding": "gzip"}
    )
    assert fetch_url(site.url("/notes.md"), timeout=5, max_bytes=10_000) == (text, "text/markdown")
    with pytest.raises(IngestError, match="larger than the 1,000-byte limit"):
        fetch_url(site.url("/notes.md"), timeout=5, max_bytes=1_000)  # the decoded size counts
    assert site.headers[-1]["accept-encoding"] == "gzip"


def test_a_trickling_page_is_cut_off_at_the_total_deadline(site, store, settings):
    """A line every 0.3 s would keep a per-read timeout waiting for 9 s (and the ingest lock held)."""
    site.pages["/slow.txt"] = Page(body=b"A sentence about gradient descent arrives.\n" * 30, trickle=0.3)
    started = time.perf_counter()
    with pytest.raises(IngestError, match=r"timed out after 1\.5 s"):
        fetch_url(site.url("/slow.txt"), timeout=1.5, max_bytes=10_000)
    assert time.perf_counter() - started < 1.5 + 0.5
    slow = type(store)(settings.model_copy(update={"fetch_timeout": 1.5}), store.embedder)
    report = ingest([site.url("/slow.txt")], slow)  # the setting reaches the fetch
    assert [why for _, why in report.failed] == ["timed out after 1.5 s"]


def test_a_text_page_is_read_in_the_charset_its_server_declares(site, store):
    latin = "# Crème brûlée\n\nThe café serves crème brûlée on Sundays.\n".encode("latin-1")
    site.pages["/menu.md"] = Page(body=latin, headers={"content-type": "text/markdown; charset=iso-8859-1"})
    site.pages["/bad.txt"] = Page(body=b"caf\xe9", headers={"content-type": "text/plain; charset=utf-8"})
    report = ingest([site.url("/menu.md"), site.url("/bad.txt")], store)
    assert len(report.added) == 1 and "valid UTF-8" in report.failed[0][1]
    assert "crème brûlée on Sundays" in store.keyword_search("café Sundays", 1)[0][0].text


def test_a_page_whose_headers_never_finish_is_cut_off_at_the_deadline():
    with __import__("socket").socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def dribble():
            conn, _ = listener.accept()
            with conn:
                conn.recv(4096)
                for _ in range(40):
                    try:
                        conn.sendall(b"X-Slow: 1\r\n" if _ else b"HTTP/1.1 200 OK\r\n")
                    except OSError:
                        return
                    time.sleep(0.2)

        threading.Thread(target=dribble, daemon=True).start()
        started = time.perf_counter()
        with pytest.raises(IngestError, match="timed out after 1 s"):
            fetch_url(f"http://127.0.0.1:{port}/", timeout=1, max_bytes=10_000)
        assert time.perf_counter() - started < 2.5


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("::1", False),
        ("fe80::1", False),
        ("fd00::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::127.0.0.1", False),  # IPv4-compatible (deprecated): reached 127.0.0.1 on some stacks
        ("::8.8.8.8", False),  # ... the whole of ::/8 is reserved
        ("2606:4700::1111", True),
    ],
)
def test_every_form_of_a_private_address_is_refused(address, public):
    import ipaddress

    assert is_public(ipaddress.ip_address(address)) is public


@pytest.fixture
def tls_site(tmp_path, monkeypatch):
    """An HTTPS site on 127.0.0.2 whose certificate names docs.example, trusted via SSL_CERT_FILE."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=docs.example", "-addext", "subjectAltName=DNS:docs.example",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    server = ThreadingHTTPServer((PUBLIC, 0), SiteHandler)
    server.daemon_threads = True
    server.pages = {
        "/page.md": Page(body=b"# TLS\n\nServed over HTTPS.\n", headers={"content-type": "text/markdown"})
    }
    server.hits, server.headers = [], []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    yield server
    server.shutdown()
    server.server_close()


def test_tls_is_verified_against_the_name_while_the_checked_address_is_pinned(tls_site, fake_dns):
    port = tls_site.server_address[1]
    fake_dns["docs.example"] = [PUBLIC]
    fake_dns["other.example"] = [PUBLIC]
    body, _ = fetch_url(f"https://docs.example:{port}/page.md", timeout=5, max_bytes=10_000, public_only=True)
    assert body.startswith(b"# TLS")
    with pytest.raises(IngestError, match="could not fetch"):  # same address, a name the certificate lacks
        fetch_url(f"https://other.example:{port}/page.md", timeout=5, max_bytes=10_000, public_only=True)
