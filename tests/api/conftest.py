"""Fixtures for the BAYAR GG adapter tests.

Every test talks to a real HTTP server on 127.0.0.1 (pytest-httpserver); nothing mocks
httpx, and a guard refuses any name lookup that is not loopback, so no test can reach
the internet.
"""

from __future__ import annotations

import socket

import pytest

pytest.importorskip("httpx")
pytest.importorskip("pytest_httpserver")

from pytest_httpserver import HTTPServer

from qriskit.api import AsyncBayarGG, BayarGG

from .support import API_KEY, FAST_RETRIES, AsyncSleepRecorder, SleepRecorder

_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture(scope="session")
def make_httpserver():  # type: ignore[no-untyped-def]
    """pytest-httpserver's server, on 127.0.0.1 and threaded (slow handlers for timeouts)."""
    server = HTTPServer(host="127.0.0.1", port=0, threaded=True)
    server.start()
    yield server
    server.clear()
    if server.is_running():
        server.stop()


@pytest.fixture(autouse=True)
def _no_internet(monkeypatch: pytest.MonkeyPatch) -> None:
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOOPBACK:
            raise OSError(f"test tried to reach {name!r}: only loopback is allowed")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BAYARGG_API_KEY", raising=False)
    monkeypatch.delenv("BAYARGG_BASE_URL", raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def base_url(httpserver) -> str:  # type: ignore[no-untyped-def]
    return httpserver.url_for("/api")


@pytest.fixture
def sleeps() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def async_sleeps() -> AsyncSleepRecorder:
    return AsyncSleepRecorder()


@pytest.fixture
def client(base_url: str, sleeps: SleepRecorder):  # type: ignore[no-untyped-def]
    with BayarGG(API_KEY, base_url=base_url, retry_policy=FAST_RETRIES, timeout=5, sleep=sleeps) as api:
        yield api


@pytest.fixture
async def aclient(base_url: str, async_sleeps: AsyncSleepRecorder):  # type: ignore[no-untyped-def]
    async with AsyncBayarGG(
        API_KEY,
        base_url=base_url,
        retry_policy=FAST_RETRIES,
        timeout=5,
        sleep=async_sleeps,
    ) as api:
        yield api
