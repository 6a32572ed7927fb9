"""decode_image / decode_images: sources, formats, modes, damage, several codes, errors."""

from __future__ import annotations

import base64
import io
import random
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import qriskit
from qriskit import ImageError, NoQRCodeFound, decode_image, decode_images
from qriskit.images._load import load


@pytest.fixture(scope="module")
def clean(gen):
    return gen.render(gen.SAMPLE, px=5)


@pytest.fixture(scope="module")
def png(gen, clean):
    return gen.encoded(clean, "PNG")


# --------------------------------------------------------------------------- sources


def test_sources_of_every_kind(tmp_path: Path, sample, png, clean):
    path = tmp_path / "code.png"
    path.write_bytes(png)
    b64 = base64.b64encode(png).decode()
    sources = [
        str(path),
        path,
        png,
        bytearray(png),
        memoryview(png),
        io.BytesIO(png),
        b64,
        base64.urlsafe_b64encode(png).decode().rstrip("="),
        "data:image/png;base64," + b64,
        clean,
        np.asarray(clean),
    ]
    for src in sources:
        assert decode_image(src) == sample, type(src)
    with open(path, "rb") as fh:
        assert decode_image(fh) == sample


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF"])
def test_formats(gen, clean, sample, fmt):
    kw = {"quality": 90} if fmt in ("JPEG", "WEBP") else {}
    assert decode_image(gen.encoded(clean.convert("RGB"), fmt, **kw)) == sample


@pytest.mark.parametrize(
    "convert",
    [
        lambda a: a,  # gray uint8
        lambda a: np.stack([a] * 3, -1),  # RGB
        lambda a: np.dstack([a, a, a, np.full_like(a, 255)]),  # RGBA opaque
        lambda a: a.astype(np.uint16) * 180 + 5000,  # 16-bit, part of the range
        lambda a: a.astype(np.float32) / 255.0,  # float 0..1
        lambda a: a > 127,  # bool
        lambda a: a[:, :, None],  # H x W x 1
    ],
)
def test_numpy_arrays(clean, sample, convert):
    assert decode_image(convert(np.asarray(clean))) == sample


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "CMYK", "LA", "RGBA", "I", "I;16"])
def test_pil_modes(clean, sample, mode):
    img = clean.convert("RGB").convert(mode) if mode not in ("I", "I;16") else clean.convert(mode)
    assert decode_image(img) == sample


def test_sixteen_bit_png_file(gen, sample):
    data = gen.sixteen_bit(sample)
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    assert decode_image(data) == sample


def test_palette_with_transparency(gen, sample):
    m = gen.modules(sample)
    img = Image.fromarray(np.kron(m, np.ones((5, 5), np.uint8)), "P")
    img.putpalette([255, 255, 255, 0, 0, 0])
    img.info["transparency"] = 0  # light modules transparent
    data = gen.encoded(img, "PNG", transparency=0)
    assert Image.open(io.BytesIO(data)).info.get("transparency") == 0
    assert decode_image(data) == sample


@pytest.mark.parametrize("inverted", [False, True])
def test_transparency(gen, sample, inverted):
    data = gen.encoded(gen.transparent(sample, px=5, inverted=inverted), "PNG")
    assert decode_image(data) == sample


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_applied(gen, sample, orientation):
    img = gen.render(sample, px=3).convert("RGB")
    wide = Image.new("RGB", (img.width + 150, img.height), "white")
    wide.paste(img, (0, 0))
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = gen.encoded(wide, "JPEG", quality=92, exif=exif.tobytes())
    gray = load(data, max_bytes=1 << 30, max_pixels=1 << 30, work_pixels=1 << 30).gray
    if orientation in (6, 8):  # rotated 90 degrees: width and height swap
        assert gray.shape == (wide.width, wide.height)
    else:
        assert gray.shape == (wide.height, wide.width)
        assert gray[:, -100:].mean() < gray[:, :100].mean() + 1  # flipped: code on the right
        assert gray[:, :100].min() == pytest.approx(255, abs=20)
    assert decode_image(data) == sample


def test_animated_gif_first_frame(gen, sample):
    frames = [gen.render(sample, px=4).convert("P"), Image.new("P", (200, 200), 0)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert decode_image(out.getvalue()) == sample


# --------------------------------------------------------------------------- damage


@pytest.mark.parametrize("angle", [5, 17, 33, 45, 61, 90])
def test_rotation(gen, sample, angle):
    img = gen.rotate(gen.render(sample, px=5), angle)
    assert decode_image(gen.encoded(img, "PNG")) == sample


@pytest.mark.parametrize("px", [2.0, 2.3, 3.0])
def test_downscaled_to_two_pixels_per_module(gen, sample, px):
    assert decode_image(gen.encoded(gen.downscale(sample, px), "PNG")) == sample


@pytest.mark.parametrize("radius", [1.0, 1.8, 2.4])
def test_blur(gen, sample, radius):
    assert decode_image(gen.blur(gen.render(sample, px=6), radius)) == sample


@pytest.mark.parametrize("sigma", [25, 45, 60])
def test_noise(gen, sample, sigma):
    img = gen.noise(gen.render(sample, px=5), sigma, random.Random(sigma))
    assert decode_image(img) == sample


def test_salt_and_pepper(gen, sample):
    img = gen.salt_pepper(gen.render(sample, px=5), 0.1, random.Random(3))
    assert decode_image(img) == sample


def test_jpeg_quality_30(gen, sample):
    assert decode_image(gen.jpeg(gen.downscale(sample, 3.0), 30)) == sample


def test_inverted_colours(gen, sample):
    assert decode_image(gen.encoded(gen.invert(gen.render(sample, px=5)), "PNG")) == sample


def test_poster_with_clutter_and_a_decoy_code(gen, sample):
    img = gen.poster(sample, random.Random(11), size=(2400, 1800))
    data = gen.jpeg(img, 85)
    assert decode_image(data) == sample
    assert set(decode_images(data)) >= {sample}


@pytest.mark.parametrize("seed", range(3))
def test_photo_like_damage(gen, sample, seed):
    (s,) = gen.degraded_set(1, seed=seed, kinds=("photo (tilt+blur+noise+jpeg)",))
    assert decode_image(s.data) == s.payload


def test_degraded_set_sample(gen):
    """One picture of each damage kind: the default cascade reads (nearly) all of them."""
    samples = gen.degraded_set(len(gen.KINDS), seed=99)
    ok = 0
    for s in samples:
        try:
            got = decode_image(s.data)
        except NoQRCodeFound:
            continue
        assert got == s.payload, s.kind  # a read is never a wrong payload
        ok += 1
    assert ok >= len(samples) - 1


# --------------------------------------------------------------------------- several codes


def _side_by_side(gen, *texts, px=4):
    imgs = [gen.render(t, px=px) for t in texts]
    out = Image.new("L", (sum(i.width for i in imgs), max(i.height for i in imgs)), 255)
    x = 0
    for i in imgs:
        out.paste(i, (x, 0))
        x += i.width
    return out


def test_payment_code_next_to_a_url_code(gen, sample):
    img = _side_by_side(gen, "https://example.com/menu", sample)
    assert decode_image(img) == sample
    assert sorted(decode_images(img)) == sorted(["https://example.com/menu", sample])


def test_two_different_valid_payment_codes_is_an_error(gen, sample):
    other = gen.make_payload(name="Warung Lain", amount="5000")
    img = _side_by_side(gen, sample, other)
    with pytest.raises(ImageError, match="2 different valid payment") as info:
        decode_image(img)
    assert not isinstance(info.value, NoQRCodeFound)
    assert sorted(decode_images(img)) == sorted([sample, other])


def test_the_same_code_twice_is_fine(gen, sample):
    img = _side_by_side(gen, sample, sample)
    assert decode_image(img) == sample
    assert decode_images(img) == [sample]


def test_only_non_payment_codes(gen):
    img = gen.render("https://example.com/", px=5)
    assert decode_images(img) == ["https://example.com/"]
    with pytest.raises(NoQRCodeFound, match="no valid EMV payment payload") as info:
        decode_image(img)
    assert "000201" in str(info.value) or "example.com" in str(info.value)


def test_bad_crc_is_refused(gen, sample):
    bad = sample[:-4] + ("0000" if sample[-4:] != "0000" else "1111")
    img = gen.render(bad, px=5)
    with pytest.raises(NoQRCodeFound, match=r"(?i)crc"):
        decode_image(img)
    assert decode_images(img) == [bad]


# --------------------------------------------------------------------------- errors


def test_no_code_says_what_was_tried(gen):
    blank = gen.clutter((400, 300), random.Random(1))
    with pytest.raises(NoQRCodeFound) as info:
        decode_image(blank)
    msg = str(info.value)
    assert "no QR code found" in msg
    assert "zxing-cpp: quick pass" in msg and "upscale x2" in msg and "median 3" in msg
    assert decode_images(blank) == []


def test_plain_backend_does_not_retry(gen):
    with pytest.raises(NoQRCodeFound) as info:
        decode_image(Image.new("L", (100, 100), 255), retry=False)
    assert "upscale" not in str(info.value)


@pytest.mark.parametrize(
    ("source", "match"),
    [
        (b"", "empty"),
        (b"GIF89a this is not really an image", "cannot|identify|read"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "cannot|identify|read"),
        ("/no/such/file.png", "no such image file"),
        ("data:image/png;base64,@@@@", "base64"),
        ("data:image/png", "malformed data URI"),
        ("0002010102112657", "payload"),
    ],
)
def test_unreadable_sources(source, match):
    with pytest.raises(ImageError, match=match):
        decode_image(source)


def test_payload_bytes_passed_as_image_gets_a_hint(sample):
    with pytest.raises(ImageError, match=r"qriskit\.parse"):
        decode_image(sample.encode())


def test_truncated_png(png):
    with pytest.raises(ImageError):
        decode_image(png[: len(png) // 2])


def test_wrong_type():
    with pytest.raises(TypeError):
        decode_image(12345)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        decode_image(io.StringIO("text"))


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_pixel_limit_stops_decompression_bombs(gen):
    bomb = gen.encoded(Image.new("1", (12000, 12000), 1), "PNG")
    assert len(bomb) < 100_000  # tiny file, 144 megapixels
    with pytest.raises(ImageError, match="over the limit"):
        decode_image(bomb)
    with pytest.raises(ImageError, match="over the limit"):
        decode_image(gen.encoded(Image.new("L", (300, 300), 255), "PNG"), max_pixels=50_000)


def test_byte_limit(png, tmp_path):
    for src in (png, io.BytesIO(png), base64.b64encode(png).decode()):
        with pytest.raises(ImageError, match="limit"):
            decode_image(src, max_bytes=len(png) // 2)
    path = tmp_path / "x.png"
    path.write_bytes(png)
    with pytest.raises(ImageError, match="limit"):
        decode_image(path, max_bytes=100)


def test_too_small_and_bad_arrays():
    with pytest.raises(NoQRCodeFound, match="too small"):
        decode_image(np.zeros((4, 4), np.uint8))
    with pytest.raises(ImageError, match="shape"):
        decode_image(np.zeros((10, 10, 5), np.uint8))
    with pytest.raises(ImageError, match="empty"):
        decode_image(np.zeros((0, 10), np.uint8))


def test_unknown_decoder(png):
    with pytest.raises(ImageError, match="unknown QR decoder"):
        decode_image(png, decoder="tesseract")


# --------------------------------------------------------------------------- convert


def test_convert_image(gen, sample):
    to_dynamic = qriskit.to_dynamic
    photo = gen.jpeg(gen.rotate(gen.render(sample, px=5), 20), 70)
    payload, png = qriskit.convert_image(photo, "15000")
    assert payload == to_dynamic(sample, "15000")
    assert qriskit.parse(payload).amount is not None
    assert decode_image(png) == payload
    payload2, svg = qriskit.convert_image(photo, 2500, reference="INV-1", kind="svg", scale=4)
    assert payload2 == to_dynamic(sample, 2500, reference="INV-1")
    assert svg.lstrip().startswith("<?xml")
    with pytest.raises(TypeError, match="unexpected option"):
        qriskit.convert_image(photo, "1000", colour="red")


def test_import_qriskit_stays_light():
    import subprocess
    import sys

    code = (
        "import sys, qriskit; heavy = [m for m in ('PIL', 'numpy', 'segno', 'zxingcpp', "
        "'cv2', 'pyzbar') if m in sys.modules]; print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"
    code2 = "import sys, qriskit.images, qriskit.image, qriskit.decoders; print('PIL' in sys.modules)"
    out2 = subprocess.run([sys.executable, "-c", code2], capture_output=True, text=True, check=True).stdout.strip()
    assert out2 == "False"


def test_cmyk_jpeg_file(gen, clean, sample):
    data = gen.encoded(clean.convert("CMYK"), "JPEG", quality=90)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    assert decode_image(data) == sample


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("mode", ["L", "RGB", "RGBA"])
@pytest.mark.parametrize("fmt", ["PNG", "TIFF"])
def test_exif_orientation_matches_pillow(orientation, mode, fmt):
    """Every EXIF orientation turns the gray picture (and its alpha) as Pillow's exif_transpose
    turns the image: applied to the gray arrays, not to a second full-size colour copy."""
    from PIL import ImageOps

    rng = np.random.default_rng(orientation)
    channels = {"L": 1, "RGB": 3, "RGBA": 4}[mode]
    pixels = rng.integers(0, 256, (23, 37, channels), np.uint8)
    pixels[..., -1] = np.where(pixels[..., -1] < 128, 0, 255) if mode == "RGBA" else pixels[..., -1]
    img = Image.fromarray(pixels[..., 0] if mode == "L" else pixels, mode)
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    img.save(out, fmt, exif=exif.tobytes())
    got = load(out.getvalue(), max_bytes=1 << 30, max_pixels=1 << 30, work_pixels=1 << 30)
    want = ImageOps.exif_transpose(Image.open(io.BytesIO(out.getvalue())))
    assert want is not None
    if mode == "RGBA":
        rgba = np.asarray(want).astype(np.uint16)
        gray = np.asarray(want.convert("L")).astype(np.uint16)
        alpha = rgba[..., 3]
        np.testing.assert_array_equal(got.gray, (gray * alpha + 127) // 255 + (255 - alpha))
        assert got.alt is not None
        np.testing.assert_array_equal(got.alt, (gray * alpha + 127) // 255)
    else:
        np.testing.assert_array_equal(got.gray, np.asarray(want.convert("L")))
    assert got.gray.flags.c_contiguous


def test_path_with_a_nul_byte_is_an_image_error():
    for src in (Path("qris\x00.png"), Path("a") / "b\x00"):
        with pytest.raises(ImageError, match="cannot read"):
            decode_image(src)


def test_file_object_that_fails_to_read_is_an_image_error():
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            raise OSError(5, "Input/output error")

    with pytest.raises(ImageError, match="Input/output error"):
        decode_image(Broken())


def test_decode_images_of_a_picture_too_small_for_a_code_is_empty():
    assert decode_images(np.zeros((4, 4), np.uint8)) == []
    assert decode_images(Image.new("L", (7, 30), 255)) == []
    with pytest.raises(NoQRCodeFound, match="too small"):
        decode_image(np.zeros((4, 4), np.uint8))


def test_unbuffered_pipe_is_read_to_its_end(png):
    """A raw (unbuffered) file object returns what is there at each read(): all of it is read,
    within max_bytes, not just the first pipe-buffer's worth."""
    import os
    import threading

    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("pad", "x" * 300_000)  # before the image data
    out = io.BytesIO()
    Image.open(io.BytesIO(png)).save(out, "PNG", pnginfo=info)
    big = out.getvalue()

    def piped(**kw: int) -> list[str]:
        r, w = os.pipe()

        def feed() -> None:
            try:
                with os.fdopen(w, "wb", buffering=0) as fh:
                    for i in range(0, len(big), 4096):
                        fh.write(big[i : i + 4096])
            except BrokenPipeError:  # the reader stopped at max_bytes
                pass

        writer = threading.Thread(target=feed)
        writer.start()
        try:
            with os.fdopen(r, "rb", buffering=0) as raw:
                return decode_images(raw, **kw)
        finally:
            writer.join()

    assert piped() == decode_images(png) != []
    with pytest.raises(ImageError, match="max_bytes"):
        piped(max_bytes=200_000)


def test_progressive_jpeg_counts_its_coefficient_buffer(gen, sample):
    """libjpeg holds every DCT coefficient of a progressive JPEG (2 bytes a sample of each
    component): a 40 MP 4:4:4 one peaked at 325 MB, counted as a baseline one."""
    img = gen.render(sample, px=4).convert("RGB").resize((1000, 1000))
    baseline, progressive = io.BytesIO(), io.BytesIO()
    img.save(baseline, "JPEG", quality=90, subsampling=0)
    img.save(progressive, "JPEG", quality=90, subsampling=0, progressive=True)
    assert decode_image(baseline.getvalue(), max_decoded_bytes=5_000_000) == sample
    with pytest.raises(ImageError, match="max_decoded_bytes=5000000"):
        decode_image(progressive.getvalue(), max_decoded_bytes=5_000_000)
    assert decode_image(progressive.getvalue(), max_decoded_bytes=10_000_000) == sample


@pytest.mark.parametrize("factor", [1e300, -1e300])
def test_float_array_beyond_float32_range(clean, sample, factor):
    """A float64 array is stretched in float64 when float32 cannot hold its values or gain
    (the cast overflowed to inf, then NaN: garbage pixels, a RuntimeWarning)."""
    import warnings

    arr = np.asarray(clean.convert("L"), np.float64) * factor + (5e299 if factor > 1 else 0.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert decode_image(arr) == sample
