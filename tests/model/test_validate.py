"""validate(): one hand-made code per rule, the public vectors, and the never-raise contract."""

from __future__ import annotations

import json

import pytest

import qriskit
from qriskit.validation import CODES, Problem, Report
from tests.codes import BASE, NATIONAL, TYPICAL, account, make, qris, tpl, vectors

D = dict(BASE)

# (code, payload, profile, path) — each payload breaks exactly the rule named.
CASES = [
    ("input.type", 123, "qris", None),
    ("input.encoding", b"\xff\xfe", "qris", None),
    ("input.empty", "", "qris", None),
    ("input.whitespace", "  " + TYPICAL + "\n", "qris", None),
    ("input.url_encoded", TYPICAL.replace(" ", "%20"), "qris", None),
    ("input.uninitialised", lambda twin: twin.QRIS.__new__(twin.QRIS), "qris", None),  # made per twin
    ("crc.missing", TYPICAL[:-8], "qris", "63"),
    ("crc.format", TYPICAL[:-4] + "XYZ!", "qris", "63"),
    ("crc.mismatch", TYPICAL[:-4] + "0000", "qris", "63"),
    ("crc.case", make(*sorted(D.items()), lower=True), "qris", "63"),
    ("tlv.truncated", "000201520" + "6304" + "0000", "qris", None),
    ("tlv.id", "000201AB0212" + "63040000", "qris", None),
    ("tlv.length", "00020152XX5411" + "63040000", "qris", "52"),
    ("tlv.duplicate", make(("00", "01"), ("52", "5411"), ("52", "5411")), "qris", "52"),
    ("tlv.template", qris(t26="0011ID.DANA.WWW01"), "qris", "26"),
    ("tlv.extra_template", qris(t99="hello"), "qris", "99"),
    ("crc.position", make(("00", "01"), ("63", "ABCD"), ("52", "5411")), "qris", "63"),
    ("emv.first", make(("01", "11"), ("00", "01")), "qris", "01"),
    ("emv.mandatory", qris(drop=("52",)), "qris", "52"),
    ("emv.account", qris(drop=("26", "51")), "emv", None),
    ("emv.format", qris(t52="54A1"), "qris", "52"),
    ("emv.length", qris(t59="A" * 26), "qris", "59"),
    ("emv.size", qris(t99=tpl(("00", "COM.EXAMPLE"), ("01", "x" * 80)), t98=tpl(("00", "G"), ("01", "y" * 90)),
                       t97=tpl(("00", "G"), ("01", "z" * 90)), t96=tpl(("00", "G"), ("01", "z" * 90)),
                       t95=tpl(("00", "G"), ("01", "z" * 90))), "qris", None),
    ("emv.version", qris(t00="02"), "emv", "00"),
    ("emv.initiation", qris(t01="13"), "emv", "01"),
    ("emv.amount", qris(t01="12", t54="1,000"), "qris", "54"),
    ("emv.amount_zero", qris(t01="12", t54="0.00"), "qris", "54"),
    ("emv.amount_decimals", qris(t01="12", t54="15.000"), "emv", "54"),
    ("emv.tip", qris(t01="12", t54="1000", t55="04"), "qris", "55"),
    ("emv.fee_percent", qris(t01="12", t54="1000", t55="03", t57="100"), "emv", "57"),
    ("emv.fee_unused", qris(t01="12", t54="1000", t55="01", t56="500"), "emv", "56"),
    ("emv.guid", qris(t26=tpl(("01", "936009153022591480"), ("03", "UMI"))), "emv", "26"),
    ("emv.consumer_data", qris(t62=tpl(("09", "AX"))), "qris", "62.09"),
    ("emv.prompt", qris(t62=tpl(("10", "***"))), "qris", "62.10"),
    ("emv.language", qris(t64=tpl(("00", "ZH"))), "qris", "64.01"),
    ("emv.rfu", qris(t65="x"), "qris", "65"),
    ("qris.country", qris(t58="SG"), "qris", "58"),
    ("qris.currency", qris(t53="702"), "qris", "53"),
    ("qris.postal_code", qris(drop=("61",)), "qris", "61"),
    ("qris.order", make(*[(t, v) for t, v in sorted(D.items()) if t != "52"], ("52", "5411")), "qris", "52"),
    ("qris.national", qris(drop=("51",)), "qris", "51"),
    ("qris.guid_legacy", qris(t51=NATIONAL.replace("0014ID.CO.QRIS.WWW", "0015ID.OR.GPNQR.WWW")), "qris", "51.00"),
    ("qris.guid", qris(t51=NATIONAL.replace("0014ID.CO.QRIS.WWW", "0014ID.CO.XXXX.WWW")), "qris", "51.00"),
    ("qris.nmid", qris(t51=tpl(("00", "ID.CO.QRIS.WWW"), ("02", "1020017611473"), ("03", "UMI"))), "qris", "51.02"),
    ("qris.criteria", qris(t26=account(criteria="UXX")), "qris", "26.03"),
    ("qris.acquirer", qris(drop=("26",)), "qris", None),
    ("qris.pan", qris(t26=account(pan="93600915302")), "qris", "26.01"),
    ("qris.nns", qris(t26=account(pan="123456789012345678")), "qris", "26.01"),
    ("qris.amount_limit", qris(t01="12", t54="10000001"), "qris", "54"),
    ("qris.version", qris(t00="02"), "qris", "00"),
    ("qris.initiation", qris(t01="13"), "qris", "01"),
    ("qris.amount_length", qris(t01="12", t54="12345678901.00"), "qris", "54"),
    ("qris.amount_decimals", qris(t01="12", t54="15.000"), "qris", "54"),
    ("qris.fee_unused", qris(t01="12", t54="1000", t55="01", t57="2.5"), "qris", "57"),
    ("qris.surcharge", qris(t01="12", t54="1000", t55="02", t56="500"), "qris", "55"),
    ("qris.dynamic_amount", qris(t01="12"), "qris", "01"),
]


def test_codes_table_is_complete_and_well_formed():
    # "internal" is the safety net and "tlv.malformed" the fallback for a parser message not yet classified
    assert set(CODES) - {"internal", "tlv.malformed"} == {c for c, *_ in CASES}
    for code, (severity, meaning) in CODES.items():
        assert severity in ("error", "warning")
        assert meaning and "\n" not in meaning
        assert (code == code.lower() and "." in code) or code == "internal"


@pytest.mark.parametrize(("code", "payload", "profile", "path"), CASES, ids=[c[0] for c in CASES])
def test_each_rule(twin, code, payload, profile, path):
    if callable(payload):
        payload = payload(twin)
    report = twin.validate(payload, profile)
    found = [p for p in report.problems if p.code == code]
    assert found, f"{code} not reported: {report.problems}"
    problem = found[0]
    assert problem.severity == CODES[code][0]
    assert problem.path == path
    assert problem.message
    assert "internal" not in report.codes
    if problem.severity == "error":
        assert not report.ok


def test_typical_code_is_clean(twin):
    report = twin.validate(TYPICAL)
    assert report.ok and report.problems == ()
    assert report.code is not None and report.code.merchant_name == "Toko Sejahtera"
    assert twin.validate(TYPICAL, "emv").problems == ()


def test_rules_that_are_warnings_keep_the_code_valid(twin):
    quirky = make(
        ("00", "01"), ("01", "11"), ("26", account()), ("52", "541"), ("51", NATIONAL.replace(
            "0014ID.CO.QRIS.WWW", "0015ID.OR.GPNQR.WWW")), ("53", "360"), ("58", "ID"), ("59", "A" * 26),
        ("60", "Jakarta"), ("61", "12340"),
    )
    report = twin.validate(quirky)
    assert report.ok, report.problems
    assert {"emv.length", "qris.order", "qris.guid_legacy"} <= report.codes


def test_offsets_point_at_the_object(twin):
    payload = qris(t59="A" * 26)
    problem = next(p for p in twin.validate(payload).problems if p.code == "emv.length")
    assert payload[problem.offset:problem.offset + 4] == "5926"
    payload = qris(t26=account(criteria="UXX"))
    problem = next(p for p in twin.validate(payload).problems if p.code == "qris.criteria")
    assert payload[problem.offset:problem.offset + 7] == "0303UXX"
    padded = "  " + payload
    problem = next(p for p in twin.validate(padded).problems if p.code == "qris.criteria")
    assert padded[problem.offset:problem.offset + 7] == "0303UXX"


@pytest.mark.parametrize("bad", [TYPICAL[:-4] + "0000", TYPICAL[:-4] + "0B0G"])
def test_crc_problems_do_not_suggest_verify_crc(twin, bad):
    """validate reads a code with a bad CRC anyway: its problems never say "pass verify_crc=False"."""
    [problem] = [p for p in twin.validate(bad).errors if p.code.startswith("crc.")]
    assert "verify_crc" not in problem.message
    with pytest.raises(qriskit.CRCError, match="verify_crc=False"):  # parse, which refuses it, does
        twin.parse(bad)


def test_crc_mismatch_still_runs_the_other_rules(twin):
    report = twin.validate(qris(t58="SG")[:-4] + "0000")
    assert {"crc.mismatch", "qris.country"} <= report.codes


def test_tlv_error_offsets_come_from_the_parser(twin):
    report = twin.validate("00020152XX5411" + "63040000")
    problem = report.errors[0]
    assert problem.code == "tlv.length" and problem.offset == 8


def test_profile_emv_skips_qris_rules(twin):
    report = twin.validate(qris(t58="SG", t53="702", drop=("61", "51")), "emv")
    assert report.ok
    assert not any(c.startswith("qris.") for c in report.codes)


def test_bad_profile_is_a_caller_bug():
    from qriskit import validate

    with pytest.raises(ValueError):
        validate(TYPICAL, "pix")


def test_report_api(twin):
    report = twin.validate(qris(t59="A" * 26, t58="SG"))
    assert isinstance(report, Report) and not report.ok
    assert [p.code for p in report.errors] == ["qris.country"]
    assert [p.code for p in report.warnings] == ["emv.length"]
    assert len(report) == 2 and list(report) == list(report.problems)
    data = json.loads(json.dumps(report.to_dict()))
    assert data["ok"] is False and data["errors"][0]["code"] == "qris.country"
    assert all(isinstance(p, Problem) for p in report)
    assert "qris.country" in str(report.errors[0])


def test_accepts_bytes_and_parsed_codes(twin):
    assert twin.validate(TYPICAL.encode()).ok
    code = twin.parse(TYPICAL)
    report = twin.validate(code)
    assert report.ok and report.code is code
    assert code.validate().ok


# -- the public vectors ----------------------------------------------------------------------
VECTORS = vectors()
FINDING_CODES = {
    "missing mandatory": "emv.mandatory",
    "59 > 25": "emv.length",
    "60 > 15": "emv.length",
    "62-09": "emv.consumer_data",
    "56 present": "emv.fee_unused",
    "57 present": "emv.fee_unused",
    "54 amount": "emv.amount_zero",
    "template 81 not TLV": "tlv.extra_template",
    "id 59 has non-ans": "emv.format",
    "id 60 has non-ans": "emv.format",
    "00 value": "emv.version",
    "62 contains unallocated": "emv.rfu",
}


@pytest.mark.parametrize("index", range(len(VECTORS)))
def test_public_vectors(twin, index):
    vector = VECTORS[index]
    report = twin.validate(vector["payload"], "emv")
    assert "internal" not in report.codes
    if vector["parse"] == "error":
        assert not report.ok
        assert report.code is None or report.codes & {"crc.mismatch", "crc.format", "input.whitespace"}
        root = report.errors[0]
        assert root.code.split(".")[0] in ("crc", "tlv", "emv", "input")
        return
    assert report.code is not None
    for finding in vector["strict_emv_findings"]:
        expected = next((c for prefix, c in FINDING_CODES.items() if finding.startswith(prefix)), None)
        assert expected is not None, finding
        assert expected in report.codes, (finding, report.problems)
    if not vector["strict_emv_findings"] and vector["expect"] == "valid" and vector["crc_ok"]:
        assert report.ok, report.problems
    if vector["expect"] == "invalid":  # the four parse-ok codes a source rejected
        if vector["crc_found"] != vector["crc_found"].upper():
            assert "crc.case" in report.codes
        else:
            assert not report.ok, report.problems


def test_the_four_invalid_but_parseable_vectors_are_flagged(twin):
    flagged = [v for v in VECTORS if v["expect"] == "invalid" and v["parse"] == "ok"]
    assert len(flagged) == 4
    for vector in flagged:
        report = twin.validate(vector["payload"], "emv")
        assert report.errors or [p.code for p in report.warnings] == ["crc.case"]


def test_qris_vectors_under_the_qris_profile(twin):
    for vector in VECTORS:
        if "QRIS" in vector["source"] or "qris" in vector["note"].lower():
            report = twin.validate(vector["payload"])
            if vector["parse"] == "ok":
                assert report.ok, (vector["payload"], report.problems)


def test_non_ascii_in_templates_64_and_80_99(twin):
    payload = qris(t64=tpl(("00", "ZH"), ("01", "最佳运输"), ("02", "北京")),
                   t80=tpl(("00", "ID.CO.EXAMPLE.WWW"), ("01", "Selamat datang — ☕")))
    report = twin.validate(payload)
    assert report.ok and report.problems == (), report.problems
    report = twin.validate(qris(t64=tpl(("00", "中文"), ("01", "最佳运输"))))
    assert "emv.format" in report.codes  # 64.00 is ans


def test_tags_out_of_order_is_only_a_qris_warning(twin):
    payload = make(("00", "01"), ("01", "11"), ("52", "5411"), ("26", account()), ("51", NATIONAL), ("53", "360"),
                   ("61", "12340"), ("58", "ID"), ("59", "Toko"), ("60", "Jakarta"))
    report = twin.validate(payload)
    assert report.ok and report.codes == {"qris.order"}
    assert twin.validate(payload, "emv").problems == ()


def test_docs_table_is_the_codes_table():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "validation.md").read_text(encoding="utf-8")
    table = text[text.index("| code | severity | meaning |"):]
    rows = [line for line in table[: table.index("\n\n")].splitlines() if line.startswith("| `")]
    assert rows == [f"| `{c}` | {sev} | {meaning} |" for c, (sev, meaning) in CODES.items()]


def test_real_paying_codes_stay_valid_under_the_strict_rules(twin):
    """Every real Indonesian code the project holds that its source accepts is still valid."""
    real = [v for v in vectors() if v["expect"] == "valid" and "5802ID" in v["payload"] and v["parse"] == "ok"]
    assert len(real) >= 3
    for v in real:
        report = twin.validate(v["payload"])
        assert report.ok, (v["source"], report.errors)
