"""encode_image: every output kind decodes back exactly; segno make_qr semantics kept."""

from __future__ import annotations

import base64
import io
import random
import re
import struct

import numpy as np
import pytest
import segno
from PIL import Image

from qriskit import NoQRCodeFound, QRISError, decode_image, decode_images, encode_image
from qriskit.images._qr import BYTE, NUMERIC, make_symbol, segment

KINDS = ("png", "svg", "data-uri", "text", "pil")


def svg_to_image(svg: str) -> Image.Image:
    """Rasterise segno's SVG (one stroked path of horizontal runs) to a 1 px/unit picture."""
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    scale_m = re.search(r"scale\(([\d.]+)\)", svg)
    scale = float(scale_m.group(1)) if scale_m else 1.0
    size = round(width / scale)
    d = re.search(r' d="([^"]+)"', svg).group(1)
    grid = np.zeros((size, size), np.uint8)
    x = y = 0.0
    for cmd, args in re.findall(r"([MmHhVv])([^MmHhVv]*)", d):
        nums = [float(v) for v in args.replace(",", " ").split()]
        if cmd == "M":
            x, y = nums
        elif cmd == "m":
            x, y = x + nums[0], y + nums[1]
        elif cmd == "h":
            grid[int(y), int(x) : int(x + nums[0])] = 1
            x += nums[0]
        else:
            raise AssertionError(f"unexpected SVG path command {cmd}")
    arr = np.where(grid == 1, 0, 255).astype(np.uint8)
    return Image.fromarray(np.kron(arr, np.ones((4, 4), np.uint8)))


def text_to_image(text: str) -> Image.Image:
    """Turn the half-block text back into pixels (blocks are light modules)."""
    top = {"█": (1, 1), "▀": (1, 0), "▄": (0, 1), " ": (0, 0)}
    rows = []
    for line in text.rstrip("\n").split("\n"):
        pairs = [top[c] for c in line]
        rows.append([p[0] for p in pairs])
        rows.append([p[1] for p in pairs])
    light = np.array(rows, np.uint8)
    return Image.fromarray(np.kron(light * 255, np.ones((4, 4), np.uint8)).astype(np.uint8))


def as_picture(kind: str, out):
    if kind == "png":
        assert isinstance(out, bytes) and out.startswith(b"\x89PNG\r\n\x1a\n")
        return out
    if kind == "data-uri":
        assert isinstance(out, str) and out.startswith("data:image/png;base64,")
        return out
    if kind == "svg":
        assert isinstance(out, str) and "<svg" in out
        return svg_to_image(out)
    if kind == "text":
        assert isinstance(out, str)
        return text_to_image(out)
    assert isinstance(out, Image.Image)
    return out


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("which", ["ascii", "utf8"])
def test_every_kind_decodes_back_exactly(kind, which, sample, sample_utf8):
    payload = sample if which == "ascii" else sample_utf8
    out = encode_image(payload, kind)
    assert decode_image(as_picture(kind, out)) == payload


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_decodes_back_with_each_backend(kind, backend, sample, sample_utf8):
    for payload in (sample, sample_utf8):
        out = encode_image(payload, kind, scale=6)
        assert decode_image(as_picture(kind, out), decoder=backend) == payload


@pytest.mark.parametrize(("scale", "border"), [(1, 4), (3, 0), (8, 4), (10, 2)])
def test_png_size_follows_scale_and_border(sample, scale, border):
    png = encode_image(sample, scale=scale, border=border)
    img = Image.open(io.BytesIO(png))
    n = make_symbol(sample).size
    assert img.size == ((n + 2 * border) * scale,) * 2
    if scale >= 3:
        assert decode_image(png) == sample


def test_png_is_one_bit_black_on_white(sample):
    png = encode_image(sample)
    assert png[12:16] == b"IHDR"
    _w, _h, bit_depth, colour_type = struct.unpack(">IIBB", png[16:26])
    assert (bit_depth, colour_type) == (1, 0)
    img = Image.open(io.BytesIO(png)).convert("L")
    assert img.getpixel((0, 0)) == 255  # quiet zone is light
    assert img.getpixel((4 * 8, 4 * 8)) == 0  # finder corner is dark


def test_data_uri_is_the_png(sample):
    uri = encode_image(sample, "data-uri")
    assert base64.b64decode(uri.split(",", 1)[1]) == encode_image(sample, "png")


def test_pil_kind_is_an_image(sample):
    img = encode_image(sample, "pil", scale=2, border=1)
    n = make_symbol(sample).size
    assert img.size == ((n + 2) * 2,) * 2


def test_text_kind_shape(sample):
    text = encode_image(sample, "text", border=2)
    n = make_symbol(sample).size + 4
    lines = text.rstrip("\n").split("\n")
    assert len(lines) == (n + 1) // 2
    assert {len(line) for line in lines} == {n}
    assert set(text) <= set("█▀▄ \n")


@pytest.mark.parametrize("error", ["l", "m", "q", "h", "H"])
def test_error_level_is_kept_not_boosted(sample, error):
    sym = make_symbol(sample, error.lower())
    assert sym.error == error.upper()
    ref = segno.make_qr(sample, error=error, boost_error=False)
    assert (sym.version, sym.mask) == (ref.version, ref.mask)
    assert decode_image(encode_image(sample, error=error)) == sample


def test_default_level_is_m_and_never_micro(sample):
    sym = make_symbol(sample)
    assert sym.error == "M"
    assert sym.size == sym.version * 4 + 17 >= 21
    tiny = make_symbol("1", "m")
    assert tiny.version == 1 and tiny.size == 21  # segno.make would pick Micro QR M1


def test_one_segment_in_the_mode_segno_picks(sample):
    assert segment("0123456789") == (b"0123456789", NUMERIC, False)
    assert segment("HTTPS://X.ID/ABC $%*+-./:")[1:] == (2, False)  # alphanumeric
    assert segment(sample) == (sample.encode(), BYTE, False)  # lowercase letters: byte mode
    ref = segno.make_qr(sample, error="m", boost_error=False)
    sym = make_symbol(sample)
    assert sym.modules == b"".join(ref.matrix)
    assert ref.mode == "byte"


def test_non_ascii_payload_uses_eci_utf8(sample_utf8):
    assert segment(sample_utf8) == (sample_utf8.encode("utf-8"), BYTE, True)
    import zxingcpp

    img = Image.open(io.BytesIO(encode_image(sample_utf8)))
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    assert [b.text for b in found] == [sample_utf8]
    marked = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode, text_mode=zxingcpp.TextMode.ECI)
    assert marked[0].text.startswith("]Q2\\000026")  # ECI 26 = UTF-8, from the start


def test_matches_segno_on_random_texts():
    rnd = random.Random(7)
    alphabet = "0123456789ABCDEFXYZ.:/ abcé$%-ü"
    cases = ["1", "A", "é"] + ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(1, 400))) for _ in range(40)]
    for text in cases:
        for error in "lmqh":
            sym = make_symbol(text, error)
            if text.isascii():
                ref = segno.make_qr(text, error=error, boost_error=False)
            else:
                ref = segno.make_qr(text, error=error, boost_error=False, mode="byte", encoding="utf-8", eci=True)
            assert (sym.version, sym.error, sym.mask) == (ref.version, ref.error, ref.mask)
            assert sym.modules == b"".join(ref.matrix)


def test_verify_refuses_a_bad_crc_and_can_be_turned_off(sample):
    bad = sample[:-4] + ("0000" if sample[-4:] != "0000" else "FFFF")
    with pytest.raises(QRISError, match="verify=False"):
        encode_image(bad)
    png = encode_image(bad, verify=False)
    assert decode_images(png) == [bad]
    with pytest.raises(NoQRCodeFound, match="CRC"):
        decode_image(png)
    assert decode_images(encode_image("https://example.com/", verify=False)) == ["https://example.com/"]


@pytest.mark.parametrize(
    ("kwargs", "exc"),
    [
        ({"kind": "jpeg"}, ValueError),
        ({"scale": 0}, ValueError),
        ({"scale": 2.5}, ValueError),
        ({"border": -1}, ValueError),
        ({"error": "x"}, ValueError),
    ],
)
def test_bad_options(sample, kwargs, exc):
    kind = kwargs.pop("kind", "png")
    with pytest.raises(exc):
        encode_image(sample, kind, **kwargs)


def test_payload_must_be_str():
    with pytest.raises(TypeError):
        encode_image(b"000201")  # type: ignore[arg-type]
