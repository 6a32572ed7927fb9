"""Hand-made codes for the model/validation tests: payloads from (id, value) pairs + CRC."""

from __future__ import annotations

import json
from pathlib import Path

from tests.codes import make, tlv, tpl, with_crc

__all__ = ["BASE", "NATIONAL", "TYPICAL", "account", "make", "qris", "tlv", "tpl", "vectors", "with_crc"]

DATA = Path(__file__).resolve().parent.parent / "data"


def account(guid: str = "ID.DANA.WWW", pan: str | None = "936009153022591480", mid: str | None = "022591480",
            criteria: str | None = "UMI") -> str:
    pairs = [("00", guid)]
    if pan is not None:
        pairs.append(("01", pan))
    if mid is not None:
        pairs.append(("02", mid))
    if criteria is not None:
        pairs.append(("03", criteria))
    return tpl(*pairs)


NATIONAL = tpl(("00", "ID.CO.QRIS.WWW"), ("02", "ID1020017611473"), ("03", "UMI"))

BASE: tuple[tuple[str, str], ...] = (
    ("00", "01"),
    ("01", "11"),
    ("26", account()),
    ("51", NATIONAL),
    ("52", "5411"),
    ("53", "360"),
    ("58", "ID"),
    ("59", "Toko Sejahtera"),
    ("60", "Jakarta"),
    ("61", "12340"),
    ("62", tlv("07", "A01")),
)


def qris(drop: tuple[str, ...] = (), **values: str) -> str:
    """The typical static QRIS, with tags replaced (``t54="1000"``), added in id order, or dropped."""
    pairs = dict(BASE)
    for key, value in values.items():
        pairs[key[1:]] = value
    for tag in drop:
        pairs.pop(tag, None)
    return make(*sorted(pairs.items()))


TYPICAL = qris()


def vectors() -> list[dict]:
    return json.loads((DATA / "emv-public.json").read_text(encoding="utf-8"))
