"""Drawing a payload as a QR code: PNG, SVG, data URI, terminal text or a PIL image.

PNG: a 1-bit grayscale file. With the native module its image data is deflated by a
compressor that knows the shape of QR scanlines (``_qr_c.png_deflate``): at 4 or 8 pixels
per module it writes files about 10-20% smaller than segno's (zlib level 9), in a fraction
of the time. At other scales the file is the smaller of that and segno's own layout at
zlib level 9, so it is never larger than segno's. SVG: one stroked path of horizontal runs
of dark modules, as segno draws it, without segno's class attributes.
"""

from __future__ import annotations

import base64
import re
import struct
import zlib
from typing import TYPE_CHECKING, Final, Literal, overload

from ..errors import ImageError, QRISError
from . import _qr_py
from ._deps import needs
from ._limits import MAX_ENCODE_SIDE
from ._qr import NATIVE, Symbol, make_symbol

if TYPE_CHECKING:
    from PIL import Image as PILImage

ImageKind = Literal["png", "svg", "data-uri", "text", "pil"]
#: Output kinds of ``encode_image``.
KINDS: Final = ("png", "svg", "data-uri", "text", "pil")

_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_ALIGNED_SCALES: Final = (4, 8)  # whole modules per byte: the native compressor's home ground
_DARK_RUN = re.compile(rb"\x01+")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def _png(sym: Symbol, scale: int, border: int) -> bytes:
    side = (sym.size + 2 * border) * scale
    if NATIVE:
        from . import _qr_c

        raw = _qr_c.png_scanlines(sym.modules, sym.size, scale, border)
        hlen = 12 if scale in _ALIGNED_SCALES else max(3, min(12, scale + scale // 2))
        idat = _qr_c.png_deflate(raw, (side + 7) // 8 + 1, hlen, 64)
        if scale not in _ALIGNED_SCALES:
            plain = _qr_c.png_scanlines(sym.modules, sym.size, scale, border, True)
            other = zlib.compress(plain, 9 if len(plain) <= 1 << 20 else 6)
            if len(other) < len(idat):
                idat = other
    else:
        plain = _qr_py.png_scanlines(sym.modules, sym.size, scale, border, True)
        idat = zlib.compress(plain, 9 if len(plain) <= 1 << 20 else 6)
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)  # 1-bit grayscale
    return _PNG_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def _svg(sym: Symbol, scale: int, border: int) -> str:
    """One path of horizontal runs ("M4 4.5h7m2 0h1..."), stroked 1 unit wide."""
    size = sym.size
    path = []
    pen_x = pen_y = 0
    first = True
    for r in range(size):
        y = r + border
        for run in _DARK_RUN.finditer(sym.modules, r * size, (r + 1) * size):
            x = run.start() - r * size + border
            if first:
                path.append(f"M{x} {y}.5h{run.end() - run.start()}")
                first = False
            else:
                path.append(f"m{x - pen_x} {y - pen_y}h{run.end() - run.start()}")
            pen_x, pen_y = x + run.end() - run.start(), y
    side = (size + 2 * border) * scale
    transform = f' transform="scale({scale})"' if scale != 1 else ""
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{side}" height="{side}">'
        f'<path{transform} stroke="#000" d="{"".join(path)}"/></svg>\n'
    )


def _text(sym: Symbol, border: int) -> str:
    """Half blocks, two module rows a line; light modules are drawn (for dark terminals)."""
    size = sym.size
    side = size + 2 * border
    quiet = [1] * side
    rows = [quiet] * border
    for r in range(size):
        rows.append([1] * border + [1 - m for m in sym.modules[r * size : (r + 1) * size]] + [1] * border)
    rows += [quiet] * border
    if len(rows) % 2:
        rows.append(quiet)
    chars = {(1, 1): "█", (1, 0): "▀", (0, 1): "▄", (0, 0): " "}
    lines = ["".join(chars[pair] for pair in zip(top, bottom)) for top, bottom in zip(rows[0::2], rows[1::2])]
    return "\n".join(lines) + "\n"


def _pil(sym: Symbol, scale: int, border: int) -> PILImage.Image:
    with needs('encode_image(kind="pil")'):
        from PIL import Image
    side = (sym.size + 2 * border) * scale
    if NATIVE:
        from . import _qr_c

        packed = _qr_c.bitmap(sym.modules, sym.size, scale, border)
    else:
        packed = _qr_py.bitmap(sym.modules, sym.size, scale, border)
    return Image.frombytes("1", (side, side), packed)


def _check_options(kind: object, scale: object, border: object) -> None:
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, KINDS))}, not {kind!r}")
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ValueError(f"scale must be a positive int (pixels per module), not {scale!r}")
    if not isinstance(border, int) or isinstance(border, bool) or border < 0:
        raise ValueError(f"border must be an int >= 0 (modules), not {border!r}")
    if scale > MAX_ENCODE_SIDE or border > MAX_ENCODE_SIDE:
        raise ImageError(
            f"scale={scale}, border={border} would draw a picture over {MAX_ENCODE_SIDE} pixels a side",
            hint=f"the output is limited to {MAX_ENCODE_SIDE} x {MAX_ENCODE_SIDE} pixels; lower scale or border",
        )


@overload
def encode_image(
    payload: str,
    kind: Literal["png"] = "png",
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> bytes: ...
@overload
def encode_image(
    payload: str,
    kind: Literal["svg", "data-uri", "text"],
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> str: ...
@overload
def encode_image(
    payload: str,
    kind: Literal["pil"],
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> PILImage.Image: ...
@overload
def encode_image(
    payload: str,
    kind: str,
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> bytes | str | PILImage.Image: ...
def encode_image(
    payload: str,
    kind: str = "png",
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> bytes | str | PILImage.Image:
    """Draw ``payload`` as a QR code.

    kind: ``"png"`` -> bytes (1-bit PNG), ``"svg"`` -> str, ``"data-uri"`` -> str
    (``data:image/png;base64,...``), ``"text"`` -> str (half blocks; light modules drawn,
    for dark terminals), ``"pil"`` -> a PIL image (mode "1"). ``scale`` is pixels per
    module, ``border`` the quiet zone in modules (4 by the standard); the picture may be at
    most ``MAX_ENCODE_SIDE`` (8192) pixels a side, else ``ImageError``. ``error`` is the
    error-correction level (one of ``ERROR_LEVELS``: "l", "m", "q", "h"; never boosted).
    With ``verify`` (default) the payload must be a valid EMV payload (CRC checked); pass
    False to encode any text. The symbol is the one ``segno.make_qr`` builds.
    """
    _check_options(kind, scale, border)
    if not isinstance(payload, str):
        raise TypeError(f"payload must be str, not {type(payload).__name__}")
    if verify:
        from .. import parse

        try:
            parse(payload)
        except QRISError as exc:
            found = QRISError(exc.message, offset=exc.offset, path=exc.path)  # its hint is about parse()
            raise QRISError(
                f"refusing to encode an invalid payment payload: {found}",
                hint="fix the payload, or pass verify=False to encode any text",
                code=exc.code,
            ) from exc
    sym = make_symbol(payload, error)
    side = (sym.size + 2 * border) * (1 if kind == "text" else scale)
    if side > MAX_ENCODE_SIDE:
        raise ImageError(
            f"scale={scale}, border={border} would draw a {side} x {side} picture of this "
            f"{sym.size}-module code, over the limit of {MAX_ENCODE_SIDE} pixels a side",
            hint="lower scale or border",
        )
    if kind == "svg":
        return _svg(sym, scale, border)
    if kind == "text":
        return _text(sym, border)
    if kind == "pil":
        return _pil(sym, scale, border)
    png = _png(sym, scale, border)
    if kind == "png":
        return png
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")
