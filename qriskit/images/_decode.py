"""Finding QR codes in a picture: the cascade of decoder passes, within a budget.

The picture is loaded within ``max_bytes``, ``max_pixels`` and ``max_decoded_bytes`` (see
``_load``), at most
``WORK_PIXELS`` for the first passes. With the default decoder a quick zxing-cpp pass (no
rotation / downscale / inversion search) reads clean pictures, then the full pass, then
cheap Pillow variants (upscale, downscale, median filters, equalisation, inversion). A
picture that was scaled down gets one more pass at full size when all that found nothing.
The passes stop at the first that yields what was asked for, or when ``timeout`` seconds
have gone by (checked between passes).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, NamedTuple

from ..errors import ImageError, NoQRCodeFound, QRISError
from ._backends import Decoder, ZXingDecoder, get_decoder
from ._deps import needs
from ._limits import DECODE_TIMEOUT, MAX_DECODED_BYTES, MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, WORK_PIXELS
from ._load import Loaded, load

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    Gray = npt.NDArray[np.uint8]


def payment_problem(text: str) -> str | None:
    """None when ``text`` is a valid EMV payment payload (CRC checked), else why not."""
    from .. import parse

    try:
        parse(text)
    except QRISError as exc:
        return str(exc)
    return None


#: Sizes (pixels of the working picture) up to which the costlier variants are tried: each
#: keeps a variant's own cost under about a quarter of a second on one core.
UPSCALE_PIXELS = 1_000_000
UPSCALE_MEDIAN_PIXELS = 500_000
MEDIAN5_PIXELS = 2_500_000


def _variants(gray: Gray, alt: Gray | None, retry: bool) -> Iterator[tuple[str, Gray]]:
    """(label, array) pairs: the picture itself, then cheap Pillow variants, made lazily."""
    import numpy as np

    yield "original", gray
    if alt is not None:
        yield "transparency on black", alt
    if not retry:
        return
    with needs("decoding images"):
        from PIL import Image, ImageFilter, ImageOps
    img = Image.fromarray(gray)
    h, w = gray.shape
    if w * h <= UPSCALE_PIXELS:
        yield "upscale x2", np.asarray(img.resize((w * 2, h * 2), Image.Resampling.BICUBIC))
    if min(h, w) >= 240:
        yield "downscale /2", np.asarray(img.reduce(2))
    yield "median 3", np.asarray(img.filter(ImageFilter.MedianFilter(3)))
    yield "equalize", np.asarray(ImageOps.equalize(img))
    if w * h <= UPSCALE_MEDIAN_PIXELS:
        big = img.resize((w * 2, h * 2), Image.Resampling.BICUBIC)
        yield "upscale x2 + median 5", np.asarray(big.filter(ImageFilter.MedianFilter(5)))
    if min(h, w) >= 480:
        yield "downscale /4", np.asarray(img.reduce(4))
    if w * h <= MEDIAN5_PIXELS:
        yield "median 5", np.asarray(img.filter(ImageFilter.MedianFilter(5)))
    yield "inverted", np.asarray(ImageOps.invert(img))


_QUICK: dict[str, ZXingDecoder] = {}


def _quick(dec: ZXingDecoder) -> ZXingDecoder:
    quick = _QUICK.get(dec.binarizer)
    if quick is None:
        quick = _QUICK.setdefault(dec.binarizer, ZXingDecoder(binarizer=dec.binarizer, fast=True))
    return quick


def _steps(dec: Decoder, loaded: Loaded, retry: bool, quick: bool) -> Iterator[tuple[str, Decoder, Gray]]:
    """(label, decoder, array) for each pass, the full-size one last."""
    if quick and retry and isinstance(dec, ZXingDecoder) and not dec.fast:
        yield "quick pass", _quick(dec), loaded.gray
    for label, arr in _variants(loaded.gray, loaded.alt, retry):
        yield label, dec, arr
    if loaded.full is not None:
        width, height = loaded.size
        full, alt = loaded.full()
        yield f"full size {width}x{height}", dec, full
        if alt is not None:
            yield "full size, transparency on black", dec, alt


class Scan(NamedTuple):
    found: list[str]  # texts read, in order, without duplicates
    tried: list[str]  # "decoder: pass" labels
    rejected: list[tuple[str, str]]  # (text, why it is not a valid payment payload)
    timed_out: bool


def _check_budget(max_bytes: object, max_pixels: object, max_decoded_bytes: object, timeout: object) -> float | None:
    for name, value in (("max_bytes", max_bytes), ("max_pixels", max_pixels), ("max_decoded_bytes", max_decoded_bytes)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"{name} must be a positive int, not {value!r}")
    if timeout is None:
        return None
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not timeout > 0 or math.isnan(timeout):
        raise ValueError(f"timeout must be a positive number of seconds or None, not {timeout!r}")
    return float(timeout)


def scan(
    source: object,
    decoder: str | Decoder | None,
    retry: bool | None,
    max_bytes: int,
    max_pixels: int,
    timeout: float | None,
    payment_only: bool,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
) -> Scan:
    """Run the passes. With ``payment_only`` stop at the first pass that yields a valid
    payment payload, else at the first that yields any QR code."""
    with needs("decoding images"):
        import numpy as np

    limit = _check_budget(max_bytes, max_pixels, max_decoded_bytes, timeout)
    deadline = None if limit is None else time.monotonic() + limit
    dec = get_decoder(decoder)
    if retry is None:
        retry = decoder is None
    loaded = load(
        source, max_bytes=max_bytes, max_pixels=max_pixels, work_pixels=WORK_PIXELS, max_decoded_bytes=max_decoded_bytes
    )
    found: list[str] = []
    tried: list[str] = []
    rejected: dict[str, str] = {}
    # the quick pass serves decode_image; decode_images wants every code, so starts full
    steps = _steps(dec, loaded, retry, payment_only)
    while True:
        if deadline is not None and time.monotonic() > deadline:
            return Scan(found, tried, list(rejected.items()), True)
        step = next(steps, None)
        if step is None:
            break
        label, step_dec, arr = step
        tried.append(f"{dec.name}: {label}")
        texts = step_dec.decode(np.ascontiguousarray(arr))
        for t in texts:
            if t not in found:
                found.append(t)
        if payment_only:
            good = False
            for t in texts:
                if t in rejected:
                    continue
                problem = payment_problem(t)
                if problem is None:
                    good = True
                else:
                    rejected[t] = problem
            if good:
                break
        elif found:
            break
    return Scan(found, tried, list(rejected.items()), False)


def _timed_out(timeout: float | None, tried: list[str]) -> NoQRCodeFound:
    return NoQRCodeFound(
        f"no QR code found before the time limit of timeout={timeout} s",
        hint=f"tried {', '.join(tried) or 'nothing'}; pass timeout= to allow more time",
    )


def decode_images(
    source: object,
    *,
    decoder: str | Decoder | None = None,
    retry: bool | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
    timeout: float | None = DECODE_TIMEOUT,
) -> list[str]:
    """Return the text of every QR code found in the picture ([] when there is none).

    Texts are returned as read (payment payload or not), without duplicates.
    ``decoder``: "zxing-cpp" (default), "opencv", "zbar" (``DECODERS``) or a
    :class:`Decoder`. ``retry``: try cheap image variants when the plain read finds
    nothing (default: on for the default decoder only). Limits: ``max_bytes`` read from the
    source (50 MiB), ``max_pixels`` (40 000 000), ``max_decoded_bytes`` the decoder may hold
    for the pixels (200 000 000: see ``MAX_DECODED_BYTES``), ``timeout`` seconds for the
    passes (5.0; None: no limit). Raises :class:`~qriskit.errors.ImageError` when the source cannot be
    read or is over a limit, naming it, and :class:`~qriskit.errors.NoQRCodeFound` when the
    time ran out before any code was found.
    """
    try:
        result = scan(source, decoder, retry, max_bytes, max_pixels, timeout, False, max_decoded_bytes)
    except NoQRCodeFound:  # the picture is too small to hold a code: none in it
        return []
    if result.timed_out and not result.found:
        raise _timed_out(timeout, result.tried)
    return result.found


def decode_image(
    source: object,
    *,
    decoder: str | Decoder | None = None,
    retry: bool | None = None,
    max_bytes: int = MAX_IMAGE_BYTES,
    max_pixels: int = MAX_IMAGE_PIXELS,
    max_decoded_bytes: int = MAX_DECODED_BYTES,
    timeout: float | None = DECODE_TIMEOUT,
) -> str:
    """Return the one EMV payment payload (CRC checked) shown in the picture.

    Other QR codes in the picture (a URL, a Wi-Fi code) are ignored. Raises
    :class:`~qriskit.errors.NoQRCodeFound` when no valid payment code is found (saying what
    was tried, why any codes found were refused, or that ``timeout`` ran out) and
    :class:`~qriskit.errors.ImageError` when the picture holds several different valid
    payment codes, or cannot be read, or is over ``max_bytes`` / ``max_pixels`` /
    ``max_decoded_bytes``.
    Options and limits as for :func:`decode_images`.
    """
    result = scan(source, decoder, retry, max_bytes, max_pixels, timeout, True, max_decoded_bytes)
    bad = dict(result.rejected)
    valid = [t for t in result.found if t not in bad and payment_problem(t) is None]
    if len(valid) == 1:
        return valid[0]
    if len(valid) > 1:
        raise ImageError(
            f"the picture holds {len(valid)} different valid payment QR codes",
            hint="crop it to one code, or use decode_images() to get them all",
        )
    tried = ", ".join(result.tried)
    if result.rejected:
        why = "; ".join(f"{_short(t)}: {p}" for t, p in result.rejected[:3])
        limit = f" before the time limit of timeout={timeout} s" if result.timed_out else ""
        raise NoQRCodeFound(
            f"found {len(result.rejected)} QR code(s) but no valid EMV payment payload{limit} ({why})",
            hint=f"tried {tried}",
        )
    if result.timed_out:
        raise _timed_out(timeout, result.tried)
    raise NoQRCodeFound(
        "no QR code found in the picture",
        hint=f"tried {tried}; a sharper, closer or better-lit picture may help",
    )


def _short(text: str, n: int = 40) -> str:
    return repr(text if len(text) <= n else text[: n - 3] + "...")
