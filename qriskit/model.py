"""QRIS and its parts: immutable, typed views of a parsed code.

``QRIS`` inherits the active twin's ``Payload`` (the root walk, the CRC and the conversion
kernels), so ``code.to_dynamic(amount)`` is a direct call into the native core. Fields are
decoded on first access and kept; templates whose inside is not valid TLV keep their raw
value and say so in ``error`` (``validate`` reports them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache
from types import MappingProxyType, ModuleType
from typing import Any

from . import _backend, spec
from .errors import FieldError, QRISError
from .values import Tip

__all__ = ["QRIS", "AdditionalData", "Language", "MerchantAccount", "Template", "qris_class"]

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


def _template(tlv_map: Any, tag: str, value: str, offset: int) -> Template:
    try:
        items = tlv_map(value, offset, tag)
    except QRISError as exc:
        return Template(tag, value, _EMPTY, str(exc))
    return Template(tag, value, MappingProxyType(items))


_TEMPLATE_IDS = spec.TEMPLATE_IDS


class QRISFields:
    """Decoded fields of a parsed code; mixed into the twin's ``Payload`` as ``QRIS``."""

    __slots__ = ()
    _kernel: ModuleType

    # -- plain root fields ---------------------------------------------------------------
    def __str__(self) -> str:
        return self.payload  # type: ignore[attr-defined,no-any-return]

    def __repr__(self) -> str:
        kind = "dynamic" if self.is_dynamic else "static"
        return f"<QRIS {kind} {self.merchant_name!r} {self.payload[:24]}…>"  # type: ignore[attr-defined]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, QRISFields):
            return self.payload == other.payload  # type: ignore[attr-defined,no-any-return]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.payload)  # type: ignore[attr-defined]

    def __reduce__(self) -> tuple[Any, ...]:
        return _unpickle, (self._kernel.__name__, self.payload)  # type: ignore[attr-defined]

    @property
    def is_dynamic(self) -> bool:
        """True when the point of initiation (01) is "12": a one-time code."""
        return self.get("01") == "12"  # type: ignore[attr-defined,no-any-return]

    @property
    def point_of_initiation(self) -> str | None:
        """"static", "dynamic", or None when 01 is absent or unknown."""
        return spec.POINT_OF_INITIATION.get(self.get("01"))  # type: ignore[attr-defined]

    @property
    def mcc(self) -> str | None:
        return self.get("52")  # type: ignore[attr-defined,no-any-return]

    @property
    def currency(self) -> str | None:
        return self.get("53")  # type: ignore[attr-defined,no-any-return]

    @property
    def country(self) -> str | None:
        return self.get("58")  # type: ignore[attr-defined,no-any-return]

    @property
    def merchant_name(self) -> str | None:
        return self.get("59")  # type: ignore[attr-defined,no-any-return]

    @property
    def merchant_city(self) -> str | None:
        return self.get("60")  # type: ignore[attr-defined,no-any-return]

    @property
    def postal_code(self) -> str | None:
        return self.get("61")  # type: ignore[attr-defined,no-any-return]

    @property
    def amount(self) -> Decimal | None:
        """Tag 54 as an exact Decimal, or None on a code without an amount."""
        return _decimal(self.get("54"), "54")  # type: ignore[attr-defined]

    @property
    def tip(self) -> Tip | None:
        """Tags 55-57 as a ``Tip``, or None when 55 is absent."""
        kind = spec.TIP_INDICATOR.get(self.get("55"))  # type: ignore[attr-defined]
        indicator = self.get("55")  # type: ignore[attr-defined]
        if indicator is None:
            return None
        try:
            if kind == "prompt":
                return Tip.prompt()
            if kind == "fixed":
                return Tip.fixed(self.get("56"))  # type: ignore[attr-defined]
            if kind == "percent":
                return Tip.percent(self.get("57"))  # type: ignore[attr-defined]
        except (QRISError, TypeError) as exc:
            raise FieldError(f"tip indicator {indicator} with an unusable value: {exc}", path="55") from None
        raise FieldError(f"tip indicator {indicator!r} is not 01, 02 or 03", path="55")

    # -- templates ---------------------------------------------------------------------
    def _decoded(self) -> dict[str, Any]:
        """Per-instance cache of decoded templates and views (codes are immutable)."""
        cache = self._cache  # type: ignore[attr-defined]
        if cache is None:
            tlv_map = self._kernel.tlv_map
            offset = self.offset  # type: ignore[attr-defined]
            templates = {
                tag: _template(tlv_map, tag, value, offset(tag) + 4)
                for tag, value in self.items()  # type: ignore[attr-defined]
                if tag in _TEMPLATE_IDS
            }
            cache = self._cache = {"templates": templates}
        return cache  # type: ignore[no-any-return]

    def template(self, tag: str) -> Template | None:
        """Root template ``tag`` split into sub-objects (raw kept if it is not valid TLV)."""
        return self._decoded()["templates"].get(tag)  # type: ignore[no-any-return]

    @property
    def templates(self) -> MappingProxyType[str, Template]:
        """Every root template (26-51, 62, 64, 80-99) by id, in code order."""
        return MappingProxyType(self._decoded()["templates"])

    @property
    def accounts(self) -> tuple[MerchantAccount, ...]:
        """Merchant account templates 26-51, in order, with their acquirers."""
        cache = self._decoded()
        accounts = cache.get("accounts")
        if accounts is None:
            out = []
            for tag, tpl in cache["templates"].items():
                if "26" <= tag <= "51":
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
            accounts = cache["accounts"] = tuple(out)
        return accounts  # type: ignore[no-any-return]

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
        tpl = self.template("51")
        return tpl.items.get("02") if tpl else None

    @property
    def criteria(self) -> str | None:
        """The merchant criteria (UMI, UKE, ...): 51.03, else the first account's 03."""
        for account in sorted(self.accounts, key=lambda a: a.tag != "51"):
            if account.criteria:
                return account.criteria
        return None

    @property
    def additional(self) -> AdditionalData:
        """Tag 62 by name (all None when the code has no 62)."""
        cache = self._decoded()
        data = cache.get("additional")
        if data is None:
            tpl = cache["templates"].get("62")
            if tpl is None:
                data = AdditionalData()
            else:
                named = {spec.ADDITIONAL_NAMES[t]: v for t, v in tpl.items.items() if t in spec.ADDITIONAL_NAMES}
                data = AdditionalData(**named, items=tpl.items, error=tpl.error)
            cache["additional"] = data
        return data  # type: ignore[no-any-return]

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
        return tuple(t for tag, t in self._decoded()["templates"].items() if tag >= "80")

    # -- checks and conversions beyond the kernel -------------------------------------------
    def validate(self, profile: str = "qris") -> Any:
        """``qriskit.validate`` on this code: a ``Report`` of problems."""
        from .validate import validate

        return validate(self, profile, _kernel=self._kernel)

    def info(self) -> dict[str, Any]:
        """``qriskit.info`` on this code: the JSON-ready summary."""
        from .info import info

        return info(self)

    def anonymize(self) -> str:
        """This code with the merchant identifiers masked (see ``qriskit.anonymize``)."""
        from .build import anonymize

        return anonymize(self)

    @classmethod
    def build(cls, **fields: Any) -> Any:
        """Build a new code from fields (see ``qriskit.build``) and parse it."""
        from .build import build

        return cls(build(**fields), True)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready view: amounts as strings, templates by name."""
        amount = self.get("54")  # type: ignore[attr-defined]
        tip = None
        if self.get("55") is not None:  # type: ignore[attr-defined]
            try:
                t = self.tip
                tip = {"kind": t.kind, "value": t.value} if t else None
            except FieldError:
                tip = {"kind": None, "value": None, "raw": self.get("55")}  # type: ignore[attr-defined]
        language = self.language
        additional = self.additional
        return {
            "payload": self.payload,  # type: ignore[attr-defined]
            "dynamic": self.is_dynamic,
            "merchant_name": self.merchant_name,
            "merchant_city": self.merchant_city,
            "postal_code": self.postal_code,
            "country": self.country,
            "currency": self.currency,
            "mcc": self.mcc,
            "amount": amount,
            "tip": tip,
            "nmid": self.nmid,
            "criteria": self.criteria,
            "acquirers": list(self.acquirers),
            "accounts": [
                {
                    "tag": a.tag,
                    "guid": a.guid,
                    "pan": a.pan,
                    "merchant_id": a.merchant_id,
                    "criteria": a.criteria,
                    "nns": a.nns,
                    "acquirer": a.acquirer,
                    "items": dict(a.items),
                    "error": a.template.error,
                }
                for a in self.accounts
            ],
            "additional": {
                **{name: getattr(additional, name) for name in spec.ADDITIONAL_NAMES.values()},
                "items": dict(additional.items),
                "error": additional.error,
            },
            "language": None if language is None else {
                "language": language.language,
                "merchant_name": language.merchant_name,
                "merchant_city": language.merchant_city,
                "items": dict(language.items),
                "error": language.error,
            },
            "unreserved": [{"tag": t.tag, "guid": t.guid, "items": dict(t.items), "error": t.error}
                           for t in self.unreserved],
            "crc": self.crc,  # type: ignore[attr-defined]
            "crc_ok": self.crc_ok,  # type: ignore[attr-defined]
            "items": [[tag, value] for tag, value in self.items()],  # type: ignore[attr-defined]
        }


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
    import importlib

    return qris_class(importlib.import_module(kernel))(payload, False)  # type: ignore[no-any-return]


@cache
def qris_class(kernel: ModuleType) -> type:
    """The ``QRIS`` class over one twin (the facade uses the active one)."""
    return type("QRIS", (QRISFields, kernel.Payload), {
        "__slots__": (),
        "__module__": __name__,
        "__doc__": _QRIS_DOC,
        "_kernel": kernel,
    })


_QRIS_DOC = """A parsed QRIS / EMV MPM code.

Build one with ``qriskit.parse(payload)``. Fields are read-only and decoded on first use:
``merchant_name``, ``merchant_city``, ``postal_code``, ``mcc``, ``currency``, ``country``,
``amount`` (Decimal or None), ``tip``, ``nmid``, ``accounts``, ``additional``, ``language``,
``unreserved``, ``crc``. ``str(code)`` is the payload. Converting a parsed code
(``code.to_dynamic(amount)``) is the fast path: parse once, convert many times.
"""

QRIS = qris_class(_backend.kernel)
