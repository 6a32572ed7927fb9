"""The per-request deadline: one timer for all requests on asyncio, a cancel scope on trio;
a request past its deadline is answered 503 limit.deadline and no other request is touched."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import anyio
import pytest
from starlette.requests import Request
from starlette.responses import Response

from qriskit.server import Settings
from qriskit.server._deadline import Deadlines
from qriskit.server._service import Service


def _request() -> Request:
    scope = {"type": "http", "method": "POST", "path": "/x", "headers": [], "query_string": b""}
    return Request(scope)


def _handler(seconds: float) -> Any:
    async def handler(request: Request, deadline: float) -> Response:
        await anyio.sleep(seconds)
        return Response(b"done")

    return handler


async def _serve(service: Service, pauses: list[float]) -> list[tuple[int, str]]:
    replies: list[tuple[int, str]] = []

    async def one(pause: float) -> None:
        reply = await service.endpoint(_handler(pause))(_request())
        body = bytes(reply.body)
        replies.append((reply.status_code, body.decode() if body == b"done" else json.loads(body)["code"]))

    async with anyio.create_task_group() as group:
        for pause in pauses:
            group.start_soon(one, pause)
    return sorted(replies)


def test_asyncio_one_timer_ends_only_the_late_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    service = Service(Settings(deadline=0.3))
    timers = 0

    async def main() -> list[tuple[int, str]]:
        nonlocal timers
        loop = asyncio.get_running_loop()
        real = loop.call_later

        def counted(delay: float, callback: Any, *args: Any) -> asyncio.TimerHandle:
            nonlocal timers
            if getattr(callback, "__self__", None) is service._deadlines:
                timers += 1
            return real(delay, callback, *args)

        monkeypatch.setattr(loop, "call_later", counted)
        return await _serve(service, [0.0] * 50 + [0.05] * 50 + [5.0] * 3)

    try:
        replies = asyncio.run(main())
    finally:
        service.close()
    assert replies == [(200, "done")] * 100 + [(503, "limit.deadline")] * 3
    assert timers <= 3  # one for the first request, one at most per expiry round; never one per request
    assert not service._deadlines._active and not service._deadlines._expired


def test_asyncio_a_cancellation_that_is_not_the_deadline_propagates() -> None:
    service = Service(Settings(deadline=30))

    async def main() -> None:
        task = asyncio.create_task(service.endpoint(_handler(5))(_request()))
        await asyncio.sleep(0.05)
        task.cancel()  # the server shutting down, say
        with pytest.raises(asyncio.CancelledError):
            await task

    try:
        asyncio.run(main())
    finally:
        service.close()
    assert not service._deadlines._active


def test_the_task_is_usable_after_its_deadline() -> None:
    """After a 503 the request's task goes on (the reply must still be sent): a later await
    in the same task is not cancelled again."""
    service = Service(Settings(deadline=0.1))

    async def main() -> int:
        reply = await service.endpoint(_handler(5))(_request())
        await asyncio.sleep(0.01)  # would raise CancelledError if the cancellation were left pending
        return reply.status_code

    try:
        assert asyncio.run(main()) == 503
    finally:
        service.close()


def test_trio_has_the_same_deadline() -> None:
    service = Service(Settings(deadline=0.3))
    try:
        replies = anyio.run(_serve, service, [0.0, 0.05, 5.0], backend="trio")
    finally:
        service.close()
    assert replies == [(200, "done"), (200, "done"), (503, "limit.deadline")]


def test_deadlines_expire_in_start_order() -> None:
    async def main() -> list[bool]:
        deadlines = Deadlines(0.2)
        task = asyncio.current_task()
        assert task is not None
        first, second = object(), object()
        deadlines.start(first, asyncio.create_task(asyncio.sleep(5)))
        await asyncio.sleep(0.1)
        deadlines.start(second, asyncio.create_task(asyncio.sleep(5)))
        await asyncio.sleep(0.15)  # the first is past its deadline, the second is not
        early = [deadlines.finish(first), second in deadlines._active]
        await asyncio.sleep(0.1)
        return [*early, deadlines.finish(second)]

    assert asyncio.run(main()) == [True, True, True]
