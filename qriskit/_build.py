"""Building codes from fields, and masking a code's merchant identifiers for bug reports.

``build(...)`` writes data objects in ascending id order (00 first, 63 last), checks every
value against the EMV / QRIS tables and refuses what breaks them with a ``FieldError``
naming the tag path. The result is validated before it is returned: a built code carries no
validation error and no warning except an NNS missing from the directory (new participants
appear faster than directories).

``anonymize(payload)`` masks the merchant name, PANs (the 8-digit NNS is kept, so the
acquirer stays known), merchant ids, the NMID and personal 62 fields, keeping every length,
so the structure of a failing code survives, and writes a fresh valid CRC.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, overload

from . import _codec, spec, validation
from .errors import FieldError, QRISError
from .values import Amount, Tip, amount_text, tip_tlv

__all__ = ["Account", "anonymize", "build"]


@dataclass(frozen=True)
class Account:
    """A merchant account template (26-51) to write: GUID, PAN, merchant id, criteria.

    ``tag`` picks the id (default: the next free one from 26); ``extra`` adds sub-objects
    (id -> value) beyond 00-03.
    """

    guid: str
    pan: str | None = None
    merchant_id: str | None = None
    criteria: str | None = None
    tag: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)


# Warnings a freshly built code may carry: an NNS that the directory does not know yet, and a
# dynamic code without an amount when the caller asked for exactly that.
_TOLERATED = frozenset({"qris.nns", "qris.dynamic_amount"})


def _tlv(tag: str, value: str, path: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"{path}: value must be a str, not {type(value).__name__}")
    if not value:
        raise FieldError("an empty value cannot be written (lengths run from 01 to 99)", path=path,
                         hint="leave the field out instead")
    if len(value) > 99:
        raise FieldError(f"value of {len(value)} characters is over the TLV limit of 99", path=path)
    return f"{tag}{len(value):02d}{value}"


@overload
def _check(value: str, obj: spec.DataObject, path: str) -> str: ...
@overload
def _check(value: None, obj: spec.DataObject, path: str) -> None: ...
def _check(value: str | None, obj: spec.DataObject, path: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{path} ({obj.name}) must be a str, not {type(value).__name__}")
    n = len(value)
    if not obj.min_len <= n <= obj.max_len:
        allowed = f"exactly {obj.min_len}" if obj.min_len == obj.max_len else f"{obj.min_len} to {obj.max_len}"
        raise FieldError(f"{obj.name} {value!r} has {n} characters; {allowed} allowed", path=path)
    if obj.format == "N" and not (value.isascii() and value.isdigit()):
        raise FieldError(f"{obj.name} {value!r} must be digits", path=path)
    if obj.format == "ans" and not (value.isascii() and value.isprintable()):
        raise FieldError(f"{obj.name} {value!r} must be printable ASCII (0x20-0x7E)", path=path,
                         hint="strip accents and control characters")
    return value


def _template(tag: str, items: Iterable[tuple[str, str]]) -> str:
    inner = "".join(_tlv(t, v, f"{tag}.{t}") for t, v in sorted(items))
    return _tlv(tag, inner, tag)


def _account_items(account: Account | Mapping[str, Any], path: str) -> tuple[str | None, list[tuple[str, str]]]:
    if isinstance(account, Mapping):
        account = Account(**account)
    elif not isinstance(account, Account):
        if hasattr(account, "guid") and hasattr(account, "pan"):  # a parsed MerchantAccount
            account = Account(account.guid, account.pan, account.merchant_id, account.criteria, account.tag)
        else:
            raise TypeError(f"an account must be an Account or a mapping, not {type(account).__name__}")
    sub = spec.ACCOUNT
    items = [("00", _check(account.guid, sub["00"], f"{path}.00"))]
    for t, value in (("01", account.pan), ("02", account.merchant_id), ("03", account.criteria)):
        if value is not None:
            items.append((t, _check(value, sub[t], f"{path}.{t}")))
    for t, value in account.extra.items():
        if t in ("00", "01", "02", "03") or len(t) != 2 or not t.isdigit():
            raise FieldError(f"extra sub-id {t!r} must be two digits from 04 to 99", path=path)
        items.append((t, value))
    return account.tag, items


def build(
    *,
    merchant_name: str,
    merchant_city: str,
    mcc: str,
    accounts: Iterable[Account | Mapping[str, Any]] = (),
    nmid: str | None = None,
    criteria: str | None = None,
    postal_code: str | None = None,
    amount: Amount | None = None,
    tip: Tip | None = None,
    additional: Mapping[str, str] | None = None,
    language: tuple[str, str] | tuple[str, str, str] | None = None,
    unreserved: Mapping[str, Mapping[str, str]] | None = None,
    dynamic: bool | None = None,
    country: str = spec.QRIS_COUNTRY,
    currency: str = spec.QRIS_CURRENCY,
    profile: str = "qris",
) -> str:
    """Write a new code from its fields; refuse values that break EMV or QRIS with ``FieldError``.

    ``accounts`` are ``Account``s (or mappings with the same keys): templates 26, 27, ...
    ``nmid`` adds the national template 51 (GUID ID.CO.QRIS.WWW, 02 NMID, 03 ``criteria``);
    ``criteria`` is also the default for accounts that have none. ``amount`` makes a dynamic
    code (01=12) unless ``dynamic`` says otherwise. ``additional`` maps tag-62 names
    (``reference_label``, ``terminal_label``, ...) or ids ("05") to values; ``language`` is
    (language, name[, city]) for tag 64; ``unreserved`` maps ids 80-99 to their sub-objects
    (which must include the GUID "00"). ``profile="emv"`` lifts the QRIS rules.
    """
    if profile not in ("qris", "emv"):
        raise ValueError(f"unknown profile {profile!r}: use 'qris' or 'emv'")
    root: list[tuple[str, str]] = []
    amount_value = None if amount is None else amount_text(amount, currency=currency)
    if dynamic is None:
        dynamic = amount_value is not None
    root.append(("01", "12" if dynamic else "11"))
    # -- merchant accounts ------------------------------------------------------------------
    used: set[str] = set()
    pending = []
    for i, account in enumerate(accounts):
        tag, items = _account_items(account, f"accounts[{i}]")
        if criteria is not None and not any(t == "03" for t, _ in items):
            items.append(("03", criteria))
        pending.append((tag, items))
    if nmid is not None:
        _check(nmid, spec.ACCOUNT["02"], "51.02")
        national = [("00", spec.QRIS_GUID), ("02", nmid)]
        if criteria is not None:
            national.append(("03", _check(criteria, spec.ACCOUNT["03"], "51.03")))
        pending.append(("51", national))
    for tag, _ in pending:
        if tag is not None:
            if tag not in spec.ACCOUNT_TEMPLATE_IDS:
                raise FieldError(f"account tag {tag!r} is not a merchant account template id (26-51)", path=tag)
            if tag in used:
                raise FieldError(f"two accounts use tag {tag}", path=tag)
            used.add(tag)
    free = (t for t in spec.ACCOUNT_TEMPLATE_IDS if t not in used)
    for tag, items in pending:
        if tag is None:
            tag = next(free, None)
            if tag is None or (tag == "51" and nmid is not None):
                raise FieldError("too many merchant accounts: ids 26-51 are all taken", path="26")
        root.append((tag, _template(tag, items)[4:]))
    # -- root fields -------------------------------------------------------------------------
    r = spec.ROOT
    root.append(("52", _check(mcc, r["52"], "52")))
    root.append(("53", _check(currency, r["53"], "53")))
    if amount_value is not None:
        root.append(("54", amount_value))
    if tip is not None:
        root.extend((t, v) for t, v, _ in _codec.tlv_items(tip_tlv(tip, currency), 0, ""))
    root.append(("58", _check(country, r["58"], "58")))
    root.append(("59", _check(merchant_name, r["59"], "59")))
    root.append(("60", _check(merchant_city, r["60"], "60")))
    if postal_code is not None:
        root.append(("61", _check(postal_code, r["61"], "61")))
    if additional:
        items = []
        for key, value in additional.items():
            t = key if key in spec.ADDITIONAL else _ADDITIONAL_IDS.get(key)
            if t is None:
                raise FieldError(f"unknown tag-62 field {key!r}: use one of {', '.join(_ADDITIONAL_IDS)}", path="62")
            obj = spec.ADDITIONAL[t]
            if not (value == spec.PROMPT_VALUE and t <= "08"):
                _check(value, obj, f"62.{t}")
            items.append((t, value))
        root.append(("62", _template("62", items)[4:]))
    if language is not None:
        if not isinstance(language, (tuple, list)) or len(language) not in (2, 3):
            raise TypeError("language must be (language, merchant_name) or (language, merchant_name, merchant_city)")
        lang = spec.LANGUAGE
        items = [("00", _check(language[0], lang["00"], "64.00")), ("01", _check(language[1], lang["01"], "64.01"))]
        if len(language) == 3 and language[2] is not None:
            items.append(("02", _check(language[2], lang["02"], "64.02")))
        root.append(("64", _template("64", items)[4:]))
    for tag, sub in sorted((unreserved or {}).items()):
        if tag not in spec.UNRESERVED_IDS:
            raise FieldError(f"unreserved template id {tag!r} is not 80-99", path=str(tag))
        if "00" not in sub:
            raise FieldError(f"unreserved template {tag} needs its GUID (00)", path=f"{tag}.00")
        root.append((tag, _template(tag, sub.items())[4:]))
    # -- write, then check the whole ------------------------------------------------------------
    body = "000201" + "".join(_tlv(tag, value, tag) for tag, value in root) + "6304"
    payload = f"{body}{_codec.crc16(body):04X}"
    report = validation.check(payload, profile, _codec.Payload)
    for problem in report.problems:
        if problem.code not in _TOLERATED:
            raise FieldError(f"cannot build this code: {problem.message}", path=problem.path,
                             hint=f"rule {problem.code}" + (", or build with profile='emv'" if problem.code.startswith(
                                 "qris.") else ""))
    return payload


_ADDITIONAL_IDS = {name: tag for tag, name in spec.ADDITIONAL_NAMES.items()}


# -- anonymize ---------------------------------------------------------------------------------
# 62 sub-objects that can identify a person or a merchant.
_PRIVATE_62 = frozenset({"01", "02", "04", "05", "06", "10"})


def _mask(value: str, keep: int = 0) -> str:
    """Same length, same character classes: digits -> 0, everything else printable -> X."""
    head = value[:keep]
    return head + "".join("0" if c.isdigit() else (c if c in " .-/" else "X") for c in value[keep:])


def _mask_template(tag: str, value: str, offset: int) -> str:
    try:
        items = _codec.tlv_items(value, offset, tag)
    except QRISError:
        return value  # not TLV inside: nothing to find identifiers in without breaking it
    out = []
    n = int(tag)
    for t, v, _ in items:
        if 26 <= n <= 51:
            if t == "01":
                v = _mask(v, spec.NNS_LENGTH)
            elif t == "02":
                v = _mask(v, 2) if n == 51 and v[:2] == "ID" else _mask(v)
        elif tag == "62":
            if t in _PRIVATE_62 and v != spec.PROMPT_VALUE:
                v = _mask(v)
        elif tag == "64":
            if t in ("01",):
                v = _mask(v)
        elif n >= 80 and t != "00":
            v = _mask(v)
        out.append(f"{t}{len(v):02d}{v}")
    return "".join(out)


def anonymize(payload: Any) -> str:
    """Mask the merchant identifiers of ``payload``, keep its structure, write a valid CRC.

    Masked: the merchant name (59) and its alternate (64.01), every PAN after its 8-digit NNS,
    merchant ids, the NMID (after "ID"), card-scheme accounts 02-25 (after 6 digits), the
    personal 62 fields (bill, mobile, loyalty, reference, customer, tax id) and the values of
    unreserved templates 80-99 (their GUID stays). Lengths stay, so a structural bug in the
    original shows in the copy. A code whose root cannot be read raises its ``QRISError``.
    """
    text = payload.payload if isinstance(payload, _codec.Payload) else payload
    code = _codec.Payload(text, False)
    parts = []
    for tag, start, end in code.spans()[:-1]:
        value = code.payload[start + 4 : end]
        n = int(tag)
        if tag == "59":
            value = _mask(value)
        elif 2 <= n <= 25:
            value = _mask(value, 6)
        elif tag in spec.TEMPLATE_IDS:
            value = _mask_template(tag, value, start + 4)
        parts.append(f"{tag}{len(value):02d}{value}")
    body = "".join(parts) + "6304"
    return f"{body}{_codec.crc16(body):04X}"
