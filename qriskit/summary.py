"""One summary of a code: what ``QRIS.to_dict``, ``info()``, the CLI and the server render.

``summarize(code)`` reads a parsed code's fields once into a ``Summary``; ``info_dict``
renders it with a validation ``Report`` as the JSON-ready dict a "QRIS info" endpoint
gives, and ``code_dict`` as the full field dump of ``QRIS.to_dict``. Nothing else derives
a code's kind, acquirers, currency or tip, so the renderings cannot disagree.

``info`` keys: ``readable``, ``valid`` (no validation error), ``merchant`` (``name``,
``city``, ``postal_code``, ``country``, ``mcc``, ``alternate_language``, ``alternate_name``,
``alternate_city``), ``nmid``, ``criteria`` and ``criteria_description``, ``acquirers`` (one
per merchant account but the national template 51: ``tag``, ``guid``, ``nns``, ``name``,
``kind``, ``known``, ``pan``, ``merchant_id``, ``criteria``), ``kind`` ("static"/"dynamic";
a code without 01 is static), ``amount`` (the text of 54), ``currency`` (ISO 4217 letters,
or the numeric code when unknown), ``tip`` (``indicator``, ``kind``, ``fixed``, ``percent``),
``reference`` (62.05), ``crc`` (``found``, ``computed``, ``ok``), ``errors`` and ``warnings``
(``Problem.to_dict()`` each).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import spec
from .errors import FieldError

if TYPE_CHECKING:
    from .model import QRISFields
    from .validation import Report

__all__ = ["AccountInfo", "CRCInfo", "MerchantInfo", "Summary", "TipInfo", "code_dict", "info_dict", "summarize"]


@dataclass(frozen=True, slots=True)
class MerchantInfo:
    """Who is paid: name, city, postal code, country, MCC, and the alternate-language names."""

    name: str | None
    city: str | None
    postal_code: str | None
    country: str | None
    mcc: str | None
    alternate_language: str | None
    alternate_name: str | None
    alternate_city: str | None


@dataclass(frozen=True, slots=True)
class AccountInfo:
    """One merchant account (not the national template 51) and the participant behind it."""

    tag: str
    guid: str | None
    nns: str | None
    name: str | None  # by NNS through spec.ACQUIRERS, else by GUID
    kind: str | None
    known: bool
    pan: str | None
    merchant_id: str | None
    criteria: str | None


@dataclass(frozen=True, slots=True)
class TipInfo:
    """Tags 55-57 as written."""

    indicator: str
    kind: str | None  # "prompt", "fixed", "percent", or None for an unknown indicator
    fixed: str | None
    percent: str | None


@dataclass(frozen=True, slots=True)
class CRCInfo:
    """The CRC as written, the one the data calls for, and whether they match."""

    found: str
    computed: str
    ok: bool


@dataclass(frozen=True, slots=True)
class Summary:
    """The facts of a code that every rendering shows."""

    kind: str | None  # "static" (also when 01 is absent), "dynamic", or None for another 01
    merchant: MerchantInfo
    nmid: str | None
    criteria: str | None
    criteria_description: str | None
    acquirers: tuple[AccountInfo, ...]
    amount: str | None
    currency: str | None
    tip: TipInfo | None
    reference: str | None
    crc: CRCInfo

    def to_dict(self) -> dict[str, Any]:
        """The summary as JSON-ready data (the ``info`` layout without the problems)."""
        m, tip, crc = self.merchant, self.tip, self.crc
        return {
            "merchant": {
                "name": m.name,
                "city": m.city,
                "postal_code": m.postal_code,
                "country": m.country,
                "mcc": m.mcc,
                "alternate_language": m.alternate_language,
                "alternate_name": m.alternate_name,
                "alternate_city": m.alternate_city,
            },
            "nmid": self.nmid,
            "criteria": self.criteria,
            "criteria_description": self.criteria_description,
            "acquirers": [
                {
                    "tag": a.tag,
                    "guid": a.guid,
                    "nns": a.nns,
                    "name": a.name,
                    "kind": a.kind,
                    "known": a.known,
                    "pan": a.pan,
                    "merchant_id": a.merchant_id,
                    "criteria": a.criteria,
                }
                for a in self.acquirers
            ],
            "kind": self.kind,
            "amount": self.amount,
            "currency": self.currency,
            "tip": None if tip is None else {
                "indicator": tip.indicator, "kind": tip.kind, "fixed": tip.fixed, "percent": tip.percent,
            },
            "reference": self.reference,
            "crc": {"found": crc.found, "computed": crc.computed, "ok": crc.ok},
        }


def summarize(code: QRISFields) -> Summary:
    """Read a parsed code's summary (its fields are decoded once and cached by the code)."""
    get = code.get
    language = code.language
    acquirers = []
    for account in code.accounts:
        if account.tag == spec.QRIS_NATIONAL_ID and (
            account.guid == spec.QRIS_GUID or account.guid in spec.QRIS_GUID_LEGACY
        ):
            continue  # the national template: its NMID is reported on its own
        who = spec.participant(account.pan)
        acquirers.append(AccountInfo(
            tag=account.tag,
            guid=account.guid,
            nns=account.nns,
            name=account.acquirer or _guid_name(account.guid),
            kind=who.kind if who else None,
            known=who is not None,
            pan=account.pan,
            merchant_id=account.merchant_id,
            criteria=account.criteria,
        ))
    indicator = get("55")
    tip = None
    if indicator is not None:
        tip = TipInfo(indicator, spec.TIP_INDICATOR.get(indicator), get("56"), get("57"))
    criteria = code.criteria
    poi = get("01")
    numeric = get("53")
    currency = spec.CURRENCIES.get(numeric) if numeric else None
    return Summary(
        kind="static" if poi is None else spec.POINT_OF_INITIATION.get(poi),
        merchant=MerchantInfo(
            name=get("59"),
            city=get("60"),
            postal_code=get("61"),
            country=get("58"),
            mcc=get("52"),
            alternate_language=language.language if language else None,
            alternate_name=language.merchant_name if language else None,
            alternate_city=language.merchant_city if language else None,
        ),
        nmid=code.nmid,
        criteria=criteria,
        criteria_description=spec.CRITERIA.get(criteria) if criteria else None,
        acquirers=tuple(acquirers),
        amount=get("54"),
        currency=currency.code if currency else numeric,
        tip=tip,
        reference=code.additional.reference_label,
        crc=CRCInfo(code.crc, code.computed_crc, code.crc_ok),
    )


_EMPTY_SUMMARY: dict[str, Any] = {
    "merchant": None,
    "nmid": None,
    "criteria": None,
    "criteria_description": None,
    "acquirers": [],
    "kind": None,
    "amount": None,
    "currency": None,
    "tip": None,
    "reference": None,
    "crc": None,
}


def info_dict(report: Report) -> dict[str, Any]:
    """The ``info`` layout (see the module doc) of a validation ``Report``; never raises."""
    problems = {
        "errors": [p.to_dict() for p in report.errors],
        "warnings": [p.to_dict() for p in report.warnings],
    }
    code = report.parsed
    if code is None:
        return {"readable": False, "valid": False, **_EMPTY_SUMMARY, **problems}
    try:
        return {"readable": True, "valid": report.ok, **summarize(code).to_dict(), **problems}
    except Exception as exc:  # never raise: fall back to what the report says
        problems["errors"].append({
            "code": "internal", "severity": "error", "path": None, "offset": None,
            "message": f"{type(exc).__name__}: {exc}",
        })
        return {"readable": True, "valid": False, **_EMPTY_SUMMARY, **problems}


def code_dict(code: QRISFields) -> dict[str, Any]:
    """Every field of a parsed code as JSON-ready data: the layout of ``QRIS.to_dict``."""
    s = summarize(code)
    tip = None
    if s.tip is not None:
        try:
            t = code.tip
            tip = {"kind": t.kind, "value": t.value} if t else None
        except FieldError:
            tip = {"kind": None, "value": None, "raw": s.tip.indicator}
    language = code.language
    additional = code.additional
    return {
        "payload": code.payload,
        "dynamic": s.kind == "dynamic",
        "merchant_name": s.merchant.name,
        "merchant_city": s.merchant.city,
        "postal_code": s.merchant.postal_code,
        "country": s.merchant.country,
        "currency": code.currency,
        "mcc": s.merchant.mcc,
        "amount": s.amount,
        "tip": tip,
        "nmid": s.nmid,
        "criteria": s.criteria,
        "acquirers": list(code.acquirers),
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
            for a in code.accounts
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
                       for t in code.unreserved],
        "crc": s.crc.found,
        "crc_ok": s.crc.ok,
        "items": [[tag, value] for tag, value in code.items()],
    }


def _guid_name(guid: str | None) -> str | None:
    """An acquirer named by GUID when the PAN gives none (GUID and NNS can differ: NNS wins)."""
    if not guid:
        return None
    return _BY_GUID.get(guid.upper())


_BY_GUID = {p.guid.upper(): p.name for p in spec.ACQUIRERS.values() if p.guid}
