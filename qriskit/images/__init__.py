"""QR images in and out: decode photos and files, encode PNG / SVG / data URI / text / PIL.

Decoding::

    decode_image(source)      -> str        the one EMV payment payload in the picture
    decode_images(source)     -> list[str]  the text of every QR code found

``source`` is a path (``str`` or ``os.PathLike``), ``bytes``, a binary file object, a base64
string or ``data:`` URI, a PIL image or a numpy array (H x W gray, H x W x 3 RGB or
H x W x 4 RGBA; uint8, uint16, bool or float in 0..1). Formats: PNG, JPEG, GIF, WebP, BMP,
TIFF (``FORMATS``; never EPS, PS or PDF). Limits (keyword arguments): ``max_bytes``
(``MAX_IMAGE_BYTES``), ``max_pixels`` (``MAX_IMAGE_PIXELS``), ``max_decoded_bytes``
(``MAX_DECODED_BYTES``: the memory the decoder may hold for the pixels), ``timeout``
(``DECODE_TIMEOUT`` seconds). Backends: ``DECODERS``, :func:`get_decoder`,
:func:`available_decoders`.

Encoding::

    encode_image(payload, kind="png", scale=8, border=4, error="m")

``kind`` one of ``KINDS``, ``error`` one of ``ERROR_LEVELS``; the picture is at most
``MAX_ENCODE_SIDE`` pixels a side. ``convert_image(source, amount, ...)`` reads a static
code from a picture and returns the dynamic payload and its image.

Pillow, numpy, segno and the decoders are imported inside the functions only, so importing
this package stays light. The modules behind it: ``_load`` (reading within limits),
``_decode`` (the cascade), ``_backends`` (zxing-cpp, OpenCV, zbar), ``_qr`` (the symbol;
native ``_qr_c`` or segno), ``_encode`` (writers), ``_convert``.
"""

from ._backends import (
    DECODERS,
    DEFAULT_DECODER,
    Decoder,
    OpenCVDecoder,
    ZBarDecoder,
    ZXingDecoder,
    available_decoders,
    get_decoder,
)
from ._convert import Converted, convert_image
from ._decode import decode_image, decode_images
from ._encode import KINDS, ImageKind, encode_image
from ._limits import (
    DECODE_TIMEOUT,
    FORMATS,
    MAX_DECODED_BYTES,
    MAX_ENCODE_SIDE,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    WORK_PIXELS,
)
from ._qr import ERROR_LEVELS

__all__ = [
    "DECODERS",
    "DECODE_TIMEOUT",
    "DEFAULT_DECODER",
    "ERROR_LEVELS",
    "FORMATS",
    "KINDS",
    "MAX_DECODED_BYTES",
    "MAX_ENCODE_SIDE",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "WORK_PIXELS",
    "Converted",
    "Decoder",
    "ImageKind",
    "OpenCVDecoder",
    "ZBarDecoder",
    "ZXingDecoder",
    "available_decoders",
    "convert_image",
    "decode_image",
    "decode_images",
    "encode_image",
    "get_decoder",
]
