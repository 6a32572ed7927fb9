"""The command's one door to the images package: decoder and error-level choices, decode, encode.

A missing ``image`` extra (or decoder backend) always comes out of here as the library's
``extra_missing`` error (``code == "extra.missing"``), which the command turns into one line
naming ``pip install "pyqriskit[image]"`` and exit code 6.
"""

from __future__ import annotations

from typing import Any

import qriskit
from qriskit.errors import ImageError, QRISError, extra_missing
from qriskit.images import DECODERS as _DECODERS
from qriskit.images import ERROR_LEVELS as _ERROR_LEVELS

__all__ = ["DECODERS", "ERROR_LEVELS", "decode", "decode_all", "encode", "is_missing_extra", "require_encoder"]

#: ``--decoder`` choices (the images package's backends, default first).
DECODERS: tuple[str, ...] = tuple(_DECODERS)
#: ``--error`` choices (QR error-correction levels).
ERROR_LEVELS: tuple[str, ...] = tuple(_ERROR_LEVELS)

_FEATURE = "reading and drawing QR images"


def is_missing_extra(exc: QRISError) -> bool:
    """Whether ``exc`` says an optional dependency is missing (an extra, a decoder backend)."""
    return exc.code == "extra.missing" or isinstance(exc.__cause__, ImportError)


def _missing() -> QRISError:
    return extra_missing("image", _FEATURE, ImageError)


def decode(data: bytes | str, decoder: str | None) -> str:
    """The one payment code in an image (bytes, or a base64 / data: URI text)."""
    try:
        return qriskit.decode_image(data, decoder=decoder)
    except ImportError as exc:
        raise _missing() from exc


def decode_all(data: bytes | str, decoder: str | None) -> list[str]:
    """The text of every QR code in an image."""
    try:
        return qriskit.decode_images(data, decoder=decoder)
    except ImportError as exc:
        raise _missing() from exc


def encode(payload: str, kind: str, *, scale: int = 8, border: int = 4, error: str = "m",
           verify: bool = True) -> bytes | str:
    """``payload`` drawn as ``kind`` ("png" -> bytes, "svg"/"text" -> str)."""
    try:
        data: Any = qriskit.encode_image(payload, kind, scale=scale, border=border, error=error, verify=verify)
    except ImportError as exc:
        raise _missing() from exc
    if not isinstance(data, (bytes, str)):  # pragma: no cover - kinds above give bytes or str
        raise TypeError(f"encode_image({kind!r}) gave {type(data).__name__}")
    return data


def require_encoder() -> None:
    """Raise the missing-extra error now, before any output is opened, if PNGs cannot be drawn."""
    encode("qriskit", "png", scale=1, border=0, verify=False)
