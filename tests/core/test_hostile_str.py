"""Hostile callers: str subclasses that lie, codes that were never parsed, whitespace."""

from __future__ import annotations

import enum
import pickle

import numpy as np
import pytest

from qriskit import CRCError, QRISError, Tip, TLVError
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
