"""Static to dynamic and back: every rule of DESIGN's "Rules of the codec"."""

from decimal import Decimal

import pytest

from qriskit import AmountError, CRCError, FieldError, Tip
from tests.codes import STATIC, make, pairs_of, tlv, with_crc


def tags(payload):
    return [t for t, _ in pairs_of(payload)]


def value(payload, tag):
    return dict(pairs_of(payload)).get(tag)


def check_crc(payload):
    assert with_crc(payload[:-8]) == payload, "output CRC must be valid and uppercase"


# -- tag 01 and 54 -----------------------------------------------------------------------------

def test_typical_conversion(twin):
    out = twin.to_dynamic(STATIC, 15000)
    check_crc(out)
    before, after = pairs_of(STATIC), pairs_of(out)
    assert value(out, "01") == "12" and value(out, "54") == "15000"
    assert tags(out) == ["00", "01", "26", "51", "52", "53", "54", "58", "59", "60", "61", "62"]
    assert [p for p in after if p[0] not in ("01", "54")] == [p for p in before if p[0] != "01"]


def test_01_inserted_after_00_when_absent(twin):
    src = make(("00", "01"), ("26", tlv("00", "X")), ("53", "360"), ("59", "A"))
    out = twin.to_dynamic(src, 5)
    assert tags(out) == ["00", "01", "26", "53", "54", "59"] and value(out, "01") == "12"


def test_01_other_value_replaced_in_place(twin):
    src = make(("00", "01"), ("59", "A"), ("01", "11"), ("53", "360"))
    assert tags(twin.to_dynamic(src, 5)) == ["00", "59", "01", "53", "54"]


def test_54_replaced_in_place(twin):
    src = make(("00", "01"), ("01", "12"), ("54", "100"), ("53", "360"), ("58", "ID"))
    out = twin.to_dynamic(src, "2500.50")
    assert tags(out) == ["00", "01", "54", "53", "58"] and value(out, "54") == "2500.50"


def test_54_goes_after_53_even_out_of_order(twin):
    src = make(("00", "01"), ("58", "ID"), ("53", "360"), ("52", "5411"))
    assert tags(twin.to_dynamic(src, 1)) == ["00", "01", "58", "53", "54", "52"]


def test_54_before_first_tag_above_54_without_53(twin):
    src = make(("00", "01"), ("52", "5411"), ("59", "A"), ("58", "ID"))
    assert tags(twin.to_dynamic(src, 1)) == ["00", "01", "52", "54", "59", "58"]


def test_54_at_end_when_nothing_above(twin):
    src = make(("00", "01"), ("26", tlv("00", "X")))
    assert tags(twin.to_dynamic(src, 1)) == ["00", "01", "26", "54"]


def test_unknown_and_rfu_tags_kept_in_order(twin):
    src = make(("00", "01"), ("01", "11"), ("02", "4000123412341234"), ("53", "360"), ("65", "rfu"),
               ("99", tlv("00", "COM.EXAMPLE") + tlv("01", "x")), ("59", "Late name"))
    out = twin.to_dynamic(src, 7)
    assert tags(out) == ["00", "01", "02", "53", "54", "65", "99", "59"]
    assert value(out, "65") == "rfu" and value(out, "59") == "Late name"


def test_non_ascii_payload(twin):
    src = make(("00", "01"), ("01", "11"), ("53", "360"), ("59", "Kopi Ñusantara"),
               ("64", tlv("00", "ZH") + tlv("01", "最佳运输")))
    out = twin.to_dynamic(src, 12000)
    check_crc(out)
    assert value(out, "64") == tlv("00", "ZH") + tlv("01", "最佳运输")
    assert twin.to_static(out) == src


# -- tips and fees -----------------------------------------------------------------------------

def test_tip_none_keeps_printed_prompt(twin):
    src = make(("00", "01"), ("01", "11"), ("53", "360"), ("55", "01"), ("58", "ID"))
    out = twin.to_dynamic(src, 10000)
    assert tags(out) == ["00", "01", "53", "54", "55", "58"] and value(out, "55") == "01"


@pytest.mark.parametrize(
    ("tip", "expected"),
    [
        (Tip.prompt(), [("55", "01")]),
        (Tip.fixed(2500), [("55", "02"), ("56", "2500")]),
        (Tip.percent("2.5"), [("55", "03"), ("57", "2.5")]),
    ],
)
def test_tip_inserted_after_54(twin, tip, expected):
    out = twin.to_dynamic(STATIC, 10000, tip=tip)
    pairs = pairs_of(out)
    at = [t for t, _ in pairs].index("54")
    assert pairs[at + 1 : at + 1 + len(expected)] == expected
    check_crc(out)


def test_tip_replaces_existing_fee_objects_in_place(twin):
    src = make(("00", "01"), ("01", "12"), ("53", "360"), ("54", "10"), ("58", "ID"), ("55", "02"),
               ("56", "500"), ("59", "A"))
    out = twin.to_dynamic(src, 20, tip=Tip.percent(3))
    assert pairs_of(out) == [("00", "01"), ("01", "12"), ("53", "360"), ("54", "20"), ("58", "ID"),
                             ("55", "03"), ("57", "3"), ("59", "A")]


def test_tip_values_checked():
    with pytest.raises(AmountError):
        Tip.percent(100)
    with pytest.raises(AmountError):
        Tip.percent("123456")
    with pytest.raises(AmountError):
        Tip.fixed(0)
    with pytest.raises(TypeError):
        Tip.fixed(1.5)
    assert Tip.fixed("1500.00").tlv == "55020256071500.00"
    assert Tip.percent("99.99") == Tip.percent("99.99") and repr(Tip.prompt()) == "Tip.prompt()"
    with pytest.raises(AttributeError):
        Tip.prompt().kind = "fixed"


def test_tip_must_be_a_tip(twin):
    with pytest.raises(TypeError):
        twin.to_dynamic(STATIC, 1, tip="01")


# -- reference (62.05) -------------------------------------------------------------------------

def test_reference_into_existing_62_in_order(twin):
    out = twin.to_dynamic(STATIC, 1, reference="INV-42")
    assert value(out, "62") == tlv("05", "INV-42") + tlv("07", "A01")
    check_crc(out)


def test_reference_replaces_05_in_place(twin):
    src = make(("00", "01"), ("53", "360"), ("62", tlv("01", "B") + tlv("05", "OLD") + tlv("07", "T")))
    out = twin.to_dynamic(src, 1, reference="NEW")
    assert value(out, "62") == tlv("01", "B") + tlv("05", "NEW") + tlv("07", "T")


def test_reference_creates_62_before_first_tag_above(twin):
    src = make(("00", "01"), ("53", "360"), ("59", "A"), ("64", tlv("00", "EN") + tlv("01", "B")))
    out = twin.to_dynamic(src, 1, reference="R1")
    assert tags(out) == ["00", "01", "53", "54", "59", "62", "64"]
    assert value(out, "62") == tlv("05", "R1")


def test_reference_rules(twin):
    with pytest.raises(FieldError):
        twin.to_dynamic(STATIC, 1, reference="")
    with pytest.raises(FieldError):
        twin.to_dynamic(STATIC, 1, reference="x" * 26)
    with pytest.raises(FieldError):
        twin.to_dynamic(STATIC, 1, reference="naïve")
    with pytest.raises(TypeError):
        twin.to_dynamic(STATIC, 1, reference=42)


def test_reference_that_overflows_62(twin):
    src = make(("00", "01"), ("53", "360"), ("62", tlv("01", "B" * 25) + tlv("02", "C" * 25) + tlv("03", "D" * 25)))
    with pytest.raises(FieldError) as exc:
        twin.to_dynamic(src, 1, reference="R" * 10)
    assert exc.value.path == "62"


def test_reference_into_damaged_62(twin):
    src = make(("00", "01"), ("53", "360"), ("62", "garbage!"))
    with pytest.raises(FieldError) as exc:
        twin.to_dynamic(src, 1, reference="R")
    assert "62" in exc.value.path
    assert value(twin.to_dynamic(src, 1), "62") == "garbage!"  # untouched without a reference


# -- amounts -----------------------------------------------------------------------------------

@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (1, "1"),
        (15000, "15000"),
        (9_999_999_999_999, "9999999999999"),
        ("1000", "1000"),
        ("1000.00", "1000.00"),
        ("1000.", "1000."),
        ("0.5", "0.5"),
        ("007", "007"),
        (Decimal("1000.50"), "1000.50"),
        (Decimal("1E+3"), "1000"),
        (Decimal("0.01"), "0.01"),
    ],
)
def test_amount_forms(twin, amount, text):
    assert value(twin.to_dynamic(STATIC, amount), "54") == text


@pytest.mark.parametrize(
    "amount",
    [0, -1, "0", "0.00", "000", "", ".5", "1,000", "1e3", " 100", "100 ", "+5", "1.2.3", "١٠٠",
     10**13, "12345678901234", Decimal("0"), Decimal("-5"), Decimal("NaN"), Decimal("Infinity"),
     Decimal("1E+13"), Decimal("1E-13"), pytest.param(10**5000, id="huge-int")],
)
def test_bad_amounts(twin, amount):
    with pytest.raises(AmountError) as exc:
        twin.to_dynamic(STATIC, amount)
    assert exc.value.path == "54"


@pytest.mark.parametrize("amount", [1.5, 100.0, True, None, [1], b"100"])
def test_amount_types(twin, amount):
    with pytest.raises(TypeError):
        twin.to_dynamic(STATIC, amount)


def test_numpy_style_integers_accepted(twin):
    class Index:
        def __index__(self):
            return 250

    assert value(twin.to_dynamic(STATIC, Index()), "54") == "250"


# -- source CRC --------------------------------------------------------------------------------

def test_wrong_source_crc_refused_unless_asked(twin):
    bad = STATIC[:-4] + "0000"
    with pytest.raises(CRCError):
        twin.to_dynamic(bad, 1)
    out = twin.to_dynamic(bad, 1, verify_crc=False)
    check_crc(out)
    with pytest.raises(CRCError):
        twin.to_static(bad)


# -- static ------------------------------------------------------------------------------------

def test_to_static_round_trip(twin):
    assert twin.to_static(twin.to_dynamic(STATIC, 123)) == STATIC


def test_to_static_of_static_is_identity(twin):
    assert twin.to_static(STATIC) == STATIC


def test_to_static_keeps_fee_objects_and_62(twin):
    src = make(("00", "01"), ("01", "12"), ("53", "360"), ("54", "9"), ("55", "01"), ("62", tlv("05", "R")))
    assert pairs_of(twin.to_static(src)) == [("00", "01"), ("01", "11"), ("53", "360"), ("55", "01"),
                                             ("62", tlv("05", "R"))]


def test_to_static_inserts_01(twin):
    src = make(("00", "01"), ("53", "360"))
    assert tags(twin.to_static(src)) == ["00", "01", "53"]


# -- parsed codes and batches ------------------------------------------------------------------

def test_parsed_code_converts_like_one_shot(twin):
    code = twin.parse(STATIC)
    for amount in (1, 99, "100.5", Decimal("7")):
        assert code.to_dynamic(amount) == twin.to_dynamic(STATIC, amount)
    assert code.to_dynamic(5, Tip.prompt(), "R") == twin.to_dynamic(STATIC, 5, tip=Tip.prompt(), reference="R")
    assert code.to_static() == STATIC


def test_many(twin):
    amounts = [1, "2.50", Decimal("3"), 10_000_000]
    out = twin.to_dynamic_many(STATIC, amounts)
    assert out == [twin.to_dynamic(STATIC, a) for a in amounts]
    assert twin.to_dynamic_many(STATIC, iter([])) == []
    tipped = twin.parse(STATIC).to_dynamic_many([5, 6], tip=Tip.fixed(1))
    assert tipped == [twin.to_dynamic(STATIC, a, tip=Tip.fixed(1)) for a in (5, 6)]


def test_many_names_the_bad_amount(twin):
    with pytest.raises(AmountError) as exc:
        twin.to_dynamic_many(STATIC, [1, 2, "x"])
    assert str(exc.value).startswith("amounts[2]:")
    with pytest.raises(TypeError):
        twin.to_dynamic_many(STATIC, [1, 2.0])


def test_parsed_dynamic_code_converts_again(twin):
    dyn = twin.parse(twin.to_dynamic(STATIC, 100))
    assert value(dyn.to_dynamic(200), "54") == "200"
    assert tags(dyn.to_dynamic(200)) == tags(dyn.payload)
