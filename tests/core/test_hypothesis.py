"""Property tests: round trips, and the two twins agreeing on random and hostile input."""

from __future__ import annotations

import random
from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit import Tip

# The root scan tables validate uses, plus one that asks for every check on every id.
from qriskit import validation as _validate
from qriskit._scan import NO_ID, RULE_SIZE, Format, ScanFlag, ScanRules
from tests.codes import STATIC, make, pairs_of, qris, tlv
from tests.strategies import template_codes

SCAN_TABLES = (_validate._SCAN_LO, _validate._SCAN_HI, _validate._SCAN_FMT)
SCAN_TABLES_ALL = (bytes(range(100)), bytes(range(100, 0, -1)), bytes([1, 2, 3, 4, 0, 5, 6, 7] * 12 + [5] * 4))
# ... and the template rules validate uses, per profile.
SCAN_RULES = (_validate._RULES_QRIS, _validate._RULES_EMV)


def scanned(code, tables):
    """``Payload.scan`` with the template errors it returns made comparable."""
    findings, order, templates, flags = code.scan(*tables)
    subs = [(t, v, o, sub if isinstance(sub, dict) else (type(sub).__name__, str(sub), sub.offset, sub.code))
            for t, v, o, sub in templates]
    return findings, order, subs, flags

SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Printable ASCII plus a little of everything else EMV text meets (accents, CJK, emoji).
TEXT = st.text(
    alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7E), st.sampled_from("éÑü最佳运输😀")),
    min_size=1,
    max_size=99,
)
OTHER_IDS = [f"{i:02d}" for i in range(2, 100) if i not in (1, 54, 63)]


@st.composite
def root_pairs(draw, static: bool = True) -> list[tuple[str, str]]:
    """00 first, 01=11 (static), then unique ids in any order with any text."""
    ids = draw(st.lists(st.sampled_from(OTHER_IDS), unique=True, max_size=14))
    pairs = [("00", "01"), ("01", "11" if static else "12")]
    for tag in ids:
        if tag in ("26", "51", "62", "64", "80"):
            value = draw(st.lists(st.tuples(st.sampled_from(["00", "01", "02", "05", "07"]), TEXT.filter(
                lambda t: len(t) <= 20)), max_size=3, unique_by=lambda p: p[0]))
            text = "".join(tlv(t, v) for t, v in value)
            pairs.append((tag, text if 0 < len(text) <= 99 else "X"))
        else:
            pairs.append((tag, draw(TEXT)))
    return pairs


AMOUNT = st.one_of(
    st.integers(min_value=1, max_value=9_999_999_999_999),
    st.from_regex(r"\A[0-9]{1,8}(\.[0-9]{0,2})?\Z").filter(lambda s: s.strip("0.") != ""),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999"), places=2),
)
ANY_AMOUNT = st.one_of(
    AMOUNT,
    st.integers(),
    st.text(max_size=16),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.floats(),
    st.booleans(),
    st.none(),
)


@given(root_pairs())
@SETTINGS
def test_well_formed_payloads_round_trip(twin, pairs):
    payload = make(*pairs)
    code = twin.parse(payload)
    assert list(code.items())[:-1] == pairs
    assert "".join(f"{t}{len(v):02d}{v}" for t, v in code.items()) == payload


@given(root_pairs(), AMOUNT)
@SETTINGS
def test_dynamic_then_static_gives_back_the_original(twin, pairs, amount):
    payload = make(*pairs)
    dynamic = twin.to_dynamic(payload, amount)
    assert twin.parse(dynamic).get("54") is not None
    assert twin.to_static(dynamic) == payload


@given(root_pairs(), AMOUNT)
@SETTINGS
def test_conversion_changes_only_01_and_54(twin, pairs, amount):
    payload = make(*pairs)
    out = twin.parse(payload).to_dynamic(amount)
    kept = [p for p in pairs_of(out) if p[0] not in ("01", "54")]
    assert kept == [p for p in pairs if p[0] != "01"]


# -- differential: native and pure agree on everything -------------------------------------

def outcome(fn, *args, **kwargs):
    """What a call did: its result, or its error's class and every field of it."""
    try:
        return ("ok", fn(*args, **kwargs))
    except (ValueError, TypeError) as exc:  # QRISError is a ValueError
        fields = ("offset", "path", "code")
        return (type(exc).__name__, str(exc), *(getattr(exc, name, None) for name in fields))


def agree(twins, call):
    native, python = twins
    left, right = outcome(call, native), outcome(call, python)
    assert left == right
    return left


@st.composite
def mutated(draw) -> str:
    """A valid payload damaged the ways real ones are: cut, flipped, stretched, padded."""
    payload = make(*draw(root_pairs(static=draw(st.booleans()))))
    kind = draw(st.sampled_from(["truncate", "flip", "length", "insert", "delete", "huge", "recrc", "none"]))
    if kind == "truncate":
        return payload[: draw(st.integers(0, len(payload)))]
    if kind == "flip":
        i = draw(st.integers(0, len(payload) - 1))
        return payload[:i] + chr(ord(payload[i]) ^ (1 << draw(st.integers(0, 7)))) + payload[i + 1:]
    if kind == "length":
        i = draw(st.integers(0, len(payload) - 2))
        return payload[:i] + draw(st.sampled_from(["00", "99", "0A", "7", "１２"])) + payload[i + 2:]
    if kind == "insert":
        i = draw(st.integers(0, len(payload)))
        return payload[:i] + draw(st.text(min_size=1, max_size=6)) + payload[i:]
    if kind == "delete":
        i = draw(st.integers(0, len(payload) - 1))
        return payload[:i] + payload[i + draw(st.integers(1, 6)):]
    if kind == "huge":
        return payload[:-8] * draw(st.integers(2, 400)) + payload[-8:]
    if kind == "recrc":  # damage that keeps a valid CRC: only the TLV rules can catch it
        body = payload[:-8]
        i = draw(st.integers(0, max(len(body) - 1, 0)))
        return make_raw(body[:i] + draw(st.text(max_size=4)) + body[i:])
    return payload


def make_raw(body: str) -> str:
    from tests.codes import with_crc

    try:
        return with_crc(body)
    except UnicodeEncodeError:
        return body + "6304FFFF"


HOSTILE = st.one_of(mutated(), st.text(max_size=300), st.from_regex(r"\A(\d{4}[ -~]{0,12}){0,12}6304[0-9A-Fa-f]{4}\Z"))


@given(HOSTILE, st.booleans())
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_twins_agree_on_parse(twins, payload, verify):
    agree(twins, lambda t: t.parse(payload, verify_crc=verify).items())
    agree(twins, lambda t: t.crc16(payload))
    agree(twins, lambda t: scanned(t.parse(payload, verify_crc=False), SCAN_TABLES))
    agree(twins, lambda t: scanned(t.parse(payload, verify_crc=False), SCAN_TABLES_ALL))


@given(HOSTILE, ANY_AMOUNT, st.sampled_from([None, Tip.prompt(), Tip.fixed(500), Tip.percent("2.5")]),
       st.sampled_from([None, "INV-1", "", "é", "R" * 30]))
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_twins_agree_on_conversion(twins, payload, amount, tip, reference):
    result = agree(twins, lambda t: t.to_dynamic(payload, amount, tip=tip, reference=reference, verify_crc=False))
    agree(twins, lambda t: t.to_static(payload, verify_crc=False))
    agree(twins, lambda t: t.parse(payload, verify_crc=False).to_dynamic(amount))
    agree(twins, lambda t: t.to_dynamic_many(payload, [amount, 1], verify_crc=False))
    if result[0] == "ok":  # whatever went in, what comes out is a valid code
        out = result[1]
        code = twins[1].parse(out)
        assert code.get("01") == "12"


REFERENCE = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25),
    st.text(max_size=30),  # empty, too long, control characters, non-ASCII
    st.integers(),
)


@st.composite
def batches(draw) -> tuple[list[object], list[object]]:
    """Amounts and references of one length, either short or long (the native twin changes
    path at 32 rows), mostly good so that a bad row can come late."""
    size = draw(st.sampled_from([0, 1, 3, 40]))
    good = st.sampled_from([None, "INV-1", "R", "x" * 25, "~ !"])
    amounts = [draw(st.one_of(AMOUNT, ANY_AMOUNT)) if draw(st.integers(0, 9)) == 0 else 1000 + i
               for i in range(size)]
    refs = [draw(REFERENCE) if draw(st.integers(0, 4)) == 0 else draw(good) for _ in range(size)]
    return amounts, refs


@given(st.one_of(root_pairs().map(lambda pairs: make(*pairs)), HOSTILE), batches(),
       st.sampled_from([None, Tip.prompt(), Tip.fixed(500)]))
@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_twins_agree_on_many_with_references(twins, payload, batch, tip):
    amounts, refs = batch
    result = agree(twins, lambda t: t.to_dynamic_many(payload, amounts, tip=tip, references=refs, verify_crc=False))
    native = twins[0]
    rows = []  # what to_dynamic gives row by row: each row's result, or the first error, named
    for i, (amount, ref) in enumerate(zip(amounts, refs)):
        one = outcome(native.to_dynamic, payload, amount, tip=tip, reference=ref, verify_crc=False)
        if one[0] != "ok":
            rows = None
            # the same error, named by its row (a wrong type, the payload or the tip: as it is)
            assert result[0] == one[0]
            assert result[1] in (one[1], f"amounts[{i}]: {one[1]}", f"references[{i}]: {one[1]}")
            assert result[2:] == one[2:]  # offset, path, code
            break
        rows.append(one[1])
    if rows is not None:
        if result[0] == "ok":
            assert result[1] == rows
        else:  # only a bad payload or tip fails an empty batch
            assert not amounts


@given(st.text(max_size=120), st.integers(0, 500), st.sampled_from(["", "62", "26", "64"]))
@settings(max_examples=500, deadline=None)
def test_twins_agree_on_template_walk(twins, text, offset, path):
    agree(twins, lambda t: t.tlv_items(text, offset, path))


@given(ANY_AMOUNT)
@settings(max_examples=500, deadline=None)
def test_twins_agree_on_amounts(twins, amount):
    agree(twins, lambda t: t.to_dynamic(STATIC, amount))


@pytest.mark.parametrize("size", [10_000, 1_000_000])
def test_huge_inputs_fail_fast_and_alike(twins, size):
    body = ("5999" + "x" * 99) * (size // 103)
    agree(twins, lambda t: t.parse("000201" + body + "6304ABCD"))
    agree(twins, lambda t: t.parse("0" * size))


@st.composite
def scan_rules(draw) -> ScanRules:
    """Random (valid) template rules: few blocks, mostly lenient rules, small value sets, so
    that templates pass and fail them in every way."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    sets = tuple(frozenset(rng.choice(["", "0", "1", "01", "A", "AB", "ID", "é", "***", "00"]) for _ in
                           range(rng.randint(0, 4))) for _ in range(rng.randint(0, 3)))
    blocks = rng.randint(1, 3)
    formats = [Format.SKIP] * 4 + [Format.ANS, Format.NUMERIC, Format.LENGTH, Format.RESERVED]
    table = bytearray()
    for _ in range(blocks * 100):
        lo = rng.choice([0, 1, 1, 2, 5])
        table += bytes([rng.choice(formats), rng.randint(0, 7) if rng.random() < 0.3 else 0, lo,
                        rng.choice([99, 99, 20, 4, lo]), rng.randint(0, len(sets)) if rng.random() < 0.3 else 0,
                        rng.choice([0, 0, 0, 1, 2, 8, 30]), rng.choice([NO_ID] * 6 + [0, 1, 3, 99])])
    assert len(table) == blocks * 100 * RULE_SIZE
    classes = bytes(rng.randint(0, blocks) for _ in range(100))
    return ScanRules(classes, bytes(table), sets)


@given(st.one_of(template_codes(), HOSTILE), st.sampled_from(SCAN_RULES), scan_rules())
@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_twins_agree_on_scan_with_rules(twins, payload, rules, random_rules):
    agree(twins, lambda t: scanned(t.parse(payload, verify_crc=False), (*SCAN_TABLES, rules)))
    agree(twins, lambda t: scanned(t.parse(payload, verify_crc=False), (*SCAN_TABLES_ALL, rules)))
    agree(twins, lambda t: scanned(t.parse(payload, verify_crc=False), (*SCAN_TABLES_ALL, random_rules)))


@given(template_codes())
@settings(max_examples=300, deadline=None)
def test_rules_leave_out_only_templates_that_pass(twin, payload):
    """With rules, scan returns the templates it returns without them, less those that pass;
    everything else it answers is the same."""
    code = twin.parse(payload)
    for rules in SCAN_RULES:
        f0, o0, all_templates, flags0 = scanned(code, SCAN_TABLES)
        f1, o1, templates, flags1 = scanned(code, (*SCAN_TABLES, rules))
        assert (f0, o0) == (f1, o1)
        assert flags1 & ~ScanFlag.SUB_MARKED == flags0  # only SUB_MARKED is new
        assert [t for t in all_templates if t in templates] == list(templates)


# -- money: every amount form a caller might pass is written as meant, or refused alike -----------

class _Units(int):
    """An int subclass (an IntEnum-like value) that lies in __str__ and __index__."""

    def __str__(self):
        return "7"

    def __index__(self):
        return 7


class _Dec(Decimal):
    """A Decimal subclass that lies in __str__ and __format__."""

    def __str__(self):
        return "7"

    def __format__(self, spec):
        return "7"


class _Text(str):
    def __str__(self):
        return "7"


# What the caller meant (a Decimal), and the forms of it a caller might pass.
MEANT = st.one_of(
    st.integers(-5, 10**14).map(Decimal),
    st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-1, max_value=10**13),
    st.decimals(allow_nan=False, allow_infinity=False).filter(lambda d: abs(d.adjusted()) < 20),
)


@st.composite
def money(draw) -> tuple[object, Decimal, str | None]:
    """(value passed, the Decimal it means, the text it must be written as or None when the
    form is refused whatever the value: floats, numpy floats, bytes, Fraction)."""
    meant = draw(MEANT)
    whole = meant == meant.to_integral_value()
    forms = ["decimal", "decimal_sub", "str", "str_sub", "float", "np_float", "bytes", "fraction", "exp"]
    if whole:
        forms += ["int", "int_sub", "np_int64", "np_uint64", "np_int8", "numpy_bool"]
    form = draw(st.sampled_from(forms))
    n = int(meant) if whole else 0
    plain = format(meant, "f")
    if form == "int":
        return n, meant, str(n)
    if form == "int_sub":
        return _Units(n), meant, str(n)
    if form == "np_int64":
        return (np.int64(n), meant, str(n)) if -2**63 <= n < 2**63 else (n, meant, str(n))
    if form == "np_uint64":
        return (np.uint64(n), meant, str(n)) if 0 <= n < 2**64 else (n, meant, str(n))
    if form == "np_int8":
        return (np.int8(n), meant, str(n)) if -128 <= n < 128 else (n, meant, str(n))
    if form == "numpy_bool":
        return np.bool_(n != 0), meant, None
    if form == "decimal":
        return meant, meant, plain
    if form == "decimal_sub":
        return _Dec(meant), meant, plain
    if form == "exp":  # the same number with another exponent: 1E+3, 15000.00
        exponent = meant.as_tuple().exponent
        assert isinstance(exponent, int)
        with localcontext(prec=60):
            other = draw(st.sampled_from([meant.normalize(), *(meant.quantize(Decimal(1).scaleb(exponent - k))
                                                               for k in (1, 2, 3))]))
        return other, meant, format(other, "f")
    if form in ("str", "str_sub"):
        text = plain if draw(st.booleans()) else draw(st.sampled_from([
            plain, "+" + plain, " " + plain, plain + " ", plain + ".", "0" + plain, plain.replace("0", "０"),
            f"{meant:,f}", f"{meant:,f}".replace(",", "_"), f"{meant:,f}".replace(",", "."), f"{meant:e}",
            plain.replace(".", ","),
        ]))
        # "1.000" is one dinar in KWD: text that is a plain decimal means what it says
        meant = Decimal(text) if _written(text, None) else meant
        return (_Text(text) if form == "str_sub" else text), meant, text
    if form == "float":
        return float(meant), meant, None
    if form == "np_float":
        return np.float64(meant), meant, None
    if form == "bytes":
        return plain.encode(), meant, None
    return Fraction(meant), meant, None


CURRENCY = st.sampled_from([("360", 2), ("392", 0), ("414", 3), ("048", 3), ("999", None), (None, None)])


def _written(text: str, minor: int | None) -> bool:
    """Whether ``text`` is a form the rule writes: 1-13 ASCII digits with an optional '.' after
    the first, above zero, within the currency's decimals."""
    head, _, tail = text.partition(".")
    return (head.isascii() and head.isdigit() and (not tail or (tail.isascii() and tail.isdigit()))
            and len(text) <= 13 and Decimal(text) > 0 and (minor is None or len(tail) <= minor))


@given(money(), CURRENCY, st.sampled_from(["amount", "fixed", "percent"]))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_money_is_written_exactly_as_meant_on_both_twins(twins, drawn, currency, where):
    value, meant, text = drawn
    code, minor = currency
    payload = qris(drop=("53",)) if code is None else qris(t53=code)
    if where == "amount":
        result = agree(twins, lambda t: t.to_dynamic(payload, value, verify_crc=False))
        assert agree(twins, lambda t: t.parse(payload).to_dynamic(value)) == result
        many = agree(twins, lambda t: t.to_dynamic_many(payload, [value] * 40, references=["R"] * 40))
        one = agree(twins, lambda t: t.to_dynamic(payload, value, reference="R"))
        assert many[0] == one[0] == result[0]
        if one[0] == "ok":
            assert many[1] == [one[1]] * 40
        tag = "54"
    else:
        make_tip = Tip.fixed if where == "fixed" else Tip.percent
        result = agree(twins, lambda t: t.to_dynamic(payload, 1, tip=make_tip(value)))
        tag = "56" if where == "fixed" else "57"
        minor = minor if where == "fixed" else None
    if text is None:  # a form that cannot hold money exactly, whatever its value
        assert result[0] == "TypeError"
        return
    if result[0] != "ok":
        assert result[0] in ("AmountError", "TypeError")
        assert not (_written(text, minor) and (where != "percent" or (len(text) <= 5 and Decimal(text) < 100))) \
            or (len(text.partition(".")[2]) == 3 and (minor is None or minor < 3)  # maybe 15.000: grouping
                and (isinstance(value, str) or where == "fixed"))  # a Tip keeps only the text
        return
    out = twins[1].parse(result[1])
    assert out.get(tag) == text and Decimal(out.get(tag)) == meant
    assert _written(text, minor)
    if where == "amount":
        assert out.amount == meant and out.get("55") is None
    else:
        assert out.get("55") == ("02" if where == "fixed" else "03") and out.get("54") == "1"
        assert out.get("57" if where == "fixed" else "56") is None
