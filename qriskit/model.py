"""QRIS and its parts: immutable, typed views of a parsed code, and the entry points.

``QRIS`` inherits the active twin's ``Payload`` (the root walk, the CRC and the conversion
kernels), so ``code.to_dynamic(amount)`` is a direct call into the native core. Fields are
decoded on first access and kept; templates whose inside is not valid TLV keep their raw
value and say so in ``error`` (``validate`` reports them).

This module is the top of the codec's layers: ``validation``, ``summary``, ``_build`` sit
below it and never import it, so ``parse``, ``validate`` and ``info`` (which hand out
``QRIS`` objects) live here, next to the class.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from . import _build, _codec, spec, summary, validation
from ._scan import TABLE_SIZE, Format
from .errors import FieldError, QRISError
from .validation import Report
from .values import Tip

__all__ = [
    "QRIS",
    "AdditionalData",
    "Language",
    "MerchantAccount",
    "QRISFields",
    "Template",
    "info",
    "parse",
    "qris_class",
    "validate",
]

_EMPTY: MappingProxyType[str, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Template:
    """A root template (26-51, 62, 64, 80-99) split into its sub-objects."""

    tag: str
    raw: str
    items: MappingProxyType[str, str] = field(default_factory=lambda: _EMPTY)
    error: str | None = None  # why ``raw`` is not valid TLV, if it is not

    @property
    def guid(self) -> str | None:
        """Sub-object 00, the globally unique identifier of 26-51 and 80-99 templates."""
        return self.items.get("00")


@dataclass(frozen=True, slots=True)
class MerchantAccount:
    """A merchant account template (26-51): who acquires the payment, and for whom."""

    tag: str
    guid: str | None
    pan: str | None
    merchant_id: str | None
    criteria: str | None
    acquirer: str | None  # named from the PAN's NNS through ``spec.ACQUIRERS``
    nns: str | None
    template: Template

    @property
    def items(self) -> MappingProxyType[str, str]:
        return self.template.items


@dataclass(frozen=True, slots=True)
class AdditionalData:
    """Tag 62 by name; ``items`` holds every sub-object, templates 50-99 included."""

    bill_number: str | None = None
    mobile_number: str | None = None
    store_label: str | None = None
    loyalty_number: str | None = None
    reference_label: str | None = None
    customer_label: str | None = None
    terminal_label: str | None = None
    purpose: str | None = None
    consumer_data_request: str | None = None
    merchant_tax_id: str | None = None
    merchant_channel: str | None = None
    items: MappingProxyType[str, str] = field(default_factory=lambda: _EMPTY)
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Language:
    """Tag 64: the merchant's name and city in an alternate language."""

    language: str | None
    merchant_name: str | None
    merchant_city: str | None
    items: MappingProxyType[str, str] = field(default_factory=lambda: _EMPTY)
    error: str | None = None


def _template(tag: str, value: str, sub: dict[str, str] | QRISError) -> Template:
    if type(sub) is dict:
        return Template(tag, value, MappingProxyType(sub))
    return Template(tag, value, _EMPTY, str(sub))


_TEMPLATE_IDS = spec.TEMPLATE_IDS
# Payload.scan tables that split every root template and check nothing else: one kernel call
# gives each template's sub-objects (or the error its walk raised), in code order.
_SPLIT_LO, _SPLIT_HI = bytes(TABLE_SIZE), bytes(TABLE_SIZE)
_SPLIT_FMT = bytes(Format.TEMPLATE if f"{t:02d}" in _TEMPLATE_IDS else Format.SKIP for t in range(TABLE_SIZE))
_ACCOUNT_TEMPLATE_IDS = frozenset(spec.ACCOUNT_TEMPLATE_IDS)
_UNRESERVED_IDS = frozenset(spec.UNRESERVED_IDS)

if TYPE_CHECKING:  # the fields are mixed into a twin's Payload; type checkers see the contract
    from ._codec_py import ScanTemplate

    _Root = _codec.Payload
else:
    _Root = object


class QRISFields(_Root):
    """Decoded fields of a parsed code; mixed into a twin's ``Payload`` as ``QRIS``."""

    __slots__ = ()
    _kernel: ModuleType

    # -- plain root fields ---------------------------------------------------------------
    def __str__(self) -> str:
        return self.payload

    def __repr__(self) -> str:
        kind = "dynamic" if self.is_dynamic else "static"
        return f"<QRIS {kind} {self.merchant_name!r} {self.payload[:24]}…>"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QRISFields):
            return self.payload == other.payload
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.payload)

    def __reduce__(self) -> tuple[Any, ...]:
        return _unpickle, (self._kernel.__name__, self.payload)

    @property
    def is_dynamic(self) -> bool:
        """True when the point of initiation (01) is "12": a one-time code."""
        return self.get("01") == spec.DYNAMIC

    @property
    def point_of_initiation(self) -> str | None:
        """"static", "dynamic", or None when 01 is absent or unknown."""
        value = self.get("01")
        return None if value is None else spec.POINT_OF_INITIATION.get(value)

    @property
    def mcc(self) -> str | None:
        """Merchant category code (52)."""
        return self.get("52")

    @property
    def currency(self) -> str | None:
        """Transaction currency (53), the ISO 4217 numeric code ("360" for rupiah)."""
        return self.get("53")

    @property
    def country(self) -> str | None:
        """Country code (58)."""
        return self.get("58")

    @property
    def merchant_name(self) -> str | None:
        """Merchant name (59)."""
        return self.get("59")

    @property
    def merchant_city(self) -> str | None:
        """Merchant city (60)."""
        return self.get("60")

    @property
    def postal_code(self) -> str | None:
        """Postal code (61)."""
        return self.get("61")

    @property
    def amount(self) -> Decimal | None:
        """Tag 54 as an exact Decimal, or None on a code without an amount."""
        return _decimal(self.get("54"), "54")

    @property
    def tip(self) -> Tip | None:
        """Tags 55-57 as a ``Tip``, or None when 55 is absent."""
        indicator = self.get("55")
        if indicator is None:
            return None
        kind = spec.TIP_INDICATOR.get(indicator)
        try:
            if kind == "prompt":
                return Tip.prompt()
            if kind == "fixed":
                return Tip.fixed(self.get("56"))  # type: ignore[arg-type]  # None is refused by Tip
            if kind == "percent":
                return Tip.percent(self.get("57"))  # type: ignore[arg-type]  # None is refused by Tip
        except (QRISError, TypeError) as exc:
            raise FieldError(f"tip indicator {indicator} with an unusable value: {exc}", path="55") from None
        raise FieldError(f"tip indicator {indicator!r} is not 01, 02 or 03", path="55")

    # -- templates ---------------------------------------------------------------------
    def _decoded(self) -> _Decoded:
        """Per-instance cache of the split templates and the views on them (codes are immutable)."""
        cache: _Decoded | None = self._cache
        if cache is None:
            cache = self._cache = _Decoded(self.scan(_SPLIT_LO, _SPLIT_HI, _SPLIT_FMT)[2])
        return cache

    def _split_templates(self) -> tuple[ScanTemplate, ...]:
        """Each root template, in code order, as ``Payload.scan`` splits it: ``(id, value,
        offset, sub)``, ``sub`` the sub-objects or the error when the value is not valid TLV.
        The raw split the views (and ``summary``) read; do not change the dicts."""
        return self._decoded().split

    def _templates(self) -> dict[str, Template]:
        cache = self._decoded()
        if cache.templates is None:
            cache.templates = {tag: _template(tag, value, sub) for tag, value, _, sub in cache.split}
        return cache.templates

    def template(self, tag: str) -> Template | None:
        """Root template ``tag`` split into sub-objects (raw kept if it is not valid TLV)."""
        return self._templates().get(tag)

    @property
    def templates(self) -> Mapping[str, Template]:
        """Every root template (26-51, 62, 64, 80-99) by id, in code order."""
        return MappingProxyType(self._templates())

    @property
    def accounts(self) -> tuple[MerchantAccount, ...]:
        """Merchant account templates 26-51, in order, with their acquirers."""
        cache = self._decoded()
        if cache.accounts is None:
            out = []
            for tag, tpl in self._templates().items():
                if tag in _ACCOUNT_TEMPLATE_IDS:
                    pan = tpl.items.get("01")
                    who = spec.participant(pan)
                    out.append(MerchantAccount(
                        tag=tag,
                        guid=tpl.items.get("00"),
                        pan=pan,
                        merchant_id=tpl.items.get("02"),
                        criteria=tpl.items.get("03"),
                        acquirer=who.name if who else None,
                        nns=pan[: spec.NNS_LENGTH] if pan and len(pan) >= spec.NNS_LENGTH else None,
                        template=tpl,
                    ))
            cache.accounts = tuple(out)
        return cache.accounts

    @property
    def acquirers(self) -> tuple[str, ...]:
        """Names of the acquirers/issuers behind the merchant accounts (by NNS), without repeats."""
        seen: dict[str, None] = {}
        for account in self.accounts:
            if account.acquirer:
                seen.setdefault(account.acquirer)
        return tuple(seen)

    @property
    def nmid(self) -> str | None:
        """The National Merchant ID (51.02), when tag 51 carries one."""
        tpl = self.template(spec.QRIS_NATIONAL_ID)
        return tpl.items.get("02") if tpl else None

    @property
    def criteria(self) -> str | None:
        """The merchant criteria (UMI, UKE, ...): 51.03, else the first account's 03."""
        for account in sorted(self.accounts, key=lambda a: a.tag != spec.QRIS_NATIONAL_ID):
            if account.criteria:
                return account.criteria
        return None

    @property
    def additional(self) -> AdditionalData:
        """Tag 62 by name (all None when the code has no 62)."""
        cache = self._decoded()
        if cache.additional is None:
            tpl = self._templates().get("62")
            if tpl is None:
                cache.additional = AdditionalData()
            else:
                named = {spec.ADDITIONAL_NAMES[t]: v for t, v in tpl.items.items() if t in spec.ADDITIONAL_NAMES}
                cache.additional = AdditionalData(**named, items=tpl.items, error=tpl.error)
        return cache.additional

    @property
    def language(self) -> Language | None:
        """Tag 64, or None."""
        tpl = self.template("64")
        if tpl is None:
            return None
        get = tpl.items.get
        return Language(get("00"), get("01"), get("02"), tpl.items, tpl.error)

    @property
    def unreserved(self) -> tuple[Template, ...]:
        """Unreserved templates 80-99, kept with their GUID (sub-object 00)."""
        return tuple(t for tag, t in self._templates().items() if tag in _UNRESERVED_IDS)

    # -- checks, summaries and conversions beyond the kernel ---------------------------------
    def validate(self, profile: str = "qris") -> Report:
        """``qriskit.validate`` on this code: a ``Report`` of problems."""
        return validation.check(self, profile, type(self))

    def summary(self) -> summary.Summary:
        """The one summary of this code that ``to_dict``, ``info``, the CLI and the server render."""
        return summary.summarize(self)

    def info(self, profile: str = "qris") -> dict[str, Any]:
        """``qriskit.info`` on this code: the JSON-ready summary with its problems."""
        return summary.info_dict(self.validate(profile))

    def anonymize(self) -> str:
        """This code with the merchant identifiers masked (see ``qriskit.anonymize``)."""
        return _build.anonymize(self.payload)

    @classmethod
    def build(cls, **fields: Any) -> Any:
        """Build a new code from fields (see ``qriskit.build``) and parse it."""
        return cls(_build.build(**fields), True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view of every field: amounts as strings, templates by name."""
        return summary.code_dict(self)


@dataclass(slots=True)
class _Decoded:
    """What a code decodes once and keeps: its templates split, then the views built on them."""

    split: tuple[ScanTemplate, ...]
    templates: dict[str, Template] | None = None
    accounts: tuple[MerchantAccount, ...] | None = None
    additional: AdditionalData | None = None


def _decimal(text: str | None, path: str) -> Decimal | None:
    if text is None:
        return None
    head, _, tail = text.partition(".")
    if not head.isascii() or not head.isdigit() or (tail and not (tail.isascii() and tail.isdigit())):
        raise FieldError(f"value {text!r} is not a plain decimal number", path=path)
    try:
        return Decimal(text)
    except InvalidOperation:  # pragma: no cover - guarded by the check above
        raise FieldError(f"value {text!r} is not a number", path=path) from None


def _unpickle(kernel: str, payload: str) -> QRISFields:
    code: QRISFields = qris_class(importlib.import_module(kernel))(payload, False)
    return code


class QRIS(QRISFields, _codec.Payload):
    """A parsed QRIS / EMV MPM code.

    Build one with ``qriskit.parse(payload)``. Fields are read-only and decoded on first use:
    ``merchant_name``, ``merchant_city``, ``postal_code``, ``mcc``, ``currency``, ``country``,
    ``amount`` (Decimal or None), ``tip``, ``nmid``, ``accounts``, ``additional``, ``language``,
    ``unreserved``, ``crc``. ``str(code)`` is the payload. Converting a parsed code
    (``code.to_dynamic(amount)``) is the fast path: parse once, convert many times.
    """

    __slots__ = ()
    _kernel = _codec.kernel


@cache
def qris_class(kernel: ModuleType) -> type[QRIS]:
    """``QRIS`` over one twin: the active one is ``QRIS`` itself; the tests build the other."""
    if kernel is _codec.kernel:
        return QRIS
    cls: type[QRIS] = type("QRIS", (QRISFields, kernel.Payload), {
        "__slots__": (),
        "__module__": __name__,
        "__doc__": QRIS.__doc__,
        "_kernel": kernel,
    })
    return cls


# -- entry points ------------------------------------------------------------------------------
def parse(payload: str, *, verify_crc: bool = True) -> QRIS:
    """Parse a QRIS / EMV MPM payload.

    Fails only on damage at the root: a missing, malformed or (with ``verify_crc``) wrong
    CRC raises ``CRCError``; a broken root TLV walk, a repeated root id or a first object
    other than 00 raises ``TLVError``. Templates that are not valid TLV keep their raw value
    (``validate`` reports them). Parse once and call ``code.to_dynamic(...)`` for speed.
    """
    return QRIS(payload, verify_crc)


def validate(payload: object, profile: str = "qris") -> Report:
    """Check ``payload`` against EMV MPM (``profile="emv"``) or QRIS (``"qris"``, the default).

    ``payload`` is a str, UTF-8 bytes or a parsed ``QRIS``. Never raises on bad input: every
    finding is a ``Problem`` in the returned ``Report`` (``report.ok`` is False on any
    error). ``qriskit.validation.CODES`` lists every code, its severity and meaning.
    """
    return validation.check(payload, profile, QRIS)


def info(payload: object, *, profile: str = "qris") -> dict[str, Any]:
    """Summarise ``payload`` (str, UTF-8 bytes or a parsed ``QRIS``) as a JSON-ready dict.

    Never raises: a code that cannot be read still gets a summary (``"readable": False``)
    with the problems that say why. The keys are listed in ``qriskit.summary``.
    """
    return summary.info_dict(validation.check(payload, profile, QRIS))
