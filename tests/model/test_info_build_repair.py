"""info(), build(), anonymize() and repair()."""

from __future__ import annotations

import json
from urllib.parse import quote, quote_plus

import pytest

import qriskit
from qriskit import Account, FieldError, QRISError, Tip, anonymize, build, info, repair
from tests.codes import TYPICAL, account, qris, tpl, vectors


def test_info_summary():
    data = json.loads(json.dumps(info(qris(t01="12", t54="15000", t62=tpl(("05", "INV-7"))))))
    assert data["readable"] and data["valid"]
    assert data["merchant"] == {
        "name": "Toko Sejahtera", "city": "Jakarta", "postal_code": "12340", "country": "ID", "mcc": "5411",
        "alternate_language": None, "alternate_name": None, "alternate_city": None,
    }
    assert data["nmid"] == "ID1020017611473" and data["criteria"] == "UMI"
    assert data["criteria_description"].startswith("micro")
    assert [a["name"] for a in data["acquirers"]] == ["DANA"]
    assert data["kind"] == "dynamic" and data["amount"] == "15000" and data["currency"] == "IDR"
    assert data["reference"] == "INV-7"
    assert data["crc"]["ok"] is True and data["errors"] == [] and data["warnings"] == []


def test_info_on_damaged_codes_never_raises():
    assert info(123)["readable"] is False
    bad = info(TYPICAL[:-4] + "0000")
    assert bad["readable"] and not bad["valid"] and bad["crc"]["ok"] is False
    assert bad["errors"][0]["code"] == "crc.mismatch"
    assert info("garbage")["errors"][0]["code"] == "crc.missing"


def test_info_tip():
    data = info(qris(t01="12", t54="15000", t55="02", t56="1000"))
    assert data["tip"] == {"indicator": "02", "kind": "fixed", "fixed": "1000", "percent": None}
    assert "qris.surcharge" in {w["code"] for w in data["warnings"]}


FIELDS = dict(merchant_name="Warung Bu Sri", merchant_city="Yogyakarta", mcc="5812", postal_code="55281",
              accounts=[Account("ID.CO.BRI.WWW", "936000020000012345", "000001234567", "UMI")],
              nmid="ID1020017611473", criteria="UMI")


def test_build_writes_a_clean_code():
    payload = build(**FIELDS, amount="25000", additional={"terminal_label": "A01", "05": "INV-1"},
                    language=("ID", "Warung Bu Sri", "Yogya"), unreserved={"80": {"00": "COM.EXAMPLE", "01": "x"}})
    code = qriskit.parse(payload)
    assert qriskit.validate(payload).problems == ()
    assert code.amount == 25000 and code.is_dynamic and code.additional.reference_label == "INV-1"
    tags = [t for t, _ in code.items()]
    assert tags[-1] == "63" and tags[:-1] == sorted(tags[:-1])


@pytest.mark.parametrize(("override", "path"), [
    ({"merchant_name": "A" * 26}, "59"),
    ({"merchant_city": "Jakarta Selatan Raya"}, "60"),
    ({"mcc": "581"}, "52"),
    ({"mcc": "58A2"}, "52"),
    ({"merchant_name": "Café"}, "59"),
    ({"criteria": "UXX"}, "51.03"),
    ({"nmid": "1020017611473"}, "51.02"),
    ({"country": "SG"}, "58"),
    ({"tip": Tip.fixed(500)}, "55"),
    ({"accounts": [Account("ID.CO.BRI.WWW", "93600002ABC", "1")]}, "accounts[0].01"),
    ({"accounts": [Account("X" * 33, "936000020000012345")]}, "accounts[0].00"),
    ({"additional": {"bill": "x"}}, "62"),
    ({"additional": {"consumer_data_request": "XYZ"}}, "62.09"),
    ({"unreserved": {"80": {"01": "no guid"}}}, "80.00"),
])
def test_build_refuses_what_breaks_the_spec(override, path):
    with pytest.raises(FieldError) as info_:
        build(**{**FIELDS, **override})
    assert info_.value.path == path


def test_build_emv_profile_allows_foreign_codes():
    payload = build(**{**FIELDS, "country": "SG", "currency": "702", "nmid": None}, profile="emv")
    assert qriskit.validate(payload, "emv").ok


def test_build_rejects_float_amounts():
    with pytest.raises(TypeError):
        build(**FIELDS, amount=1.5)


def test_anonymize_masks_identifiers_and_keeps_structure():
    payload = qris(t59="Toko Budi Santoso", t62=tpl(("02", "081234567"), ("07", "A01")),
                   t64=tpl(("00", "ZH"), ("01", "布迪商店")))
    masked = anonymize(payload)
    original, copy = qriskit.parse(payload), qriskit.parse(masked)
    assert [(t, len(v)) for t, v in original.items()][:-1] == [(t, len(v)) for t, v in copy.items()][:-1]
    assert "Budi" not in masked and "布迪" not in masked and "081234567" not in masked
    assert "022591480" not in masked and "ID1020017611473" not in masked
    assert copy.accounts[0].nns == "93600915" and copy.accounts[0].acquirer == "DANA"
    assert copy.nmid.startswith("ID") and copy.additional.terminal_label == "A01"
    assert copy.merchant_city == "Jakarta" and copy.crc_ok
    assert qriskit.validate(masked).codes == qriskit.validate(payload).codes


def test_anonymize_a_code_with_a_bad_crc_gives_a_valid_crc():
    assert qriskit.parse(anonymize(TYPICAL[:-4] + "0000")).crc_ok


def test_anonymize_refuses_unreadable_roots():
    with pytest.raises(QRISError):
        anonymize("garbage")


@pytest.mark.parametrize(("damaged", "changes"), [
    ("  " + TYPICAL + "\r\n", ["whitespace"]),
    ("\ufeff" + TYPICAL, ["whitespace"]),
    (quote(TYPICAL), ["url-decoding"]),
    (quote_plus(TYPICAL), ["plus-as-space"]),
    (TYPICAL.replace(" ", "%20"), ["url-decoding"]),
    (TYPICAL[:-4] + TYPICAL[-4:].lower(), ["crc-case"] if TYPICAL[-4:].lower() != TYPICAL[-4:] else []),
    (TYPICAL[:-4] + "0000", ["crc-stale"]),
    (TYPICAL[:-4], ["crc-added"]),
    (" " + quote(TYPICAL)[:-4] + "abcd ", ["whitespace", "url-decoding", "crc-stale"]),
    (TYPICAL, []),
])
def test_repair(damaged, changes):
    result = repair(damaged)
    assert result.payload == TYPICAL
    assert [c.code for c in result.changes] == changes
    assert result.changed == bool(changes) and str(result) == TYPICAL


def test_repair_keeps_a_real_plus():
    payload = qris(t62=tpl(("02", "+6281234")))
    assert repair(payload).changes == ()
    assert repair(quote(payload)).payload == payload


def test_repair_lowercase_crc_vector():
    vector = next(v for v in vectors() if v["crc_found"] == "a13a")
    result = repair(vector["payload"])
    assert result.payload.endswith("A13A") and [c.code for c in result.changes] == ["crc-case"]


def test_repair_gives_up_loudly():
    with pytest.raises(QRISError):
        repair("000201XX")
    with pytest.raises(TypeError):
        repair(42)


def test_account_mapping_input():
    payload = build(**{**FIELDS, "accounts": [{"guid": "ID.DANA.WWW", "pan": "936009150000000001", "tag": "30"}]})
    assert qriskit.parse(payload).accounts[0].tag == "30"
    assert account()  # the support helper stays importable


def test_summary_to_dict_has_every_field():
    from dataclasses import asdict

    s = qriskit.parse(TYPICAL).summary()
    assert s.to_dict() == {**asdict(s), "acquirers": [asdict(a) for a in s.acquirers]}


def test_repair_refuses_text_no_qr_code_can_hold():
    """A 9 MB string (or its bytes) is refused before any work, with the limit named."""
    import tracemalloc

    from qriskit.spec import QR_MAX_CHARS

    huge = TYPICAL + " " * 9_000_000
    payloads = (huge, huge.encode(), bytearray(huge.encode()), memoryview(huge.encode()))
    tracemalloc.start()
    for payload in payloads:
        with pytest.raises(qriskit.TLVError, match=f"more than any QR code holds \\({QR_MAX_CHARS}\\)") as info:
            repair(payload)
        assert info.value.code == "input.too_long"
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000  # nothing copied or decoded: the cap is checked first


def test_repair_up_to_the_cap_still_repairs():
    from qriskit.spec import QR_MAX_CHARS

    padded = TYPICAL + "\n" * (QR_MAX_CHARS - len(TYPICAL))
    assert repair(padded).payload == TYPICAL
    with pytest.raises(qriskit.TLVError, match="more than any QR code holds"):
        repair(padded + "\n")
