"""Hand-made payloads for tests: build a code from (id, value) pairs with a correct CRC."""

from __future__ import annotations

import json
from binascii import crc_hqx
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"


def tlv(tag: str, value: str) -> str:
    """One data object; the length counts characters, as EMV does."""
    return f"{tag}{len(value):02d}{value}"


def tpl(*pairs: tuple[str, str]) -> str:
    """The value of a template from its (id, value) pairs."""
    return "".join(tlv(t, v) for t, v in pairs)


def with_crc(body: str, *, lower: bool = False) -> str:
    """Append '6304' and the CRC-16/CCITT-FALSE of the UTF-8 bytes (computed independently)."""
    body += "6304"
    crc = f"{crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"
    return body + (crc.lower() if lower else crc)


def make(*pairs: tuple[str, str], lower: bool = False) -> str:
    """A payload from root (id, value) pairs, written in the order given, with a correct CRC."""
    return with_crc(tpl(*pairs), lower=lower)


def account(guid: str = "ID.DANA.WWW", pan: str | None = "936009153022591480", mid: str | None = "022591480",
            criteria: str | None = "UMI") -> str:
    """The value of a merchant account template (26-51); None leaves a sub-object out."""
    pairs = [("00", guid)]
    for tag, value in (("01", pan), ("02", mid), ("03", criteria)):
        if value is not None:
            pairs.append((tag, value))
    return tpl(*pairs)


DANA_ACCOUNT = account()
QRIS_51 = NATIONAL = tpl(("00", "ID.CO.QRIS.WWW"), ("02", "ID1020017611473"), ("03", "UMI"))

#: A typical static QRIS (about 200 characters).
STATIC_PAIRS: tuple[tuple[str, str], ...] = (
    ("00", "01"),
    ("01", "11"),
    ("26", DANA_ACCOUNT),
    ("51", QRIS_51),
    ("52", "5411"),
    ("53", "360"),
    ("58", "ID"),
    ("59", "Toko Sejahtera"),
    ("60", "Jakarta"),
    ("61", "12340"),
    ("62", tlv("07", "A01")),
)
STATIC = TYPICAL = make(*STATIC_PAIRS)
BASE = STATIC_PAIRS


def qris(drop: tuple[str, ...] = (), **values: str) -> str:
    """The typical static QRIS, with tags replaced (``t54="1000"``), added in id order, or dropped."""
    pairs = dict(STATIC_PAIRS)
    for key, value in values.items():
        pairs[key[1:]] = value
    for tag in drop:
        pairs.pop(tag, None)
    return make(*sorted(pairs.items()))


def vectors() -> list[dict]:
    """The public EMV MPM vectors (tests/data/emv-public.json)."""
    return json.loads((DATA / "emv-public.json").read_text(encoding="utf-8"))


def pairs_of(payload: str) -> list[tuple[str, str]]:
    """Root (id, value) pairs of a well-formed payload, CRC excluded (independent walk)."""
    out, pos, end = [], 0, len(payload) - 8
    while pos < end:
        tag, size = payload[pos : pos + 2], int(payload[pos + 2 : pos + 4])
        out.append((tag, payload[pos + 4 : pos + 4 + size]))
        pos += 4 + size
    return out
