"""Pure-Python twin of ``_qr_c``: the symbol from segno's public API, the pixels in Python.

Used when the native module is not built (``QRISKIT_PURE_PYTHON=1`` installs) or is turned
off; same functions and same results (the tests compare them). ``segno.make_qr`` is only
ever called with a ``str`` and documented keywords.
"""

from __future__ import annotations

from ._deps import needs

_MODES = {1: "numeric", 2: "alphanumeric", 4: "byte"}
_LEVELS = "LMQH"


def symbol(data: bytes, mode: int, level: int, eci: bool) -> tuple[int, int, bytes]:
    """Return ``(version, mask, modules)``, as ``_qr_c.symbol`` does."""
    with needs("encode_image() without the native module"):
        import segno
    if mode not in _MODES:
        raise ValueError(f"unknown segment mode {mode}")
    if not 0 <= level <= 3:
        raise ValueError(f"unknown error level {level}")
    if eci:
        qr = segno.make_qr(
            data.decode("utf-8"), error=_LEVELS[level], mode="byte", encoding="utf-8", eci=True, boost_error=False
        )
    else:
        qr = segno.make_qr(data.decode("ascii"), error=_LEVELS[level], mode=_MODES[mode], boost_error=False)
    version = qr.version
    mask = qr.mask
    if not isinstance(version, int) or not isinstance(mask, int):  # never a Micro QR from make_qr
        raise RuntimeError(f"segno built an unexpected symbol (version {version!r})")
    return version, mask, b"".join(bytes(row) for row in qr.matrix)


def _pixel_row(modules: bytes, size: int, row: int, scale: int, border: int) -> bytes:
    """One 1-bit pixel row (light = 1) of module ``row`` (-1: the quiet zone), packed."""
    side = size + 2 * border
    if row < 0:
        light = "1" * side
    else:
        inside = modules[row * size : (row + 1) * size].translate(_LIGHT)
        light = "1" * border + inside.decode("ascii") + "1" * border
    bits = "".join(c * scale for c in light) if scale > 1 else light
    width = side * scale
    pad = -width % 8
    return (int(bits, 2) << pad).to_bytes((width + pad) // 8, "big")


_LIGHT = bytes.maketrans(b"\x00\x01", b"10")


def _rows(modules: bytes, size: int, scale: int, border: int, kind: int) -> bytes:
    if size <= 0 or len(modules) != size * size:
        raise ValueError("modules must hold size x size bytes")
    if not (1 <= scale <= 65536 and 0 <= border <= 65536 and (size + 2 * border) * scale <= 65536):
        raise ValueError("scale or border out of range")
    side = (size + 2 * border) * scale
    out = []
    prev = b""
    zero = bytes((side + 7) // 8)
    for y in range(side):
        module_row = y // scale - border
        if module_row >= size:
            module_row = -1
        cur = prev if prev and y % scale else _pixel_row(modules, size, max(module_row, -1), scale, border)
        if kind == 0:
            out.append(cur)
        elif (kind == 1 and cur == prev) or (kind == 2 and module_row >= 0 and y % scale):
            out.append(b"\x02" + zero)
        else:
            out.append(b"\x00" + cur)
        prev = cur
    return b"".join(out)


def png_scanlines(modules: bytes, size: int, scale: int, border: int, segno_layout: bool = False) -> bytes:
    """PNG scanlines, as ``_qr_c.png_scanlines``."""
    return _rows(modules, size, scale, border, 2 if segno_layout else 1)


def bitmap(modules: bytes, size: int, scale: int, border: int) -> bytes:
    """Packed 1-bit rows, as ``_qr_c.bitmap``."""
    return _rows(modules, size, scale, border, 0)
