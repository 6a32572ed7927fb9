"""One HTTP exchange under the client's rules, sync and async.

Whatever ``httpx`` client sends it, every exchange here:

* never follows a redirect (``follow_redirects=False`` on the request itself): a 3xx
  comes back as a :class:`Reply` with an empty body, for the caller to refuse;
* streams the body through :class:`~._body.BodyReader` (decoded size capped);
* keeps the call's :class:`Deadline`: each network step gets at most the time left;
  the async side runs the exchange in an anyio cancel scope; the sync side arms a
  :class:`Watchdog` that shuts the connection's socket down when time is up, so a
  server trickling one byte at a time cannot hold a call past its deadline;
* maps httpx's exceptions onto :class:`~.errors.APIConnectionError` and
  :class:`~.errors.APITimeoutError`, with no reference to the request (which carries
  the API key) left on them.

The sync client never reuses a connection: a kept-alive connection would reach the next
call without passing through the watchdog, so each HTTP/1.1 connection is shut down
when its response is closed.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Mapping
from typing import Any, NamedTuple

import httpx

from ._body import ACCEPT_ENCODING, BodyReader
from .errors import APIConnectionError, APITimeoutError

__all__ = ["ACCEPT_ENCODING", "Deadline", "Exchange", "Reply", "Watchdog", "send", "send_async"]

# Failures where the request cannot have reached the server.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol)
_CONNECTED = ("connection.connect_tcp.complete", "connection.connect_unix_socket.complete")


class Deadline:
    """The end of a call, ``seconds`` from now (monotonic clock)."""

    __slots__ = ("end", "seconds")

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return max(0.0, self.end - time.monotonic())

    @property
    def expired(self) -> bool:
        return time.monotonic() >= self.end

    def timeout(self, base: httpx.Timeout) -> httpx.Timeout:
        """``base`` with no step longer than the time left."""
        left = self.remaining()

        def cap(value: float | None) -> float:
            return left if value is None else min(value, left)

        return httpx.Timeout(connect=cap(base.connect), read=cap(base.read), write=cap(base.write), pool=cap(base.pool))


class Exchange(NamedTuple):
    """What to send: ``what`` ("GET /check-payment.php") names it in error messages."""

    method: str
    url: httpx.URL
    params: tuple[tuple[str, str], ...]
    content: bytes | None
    headers: Mapping[str, str]
    what: str


class Reply(NamedTuple):
    """A reply, fully read: status, headers, decoded body (empty for a redirect)."""

    status_code: int
    headers: httpx.Headers
    body: bytes


def _detached(exc: httpx.HTTPError) -> str:
    """The text of an httpx error, without keeping the error (its request holds the key)."""
    return str(exc) or type(exc).__name__


def _connection_error(ex: Exchange, exc: httpx.HTTPError, sent: bool) -> APIConnectionError:
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return cls(
        f"{ex.what} failed: {type(exc).__name__}: {_detached(exc)}",
        method=ex.method,
        url=str(ex.url),
        maybe_processed=sent and not isinstance(exc, _NOT_SENT),
    )


def _deadline_error(ex: Exchange, deadline: Deadline, sent: bool) -> APITimeoutError:
    return APITimeoutError(
        f"{ex.what} did not complete within the {deadline.seconds:g} s deadline",
        method=ex.method,
        url=str(ex.url),
        maybe_processed=sent,
    )


def _request(client: httpx.Client | httpx.AsyncClient, ex: Exchange, deadline: Deadline, timeout: httpx.Timeout,
             trace: Any) -> httpx.Request:
    return client.build_request(
        ex.method,
        ex.url,
        params=list(ex.params) or None,
        content=ex.content,
        headers={**ex.headers, "Accept-Encoding": ACCEPT_ENCODING},
        timeout=deadline.timeout(timeout),
        extensions={"trace": trace},
    )


def _is_redirect(response: httpx.Response) -> bool:
    return 300 <= response.status_code < 400


class Watchdog:
    """Shuts a sync exchange's socket down when the deadline passes.

    httpcore reports each new connection through the request's ``trace`` extension; the
    watchdog keeps a duplicate of its socket (so it stays valid whoever closes theirs)
    and a timer. ``sent`` turns True once request headers start going out.
    """

    def __init__(self, deadline: Deadline) -> None:
        self._lock = threading.Lock()
        self._socket: socket.socket | None = None
        self._closed = False
        self.fired = False
        self.sent = False
        self._timer = threading.Timer(deadline.remaining(), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's trace callback."""
        if event in _CONNECTED:
            self.adopt(info.get("return_value"))
        elif event.endswith("send_request_headers.started"):
            self.sent = True
        elif event == "http11.response_closed.started":
            self._shutdown()  # never reused: the next call opens (and watches) its own

    @property
    def watching(self) -> bool:
        """True once the watchdog holds the exchange's socket."""
        return self._socket is not None

    def adopt(self, stream: Any) -> None:
        """Watch the socket of ``stream`` (an httpcore network stream), if it has one."""
        sock = stream.get_extra_info("socket") if stream is not None else None
        if not isinstance(sock, socket.socket):
            return
        try:
            dup = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:  # pragma: no cover - a socket closed under us
            return
        with self._lock:
            keep = not self._closed
            old, fired = (self._socket, self.fired) if keep else (None, False)
            if keep:
                self._socket = dup
        if not keep:
            dup.close()
        if old is not None:
            old.close()
        if fired:
            self._shutdown()

    def _shutdown(self) -> None:
        with self._lock:
            if self._socket is not None:
                try:
                    self._socket.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def _fire(self) -> None:
        with self._lock:
            if self._closed:
                return
            self.fired = True
        self._shutdown()

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._timer.cancel()
            sock, self._socket = self._socket, None
        if sock is not None:
            sock.close()


def send(client: httpx.Client, ex: Exchange, deadline: Deadline, timeout: httpx.Timeout, limit: int) -> Reply:
    """One blocking exchange (see the module docstring)."""
    dog = Watchdog(deadline)
    failure: httpx.HTTPError | None = None
    try:
        request = _request(client, ex, deadline, timeout, dog.trace)
        response = client.send(request, stream=True, follow_redirects=False)
        try:
            if not dog.watching:  # a connection opened before this call: watch it from here on
                dog.adopt(response.extensions.get("network_stream"))
            if _is_redirect(response):
                return Reply(response.status_code, response.headers, b"")
            reader = BodyReader(limit, response.headers, ex.what)
            for chunk in response.iter_raw():
                reader.feed(chunk)
                if deadline.expired:
                    break
            else:
                return Reply(response.status_code, response.headers, reader.finish())
        finally:
            response.close()
    except httpx.HTTPError as exc:
        failure = exc
    finally:
        dog.close()
    if dog.fired or deadline.expired:
        raise _deadline_error(ex, deadline, dog.sent)
    assert failure is not None
    raise _connection_error(ex, failure, dog.sent)


class _Progress:
    """The async side's trace callback: only notes when the request starts going out."""

    def __init__(self) -> None:
        self.sent = False

    async def trace(self, event: str, info: Mapping[str, Any]) -> None:
        if event.endswith("send_request_headers.started"):
            self.sent = True


async def send_async(
    client: httpx.AsyncClient, ex: Exchange, deadline: Deadline, timeout: httpx.Timeout, limit: int
) -> Reply:
    """One exchange under asyncio or trio (see the module docstring)."""
    import anyio  # httpx's own dependency; imported here to keep ``import qriskit.api`` light

    progress = _Progress()
    failure: httpx.HTTPError | None = None
    try:
        with anyio.fail_after(deadline.remaining()):
            request = _request(client, ex, deadline, timeout, progress.trace)
            response = await client.send(request, stream=True, follow_redirects=False)
            try:
                if _is_redirect(response):
                    return Reply(response.status_code, response.headers, b"")
                reader = BodyReader(limit, response.headers, ex.what)
                async for chunk in response.aiter_raw():
                    reader.feed(chunk)
                return Reply(response.status_code, response.headers, reader.finish())
            finally:
                await response.aclose()
    except TimeoutError:
        pass
    except httpx.HTTPError as exc:
        failure = exc
    if failure is None or deadline.expired:
        raise _deadline_error(ex, deadline, progress.sent)
    raise _connection_error(ex, failure, progress.sent)
