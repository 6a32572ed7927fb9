"""``create_app(settings)``: the Starlette application behind ``qriskit serve``."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

import qriskit

from ._batch import v1_batch
from ._errors import Problem
from ._hosted import qris_convert, qris_info
from ._limits import ConcurrencyCap
from ._openapi import HOSTED_NAMES, document
from ._page import Page
from ._qr import qr_png, qr_svg
from ._service import Handler, Service, ok, problem_reply
from ._settings import Settings
from ._v1 import v1_convert, v1_info, v1_validate

__all__ = ["create_app"]

log = logging.getLogger("qriskit.server")


def _images_available() -> bool:
    return all(importlib.util.find_spec(name) is not None for name in ("PIL", "zxingcpp", "segno"))


def create_app(settings: Settings | None = None) -> Starlette:
    """The ASGI app for ``settings`` (default: :meth:`Settings.from_env`)."""
    settings = settings if settings is not None else Settings.from_env()
    service = Service(settings)
    page = Page()
    openapi = document(settings)
    health = {"status": "ok", "version": qriskit.__version__, "backend": qriskit.backend,
              "images": _images_available()}

    def bind(handler: Any) -> Handler:
        async def bound(request: Request, deadline: float) -> Response:
            return await handler(service, request, deadline)  # type: ignore[no-any-return]

        bound.__name__ = handler.__name__
        return bound

    async def healthz(request: Request, deadline: float) -> Response:
        return ok(health)

    async def openapi_json(request: Request, deadline: float) -> Response:
        return ok(openapi)

    def api(path: str, handler: Any, methods: list[str]) -> Route:
        return Route(path, service.endpoint(bind(handler)), methods=methods)

    def public(path: str, handler: Handler, methods: list[str]) -> Route:
        return Route(path, service.endpoint(handler, auth=False), methods=methods)

    routes = []
    for prefix in ("/api/", "/"):
        routes.append(api(prefix + HOSTED_NAMES[0], qris_convert, ["POST"]))
        routes.append(api(prefix + HOSTED_NAMES[1], qris_info, ["GET", "POST"]))
    routes += [
        api("/v1/convert", v1_convert, ["POST"]),
        api("/v1/validate", v1_validate, ["POST"]),
        api("/v1/info", v1_info, ["POST"]),
        api("/v1/batch", v1_batch, ["POST"]),
        public("/qr.png", bind(qr_png), ["GET"]),
        public("/qr.svg", bind(qr_svg), ["GET"]),
        public("/healthz", healthz, ["GET"]),
        public("/openapi.json", openapi_json, ["GET"]),
        public("/", page.index, ["GET"]),
        public("/page/{name}", page.asset, ["GET"]),
    ]

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 405:
            allow = (exc.headers or {}).get("Allow", "")
            problem = Problem(405, "http.method", f"{request.method} is not allowed here; use {allow or 'another'}",
                              headers={"Allow": allow} if allow else None)
        elif exc.status_code == 404:
            problem = Problem(404, "http.not_found", f"no endpoint at {request.url.path}",
                              hint="see /openapi.json for the endpoints")
        else:
            problem = Problem(exc.status_code, "http.error", str(exc.detail))
        return problem_reply(problem)

    async def internal_error(request: Request, exc: Exception) -> Response:
        log.exception("unexpected error on %s %s", request.method, request.url.path, exc_info=exc)
        return JSONResponse({"success": False, "error": "internal error (reported in the server log)",
                             "code": "internal"}, status_code=500)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        service.close()

    app = Starlette(
        routes=routes,
        middleware=[Middleware(ConcurrencyCap, limit=settings.max_concurrency)],
        exception_handlers={HTTPException: http_error, Exception: internal_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = service
    return app
