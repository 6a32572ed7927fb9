"""The files in examples/: the sample inputs are what they claim, and every program runs.

The programs run as a user runs them (``python examples/NAME.py ...`` in a fresh folder,
input on stdin); the webhook receiver is driven through Starlette's test client with
deliveries signed as BAYAR GG signs them.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import sqlite3
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

import qriskit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
STATIC = (EXAMPLES / "static-qris.txt").read_text().strip()


def run(program: str, *args: str, cwd: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(EXAMPLES / program), *args],
        cwd=cwd, input=stdin, capture_output=True, text=True, timeout=120,
    )


# --- sample inputs ------------------------------------------------------------------------


def test_static_code_is_valid_and_static():
    report = qriskit.validate(STATIC)
    assert report.ok and not report.warnings, [str(p) for p in report.problems]
    assert not qriskit.parse(STATIC).is_dynamic


@pytest.mark.parametrize("name", ["static-qris.png", "static-qris.jpg"])
def test_photos_show_the_static_code(name):
    assert qriskit.decode_image(EXAMPLES / name) == STATIC


@pytest.mark.parametrize("name", ["static-qris.png", "static-qris.jpg"])
def test_photos_are_photo_like(name):
    """Not a clean render: colour, many shades, and a tilted code (no exact 1-bit image)."""
    import numpy as np
    from PIL import Image

    with Image.open(EXAMPLES / name) as img:
        rgb = np.asarray(img.convert("RGB"))
    assert rgb.shape == (600, 800, 3)
    assert len(np.unique(rgb.reshape(-1, 3), axis=0)) > 64


def test_damaged_code_is_one_typo_away():
    damaged = (EXAMPLES / "damaged-qris.txt").read_text().strip()
    assert len(damaged) == len(STATIC)
    assert sum(a != b for a, b in zip(damaged, STATIC)) == 1
    report = qriskit.validate(damaged)
    assert [p.code for p in report.errors] == ["crc.mismatch"]
    with pytest.raises(qriskit.CRCError):
        qriskit.parse(damaged)


@pytest.mark.parametrize("name", ["prices.csv", "invoices.csv"])
def test_csv_amounts_convert(name):
    with (EXAMPLES / name).open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) >= 3
    for row in rows:
        assert qriskit.parse(qriskit.to_dynamic(STATIC, row["amount"])).amount == Decimal(row["amount"])


# --- the counter loop ---------------------------------------------------------------------


def test_counter_sells_and_refuses_bad_amounts(tmp_path):
    result = run("counter.py", str(EXAMPLES / "static-qris.txt"), "--prefix", "T-", cwd=tmp_path,
                 stdin="15000\n15.000\n27500.00\n\nnever read\n")
    assert result.returncode == 0, result.stderr
    assert "Toko Sejahtera, Jakarta: ready" in result.stdout
    assert "sale T-0001: Rp 15000, QR in sales/T-0001.png" in result.stdout
    assert "sale T-0002: Rp 27500.00, QR in sales/T-0002.png" in result.stdout
    assert result.stdout.rstrip().endswith("closed: 2 sale(s)")
    assert "▀" in result.stdout  # the terminal QR
    assert result.stderr.startswith("not sold: amount '15.000' looks like fifteen thousand")
    assert sorted(p.name for p in (tmp_path / "sales").iterdir()) == ["T-0001.png", "T-0002.png"]
    for name, amount in [("T-0001", "15000"), ("T-0002", "27500.00")]:
        code = qriskit.parse(qriskit.decode_image(tmp_path / "sales" / f"{name}.png"))
        assert code.amount == Decimal(amount) and code.additional.reference_label == name
        assert code.payload == qriskit.to_dynamic(STATIC, amount, reference=name)


def test_counter_refuses_a_broken_shop_code(tmp_path):
    result = run("counter.py", str(EXAMPLES / "damaged-qris.txt"), cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot use" in result.stderr and "CRC mismatch" in result.stderr


# --- the bulk invoice run -----------------------------------------------------------------


def test_bulk_invoices(tmp_path):
    result = run("bulk_invoices.py", str(EXAMPLES / "static-qris.txt"), str(EXAMPLES / "invoices.csv"),
                 cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "4 invoice(s) written to invoices, 0 refused\n"
    with (tmp_path / "invoices" / "invoices.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    with (EXAMPLES / "invoices.csv").open(newline="") as f:
        source = list(csv.DictReader(f))
    assert [r["customer"] for r in rows] == [r["customer"] for r in source]
    for row in rows:
        expected = qriskit.to_dynamic(STATIC, row["amount"], reference=row["reference"])
        assert row["payload"] == expected
        assert qriskit.decode_image(tmp_path / "invoices" / row["image"]) == expected


def test_bulk_invoices_reports_bad_rows_and_goes_on(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("reference,amount\nA/1,1.250.000\n,5000\nB/2,5000\n")
    result = run("bulk_invoices.py", str(EXAMPLES / "static-qris.txt"), str(bad), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0].startswith("line 2: A/1: amount '1.250.000' looks like")
    assert result.stderr.splitlines()[1] == "line 3: ?: no reference"
    assert (tmp_path / "invoices" / "B_2.png").exists()


def test_bulk_invoices_needs_its_columns(tmp_path):
    result = run("bulk_invoices.py", str(EXAMPLES / "static-qris.txt"), str(EXAMPLES / "prices.csv"),
                 cwd=tmp_path)
    assert result.returncode == 2 and "needs the columns reference and amount" in result.stderr


# --- the webhook receiver -----------------------------------------------------------------

SECRET = "whsec_example_secret"


@pytest.fixture
def receiver(tmp_path):
    from starlette.testclient import TestClient

    spec = importlib.util.spec_from_file_location("webhook_receiver", EXAMPLES / "webhook_receiver.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    db = tmp_path / "payments.sqlite3"
    with TestClient(module.create_app(SECRET, db)) as client:
        yield client, db, module


def deliver(client, invoice="PAY-1", status="paid", amount="25123.00", *, stamp=None, secret=SECRET, body=None):
    from qriskit.api import sign_webhook

    stamp = int(time.time()) if stamp is None else stamp
    if body is None:
        body = (f'{{"event": "payment.paid", "invoice_id": "{invoice}", "status": "{status}", '
                f'"final_amount": {amount}, "payment_method": "gopay_qris"}}').encode()
    headers = {
        "X-Webhook-Signature": sign_webhook(invoice, status, amount, stamp, secret),
        "X-Webhook-Timestamp": str(stamp),
        "X-Webhook-Event": "payment.paid",
        "X-Invoice-ID": invoice,
        "Content-Type": "application/json",
    }
    return client.post("/hooks/bayargg", content=body, headers=headers)


def rows(db):
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT invoice_id, final_amount, method FROM payments ORDER BY invoice_id").fetchall()


def test_webhook_records_a_payment_once(receiver):
    client, db, module = receiver
    first = deliver(client)
    assert first.status_code == 200 and first.json() == {"ok": True, "invoice_id": "PAY-1", "duplicate": False}
    again = deliver(client)  # BAYAR GG delivers again: same answer, no second row
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert rows(db) == [("PAY-1", "25123.00", "gopay_qris")]  # exact text, never a float
    assert json.loads(module.payments(db)[0]["body"])["invoice_id"] == "PAY-1"


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"secret": "whsec_someone_else"}, "bad_signature"),
        ({"stamp": int(time.time()) - 3600}, "stale"),
        ({"body": b"not json"}, "malformed"),
    ],
)
def test_webhook_refuses_bad_deliveries(receiver, kwargs, reason):
    client, db, _ = receiver
    response = deliver(client, **kwargs)
    assert response.status_code == 400 and response.json() == {"error": reason}
    assert rows(db) == []


def test_webhook_refuses_an_oversized_body(receiver):
    client, db, module = receiver
    response = deliver(client, body=b"{" + b" " * module.MAX_BODY + b"}")
    assert response.status_code == 413 and rows(db) == []


def test_webhook_ignores_unpaid_events(receiver):
    client, db, _ = receiver
    response = deliver(client, status="expired")
    assert response.json() == {"ok": True, "ignored": "expired"} and rows(db) == []


def test_webhook_receiver_needs_its_secret(tmp_path):
    env_free = subprocess.run(
        [sys.executable, str(EXAMPLES / "webhook_receiver.py")], cwd=tmp_path, capture_output=True, text=True,
        timeout=60, env={"PATH": "/usr/bin:/bin"},
    )
    assert env_free.returncode == 2 and "BAYARGG_WEBHOOK_SECRET" in env_free.stderr
