"""qriskit: exact, fast QRIS / EMV Merchant-Presented QR codes.

>>> import qriskit
>>> code = qriskit.parse(payload)                 # doctest: +SKIP
>>> qriskit.to_dynamic(payload, 25000)            # doctest: +SKIP
>>> code.to_dynamic(25000)                        # doctest: +SKIP  (parse once, convert many)

The codec runs on a native twin (``qriskit.backend == "native"``) or its pure-Python twin
(``QRISKIT_PURE_PYTHON=1``); both give the same results and the same errors. This module
only re-exports: the codec functions come from ``_codec`` (the twins), ``parse``,
``validate`` and ``info`` from ``model``. Image functions load on first use, so
``import qriskit`` pulls in no image, HTTP or numpy module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._build import Account, anonymize, build
from ._codec import backend, crc16, to_dynamic, to_dynamic_many, to_static
from ._repair import Change, Repaired, repair
from ._version import __version__ as __version__
from .errors import AmountError, CRCError, FieldError, ImageError, NoQRCodeFound, QRISError, TLVError
from .model import QRIS, AdditionalData, Language, MerchantAccount, Template, info, parse, validate
from .summary import Summary
from .validation import CODES, Problem, Report
from .values import Amount, Tip

if TYPE_CHECKING:
    from .image import convert_image, decode_image, decode_images, encode_image

__all__ = [
    "CODES",
    "QRIS",
    "Account",
    "AdditionalData",
    "Amount",
    "AmountError",
    "CRCError",
    "Change",
    "FieldError",
    "ImageError",
    "Language",
    "MerchantAccount",
    "NoQRCodeFound",
    "Problem",
    "QRISError",
    "Repaired",
    "Report",
    "Summary",
    "TLVError",
    "Template",
    "Tip",
    "anonymize",
    "backend",
    "build",
    "convert_image",
    "crc16",
    "decode_image",
    "decode_images",
    "encode_image",
    "info",
    "parse",
    "repair",
    "to_dynamic",
    "to_dynamic_many",
    "to_static",
    "validate",
]

_LAZY = {
    "decode_image": ".images",
    "decode_images": ".images",
    "encode_image": ".images",
    "convert_image": ".images",
}


def __getattr__(name: str) -> Any:
    """Load the image functions on first use (they need the ``image`` extra)."""
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qriskit' has no attribute {name!r}")
