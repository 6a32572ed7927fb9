"""Hostile callers: str subclasses that lie, codes that were never parsed, whitespace."""

from __future__ import annotations

import enum
import pickle
from decimal import Decimal

import numpy as np
import pytest

from qriskit import AmountError, CRCError, QRISError, Tip, TLVError, build
from tests.codes import STATIC


class Liar(str):
    """Lies about everything a careless C extension or Python twin might ask it."""

    def __len__(self):
        return 5

    def __hash__(self):
        return 1

    def __eq__(self, other):
        return True

    def __str__(self):
        return "lie"

    def encode(self, *args, **kwargs):
        return b"lie"

    def isdigit(self):
        return True

    def partition(self, sep):
        return ("1", "", "")


class Color(str, enum.Enum):
    STATIC = STATIC


def test_lying_amount_is_read_as_its_text(twin):
    plain = twin.to_dynamic(STATIC, "1" * 13)
    assert twin.to_dynamic(STATIC, Liar("1" * 13)) == plain
    with pytest.raises(QRISError):  # 40 digits: refused, never written past a buffer
        twin.to_dynamic(STATIC, Liar("1" * 40))
    with pytest.raises(QRISError):
        twin.parse(STATIC).to_dynamic(Liar("1" * 40))
    with pytest.raises(QRISError):
        twin.to_dynamic_many(STATIC, [Liar("1" * 40)])
    with pytest.raises(QRISError):
        twin.to_dynamic(STATIC, Liar("15.000"))


def test_lying_payload_reference_and_tag(twin):
    code = twin.parse(Liar(STATIC))
    assert code.payload == STATIC and type(code.payload) is str
    assert twin.to_dynamic(Liar(STATIC), 5, reference=Liar("INV-1")) == twin.to_dynamic(STATIC, 5, reference="INV-1")
    assert code.get(Liar("59")) == "Toko Sejahtera" and Liar("59") in code and code.offset(Liar("99")) is None
    assert twin.crc16(Liar(STATIC[:-4])) == int(STATIC[-4:], 16)
    assert twin.tlv_map(Liar("0103abc"), 0, Liar("62")) == {"01": "abc"}


@pytest.mark.parametrize("make", [lambda p: np.array([p])[0], lambda p: Color.STATIC])
def test_ordinary_str_subclasses_are_accepted(twin, make):
    value = make(STATIC)
    assert isinstance(value, str) and type(value) is not str
    assert twin.parse(value).payload == STATIC
    assert twin.to_dynamic(value, 1000) == twin.to_dynamic(STATIC, 1000)
    report = twin.validate(value)
    assert report.ok and "internal" not in report.codes


def test_never_initialised_payload_is_unusable(twin):
    code = twin.kernel.Payload.__new__(twin.kernel.Payload)
    for call in (lambda: code.to_dynamic(1000), lambda: code.items(), lambda: code.payload,
                 lambda: code.get("59"), lambda: code.to_static(), lambda: code.to_dynamic_many([1]),
                 lambda: code.scan(b"\0" * 100, b"\0" * 100, b"\0" * 100), lambda: "59" in code,
                 lambda: pickle.dumps(code)):
        with pytest.raises(QRISError, match="never parsed") as caught:
            call()
        assert caught.value.code == "input.uninitialised"


def test_validate_and_info_name_a_never_parsed_code(twin):
    code = twin.QRIS.__new__(twin.QRIS)
    report = twin.validate(code)
    assert not report.ok and [p.code for p in report.problems] == ["input.uninitialised"]
    assert [e["code"] for e in twin.info(code)["errors"]] == ["input.uninitialised"]


def test_failed_init_leaves_it_unusable_then_a_good_init_works(twin):
    code = twin.kernel.Payload.__new__(twin.kernel.Payload)
    with pytest.raises(CRCError):
        code.__init__(STATIC[:-4] + "0000")
    with pytest.raises(QRISError, match="never parsed"):
        code.to_dynamic(1000)
    code.__init__(STATIC)
    assert code.to_dynamic(1000) == twin.to_dynamic(STATIC, 1000)
    with pytest.raises(TypeError, match="immutable"):
        code.__init__(STATIC)


@pytest.mark.parametrize(("payload", "cls"), [
    (STATIC + "\n", CRCError), (STATIC + " ", CRCError), (STATIC + "\r\n", CRCError),
    ("\ufeff" + STATIC, TLVError), (" " + STATIC, TLVError), ("\n" + STATIC + "\n", CRCError),
    (STATIC + "\u3000", CRCError),
])
def test_whitespace_around_a_code_says_so(twins, payload, cls):
    messages = set()
    for twin in twins:
        with pytest.raises(cls) as info:
            twin.to_dynamic(payload, 1000)
        assert info.value.code == "input.whitespace"
        assert ".strip()" in str(info.value) and "repair()" in str(info.value)
        messages.add(str(info.value))
    assert len(messages) == 1


def test_tip_type_is_checked(twin):
    with pytest.raises(TypeError, match="tip must be a Tip"):
        twin.to_dynamic(STATIC, 1000, tip="01")
    assert twin.to_dynamic(STATIC, 1000, tip=Tip.prompt())


@pytest.mark.parametrize("crc", ["AB\x80C", "é123", "\U0001F600123", "12ab"])
def test_the_computed_crc_covers_the_characters_before_a_crc_that_is_not_ascii(twin, crc):
    """Read without verifying, a code whose CRC field holds other characters still reports the
    CRC its data calls for: that of everything before the 4 CRC characters (the twins differed)."""
    body = STATIC[:-4]
    code = twin.kernel.Payload(body + crc, False)
    assert code.computed_crc == f"{twin.crc16(body):04X}" == STATIC[-4:]
    assert code.crc == crc and not code.crc_ok


class LyingDecimal(Decimal):
    """A Decimal that shows another number to whoever formats or prints it."""

    def __str__(self):
        return "99999"

    def __format__(self, spec):
        return "99999"

    def __repr__(self):
        return "99999"

    def as_tuple(self):
        return Decimal("99999").as_tuple()


class LyingTip(Tip):
    """A Tip whose tlv (as anyone reads it) says another fee than the one it was made with."""

    __slots__ = ()

    def __getattribute__(self, name):
        if name == "tlv":
            return "550202560599999"
        if name == "value":
            return "99999"
        return object.__getattribute__(self, name)


@pytest.mark.parametrize("value", ["15000", "15000.50", "1E+3", "0.01"])
def test_a_decimal_subclass_is_written_as_the_number_it_holds(twin, value):
    """It was written as its __format__ said: Rp 99999 for a Decimal holding 15000."""
    amount, meant = LyingDecimal(value), Decimal(value)
    code = twin.parse(STATIC)
    for out in (twin.to_dynamic(STATIC, amount), code.to_dynamic(amount), twin.to_dynamic_many(STATIC, [amount])[0],
                twin.to_dynamic_many(STATIC, [amount] * 50, references=["R"] * 50)[0]):
        assert twin.parse(out).amount == meant and twin.parse(out).get("54") == format(meant, "f")
    assert twin.parse(twin.to_dynamic(STATIC, 5, tip=Tip.fixed(amount))).get("56") == format(meant, "f")
    assert Tip.percent(LyingDecimal("2.5")) == Tip.percent("2.5")
    built = build(merchant_name="X", merchant_city="Y", mcc="5411", postal_code="12345", criteria="UMI",
                  accounts=[{"guid": "ID.CO.QRIS.WWW", "pan": "936009153022591480"}], nmid="ID1020017611473",
                  amount=amount)
    assert twin.parse(built).get("54") == format(meant, "f")
    with pytest.raises(AmountError, match="has 3 decimals"):  # the rule reads the number it holds too
        twin.to_dynamic(STATIC, LyingDecimal("1.005"))


def test_a_tip_subclass_is_written_as_the_tip_it_holds(twin):
    """Its tlv was written as it said: a fixed fee of 99999 for Tip.fixed(500)."""
    tip, plain = LyingTip("fixed", 500), twin.to_dynamic(STATIC, 100, tip=Tip.fixed(500))
    code = twin.parse(STATIC)
    assert twin.to_dynamic(STATIC, 100, tip=tip) == plain
    assert code.to_dynamic(100, tip=tip) == plain
    assert twin.to_dynamic_many(STATIC, [100], tip=tip) == [plain]
    assert twin.to_dynamic_many(STATIC, [100] * 50, tip=tip, references=[None] * 50)[0] == plain
    assert twin.parse(twin.to_dynamic(STATIC, 100, tip=LyingTip("percent", "2.5"))).get("57") == "2.5"


def test_a_tip_subclass_that_skipped_tip_init_is_refused(twin):
    class Hollow(Tip):
        __slots__ = ()

        def __init__(self):
            pass

    with pytest.raises(TypeError, match="was not made by Tip"):
        twin.to_dynamic(STATIC, 100, tip=Hollow())
    with pytest.raises(TypeError, match="was not made by Tip"):
        twin.parse(STATIC).to_dynamic_many([100], tip=Hollow())
