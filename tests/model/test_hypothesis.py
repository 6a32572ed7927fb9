"""Properties: validate and info never raise; build output parses back to the same fields."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qriskit
from qriskit import Account, info, spec, summary, validate, validation
from tests.codes import TYPICAL, make
from tests.strategies import template_codes

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


def _problems(twin, payload, profile, rules: bool) -> list[dict]:
    saved = validation._RULES_QRIS, validation._RULES_EMV
    if not rules:  # every template through Python's checks: the reference the rules must match
        validation._RULES_QRIS = validation._RULES_EMV = None
    try:
        return [p.to_dict() for p in twin.validate(payload, profile).problems]
    finally:
        validation._RULES_QRIS, validation._RULES_EMV = saved


@FAST
@given(st.one_of(template_codes(), payloads), st.sampled_from(["qris", "emv"]))
def test_scan_rules_change_no_problem(twin, payload, profile):
    """Templates that pass the scan's rules skip Python's checks: the report is the same as
    when every template is checked in Python (same problems, codes, paths, offsets, messages)."""
    assert _problems(twin, payload, profile, True) == _problems(twin, payload, profile, False)


@FAST
@given(st.one_of(template_codes(), payloads), st.sampled_from(["qris", "emv"]))
def test_twins_agree_on_validate_and_info(twins, payload, profile):
    native, python = twins
    assert native.info(payload, profile) == python.info(payload, profile)
    assert [p.to_dict() for p in native.validate(payload, profile)] == \
        [p.to_dict() for p in python.validate(payload, profile)]


def _reference_summary(code) -> dict:
    """The summary derived from the model's typed views (accounts, language, additional, ...),
    the way it was before ``summary`` read the split templates directly."""
    acquirers = []
    for a in code.accounts:
        if a.tag == spec.QRIS_NATIONAL_ID and (a.guid == spec.QRIS_GUID or a.guid in spec.QRIS_GUID_LEGACY):
            continue
        who = spec.participant(a.pan)
        by_guid = {p.guid.upper(): p.name for p in spec.ACQUIRERS.values() if p.guid}
        acquirers.append({
            "tag": a.tag, "guid": a.guid, "nns": a.nns,
            "name": a.acquirer or (by_guid.get(a.guid.upper()) if a.guid else None),
            "kind": who.kind if who else None, "known": who is not None, "pan": a.pan,
            "merchant_id": a.merchant_id, "criteria": a.criteria,
        })
    language, get = code.language, code.get
    currency = spec.CURRENCIES.get(get("53")) if get("53") else None
    criteria = code.criteria
    return {
        "merchant": {
            "name": code.merchant_name, "city": code.merchant_city, "postal_code": code.postal_code,
            "country": code.country, "mcc": code.mcc,
            "alternate_language": language.language if language else None,
            "alternate_name": language.merchant_name if language else None,
            "alternate_city": language.merchant_city if language else None,
        },
        "nmid": code.nmid,
        "criteria": criteria,
        "criteria_description": spec.CRITERIA.get(criteria) if criteria else None,
        "acquirers": acquirers,
        "kind": "static" if get("01") is None else code.point_of_initiation,
        "amount": get("54"),
        "currency": currency.code if currency else get("53"),
        "tip": None if get("55") is None else {
            "indicator": get("55"), "kind": spec.TIP_INDICATOR.get(get("55")), "fixed": get("56"), "percent": get("57"),
        },
        "reference": code.additional.reference_label,
        "crc": {"found": code.crc, "computed": code.computed_crc, "ok": code.crc_ok},
    }


@FAST
@given(template_codes(), st.booleans())
def test_summary_matches_the_model_views(twin, payload, views_first):
    code = twin.parse(payload)
    if views_first:  # the views and the summary share the code's cache, in either order
        reference = _reference_summary(code)
        assert summary.summarize(code).to_dict() == reference
    else:
        got = summary.summarize(code).to_dict()
        assert got == _reference_summary(code)
    info_facts = {k: v for k, v in twin.info(payload).items() if k not in ("readable", "valid", "errors", "warnings")}
    assert info_facts == _reference_summary(code)
