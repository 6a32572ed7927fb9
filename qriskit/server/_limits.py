"""The concurrency cap: an ASGI middleware answering 429 past ``max_concurrency`` requests.

Requests being served are counted (``/healthz`` is not, so a health check still answers
under load); one more gets ``429`` with ``Retry-After: 1`` at once, before its body is read.
"""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["ConcurrencyCap"]

_UNCOUNTED = frozenset({"/healthz"})


class ConcurrencyCap:
    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.active = 0
        self._busy = json.dumps({
            "success": False,
            "error": f"the server is serving its limit of {limit} requests at once; try again in a moment",
            "code": "limit.busy",
        }).encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in _UNCOUNTED:
            await self.app(scope, receive, send)
            return
        if self.active >= self.limit:
            await send({"type": "http.response.start", "status": 429, "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(self._busy)).encode()),
                (b"retry-after", b"1"),
            ]})
            await send({"type": "http.response.body", "body": self._busy})
            return
        self.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
