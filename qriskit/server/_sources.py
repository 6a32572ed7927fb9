"""From a :class:`~qriskit.server._inputs.Source` to the payload text: fetch, check, decode.

Fetching uses :func:`qriskit.fetch.fetch` with the server's rules, in a thread of its own
(anyio's); decoding uses :func:`qriskit.decode_image` on bytes only, after the server's
own checks: a type it takes (PNG, JPEG, GIF, WebP by the first bytes), at most
``max_image_bytes`` and ``max_image_pixels``, in the worker pool.
"""

from __future__ import annotations

import io
import time
from functools import partial

import anyio.to_thread

import qriskit

from .. import fetch as fetcher
from ._errors import Problem
from ._inputs import IMAGE_TYPES, Source, image_from_text, sniff_image
from ._settings import Settings
from ._work import Workers

__all__ = ["decode_picture", "payload_of"]


async def payload_of(source: Source, settings: Settings, workers: Workers, deadline: float) -> str:
    """The payload text of ``source``; ``deadline`` is the request's end (``time.monotonic()``)."""
    if source.kind == "qris":
        return source.text
    data = source.data
    if source.kind == "image" and not data:
        data = await anyio.to_thread.run_sync(image_from_text, source.text, abandon_on_cancel=True)
    if source.kind == "image_url":
        if not settings.fetch:
            raise Problem(400, "fetch.disabled", "this server does not fetch image_url",
                          hint="send the picture itself as 'image' (base64) or as a multipart upload")
        fetch = partial(
            fetcher.fetch,
            source.text,
            max_bytes=settings.max_image_bytes,
            timeout=max(0.05, min(settings.fetch_timeout, deadline - time.monotonic())),
            allow=settings.allow_fetch,
            resolver=settings.fetch_resolver,
            connector=settings.fetch_connector,
        )
        # not on the picture workers: a remote server that never answers would hold one up until fetch_timeout
        got = await anyio.to_thread.run_sync(fetch, abandon_on_cancel=True)
        data = got.content
    return await workers.run(decode_picture, data, settings, deadline)


def decode_picture(data: bytes, settings: Settings, deadline: float) -> str:
    """Check and decode one picture (runs in a worker thread)."""
    kind = sniff_image(data)
    if kind is None:
        raise Problem(415, "http.media_type", "the picture is not PNG, JPEG, GIF or WebP",
                      hint=f"send one of {', '.join(IMAGE_TYPES.values())}")
    if len(data) > settings.max_image_bytes:
        raise Problem(413, "limit.image", f"the picture is {len(data)} bytes, over the limit of "
                      f"{settings.max_image_bytes}")
    _check_pixels(data, settings.max_image_pixels)
    left = deadline - time.monotonic()
    if left <= 0:
        raise Problem(503, "limit.deadline", f"the request took longer than {settings.deadline:g} s")
    return qriskit.decode_image(data, max_bytes=settings.max_image_bytes, max_pixels=settings.max_image_pixels,
                                timeout=left)


def _check_pixels(data: bytes, limit: int) -> None:
    """Refuse a picture with too many pixels from its header, before anything is decoded."""
    try:
        from PIL import Image
    except ImportError:
        return  # decode_image says what to install
    try:
        with Image.open(io.BytesIO(data)) as picture:
            width, height = picture.size
    except Exception:  # unreadable: decode_image explains it below
        return
    if width * height > limit:
        raise Problem(413, "limit.image", f"the picture has {width}x{height} = {width * height} pixels, "
                      f"over the limit of {limit}", hint="send a smaller picture; 1000x1000 reads fine")
