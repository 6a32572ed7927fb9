"""QRIS fields: every decoded part, on both twins, for every acquirer in the directory."""

from __future__ import annotations

import json
import pickle
from decimal import Decimal

import pytest

from qriskit import spec
from tests.codes import NATIONAL, TYPICAL, account, make, qris, tlv, tpl


def test_root_fields(twin):
    code = twin.parse(qris(t01="12", t54="25000.50", t55="01"))
    assert code.merchant_name == "Toko Sejahtera" and code.merchant_city == "Jakarta"
    assert (code.postal_code, code.mcc, code.currency, code.country) == ("12340", "5411", "360", "ID")
    assert code.is_dynamic and code.point_of_initiation == "dynamic"
    assert code.amount == Decimal("25000.50") and code.tip.kind == "prompt"
    assert code.nmid == "ID1020017611473" and code.criteria == "UMI"
    assert str(code) == code.payload


def test_accounts(twin):
    code = twin.parse(TYPICAL)
    dana, national = code.accounts
    assert (dana.tag, dana.guid, dana.pan, dana.merchant_id, dana.criteria) == (
        "26", "ID.DANA.WWW", "936009153022591480", "022591480", "UMI")
    assert (dana.acquirer, dana.nns) == ("DANA", "93600915")
    assert national.tag == "51" and national.guid == "ID.CO.QRIS.WWW" and national.acquirer is None
    assert code.acquirers == ("DANA",)
    assert code.accounts is code.accounts  # decoded once, cached on the instance


@pytest.mark.parametrize("nns", sorted(spec.ACQUIRERS))
def test_every_acquirer_is_named_from_its_nns(twin, nns):
    who = spec.ACQUIRERS[nns]
    pan = nns + "0123456789"
    code_text = qris(t26=account(guid=who.guid or "ID.CO.EXAMPLE.WWW", pan=pan, mid="M1"))
    code = twin.parse(code_text)
    assert code.accounts[0].acquirer == who.name and code.accounts[0].nns == nns
    assert spec.participant(pan) is who
    report = twin.validate(code_text)
    assert report.ok and "qris.nns" not in report.codes, report.problems


def test_directory_names_the_issuers_the_issue_lists():
    names = " ".join(p.name for p in spec.ACQUIRERS.values())
    for name in ("GoPay", "DANA", "OVO", "ShopeePay", "LinkAja", "BRI", "BNI", "BCA", "Mandiri", "CIMB", "Permata",
                 "BSI", "Nobu", "DOKU", "AstraPay", "Telkom"):
        assert name in names
    assert all(len(nns) == 8 and nns.startswith("9360") for nns in spec.ACQUIRERS)


def test_guid_and_nns_from_different_companies_key_on_nns(twin):
    code = twin.parse(qris(t26=account(guid="ID.CO.SHOPEE.WWW", pan="936009140000000001")))
    assert code.accounts[0].acquirer == "GoPay"


def test_additional_data_by_name(twin):
    values = {"01": "BILL1", "02": "0812345", "03": "Store", "04": "LOY", "05": "REF-9", "06": "Cust", "07": "T01",
              "08": "Lunch", "09": "AME", "10": "TAX1", "11": "211"}
    code = twin.parse(qris(t62=tpl(*values.items())))
    add = code.additional
    assert (add.bill_number, add.mobile_number, add.store_label, add.loyalty_number, add.reference_label,
            add.customer_label, add.terminal_label, add.purpose, add.consumer_data_request, add.merchant_tax_id,
            add.merchant_channel) == tuple(values.values())
    assert twin.validate(code).ok


def test_language_and_unreserved_templates_with_non_ascii(twin):
    code = twin.parse(qris(t64=tpl(("00", "ZH"), ("01", "最佳运输"), ("02", "北京")),
                            t80=tpl(("00", "ID.CO.EXAMPLE.WWW"), ("01", "☕ kopi")),
                            t99=tpl(("00", "COM.OTHER"), ("05", "ü"))))
    lang = code.language
    assert (lang.language, lang.merchant_name, lang.merchant_city) == ("ZH", "最佳运输", "北京")
    assert [(t.tag, t.guid) for t in code.unreserved] == [("80", "ID.CO.EXAMPLE.WWW"), ("99", "COM.OTHER")]
    assert code.unreserved[0].items["01"] == "☕ kopi"


def test_tags_out_of_order_are_read(twin):
    payload = make(("00", "01"), ("59", "Toko"), ("26", account()), ("60", "Bandung"), ("52", "5411"),
                   ("51", NATIONAL), ("58", "ID"), ("53", "360"))
    code = twin.parse(payload)
    assert code.merchant_name == "Toko" and code.nmid == "ID1020017611473" and code.accounts[0].acquirer == "DANA"


def test_broken_template_keeps_raw_value(twin):
    code = twin.parse(qris(t62="0599abc"))
    assert code.additional.error and code.template("62").raw == "0599abc"


def test_to_dict_is_json_ready(twin):
    code = twin.parse(qris(t01="12", t54="1500.00", t64=tpl(("00", "ZH"), ("01", "北京"))))
    data = json.loads(json.dumps(code.to_dict(), ensure_ascii=False))
    assert data["amount"] == "1500.00" and data["nmid"] == "ID1020017611473"
    assert data["accounts"][0]["acquirer"] == "DANA" and data["acquirers"] == ["DANA"]
    assert data["language"]["merchant_name"] == "北京" and data["crc_ok"] is True


def test_pickle_keeps_the_code(twin):
    code = twin.parse(TYPICAL)
    _ = code.accounts  # fill the cache first
    again = pickle.loads(pickle.dumps(code))
    assert again == code and again.accounts[0].acquirer == "DANA"


def test_build_classmethod(twin):
    code = twin.QRIS.build(merchant_name="Toko", merchant_city="Jakarta", mcc="5411", postal_code="12340",
                            accounts=[{"guid": "ID.DANA.WWW", "pan": "936009150000000001", "merchant_id": "X1"}],
                            nmid="ID1020017611473", criteria="UMI")
    assert code.merchant_name == "Toko" and code.accounts[0].criteria == "UMI"
    assert tlv("59", "Toko") in code.payload
