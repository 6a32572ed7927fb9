"""Properties: validate and info never raise; build output parses back to the same fields."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qriskit
from qriskit import Account, info, spec, validate
from tests.codes import TYPICAL, make

FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

tags = st.sampled_from(sorted(spec.ROOT)).filter(lambda t: t != "63")
values = st.text(min_size=1, max_size=40)
payloads = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200),
    st.integers(),
    st.none(),
    st.lists(st.tuples(tags, values), max_size=14).map(lambda pairs: make(("00", "01"), *pairs)),
    st.tuples(st.integers(0, len(TYPICAL) - 1), st.text(max_size=3)).map(
        lambda cut: TYPICAL[: cut[0]] + cut[1] + TYPICAL[cut[0] + 1 :]),
)


@FAST
@given(payloads, st.sampled_from(["qris", "emv"]))
def test_validate_never_raises(twin, payload, profile):
    report = twin.validate(payload, profile)
    assert "internal" not in report.codes, report.problems
    for problem in report.problems:
        assert problem.severity == spec_severity(problem.code)
    json.dumps(report.to_dict())


def spec_severity(code: str) -> str:
    from qriskit.validation import CODES

    return CODES[code][0]


@FAST
@given(payloads)
def test_info_never_raises(payload):
    data = info(payload)
    json.dumps(data)
    assert all(e["code"] != "internal" for e in data["errors"]), data["errors"]


ans = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1)
digits = st.text("0123456789", min_size=1)


@FAST
@given(
    name=ans.filter(lambda s: len(s) <= 25),
    city=ans.filter(lambda s: len(s) <= 15),
    postal=ans.filter(lambda s: len(s) <= 10),
    mcc=st.text("0123456789", min_size=4, max_size=4),
    nns=st.sampled_from(sorted(spec.ACQUIRERS)),
    rest=st.text("0123456789", min_size=8, max_size=11),
    mid=ans.filter(lambda s: len(s) <= 15),
    criteria=st.sampled_from(sorted(spec.CRITERIA)),
    nmid=st.text("0123456789", min_size=10, max_size=13),
    amount=st.none() | st.integers(1, spec.QRIS_MAX_AMOUNT),
    reference=st.none() | ans.filter(lambda s: len(s) <= 25 and s != "***"),
)
def test_build_parses_back_to_the_same_fields(name, city, postal, mcc, nns, rest, mid, criteria, nmid, amount,
                                              reference):
    payload = qriskit.build(
        merchant_name=name, merchant_city=city, postal_code=postal, mcc=mcc,
        accounts=[Account("ID.CO.EXAMPLE.WWW", nns + rest, mid)], nmid="ID" + nmid, criteria=criteria,
        amount=amount, additional={"reference_label": reference} if reference else None,
    )
    code = qriskit.parse(payload)
    assert (code.merchant_name, code.merchant_city, code.postal_code, code.mcc) == (name, city, postal, mcc)
    account = code.accounts[0]
    assert (account.pan, account.merchant_id, account.criteria, account.acquirer) == (
        nns + rest, mid, criteria, spec.ACQUIRERS[nns].name)
    assert code.nmid == "ID" + nmid and code.criteria == criteria
    assert code.amount == amount and code.is_dynamic == (amount is not None)
    assert code.additional.reference_label == reference
    assert validate(payload).ok
