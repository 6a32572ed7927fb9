"""Old spelling of :mod:`qriskit.images`, kept so that ``qriskit.image`` imports keep working.

Everything lives in the :mod:`qriskit.images` package now; this module re-exports its
public names.
"""

from .images import (
    DECODE_TIMEOUT,
    ERROR_LEVELS,
    FORMATS,
    KINDS,
    MAX_ENCODE_SIDE,
    MAX_IMAGE_BYTES,
    MAX_IMAGE_PIXELS,
    Converted,
    ImageKind,
    convert_image,
    decode_image,
    decode_images,
    encode_image,
)

__all__ = [
    "DECODE_TIMEOUT",
    "ERROR_LEVELS",
    "FORMATS",
    "KINDS",
    "MAX_ENCODE_SIDE",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_PIXELS",
    "Converted",
    "ImageKind",
    "convert_image",
    "decode_image",
    "decode_images",
    "encode_image",
]
