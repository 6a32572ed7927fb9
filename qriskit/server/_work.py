"""Heavy work off the event loop: a fixed pool of threads for decoding and drawing pictures.

The pool has ``image_workers`` threads and its own queue, so at most that many pictures
are decoded at once whatever the load. A request that gives up (its deadline passed)
takes its job out of the queue if it has not started; a job already running finishes on
its own (the fetcher and the decoder have their own time limits) while the request
answers at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import anyio
import anyio.from_thread
import anyio.lowlevel

__all__ = ["Workers"]

T = TypeVar("T")


class Workers:
    """``await workers.run(fn, *args)`` runs ``fn`` in the pool and returns its result."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="qriskit-serve")

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        future: Future[T] = self._pool.submit(fn, *args, **kwargs)
        done = anyio.Event()
        token = anyio.lowlevel.current_token()
        loop_thread = threading.get_ident()

        def wake(_: Future[T]) -> None:
            if threading.get_ident() == loop_thread:
                done.set()
                return
            try:
                anyio.from_thread.run_sync(done.set, token=token)
            except RuntimeError:  # the event loop is gone (shutting down)
                pass

        future.add_done_callback(wake)
        try:
            await done.wait()
        except BaseException:
            future.cancel()  # still queued: never runs
            raise
        return future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
