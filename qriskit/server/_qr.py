"""``GET /qr.png`` and ``GET /qr.svg``: a payment code drawn from the URL alone (nothing stored).

``?data=<payload>`` (a valid EMV payload: its CRC is checked, so the server draws payment
codes only), ``scale`` (pixels per module, 1-20, default 8) and ``border`` (modules of
quiet zone, 0-10, default 4). The same URL always gives the same picture, so replies
may be cached for a long time.
"""

from __future__ import annotations

from functools import lru_cache

from starlette.requests import Request
from starlette.responses import Response

import qriskit
from qriskit.errors import QRISError

from ._errors import Problem
from ._service import Service, library_call

__all__ = ["MAX_DATA", "qr_png", "qr_svg"]

#: The longest payload drawn (EMV MPM payloads are at most 512 characters).
MAX_DATA = 1024
_CACHE_CONTROL = "public, max-age=86400, immutable"


def _int_param(request: Request, name: str, default: int, low: int, high: int) -> int:
    text = request.query_params.get(name)
    if text is None or text == "":
        return default
    digits = text.isascii() and text.isdigit() and len(text.lstrip("0")) <= len(str(high))  # int() refuses 4301+
    if not digits or not low <= int(text) <= high:
        raise Problem(400, "input.field", f"'{name}' must be a whole number from {low} to {high}")
    return int(text)


@lru_cache(maxsize=256)
def _draw(payload: str, kind: str, scale: int, border: int) -> bytes:
    picture = qriskit.encode_image(payload, kind, scale=scale, border=border)
    if isinstance(picture, str):
        return picture.encode("utf-8")
    if isinstance(picture, bytes):
        return picture
    raise TypeError(f"encode_image({kind!r}) gave {type(picture).__name__}, not bytes or str")


async def _qr(service: Service, request: Request, kind: str) -> Response:
    data = request.query_params.get("data")
    if not data:
        raise Problem(400, "input.missing", "'data' (the payload to draw) is missing")
    if len(data) > MAX_DATA:
        raise Problem(400, "input.field", f"'data' is longer than {MAX_DATA} characters")
    scale = _int_param(request, "scale", 8, 1, 20)
    border = _int_param(request, "border", 4, 0, 10)
    with library_call():
        try:
            body = await service.workers.run(_draw, data, kind, scale, border)
        except QRISError as exc:  # the library's hint names encode_image's verify=False
            raise Problem(400, exc.code or "qris.invalid", exc.message, hint="fix the payload",
                          path=exc.path, offset=exc.offset) from None
    media = "image/png" if kind == "png" else "image/svg+xml"
    headers = {"Cache-Control": _CACHE_CONTROL,
               "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'"}
    return Response(body, media_type=media, headers=headers)


async def qr_png(service: Service, request: Request, deadline: float) -> Response:
    return await _qr(service, request, "png")


async def qr_svg(service: Service, request: Request, deadline: float) -> Response:
    return await _qr(service, request, "svg")
