"""qriskit: exact, fast QRIS / EMV Merchant-Presented QR codes.

>>> import qriskit
>>> code = qriskit.parse(payload)                 # doctest: +SKIP
>>> qriskit.to_dynamic(payload, 25000)            # doctest: +SKIP
>>> code.to_dynamic(25000)                        # doctest: +SKIP  (parse once, convert many)

The codec runs on a native core (``qriskit.backend == "native"``) or its pure-Python twin
(``QRISKIT_PURE_PYTHON=1``); both give the same results and the same errors. Image, HTTP
and CLI modules load only when used: ``import qriskit`` pulls in no image, HTTP or numpy
module.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import _backend
from .errors import AmountError, CRCError, FieldError, ImageError, NoQRCodeFound, QRISError, TLVError
from .model import QRIS, AdditionalData, Language, MerchantAccount, Template

# Imported eagerly (they are light: no import beyond the standard library), so that the
# functions, not the same-named submodules, are what ``qriskit.validate`` etc. name.
from .validate import Problem, Report, validate  # isort: skip
from .info import info  # isort: skip
from .build import Account, anonymize, build  # isort: skip
from .repair import Repaired, repair  # isort: skip
from .values import Amount, Tip

__version__ = "0.1.0"

#: "native" or "python": which twin runs the codec.
backend: str = _backend.name

_kernel = _backend.kernel

__all__ = [
    "QRIS",
    "Account",
    "AdditionalData",
    "Amount",
    "AmountError",
    "CRCError",
    "FieldError",
    "ImageError",
    "Language",
    "MerchantAccount",
    "NoQRCodeFound",
    "Problem",
    "QRISError",
    "Repaired",
    "Report",
    "TLVError",
    "Template",
    "Tip",
    "anonymize",
    "backend",
    "build",
    "crc16",
    "info",
    "parse",
    "repair",
    "to_dynamic",
    "to_dynamic_many",
    "to_static",
    "validate",
]


if TYPE_CHECKING:  # the signatures, for type checkers; at run time the kernels are bound directly

    def crc16(data: str | bytes) -> int: ...
    def to_dynamic(
        payload: str,
        amount: Amount,
        *,
        tip: Tip | None = None,
        reference: str | None = None,
        verify_crc: bool = True,
    ) -> str: ...
    def to_static(payload: str, *, verify_crc: bool = True) -> str: ...
    def to_dynamic_many(
        payload: str, amounts: Iterable[Amount], *, tip: Tip | None = None, verify_crc: bool = True
    ) -> list[str]: ...


def _bind(function: Any, doc: str) -> Any:
    """Export a kernel function as it is (no wrapper frame on the hot path), documented."""
    function.__doc__ = doc
    return function


crc16 = _bind(_kernel.crc16, """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection) of ``data``.

    A str is hashed as its UTF-8 bytes. ``f"{crc16(x):04X}"`` is the form tag 63 carries.
    """)

to_dynamic = _bind(_kernel.to_dynamic, """Return ``payload`` as a dynamic code for ``amount``, with a fresh CRC.

    ``amount`` is an int, Decimal or str above zero, digits with an optional ".", at most
    13 characters (a float raises ``TypeError``). 01 becomes "12" (inserted after 00 if
    absent); 54 is replaced in place, else inserted after 53. ``tip`` (``Tip.prompt()``,
    ``Tip.fixed(x)``, ``Tip.percent(r)``) replaces 55-57; ``tip=None`` keeps them as they
    are. ``reference`` (1-25 printable ASCII) goes into 62.05. Every other data object is
    kept exactly, in its order. A source with a wrong CRC raises ``CRCError`` unless
    ``verify_crc=False``.
    """)

to_static = _bind(_kernel.to_static, """Return ``payload`` as a static code: 01 set to "11" and the amount (54) removed.

    Tip/fee objects (55-57) and tag 62 are kept: a printed code may carry them.
    """)

to_dynamic_many = _bind(_kernel.to_dynamic_many, """One dynamic code per amount, in order: parse once, convert fast.

    A bad amount raises ``AmountError`` naming its index (``amounts[3]: ...``).
    """)


def parse(payload: str, *, verify_crc: bool = True) -> QRIS:
    """Parse a QRIS / EMV MPM payload.

    Fails only on damage at the root: a missing, malformed or (with ``verify_crc``) wrong
    CRC raises ``CRCError``; a broken root TLV walk, a repeated root id or a first object
    other than 00 raises ``TLVError``. Templates that are not valid TLV keep their raw value
    (``validate`` reports them). Parse once and call ``code.to_dynamic(...)`` for speed.
    """
    return QRIS(payload, verify_crc)


def __getattr__(name: str) -> Any:
    """Load the heavier parts (validation, images) on first use."""
    if name in _LAZY:
        import importlib

        module = importlib.import_module(_LAZY[name], __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'qriskit' has no attribute {name!r}")


_LAZY = {
    "decode_image": ".images",
    "decode_images": ".images",
    "encode_image": ".images",
    "convert_image": ".images",
}
