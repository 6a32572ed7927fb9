"""Each decoder backend behind the one interface, where installed."""

from __future__ import annotations

import sys

import numpy as np
import pytest

from qriskit import ImageError, NoQRCodeFound, decode_image, decode_images, decoders, encode_image


def test_clean_png(backend, sample):
    assert decode_image(encode_image(sample, scale=4), decoder=backend) == sample


def test_non_ascii_payload(backend, sample_utf8):
    assert decode_image(encode_image(sample_utf8, scale=4), decoder=backend) == sample_utf8


def test_code_made_by_segno_directly(backend, gen, sample):
    assert decode_image(gen.render(sample, px=4), decoder=backend) == sample


def test_rotated_and_jpeg(backend, gen, sample):
    img = gen.rotate(gen.render(sample, px=6), 30)
    assert decode_image(gen.jpeg(img, 60), decoder=backend) == sample


def test_two_codes(backend, gen, sample):
    from PIL import Image

    a, b = gen.render(sample, px=4), gen.render("https://example.com/", px=4)
    img = Image.new("L", (a.width + b.width + 20, max(a.height, b.height)), 255)
    img.paste(a, (0, 0))
    img.paste(b, (a.width + 20, 0))
    assert decode_image(img, decoder=backend) == sample
    assert sorted(decode_images(img, decoder=backend)) == sorted([sample, "https://example.com/"])


def test_nothing_found(backend):
    with pytest.raises(NoQRCodeFound, match=backend):
        decode_image(np.full((200, 200), 255, np.uint8), decoder=backend)


@pytest.mark.parametrize("shape", [(9, 70000), (70000, 9), (10, 40000)])
def test_a_picture_wider_than_zxing_takes_is_nothing_found(backend, shape, gen):
    """zxing-cpp refuses a side over 65535 pixels with a ValueError; a 40000-wide strip
    reaches it through the "upscale x2" variant."""
    from PIL import Image

    blank = np.full(shape, 255, np.uint8)
    assert decode_images(blank, decoder=backend, retry=True) == []
    assert decode_images(gen.encoded(Image.fromarray(blank), "PNG"), decoder=backend, retry=True) == []
    with pytest.raises(NoQRCodeFound):
        decode_image(blank, decoder=backend, retry=True)


def test_backend_interface(backend, gen, sample):
    dec = decoders.get_decoder(backend)
    assert isinstance(dec, decoders.Decoder)
    assert dec.name == backend
    gray = np.ascontiguousarray(np.asarray(gen.render(sample, px=4)))
    assert dec.decode(gray) == [sample]
    assert dec.decode(np.full((100, 100), 255, np.uint8)) == []
    assert backend in decoders.available_decoders()


def test_retry_variants_with_a_non_default_backend(backend, gen, sample):
    inverted = gen.invert(gen.render(sample, px=5))
    assert decode_image(inverted, decoder=backend, retry=True) == sample


@pytest.mark.parametrize(("alias", "name"), [("zxing", "zxing-cpp"), ("ZXING-CPP", "zxing-cpp"), (None, "zxing-cpp")])
def test_names_and_aliases(alias, name):
    assert decoders.get_decoder(alias).name == name


def test_missing_backend_says_what_to_install(monkeypatch):
    class Broken(decoders.ZBarDecoder):
        def _load(self):
            raise ImportError("Unable to find zbar shared library")

    b = Broken()
    assert not b.available()
    with pytest.raises(ImageError, match=r'libzbar0.*pip install "pyqriskit\[zbar\]"') as info:
        b.module()
    assert info.value.code == "extra.missing"


@pytest.mark.parametrize(("cls", "module", "extra"), [
    (decoders.ZXingDecoder, "zxingcpp", "image"),
    (decoders.OpenCVDecoder, "cv2", "opencv"),
])
def test_missing_decoder_package_names_the_extra(monkeypatch, cls, module, extra):
    monkeypatch.setitem(sys.modules, module, None)
    with pytest.raises(ImageError, match=rf'pip install "pyqriskit\[{extra}\]"') as info:
        cls().module()
    assert info.value.code == "extra.missing" and module in str(info.value)


def test_custom_decoder_object(sample):
    class Fixed:
        name = "fixed"

        def decode(self, gray):
            assert gray.dtype == np.uint8 and gray.ndim == 2 and gray.flags.c_contiguous
            return ["not a payment", sample]

    assert decode_image(np.full((50, 50), 200, np.uint8), decoder=Fixed()) == sample
    with pytest.raises(TypeError):
        decode_image(np.full((50, 50), 200, np.uint8), decoder=42)  # type: ignore[arg-type]
