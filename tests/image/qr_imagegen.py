"""Generate QRIS payloads and QR pictures, clean and damaged, for the image tests and the
image benchmark (``benchmarks/bench_image.py`` imports this file by path).

Everything is deterministic for a given seed.  The QR symbols are drawn straight from
segno's module matrix, independently of ``qriskit.image.encode_image``, so a bug in the
encoder cannot hide a bug in the decoder.
"""

from __future__ import annotations

import binascii
import io
import math
import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

BASE = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200176114730303UMI520454115303360"
)
NAMES = ["Toko Sejahtera", "Warung Bu Sri", "Kopi Kenangan", "Bakso Pak Min", "Apotek Sehat"]
CITIES = ["Jakarta", "Bandung", "Surabaya", "Medan", "Denpasar"]


def with_crc(body: str) -> str:
    """Append tag 63 (``6304`` + CRC-16/CCITT-FALSE over the UTF-8 bytes)."""
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


def tlv(tag: str, value: str) -> str:
    """One data object; EMV lengths count characters."""
    return f"{tag}{len(value):02d}{value}"


def make_payload(
    name: str = "Toko Sejahtera",
    city: str = "Jakarta",
    amount: str | None = None,
    postal: str = "12340",
    label: str = "A01",
) -> str:
    """A valid QRIS payload (static, or dynamic when ``amount`` is given)."""
    body = BASE.replace("010211", "010212") if amount else BASE
    if amount:
        body += tlv("54", amount)
    body += tlv("58", "ID") + tlv("59", name) + tlv("60", city) + tlv("61", postal)
    body += tlv("62", tlv("07", label))
    return with_crc(body)


SAMPLE = make_payload()
SAMPLE_UTF8 = make_payload(name="Café Crème Brûlée", city="Yogyakarta")


def payloads(n: int, seed: int = 0) -> list[str]:
    """``n`` varied valid payloads (static and dynamic, various lengths)."""
    rnd = random.Random(seed)
    out = []
    for i in range(n):
        amount = None if i % 3 == 0 else str(rnd.randint(1, 9_999_999)) + rnd.choice(["", ".00"])
        out.append(
            make_payload(
                name=rnd.choice(NAMES),
                city=rnd.choice(CITIES),
                amount=amount,
                postal=f"{rnd.randint(10000, 99999)}",
                label=f"T{rnd.randint(0, 10 ** rnd.randint(1, 12))}",
            )
        )
    return out


def modules(text: str, border: int = 4, error: str = "m") -> np.ndarray:
    """Dark-module matrix (uint8 0/1) of ``text`` with a quiet zone, via segno."""
    import segno

    qr = segno.make_qr(text, error=error, boost_error=False)
    size = len(qr.matrix)
    m = np.frombuffer(b"".join(qr.matrix), np.uint8).reshape(size, size)
    return np.pad(m, border)


def render(text: str, px: int = 6, border: int = 4, dark: int = 0, light: int = 255) -> Image.Image:
    """A clean grayscale picture of the QR code, ``px`` pixels per module."""
    m = modules(text, border)
    arr = np.where(m == 1, dark, light).astype(np.uint8)
    arr = np.repeat(np.repeat(arr, px, axis=0), px, axis=1)
    return Image.fromarray(arr)


# --------------------------------------------------------------------------- damage


def rotate(img: Image.Image, angle: float) -> Image.Image:
    return img.convert("L").rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)


def downscale(text: str, px_per_module: float) -> Image.Image:
    """Render large, then shrink with area averaging to ``px_per_module`` (anti-aliased)."""
    big = render(text, px=10)
    n = big.width / 10
    side = max(1, round(n * px_per_module))
    return big.resize((side, side), Image.Resampling.BOX)


def blur(img: Image.Image, radius: float) -> Image.Image:
    return img.filter(ImageFilter.GaussianBlur(radius))


def noise(img: Image.Image, sigma: float, rnd: random.Random) -> Image.Image:
    g = np.random.default_rng(rnd.randrange(1 << 30))
    a = np.asarray(img.convert("L"), np.float32) + g.normal(0, sigma, (img.height, img.width))
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def salt_pepper(img: Image.Image, frac: float, rnd: random.Random) -> Image.Image:
    g = np.random.default_rng(rnd.randrange(1 << 30))
    a = np.array(img.convert("L"))
    r = g.random(a.shape)
    a[r < frac / 2] = 0
    a[r > 1 - frac / 2] = 255
    return Image.fromarray(a)


def jpeg(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.convert("RGB" if img.mode not in ("L", "RGB") else img.mode).save(out, "JPEG", quality=quality)
    return out.getvalue()


def encoded(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


def invert(img: Image.Image) -> Image.Image:
    return Image.fromarray(255 - np.asarray(img.convert("L")))


def transparent(text: str, px: int = 5, inverted: bool = False) -> Image.Image:
    """RGBA: opaque dark modules on a fully transparent background (or light on clear)."""
    m = modules(text)
    m = np.repeat(np.repeat(m, px, axis=0), px, axis=1)
    rgba = np.zeros((*m.shape, 4), np.uint8)
    if inverted:
        rgba[..., :3] = 255
        rgba[..., 3] = np.where(m == 0, 255, 0)
    else:
        rgba[..., 3] = np.where(m == 1, 255, 0)
    return Image.fromarray(rgba)


def _perspective_coeffs(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> list:
    rows = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(rows, float)
    b = np.array([c for p in src for c in p], float)
    return np.linalg.solve(a, b).tolist()


def perspective(img: Image.Image, strength: float, rnd: random.Random) -> Image.Image:
    """Tilt: move the corners inward by up to ``strength`` of the side."""
    img = img.convert("L")
    w, h = img.size
    pad = int(w * 0.15)
    canvas = Image.new("L", (w + 2 * pad, h + 2 * pad), 255)
    canvas.paste(img, (pad, pad))
    W, H = canvas.size
    src = [(pad, pad), (pad + w, pad), (pad + w, pad + h), (pad, pad + h)]

    def j() -> float:
        return rnd.uniform(0, strength) * w

    dst = [
        (pad + j(), pad + j()),
        (pad + w - j(), pad + j()),
        (pad + w - j(), pad + h - j()),
        (pad + j(), pad + h - j()),
    ]
    coeffs = _perspective_coeffs(src, dst)
    return canvas.transform((W, H), Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC, fillcolor=255)


def illumination(img: Image.Image, rnd: random.Random, depth: float = 0.6) -> Image.Image:
    """A shadow gradient across the picture (dark side at ``1 - depth`` brightness)."""
    a = np.asarray(img.convert("L"), np.float32)
    h, w = a.shape
    ang = rnd.uniform(0, 2 * math.pi)
    y, x = np.mgrid[0:h, 0:w]
    t = (np.cos(ang) * (x / w - 0.5) + np.sin(ang) * (y / h - 0.5)) + 0.5
    gain = 1 - depth * np.clip(t, 0, 1)
    return Image.fromarray(np.clip(a * gain, 0, 255).astype(np.uint8))


def contrast(img: Image.Image, dark: int, light: int) -> Image.Image:
    a = np.asarray(img.convert("L"), np.float32) / 255.0
    return Image.fromarray((dark + a * (light - dark)).astype(np.uint8))


def motion_blur(img: Image.Image, length: int, rnd: random.Random) -> Image.Image:
    a = np.asarray(img.convert("L"), np.float32)
    ang = rnd.uniform(0, math.pi)
    dx, dy = math.cos(ang), math.sin(ang)
    acc = np.zeros_like(a)
    for k in range(length):
        s = k - length // 2
        acc += np.roll(np.roll(a, round(s * dy), axis=0), round(s * dx), axis=1)
    return Image.fromarray((acc / length).astype(np.uint8))


def occlude(img: Image.Image, frac: float, rnd: random.Random) -> Image.Image:
    """A logo-like blob over the centre, covering ``frac`` of the symbol's area."""
    img = img.convert("RGB")
    w, h = img.size
    side = int(math.sqrt(frac) * w * 0.8)
    cx, cy = w // 2 + rnd.randint(-w // 20, w // 20), h // 2 + rnd.randint(-h // 20, h // 20)
    d = ImageDraw.Draw(img)
    colour = tuple(rnd.randint(0, 255) for _ in range(3))
    d.ellipse((cx - side // 2, cy - side // 2, cx + side // 2, cy + side // 2), fill=colour)
    return img


def scratches(img: Image.Image, n: int, rnd: random.Random) -> Image.Image:
    img = img.convert("L")
    d = ImageDraw.Draw(img)
    w, h = img.size
    for _ in range(n):
        d.line(
            (rnd.randint(0, w), rnd.randint(0, h), rnd.randint(0, w), rnd.randint(0, h)),
            fill=rnd.choice([0, 255]),
            width=rnd.randint(1, 3),
        )
    return img


def coloured_gif(text: str, rnd: random.Random, px: int = 5) -> bytes:
    """Brand colours (dark blue / red on yellow / cream), palette GIF."""
    m = modules(text)
    m = np.repeat(np.repeat(m, px, axis=0), px, axis=1)
    dark = rnd.choice([(20, 40, 120), (150, 20, 30), (40, 80, 40)])
    light = rnd.choice([(250, 220, 80), (250, 245, 230), (200, 230, 250)])
    rgb = np.where(m[..., None] == 1, np.array(dark, np.uint8), np.array(light, np.uint8))
    img = Image.fromarray(rgb.astype(np.uint8)).quantize(colors=8)
    return encoded(img, "GIF")


def sixteen_bit(text: str, px: int = 4) -> bytes:
    """16-bit gray PNG using only part of the range (a scanner's raw output)."""
    m = modules(text)
    m = np.repeat(np.repeat(m, px, axis=0), px, axis=1)
    a = np.where(m == 1, 9000, 41000).astype(np.uint16)
    return encoded(Image.fromarray(a), "PNG")


def clutter(size: tuple[int, int], rnd: random.Random) -> Image.Image:
    """A busy poster background: shapes, lines, text, a gradient."""
    w, h = size
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 // w), (y * 255 // h), ((x + y) * 127 // (w + h)) + 64], -1)
    img = Image.fromarray(base.astype(np.uint8), "RGB")
    d = ImageDraw.Draw(img)
    for _ in range(60):
        col = tuple(rnd.randint(0, 255) for _ in range(3))
        x0, y0 = rnd.randint(0, w), rnd.randint(0, h)
        x1, y1 = x0 + rnd.randint(10, w // 4), y0 + rnd.randint(10, h // 4)
        shape = rnd.randrange(4)
        if shape == 0:
            d.rectangle((x0, y0, x1, y1), fill=col)
        elif shape == 1:
            d.ellipse((x0, y0, x1, y1), fill=col)
        elif shape == 2:
            d.line((x0, y0, x1, y1), fill=col, width=rnd.randint(1, 8))
        else:
            d.text((x0, y0), "SCAN ME QRIS 12.000 " * 3, fill=col)
    # a checkerboard patch: finder-like clutter
    cb = ((np.indices((24, 24)).sum(0) % 2) * 255).astype(np.uint8)
    patch = Image.fromarray(np.kron(cb, np.ones((6, 6), np.uint8))).convert("RGB")
    img.paste(patch, (rnd.randint(0, w - patch.width), rnd.randint(0, h - patch.height)))
    return img


def poster(
    text: str,
    rnd: random.Random,
    size: tuple[int, int] = (1800, 1300),
    px: int = 4,
    decoy: str | None = "https://example.com/promo",
) -> Image.Image:
    """The QR code (with its quiet zone) inside a large cluttered poster, plus a decoy QR."""
    img = clutter(size, rnd)
    qr = render(text, px=px).convert("RGB")
    w, h = size
    x = rnd.randint(0, w - qr.width)
    y = rnd.randint(0, h - qr.height)
    img.paste(qr, (x, y))
    if decoy:
        dq = render(decoy, px=3).convert("RGB")
        # put the decoy in the corner farthest from the payment code
        dx = 0 if x > w / 2 else w - dq.width
        dy = 0 if y > h / 2 else h - dq.height
        img.paste(dq, (dx, dy))
    return img


# --------------------------------------------------------------------------- degraded set


@dataclass
class Sample:
    kind: str
    payload: str
    data: bytes  # encoded image file


def _kinds() -> dict[str, Callable[[str, random.Random], bytes]]:
    def png(img: Image.Image) -> bytes:
        return encoded(img, "PNG")

    return {
        "rotate 5-90": lambda t, r: png(rotate(render(t, px=r.randint(4, 6)), r.uniform(5, 90))),
        "2 px/module": lambda t, r: png(downscale(t, r.uniform(2.0, 2.5))),
        "gaussian blur": lambda t, r: png(blur(render(t, px=6), r.uniform(1.2, 2.4))),
        "gaussian noise": lambda t, r: png(noise(render(t, px=5), r.uniform(30, 60), r)),
        "salt and pepper": lambda t, r: png(salt_pepper(render(t, px=5), r.uniform(0.04, 0.12), r)),
        "jpeg q30": lambda t, r: jpeg(downscale(t, r.uniform(3.0, 4.0)), 30),
        "jpeg q10": lambda t, r: jpeg(render(t, px=r.randint(4, 5)), 10),
        "inverted": lambda t, r: png(invert(rotate(render(t, px=5), r.uniform(0, 20)))),
        "poster": lambda t, r: jpeg(poster(t, r), 85),
        "transparent": lambda t, r: png(transparent(t, px=5, inverted=r.random() < 0.3)),
        "perspective": lambda t, r: png(perspective(render(t, px=5), r.uniform(0.08, 0.16), r)),
        "low contrast": lambda t, r: png(contrast(render(t, px=5), r.randint(90, 120), r.randint(150, 175))),
        "uneven light": lambda t, r: png(illumination(render(t, px=5), r, r.uniform(0.5, 0.75))),
        "motion blur": lambda t, r: png(motion_blur(render(t, px=6), r.randint(5, 9), r)),
        "occlusion": lambda t, r: png(occlude(render(t, px=5), r.uniform(0.03, 0.06), r)),
        "scratches": lambda t, r: png(scratches(render(t, px=5), r.randint(6, 14), r)),
        "colour palette gif": lambda t, r: coloured_gif(t, r),
        "16-bit png": lambda t, r: sixteen_bit(t, px=r.randint(3, 5)),
        "webp lossy": lambda t, r: encoded(blur(render(t, px=4), 0.8), "WEBP", quality=r.randint(20, 40)),
        "photo (tilt+blur+noise+jpeg)": lambda t, r: jpeg(
            noise(
                blur(
                    perspective(rotate(render(t, px=6), r.uniform(-15, 15)), r.uniform(0.04, 0.1), r),
                    r.uniform(0.8, 1.5),
                ),
                r.uniform(10, 20),
                r,
            ),
            r.randint(40, 70),
        ),
    }


KINDS = tuple(_kinds())


def degraded_set(n: int, seed: int = 2024, kinds: tuple[str, ...] | None = None) -> list[Sample]:
    """``n`` damaged pictures cycling through every damage kind (``len(KINDS)`` of them)."""
    makers = _kinds()
    names = list(kinds or makers)
    rnd = random.Random(seed)
    texts = payloads(n, seed)
    out = []
    for i in range(n):
        kind = names[i % len(names)]
        out.append(Sample(kind, texts[i], makers[kind](texts[i], rnd)))
    return out
