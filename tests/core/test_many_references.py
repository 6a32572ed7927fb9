"""``to_dynamic_many(..., references=...)``: one reference (or None) per amount, exactly what
``to_dynamic`` gives row by row, with each error naming its row."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qriskit import AmountError, FieldError, QRISError, Tip
from tests.codes import STATIC, STATIC_PAIRS, make, tlv

PRINTABLE = "".join(map(chr, range(0x20, 0x7F)))
#: every printable ASCII character, 25 at a time (the longest reference)
EVERY_CHARACTER = [PRINTABLE[i:i + 25] for i in range(0, len(PRINTABLE), 25)]

CODES = {
    "typical (62 holds 07)": STATIC,
    "no 62": make(*(p for p in STATIC_PAIRS if p[0] != "62")),
    "62 holds 01, 05 and 08": make(*STATIC_PAIRS[:-1], ("62", tlv("01", "B1") + tlv("05", "OLD") + tlv("08", "X"))),
    "62 before 53 (reference ahead of the amount)": make(("00", "01"), ("01", "11"), ("62", tlv("07", "A01")),
                                                         ("52", "5411"), ("53", "360"), ("59", "Toko")),
    "62 (01 before 05) ahead of 53": make(("00", "01"), ("01", "11"), ("62", tlv("01", "B1") + tlv("07", "T")),
                                          ("53", "360"), ("59", "Toko")),
    "a 54 already, 55-57 present": make(*STATIC_PAIRS[:6], ("54", "100"), ("55", "02"), ("56", "500"),
                                        *STATIC_PAIRS[6:]),
    "non-ASCII name": make(*STATIC_PAIRS[:7], ("59", "Toko Séjahtera 最佳"), *STATIC_PAIRS[8:]),
    "non-ASCII 62": make(*STATIC_PAIRS[:-1], ("62", tlv("01", "Café") + tlv("09", "😀"))),
}
TIPS = [None, Tip.prompt(), Tip.fixed(1000), Tip.percent("2.5")]


@pytest.mark.parametrize("payload", list(CODES.values()), ids=list(CODES))
@pytest.mark.parametrize("tip", TIPS, ids=["no tip", "prompt", "fixed", "percent"])
def test_each_code_is_what_to_dynamic_gives(twin, payload, tip):
    amounts = [1000, "2500", Decimal("7"), "12.50", 99, 10_000_000, 5, 6, 8]
    references = [*EVERY_CHARACTER, None, "R", "INV-2026-000001", None, "x" * 25]
    assert len(references) == len(amounts)
    for size in (1, 9, 31, 32, 90):  # the native twin renders a code's fixed text once from 32 rows
        rows = [(amounts[i % 9], references[(i * 7) % 9]) for i in range(size)]
        want = [twin.to_dynamic(payload, a, tip=tip, reference=r) for a, r in rows]
        got = twin.to_dynamic_many(payload, [a for a, _ in rows], tip=tip, references=[r for _, r in rows])
        assert got == want
    want = [twin.to_dynamic(payload, a, tip=tip, reference=r) for a, r in zip(amounts, references)]
    code = twin.parse(payload)
    assert code.to_dynamic_many(iter(amounts), tip, tuple(references)) == want  # any iterables
    assert code.to_dynamic_many(amounts, tip, references) == want  # again: the plan is cached


def test_empty_and_all_none(twin):
    assert twin.to_dynamic_many(STATIC, [], references=[]) == []
    assert twin.to_dynamic_many(STATIC, [1, 2], references=[None, None]) == twin.to_dynamic_many(STATIC, [1, 2])


def test_caller_code_cannot_resize_the_batch(twin):
    amounts: list[object] = []
    references: list[str | None] = ["A", "B", "C"]

    class Clearing:  # an int-like amount whose __index__ empties the caller's lists mid-batch
        def __index__(self):
            amounts.clear()
            references.clear()
            return 5

    amounts.extend([1, Clearing(), 3])
    out = twin.to_dynamic_many(STATIC, amounts, references=references)
    assert out == [twin.to_dynamic(STATIC, a, reference=r) for a, r in zip([1, 5, 3], "ABC")]


def refused(call, cls=QRISError):
    with pytest.raises(cls) as exc:
        call()
    return exc.value


@pytest.mark.parametrize("bad, message", [
    ("", "references[1]: reference '' must be 1 to 25 characters, has 0"),
    ("é", "references[1]: reference 'é' has a character outside printable ASCII at position 0"),
    ("R" * 26, "references[1]: reference"),
    ("tab\there", "references[1]: reference"),
])
def test_a_bad_reference_names_its_row(twin, bad, message):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, 2, 3], references=["OK", bad, "OK"]), FieldError)
    assert str(exc).startswith(message)
    assert exc.path == "62.05"
    alone = refused(lambda: twin.to_dynamic(STATIC, 2, reference=bad), FieldError)
    assert str(exc) == f"references[1]: {alone}"


def test_a_bad_reference_deep_in_a_long_batch(twin):
    refs = [f"R{i}" for i in range(100)]
    refs[70] = "é"
    exc = refused(lambda: twin.to_dynamic_many(STATIC, range(1, 101), references=refs), FieldError)
    assert str(exc).startswith("references[70]: reference 'é'")
    refs[70] = "R" * 30
    exc = refused(lambda: twin.to_dynamic_many(STATIC, range(1, 101), references=refs), FieldError)
    assert str(exc).startswith("references[70]: reference")


def test_a_62_too_long_for_the_reference_names_its_row(twin):
    payload = make(*STATIC_PAIRS[:-1], ("62", tlv("01", "B" * 70)))
    exc = refused(lambda: twin.to_dynamic_many(payload, [1, 2], references=["R", "R" * 25]), FieldError)
    assert str(exc).startswith("references[1]: tag 62 would be 103 characters")


def test_a_damaged_62_is_named_at_the_first_reference(twin):
    payload = make(*STATIC_PAIRS[:-1], ("62", "0799"))  # 62 that is not valid TLV
    assert twin.to_dynamic_many(payload, [1], references=[None]) == [twin.to_dynamic(payload, 1)]
    exc = refused(lambda: twin.to_dynamic_many(payload, [1, 2, 3], references=[None, "R", "R"]), FieldError)
    assert str(exc).startswith("references[1]: cannot add a reference: tag 62 is not valid TLV")
    # a bad reference is named before the damaged 62, as to_dynamic does
    exc = refused(lambda: twin.to_dynamic_many(payload, [1], references=[""]), FieldError)
    assert "must be 1 to 25 characters" in str(exc)


def test_a_row_s_amount_is_checked_before_its_reference(twin):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, "x"], references=["R", ""]), AmountError)
    assert str(exc).startswith("amounts[1]:")
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, "x"], references=["", "R"]), FieldError)
    assert str(exc).startswith("references[0]:")


def test_the_tip_is_checked_before_any_row(twin):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, ["x"], tip=Tip.fixed("2.500"), references=[""]), AmountError)
    assert "amounts[" not in str(exc) and "references[" not in str(exc)


def test_lengths_must_match(twin):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, 2, 3], references=["A", "B"]))
    assert type(exc) is QRISError
    assert exc.code == "batch.lengths"
    assert str(exc) == ("to_dynamic_many got 2 references for 3 amounts; "
                        "give one reference (or None) per amount, in the same order")
    refused(lambda: twin.to_dynamic_many(STATIC, iter([1]), references=iter([])))


@pytest.mark.parametrize("references", ["AB", b"AB", 5, object()])
def test_references_must_be_a_sequence_of_str(twin, references):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, 2], references=references), TypeError)
    assert str(exc) == f"references must be a sequence of str or None, not {type(references).__name__}"


def test_a_reference_of_the_wrong_type(twin):
    exc = refused(lambda: twin.to_dynamic_many(STATIC, [1, 2], references=["A", 7]), TypeError)
    assert str(exc) == "reference must be a str, not int"


def test_a_str_subclass_reference_is_read_as_its_text(twin):
    class Label(str):
        def __str__(self):
            return "LIE"

    out = twin.to_dynamic_many(STATIC, [1], references=[Label("INV-7")])
    assert out == [twin.to_dynamic(STATIC, 1, reference="INV-7")]
