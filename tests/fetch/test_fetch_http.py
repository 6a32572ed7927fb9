"""The fetcher over real loopback HTTP: redirects (each one checked again), the byte cap,
the one deadline, no proxy from the environment, TLS by host name, and the real resolver
and connector when an allow entry lets loopback through."""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
import time
from collections.abc import Iterator

import pytest
import trustme

from qriskit.errors import FetchError, FetchRefused
from qriskit.fetch import Allow, fetch

from .conftest import Connector, Origin, Resolver, body, chunked, redirect, send

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


# --------------------------------------------------------------------------- redirects


def test_redirects_are_followed_up_to_three(origin: Origin, resolver: Resolver, connector: Connector) -> None:
    origin.routes["/1"] = redirect("/2", 301)
    origin.routes["/2"] = redirect("http://public.test/3", 307)
    origin.routes["/3"] = redirect("/final?x=1", 308)
    origin.routes["/final"] = body(PNG)
    got = fetch("http://public.test/1", resolver=resolver, connector=connector)
    assert got.content == PNG and got.url == "http://public.test/final?x=1"
    assert [s["path"] for s in origin.seen] == ["/1", "/2", "/3", "/final?x=1"]
    assert len(resolver.calls) == 4  # every hop resolved and checked again


def test_a_fourth_redirect_is_refused(origin: Origin, resolver: Resolver, connector: Connector) -> None:
    for i in range(1, 5):
        origin.routes[f"/{i}"] = redirect(f"/{i + 1}")
    origin.routes["/5"] = body(PNG)
    with pytest.raises(FetchRefused) as info:
        fetch("http://public.test/1", resolver=resolver, connector=connector)
    assert info.value.code == "fetch.redirects"
    assert len(origin.seen) == 4
    assert fetch("http://public.test/2", resolver=resolver, connector=connector).content == PNG
    with pytest.raises(FetchRefused):
        fetch("http://public.test/4", resolver=resolver, connector=connector, max_redirects=0)


@pytest.mark.parametrize("location", [
    "http://127.0.0.1/admin",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]/",
    "http://internal.test/",
    "http://public.test:8080/",
    "file:///etc/passwd",
])
def test_a_redirect_is_checked_like_the_first_url(location: str, origin: Origin, connector: Connector) -> None:
    origin.routes["/go"] = redirect(location)
    resolver = Resolver({"public.test": ["93.184.216.34"], "internal.test": ["10.9.8.7"]})
    with pytest.raises(FetchRefused):
        fetch("http://public.test/go", resolver=resolver, connector=connector)
    assert connector.calls == [("93.184.216.34", 80)]  # only the first, public hop connected


def test_a_redirect_to_another_public_host_connects_there(origin: Origin, resolver: Resolver,
                                                          connector: Connector) -> None:
    origin.routes["/go"] = redirect("https://other.test/qr.png")
    with pytest.raises(FetchError) as info:  # the origin speaks plain HTTP: the TLS handshake fails
        fetch("http://public.test/go", resolver=resolver, connector=connector, timeout=5)
    assert info.value.code == "fetch.tls"
    assert connector.calls == [("93.184.216.34", 80), ("2606:4700::1111", 443)]


def test_a_redirect_without_location_and_error_statuses(origin: Origin, resolver: Resolver,
                                                        connector: Connector) -> None:
    origin.routes["/nowhere"] = lambda h: send(h, 302)
    origin.routes["/gone"] = lambda h: send(h, 410, b"gone")
    for path, word in (("/nowhere", "without a Location"), ("/gone", "HTTP 410"), ("/missing", "HTTP 404")):
        with pytest.raises(FetchError, match=word) as info:
            fetch(f"http://public.test{path}", resolver=resolver, connector=connector)
        assert info.value.code == "fetch.status"


def test_the_request_is_a_plain_get_without_compression(origin: Origin, resolver: Resolver,
                                                        connector: Connector) -> None:
    origin.routes["/qr.png"] = body(PNG)
    got = fetch("http://public.test/qr.png?size=2#frag", resolver=resolver, connector=connector)
    seen = origin.seen[-1]
    assert seen["path"] == "/qr.png?size=2"
    assert seen["accept-encoding"] == "identity"
    assert "cookie" not in seen and "authorization" not in seen
    assert got.content_type == "image/png" and got.address == "93.184.216.34"


# --------------------------------------------------------------------------- size and time


def test_the_byte_cap_with_and_without_content_length(origin: Origin, resolver: Resolver,
                                                      connector: Connector) -> None:
    origin.routes["/big"] = body(b"x" * 5000)
    origin.routes["/stream"] = chunked([b"y" * 1000] * 5)
    assert len(fetch("http://public.test/big", resolver=resolver, connector=connector, max_bytes=5000).content) == 5000
    for path in ("/big", "/stream"):
        with pytest.raises(FetchError) as info:
            fetch(f"http://public.test{path}", resolver=resolver, connector=connector, max_bytes=4999)
        assert info.value.code == "fetch.too_large"


def test_a_lying_content_length_is_refused_before_reading(origin: Origin, resolver: Resolver,
                                                          connector: Connector) -> None:
    origin.routes["/liar"] = lambda h: send(h, 200, b"tiny", {"Content-Length": "999999999"})
    with pytest.raises(FetchError, match="999999999 bytes announced"):
        fetch("http://public.test/liar", resolver=resolver, connector=connector, max_bytes=1000, timeout=3)


def test_a_dripping_server_hits_the_one_deadline(origin: Origin, resolver: Resolver, connector: Connector) -> None:
    origin.routes["/drip"] = chunked([b"z"] * 100, pause=0.1)  # 10 s in all, each read well under the deadline
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch("http://public.test/drip", resolver=resolver, connector=connector, timeout=0.8)
    assert info.value.code == "fetch.timeout"
    assert time.monotonic() - started < 3


def test_a_silent_server_hits_the_deadline(resolver: Resolver) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)  # accepts the connection, never answers
    try:
        started = time.monotonic()
        with pytest.raises(FetchError) as info:
            fetch("http://public.test/", resolver=resolver, connector=Connector(listener.getsockname()[1]),
                  timeout=0.5)
        assert info.value.code == "fetch.timeout"
        assert time.monotonic() - started < 3
    finally:
        listener.close()


def test_a_hanging_name_lookup_hits_the_deadline(connector: Connector) -> None:
    slow = Resolver({"slow.test": ["93.184.216.34"]}, delay=5)
    started = time.monotonic()
    with pytest.raises(FetchError) as info:
        fetch("http://slow.test/", resolver=slow, connector=connector, timeout=0.3)
    assert info.value.code == "fetch.timeout"
    assert time.monotonic() - started < 2
    assert connector.calls == []


def test_a_refused_connection(resolver: Resolver) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    with pytest.raises(FetchError) as info:
        fetch("http://public.test/", resolver=resolver, connector=Connector(port), timeout=3)
    assert info.value.code == "fetch.connect" and not isinstance(info.value, FetchRefused)


def test_garbage_instead_of_http(resolver: Resolver) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)

    def serve() -> None:
        conn, _ = listener.accept()
        conn.recv(1000)
        conn.sendall(b"SSH-2.0-OpenSSH_9.2\r\n")
        conn.close()

    threading.Thread(target=serve, daemon=True).start()
    try:
        with pytest.raises(FetchError) as info:
            fetch("http://public.test/", resolver=resolver, connector=Connector(listener.getsockname()[1]), timeout=3)
        assert info.value.code == "fetch.protocol"
    finally:
        listener.close()


# --------------------------------------------------------------------------- environment


def test_no_proxy_is_taken_from_the_environment(origin: Origin, resolver: Resolver, connector: Connector,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    proxy_hits: list[str] = []

    class Proxy(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            proxy_hits.append(self.path)
            send(self, 200, b"from the proxy")

        def log_message(self, *args: object) -> None:
            pass

    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Proxy)
    threading.Thread(target=proxy.serve_forever, daemon=True).start()
    try:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{proxy.server_address[1]}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        origin.routes["/qr.png"] = body(PNG)
        assert fetch("http://public.test/qr.png", resolver=resolver, connector=connector).content == PNG
        assert proxy_hits == []
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_the_real_resolver_and_connector_with_an_allow_entry(origin: Origin) -> None:
    origin.routes["/qr.png"] = body(PNG)
    with pytest.raises(FetchRefused):  # loopback, and not port 80/443
        fetch(origin.url("/qr.png"))
    with pytest.raises(FetchRefused) as info:  # resolved by the system: still loopback
        fetch(f"http://localhost:{origin.port}/qr.png", allow=[f"10.0.0.0/8:{origin.port}"])
    assert info.value.code == "fetch.address"
    got = fetch(f"http://localhost:{origin.port}/qr.png", allow=[f"127.0.0.0/8:{origin.port}", "[::1/128]:1"])
    assert got.content == PNG and got.address == "127.0.0.1"
    got = fetch(origin.url("/qr.png"), allow=[Allow.parse(f"127.0.0.1:{origin.port}")])
    assert got.content == PNG


# --------------------------------------------------------------------------- TLS


@pytest.fixture
def tls_origin() -> Iterator[tuple[int, ssl.SSLContext]]:
    """An HTTPS server on 127.0.0.1 with a certificate for 'public.test', and a client
    context that trusts its CA."""
    ca = trustme.CA()
    cert = ca.issue_cert("public.test")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            send(self, 200, PNG, {"Content-Type": "image/png"})

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    cert.configure_cert(server_ctx)
    server.socket = server_ctx.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    client_ctx = ssl.create_default_context()
    ca.configure_trust(client_ctx)
    yield int(server.server_address[1]), client_ctx
    server.shutdown()
    server.server_close()


def test_tls_verifies_the_host_name_while_connecting_to_the_checked_address(
        tls_origin: tuple[int, ssl.SSLContext]) -> None:
    port, context = tls_origin
    resolver = Resolver({"public.test": ["93.184.216.34"], "other.test": ["93.184.216.35"]})
    connector = Connector(port)
    got = fetch("https://public.test/qr.png", resolver=resolver, connector=connector, ssl_context=context)
    assert got.content == PNG and connector.calls == [("93.184.216.34", 443)]
    with pytest.raises(FetchError) as info:  # the certificate is not for other.test
        fetch("https://other.test/qr.png", resolver=resolver, connector=connector, ssl_context=context)
    assert info.value.code == "fetch.tls"
    with pytest.raises(FetchError) as info:  # and not trusted by the default context
        fetch("https://public.test/qr.png", resolver=resolver, connector=connector)
    assert info.value.code == "fetch.tls"
