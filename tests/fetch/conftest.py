"""Loopback servers, a scripted resolver and a connector that lands every "public" address
on a loopback server, so the fetcher's rules are tested without any outside traffic.

A guard refuses any real name lookup or connection that is not loopback.
"""

from __future__ import annotations

import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

_LOOPBACK_NAMES = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_lookup, real_connect = socket.getaddrinfo, socket.create_connection

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK_NAMES:
            raise OSError(f"test tried to resolve {name!r}: only loopback is allowed")
        return real_lookup(host, *args, **kwargs)

    def connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        if address[0] not in _LOOPBACK_NAMES:
            raise OSError(f"test tried to connect to {address[0]!r}: only loopback is allowed")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)


Route = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Origin:
    """A threaded HTTP server on 127.0.0.1 with per-path handlers; it records each request."""

    server: http.server.ThreadingHTTPServer
    routes: dict[str, Route] = field(default_factory=dict)
    seen: list[dict[str, str]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _handler(origin_box: list[Origin]) -> type[http.server.BaseHTTPRequestHandler]:
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            origin = origin_box[0]
            origin.seen.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            route = origin.routes.get(self.path.split("?")[0])
            if route is None:
                send(self, 404, b"not here")
                return
            route(self)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


def send(handler: http.server.BaseHTTPRequestHandler, status: int, body: bytes = b"",
         headers: dict[str, str] | None = None) -> None:
    handler.send_response(status)
    for key, value in (headers or {}).items():
        handler.send_header(key, value)
    if "Content-Length" not in (headers or {}):
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(to: str, status: int = 302) -> Route:
    return lambda h: send(h, status, b"", {"Location": to})


def body(data: bytes, content_type: str = "image/png") -> Route:
    return lambda h: send(h, 200, data, {"Content-Type": content_type})


def chunked(pieces: list[bytes], pause: float = 0.0) -> Route:
    """A chunked body (no Content-Length), optionally dripped with a pause between chunks."""

    def route(h: http.server.BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "image/png")
        h.send_header("Transfer-Encoding", "chunked")
        h.end_headers()
        try:
            for piece in pieces:
                h.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                h.wfile.flush()
                time.sleep(pause)
            h.wfile.write(b"0\r\n\r\n")
        except OSError:
            pass  # the fetcher hung up, as it should

    return route


@pytest.fixture
def origin() -> Iterator[Origin]:
    box: list[Origin] = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(box))
    server.daemon_threads = True
    box.append(Origin(server))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield box[0]
    server.shutdown()
    server.server_close()


@dataclass
class Resolver:
    """Scripted DNS: ``answers[host]`` is a list of addresses, or a list of such lists
    given out in turn (a rebinding server). Records every lookup."""

    answers: dict[str, Any] = field(default_factory=dict)
    calls: list[tuple[str, int]] = field(default_factory=list)
    delay: float = 0.0

    def __call__(self, host: str, port: int) -> list[str]:
        self.calls.append((host, port))
        if self.delay:
            time.sleep(self.delay)
        answer = self.answers.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        if answer and isinstance(answer[0], list):
            turn = sum(1 for h, _ in self.calls if h == host) - 1
            return list(answer[min(turn, len(answer) - 1)])
        return list(answer)


@dataclass
class Connector:
    """Connects any address to the loopback origin (so "public" addresses can be served
    here) and records the (address, port) the fetcher asked for."""

    origin_port: int
    calls: list[tuple[str, int]] = field(default_factory=list)

    def __call__(self, address: str, port: int, timeout: float) -> socket.socket:
        self.calls.append((address, port))
        return socket.create_connection(("127.0.0.1", self.origin_port), timeout=timeout)


@pytest.fixture
def resolver() -> Resolver:
    return Resolver({"public.test": ["93.184.216.34"], "other.test": ["2606:4700::1111"]})


@pytest.fixture
def connector(origin: Origin) -> Connector:
    return Connector(origin.port)
