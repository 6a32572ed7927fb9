"""The server's answer to anything that goes wrong: one :class:`Problem`, one JSON shape.

Every error reply is ``{"success": false, "error": <message>, "code": <stable code>}``
(plus ``hint``, ``path`` and ``offset`` when known), with the hosted API's statuses.
Library errors (:class:`qriskit.QRISError`) become a Problem through :func:`from_error`;
a client can never cause a 500.

Codes of the server's own (the library's codes pass through as they are)::

    auth.key            401  X-API-Key missing or wrong (only when a key is enforced)
    http.not_found      404  no such endpoint
    http.method         405  wrong method (the Allow header lists the right ones)
    http.media_type     415  a body type or image type the endpoint does not take
    input.body          400  the body is not valid JSON / form / multipart, or not an object
    input.missing       400  a required field is missing (qris/image/image_url, nominal)
    input.ambiguous     400  more than one of qris, image, image_url (or nominal and amount differ, or a field twice)
    input.field         400  a field of the wrong type or value
    input.encoding      400  a lone UTF-16 surrogate in a text (JSON escape or multipart charset)
    amount.invalid      400  the amount breaks the library's rule (AmountError.code)
    qris.invalid        400  the code cannot be used (when the library gives no code)
    image.base64        400  ``image`` is not base64 / a data URI
    image.unreadable    400  the picture cannot be read
    image.no_qr         400  no valid payment QR code in the picture
    image.unavailable   501  the image extra is not installed
    limit.body          413  the body is over max_body_bytes (or max_batch_bytes)
    limit.image         413  the image is over max_image_bytes or max_image_pixels, or too large to decode
    limit.rows          413  a batch over max_batch_rows
    limit.busy          429  max_concurrency requests are already being served
    limit.deadline      503  the request took longer than the deadline
    fetch.disabled      400  image_url sent, fetching switched off
    fetch.*             400 refused / 413 too large / 502 failed / 504 too slow
    internal            500  a bug: reported, never caused by input
"""

from __future__ import annotations

from typing import Any

from ..errors import (
    READ_ANYWAY_HINTS,
    AmountError,
    FetchError,
    FetchRefused,
    ImageError,
    NoQRCodeFound,
    QRISError,
    without_override_hint,
)

__all__ = ["Problem", "from_error"]


class Problem(Exception):
    """An HTTP error reply: ``status``, a stable ``code`` and a message for people."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        hint: str | None = None,
        path: str | None = None,
        offset: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.hint = hint
        self.path = path
        self.offset = offset
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"success": False, "error": self.message, "code": self.code}
        for key in ("hint", "path", "offset"):
            value = getattr(self, key)
            if value is not None:
                out[key] = value
        return out


_FETCH_STATUS = {"fetch.too_large": 413, "fetch.timeout": 504}
_IMAGE_LIMIT_WORDS = ("too_large", "too-large", "pixels", "size", "bytes")


def from_error(exc: QRISError) -> Problem:
    """The Problem for a library error: its ``code`` when it has one, else a stable one."""
    status, code = 400, exc.code
    if isinstance(exc, FetchRefused):
        code = code or "fetch.refused"
    elif isinstance(exc, FetchError):
        code = code or "fetch.failed"
        status = _FETCH_STATUS.get(code, 502)
    elif isinstance(exc, NoQRCodeFound):
        code = code or "image.no_qr"
    elif isinstance(exc, ImageError):
        if code == "extra.missing":
            status, code = 501, "image.unavailable"
        elif code and any(word in code for word in _IMAGE_LIMIT_WORDS):  # the library's image limits
            # its hint names Python keywords (max_decoded_bytes=): say it in HTTP terms
            return Problem(413, "limit.image", exc.message, hint="send the picture smaller, or as PNG or JPEG")
        else:
            code = code or "image.unreadable"
    elif isinstance(exc, AmountError):
        code = code or "amount.invalid"
    else:
        code = code or "qris.invalid"
    hint = READ_ANYWAY_HINTS.get(code, exc.hint) if exc.code else exc.hint  # no verify_crc=False over HTTP
    return Problem(status, code, without_override_hint(exc), hint=hint, path=exc.path, offset=exc.offset)
