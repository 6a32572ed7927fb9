"""What every endpoint shares: settings, the worker pool, the key check, the deadline, replies.

:meth:`Service.endpoint` wraps a handler ``handler(request, deadline) -> Response`` so that
it checks the API key (when one is enforced), runs under the per-request deadline, and
turns every :class:`~qriskit.server._errors.Problem` and library error into the JSON
error reply.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..errors import QRISError
from ._deadline import Deadlines, current_task
from ._errors import Problem, from_error
from ._settings import Settings
from ._work import Workers

__all__ = ["Handler", "Reply", "Service", "library_call", "ok", "problem_reply", "url_quote"]

log = logging.getLogger("qriskit.server")
Handler = Callable[[Request, float], Awaitable[Response]]
_HOST = re.compile(r"[A-Za-z0-9.\-]+(:[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?")
_URL_UNSAFE = re.compile(r"[^A-Za-z0-9\-._~]")
_URL_ESCAPE = {chr(c): f"%{c:02X}" for c in range(128)}


def _escape(match: re.Match[str]) -> str:
    return _URL_ESCAPE[match.group()]


def url_quote(text: str) -> str:
    """``urllib.parse.quote(text, safe="")``, fast for ASCII (a payload has few characters to escape)."""
    return _URL_UNSAFE.sub(_escape, text) if text.isascii() else quote(text, safe="")


class Reply(JSONResponse):
    """A JSON reply rendered by one shared encoder (compact, UTF-8, no NaN)."""

    _encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))

    def render(self, content: Any) -> bytes:
        return self._encoder.encode(content).encode("utf-8")


def ok(content: dict[str, Any], status: int = 200) -> JSONResponse:
    return Reply(content, status_code=status)


def problem_reply(problem: Problem) -> JSONResponse:
    return Reply(problem.body(), status_code=problem.status, headers=problem.headers)


@contextmanager
def library_call() -> Iterator[None]:
    """Arguments the library refuses (a wrong type, a bad option) are the client's mistake: 400."""
    try:
        yield
    except QRISError:
        raise
    except (TypeError, ValueError) as exc:
        raise Problem(400, "input.field", str(exc)) from None


def _uncancel(task: asyncio.Task[Any]) -> None:
    """Take back the deadline's cancellation (Python 3.11+ counts them; 3.10 does not)."""
    uncancel = getattr(task, "uncancel", None)
    if uncancel is not None:
        uncancel()


class Service:
    """Settings, workers and the helpers every endpoint uses."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.workers = Workers(settings.image_workers)
        self._key = settings.api_key.encode("ascii") if settings.api_key else None
        self._public = settings.public_url.rstrip("/") if settings.public_url else None
        self._deadlines = Deadlines(settings.deadline)

    def check_key(self, request: Request) -> None:
        if self._key is None:
            return
        given = request.headers.get("x-api-key", "").encode("latin-1", "replace")
        if not hmac.compare_digest(given, self._key):
            raise Problem(401, "auth.key", "missing or wrong API key",
                          hint="send the server's key in the X-API-Key header")

    def endpoint(self, handler: Handler, *, auth: bool = True) -> Callable[[Request], Awaitable[Response]]:
        settings = self.settings
        deadlines = self._deadlines

        async def run(request: Request) -> Response:
            try:
                if auth:
                    self.check_key(request)
                task = current_task()
                if task is None:  # not asyncio: a cancel scope of its own
                    deadline = time.monotonic() + settings.deadline
                    with anyio.CancelScope(deadline=anyio.current_time() + settings.deadline):
                        return await handler(request, deadline)
                else:
                    key = object()
                    try:
                        return await handler(request, deadlines.start(key, task))
                    except asyncio.CancelledError:
                        if not deadlines.finish(key):
                            raise  # cancelled by something else (the server shutting down)
                        _uncancel(task)
                    finally:
                        if deadlines.finish(key):  # cancelled, but the handler returned or raised
                            _uncancel(task)
            except Problem as problem:
                return problem_reply(problem)
            except QRISError as exc:
                return problem_reply(from_error(exc))
            return problem_reply(Problem(  # only reached when the deadline cancelled the handler
                503, "limit.deadline", f"the request took longer than the limit of {settings.deadline:g} s",
                hint="send a smaller or sharper picture, or try again when the server is less busy",
                headers={"Retry-After": "1"},
            ))

        run.__name__ = getattr(handler, "__name__", "endpoint")
        return run

    def base_url(self, request: Request) -> str:
        """``public_url``, else the scheme and Host the request came with (plus the root path)."""
        if self._public:
            return self._public
        scope = request.scope
        host = request.headers.get("host", "")
        if not host or not _HOST.fullmatch(host):
            server = scope.get("server") or ("127.0.0.1", 80)
            host = f"[{server[0]}]:{server[1]}" if ":" in str(server[0]) else f"{server[0]}:{server[1]}"
        return f"{scope.get('scheme', 'http')}://{host}{scope.get('root_path', '')}".rstrip("/")

    def qr_url(self, request: Request, payload: str, kind: str = "png") -> str:
        return f"{self.base_url(request)}/qr.{kind}?data={url_quote(payload)}"

    def close(self) -> None:
        self.workers.close()
