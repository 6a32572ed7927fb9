"""The sync client against a real HTTP server: every endpoint's request and parsing."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import httpx
import pytest

from qriskit.api import (
    AccountStatus,
    BayarGG,
    BayarGGError,
    ConvertedQRIS,
    HiddenContent,
    InvalidResponseError,
    Payment,
    PaymentMethodInfo,
    ProductImage,
    QRISInfo,
    Statistics,
    StoredFile,
)

from .support import API_KEY

QRIS = (
    "00020101021126570011ID.DANA.WWW011893600915000000000102090000000010303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200000000010303UMI5204599953033605802ID"
    "5909TOKO MAJU6007JAKARTA61051234062070703A016304ABCD"
)


def last(httpserver):  # type: ignore[no-untyped-def]
    assert httpserver.log, "no request reached the server"
    return httpserver.log[-1][0]


def body_of(request) -> dict:  # type: ignore[no-untyped-def]
    return json.loads(request.get_data())


# ----------------------------------------------------------------------------- create


def test_create_payment_request_and_response(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/create-payment.php", method="POST").respond_with_data(
        """{"success": true, "data": {"invoice_id": "PAY-TOKO-000123", "amount": 25000,
        "unique_code": 123, "final_amount": 25123,
        "payment_url": "https://www.bayar.gg/pay?invoice=PAY-TOKO-000123",
        "qris_string": "000201...", "status": "pending",
        "expires_at": "2025-01-02 10:30:00", "payment_method": "gopay_qris",
        "brand_new_field": 1.50}}""",
        content_type="application/json",
    )
    payment = client.create_payment(
        25_000,
        description="Order #123",
        customer_name="Budi",
        callback_url="https://shop.example/hook",
        payment_method="gopay_qris",
        use_qris_converter=True,
        file_id=7,
    )
    request = last(httpserver)
    assert request.method == "POST"
    assert request.path == "/api/create-payment.php"
    assert request.headers["X-API-Key"] == API_KEY
    assert request.headers["Content-Type"] == "application/json"
    assert request.headers["Accept"] == "application/json"
    assert "apiKey" not in request.query_string.decode()
    assert body_of(request) == {
        "amount": 25000,
        "payment_url": "https://www.bayar.gg/pay",
        "description": "Order #123",
        "customer_name": "Budi",
        "callback_url": "https://shop.example/hook",
        "file_id": 7,
        "payment_method": "gopay_qris",
        "use_qris_converter": True,
    }
    assert isinstance(payment, Payment)
    assert payment.invoice_id == "PAY-TOKO-000123"
    assert (payment.amount, payment.unique_code, payment.final_amount) == (
        25000,
        123,
        25123,
    )
    assert type(payment.final_amount) is int
    assert payment.status == "pending" and payment.is_pending and not payment.is_final
    assert payment.qris_string == "000201..."
    assert payment.payment_method == "gopay_qris"
    assert payment.expires_at == datetime(2025, 1, 2, 10, 30)
    assert payment.raw["brand_new_field"] == Decimal("1.50")
    with pytest.raises(AttributeError):
        payment.status = "paid"  # type: ignore[misc]
    with pytest.raises(TypeError):
        payment.raw["status"] = "paid"  # type: ignore[index]


@pytest.mark.parametrize("amount", [Decimal("25000.00"), "25000", "25000.", 25000])
def test_create_payment_amount_forms(httpserver, client: BayarGG, amount) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/create-payment.php").respond_with_json(
        {"success": True, "data": {"invoice_id": "PAY-1", "amount": 25000}}
    )
    client.create_payment(amount, payment_url="https://shop.example/checkout")
    sent = body_of(last(httpserver))
    assert sent["amount"] == 25000 and type(sent["amount"]) is int
    assert sent["payment_url"] == "https://shop.example/checkout"


@pytest.mark.parametrize(
    ("amount", "method", "error"),
    [
        (25000.0, None, TypeError),
        (True, None, TypeError),
        (999, None, ValueError),
        (Decimal("1500.50"), None, ValueError),
        ("1.000", None, ValueError),
        ("abc", None, ValueError),
        (-5000, None, ValueError),
        (500_001, "qris", ValueError),
    ],
)
def test_create_payment_refuses_bad_amounts_before_sending(httpserver, client: BayarGG, amount, method, error) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error):
        client.create_payment(amount, payment_method=method)
    assert httpserver.log == []


def test_create_payment_qris_limit_only_for_qris(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/create-payment.php").respond_with_json(
        {"success": True, "data": {"invoice_id": "PAY-2"}}
    )
    client.create_payment(2_000_000, payment_method="gopay_qris")
    client.create_payment(1_000, payment_method="some_new_method")
    assert body_of(last(httpserver))["payment_method"] == "some_new_method"


def test_create_payment_extra_fields(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/create-payment.php").respond_with_json(
        {"success": True, "data": {"invoice_id": "PAY-3"}}
    )
    client.create_payment(5000, extra={"qris_string": QRIS, "amount": 1})
    sent = body_of(last(httpserver))
    assert sent["qris_string"] == QRIS
    assert sent["amount"] == 5000  # extra never overrides a named argument


# ----------------------------------------------------------------------------- check


def test_check_payment_top_level_string_amounts(httpserver, client: BayarGG) -> None:
    httpserver.expect_request(
        "/api/check-payment.php", method="GET", query_string={"invoice": "PAY-X-1"}
    ).respond_with_json(
        {
            "success": True,
            "invoice_id": "PAY-X-1",
            "status": "PAID",
            "amount": "10000",
            "unique_code": "123",
            "final_amount": "10123.50",
            "paid_at": "2025-01-02T10:31:05+07:00",
            "paid_reff_num": "REF998877",
        }
    )
    payment = client.check_payment("PAY-X-1")
    request = last(httpserver)
    assert request.headers["X-API-Key"] == API_KEY
    assert request.get_data() == b""
    assert payment.status == "paid" and payment.is_paid and payment.is_final
    assert payment.amount == 10000 and type(payment.amount) is int
    assert payment.final_amount == Decimal("10123.50")
    assert payment.paid_at is not None and payment.paid_at.utcoffset().total_seconds() == 25200
    assert payment.paid_reff_num == "REF998877"


def test_check_payment_fields_under_data(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/check-payment.php").respond_with_json(
        {"success": True, "data": {"status": "expired", "amount": 5000, "final_amount": 5042}}
    )
    payment = client.check_payment("PAY-X-2")
    assert payment.invoice_id == "PAY-X-2"  # filled in from the request
    assert payment.status == "expired" and payment.final_amount == 5042


def test_check_payment_rejects_inexact_amount(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/check-payment.php").respond_with_json(
        {"success": True, "invoice_id": "PAY-X-3", "status": "paid", "amount": "10.000,00"}
    )
    with pytest.raises(InvalidResponseError, match="not an exact amount"):
        client.check_payment("PAY-X-3")


# ----------------------------------------------------------------------------- list


def test_list_payments_filters_and_pagination(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/list-payments.php", method="GET").respond_with_json(
        {
            "success": True,
            "data": [
                {"invoice_id": "PAY-1", "status": "paid", "final_amount": 10123},
                {"invoice_id": "PAY-2", "status": "pending", "final_amount": "20045"},
            ],
            "pagination": {"page": 2, "limit": 2, "total": 6, "total_pages": 3},
        }
    )
    page = client.list_payments(
        search="Order #1",
        status="paid",
        payment_method="qris",
        paid_via="gopay",
        start_date=date(2025, 1, 1),
        end_date="2025-01-31",
        page=2,
        limit=2,
    )
    args = last(httpserver).args
    assert args.to_dict() == {
        "search": "Order #1",
        "status": "paid",
        "payment_method": "qris",
        "paid_via": "gopay",
        "start_date": "2025-01-01",
        "end_date": "2025-01-31",
        "page": "2",
        "limit": "2",
    }
    assert [p.invoice_id for p in page] == ["PAY-1", "PAY-2"]
    assert page.items[1].final_amount == 20045
    assert (page.page, page.limit, page.total, page.total_pages) == (2, 2, 6, 3)


@pytest.mark.parametrize("limit", [0, 101, "10"])
def test_list_payments_limit_bounds(httpserver, client: BayarGG, limit) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        client.list_payments(limit=limit)
    assert httpserver.log == []


def _page_handler(pages: dict[int, list[str]], meta: bool):  # type: ignore[no-untyped-def]
    from werkzeug import Response

    def handler(request):  # type: ignore[no-untyped-def]
        number = int(request.args["page"])
        body = {
            "success": True,
            "data": [{"invoice_id": i, "status": "paid"} for i in pages.get(number, [])],
        }
        if meta:
            body["pagination"] = {"page": number, "total_pages": len(pages)}
        return Response(json.dumps(body), content_type="application/json")

    return handler


def test_iter_payments_follows_total_pages(httpserver, client: BayarGG) -> None:
    pages = {1: ["A", "B"], 2: ["C", "D"], 3: ["E"]}
    httpserver.expect_request("/api/list-payments.php").respond_with_handler(_page_handler(pages, meta=True))
    ids = [p.invoice_id for p in client.iter_payments(limit=2, status="paid")]
    assert ids == ["A", "B", "C", "D", "E"]
    requested = [(r.args["page"], r.args["limit"], r.args["status"]) for r, _ in httpserver.log]
    assert requested == [("1", "2", "paid"), ("2", "2", "paid"), ("3", "2", "paid")]


def test_iter_payments_stops_on_short_page_without_meta(httpserver, client: BayarGG) -> None:
    pages = {1: ["A", "B"], 2: ["C"], 3: ["never"]}
    httpserver.expect_request("/api/list-payments.php").respond_with_handler(_page_handler(pages, meta=False))
    assert [p.invoice_id for p in client.iter_payments(limit=2)] == ["A", "B", "C"]
    assert len(httpserver.log) == 2


def test_iter_payments_stops_when_server_ignores_page(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/list-payments.php").respond_with_json(
        {"success": True, "data": [{"invoice_id": "A"}, {"invoice_id": "B"}]}
    )
    assert [p.invoice_id for p in client.iter_payments(limit=2)] == ["A", "B"]
    assert len(httpserver.log) == 2


# ----------------------------------------------------------------------------- account


def test_get_payment_methods_list_shape(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/get-payment-methods.php", method="GET").respond_with_json(
        {
            "success": True,
            "data": [
                {"code": "qris", "name": "QRIS", "enabled": True, "max_amount": 500000},
                {"code": "ovo", "name": "OVO", "enabled": "0"},
                "gopay_qris",
            ],
        }
    )
    methods = client.get_payment_methods()
    assert all(isinstance(m, PaymentMethodInfo) for m in methods)
    assert [(m.code, m.enabled) for m in methods] == [
        ("qris", True),
        ("ovo", False),
        ("gopay_qris", None),
    ]
    assert methods[0].max_amount == 500000
    assert last(httpserver).headers["X-API-Key"] == API_KEY


def test_get_payment_methods_mapping_shape(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/get-payment-methods.php").respond_with_json(
        {"success": True, "data": {"qris": {"name": "QRIS", "active": 1}, "ovo": False}}
    )
    methods = client.get_payment_methods()
    assert [(m.code, m.name, m.enabled) for m in methods] == [
        ("qris", "QRIS", True),
        ("ovo", None, False),
    ]


def test_get_account_status(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/get-account-status.php", method="GET").respond_with_json(
        {"success": True, "data": {"username": "toko", "balance": 1500000.25}}
    )
    status = client.get_account_status()
    assert isinstance(status, AccountStatus)
    assert status["username"] == "toko"
    assert status.get("balance") == Decimal("1500000.25")
    assert status.raw["success"] is True


@pytest.mark.parametrize("period", ["all", "today", "week", "month", "year"])
def test_get_statistics(httpserver, client: BayarGG, period: str) -> None:
    httpserver.expect_request(
        "/api/get-statistics.php", method="GET", query_string={"period": period}
    ).respond_with_json({"success": True, "data": {"total_paid": 12, "revenue": "250000"}})
    stats = client.get_statistics(period)
    assert isinstance(stats, Statistics)
    assert stats.period == period and stats["total_paid"] == 12


def test_get_statistics_rejects_unknown_period(httpserver, client: BayarGG) -> None:
    with pytest.raises(ValueError, match="period"):
        client.get_statistics("decade")
    assert httpserver.log == []


@pytest.mark.parametrize(
    ("method", "path", "key", "model"),
    [
        ("list_files", "/api/list-files.php", "files", StoredFile),
        ("list_contents", "/api/list-contents.php", "contents", HiddenContent),
        ("list_images", "/api/list-images.php", "images", ProductImage),
    ],
)
def test_asset_lists(httpserver, client: BayarGG, method, path, key, model) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request(path, method="GET").respond_with_json(
        {
            "success": True,
            "data": [
                {"id": 7, "name": "ebook.pdf", "is_active": 1, "created_at": "2025-01-01 08:00:00"},
                {"id": "8", "title": "Secret", "is_active": "0"},
            ],
        }
    )
    items = getattr(client, method)(active_only=True)
    assert last(httpserver).args.to_dict() == {"active_only": "true"}
    assert [type(i) for i in items] == [model, model]
    assert [(i.id, i.name, i.is_active) for i in items] == [
        (7, "ebook.pdf", True),
        (8, "Secret", False),
    ]
    getattr(client, method)()
    assert last(httpserver).args.to_dict() == {}


# ----------------------------------------------------------------------------- converter


def test_qris_convert(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/qris-convert.php", method="POST").respond_with_json(
        {
            "success": True,
            "data": {
                "original_qris": QRIS,
                "converted_qris": "00020101021226...",
                "nominal": 15000,
                "merchant_name": "TOKO MAJU",
                "merchant_city": "JAKARTA",
                "qr_image_url": "https://www.bayar.gg/qr/abc.png",
            },
        }
    )
    result = client.qris_convert(QRIS, "15000")
    request = last(httpserver)
    assert body_of(request) == {"qris": QRIS, "nominal": 15000}
    assert request.headers["Content-Type"] == "application/json"
    assert isinstance(result, ConvertedQRIS)
    assert result.converted_qris == "00020101021226..."
    assert result.nominal == 15000 and result.merchant_city == "JAKARTA"
    assert result.qr_image_url == "https://www.bayar.gg/qr/abc.png"


def test_qris_convert_incomplete_reply(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/qris-convert.php").respond_with_json({"success": True, "data": {"nominal": 1}})
    with pytest.raises(InvalidResponseError):
        client.qris_convert(QRIS, 1000)


def test_qris_info_posts_by_default(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/qris-info.php", method="POST").respond_with_json(
        {"success": True, "data": {"merchant_name": "TOKO MAJU", "nmid": "ID1020", "amount": None}}
    )
    info = client.qris_info(QRIS)
    assert body_of(last(httpserver)) == {"qris": QRIS}
    assert isinstance(info, QRISInfo)
    assert (info.merchant_name, info.nmid, info.amount) == ("TOKO MAJU", "ID1020", None)


def test_qris_info_falls_back_to_get_on_405(httpserver, client: BayarGG, sleeps) -> None:  # type: ignore[no-untyped-def]
    httpserver.expect_request("/api/qris-info.php", method="POST").respond_with_json(
        {"success": False, "error": "Method not allowed"}, status=405
    )
    httpserver.expect_request("/api/qris-info.php", method="GET", query_string={"qris": QRIS}).respond_with_json(
        {"success": True, "merchant_name": "TOKO MAJU", "merchant_city": "JKT"}
    )
    info = client.qris_info(QRIS)
    assert [r.method for r, _ in httpserver.log] == ["POST", "GET"]
    assert info.merchant_city == "JKT"
    assert sleeps.calls == []


def test_qris_info_get_only(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/qris-info.php", method="GET").respond_with_json(
        {"success": True, "data": {"merchant_name": "A"}}
    )
    assert client.qris_info(QRIS, method="GET").merchant_name == "A"
    assert last(httpserver).args["qris"] == QRIS
    with pytest.raises(ValueError):
        client.qris_info(QRIS, method="PUT")


# ----------------------------------------------------------------------------- WA store


def test_wa_store_orders(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/wa-store-orders.php", method="GET").respond_with_json(
        {
            "success": True,
            "data": [
                {"order_number": "WA-001", "status": "paid", "total": "75000"},
                {"order_number": "WA-002", "status": "pending", "total_amount": 12000},
            ],
            "total": 14,
        }
    )
    orders = client.wa_store_orders(status="paid", search="budi", limit=2, offset=4)
    assert last(httpserver).args.to_dict() == {
        "status": "paid",
        "search": "budi",
        "limit": "2",
        "offset": "4",
    }
    assert [(o.order_number, o.total) for o in orders] == [("WA-001", 75000), ("WA-002", 12000)]
    assert (orders.total, orders.limit, orders.offset) == (14, 2, 4)


def test_wa_store_single_order(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/wa-store-orders.php", query_string={"order_number": "WA-9"}).respond_with_json(
        {"success": True, "data": {"order_number": "WA-9", "status": "paid"}}
    )
    orders = client.wa_store_orders(order_number="WA-9")
    assert [o.order_number for o in orders] == ["WA-9"]


def test_wa_store_complete(httpserver, client: BayarGG) -> None:
    httpserver.expect_request("/api/wa-store-complete.php", method="POST").respond_with_json(
        {"success": True, "message": "Order completed"}
    )
    done = client.wa_store_complete("WA-001", status="cancelled", notify=True)
    assert body_of(last(httpserver)) == {
        "order_number": "WA-001",
        "status": "cancelled",
        "notify": True,
    }
    assert (done.order_number, done.status, done.message) == ("WA-001", "cancelled", "Order completed")
    with pytest.raises(ValueError):
        client.wa_store_complete("WA-001", status="refunded")


# ----------------------------------------------------------------------------- setup


def test_api_key_from_environment(httpserver, base_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("BAYARGG_API_KEY", "env_key_123")
    httpserver.expect_request("/api/get-account-status.php").respond_with_json({"success": True})
    with BayarGG(base_url=base_url) as api:
        api.get_account_status()
    assert last(httpserver).headers["X-API-Key"] == "env_key_123"


def test_missing_or_bad_api_key() -> None:
    with pytest.raises(BayarGGError, match="BAYARGG_API_KEY"):
        BayarGG()
    with pytest.raises(BayarGGError) as info:
        BayarGG("line1\nsecretpart")
    assert "secretpart" not in str(info.value)


def test_base_url_must_be_https_except_loopback() -> None:
    with pytest.raises(ValueError, match="https"):
        BayarGG(API_KEY, base_url="http://api.example.com/api")
    assert BayarGG(API_KEY, base_url="https://example.com/api/").base_url == ("https://example.com/api")
    assert BayarGG(API_KEY).base_url == "https://www.bayar.gg/api"


def test_repr_hides_key(client: BayarGG) -> None:
    assert API_KEY not in repr(client)
    assert "hidden" in repr(client)


def test_injected_http_client_is_used_and_left_open(httpserver, base_url: str) -> None:
    httpserver.expect_request("/api/get-account-status.php").respond_with_json({"success": True})
    with httpx.Client(headers={"X-Trace": "abc"}) as http:
        with BayarGG(API_KEY, base_url=base_url, http_client=http) as api:
            api.get_account_status()
        assert not http.is_closed
        assert last(httpserver).headers["X-Trace"] == "abc"
        assert last(httpserver).headers["X-API-Key"] == API_KEY


def test_owned_client_is_closed(base_url: str) -> None:
    api = BayarGG(API_KEY, base_url=base_url)
    with api:
        pass
    assert api._client.is_closed
