"""qriskit 0.1.0's image module, frozen: the "before" of the image benchmark.

``benchmarks/bench_image.py`` times it side by side with ``qriskit.images`` (decoding the
degraded set, loading a phone JPEG, encoding PNG and SVG), so that every run shows the
before and the after. It is the module as it was at commit 442f416, with its imports
pointed at the installed package; it drives segno's private encoder internals, which
qriskit itself no longer does. Benchmark use only.
"""

# ruff: noqa
# mypy: ignore-errors

from __future__ import annotations

import base64
import binascii
import io
import os
import re
from typing import TYPE_CHECKING, Any, Literal, NamedTuple

from qriskit.errors import ImageError, NoQRCodeFound, QRISError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from PIL import Image as PILImage

    from qriskit.decoders import Decoder

__all__ = [
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "Converted",
    "convert_image",
    "decode_image",
    "decode_images",
    "encode_image",
]

#: Refuse inputs larger than this many bytes (compressed file size).
MAX_IMAGE_BYTES = 50 * 1024 * 1024
#: Refuse images with more pixels than this (decompression-bomb guard; 40 MP = 7300 x 5470).
MAX_IMAGE_PIXELS = 40_000_000

ImageKind = Literal["png", "svg", "data-uri", "text", "pil"]
_KINDS = ("png", "svg", "data-uri", "text", "pil")
_PIL_MISSING = 'install the image extra: pip install "qriskit[image]"'
_B64_RE = re.compile(r"^[A-Za-z0-9+/_\-\s]+={0,2}\s*$")


# --------------------------------------------------------------------------- loading


def _need_pil() -> Any:
    try:
        from PIL import Image
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImageError("Pillow is not installed", hint=_PIL_MISSING) from exc
    return Image


def _read_limited(fh: Any, max_bytes: int, what: str) -> bytes:
    data = fh.read(max_bytes + 1)
    if not isinstance(data, (bytes, bytearray)):
        raise TypeError(f"{what} must be opened in binary mode (read() gave {type(data).__name__})")
    if len(data) > max_bytes:
        raise ImageError(
            f"{what} is larger than the limit of {max_bytes} bytes",
            hint="pass max_bytes= to raise the limit if the file is trusted",
        )
    return bytes(data)


def _decode_text_source(text: str, max_bytes: int) -> bytes | str:
    """A str source: a data URI, an existing path, or base64.  Returns bytes or a path."""
    s = text.strip()
    if s[:5].lower() == "data:":
        head, sep, body = s.partition(",")
        if not sep:
            raise ImageError("malformed data URI: no ',' before the data")
        if ";base64" not in head.lower():
            from urllib.parse import unquote_to_bytes

            data = unquote_to_bytes(body)
        else:
            data = _b64(body)
        if len(data) > max_bytes:
            raise ImageError(f"data URI holds more than the limit of {max_bytes} bytes")
        return data
    if len(s) < 4096 and "\n" not in s and os.path.exists(s):
        return s
    if s.startswith("000201"):
        raise ImageError(
            "got a QRIS payload string where an image was expected",
            hint="use qriskit.parse() for payload text; decode_image() takes a picture",
        )
    if len(s) >= 16 and _B64_RE.match(s):
        if len(s) * 3 // 4 > max_bytes:
            raise ImageError(f"base64 data is larger than the limit of {max_bytes} bytes")
        return _b64(s)
    raise ImageError(
        f"no such image file: {text[:80]!r}",
        hint="pass a path to an existing file, bytes, a file object, base64 or a data: URI",
    )


def _b64(text: str) -> bytes:
    t = "".join(text.split())
    t += "=" * (-len(t) % 4)
    try:
        if "-" in t or "_" in t:
            return base64.urlsafe_b64decode(t)
        return base64.b64decode(t, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ImageError(f"invalid base64 image data ({exc})") from exc


def _open(source: Any, max_bytes: int, max_pixels: int) -> Any:
    """Return an opened (not yet loaded) PIL image, or a numpy array passed through."""
    Image = _need_pil()
    if isinstance(source, Image.Image):
        return source
    if type(source).__module__ == "numpy" or hasattr(source, "__array_interface__"):
        return source
    if isinstance(source, os.PathLike):
        source = os.fspath(source)
    if isinstance(source, str):
        source = _decode_text_source(source, max_bytes)
    if isinstance(source, str):  # an existing path
        try:
            size = os.path.getsize(source)
        except OSError as exc:
            raise ImageError(f"cannot read {source!r}: {exc.strerror or exc}") from exc
        if size > max_bytes:
            raise ImageError(
                f"{source!r} is {size} bytes, over the limit of {max_bytes}",
                hint="pass max_bytes= to raise the limit if the file is trusted",
            )
        with open(source, "rb") as fh:
            data = fh.read()
    elif isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
        if len(data) > max_bytes:
            raise ImageError(
                f"image data is {len(data)} bytes, over the limit of {max_bytes}",
                hint="pass max_bytes= to raise the limit if the data is trusted",
            )
    elif hasattr(source, "read"):
        data = _read_limited(source, max_bytes, "the file object")
    else:
        raise TypeError(
            "decode_image() takes a path, bytes, a binary file object, base64/data URI, "
            f"a PIL image or a numpy array, not {type(source).__name__}"
        )
    if not data:
        raise ImageError("the image data is empty")
    try:
        img = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from exc
    except Image.UnidentifiedImageError as exc:
        hint = "supported: PNG, JPEG, GIF, WebP, BMP, TIFF and whatever else Pillow reads"
        if data[:6] == b"000201":
            hint = "this looks like a QRIS payload, not an image: use qriskit.parse()"
        raise ImageError(f"cannot identify the image format of {len(data)} bytes", hint=hint) from exc
    except Exception as exc:  # SyntaxError, OSError from broken headers...
        raise ImageError(f"the image header is broken ({type(exc).__name__}: {exc})") from exc
    return img


def _check_pixels(width: int, height: int, max_pixels: int) -> None:
    if width <= 0 or height <= 0:
        raise ImageError(f"the image is empty ({width}x{height} pixels)")
    if width * height > max_pixels:
        raise ImageError(
            f"image of {width}x{height} = {width * height} pixels is over the limit "
            f"of {max_pixels} (decompression-bomb guard)",
            hint="pass max_pixels= to raise the limit if the image is trusted",
        )


def _stretch(arr: np.ndarray) -> np.ndarray:
    """Any numeric array -> uint8 spanning its own range (16-bit, float, int32)."""
    import numpy as np

    if arr.dtype == np.uint8:
        return arr
    if arr.dtype == bool:
        return arr.astype(np.uint8) * 255
    a = arr.astype(np.float32, copy=False)
    if arr.dtype.kind == "f" and 0.0 <= float(a.min()) and float(a.max()) <= 1.0:
        return (a * 255.0 + 0.5).astype(np.uint8)
    lo, hi = float(a.min()), float(a.max())
    if hi <= lo:
        return np.full(a.shape, 255 if hi > 0 else 0, np.uint8)
    return ((a - lo) * (255.0 / (hi - lo)) + 0.5).astype(np.uint8)


def _composite(gray: np.ndarray, alpha: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Flatten gray+alpha on white; also on black when the picture is really transparent."""
    import numpy as np

    if int(alpha.min()) == 255:
        return gray, None
    g = gray.astype(np.uint16)
    a = alpha.astype(np.uint16)
    on_black = (g * a + 127) // 255
    on_white = on_black + (255 - a)
    return on_white.astype(np.uint8), on_black.astype(np.uint8)


def _array_to_gray(arr: Any) -> tuple[np.ndarray, np.ndarray | None]:
    import numpy as np

    a = np.asarray(arr)
    if a.ndim == 3 and a.shape[2] == 1:
        a = a[:, :, 0]
    if a.ndim == 2:
        _check_pixels(a.shape[1], a.shape[0], 1 << 62)
        return np.ascontiguousarray(_stretch(a)), None
    if a.ndim != 3 or a.shape[2] not in (2, 3, 4):
        raise ImageError(
            f"cannot use an array of shape {a.shape} as an image",
            hint="pass H x W (gray), H x W x 3 (RGB) or H x W x 4 (RGBA)",
        )
    _check_pixels(a.shape[1], a.shape[0], 1 << 62)
    channels = a.shape[2]
    a8 = _stretch(a) if a.dtype != np.uint8 else a
    if channels == 2:
        gray, alpha = a8[:, :, 0], a8[:, :, 1]
    else:
        rgb = a8[:, :, :3].astype(np.uint32)
        # ITU-R 601-2 luma, the same integer weights Pillow uses for convert("L")
        gray = ((rgb[:, :, 0] * 19595 + rgb[:, :, 1] * 38470 + rgb[:, :, 2] * 7471 + 0x8000) >> 16).astype(np.uint8)
        alpha = a8[:, :, 3] if channels == 4 else None
    if alpha is not None:
        gray, alt = _composite(gray, alpha)
        return np.ascontiguousarray(gray), alt
    return np.ascontiguousarray(gray), None


def _pil_to_gray(img: Any, max_pixels: int) -> tuple[np.ndarray, np.ndarray | None]:
    """A PIL image (opened) -> 8-bit gray array, plus the on-black variant if transparent."""
    import numpy as np
    from PIL import Image, ImageOps

    _check_pixels(img.width, img.height, max_pixels)
    try:
        if getattr(img, "format", None) == "JPEG" and img.mode in ("RGB", "CMYK", "YCbCr"):
            img.draft("L", img.size)  # let libjpeg produce gray directly: no colour pass
        if getattr(img, "is_animated", False):
            img.seek(0)
        orientation = img.getexif().get(0x0112, 1) if hasattr(img, "getexif") else 1
        img.load()
        if orientation not in (1, None):
            img = ImageOps.exif_transpose(img)
    except Image.DecompressionBombError as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from exc
    except (OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"cannot read the image data: {exc}") from exc
    mode = img.mode
    if mode in ("L", "1"):
        return np.asarray(img.convert("L") if mode == "1" else img), None
    if mode.startswith(("I", "F")):  # I;16, I;16B, I, F: stretch to 8-bit
        return np.ascontiguousarray(_stretch(np.asarray(img))), None
    has_alpha = mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if has_alpha:
        la = np.asarray(img.convert("RGBA").convert("LA") if mode not in ("LA", "RGBA") else img.convert("LA"))
        gray, alt = _composite(la[:, :, 0], la[:, :, 1])
        return np.ascontiguousarray(gray), alt
    return np.asarray(img.convert("L")), None


def _load_gray(source: Any, max_bytes: int, max_pixels: int) -> tuple[np.ndarray, np.ndarray | None]:
    img = _open(source, max_bytes, max_pixels)
    Image = _need_pil()
    if isinstance(img, Image.Image):
        gray, alt = _pil_to_gray(img, max_pixels)
    else:
        try:
            import numpy  # noqa: F401
        except ImportError as exc:  # pragma: no cover
            raise ImageError("numpy is not installed", hint=_PIL_MISSING) from exc
        gray, alt = _array_to_gray(img)
        _check_pixels(gray.shape[1], gray.shape[0], max_pixels)
    if gray.shape[0] < 8 or gray.shape[1] < 8:
        raise NoQRCodeFound(f"the image is only {gray.shape[1]}x{gray.shape[0]} pixels: too small to hold a QR code")
    return gray, alt


# --------------------------------------------------------------------------- decoding


def _payment_problem(text: str) -> str | None:
    """None when ``text`` is a valid EMV payment payload (CRC checked), else why not."""
    from qriskit import parse

    try:
        parse(text)
    except QRISError as exc:
        return str(exc)
    return None


def _variants(gray: np.ndarray, alt: np.ndarray | None, retry: bool) -> Any:
    """Yield (label, array) pairs: the image itself, then cheap Pillow variants."""
    import numpy as np

    yield "original", gray
    if alt is not None:
        yield "transparency on black", alt
    if not retry:
        return
    from PIL import Image, ImageFilter, ImageOps

    img = Image.fromarray(gray)
    h, w = gray.shape
    side = max(h, w)
    if side <= 1400:
        yield "upscale x2", np.asarray(img.resize((w * 2, h * 2), Image.Resampling.BICUBIC))
    if min(h, w) >= 240:
        yield "downscale /2", np.asarray(img.reduce(2))
    yield "median 3", np.asarray(img.filter(ImageFilter.MedianFilter(3)))
    yield "equalize", np.asarray(ImageOps.equalize(img))
    if side <= 1400:
        big = img.resize((w * 2, h * 2), Image.Resampling.BICUBIC)
        yield "upscale x2 + median 5", np.asarray(big.filter(ImageFilter.MedianFilter(5)))
    if min(h, w) >= 480:
        yield "downscale /4", np.asarray(img.reduce(4))
    yield "median 5", np.asarray(img.filter(ImageFilter.MedianFilter(5)))
    yield "inverted", np.asarray(ImageOps.invert(img))


def _steps(dec: Decoder, gray: np.ndarray, alt: np.ndarray | None, retry: bool, quick: bool) -> Any:
    """Yield (label, decoder, array).  The default cascade starts with a quick zxing-cpp
    pass (no rotate/downscale/invert search) that reads clean pictures in about half the
    time, then the full pass, then the variants."""
    from qriskit.decoders import ZXingDecoder

    if quick and retry and isinstance(dec, ZXingDecoder) and not dec.fast:
        yield "quick pass", _quick_zxing(dec), gray
    for label, arr in _variants(gray, alt, retry):
        yield label, dec, arr


_QUICK: dict[str, Decoder] = {}


def _quick_zxing(dec: Any) -> Decoder:
    from qriskit.decoders import ZXingDecoder

    quick = _QUICK.get(dec.binarizer)
    if quick is None:
        quick = _QUICK.setdefault(dec.binarizer, ZXingDecoder(binarizer=dec.binarizer, fast=True))
    return quick


def _scan(
    source: Any,
    decoder: str | Decoder | None,
    retry: bool | None,
    max_bytes: int,
    max_pixels: int,
    payment_only: bool,
) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    """Run the decoder (and, with retry, the variants).

    Returns (texts found in order, labels tried, [(text, problem)] for rejected texts).
    With ``payment_only`` the scan stops at the first step that yields a valid payload;
    otherwise at the first step that yields any QR code.
    """
    import numpy as np

    from qriskit.decoders import get_decoder

    dec = get_decoder(decoder)
    if retry is None:
        retry = decoder is None
    gray, alt = _load_gray(source, max_bytes, max_pixels)
    found: list[str] = []
    tried: list[str] = []
    rejected: dict[str, str] = {}
    # the quick pass serves decode_image; decode_images wants every code, so starts full
    for label, step_dec, arr in _steps(dec, gray, alt, retry, payment_only):
        tried.append(label)
        texts = step_dec.decode(np.ascontiguousarray(arr))
        for t in texts:
            if t not in found:
                found.append(t)
        if payment_only:
            good = False
            for t in texts:
                if t in rejected:
                    continue
                problem = _payment_problem(t)
                if problem is None:
                    good = True
                else:
                    rejected[t] = problem
            if good:
                break
        elif found:
            break
    return found, [f"{dec.name}: {label}" for label in tried], list(rejected.items())


def decode_images(
    source: Any,
    *,
    decoder: str | Decoder | None = None,
    retry: bool | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> list[str]:
    """Return the text of every QR code found in the picture ([] when there is none).

    Texts are returned as read (payment payload or not), without duplicates.
    ``decoder``: "zxing-cpp" (default), "opencv", "zbar" or a :class:`~qriskit.decoders.Decoder`.
    ``retry``: try cheap image variants when the plain read finds nothing (default: on for
    the default decoder only).  Raises :class:`~qriskit.errors.ImageError` when the source
    cannot be read or is over ``max_bytes`` / ``max_pixels``.
    """
    found, _tried, _rejected = _scan(source, decoder, retry, max_bytes, max_pixels, False)
    return found


def decode_image(
    source: Any,
    *,
    decoder: str | Decoder | None = None,
    retry: bool | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
) -> str:
    """Return the one EMV payment payload (CRC checked) shown in the picture.

    Other QR codes in the picture (a URL, a Wi-Fi code) are ignored.  Raises
    :class:`~qriskit.errors.NoQRCodeFound` when no valid payment code is found (saying what
    was tried and why any codes found were refused) and :class:`~qriskit.errors.ImageError`
    when the picture holds several different valid payment codes, or cannot be read.
    Options as for :func:`decode_images`.
    """
    found, tried, rejected = _scan(source, decoder, retry, max_bytes, max_pixels, True)
    bad = dict(rejected)
    valid = [t for t in found if t not in bad and _payment_problem(t) is None]
    if len(valid) == 1:
        return valid[0]
    if len(valid) > 1:
        raise ImageError(
            f"the picture holds {len(valid)} different valid payment QR codes",
            hint="crop it to one code, or use decode_images() to get them all",
        )
    tried_s = ", ".join(tried)
    if rejected:
        why = "; ".join(f"{_short(t)}: {p}" for t, p in rejected[:3])
        raise NoQRCodeFound(
            f"found {len(rejected)} QR code(s) but no valid EMV payment payload ({why})",
            hint=f"tried {tried_s}",
        )
    raise NoQRCodeFound(
        "no QR code found in the picture",
        hint=f"tried {tried_s}; a sharper, closer or better-lit picture may help",
    )


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")


# --------------------------------------------------------------------------- encoding

_NUM = frozenset("0123456789")
_ALNUM = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")
# data-bit capacity of versions 9 and 26 (the char-count field widths change after them)
_CAP_V9 = {"l": 1856, "m": 1456, "q": 1056, "h": 800}
_CAP_V26 = {"l": 10960, "m": 8496, "q": 6032, "h": 4768}
# character-count field width per mode for versions 1-9, 10-26, 27-40
_CC_BITS = {"byte": (8, 16, 16), "alphanumeric": (9, 11, 13), "numeric": (10, 12, 14)}


def _segment_modes(text: str, vclass: int) -> tuple[list[tuple[str, str]], int]:
    """Optimal numeric / alphanumeric / byte segmentation (Nayuki's DP, costs in 1/6 bit)
    of an ASCII ``text`` for versions of class ``vclass`` (0: 1-9, 1: 10-26, 2: 27-40).

    Returns ([(chunk, mode), ...], total bits).
    """
    modes = ("byte", "alphanumeric", "numeric")
    head = [(4 + _CC_BITS[m][vclass]) * 6 for m in modes]
    inf = 1 << 60
    prev = head[:]
    back: list[tuple[int, int, int]] = []
    for c in text:
        cur = [prev[0] + 48, inf, inf]
        src = [0, -1, -1]
        if c in _ALNUM:
            cur[1] = prev[1] + 33
            src[1] = 1
        if c in _NUM:
            cur[2] = prev[2] + 20
            src[2] = 2
        # switching: close the segment in mode k after this char, open mode j
        base = cur[:]
        for j in range(3):
            for k in range(3):
                if src[k] < 0:
                    continue
                cost = (base[k] + 5) // 6 * 6 + head[j]
                if src[j] < 0 or cost < cur[j]:
                    cur[j] = cost
                    src[j] = k
        back.append((src[0], src[1], src[2]))
        prev = cur
    # best final mode, then trace back which mode each char was written in
    end = min((i for i in range(3) if not back or back[-1][i] >= 0), key=lambda i: prev[i])
    per_char: list[int] = [0] * len(text)
    mode = end
    for i in range(len(text) - 1, -1, -1):
        mode = back[i][mode]
        per_char[i] = mode
    segs: list[tuple[str, str]] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or per_char[i] != per_char[start]:
            segs.append((text[start:i], modes[per_char[start]]))
            start = i
    return segs, (prev[end] + 5) // 6


def _segments(payload: str, error: str) -> tuple[list[tuple[str, int, str | None]], bool]:
    """segno content list [(chunk, mode, encoding)] and whether ECI is needed.

    ASCII payloads get the shortest mix of numeric / alphanumeric / byte segments.  A
    non-ASCII payload becomes one UTF-8 byte segment behind an ECI 26 designator: OpenCV,
    for one, cannot read ECI combined with several segments, and such codes are rare.
    """
    from segno import consts

    if not payload.isascii():
        return [(payload, consts.MODE_BYTE, "utf-8")], True
    segs, bits = _segment_modes(payload, 0)
    if bits > _CAP_V9[error]:
        segs, bits = _segment_modes(payload, 1)
        if bits > _CAP_V26[error]:
            segs, bits = _segment_modes(payload, 2)

    code = {
        "byte": consts.MODE_BYTE,
        "alphanumeric": consts.MODE_ALPHANUMERIC,
        "numeric": consts.MODE_NUMERIC,
    }
    return [(chunk, code[m], None) for chunk, m in segs], False


def _make_qr(payload: str, error: str = "m") -> Any:
    """A segno QRCode for ``payload``: make_qr semantics, with a numpy mask search."""
    import segno

    if not isinstance(payload, str):
        raise TypeError(f"payload must be str, not {type(payload).__name__}")
    if not payload:
        raise ValueError("cannot encode an empty payload")
    err = error.lower() if isinstance(error, str) else error
    if err not in _CAP_V9:
        raise ValueError(f"error must be one of 'l', 'm', 'q', 'h', not {error!r}")
    content, eci = _segments(payload, err)
    try:
        return _fast_make_qr(content, err, eci)
    except (ImportError, AttributeError):  # segno's encoder internals moved: public API
        return segno.make_qr(content, error=err, boost_error=False, eci=eci, encoding="utf-8" if eci else None)


_FUNC_CACHE: dict[int, Any] = {}


def _fast_make_qr(content: list[tuple[str, int, str | None]], error: str, eci: bool) -> Any:
    """segno's encoder pipeline with the 8-mask evaluation done in numpy.

    Produces exactly the matrix ``segno.make_qr(content, error, boost_error=False, eci=eci)``
    produces (the tests compare them), about three times faster.
    """
    import numpy as np
    import segno
    from segno import consts
    from segno import encoder as enc

    segments = enc.prepare_data(content, None, None)
    error_int = enc.normalize_errorlevel(error)
    version = enc.find_version(segments, error_int, eci=eci, micro=False)
    buff = enc.Buffer()
    ver_range = enc.version_range(version)
    for segment in segments:
        enc.write_segment(buff, segment, None, ver_range, eci)
    capacity = consts.SYMBOL_CAPACITY[version][error_int]
    enc.write_terminator(buff, capacity, None, len(buff))
    enc.write_padding_bits(buff, version, len(buff))
    enc.write_pad_codewords(buff, version, capacity, len(buff))
    buff = enc.make_final_message(version, error_int, buff)
    width = enc.calc_matrix_size(version)
    matrix = enc.make_matrix(width, width)
    enc.add_finder_patterns(matrix, width, width)
    enc.add_alignment_patterns(matrix, width, width)
    enc.add_codewords(matrix, buff, version)

    cached = _FUNC_CACHE.get(version)
    if cached is None:
        fm = enc.make_matrix(width, width)
        enc.add_finder_patterns(fm, width, width)
        enc.add_alignment_patterns(fm, width, width)
        fm[-8][8] = 0x1
        region = np.frombuffer(b"".join(fm), np.uint8).reshape(width, width) > 1
        i, j = np.indices((width, width))
        pats = (
            (i + j) % 2 == 0,
            i % 2 == 0,
            j % 3 == 0,
            (i + j) % 3 == 0,
            (i // 2 + j // 3) % 2 == 0,
            (i * j) % 2 + (i * j) % 3 == 0,
            ((i * j) % 2 + (i * j) % 3) % 2 == 0,
            (((i + j) % 2) + (i * j) % 3) % 2 == 0,
        )
        cached = _FUNC_CACHE[version] = [(p & region).astype(np.uint8) for p in pats]
    base = np.frombuffer(b"".join(matrix), np.uint8).reshape(width, width)
    best_score, best_mask, best = None, 0, base
    for k, pat in enumerate(cached):
        m = base ^ pat
        score = _penalty(m)
        if best_score is None or score < best_score:
            best_score, best_mask, best = score, k, m
    final = tuple(bytearray(row.tobytes()) for row in best)
    enc.add_format_info(final, version, error_int, best_mask)
    enc.add_version_info(final, version)
    return segno.QRCode(enc.Code(final, version, error_int, best_mask, segments))


_N3 = bytes((1, 0, 1, 1, 1, 0, 1))


def _n3(seq: bytes, size: int) -> int:
    """segno's finder-like pattern rule (N3), same scan order and skips."""
    count = 0
    idx = seq.find(_N3)
    while idx != -1:
        offset = idx + 7
        if idx in (0, size - 7) or not any(seq[max(idx - 4, 0) : idx]) or not any(seq[offset : offset + 4]):
            count += 40
        else:
            offset = idx + 4
        idx = seq.find(_N3, offset)
    return count


def _penalty(m: np.ndarray) -> int:
    """ISO 18004 mask penalty N1+N2+N3+N4, computed exactly as segno's mask_scores."""
    import numpy as np

    size = m.shape[0]
    score = 0
    # N1: runs of >= 5 same-coloured modules in rows and columns score run - 2
    for a in (m, m.T):
        sep = np.full((size, 1), 2, np.uint8)
        flat = np.concatenate((a, sep), axis=1).ravel()
        change = np.flatnonzero(flat[1:] != flat[:-1]) + 1
        bounds = np.concatenate(([0], change, [flat.size]))
        runs = np.diff(bounds)
        long = runs[(runs >= 5) & (flat[bounds[:-1]] != 2)]
        score += int(long.sum()) - 2 * long.size
    # N2: 2x2 blocks of one colour score 3 each
    same = (m[1:, 1:] == m[1:, :-1]) & (m[1:, 1:] == m[:-1, 1:]) & (m[1:, 1:] == m[:-1, :-1])
    score += 3 * int(same.sum())
    # N3: 1:1:3:1:1 finder-like patterns with 4 light modules on one side
    rows = m.tobytes()
    cols = np.ascontiguousarray(m.T).tobytes()
    for buf in (rows, cols):
        if _N3 in buf:
            for r in range(size):
                line = buf[r * size : (r + 1) * size]
                if _N3 in line:
                    score += _n3(line, size)
    # N4: dark proportion away from 50 %
    percent = float(int(m.sum())) / (size * size)
    score += 10 * int(abs(percent * 100 - 50) / 5)
    return score


def _module_array(qr: Any, border: int) -> np.ndarray:
    """Dark-module matrix (uint8 0/1) with a quiet zone of ``border`` modules."""
    import numpy as np

    size = len(qr.matrix)
    m = np.frombuffer(b"".join(qr.matrix), np.uint8).reshape(size, size)
    if border:
        m = np.pad(m, border)
    return m


def _pil_image(m: np.ndarray, scale: int) -> Any:
    """PIL mode "1" image, white background, black modules, ``scale`` pixels per module."""
    import numpy as np
    from PIL import Image

    light = m == 0
    if scale > 1:
        light = np.repeat(np.repeat(light, scale, axis=0), scale, axis=1)
    return Image.fromarray(light)  # bool -> mode "1"


def _text(m: np.ndarray) -> str:
    """Half-block text (two module rows per line); light modules are drawn as blocks,
    which is what scans on a dark-background terminal (the usual case)."""
    chars = {(1, 1): "█", (1, 0): "▀", (0, 1): "▄", (0, 0): " "}
    rows = (1 - m).tolist()  # 1 = light
    if len(rows) % 2:
        rows.append([1] * len(rows[0]))
    lines = []
    for top, bottom in zip(rows[0::2], rows[1::2], strict=True):
        lines.append("".join(chars[(t, b)] for t, b in zip(top, bottom, strict=True)))
    return "\n".join(lines) + "\n"


def encode_image(
    payload: str,
    kind: ImageKind = "png",
    *,
    scale: int = 8,
    border: int = 4,
    error: str = "m",
    verify: bool = True,
) -> bytes | str | PILImage.Image:
    """Draw ``payload`` as a QR code.

    kind: ``"png"`` -> bytes (1-bit PNG), ``"svg"`` -> str, ``"data-uri"`` -> str
    (``data:image/png;base64,...``), ``"text"`` -> str (half blocks; light modules drawn,
    for dark terminals), ``"pil"`` -> a PIL image (mode "1").  ``scale`` is pixels per
    module, ``border`` the quiet zone in modules (4 by the standard), ``error`` the error
    correction level ("l", "m", "q", "h"; never boosted).  With ``verify`` (default) the
    payload must be a valid EMV payload (its CRC is checked); pass False to encode any text.
    """
    if kind not in _KINDS:
        raise ValueError(f"kind must be one of {', '.join(map(repr, _KINDS))}, not {kind!r}")
    if not isinstance(scale, int) or isinstance(scale, bool) or scale < 1:
        raise ValueError(f"scale must be a positive int (pixels per module), not {scale!r}")
    if not isinstance(border, int) or isinstance(border, bool) or border < 0:
        raise ValueError(f"border must be an int >= 0 (modules), not {border!r}")
    if not isinstance(payload, str):
        raise TypeError(f"payload must be str, not {type(payload).__name__}")
    if verify:
        problem = _payment_problem(payload)
        if problem is not None:
            from qriskit import errors

            raise errors.QRISError(
                f"refusing to encode an invalid payment payload: {problem}",
                hint="fix the payload, or pass verify=False to encode any text",
            )
    qr = _make_qr(payload, error)
    if kind == "svg":
        buf = io.BytesIO()
        qr.save(buf, kind="svg", scale=scale, border=border)
        return buf.getvalue().decode("utf-8")
    m = _module_array(qr, border)
    if kind == "text":
        return _text(m)
    img = _pil_image(m, scale)
    if kind == "pil":
        return img
    out = io.BytesIO()
    img.save(out, format="PNG", compress_level=1)
    png = out.getvalue()
    if kind == "png":
        return png
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --------------------------------------------------------------------------- convert


class Converted(NamedTuple):
    """Result of :func:`convert_image`: the dynamic payload and its image."""

    payload: str
    image: bytes | str | Any


_DECODE_OPTS = ("decoder", "retry", "max_bytes", "max_pixels")
_DYNAMIC_OPTS = ("tip", "reference")
_ENCODE_OPTS = ("kind", "scale", "border", "error")


def convert_image(source: Any, amount: Any, **options: Any) -> Converted:
    """Read the static QRIS in a picture and return ``(dynamic payload, its image)``.

    ``options``: ``tip``, ``reference`` (for :func:`qriskit.to_dynamic`); ``kind`` (default
    "png"), ``scale``, ``border``, ``error`` (for :func:`encode_image`); ``decoder``,
    ``retry``, ``max_bytes``, ``max_pixels`` (for :func:`decode_image`).
    """
    unknown = set(options) - set(_DECODE_OPTS + _DYNAMIC_OPTS + _ENCODE_OPTS)
    if unknown:
        raise TypeError(f"convert_image() got unexpected option(s): {', '.join(sorted(unknown))}")
    from qriskit import to_dynamic

    static = decode_image(source, **{k: options[k] for k in _DECODE_OPTS if k in options})
    dyn = to_dynamic(static, amount, **{k: options[k] for k in _DYNAMIC_OPTS if k in options})
    enc_opts = {k: options[k] for k in _ENCODE_OPTS if k in options}
    kind = enc_opts.pop("kind", "png")
    return Converted(dyn, encode_image(dyn, kind, verify=False, **enc_opts))
