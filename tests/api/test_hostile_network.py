"""Attacks from a hostile server on 127.0.0.1, against the sync and the async client.

Each test starts the server it needs (``tests/api/hostile.py``), runs one call, and
asserts the outcome: which error, how many requests reached which server, how long the
call took, how much memory it used. Loops and times are bounded on both sides.
"""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import httpx
import pytest

from qriskit.api import (
    APITimeoutError,
    AsyncBayarGG,
    BayarGG,
    InvalidResponseError,
    RateLimitError,
    RedirectError,
    RetryPolicy,
    ServerError,
)

from .hostile import Conn, HostileServer, Seen, chunked, deflate_bomb, gzip_bomb, response, zeros
from .support import API_KEY

KINDS = ["sync", "async"]
#: Memory a call may take while refusing a huge body, with the default 4 MiB cap.
MEMORY_BOUND = 32 * 1024 * 1024
OK_PAYMENT = json.dumps({"success": True, "invoice_id": "PAY-1", "status": "paid", "final_amount": 10123}).encode()


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[Conn, Seen], None]], HostileServer]]:
    servers: list[HostileServer] = []

    def start(handler: Callable[[Conn, Seen], None]) -> HostileServer:
        server = HostileServer(handler)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def call(kind: str, base_url: str, method: str, *args: Any, user_client: dict[str, Any] | None = None,
         **options: Any) -> Any:
    """``method(*args)`` on a fresh client of ``kind``; ``user_client`` makes the httpx
    client ours to configure (e.g. ``follow_redirects=True``)."""
    options.setdefault("max_retries", 0)
    if kind == "sync":
        http = httpx.Client(**user_client) if user_client is not None else None
        try:
            with BayarGG(API_KEY, base_url=base_url, http_client=http, **options) as api:
                return getattr(api, method)(*args)
        finally:
            if http is not None:
                http.close()

    async def main() -> Any:
        ahttp = httpx.AsyncClient(**user_client) if user_client is not None else None
        try:
            async with AsyncBayarGG(API_KEY, base_url=base_url, http_client=ahttp, **options) as api:
                return await getattr(api, method)(*args)
        finally:
            if ahttp is not None:
                await ahttp.aclose()

    return anyio.run(main)


# ----------------------------------------------------------------------------- redirects


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_redirect_is_never_followed_even_by_a_following_client(serve, kind: str, status: int) -> None:  # type: ignore[no-untyped-def]
    elsewhere = serve(lambda conn, seen: conn.send(response(200, OK_PAYMENT)))
    target = elsewhere.url("/steal")
    hostile = serve(lambda conn, seen: conn.send(response(status, headers={"Location": target})))
    for method, args in (("create_payment", (10_000,)), ("check_payment", ("PAY-1",))):
        with pytest.raises(RedirectError) as info:
            call(kind, hostile.url(), method, *args, user_client={"follow_redirects": True}, max_retries=3)
        assert info.value.status_code == status
        assert info.value.location == target
        assert target in str(info.value)  # the error names where it was sent
    assert len(hostile.requests) == 2  # one per call: not retried either
    assert elsewhere.requests == []  # the key never left its origin


@pytest.mark.parametrize("kind", KINDS)
def test_relative_redirect_is_named_absolute(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    hostile = serve(lambda conn, seen: conn.send(response(302, headers={"Location": "/elsewhere?x=1"})))
    with pytest.raises(RedirectError) as info:
        call(kind, hostile.url(), "check_payment", "PAY-1")
    assert info.value.location == hostile.url("/elsewhere?x=1")
    assert len(hostile.requests) == 1


# ----------------------------------------------------------------------------- body size


def _measure(kind: str, base_url: str, **options: Any) -> tuple[BaseException, int, float]:
    """The error of a check_payment call, the peak traced memory and the seconds it took."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        call(kind, base_url, "check_payment", "PAY-1", **options)
    except Exception as exc:
        error: BaseException = exc
    else:  # pragma: no cover - the assertion below reports it
        error = AssertionError("the call succeeded")
    finally:
        elapsed = time.monotonic() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return error, peak, elapsed


@pytest.mark.parametrize("kind", KINDS)
def test_declared_500_mb_body_is_refused_before_reading(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    def handler(conn: Conn, seen: Seen) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500000000\r\n\r\n")
        conn.stream(zeros(500_000_000))

    server = serve(handler)
    error, peak, _ = _measure(kind, server.url())
    assert isinstance(error, InvalidResponseError), error
    assert "larger than 4,194,304 bytes" in str(error)
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize("kind", KINDS)
def test_endless_chunked_body_stops_at_the_cap(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    sent: list[int] = []

    def handler(conn: Conn, seen: Seen) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
        conn.stream(chunked(zeros(500_000_000)))
        sent.append(conn.sent)

    server = serve(handler)
    error, peak, _ = _measure(kind, server.url())
    assert isinstance(error, InvalidResponseError), error
    assert "max_response_bytes" in str(error)
    assert peak < MEMORY_BOUND
    server.close()  # wait for the handler: it stops because the client hung up
    assert sent and sent[0] < 100_000_000


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("coding", ["gzip", "deflate"])
def test_compression_bomb_is_cut_at_the_cap(serve, kind: str, coding: str) -> None:  # type: ignore[no-untyped-def]
    bomb = gzip_bomb() if coding == "gzip" else deflate_bomb()  # ~1 MB, 1 GiB decoded
    server = serve(lambda conn, seen: conn.send(response(200, bomb, headers={"Content-Encoding": coding})))
    error, peak, _ = _measure(kind, server.url())
    assert isinstance(error, InvalidResponseError), error
    assert "larger than 4,194,304 bytes" in str(error)
    assert peak < MEMORY_BOUND


@pytest.mark.parametrize("kind", KINDS)
def test_custom_cap_and_compressed_replies_within_it(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    import gzip

    body = json.dumps({"success": True, "invoice_id": "PAY-1", "description": "x" * 2000}).encode()
    packed = gzip.compress(body)
    server = serve(lambda conn, seen: conn.send(response(200, packed, headers={"Content-Encoding": "gzip"})))
    assert call(kind, server.url(), "check_payment", "PAY-1", max_response_bytes=len(body)).invoice_id == "PAY-1"
    with pytest.raises(InvalidResponseError, match="larger than"):
        call(kind, server.url(), "check_payment", "PAY-1", max_response_bytes=len(body) - 1)
    assert all(seen.headers["accept-encoding"] == "gzip, deflate" for seen in server.requests)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("coding", ["br", "zstd", "gzip, gzip", "compress"])
def test_unrequested_content_encoding_is_refused(serve, kind: str, coding: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: conn.send(response(200, b"\x00" * 64, headers={"Content-Encoding": coding})))
    with pytest.raises(InvalidResponseError, match="Content-Encoding"):
        call(kind, server.url(), "check_payment", "PAY-1")


@pytest.mark.parametrize("kind", KINDS)
def test_corrupt_gzip_is_an_invalid_response(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    corrupt = response(200, b"\x1f\x8bnot gzip", headers={"Content-Encoding": "gzip"})
    server = serve(lambda conn, seen: conn.send(corrupt))
    with pytest.raises(InvalidResponseError, match="not valid gzip"):
        call(kind, server.url(), "check_payment", "PAY-1")


# ----------------------------------------------------------------------------- JSON


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(
    ("body", "why"),
    [
        (b"[" * 200_000, "more than 100,000 objects"),  # the RecursionError
        (b"[" * 50_000, "nested deeper"),
        (b'{"a":' * 40 + b"1" + b"}" * 40, "nested deeper"),
        (b'{"success": true, "invoice_id": "PAY-1", "final_amount": ' + b"9" * 5000 + b"}", "more than 40 digits"),
        (b'{"success": true, "invoice_id": "PAY-1", "final_amount": 1e999999999}', "out of range"),
        (b'{"success": true, "invoice_id": "PAY-1", "final_amount": NaN}', "NaN"),
        (b"[" + b"{}," * 100_001 + b"{}]", "more than 100,000"),
        (b"\xff\xfe\x00garbage", "not valid JSON"),
    ],
)
def test_hostile_json_is_an_invalid_response(serve, kind: str, body: bytes, why: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: conn.send(response(200, body)))
    with pytest.raises(InvalidResponseError, match=why):
        call(kind, server.url(), "check_payment", "PAY-1")


@pytest.mark.parametrize("kind", KINDS)
def test_deep_error_body_keeps_the_status_error(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: conn.send(response(500, b"[" * 100_000)))
    with pytest.raises(ServerError) as info:
        call(kind, server.url(), "check_payment", "PAY-1")
    assert info.value.status_code == 500
    assert isinstance(info.value.body, str) and len(info.value.body) <= 2000


# ----------------------------------------------------------------------------- deadline


def _timed(kind: str, base_url: str, method: str = "check_payment", *args: Any, **options: Any) -> tuple[
        BaseException, float]:
    started = time.monotonic()
    try:
        call(kind, base_url, method, *(args or ("PAY-1",)), **options)
    except Exception as exc:
        return exc, time.monotonic() - started
    raise AssertionError("the call succeeded")


DEADLINE = 1.5


@pytest.mark.parametrize("kind", KINDS)
def test_trickled_status_line_keeps_the_deadline(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: conn.trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000, every=0.1))
    error, elapsed = _timed(kind, server.url(), timeout=1.0, deadline=DEADLINE)
    assert isinstance(error, APITimeoutError), error
    assert "1.5 s deadline" in str(error) and error.maybe_processed
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_trickled_body_keeps_the_deadline(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    def handler(conn: Conn, seen: Seen) -> None:
        conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
        conn.trickle(b" " * 100_000, every=0.1)

    server = serve(handler)
    error, elapsed = _timed(kind, server.url(), timeout=1.0, deadline=DEADLINE)
    assert isinstance(error, APITimeoutError), error
    assert DEADLINE - 0.05 <= elapsed < DEADLINE + 1.0


@pytest.mark.parametrize("kind", KINDS)
def test_deadline_holds_on_a_kept_alive_client(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    """The first reply is quick and keep-alive; the second trickles its status line."""

    def handler(conn: Conn, seen: Seen) -> None:
        if len(server.requests) == 1:
            conn.send(response(200, OK_PAYMENT, headers={"Connection": "keep-alive"}))
        else:
            conn.trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 10_000, every=0.1)

    server = serve(handler)

    def twice() -> tuple[BaseException | None, float]:
        if kind == "sync":
            with httpx.Client() as http, BayarGG(API_KEY, base_url=server.url(), http_client=http,
                                                 deadline=DEADLINE, max_retries=0) as api:
                assert api.check_payment("PAY-1").is_paid
                started = time.monotonic()
                try:
                    api.check_payment("PAY-1")
                except APITimeoutError as exc:
                    return exc, time.monotonic() - started
                return None, 0.0

        async def main() -> tuple[BaseException | None, float]:
            async with httpx.AsyncClient() as ahttp, AsyncBayarGG(API_KEY, base_url=server.url(), http_client=ahttp,
                                                                  deadline=DEADLINE, max_retries=0) as api:
                assert (await api.check_payment("PAY-1")).is_paid
                started = time.monotonic()
                try:
                    await api.check_payment("PAY-1")
                except APITimeoutError as exc:
                    return exc, time.monotonic() - started
                return None, 0.0

        return anyio.run(main)

    error, elapsed = twice()
    assert isinstance(error, APITimeoutError)
    assert elapsed < DEADLINE + 1.0
    assert len(server.requests) == 2
    # sync: each connection is shut after its reply, so the watchdog always holds the
    # socket of the call it guards; async: the cancel scope needs no socket (kept alive)
    assert server.connections == (2 if kind == "sync" else 1)


@pytest.mark.parametrize("kind", KINDS)
def test_deadline_covers_retries_and_waits(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: conn.send(response(429, b'{"error": "slow"}', headers={"Retry-After": "1"})))
    policy = RetryPolicy(max_retries=10, base_delay=0.2, jitter=False)
    error, elapsed = _timed(kind, server.url(), deadline=2.5, retry_policy=policy, max_retries=None)
    assert isinstance(error, RateLimitError), error  # the last real error, not a made-up one
    assert elapsed < 2.5 + 1.0
    assert 2 <= len(server.requests) <= 3  # waits of 1 s each: no wait past the deadline


@pytest.mark.parametrize("kind", KINDS)
def test_read_timeout_still_applies_per_step(serve, kind: str) -> None:  # type: ignore[no-untyped-def]
    server = serve(lambda conn, seen: time.sleep(1.5))
    error, elapsed = _timed(kind, server.url(), timeout=0.3, deadline=10)
    assert isinstance(error, APITimeoutError) and "ReadTimeout" in str(error)
    assert elapsed < 1.5
