"""Money safety: amounts follow the code's currency, and text that looks like a number
written with separators is refused with a message naming what it probably meant."""

from __future__ import annotations

import string
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit import AmountError, Tip, build
from tests.codes import STATIC, qris


def jpy(**values: str) -> str:
    return qris(t53="392", t58="JP", **values)


def kwd(**values: str) -> str:
    return qris(t53="414", t58="KW", **values)


def refused(call) -> AmountError:
    with pytest.raises(AmountError) as info:
        call()
    return info.value


# -- the currency's minor units ------------------------------------------------------------------

@pytest.mark.parametrize("amount", ["15.000", "1.23456", "15000.123", Decimal("15000.123"), Decimal("0.001")])
def test_idr_refuses_more_than_two_decimals(twin, amount):
    exc = refused(lambda: twin.to_dynamic(STATIC, amount))
    assert exc.path == "54"


@pytest.mark.parametrize("amount", ["15000.12", "15000.1", "15000.", "15000", Decimal("15000.50"), 15000])
def test_idr_takes_up_to_two_decimals(twin, amount):
    assert twin.parse(twin.to_dynamic(STATIC, amount)).amount == Decimal(str(amount))


def test_other_currencies_use_their_minor_units(twin):
    assert twin.parse(twin.to_dynamic(kwd(), "1.500")).amount == Decimal("1.500")
    assert "KWD (414) allows at most 3 decimals" in str(refused(lambda: twin.to_dynamic(kwd(), "1.5000")))
    assert twin.parse(twin.to_dynamic(jpy(), "1500")).amount == 1500
    assert "JPY (392) allows no decimals" in str(refused(lambda: twin.to_dynamic(jpy(), "1500.5")))
    assert twin.parse(twin.to_dynamic(jpy(), "1500.")).amount == 1500  # a trailing dot has no decimals


def test_unknown_currency_leaves_decimals_to_the_caller(twin):
    code = qris(t53="999")
    assert twin.parse(twin.to_dynamic(code, "1.2345")).get("54") == "1.2345"
    assert twin.parse(twin.to_dynamic(qris(drop=("53",)), "1.2345")).get("54") == "1.2345"


@pytest.mark.parametrize("code", [qris(t53="999"), qris(t53="IDR"), qris(t53="0360"), qris(drop=("53",))])
@pytest.mark.parametrize("amount", ["15.000", "1.500", "999.999"])
def test_unknown_currency_refuses_text_that_may_be_grouping(twin, code, amount):
    """With no currency rule "15.000" was written as 15.000: Rp 15 for a caller who meant
    15000. The currency cannot tell, so the text is refused; a Decimal says which it is."""
    whole = amount.replace(".", "")
    for call in (lambda: twin.to_dynamic(code, amount), lambda: twin.parse(code).to_dynamic(amount),
                 lambda: twin.to_dynamic_many(code, [amount]),
                 lambda: twin.to_dynamic_many(code, [amount], references=["R"]),
                 lambda: twin.to_dynamic_many(code, [amount] * 40, references=["R"] * 40),
                 lambda: twin.to_dynamic(code, 5, tip=Tip.fixed(amount))):
        exc = refused(call)
        assert "written with a thousands separator" in str(exc) and "the code cannot tell" in str(exc)
        assert exc.hint == (f"pass {whole}, or Decimal({amount!r}) if you meant {amount}" if exc.path == "54"
                            else f"pass {whole}")  # a Tip keeps only the text
        assert exc.code == "amount.invalid"
    assert twin.parse(twin.to_dynamic(code, Decimal(amount))).get("54") == amount
    assert twin.parse(twin.to_dynamic(code, "0.500")).get("54") == "0.500"  # no group starts with 0
    kwd_code = kwd()  # a Tip has no currency until it is written: 1.500 is a fee of 1.5 dinar
    assert twin.parse(twin.to_dynamic(kwd_code, 5, tip=Tip.fixed(amount))).get("56") == amount


def test_every_conversion_path_applies_the_rule(twin):
    code = twin.parse(STATIC)
    for call in (
        lambda: twin.to_dynamic(STATIC, "15.000"),
        lambda: code.to_dynamic("15.000"),
        lambda: code.to_dynamic("15.000", Tip.prompt(), "INV-1"),
        lambda: twin.to_dynamic_many(STATIC, ["15000", "15.000"]),
        lambda: code.to_dynamic_many(["15.000"], tip=Tip.prompt()),
        lambda: twin.to_dynamic(STATIC, 15000, tip=Tip.fixed("2.500")),
        lambda: code.to_dynamic(15000, Tip.fixed(Decimal("0.125"))),
        lambda: code.to_dynamic_many([15000], tip=Tip.fixed("2.500")),
    ):
        refused(call)
    assert "amounts[1]" in str(refused(lambda: twin.to_dynamic_many(STATIC, ["15000", "15.000"])))


def test_build_applies_the_rule():
    fields = dict(merchant_name="Toko", merchant_city="Jakarta", mcc="5411", postal_code="12340",
                  nmid="ID1020017611473", criteria="UMI",
                  accounts=[{"guid": "ID.DANA.WWW", "pan": "936009153022591480", "merchant_id": "022591480"}])
    assert "fifteen thousand" in str(refused(lambda: build(amount="15.000", **fields)))
    refused(lambda: build(amount=1000, tip=Tip.fixed("2.500"), profile="emv", **fields))
    assert build(amount="15000.50", **fields)


# -- separators: what the text probably meant ------------------------------------------------------

@pytest.mark.parametrize(("text", "meaning", "fix"), [
    ("15.000", "fifteen thousand written with a thousands separator", "pass 15000"),
    ("1.500.000", "one million five hundred thousand written with separators", "pass 1500000"),
    ("2.500,50", "2500.50 written with separators", "pass 2500.50"),
    ("1,000", "one thousand written with a thousands separator", "pass 1000"),
    ("1,250,000.75", "1250000.75 written with separators", "pass 1250000.75"),
    ("15,5", "15.5 written with a decimal comma", "pass 15.5"),
])
def test_separators_get_a_message_naming_the_meaning(twins, text, meaning, fix):
    messages = {str(refused(lambda t=t: t.to_dynamic(STATIC, text))) for t in twins}
    assert len(messages) == 1, "both twins word it identically"
    message = messages.pop()
    assert f"'{text}' looks like {meaning}" in message and message.endswith(fix)


def test_fee_percentage_with_a_decimal_comma():
    exc = refused(lambda: Tip.percent("2,5"))
    assert "looks like 2.5 written with a decimal comma" in str(exc) and str(exc).endswith("pass 2.5")
    exc = refused(lambda: Tip.percent("2x"))
    assert "e.g. 2.5" in str(exc) and "15000" not in str(exc)


# -- whatever is accepted reads back as the value meant ---------------------------------------------

AMOUNT_TEXT = st.text(alphabet=string.digits + ".,  -+eE_٣", min_size=1, max_size=15)


@given(st.one_of(AMOUNT_TEXT, st.integers(-10, 10**14), st.decimals(allow_nan=False, places=4, max_value=10**13)))
@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_an_accepted_amount_reads_back_as_the_value_meant(twin, amount):
    try:
        out = twin.to_dynamic(STATIC, amount)
    except (AmountError, TypeError):
        return
    if isinstance(amount, str):
        head, _, tail = amount.partition(".")
        assert head.isdigit() and (not tail or tail.isdigit()) and head.isascii() and tail.isascii()
        assert len(tail) <= 2 and amount.count(".") <= 1 and "," not in amount
    assert twin.parse(out).amount == Decimal(amount)


@pytest.mark.parametrize("amount", ["15.000", "1,000", "0", "-5", "abc", "1" * 14, Decimal("1.001")])
def test_every_amount_error_has_a_stable_code(twin, amount):
    """Callers (the server, the Arrow error column) sort errors by code: an AmountError has one."""
    with pytest.raises(AmountError) as info:
        twin.to_dynamic(STATIC, amount)
    assert info.value.code == "amount.invalid"


@pytest.mark.parametrize("amount", ["0.001", "0.500", "01.000", Decimal("1.234"), Decimal("15.000")])
def test_what_cannot_be_grouping_is_called_too_many_decimals(twin, amount):
    """A thousands group never starts with 0, and a Decimal carries no separator: no
    "looks like one thousand" for these, but the currency's rule."""
    exc = refused(lambda: twin.to_dynamic(STATIC, amount))
    assert "has 3 decimals; IDR (360) allows at most 2 decimals" in str(exc)
    assert "separator" not in str(exc)
