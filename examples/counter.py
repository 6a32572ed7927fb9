"""A shop counter: one dynamic QRIS per sale, shown in the terminal and saved as a PNG.

The shop's printed (static) code is parsed once, at start-up; every sale is then a
conversion of that parsed code, which takes well under a microsecond. The sale number goes
into the code as its reference (tag 62.05), so the payment can be matched to the sale.

    python examples/counter.py examples/static-qris.txt                # type amounts; empty line ends
    printf '15000\\n27500\\n' | python examples/counter.py examples/static-qris.txt --out sales

Needs the image extra (pip install "pyqriskit[image]").
"""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

import qriskit


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Show a dynamic QRIS for every sale.")
    parser.add_argument("code", type=Path, help="a text file holding the shop's static QRIS")
    parser.add_argument("--out", type=Path, default=Path("sales"), help="folder for the PNGs (default: sales)")
    today = f"{datetime.date.today():%y%m%d}-"
    parser.add_argument("--prefix", default=today, help="reference prefix (default: today's date)")
    parser.add_argument("--no-terminal-qr", action="store_true", help="do not draw the code in the terminal")
    args = parser.parse_args(argv)

    try:
        code = qriskit.parse(args.code.read_text(encoding="utf-8").strip())  # once, at start-up
    except (OSError, qriskit.QRISError) as exc:
        print(f"cannot use {args.code}: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    print(f"{code.merchant_name}, {code.merchant_city}: ready")

    prompt = "amount (Rp), empty line to close: " if sys.stdin.isatty() else ""
    sales = 0
    while True:
        try:
            amount = input(prompt).strip()
        except EOFError:
            break
        if not amount:
            break
        reference = f"{args.prefix}{sales + 1:04d}"
        try:
            payload = code.to_dynamic(amount, reference=reference)  # per sale: the fast path
        except qriskit.QRISError as exc:  # "15.000", "abc", "0": say why, and ask again
            print(f"not sold: {exc}", file=sys.stderr)
            continue
        sales += 1
        png = args.out / f"{reference}.png"
        png.write_bytes(qriskit.encode_image(payload))
        if not args.no_terminal_qr:
            print(qriskit.encode_image(payload, "text"))
        print(f"sale {reference}: Rp {amount}, QR in {png}")
    print(f"closed: {sales} sale(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
