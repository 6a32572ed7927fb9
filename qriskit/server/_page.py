"""The cashier's page: ``/`` and its files under ``/page/``, read once from the package.

Everything the page needs ships in ``qriskit/server/page/`` (no CDN, no web fonts), and
a Content-Security-Policy keeps it to this server: scripts, styles, pictures and
requests from ``'self'`` only.
"""

from __future__ import annotations

from importlib.resources import files

from starlette.requests import Request
from starlette.responses import Response

from ._errors import Problem

__all__ = ["PAGE_HEADERS", "Page"]

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
        "media-src 'self' blob: mediastream:; connect-src 'self'; object-src 'none'; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
}
_TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
          ".css": "text/css; charset=utf-8", ".svg": "image/svg+xml"}


class Page:
    """The page's files, kept in memory (a few kilobytes)."""

    def __init__(self) -> None:
        folder = files(__package__ or "qriskit.server").joinpath("page")
        self.assets: dict[str, tuple[bytes, str]] = {}
        for item in folder.iterdir():
            suffix = "." + item.name.rsplit(".", 1)[-1]
            if item.is_file() and suffix in _TYPES:
                self.assets[item.name] = (item.read_bytes(), _TYPES[suffix])

    def _reply(self, name: str) -> Response:
        found = self.assets.get(name)
        if found is None:
            raise Problem(404, "http.not_found", f"no page file {name!r}")
        body, media = found
        return Response(body, media_type=media, headers=PAGE_HEADERS)

    async def index(self, request: Request, deadline: float) -> Response:
        return self._reply("index.html")

    async def asset(self, request: Request, deadline: float) -> Response:
        return self._reply(str(request.path_params["name"]))
