"""Old spelling of the decoder backends, kept so that ``qriskit.decoders`` imports keep working.

The backends live in :mod:`qriskit.images` now (``qriskit.images.DECODERS`` is the tuple of
their names); here ``DECODERS`` stays what it was, the dict of backend classes by name.
"""

from .images import (
    DEFAULT_DECODER,
    Decoder,
    OpenCVDecoder,
    ZBarDecoder,
    ZXingDecoder,
    available_decoders,
    get_decoder,
)
from .images._backends import BACKENDS as DECODERS

__all__ = [
    "DECODERS",
    "DEFAULT_DECODER",
    "Decoder",
    "OpenCVDecoder",
    "ZBarDecoder",
    "ZXingDecoder",
    "available_decoders",
    "get_decoder",
]
