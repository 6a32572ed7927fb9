"""The native twin's fast paths (cached plans, references, Decimals, non-ASCII codes) give
exactly what the pure twin gives, as well-formed strs, for every UTF-8 width."""

from __future__ import annotations

import sys
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit import Tip
from tests.codes import STATIC_PAIRS, make, tlv, tpl

#: One character of each UTF-8 width and str storage: ASCII, Latin-1, BMP, astral.
WIDE = ["a", "é", "ÿ", "Ā", "中", "€", "😀", "\U0010ffff"]
REFERENCE = st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=25)
SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def canonical(text: str) -> bool:
    """A str built in place must look exactly like one Python builds from the same characters."""
    fresh = "".join(list(text))
    return text == fresh and text.isascii() == fresh.isascii() and sys.getsizeof(text) == sys.getsizeof(fresh)


@st.composite
def codes(draw) -> str:
    """The typical code with wide characters in the name, the city, 62 and 64, anywhere in them."""
    pairs = dict(STATIC_PAIRS)
    for tag, size in (("59", 20), ("60", 12)):
        if draw(st.booleans()):
            pairs[tag] = draw(st.text(alphabet=st.sampled_from([*WIDE, *"Toko "]), min_size=1, max_size=size))
    sub62 = [("07", "A01")]
    if draw(st.booleans()):
        sub62.append(("05", draw(st.text(alphabet=st.sampled_from([*WIDE, "R", "1"]), min_size=1, max_size=10))))
    if draw(st.booleans()):
        sub62.append(("08", draw(st.text(alphabet=st.sampled_from(WIDE), min_size=1, max_size=10))))
    if draw(st.booleans()):
        sub62.insert(0, ("01", draw(st.text(alphabet=st.sampled_from(WIDE), min_size=1, max_size=5))))
    pairs["62"] = tpl(*sorted(sub62))
    if draw(st.booleans()):
        pairs["64"] = tpl(("00", "ZH"), ("01", draw(st.text(alphabet=st.sampled_from(WIDE), min_size=1, max_size=8))))
    if draw(st.booleans()):
        pairs["54"] = draw(st.sampled_from(["1000", "１２"]))  # a wide old amount, replaced by the new one
        pairs["01"] = "12"
    order = sorted(pairs.items()) if draw(st.booleans()) else list(pairs.items())
    return make(*order)


AMOUNTS = st.one_of(
    st.integers(1, 10**13 - 1),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("9999999999"), places=2, allow_nan=False),
    st.sampled_from([Decimal("1E+3"), Decimal("1.0E+2"), Decimal("25000.50"), Decimal("0.10"), Decimal("5E-2")]),
    st.from_regex(r"\A[1-9][0-9]{0,9}(\.[0-9]{0,2})?\Z"),
)
TIPS = st.sampled_from([None, Tip.prompt(), Tip.fixed("1500"), Tip.percent("2.5")])


def both(twins, call):
    native, python = twins
    try:
        left = ("ok", call(native))
    except (ValueError, TypeError) as exc:
        left = (type(exc).__name__, str(exc))
    try:
        right = ("ok", call(python))
    except (ValueError, TypeError) as exc:
        right = (type(exc).__name__, str(exc))
    assert left == right
    if left[0] == "ok":
        values = left[1] if isinstance(left[1], list) else [left[1]]
        assert all(canonical(v) for v in values)
    return left


@given(codes(), AMOUNTS, TIPS, st.one_of(st.none(), REFERENCE))
@SETTINGS
def test_parsed_conversions_agree(twins, payload, amount, tip, reference):
    parsed = [t.parse(payload) for t in twins]
    result = both(twins, lambda t: parsed[twins.index(t)].to_dynamic(amount, tip, reference))
    both(twins, lambda t: t.to_dynamic(payload, amount, tip=tip, reference=reference))
    both(twins, lambda t: parsed[twins.index(t)].to_dynamic_many([amount, 7, amount], tip))
    both(twins, lambda t: t.to_static(payload))
    if result[0] == "ok":
        out = twins[1].parse(result[1])
        assert out.amount == Decimal(str(amount)) and out.merchant_name == twins[1].parse(payload).merchant_name
        if reference is not None:
            assert out.additional.reference_label == reference


@given(codes(), REFERENCE)
@SETTINGS
def test_references_with_every_allowed_character(twins, payload, reference):
    both(twins, lambda t: t.to_dynamic(payload, 1000, reference=reference))


def test_the_only_wide_character_can_leave_with_the_replaced_object(twins):
    # the old 62.05 holds the only non-ASCII character: the result is a plain ASCII str
    payload = make(*[(t, tpl(("05", "é"), ("07", "A01")) if t == "62" else v) for t, v in STATIC_PAIRS])
    for twin in twins:
        out = twin.parse(payload).to_dynamic(1000, None, "INV-1")
        assert out.isascii() and canonical(out)
        wide_54 = make(("00", "01"), ("01", "12"), ("26", tlv("00", "X")), ("53", "360"), ("54", "１２"), ("59", "A"))
        out = twin.parse(wide_54, verify_crc=False).to_dynamic(1000)
        assert out.isascii() and canonical(out)
