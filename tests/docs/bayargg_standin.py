"""A local stand-in for the BAYAR GG API, for the documentation samples marked
``<!-- network: bayargg -->`` (see docs/CONTRIBUTING-docs.md).

It listens on 127.0.0.1 only and answers like the hosted API, deterministically: invoice
ids count up from ``PAY-DEMO-000001``, every invoice gets the unique code 123, the QRIS of an
invoice is examples/static-qris.txt converted (by qriskit) to its final amount, and the
timestamps are fixed. Nothing else is reached.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import qriskit

API_KEY = "bgg_demo_key_not_secret"
STATIC = (Path(__file__).resolve().parents[2] / "examples" / "static-qris.txt").read_text().strip()
CREATED_AT = "2026-01-05 10:00:00"
EXPIRES_AT = "2026-01-05 10:30:00"
MAX_BODY = 64 * 1024


@dataclass
class State:
    invoices: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        amount = body.get("amount")
        if not isinstance(amount, int) or amount < 1000:
            raise ValueError("amount must be a whole number of rupiah, at least 1000")
        with self.lock:
            invoice_id = f"PAY-DEMO-{len(self.invoices) + 1:06d}"
            final = amount + 123
            invoice = {
                "invoice_id": invoice_id,
                "amount": amount,
                "unique_code": 123,
                "final_amount": final,
                "status": "pending",
                "payment_url": f"https://www.bayar.gg/pay?invoice={invoice_id}",
                "qris_string": qriskit.to_dynamic(STATIC, final),
                "payment_method": body.get("payment_method") or "qris",
                "description": body.get("description"),
                "customer_name": body.get("customer_name"),
                "created_at": CREATED_AT,
                "expires_at": EXPIRES_AT,
            }
            self.invoices[invoice_id] = invoice
            return invoice

    def pay(self, invoice_id: str) -> None:
        """Mark an invoice paid, as if the customer had scanned its code."""
        with self.lock:
            invoice = self.invoices[invoice_id]
            invoice.update(status="paid", paid_amount=invoice["final_amount"], paid_at="2026-01-05 10:03:12")


class Handler(BaseHTTPRequestHandler):
    server: StandIn

    def log_message(self, format: str, *args: Any) -> None:  # quiet
        pass

    def reply(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def fail(self, status: int, message: str) -> None:
        self.reply(status, {"success": False, "error": message})

    def body(self) -> dict[str, Any]:
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            raise ValueError("request body too large")
        data = json.loads(self.rfile.read(length) or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the body is not a JSON object")
        return data

    def route(self, method: str) -> None:
        url = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if self.headers.get("X-API-Key") != API_KEY:
            return self.fail(401, "invalid or missing API key")
        state = self.server.state
        try:
            body = self.body() if method == "POST" else query
            match (method, url.path):
                case ("POST", "/api/create-payment.php"):
                    return self.reply(200, {"success": True, "data": state.create(body)})
                case ("GET", "/api/check-payment.php"):
                    invoice = state.invoices.get(query.get("invoice", ""))
                    if invoice is None:
                        return self.fail(404, "invoice not found")
                    return self.reply(200, {"success": True, "data": invoice})
                case ("GET", "/api/list-payments.php"):
                    return self.reply(200, self.list_payments(query))
                case ("POST", "/api/qris-convert.php"):
                    converted = qriskit.to_dynamic(body["qris"], body["nominal"])
                    code = qriskit.parse(body["qris"])
                    return self.reply(200, {"success": True, "data": {
                        "original_qris": body["qris"], "converted_qris": converted, "nominal": body["nominal"],
                        "merchant_name": code.merchant_name, "merchant_city": code.merchant_city}})
                case (_, "/api/qris-info.php"):
                    code = qriskit.parse(body["qris"])
                    return self.reply(200, {"success": True, "data": {
                        "merchant_name": code.merchant_name, "merchant_city": code.merchant_city,
                        "nmid": code.nmid, "is_dynamic": code.is_dynamic}})
            return self.fail(404, f"no such endpoint: {method} {url.path}")
        except (KeyError, ValueError, TypeError) as exc:  # QRISError is a ValueError
            return self.fail(400, str(exc))

    def list_payments(self, query: dict[str, str]) -> dict[str, Any]:
        items = list(self.server.state.invoices.values())
        if "search" in query:
            items = [p for p in items if query["search"] in (p.get("description") or "") + p["invoice_id"]]
        if "status" in query:
            items = [p for p in items if p["status"] == query["status"]]
        page, limit = int(query.get("page", 1)), int(query.get("limit", 20))
        total_pages = max(1, -(-len(items) // limit))
        chunk = items[(page - 1) * limit : page * limit]
        pagination = {"page": page, "limit": limit, "total": len(items), "total_pages": total_pages}
        return {"success": True, "data": {"payments": chunk, "pagination": pagination}}

    def do_GET(self) -> None:
        self.route("GET")

    def do_POST(self) -> None:
        self.route("POST")


class StandIn(ThreadingHTTPServer):
    """The server; ``base_url`` is what ``BayarGG(base_url=...)`` (or BAYARGG_BASE_URL) takes."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.state = State()
        self.thread = threading.Thread(target=self.serve_forever, name="bayargg-standin", daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/api"

    def __enter__(self) -> StandIn:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)
