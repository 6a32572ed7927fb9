"""check_conversion: the hosted converter against qriskit's own offline conversion."""

from __future__ import annotations

import pytest

import qriskit
from qriskit.api import BayarGG, ConvertedQRIS, check_conversion

HEAD = "000201"
ACCOUNTS = (
    "26570011ID.DANA.WWW011893600915000000000102090000000010303UMI51440014ID.CO.QRIS.WWW0215ID10200000000010303UMI"
)
STATIC_BODY = HEAD + "010211" + ACCOUNTS + "52045999530336058" + "02ID5909TOKO MAJU6007JAKARTA61051234062070703A01"


def with_crc(body: str) -> str:
    body += "6304"
    return body + format(qriskit.crc16(body), "04X")


STATIC = with_crc(STATIC_BODY)


def hosted_variant(*, amount: str = "15000", tail: str = "61051234062070703A01") -> str:
    """A dynamic code built by hand, as another converter might write it: tag 54 last."""
    return with_crc(
        HEAD
        + "010212"
        + ACCOUNTS
        + "5204599953033605802ID5909TOKO MAJU6007JAKARTA"
        + tail
        + f"54{len(amount):02d}{amount}"
    )


def test_identical_conversion() -> None:
    expected = qriskit.to_dynamic(STATIC, 15000)
    check = check_conversion(STATIC, 15000, expected)
    assert check.identical and check.equivalent and check.amount_ok and bool(check)
    assert check.differences == ()
    assert check.summary() == "hosted conversion is identical to qriskit's"


def test_order_only_difference_is_equivalent() -> None:
    hosted = hosted_variant()  # tag 54 written last instead of after 53
    check = check_conversion(STATIC, 15000, hosted)
    assert not check.identical
    assert check.equivalent and check.amount_ok and bool(check)
    assert [(d.path, d.kind) for d in check.differences] == [("root", "order")]
    assert "another order" in check.summary()


def test_wrong_amount_is_reported() -> None:
    hosted = hosted_variant(amount="15001")
    check = check_conversion(STATIC, 15000, hosted)
    assert not check.amount_ok and not check.equivalent and not check
    changed = [d for d in check.differences if d.kind == "changed"]
    assert [(d.path, d.expected, d.hosted) for d in changed] == [("54", "15000", "15001")]
    assert "amount: hosted 15001, requested 15000" in check.summary()


def test_template_differences_name_the_sub_tag() -> None:
    hosted = hosted_variant(tail="6105123406207" + "0703B02")
    check = check_conversion(STATIC, 15000, hosted)
    changed = [d for d in check.differences if d.kind == "changed"]
    assert [(d.path, d.expected, d.hosted) for d in changed] == [("62.07", "A01", "B02")]
    assert check.amount_ok and not check.equivalent


def test_missing_and_extra_tags() -> None:
    hosted = hosted_variant(tail="550201" + "62070703A01")  # drops 61, adds a tip prompt
    check = check_conversion(STATIC, 15000, hosted)
    kinds = {(d.path, d.kind) for d in check.differences}
    assert ("61", "missing") in kinds and ("55", "extra") in kinds
    assert "only in hosted code" in check.summary()


def test_broken_hosted_code_raises_qris_error() -> None:
    broken = qriskit.to_dynamic(STATIC, 15000)[:-4] + "0000"
    with pytest.raises(qriskit.QRISError):
        check_conversion(STATIC, 15000, broken)


def test_needs_all_three_values() -> None:
    with pytest.raises(TypeError):
        check_conversion(STATIC, 15000)


def test_against_hosted_converter_over_http(httpserver, client: BayarGG) -> None:  # type: ignore[no-untyped-def]
    hosted = hosted_variant(amount="20000")
    httpserver.expect_request("/api/qris-convert.php", method="POST").respond_with_json(
        {
            "success": True,
            "data": {
                "original_qris": STATIC,
                "converted_qris": hosted,
                "nominal": 20000,
                "merchant_name": "TOKO MAJU",
            },
        }
    )
    result = client.qris_convert(STATIC, 20000)
    assert isinstance(result, ConvertedQRIS)
    check = check_conversion(result)
    assert check.nominal == 20000 and check.amount_ok and check.equivalent
    assert check.expected == qriskit.to_dynamic(STATIC, 20000)
