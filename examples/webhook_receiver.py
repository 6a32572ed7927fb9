"""Receive BAYAR GG payment webhooks: verify each delivery, record each paid invoice once.

* The signature (HMAC-SHA256 with your webhook secret) and the timestamp are checked on the
  raw body by ``qriskit.api.verify_webhook``; a bad delivery gets 400 and is not recorded.
* Payments go into SQLite keyed by invoice id, so a delivery sent again (BAYAR GG retries
  until it gets a 2xx) is answered 200 and recorded once. Amounts are stored as the exact
  text that was signed, never as floats.
* Bodies over 64 KiB are refused (413) before they are read whole.

Run it (uvicorn comes with the server extra, or pip install uvicorn):

    pip install "pyqriskit[api]" starlette uvicorn
    BAYARGG_WEBHOOK_SECRET=whsec_... python examples/webhook_receiver.py --db payments.sqlite3 --port 8000

Or mount ``create_app(secret, db_path)`` in your own ASGI application.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from qriskit.api import SignatureVerificationError, WebhookEvent, verify_webhook

MAX_BODY = 64 * 1024
SCHEMA = """
CREATE TABLE IF NOT EXISTS payments (
    invoice_id   TEXT PRIMARY KEY,
    final_amount TEXT NOT NULL,      -- exact decimal text, as signed
    paid_at      TEXT,
    method       TEXT,
    received_at  INTEGER NOT NULL,   -- unix seconds
    body         TEXT NOT NULL       -- the delivery as received, for audits
)
"""


class TooLarge(Exception):
    pass


async def read_body(request: Request) -> bytes:
    """The raw body, refusing more than MAX_BODY bytes whatever Content-Length says."""
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            raise TooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def record(db_path: Path, event: WebhookEvent, body: bytes) -> bool:
    """Insert the payment; False when this invoice was already recorded (a repeat delivery)."""
    with closing(sqlite3.connect(db_path, timeout=10)) as db, db:  # one transaction
        cursor = db.execute(
            "INSERT INTO payments VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (invoice_id) DO NOTHING",
            (
                event.invoice_id,
                str(event.final_amount),
                event.paid_at.isoformat() if event.paid_at else None,
                event.payment_method,
                int(time.time()),
                body.decode("utf-8"),
            ),
        )
        return cursor.rowcount == 1


def create_app(secret: str, db_path: str | Path) -> Starlette:
    """The receiver as an ASGI app: POST /hooks/bayargg."""
    db_path = Path(db_path)
    with closing(sqlite3.connect(db_path)) as db:
        db.execute(SCHEMA)

    async def hook(request: Request) -> JSONResponse:
        try:
            body = await read_body(request)
        except TooLarge:
            return JSONResponse({"error": "too_large"}, status_code=413)
        try:
            event = verify_webhook(body, request.headers, secret)  # raw body, not re-serialised JSON
        except SignatureVerificationError as exc:
            return JSONResponse({"error": exc.reason}, status_code=400)
        if not event.is_paid:
            return JSONResponse({"ok": True, "ignored": event.status})
        new = await run_in_threadpool(record, db_path, event, body)
        return JSONResponse({"ok": True, "invoice_id": event.invoice_id, "duplicate": not new})

    return Starlette(routes=[Route("/hooks/bayargg", hook, methods=["POST"])])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Receive BAYAR GG webhooks into SQLite.")
    parser.add_argument("--db", default="payments.sqlite3", help="SQLite file (default: payments.sqlite3)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    secret = os.environ.get("BAYARGG_WEBHOOK_SECRET")
    if not secret:
        print("set BAYARGG_WEBHOOK_SECRET to your webhook secret (whsec_...)", file=sys.stderr)
        return 2
    try:
        import uvicorn
    except ImportError:
        print('uvicorn is not installed: pip install uvicorn (or "pyqriskit[server]")', file=sys.stderr)
        return 2
    uvicorn.run(create_app(secret, args.db), host=args.host, port=args.port)
    return 0


def payments(db_path: str | Path) -> list[dict[str, object]]:
    """The recorded payments, oldest first."""
    with closing(sqlite3.connect(db_path)) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM payments ORDER BY received_at")]


if __name__ == "__main__":
    sys.exit(main())

