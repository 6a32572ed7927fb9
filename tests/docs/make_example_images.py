"""Draw examples/static-qris.png and examples/static-qris.jpg: the code of
examples/static-qris.txt as a phone photo of a printed counter standee would show it
(a tilted card on a wooden counter, uneven light, blur, sensor noise).

Deterministic; run it again only when the example code changes:

    python tests/docs/make_example_images.py

tests/docs/test_examples.py checks that both pictures decode to the example code.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

import qriskit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SIZE = (800, 600)


def card(payload: str) -> Image.Image:
    """The printed standee: a red QRIS band, the code, the merchant's name."""
    qr = qriskit.encode_image(payload, "pil", scale=5, border=3).convert("RGB")
    width, height = qr.width + 60, qr.height + 150
    img = Image.new("RGB", (width, height), (250, 248, 242))
    draw = ImageDraw.Draw(img)
    draw.rectangle((0, 0, width, 70), fill=(200, 16, 46))
    draw.text((width // 2, 35), "QRIS", fill="white", anchor="mm", font_size=40)
    img.paste(qr, (30, 85))
    name = qriskit.parse(payload).merchant_name or ""
    draw.text((width // 2, height - 35), name, fill=(30, 30, 30), anchor="mm", font_size=26)
    return img


def counter() -> Image.Image:
    """A wooden counter top: brown grain stripes."""
    w, h = SIZE
    y = np.arange(h, dtype=np.float32)[:, None]
    x = np.arange(w, dtype=np.float32)[None, :]
    grain = np.sin(y / 7.0 + 3 * np.sin(x / 90.0)) * 12 + np.sin(y / 2.3) * 4
    base = np.array([150, 104, 62], dtype=np.float32)
    img = base[None, None, :] + grain[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8))


def tilt(img: Image.Image) -> tuple[Image.Image, Image.Image]:
    """Perspective: the card seen from slightly above and to the side; also its mask."""
    w, h = img.size
    target_w = 430
    scale = target_w / w
    dw, dh = w * scale, h * scale
    ox, oy = (SIZE[0] - dw) / 2, (SIZE[1] - dh) / 2
    dst = [(ox + 28, oy + 10), (ox + dw - 8, oy + 34), (ox + dw + 10, oy + dh - 16), (ox - 6, oy + dh + 6)]
    src = [(0, 0), (w, 0), (w, h), (0, h)]
    rows = []
    for (X, Y), (sx, sy) in zip(dst, src):
        rows.append([X, Y, 1, 0, 0, 0, -sx * X, -sx * Y])
        rows.append([0, 0, 0, X, Y, 1, -sy * X, -sy * Y])
    coeffs = np.linalg.solve(np.array(rows, dtype=float), np.array([v for p in src for v in p], dtype=float))
    warped = img.transform(SIZE, Image.Transform.PERSPECTIVE, tuple(coeffs), Image.Resampling.BICUBIC)
    mask = Image.new("L", img.size, 255).transform(SIZE, Image.Transform.PERSPECTIVE, tuple(coeffs))
    return warped, mask


def photo(payload: str, seed: int = 15) -> Image.Image:
    scene = counter()
    warped, mask = tilt(card(payload))
    shadow = mask.filter(ImageFilter.GaussianBlur(12))
    scene.paste((60, 40, 25), (14, 18), shadow.point(lambda v: v * 0.5))
    scene.paste(warped, (0, 0), mask)
    arr = np.asarray(scene).astype(np.float32)
    w, h = SIZE
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    light = 1.08 - 0.35 * ((xx - 0.3 * w) ** 2 + (yy - 0.2 * h) ** 2) / (w**2 + h**2)  # a lamp top left
    arr = arr * light[..., None]
    arr += np.random.default_rng(seed).normal(0, 4.0, arr.shape)  # sensor noise
    img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    return img.filter(ImageFilter.GaussianBlur(0.8))


def main() -> None:
    payload = (EXAMPLES / "static-qris.txt").read_text().strip()
    img = photo(payload)
    img.save(EXAMPLES / "static-qris.jpg", quality=82, optimize=True)
    img.quantize(colors=96, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        EXAMPLES / "static-qris.png", optimize=True
    )
    for name in ("static-qris.png", "static-qris.jpg"):
        path = EXAMPLES / name
        assert qriskit.decode_image(path) == payload, name
        print(f"{path}: {path.stat().st_size} bytes, decodes to the example code")


if __name__ == "__main__":
    main()
