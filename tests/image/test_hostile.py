"""Hostile input (issue 17): every case is a clear ImageError, fast, bounded, and no decode
ever starts a process. CPU time and memory are measured by ``hostile_budget.py`` (run here in
a subprocess with the issue's bounds, one fresh process per case), never asserted as timings
in this process."""

from __future__ import annotations

import base64
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import qriskit
from qriskit import ImageError, NoQRCodeFound, decode_image, decode_images, encode_image
from qriskit.images import (
    DECODE_TIMEOUT,
    DECODERS,
    ERROR_LEVELS,
    FORMATS,
    KINDS,
    MAX_DECODED_BYTES,
    MAX_ENCODE_SIDE,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    WORK_PIXELS,
)

HERE = Path(__file__).resolve().parent
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n{ 1 pop } loop\n"


@pytest.fixture(scope="module")
def clean_small(gen):
    return gen.render(gen.SAMPLE, px=4)


@pytest.fixture(scope="module")
def png_small(gen, clean_small):
    return gen.encoded(clean_small, "PNG")


def png_of(img: Image.Image, **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", **kw)
    return out.getvalue()


# --------------------------------------------------------------------------- the public facts


def test_choices_and_limits_are_exported():
    assert DECODERS == ("zxing-cpp", "opencv", "zbar")
    assert ERROR_LEVELS == ("l", "m", "q", "h")
    assert KINDS == ("png", "svg", "data-uri", "text", "pil")
    assert FORMATS == ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")
    limits = (MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MAX_DECODED_BYTES, DECODE_TIMEOUT, MAX_ENCODE_SIDE)
    assert limits == (50 << 20, 40_000_000, 200_000_000, 5.0, 8192)
    import inspect

    for fn in (decode_image, decode_images):
        params = inspect.signature(fn).parameters
        assert params["max_bytes"].default == MAX_IMAGE_BYTES
        assert params["max_pixels"].default == MAX_IMAGE_PIXELS
        assert params["max_decoded_bytes"].default == MAX_DECODED_BYTES
        assert params["timeout"].default == DECODE_TIMEOUT


# --------------------------------------------------------------------------- formats


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (EPS, "PostScript/EPS input is not read"),
        (b"%!PS-Adobe-3.0\n%%Pages: 1\nshowpage\n", "PostScript/EPS input is not read"),
        (b"\xc5\xd0\xd3\xc6" + b"\0" * 40, "PostScript/EPS input is not read"),
        (b"%PDF-1.4\n%%EOF\n", "PDF input is not read"),
    ],
)
def test_ghostscript_formats_are_refused(data, match):
    with pytest.raises(ImageError, match=match):
        decode_image(data)


def test_formats_outside_the_allow_list_are_not_identified(gen, clean_small):
    for fmt in ("PPM", "ICO", "TGA", "PCX", "SGI"):
        data = gen.encoded(clean_small.convert("RGB"), fmt)
        with pytest.raises(ImageError, match="cannot identify the image format"):
            decode_image(data)


def test_an_opened_pil_image_of_another_format_is_refused(gen, clean_small):
    img = Image.open(io.BytesIO(gen.encoded(clean_small.convert("RGB"), "PPM")))
    assert img.format == "PPM"
    with pytest.raises(ImageError, match="format PPM is not read"):
        decode_image(img)
    assert decode_image(img.convert("RGB")) == gen.SAMPLE  # a converted copy is fine


def test_no_decode_ever_starts_a_process(tmp_path):
    """An audit hook, in a fresh interpreter, sees every attempt to start a process."""
    script = tmp_path / "probe.py"
    script.write_text(
        "import io, sys\n"
        "events = []\n"
        "SPAWN = ('subprocess.Popen', 'os.system', 'os.posix_spawn', 'os.exec', 'os.fork', 'os.spawn')\n"
        "sys.addaudithook(lambda e, a: events.append(e) if e.startswith(SPAWN) else None)\n"
        "import qriskit\n"
        "from PIL import Image\n"
        f"sys.path.insert(0, {str(HERE)!r})\n"
        "import qr_imagegen as gen\n"
        f"inputs = [{EPS!r}, b'%!PS\\nshowpage\\n', b'%PDF-1.4\\n%%EOF\\n', b'\\xc5\\xd0\\xd3\\xc6' + bytes(40)]\n"
        "clean = gen.render(gen.SAMPLE, px=4).convert('RGB')\n"
        "for fmt in ('PNG', 'JPEG', 'GIF', 'WEBP', 'BMP', 'TIFF', 'PPM', 'TGA'):\n"
        "    inputs.append(gen.encoded(clean, fmt))\n"
        "inputs.append(clean)\n"
        "inputs.append(Image.open(io.BytesIO(inputs[0])))  # an EPS image object: never loaded\n"
        "for src in inputs:\n"
        "    for fn in (qriskit.decode_image, qriskit.decode_images):\n"
        "        try:\n"
        "            fn(src)\n"
        "        except qriskit.ImageError:\n"
        "            pass\n"
        "qriskit.convert_image(gen.encoded(clean, 'PNG'), 1000)\n"
        "print(repr(events))\n"
    )
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


# --------------------------------------------------------------------------- sniffing and reading


def test_base64_sniffing_is_linear_and_says_why():
    # The pattern used to backtrack over the spaces: 5 s for this one; now it is one pass.
    with pytest.raises(ImageError, match="no such image file"):
        decode_image("AAAA" + " " * 40000 + "!")
    with pytest.raises(ImageError, match="no such image file"):
        decode_image("A" * 100 + "\n" * 20000 + "=" * 3 + "!")


def test_text_longer_than_any_allowed_image_is_refused_first():
    with pytest.raises(ImageError, match=r"over the limit for max_bytes=1000"):
        decode_image("A" * 10_000, max_bytes=1000)


def test_base64_and_data_uri_over_max_bytes(png_small):
    b64 = base64.b64encode(png_small).decode()
    for src in (b64, "data:image/png;base64," + b64):
        with pytest.raises(ImageError, match=rf"over the limit of max_bytes={len(png_small) // 2}"):
            decode_image(src, max_bytes=len(png_small) // 2)


def test_percent_encoded_data_uri(png_small, gen):
    from urllib.parse import quote_from_bytes

    uri = "data:image/png," + quote_from_bytes(png_small)
    assert decode_image(uri) == gen.SAMPLE
    with pytest.raises(ImageError, match="max_bytes=100"):
        decode_image("data:image/png," + "%41" * 300, max_bytes=100)
    with pytest.raises(ImageError, match="cannot identify"):
        decode_image("data:image/png," + "%00A" * 200_000)


def test_paths_must_be_regular_files(tmp_path, png_small, gen):
    with pytest.raises(ImageError, match="not a regular file"):
        decode_image("/dev/zero")
    with pytest.raises(ImageError, match="is a directory"):
        decode_image(tmp_path)
    with pytest.raises(ImageError, match="is a directory"):
        decode_image(str(tmp_path))
    path = tmp_path / "ok.png"
    path.write_bytes(png_small)
    assert decode_image(os.fsencode(path).decode()) == gen.SAMPLE


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_a_fifo_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    errors: list[BaseException] = []

    def read() -> None:
        try:
            decode_image(fifo)
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=read, daemon=True)
    worker.start()
    worker.join(30)
    assert not worker.is_alive(), "reading a FIFO blocked"
    assert len(errors) == 1 and isinstance(errors[0], ImageError)
    assert "not a regular file" in str(errors[0])


def test_a_file_object_is_read_with_the_cap():
    class Endless(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buf) -> int:
            buf[:] = b"\0" * len(buf)
            return len(buf)

    with pytest.raises(ImageError, match="over the limit of max_bytes=1000"):
        decode_image(io.BufferedReader(Endless()), max_bytes=1000)


# --------------------------------------------------------------------------- modes and arrays


def test_a_colour_mode_that_cannot_be_read_is_an_image_error():
    data = io.BytesIO()
    Image.new("LAB", (64, 64)).save(data, "TIFF")
    with pytest.raises(ImageError, match="colour mode LAB"):
        decode_image(data.getvalue())
    with pytest.raises(ImageError, match="colour mode HSV"):
        decode_image(Image.new("HSV", (64, 64)))


@pytest.mark.parametrize(
    ("array", "match"),
    [
        (np.array([[object()] * 20] * 20, dtype=object), "dtype object"),
        (np.full((20, 20), "x"), "dtype <U1"),
        (np.zeros((20, 20), dtype=[("a", "u1"), ("b", "f4")]), "dtype"),
        (np.zeros((20, 20), np.complex64), "dtype complex64"),
        (np.zeros((20, 20), "datetime64[s]"), "dtype datetime64"),
        (np.full((20, 20), np.nan, np.float32), "NaN or infinite"),
        (np.zeros((20, 20, 5), np.uint8), "shape"),
        (np.zeros((2, 20, 20, 3), np.uint8), "shape"),
        (np.zeros((), np.uint8), "shape"),
    ],
)
def test_arrays_that_cannot_be_read(array, match):
    with pytest.raises(ImageError, match=match):
        decode_image(array)


def test_an_array_over_max_pixels_is_refused_before_any_copy():
    big = np.zeros((10000, 10000, 3), np.uint8)  # 300 MB the caller already holds
    with pytest.raises(ImageError, match=f"over the limit of max_pixels={MAX_IMAGE_PIXELS}"):
        decode_image(big)


def test_sixteen_bit_and_float_pictures_and_arrays(gen):
    m = np.asarray(gen.render(gen.SAMPLE, px=4)).astype(np.float32)
    assert decode_image(Image.fromarray(m * 100.0 + 7.0, "F")) == gen.SAMPLE
    assert decode_image(np.dstack([m.astype(np.uint16) * 200] * 3)) == gen.SAMPLE
    assert decode_image(np.dstack([m / 255.0, np.ones_like(m)])) == gen.SAMPLE  # gray + alpha


# --------------------------------------------------------------------------- the budget


def test_pixel_limit_names_the_keyword(png_small):
    with pytest.raises(ImageError, match="over the limit of max_pixels=1000"):
        decode_image(png_small, max_pixels=1000)


@pytest.mark.parametrize(
    "kwargs",
    [{"max_bytes": 0}, {"max_bytes": 1.5}, {"max_pixels": -1}, {"max_decoded_bytes": 0},
     {"max_decoded_bytes": True}, {"timeout": 0}, {"timeout": -1.0}, {"timeout": "1"}],
)
def test_bad_budget_arguments(png_small, kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        decode_image(png_small, **kwargs)


def encoded(img: Image.Image, fmt: str, **kw) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **kw)
    return out.getvalue()


@pytest.mark.parametrize(
    ("mode", "fmt", "kw", "per_pixel"),
    [
        ("L", "PNG", {}, 1),
        ("P", "GIF", {}, 1),
        ("I;16", "PNG", {}, 2),
        ("RGB", "PNG", {}, 4),
        ("RGBA", "PNG", {}, 4),
        ("RGB", "WEBP", {"lossless": True}, 16),  # two libwebp canvases, the frame, the image
        ("RGBA", "WEBP", {"quality": 80}, 16),
        ("RGBA", "TIFF", {"compression": "tiff_adobe_deflate", "strip_size": 1 << 30}, 8),  # + one strip
    ],
)
def test_decoded_bytes_counts_what_the_decoder_holds(mode, fmt, kw, per_pixel):
    from qriskit.images._load import decoded_bytes, open_image

    img = open_image(encoded(Image.new(mode, (400, 300)), fmt, **kw))
    assert decoded_bytes(img) == 400 * 300 * per_pixel


def test_a_tiff_in_small_strips_counts_one_strip_more():
    from qriskit.images._load import decoded_bytes, open_image

    img = open_image(encoded(Image.new("RGBA", (400, 300)), "TIFF", compression="tiff_adobe_deflate"))
    rows = img.tag_v2[278]
    assert rows < 300
    assert decoded_bytes(img) == 400 * 300 * 4 + rows * 400 * 4


def test_a_webp_over_the_decoded_size_is_refused_before_decoding(gen, clean_small):
    """The report: 1.7 KB of lossless WebP that would take 640 MB to decode."""
    white = encoded(Image.new("RGB", (6320, 6320), (255, 255, 255)), "WEBP", lossless=True)
    assert len(white) < 4096
    with pytest.raises(ImageError, match=r"6320x6320 WEBP .* over the limit of max_decoded_bytes=200000000") as info:
        decode_image(white)
    assert "pass max_decoded_bytes=" in str(info.value)
    webp = encoded(clean_small.convert("RGB"), "WEBP", lossless=True)
    need = clean_small.width * clean_small.height * 16
    with pytest.raises(ImageError, match=f"takes about {need} bytes, over the limit of max_decoded_bytes={need - 1}"):
        decode_image(webp, max_decoded_bytes=need - 1)
    assert decode_image(webp, max_decoded_bytes=need) == gen.SAMPLE
    assert qriskit.convert_image(webp, 1000, max_decoded_bytes=need).payload == qriskit.to_dynamic(gen.SAMPLE, 1000)
    with pytest.raises(ImageError, match="max_decoded_bytes"):
        qriskit.convert_image(webp, 1000, max_decoded_bytes=need - 1)


def test_a_pil_image_is_held_to_the_decoded_size_too(clean_small):
    pic = Image.open(io.BytesIO(encoded(clean_small.convert("RGBA"), "TIFF", strip_size=1 << 30)))
    with pytest.raises(ImageError, match=r"TIFF image \(RGBA\) takes about .* max_decoded_bytes=1000"):
        decode_image(pic, max_decoded_bytes=1000)


def test_webp_and_tiff_codes_decode(gen, clean_small):
    rgba = clean_small.convert("RGBA")
    for data in (encoded(clean_small.convert("RGB"), "WEBP", quality=90),
                 encoded(rgba, "WEBP", lossless=True),
                 encoded(rgba, "TIFF", compression="tiff_adobe_deflate", strip_size=1 << 30)):
        assert decode_image(data) == gen.SAMPLE


class Slow:
    """A decoder that finds nothing, slowly: the cascade runs into the time limit."""

    name = "slow"

    def __init__(self) -> None:
        self.calls = 0

    def decode(self, gray):
        self.calls += 1
        time.sleep(0.15)
        return []


def test_timeout_stops_the_cascade_and_says_so(png_small):
    slow = Slow()
    with pytest.raises(NoQRCodeFound, match=r"before the time limit of timeout=0\.2 s") as info:
        decode_image(png_small, decoder=slow, retry=True, timeout=0.2)
    assert "pass timeout= to allow more time" in str(info.value)
    assert 1 <= slow.calls < 5
    with pytest.raises(NoQRCodeFound, match=r"timeout=0\.2"):
        decode_images(png_small, decoder=Slow(), retry=True, timeout=0.2)
    everything = Slow()
    with pytest.raises(NoQRCodeFound, match="no QR code found in the picture"):
        decode_image(png_small, decoder=everything, retry=True, timeout=None)
    assert everything.calls > 5


class Recorder:
    """The default decoder, noting the size of every picture it is given."""

    name = "recorder"

    def __init__(self) -> None:
        self.shapes: list[tuple[int, int]] = []
        self.inner = qriskit.images.get_decoder("zxing-cpp")

    def decode(self, gray):
        self.shapes.append(gray.shape)
        return self.inner.decode(gray)


def test_a_large_picture_is_scaled_down_before_the_first_pass(gen):
    canvas = Image.new("L", (4000, 3000), 255)
    canvas.paste(gen.render(gen.SAMPLE, px=20), (1200, 700))
    rec = Recorder()
    assert decode_image(png_of(canvas), decoder=rec) == gen.SAMPLE
    assert rec.shapes == [(1500, 2000)]  # 12 MP read at half size, found there


def test_the_full_size_is_read_when_the_reduced_one_finds_nothing(gen):
    canvas = Image.new("L", (4000, 3000), 255)
    canvas.paste(gen.render(gen.SAMPLE, px=1, border=2), (101, 101))  # 1 px a module: gone at 1/2
    rec = Recorder()
    assert decode_image(png_of(canvas), decoder=rec) == gen.SAMPLE
    assert rec.shapes[0] == (1500, 2000) and rec.shapes[-1] == (3000, 4000)


def test_a_phone_jpeg_is_decoded_at_reduced_size(gen):
    photo = Image.new("RGB", (4000, 3000), (235, 230, 220))
    photo.paste(gen.render(gen.SAMPLE, px=18).convert("RGB"), (1500, 900))
    data = gen.encoded(photo, "JPEG", quality=85)
    rec = Recorder()
    assert decode_image(data, decoder=rec) == gen.SAMPLE
    assert rec.shapes == [(1500, 2000)]  # libjpeg decoded it at 1/2 size, to gray
    from qriskit.images._load import load

    loaded = load(data, max_bytes=MAX_IMAGE_BYTES, max_pixels=MAX_IMAGE_PIXELS, work_pixels=WORK_PIXELS)
    assert loaded.size == (4000, 3000) and loaded.gray.shape == (1500, 2000)
    assert loaded.full is not None and loaded.full()[0].shape == (3000, 4000)


# --------------------------------------------------------------------------- encoding bounds


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scale": 100000}, "over 8192 pixels a side"),
        ({"scale": 300}, "would draw a 19500 x 19500 picture"),
        ({"border": 10**9}, "over 8192 pixels a side"),
        ({"border": 5000, "scale": 1}, "over the limit of 8192 pixels a side"),
    ],
)
def test_encode_bounds_the_output_size(sample, kwargs, match):
    with pytest.raises(ImageError, match=match):
        encode_image(sample, **kwargs)


def test_encode_the_largest_picture_allowed(sample):
    png = encode_image(sample, scale=126)
    assert Image.open(io.BytesIO(png)).size == (8190, 8190)
    assert len(encode_image(sample, "text", border=4000)) > 0  # text: modules, not pixels
    with pytest.raises(ImageError):
        encode_image(sample, "text", border=5000)


# --------------------------------------------------------------------------- missing extras


def test_missing_pillow_is_an_image_error_naming_the_extra(monkeypatch, png_small, sample):
    monkeypatch.setitem(sys.modules, "PIL", None)
    monkeypatch.setitem(sys.modules, "PIL.Image", None)
    for call in (lambda: decode_image(png_small), lambda: decode_images(png_small),
                 lambda: qriskit.convert_image(png_small, 1000), lambda: encode_image(sample, "pil")):
        with pytest.raises(ImageError, match=r'pip install "pyqriskit\[image\]"') as info:
            call()
        assert "PIL is missing" in str(info.value)
        assert info.value.code == "extra.missing"


def test_missing_numpy_and_segno(monkeypatch, png_small, sample):
    from qriskit.images._qr import make_symbol

    monkeypatch.setitem(sys.modules, "numpy", None)
    with pytest.raises(ImageError, match=r'qriskit\[image\]'):
        decode_image(png_small)
    monkeypatch.setitem(sys.modules, "segno", None)
    with pytest.raises(ImageError, match=r'segno is missing.*pip install "pyqriskit\[image\]"'):
        make_symbol(sample, native=False)


def test_png_and_svg_without_optional_packages(monkeypatch, sample):
    """The native builder needs none of them; the pure twin needs segno and says so."""
    from qriskit.images import _qr

    for name in ("PIL", "numpy", "segno", "zxingcpp"):
        monkeypatch.setitem(sys.modules, name, None)
    if _qr.NATIVE:
        assert encode_image(sample).startswith(b"\x89PNG")
        assert encode_image(sample, "svg").startswith("<?xml")
    else:
        with pytest.raises(ImageError, match=r'segno is missing.*pip install "pyqriskit\[image\]"'):
            encode_image(sample)


# --------------------------------------------------------------------------- the measured budget


def test_every_hostile_case_within_the_cpu_and_memory_budget():
    """The budget script with the bounds of issue 17: 2 s of CPU and 300 MB of peak memory a
    case, the whole process counted (the interpreter's baseline is not subtracted)."""
    out = subprocess.run(
        [sys.executable, str(HERE / "hostile_budget.py"), "--json", "--max-cpu", "2", "--max-mb", "300"],
        capture_output=True, text=True, timeout=900,
    )
    rows = json.loads(out.stdout)
    bad = [r for r in rows if r["verdict"] != "ok"]
    assert not bad, bad
    assert out.returncode == 0
    assert len(rows) >= 30
    cases = {r["case"] for r in rows}
    assert {"largest WebP, lossless RGBA", "largest WebP, lossy RGB", "40 MP half-transparent TIFF"} <= cases
