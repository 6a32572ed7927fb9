"""The per-request deadline, with one timer for every request in flight.

Every request gets the same ``deadline`` seconds, so requests expire in the order they
started. On asyncio (uvicorn, hypercorn) one timer, set for the oldest request in flight,
cancels the task of each request past its deadline, and :meth:`Service.endpoint
<qriskit.server._service.Service.endpoint>` answers it 503 ``limit.deadline``. A request
costs a dict entry instead of a timer of its own (an anyio ``CancelScope`` with a deadline
took about a tenth of a whole conversion request). On any other event loop (trio) an anyio
``CancelScope`` does the same, one per request.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

__all__ = ["Deadlines", "current_task"]


def current_task() -> asyncio.Task[Any] | None:
    """The running asyncio task; None on another event loop."""
    try:
        return asyncio.current_task()
    except RuntimeError:  # no asyncio loop running in this thread (trio)
        return None


class Deadlines:
    """Requests in flight on asyncio, oldest first, and the one timer that ends them."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._active: dict[object, tuple[float, asyncio.Task[Any]]] = {}  # start order = deadline order
        self._expired: set[object] = set()
        self._timer: asyncio.TimerHandle | None = None

    def start(self, key: object, task: asyncio.Task[Any]) -> float:
        """Register a request (``key``, unique to it) run by ``task``; returns its deadline
        (``time.monotonic()``)."""
        deadline = time.monotonic() + self.seconds
        self._active[key] = (deadline, task)
        if self._timer is None:
            self._timer = task.get_loop().call_later(self.seconds, self._fire)
        return deadline

    def finish(self, key: object) -> bool:
        """Forget a request; True when its deadline cancelled its task."""
        self._active.pop(key, None)
        if key in self._expired:
            self._expired.discard(key)
            return True
        return False

    def _fire(self) -> None:
        self._timer = None
        now = time.monotonic()
        for key, (deadline, task) in list(self._active.items()):
            if deadline > now:  # this one and every later one still have time
                self._timer = task.get_loop().call_later(deadline - now, self._fire)
                return
            del self._active[key]
            self._expired.add(key)
            task.cancel()
