"""Month-end invoicing: one dynamic QRIS per invoice, as a PNG and in a CSV for mail merge.

Each code carries the invoice number as its reference (tag 62.05), so a payment can be
matched to its invoice. The shop's static code is parsed once; a bad row (an amount like
"1.250.000", a missing reference) is reported with its line number and the run goes on.

    python examples/bulk_invoices.py examples/static-qris.txt examples/invoices.csv --out invoices

The invoices CSV needs the columns ``reference`` and ``amount``; other columns (customer,
e-mail, ...) are copied to ``invoices/invoices.csv`` with ``payload`` and ``image`` added.
Exit status: 0 when every invoice got its code, 1 when some rows were refused, 2 when the
inputs cannot be used. Needs the image extra (pip install "pyqriskit[image]").
"""

from __future__ import annotations

import argparse
import csv
import re
import sys
from pathlib import Path

import qriskit


def safe_name(reference: str) -> str:
    """A file name from an invoice number (which may hold '/', spaces, ...)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", reference)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="One dynamic QRIS per invoice.")
    parser.add_argument("code", type=Path, help="a text file holding the shop's static QRIS")
    parser.add_argument("invoices", type=Path, help="CSV with the columns reference and amount")
    parser.add_argument("--out", type=Path, default=Path("invoices"), help="output folder (default: invoices)")
    args = parser.parse_args(argv)

    try:
        code = qriskit.parse(args.code.read_text(encoding="utf-8").strip())
        rows = list(csv.DictReader(args.invoices.open(encoding="utf-8-sig", newline="")))
    except (OSError, UnicodeDecodeError, qriskit.QRISError) as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 2
    columns = list(rows[0]) if rows else []
    if not {"reference", "amount"} <= set(columns):
        print(f"{args.invoices}: needs the columns reference and amount, has {columns}", file=sys.stderr)
        return 2

    args.out.mkdir(parents=True, exist_ok=True)
    written = refused = 0
    with (args.out / "invoices.csv").open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, [*columns, "payload", "image"])
        writer.writeheader()
        for line, row in enumerate(rows, start=2):  # line 1 is the header
            reference, amount = (row["reference"] or "").strip(), (row["amount"] or "").strip()
            try:
                if not reference:
                    raise ValueError("no reference")
                payload = code.to_dynamic(amount, reference=reference)
            except (ValueError, TypeError) as exc:  # QRISError is a ValueError
                print(f"line {line}: {reference or '?'}: {exc}", file=sys.stderr)
                refused += 1
                continue
            image = args.out / f"{safe_name(reference)}.png"
            image.write_bytes(qriskit.encode_image(payload))
            writer.writerow({**row, "payload": payload, "image": image.name})
            written += 1
    print(f"{written} invoice(s) written to {args.out}, {refused} refused")
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
