"""Reading a picture within limits: from any source to an 8-bit gray numpy array.

A source is a path (``str`` or ``os.PathLike``), ``bytes``, a binary file object, a base64
string or ``data:`` URI, a PIL image or a numpy array. Every byte read is counted against
``max_bytes`` before it is decoded; a path must name a regular file (not a directory, a
FIFO or a device such as ``/dev/zero``); text is sniffed in linear time, its length
checked first. Pillow only ever sees the formats in ``FORMATS`` (never EPS, PS or PDF,
which it would hand to Ghostscript). Width x height is checked against ``max_pixels``,
and the bytes the decoder will hold for them against ``max_decoded_bytes``, from the
header, before any pixel is decoded. A picture over ``work_pixels`` is scaled
down for the first passes (a JPEG decoded at reduced size by libjpeg); the full size is
loaded only when asked for.
"""

from __future__ import annotations

import base64
import binascii
import io
import math
import os
import re
import stat
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from ..errors import ImageError, NoQRCodeFound
from ._deps import needs
from ._limits import FORMATS, MAX_DECODED_BYTES

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt
    from PIL import Image as PILImage

    Gray = npt.NDArray[np.uint8]

#: Pillow modes that can be turned into gray; others (LAB, HSV, ...) are refused.
READABLE_MODES = frozenset(
    {"1", "L", "P", "RGB", "RGBA", "RGBX", "RGBa", "CMYK", "YCbCr", "LA", "La", "PA", "I", "F"}
    | {"I;16", "I;16L", "I;16B", "I;16N"}
)
_BASE64 = re.compile(r"[A-Za-z0-9+/_-]+={0,2}")
#: Bytes a pixel takes in Pillow's memory, by mode (every other readable mode: 4).
_PIXEL_BYTES = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16L": 2, "I;16B": 2, "I;16N": 2}
#: Full-size RGBA copies Pillow's WebP decoder holds at once: libwebp's animation decoder keeps
#: two canvases, hands the frame over as bytes, and Pillow copies that into the image.
_WEBP_COPIES = 4
_TILE_WIDTH, _TILE_LENGTH, _ROWS_PER_STRIP, _ORIENTATION = 322, 323, 278, 0x0112
_BAND = 64  # rows converted at a time in a large picture
_WHOLE = 4_000_000  # pixels up to which a picture is converted in one go
_PAYLOAD_HINT = "this looks like a QRIS payload, not an image: use qriskit.parse()"
_SOURCES = "a path, bytes, a binary file object, base64/data URI, a PIL image or a numpy array"


class Loaded(NamedTuple):
    """A picture ready for the decoders: ``gray`` (the working size), ``alt`` (the same
    flattened on black when it is transparent), ``size`` (full width, height), and ``full``
    (loads the full-size pair when ``gray`` was scaled down, else None)."""

    gray: Gray
    alt: Gray | None
    size: tuple[int, int]
    full: Callable[[], tuple[Gray, Gray | None]] | None


# --------------------------------------------------------------------------- bytes in


def _too_big(what: str, size: int, max_bytes: int) -> ImageError:
    return ImageError(
        f"{what} is {size} bytes, over the limit of max_bytes={max_bytes}",
        hint="pass max_bytes= to raise the limit if the source is trusted", code="image.too_large",
    )


def _read_limited(fh: Any, max_bytes: int, what: str) -> bytes:
    """Read to the end, or to one byte over ``max_bytes`` (a raw stream, such as an
    unbuffered pipe, returns what is there at each read)."""
    parts: list[bytes] = []
    total = 0
    while total <= max_bytes:
        try:
            data = fh.read(max_bytes + 1 - total)
        except OSError as exc:
            raise ImageError(f"cannot read {what}: {exc.strerror or exc}") from exc
        if not isinstance(data, (bytes, bytearray)):
            raise TypeError(f"{what} must be opened in binary mode (read() gave {type(data).__name__})")
        if not data:
            break
        parts.append(bytes(data))
        total += len(data)
    if total > max_bytes:
        raise _too_big(what, total, max_bytes)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _read_path(path: str | bytes, max_bytes: int) -> bytes:
    """The bytes of a regular file, at most ``max_bytes`` of them (opened without blocking,
    so that a FIFO cannot hang the call)."""
    shown = os.fsdecode(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError as exc:
        raise ImageError(
            f"no such image file: {shown[:200]!r}",
            hint="pass a path to an existing file, bytes, a file object, base64 or a data: URI",
        ) from exc
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise ImageError(f"cannot read {shown[:200]!r}: {getattr(exc, 'strerror', None) or exc}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a directory" if stat.S_ISDIR(info.st_mode) else "not a regular file (a device, FIFO or socket)"
            raise ImageError(f"{shown[:200]!r} is {kind}", hint="pass the path of an image file")
        if info.st_size > max_bytes:
            raise _too_big(repr(shown[:200]), info.st_size, max_bytes)
        with os.fdopen(fd, "rb", closefd=True) as fh:
            fd = -1
            return _read_limited(fh, max_bytes, repr(shown[:200]))
    except OSError as exc:
        raise ImageError(f"cannot read {shown[:200]!r}: {exc.strerror or exc}") from exc
    finally:
        if fd >= 0:
            os.close(fd)


def _b64(text: str) -> bytes:
    text += "=" * (-len(text) % 4)
    try:
        if "-" in text or "_" in text:
            return base64.urlsafe_b64decode(text)
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"invalid base64 image data ({exc})") from exc


def _percent_decoded(body: str, max_bytes: int) -> bytes:
    """A percent-encoded data URI body, decoded a slice at a time (bounded memory)."""
    from urllib.parse import unquote_to_bytes

    out = bytearray()
    start, n, step = 0, len(body), 1 << 16
    while start < n:
        end = min(n, start + step)
        if end < n:  # never cut a %XX escape in two
            cut = body.rfind("%", end - 2, end)
            if cut > start:
                end = cut
        out += unquote_to_bytes(body[start:end])
        if len(out) > max_bytes:
            raise _too_big("the data URI", len(out), max_bytes)
        start = end
    return bytes(out)


def _text_source(text: str, max_bytes: int) -> bytes | str:
    """A str source: a data URI, the path of a file, or base64. Returns bytes or a path.

    Linear in the length of the text, which is checked first: even percent-encoded, the
    text of ``max_bytes`` bytes takes at most 3 characters a byte."""
    if len(text) > 3 * max_bytes + 4096:
        raise ImageError(
            f"text of {len(text)} characters is over the limit for max_bytes={max_bytes}",
            hint="pass max_bytes= to raise the limit if the source is trusted", code="image.too_large",
        )
    s = text.strip()
    if s[:5].lower() == "data:":
        head, sep, body = s.partition(",")
        if not sep:
            raise ImageError("malformed data URI: no ',' before the data")
        if ";base64" in head.lower():
            compact = "".join(body.split())
            if len(compact) * 3 // 4 > max_bytes:
                raise _too_big("the data URI", len(compact) * 3 // 4, max_bytes)
            return _b64(compact)
        return _percent_decoded(body, max_bytes)
    if len(s) < 4096 and "\n" not in s and "\x00" not in s and os.path.exists(s):
        return s
    if s.startswith("000201"):
        raise ImageError(
            "got a QRIS payload string where an image was expected",
            hint="use qriskit.parse() for payload text; decode_image() takes a picture",
        )
    compact = "".join(s.split())
    if len(compact) >= 16 and _BASE64.fullmatch(compact):
        if len(compact) * 3 // 4 > max_bytes:
            raise _too_big("the base64 data", len(compact) * 3 // 4, max_bytes)
        return _b64(compact)
    raise ImageError(
        f"no such image file: {text[:80]!r}",
        hint="pass a path to an existing file, bytes, a file object, base64 or a data: URI",
    )


def read_source(source: object, max_bytes: int) -> bytes | PILImage.Image | Any:
    """The bytes of ``source``, or the PIL image / array-like it already is."""
    with needs("decoding images"):
        from PIL import Image
    if isinstance(source, Image.Image):
        return source
    if type(source).__module__ == "numpy" or hasattr(source, "__array_interface__"):
        return source
    data: bytes
    if isinstance(source, os.PathLike):
        path = os.fspath(source)
        data = _read_path(path, max_bytes)
    elif isinstance(source, str):
        found = _text_source(source, max_bytes)
        data = _read_path(found, max_bytes) if isinstance(found, str) else found
    elif isinstance(source, (bytes, bytearray)):
        if len(source) > max_bytes:
            raise _too_big("the image data", len(source), max_bytes)
        data = bytes(source)
    elif isinstance(source, memoryview):
        if source.nbytes > max_bytes:
            raise _too_big("the image data", source.nbytes, max_bytes)
        data = source.tobytes()
    elif hasattr(source, "read"):
        data = _read_limited(source, max_bytes, "the file object")
    else:
        raise TypeError(f"decode_image() takes {_SOURCES}, not {type(source).__name__}")
    if not data:
        raise ImageError("the image data is empty")
    return data


# --------------------------------------------------------------------------- Pillow


def _refused_format(data: bytes) -> str | None:
    head = data[:1024].lstrip()
    if head.startswith((b"%!PS", b"\xc5\xd0\xd3\xc6")):
        return "PostScript/EPS"
    if head.startswith(b"%PDF"):
        return "PDF"
    return None


def open_image(data: bytes) -> PILImage.Image:
    """Open (not load) ``data`` with Pillow, trying only the allowed formats."""
    with needs("decoding images"):
        from PIL import Image, UnidentifiedImageError
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from exc
    except UnidentifiedImageError as exc:
        refused = _refused_format(data)
        if refused:
            raise ImageError(
                f"{refused} input is not read (Pillow would start Ghostscript for it)",
                hint=f"convert it to one of {', '.join(FORMATS)}",
            ) from exc
        hint = f"supported formats: {', '.join(FORMATS)}"
        if data[:6] == b"000201":
            hint = _PAYLOAD_HINT
        raise ImageError(f"cannot identify the image format of {len(data)} bytes", hint=hint) from exc
    except Exception as exc:  # SyntaxError, OSError, struct.error from broken headers...
        raise ImageError(f"the image header is broken ({type(exc).__name__}: {exc})") from exc


def check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"the image is empty ({width}x{height} pixels)")
    if width * height > max_pixels:
        raise ImageError(
            f"image of {width}x{height} = {width * height} pixels is over the limit of max_pixels={max_pixels}",
            hint="pass max_pixels= to raise the limit if the image is trusted", code="image.too_large",
        )


def _tiff_buffer(img: PILImage.Image) -> int:
    """Bytes of the strip or tile buffer libtiff fills before Pillow copies it into the image
    (a TIFF written as one strip needs a second full-size copy)."""
    tags = getattr(img, "tag_v2", {})
    width, height = img.size
    try:
        per_pixel = max(4, math.ceil(sum(cast("tuple[int, ...]", tags.get(258, (8,)))) / 8))
        if _TILE_WIDTH in tags and _TILE_LENGTH in tags:
            return int(tags[_TILE_WIDTH]) * int(tags[_TILE_LENGTH]) * per_pixel
        return min(height, int(tags.get(_ROWS_PER_STRIP, height))) * width * per_pixel
    except (TypeError, ValueError):  # a malformed tag: count one more full-size copy
        return width * height * 4


def _jpeg_coefficients(img: PILImage.Image) -> int:
    """Bytes of the coefficient buffer libjpeg holds for a whole progressive JPEG: 2 bytes a
    sample of every component, at its own sampling."""
    width, height = img.size
    layers = cast("list[tuple[Any, int, int, Any]]", getattr(img, "layer", None) or [])
    try:
        hmax = max(h for _, h, _, _ in layers)
        vmax = max(v for _, _, v, _ in layers)
        return sum(
            math.ceil(width * h / hmax / 8) * 8 * math.ceil(height * v / vmax / 8) * 8 * 2 for _, h, v, _ in layers
        )
    except (TypeError, ValueError, ZeroDivisionError):  # odd sampling factors: four full-size components
        return width * height * 2 * 4


def decoded_bytes(img: PILImage.Image) -> int:
    """The bytes Pillow holds at once to decode ``img`` (see ``MAX_DECODED_BYTES``)."""
    width, height = img.size
    if img.format == "WEBP":
        return width * height * 4 * _WEBP_COPIES
    total = width * height * _PIXEL_BYTES.get(img.mode, 4)
    if img.format == "JPEG" and img.info.get("progressive"):
        total += _jpeg_coefficients(img)
    if img.format == "TIFF":
        total += _tiff_buffer(img)
        if getattr(img, "tag_v2", {}).get(_ORIENTATION, 1) in range(2, 9):  # Pillow turns it upright: a copy
            total += width * height * _PIXEL_BYTES.get(img.mode, 4)
    return total


def check_decoded(img: PILImage.Image, max_decoded_bytes: int) -> None:
    need = decoded_bytes(img)
    if need > max_decoded_bytes:
        kind = f"{img.format} " if img.format else ""
        raise ImageError(
            f"decoding this {img.width}x{img.height} {kind}image ({img.mode}) takes about {need} bytes, "
            f"over the limit of max_decoded_bytes={max_decoded_bytes}",
            hint="pass max_decoded_bytes= to raise the limit if the image is trusted and the memory is there; "
            "or send it smaller, or as PNG or JPEG",
            code="image.too_large",
        )


def reduction(width: int, height: int, work_pixels: int) -> int:
    """The integer factor that brings ``width`` x ``height`` to about ``work_pixels``."""
    pixels = width * height
    if pixels <= work_pixels:
        return 1
    return math.ceil(math.sqrt(pixels / work_pixels))


def _stretch(arr: Any, into: Gray | None = None) -> Gray:
    """Any numeric 2-D array -> uint8 spanning its own range (16-bit, float, int32), written
    into ``into`` when given; a band of rows at a time, so a large array never gets a
    full-size float copy."""
    import numpy as np

    if arr.dtype == np.uint8 and into is None:
        return np.ascontiguousarray(arr)
    out: Gray = np.empty(arr.shape, np.uint8) if into is None else into
    if arr.dtype == np.uint8:
        out[...] = arr
        return out
    if arr.dtype == bool:
        out[...] = arr
        out *= 255
        return out
    lo, hi = float(arr.min()), float(arr.max())
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise ImageError("the array holds NaN or infinite values", hint="pass finite pixel values")
    if arr.dtype.kind == "f" and 0.0 <= lo and hi <= 1.0:
        lo, gain = 0.0, 255.0
    elif hi <= lo:
        out.fill(255 if hi > 0 else 0)
        return out
    else:
        gain = 255.0 / (hi - lo)
    # float32 unless it cannot hold the values or the gain (a float64 array near its limits)
    work = np.float64 if max(abs(lo), abs(hi)) > 1e38 or gain < 1e-38 else np.float32
    for top in range(0, arr.shape[0], 256):
        out[top : top + 256] = (arr[top : top + 256].astype(work) - work(lo)) * work(gain) + 0.5
    return out


def _composite(gray: Gray, alpha: Gray) -> tuple[Gray, Gray | None]:
    """Flatten gray+alpha on white; also on black when the picture is really transparent
    (a band of rows at a time: no full-size 16-bit copies)."""
    import numpy as np

    if int(alpha.min()) == 255:
        return gray, None
    on_white = np.empty(gray.shape, np.uint8)
    on_black = np.empty(gray.shape, np.uint8)
    for top in range(0, gray.shape[0], 256):
        g = gray[top : top + 256].astype(np.uint16)
        a = alpha[top : top + 256].astype(np.uint16)
        black = (g * a + 127) // 255
        on_black[top : top + 256] = black
        on_white[top : top + 256] = black + (255 - a)
    return on_white, on_black


def _luma(rgb: Any) -> Gray:
    """ITU-R 601-2 luma with Pillow's integer weights, a band of rows at a time."""
    import numpy as np

    out = np.empty(rgb.shape[:2], np.uint8)
    for top in range(0, rgb.shape[0], 256):
        band = rgb[top : top + 256].astype(np.uint32)
        out[top : top + 256] = (band[..., 0] * 19595 + band[..., 1] * 38470 + band[..., 2] * 7471 + 0x8000) >> 16
    return out


def array_to_gray(arr: Any, max_pixels: int) -> tuple[Gray, Gray | None]:
    """A numpy array (H x W, H x W x 1..4; bool, int, uint or float) -> gray (+ on black)."""
    with needs("decoding images"):
        import numpy as np
    try:
        a = np.asarray(arr)
    except Exception as exc:  # an object whose array interface is broken
        raise ImageError(f"cannot use {type(arr).__name__} as an image array ({exc})") from exc
    if a.dtype.fields is not None or a.dtype.kind not in "biuf":
        raise ImageError(
            f"cannot read an array of dtype {a.dtype} as an image",
            hint="pass numbers: uint8, uint16, bool, int or float (0..1) pixels",
        )
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim not in (2, 3) or (a.ndim == 3 and a.shape[2] not in (2, 3, 4)):
        raise ImageError(
            f"cannot use an array of shape {a.shape} as an image",
            hint="pass H x W (gray), H x W x 3 (RGB) or H x W x 4 (RGBA)",
        )
    check_pixels(a.shape[1], a.shape[0], max_pixels)
    if a.ndim == 2:
        return _stretch(a), None
    a8 = a
    if a.dtype != np.uint8:  # each channel stretched straight into one uint8 copy
        a8 = np.empty(a.shape, np.uint8)
        for c in range(a.shape[2]):
            _stretch(a[:, :, c], a8[:, :, c])
    if a.shape[2] == 2:
        gray, alpha = np.ascontiguousarray(a8[:, :, 0]), np.ascontiguousarray(a8[:, :, 1])
        return _composite(gray, alpha)
    gray = _luma(a8)
    if a.shape[2] == 4:
        return _composite(gray, np.ascontiguousarray(a8[:, :, 3]))
    return gray, None


def _prepare(img: PILImage.Image) -> tuple[PILImage.Image, int]:
    """Load the first frame; return it with its EXIF orientation (2-8; 1: as stored), read
    after loading (Pillow turns a TIFF upright as it loads it, and drops its tag)."""
    if getattr(img, "is_animated", False):
        img.seek(0)
    img.load()
    orientation = img.getexif().get(_ORIENTATION, 1)
    return img, orientation if type(orientation) is int and 2 <= orientation <= 8 else 1


def _turned(arr: Gray, orientation: int) -> Gray:
    """``arr`` turned by an EXIF orientation as Pillow's ``exif_transpose`` turns an image
    (a view: the gray picture is turned, never a full-size colour copy)."""
    import numpy as np

    if orientation == 2:
        return arr[:, ::-1]
    if orientation == 3:
        return arr[::-1, ::-1]
    if orientation == 4:
        return arr[::-1]
    if orientation == 5:
        return cast("Gray", arr.swapaxes(0, 1))
    if orientation == 6:
        return np.rot90(arr, -1)
    if orientation == 7:
        return cast("Gray", arr[::-1, ::-1].swapaxes(0, 1))
    if orientation == 8:
        return np.rot90(arr)
    return arr


def _oriented(pair: tuple[Gray, Gray | None], orientation: int) -> tuple[Gray, Gray | None]:
    """The flattened pair of a picture, turned upright by its EXIF orientation."""
    import numpy as np

    if orientation == 1:
        return flatten(pair)
    gray, alpha = pair
    turned = flatten((_turned(gray, orientation), None if alpha is None else _turned(alpha, orientation)))
    return np.ascontiguousarray(turned[0]), None if turned[1] is None else np.ascontiguousarray(turned[1])


def pil_to_gray(img: PILImage.Image) -> tuple[Gray, Gray | None]:
    """A loaded PIL image -> 8-bit gray array, plus its alpha channel if transparent
    (``flatten`` turns that pair into the pictures on white and on black).

    A large picture (over 4 megapixels) is converted a band of rows at a time, so that it
    costs its own pixels plus the gray result, never a second full-size copy in another
    mode; a smaller one in one go."""
    import numpy as np

    mode = img.mode
    if mode not in READABLE_MODES:
        raise ImageError(
            f"cannot read images in colour mode {mode}",
            hint="convert the picture to RGB or grayscale",
        )
    if mode == "L":
        return np.asarray(img), None
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    width, height = img.size
    if width * height <= _WHOLE:  # small enough to convert in one go
        if mode.startswith(("I", "F")):
            return _stretch(np.asarray(img)), None
        if has_alpha:
            rgba = img if mode == "RGBA" else img.convert("RGBA")
            return np.asarray(rgba.convert("L")), np.asarray(rgba.getchannel("A"))
        return np.asarray(img.convert("L")), None
    gray = np.empty((height, width), np.uint8)
    bands = ((top, img.crop((0, top, width, min(height, top + _BAND)))) for top in range(0, height, _BAND))
    if mode.startswith(("I", "F")):  # I;16, I;16B, I, F: stretch to 8-bit over the whole range
        lo, hi = (float(v) for v in cast("tuple[float, float]", img.getextrema()))  # one band: (min, max)
        if not (math.isfinite(lo) and math.isfinite(hi)):
            raise ImageError("the image holds NaN or infinite values")
        if mode == "F" and 0.0 <= lo and hi <= 1.0:
            lo, gain = 0.0, 255.0
        else:
            gain = 255.0 / (hi - lo) if hi > lo else 0.0
        for top, band in bands:
            values = np.asarray(band).astype(np.float32)
            gray[top : top + band.height] = (values - np.float32(lo)) * np.float32(gain) + 0.5
        if hi <= lo:
            gray.fill(255 if hi > 0 else 0)
        return gray, None
    if has_alpha:
        alpha = np.empty((height, width), np.uint8)
        for top, band in bands:
            rgba = band if band.mode == "RGBA" else band.convert("RGBA")
            gray[top : top + band.height] = np.asarray(rgba.convert("L"))
            alpha[top : top + band.height] = np.asarray(rgba.getchannel("A"))
        return gray, alpha
    for top, band in bands:
        gray[top : top + band.height] = np.asarray(band.convert("L"))
    return gray, None


def _guarded(step: Callable[[], tuple[Gray, Gray | None]]) -> tuple[Gray, Gray | None]:
    """Run a Pillow decoding step; its errors become ``ImageError``."""
    from PIL import Image

    try:
        return step()
    except ImageError:
        raise
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from exc
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise ImageError(f"cannot read the image data: {exc}") from exc


def _shrink(pair: tuple[Gray, Gray | None], factor: int) -> tuple[Gray, Gray | None]:
    """Scale a gray pair down by ``factor`` (box filter: each pixel the mean of its block)."""
    import numpy as np
    from PIL import Image

    if factor <= 1:
        return pair
    gray, alt = pair
    small = np.asarray(Image.fromarray(gray).reduce(factor))
    return small, (np.asarray(Image.fromarray(alt).reduce(factor)) if alt is not None else None)


def _from_jpeg(data: bytes, img: PILImage.Image, factor: int, work_pixels: int) -> Loaded:
    """A JPEG decoded by libjpeg at 1/2, 1/4 or 1/8 size (and to gray) when it is large."""
    width, height = img.size
    power = 1
    while power < factor:
        power *= 2

    def load(scale: int) -> tuple[Gray, Gray | None]:
        pic = img if scale == power else open_image(data)
        if pic.mode in ("RGB", "CMYK", "YCbCr"):
            pic.draft("L", (max(1, width // scale), max(1, height // scale)))
        pair = _decoded(pic)
        rest = reduction(pair[0].shape[1], pair[0].shape[0], work_pixels) if scale > 1 else 1
        return _shrink(pair, rest)

    pair = _guarded(lambda: load(power))
    full = None if power == 1 else (lambda: _guarded(lambda: load(1)))
    return Loaded(pair[0], pair[1], (width, height), full)


def flatten(pair: tuple[Gray, Gray | None]) -> tuple[Gray, Gray | None]:
    """(gray, alpha or None) -> (gray on white, gray on black when really transparent)."""
    gray, alpha = pair
    return (gray, None) if alpha is None else _composite(gray, alpha)


def _decoded(img: PILImage.Image) -> tuple[Gray, Gray | None]:
    """Gray pixels of an image we opened, whose memory is given back as soon as they exist."""
    try:
        pic, orientation = _prepare(img)
        pair = pil_to_gray(pic)
    finally:
        img.close()
    return _oriented(pair, orientation)


def load(
    source: object, *, max_bytes: int, max_pixels: int, work_pixels: int, max_decoded_bytes: int = MAX_DECODED_BYTES
) -> Loaded:
    """Read ``source`` within the limits; gray at the working size, full size on demand."""
    with needs("decoding images"):
        import numpy  # noqa: F401  # every path below needs it
        from PIL import Image
    got = read_source(source, max_bytes)
    if isinstance(got, bytes):
        img = open_image(got)
        check_pixels(img.width, img.height, max_pixels)
        check_decoded(img, max_decoded_bytes)
        if img.format == "JPEG":
            factor = reduction(img.width, img.height, work_pixels)
            return _checked(_from_jpeg(got, img, factor, work_pixels))
        pair = _guarded(lambda: _decoded(img))
    elif isinstance(got, Image.Image):
        if got.format is not None and got.format not in FORMATS:
            raise ImageError(
                f"a PIL image in format {got.format} is not read",
                hint=f"convert it to one of {', '.join(FORMATS)}, or pass it converted to RGB",
            )
        check_pixels(got.width, got.height, max_pixels)
        check_decoded(got, max_decoded_bytes)
        pic = got

        def step() -> tuple[Gray, Gray | None]:
            prepared, orientation = _prepare(pic)
            return _oriented(pil_to_gray(prepared), orientation)

        pair = _guarded(step)
    else:
        pair = array_to_gray(got, max_pixels)
    height, width = pair[0].shape
    factor = reduction(width, height, work_pixels)
    if factor == 1:
        return _checked(Loaded(pair[0], pair[1], (width, height), None))
    small = _shrink(pair, factor)
    return _checked(Loaded(small[0], small[1], (width, height), lambda: pair))


def _checked(loaded: Loaded) -> Loaded:
    width, height = loaded.size
    if width < 8 or height < 8:
        raise NoQRCodeFound(f"the image is only {width}x{height} pixels: too small to hold a QR code")
    return loaded
