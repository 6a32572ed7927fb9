"""``Payload.scan`` with ``_scan.ScanRules``: what passes a template rule, what does not, and
malformed or tampered rules (an error, never a crash), on both twins."""

from __future__ import annotations

import pytest

from qriskit import validation
from qriskit._scan import NO_ID, RULE_SIZE, TABLE_SIZE, Format, RuleFlag, ScanFlag, ScanRules
from tests.codes import TYPICAL, make, tpl
from tests.core.test_contract import native, needs_native

REQUIRED, EXCLUDES, MARKED = int(RuleFlag.REQUIRED), int(RuleFlag.EXCLUDES), int(RuleFlag.MARKED)
TABLES = (validation._SCAN_LO, validation._SCAN_HI, validation._SCAN_FMT)


def rule(form=Format.SKIP, flags=0, lo=1, hi=99, values=0, prefix=0, with_id=NO_ID) -> bytes:
    return bytes([form, flags, lo, hi, values, prefix, with_id])


def rules_for_80(block: dict[int, bytes], sets=()) -> ScanRules:
    """One block of rules, for template 80 only; sub-ids not given are SKIP."""
    table = b"".join(block.get(sub, rule()) for sub in range(TABLE_SIZE))
    classes = bytearray(TABLE_SIZE)
    classes[80] = 1
    return ScanRules(bytes(classes), table, tuple(sets))


def passes(twin, value: str, rules: ScanRules) -> tuple[bool, bool]:
    """(template 80 passed, SUB_MARKED set) for a code whose 80 holds ``value``."""
    code = twin.parse(make(("00", "01"), ("52", "5411"), ("80", value)))
    _, _, templates, flags = code.scan(*TABLES, rules)
    return not any(t[0] == "80" for t in templates), bool(flags & ScanFlag.SUB_MARKED)


def test_the_typical_code_passes_every_rule(twin):
    code = twin.parse(TYPICAL)
    for rules, marked in ((validation._RULES_QRIS, True), (validation._RULES_EMV, False)):
        findings, order, templates, flags = code.scan(*TABLES, rules)
        assert (findings, order, templates) == ((), None, ())
        assert bool(flags & ScanFlag.SUB_MARKED) == marked  # 26 is an acquirer with a PAN
    assert [t[0] for t in code.scan(*TABLES)[2]] == ["26", "51", "62"]  # without rules: all of them


@pytest.mark.parametrize(("block", "value", "ok"), [
    ({1: rule(Format.RESERVED)}, tpl(("01", "x")), False),
    ({1: rule(Format.RESERVED)}, tpl(("02", "x")), True),
    ({1: rule(Format.LENGTH, lo=2, hi=3)}, tpl(("01", "x")), False),
    ({1: rule(Format.LENGTH, lo=2, hi=3)}, tpl(("01", "xé")), True),
    ({1: rule(Format.SKIP, lo=5, hi=6)}, tpl(("01", "x")), True),  # SKIP checks no length
    ({1: rule(Format.NUMERIC)}, tpl(("01", "0123")), True),
    ({1: rule(Format.NUMERIC)}, tpl(("01", "01٣")), False),  # a digit, but not ASCII
    ({1: rule(Format.ANS)}, tpl(("01", "a b~")), True),
    ({1: rule(Format.ANS)}, tpl(("01", "a\x7f")), False),
    ({1: rule(Format.ANS)}, tpl(("01", "é")), False),
    ({1: rule(Format.ANS, REQUIRED)}, tpl(("02", "x")), False),
    ({1: rule(Format.ANS, REQUIRED)}, tpl(("02", "x"), ("01", "y")), True),
    ({1: rule(with_id=3)}, tpl(("01", "x")), False),
    ({1: rule(with_id=3)}, tpl(("03", "z"), ("01", "x")), True),
    ({1: rule(Format.NUMERIC, values=1, prefix=2)}, tpl(("01", "ID123")), True),
    ({1: rule(Format.NUMERIC, values=1, prefix=2)}, tpl(("01", "ID12X")), False),  # the format checks value[2:]
    ({1: rule(Format.NUMERIC, values=1, prefix=2)}, tpl(("01", "IX123")), False),
    ({1: rule(Format.NUMERIC, values=1, prefix=2)}, tpl(("01", "I")), False),  # the key is "I"
    ({1: rule(Format.NUMERIC, values=1, prefix=2)}, tpl(("01", "ID")), True),  # nothing after the prefix
    ({1: rule(values=2)}, tpl(("01", "ID")), False),
    ({1: rule(values=2)}, tpl(("01", "***")), True),
    ({1: rule(Format.ANS, EXCLUDES, values=2)}, tpl(("01", "***")), False),
    ({1: rule(Format.ANS, EXCLUDES, values=2)}, tpl(("01", "**")), True),
])
def test_rule_semantics(twin, block, value, ok):
    rules = rules_for_80(block, (frozenset({"ID"}), frozenset({"***"})))
    assert passes(twin, value, rules) == (ok, False)


def test_a_marked_sub_object_sets_the_flag_pass_or_fail(twin):
    rules = rules_for_80({1: rule(flags=MARKED), 2: rule(Format.RESERVED)})
    assert passes(twin, tpl(("01", "x")), rules) == (True, True)
    assert passes(twin, tpl(("02", "x"), ("01", "x")), rules) == (False, True)
    assert passes(twin, tpl(("02", "x")), rules) == (False, False)
    assert passes(twin, "01", rules) == (False, False)  # not valid TLV: no mark


def test_a_template_that_is_not_tlv_never_passes(twin):
    code = twin.parse(make(("00", "01"), ("80", "0105x")))
    _, _, templates, _ = code.scan(*TABLES, rules_for_80({}))
    assert [(t[0], type(t[3]).__name__) for t in templates] == [("80", "TLVError")]


@pytest.mark.parametrize(("classes", "table", "sets", "why"), [
    (bytes(99), b"", (), "rule classes"),
    (bytes(TABLE_SIZE), bytes(5), (), "rules table"),
    (bytes([1] * TABLE_SIZE), b"", (), "past the 0 blocks"),
    (bytes(TABLE_SIZE), bytes([9] + [0] * (TABLE_SIZE * RULE_SIZE - 1)), (), "rule 1.00"),
    (bytes(TABLE_SIZE), bytes([0, 8] + [0] * (TABLE_SIZE * RULE_SIZE - 2)), (), "rule 1.00"),
    (bytes(TABLE_SIZE), bytes([0, 0, 1, 100] + [0] * (TABLE_SIZE * RULE_SIZE - 4)), (), "rule 1.00"),
    (bytes(TABLE_SIZE), bytes([0, 0, 1, 9, 1] + [0] * (TABLE_SIZE * RULE_SIZE - 5)), (), "rule 1.00"),
    (bytes(TABLE_SIZE), bytes([0, 0, 1, 9, 0, 0, 100] + [0] * (TABLE_SIZE * RULE_SIZE - 7)), (), "rule 1.00"),
    (bytes(TABLE_SIZE), b"", ({"a"},), "frozensets of str"),
    (bytes(TABLE_SIZE), b"", (frozenset({1}),), "frozensets of str"),
    (bytearray(TABLE_SIZE), b"", (), "rule classes"),
])
def test_malformed_rules_are_refused(classes, table, sets, why):
    with pytest.raises(ValueError, match=why):
        ScanRules(classes, table, sets)


def test_rules_are_read_only():
    rules = validation._RULES_QRIS
    with pytest.raises(AttributeError):
        rules.table = b""  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del rules.sets  # type: ignore[misc]


def test_scan_takes_only_scan_rules(twin):
    code = twin.parse(TYPICAL)
    r = validation._RULES_QRIS
    with pytest.raises(TypeError, match="ScanRules"):
        code.scan(*TABLES, (r.classes, r.table, r.sets))


@needs_native
@pytest.mark.parametrize("packed", [
    None,
    (b"", b"", b"", ()),
    (bytes([1] * TABLE_SIZE), b"", b"", ()),  # a class past the table
    (bytes([1] * TABLE_SIZE), rule(values=3) * TABLE_SIZE, bytes(16), ()),  # a set past the sets
    (bytes([1] * TABLE_SIZE), rule(values=1) * TABLE_SIZE, bytes(16), ({"x"},)),  # not a frozenset
])
def test_tampered_rules_raise_in_the_native_twin(packed):
    """What the native twin reads is checked again at use: tampering raises, never reads out of bounds."""
    rules = ScanRules(validation._RULES_QRIS.classes, validation._RULES_QRIS.table, validation._RULES_QRIS.sets)
    object.__setattr__(rules, "packed", packed)
    code = native().Payload(make(("00", "01"), ("80", tpl(("00", "x")))))
    with pytest.raises(ValueError):
        code.scan(*TABLES, rules)
