"""The QR symbol builder and the PNG compressor against segno and zlib.

The native builder must give exactly ``segno.make_qr(payload, error=..., boost_error=False)``
(non-ASCII: ``mode="byte", encoding="utf-8", eci=True``): version, mask and every module,
at every level; the pure twin (segno's public API) must agree with it; the PNG scanlines of
both twins must match byte for byte; the compressed PNG data must inflate back exactly and
be no larger than segno's file at the same scale and border.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zlib

import pytest
import segno
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit import ImageError, decode_images, encode_image
from qriskit.images import _qr, _qr_py
from qriskit.images._encode import _png
from qriskit.images._qr import ERROR_LEVELS, make_symbol

_qr_c = pytest.importorskip("qriskit.images._qr_c", reason="the native module is not built (pure install)")

ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
#: The longest QRIS payload: 99 data objects cannot exceed 512 characters by the EMV spec,
#: and a few more for good measure (lengths count characters; UTF-8 bytes may be more).
LONGEST = 600


def segno_symbol(text: str, error: str) -> segno.QRCode:
    if text.isascii():
        return segno.make_qr(text, error=error, boost_error=False)
    return segno.make_qr(text, error=error, boost_error=False, mode="byte", encoding="utf-8", eci=True)


def assert_same_as_segno(text: str) -> None:
    for error in ERROR_LEVELS:
        sym = make_symbol(text, error)
        ref = segno_symbol(text, error)
        assert (sym.version, sym.error, sym.mask) == (ref.version, ref.error, ref.mask), (text, error)
        assert sym.modules == b"".join(ref.matrix), (text, error)


ALPHABETS = (
    st.characters(min_codepoint=32, max_codepoint=126),  # printable ASCII
    st.sampled_from("0123456789"),  # digits only: numeric mode
    st.sampled_from(ALNUM),  # alphanumeric mode
    st.sampled_from(ALNUM + "abc"),  # alphanumeric-heavy, byte mode
    st.characters(codec="utf-8", exclude_categories=("Cs",)),  # any UTF-8 width: ECI
    st.characters(min_codepoint=0, max_codepoint=127),  # controls too
)
texts = st.one_of(
    [st.text(alphabet, min_size=1, max_size=40) for alphabet in ALPHABETS]
    + [st.text(alphabet, min_size=150, max_size=LONGEST) for alphabet in ALPHABETS]  # QRIS-sized and up
)


#: Payloads compared per run, each at the four levels; QRISKIT_QR_EXAMPLES=5000 for a long run.
EXAMPLES = int(os.environ.get("QRISKIT_QR_EXAMPLES", "400"))


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_symbol_is_exactly_segnos(text):
    assert_same_as_segno(text)


@pytest.mark.parametrize("error", ERROR_LEVELS)
def test_every_version_boundary_matches_segno(error):
    """The longest byte / numeric payload of each version, and one character more."""
    for version in (1, 2, 7, 9, 10, 26, 27, 40):  # the count-field widths change after 9 and 26
        for char, mode in (("a", "byte"), ("7", "numeric")):
            lo, hi = 1, 8000
            while lo < hi:  # the longest text segno fits in ``version``
                mid = (lo + hi + 1) // 2
                try:
                    fits = segno.make_qr(char * mid, error=error, boost_error=False, version=version, mode=mode)
                except segno.DataOverflowError:
                    fits = None
                lo, hi = (mid, hi) if fits is not None else (lo, mid - 1)
            for n in (lo, lo + 1):
                text = "".join(chr(ord(char) + (i * 7) % 3) for i in range(n))
                try:
                    ref = segno_symbol(text, error)
                except segno.DataOverflowError:
                    with pytest.raises(ImageError, match="does not fit"):
                        make_symbol(text, error)
                    continue
                sym = make_symbol(text, error)
                assert (sym.version, sym.mask, sym.modules) == (ref.version, ref.mask, b"".join(ref.matrix))


def test_too_long_for_any_version_is_an_image_error():
    for native in (True, False):
        with pytest.raises(ImageError, match="does not fit in a QR code at error level H"):
            make_symbol("a" * 3000, "h", native=native)


@settings(max_examples=60, deadline=None)
@given(texts)
def test_pure_twin_agrees(text):
    for error in ("l", "h"):
        assert make_symbol(text, error, native=True) == make_symbol(text, error, native=False)


@settings(max_examples=60, deadline=None)
@given(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=300),
    st.integers(1, 12),
    st.integers(0, 10),
    st.booleans(),
)
def test_scanlines_and_bitmaps_of_both_twins_agree(text, scale, border, segno_layout):
    sym = make_symbol(text)
    args = (sym.modules, sym.size, scale, border)
    assert _qr_c.png_scanlines(*args, segno_layout) == _qr_py.png_scanlines(*args, segno_layout)
    assert _qr_c.bitmap(*args) == _qr_py.bitmap(*args)


def test_segno_layout_at_zlib_level_9_is_segnos_png_data():
    for text, scale, border in (("HELLO 123", 1, 4), ("https://example.com/", 3, 2), ("x" * 90, 8, 4)):
        sym = make_symbol(text)
        ref = io.BytesIO()
        segno.make_qr(text, error="m", boost_error=False).save(ref, kind="png", scale=scale, border=border)
        plain = _qr_c.png_scanlines(sym.modules, sym.size, scale, border, True)
        assert len(zlib.compress(plain, 9)) + 57 == len(ref.getvalue())  # 57: signature and chunk headers


rows_like_scanlines = st.lists(st.sampled_from([0, 0, 0, 1, 2, 2, 255]), max_size=3000).map(bytes)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=3000), rows_like_scanlines), st.integers(2, 80))
def test_png_deflate_inflates_back_on_any_rows(data, line):
    rows = data[: len(data) - len(data) % line]
    assert zlib.decompress(_qr_c.png_deflate(rows, line)) == rows


@settings(max_examples=100, deadline=None)
@given(
    st.text(st.characters(min_codepoint=32, max_codepoint=126), min_size=1, max_size=400),
    st.integers(1, 16),
    st.integers(0, 8),
)
def test_png_deflate_inflates_back_on_qr_scanlines(text, scale, border):
    sym = make_symbol(text)
    rows = _qr_c.png_scanlines(sym.modules, sym.size, scale, border)
    side = (sym.size + 2 * border) * scale
    for hlen in (3, 12):
        assert zlib.decompress(_qr_c.png_deflate(rows, (side + 7) // 8 + 1, hlen)) == rows


def segno_png(text: str, scale: int, border: int) -> bytes:
    out = io.BytesIO()
    segno_symbol(text, "m").save(out, kind="png", scale=scale, border=border)
    return out.getvalue()


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_png_no_larger_than_segnos_for_payment_codes(gen, data):
    """QRIS payloads of every shape, at the default scale and border and at scale 4."""
    name = data.draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz .éü", min_size=1, max_size=25))
    city = data.draw(st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij", min_size=1, max_size=15))
    amount = data.draw(st.none() | st.integers(1, 10**9).map(str))
    label = data.draw(st.text("0123456789ABCDEFXYZ-", min_size=1, max_size=25))
    payload = gen.make_payload(name=name, city=city, amount=amount, label=label)
    for scale, border in ((8, 4), (4, 4), (8, 2)):
        ours = encode_image(payload, scale=scale, border=border)
        assert len(ours) <= len(segno_png(payload, scale, border)), (payload, scale, border)


@pytest.mark.parametrize("scale", [1, 2, 3, 5, 6, 7, 9, 10, 12, 16])
def test_png_no_larger_than_segnos_at_other_scales(gen, scale):
    for text in (gen.SAMPLE, gen.SAMPLE_UTF8, "x" * 300, "0" * 200):
        sym = make_symbol(text)
        for border in (0, 4):
            assert len(_png(sym, scale, border)) <= len(segno_png(text, scale, border))


def test_svg_no_larger_than_segnos(gen):
    for text in (gen.SAMPLE, gen.SAMPLE_UTF8, *gen.payloads(5, 1)):
        for scale, border in ((1, 4), (8, 4), (3, 0)):
            ref = io.BytesIO()
            segno_symbol(text, "m").save(ref, kind="svg", scale=scale, border=border)
            ours = encode_image(text, "svg", scale=scale, border=border, verify=False)
            assert len(ours.encode()) <= len(ref.getvalue())


def test_pure_install_falls_back_to_segno(gen, tmp_path):
    """QRISKIT_PURE_PYTHON=1: segno's public API builds the symbol; the PNG is segno's size."""
    code = (
        "import sys, io, qriskit, segno; from qriskit.images import _qr; "
        "assert not _qr.NATIVE; p = sys.argv[1]; png = qriskit.encode_image(p); "
        "ref = io.BytesIO(); segno.make_qr(p, error='m', boost_error=False).save(ref, kind='png', scale=8, border=4); "
        "assert len(png) == len(ref.getvalue()), (len(png), len(ref.getvalue())); "
        "assert qriskit.decode_image(png) == p; print('ok')"
    )
    env = {**os.environ, "QRISKIT_PURE_PYTHON": "1"}
    out = subprocess.run([sys.executable, "-c", code, gen.SAMPLE], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_native_flag_follows_the_environment():
    assert _qr.NATIVE is (not _qr.FORCE_PURE)


@pytest.mark.parametrize("error", ERROR_LEVELS)
def test_long_codes_decode_back(gen, error):
    text = gen.SAMPLE + "é" * 60
    sym = make_symbol(text, error)
    assert sym.version >= 11
    assert decode_images(encode_image(text, error=error, verify=False, scale=4)) == [text]
