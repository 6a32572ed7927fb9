"""``info(payload)``: the JSON-ready summary a hosted "QRIS info" endpoint gives.

It never raises: a code that cannot be read still gets a summary (``"readable": False``)
with the problems that say why. Amounts are strings, exactly as the code carries them.
"""

from __future__ import annotations

from typing import Any

from . import spec
from .validate import validate

__all__ = ["info"]


def info(payload: Any, *, profile: str = "qris") -> dict[str, Any]:
    """Summarise ``payload`` (str, UTF-8 bytes or a parsed ``QRIS``) as a JSON-ready dict.

    Keys: ``readable``, ``valid`` (no validation error), ``merchant`` (name, city, postal code,
    country, MCC, alternate-language name and city), ``nmid``, ``criteria`` (+ its meaning),
    ``acquirers`` (one per merchant account: tag, GUID, NNS, acquirer name and kind, PAN,
    merchant id, criteria; not the national template 51), ``kind`` ("static"/"dynamic"),
    ``amount``, ``currency``, ``tip``, ``reference``, ``crc`` (found, computed, ok), ``errors``
    and ``warnings`` (problem dicts).
    """
    report = validate(payload, profile)
    problems = {
        "errors": [p.to_dict() for p in report.errors],
        "warnings": [p.to_dict() for p in report.warnings],
    }
    code = report.code
    if code is None:
        return {"readable": False, "valid": False, **_empty(), **problems}
    try:
        return {"readable": True, "valid": report.ok, **_summary(code), **problems}
    except Exception as exc:  # never raise: fall back to what the report says
        problems["errors"].append({
            "code": "internal", "severity": "error", "path": None, "offset": None,
            "message": f"{type(exc).__name__}: {exc}",
        })
        return {"readable": True, "valid": False, **_empty(), **problems}


def _empty() -> dict[str, Any]:
    return {
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


def _summary(code: Any) -> dict[str, Any]:
    get = code.get
    language = code.language
    acquirers = []
    for account in code.accounts:
        if account.tag == "51" and (account.guid == spec.QRIS_GUID or account.guid in spec.QRIS_GUID_LEGACY):
            continue  # the national template: its NMID is reported on its own
        who = spec.participant(account.pan)
        acquirers.append({
            "tag": account.tag,
            "guid": account.guid,
            "nns": account.nns,
            "name": account.acquirer or _guid_name(account.guid),
            "kind": who.kind if who else None,
            "known": who is not None,
            "pan": account.pan,
            "merchant_id": account.merchant_id,
            "criteria": account.criteria,
        })
    tip = None
    indicator = get("55")
    if indicator is not None:
        tip = {
            "indicator": indicator,
            "kind": spec.TIP_INDICATOR.get(indicator),
            "fixed": get("56"),
            "percent": get("57"),
        }
    criteria = code.criteria
    additional = code.additional
    currency = get("53")
    return {
        "merchant": {
            "name": get("59"),
            "city": get("60"),
            "postal_code": get("61"),
            "country": get("58"),
            "mcc": get("52"),
            "alternate_language": language.language if language else None,
            "alternate_name": language.merchant_name if language else None,
            "alternate_city": language.merchant_city if language else None,
        },
        "nmid": code.nmid,
        "criteria": criteria,
        "criteria_description": spec.CRITERIA.get(criteria) if criteria else None,
        "acquirers": acquirers,
        "kind": spec.POINT_OF_INITIATION.get(get("01"), "static" if get("01") is None else None),
        "amount": get("54"),
        "currency": "IDR" if currency == spec.QRIS_CURRENCY else currency,
        "tip": tip,
        "reference": additional.reference_label,
        "crc": {"found": code.crc, "computed": code.computed_crc, "ok": code.crc_ok},
    }


def _guid_name(guid: str | None) -> str | None:
    """An acquirer named by GUID when the PAN gives none (GUID and NNS can differ: NNS wins)."""
    if not guid:
        return None
    return _BY_GUID.get(guid.upper())


_BY_GUID = {p.guid.upper(): p.name for p in spec.ACQUIRERS.values() if p.guid}
