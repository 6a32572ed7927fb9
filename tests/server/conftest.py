"""Fixtures for the server tests: the app in-process (Starlette's TestClient), the app behind
a real uvicorn on 127.0.0.1, pictures of codes, and a guard that keeps every name lookup
and connection on loopback."""

from __future__ import annotations

import io
import socket
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import uvicorn
from PIL import Image

import qriskit

with warnings.catch_warnings():  # Starlette 1.x would rather use httpx2; httpx works the same here
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

from qriskit.server import Settings, create_app
from tests.codes import STATIC, make, tpl

#: A key that cannot occur in any payload or reply of these tests (the client scrubs the
#: key out of what it reads).
KEY = "test-Key~9z"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "testserver"}


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    real_lookup, real_connect = socket.getaddrinfo, socket.create_connection

    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK:
            raise OSError(f"test tried to resolve {name!r}: only loopback is allowed")
        return real_lookup(host, *args, **kwargs)

    def connect(address: Any, *args: Any, **kwargs: Any) -> Any:
        if address[0] not in _LOOPBACK:
            raise OSError(f"test tried to connect to {address[0]!r}: only loopback is allowed")
        return real_connect(address, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket, "create_connection", connect)


# --------------------------------------------------------------------------- codes and pictures

#: A code that is already dynamic (Rp 5.000).
DYNAMIC = qriskit.to_dynamic(STATIC, 5000)
#: A second merchant, for batches with several codes.
OTHER = make(("00", "01"), ("01", "11"),
             ("26", tpl(("00", "ID.DANA.WWW"), ("01", "936009153022591481"), ("02", "022591481"), ("03", "UMI"))),
             ("52", "5812"), ("53", "360"), ("58", "ID"), ("59", "Warung Bu Sri"), ("60", "Bandung"))


def picture(payload: str = STATIC, fmt: str = "PNG", *, scale: int = 6, size: int | None = None) -> bytes:
    """The code drawn, saved as PNG, JPEG, GIF, WEBP or BMP (optionally padded to size x size)."""
    image = qriskit.encode_image(payload, "pil", scale=scale).convert("L")
    if size is not None:
        canvas = Image.new("L", (size, size), 255)
        canvas.paste(image, ((size - image.width) // 2, (size - image.height) // 2))
        image = canvas
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def png() -> bytes:
    return picture()


# --------------------------------------------------------------------------- in-process


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    """``make_client(**settings)``: a TestClient on an app with those settings."""
    clients: list[TestClient] = []

    def build(**changes: Any) -> TestClient:
        client = TestClient(create_app(Settings(**changes)), raise_server_exceptions=False)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


# --------------------------------------------------------------------------- a real server


@dataclass
class Live:
    """An app served by uvicorn on 127.0.0.1 in a thread."""

    url: str
    server: uvicorn.Server
    thread: threading.Thread

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


def serve(settings: Settings) -> Live:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # asyncio then sets TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    return Live(f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread)


@pytest.fixture(scope="session")
def live() -> Iterator[Live]:
    """The default app behind uvicorn, for the whole session."""
    running = serve(Settings())
    yield running
    running.stop()


@pytest.fixture
def make_live() -> Iterator[Callable[..., Live]]:
    """``make_live(**settings)``: a server with those settings, stopped after the test."""
    started: list[Live] = []

    def build(**changes: Any) -> Live:
        running = serve(Settings(**changes))
        started.append(running)
        return running

    yield build
    for running in started:
        running.stop()
