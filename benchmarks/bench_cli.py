"""CLI benchmark: ``qriskit batch`` run as a real command on a generated amounts file.

    python benchmarks/bench_cli.py [--quick]

``run(quick) -> list[dict]`` is the suite runner's entry point (one dict per case: group
"cli-batch", case, median_s / min_s / max_s in seconds per ROW, baseline, extra with
``rows_per_s`` and ``rows``).  Each case runs ``python -m qriskit batch ...`` in a
subprocess on 100,000 rows (20,000 with ``--quick``) writing to a file, so the figures
include the interpreter start (``extra["startup_s"]`` says how much: ``qriskit --version``).
The output of every case is checked once (row count; amount and CRC of a few rows,
recomputed with ``binascii.crc_hqx``).  Nothing here asserts on time; the goal for
payload-only CSV output is over 200,000 rows/s.
"""

from __future__ import annotations

import binascii
import csv
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROUP = "cli-batch"
BASELINE = "batch csv payload-only"

_BODY = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200176114730303UMI5204541153033605802ID"
    "5914Toko Sejahtera6007Jakarta61051234062070703A01"
)


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


STATIC = _with_crc(_BODY)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "qriskit", *args]


def _amount(i: int) -> str:
    return f"{1000 + i * 7 % 9_000_000}" if i % 4 else f"{1000 + i}.{i % 100:02d}"


def _write_inputs(folder: Path, rows: int) -> dict[str, Path]:
    paths = {
        "amounts": folder / "amounts.txt",
        "refs": folder / "amounts-refs.csv",
        "codes": folder / "codes.csv",
    }
    with open(paths["amounts"], "w") as fh:
        fh.writelines(f"{_amount(i)}\n" for i in range(rows))
    with open(paths["refs"], "w") as fh:
        fh.write("amount,reference\n")
        fh.writelines(f"{_amount(i)},INV-{i}\n" for i in range(rows))
    with open(paths["codes"], "w") as fh:
        fh.write("payload,amount\n")
        fh.writelines(f"{STATIC},{_amount(i)}\n" for i in range(rows))
    return paths


def _cases(paths: dict[str, Path], out: Path) -> list[tuple[str, list[str], str]]:
    """(case name, command arguments, output format)."""
    return [
        (BASELINE, ["batch", STATIC, str(paths["amounts"]), "-o", str(out / "out.csv"), "-q"], "csv"),
        ("batch jsonl", ["batch", STATIC, str(paths["amounts"]), "-o", str(out / "out.jsonl"), "-q"], "jsonl"),
        ("batch csv + reference column", ["batch", STATIC, str(paths["refs"]), "-o", str(out / "refs.csv"), "-q"],
         "csv"),
        ("batch --codes csv", ["batch", "--codes", str(paths["codes"]), "-o", str(out / "codes.csv"), "-q"], "csv"),
    ]


def _check(path: Path, fmt: str, rows: int) -> None:
    """Row count, and amount + CRC of a few rows, recomputed independently."""
    with open(path, encoding="utf-8", newline="") as fh:
        if fmt == "csv":
            records = list(csv.DictReader(fh))
        else:
            records = [json.loads(line) for line in fh]
    if len(records) != rows:
        raise AssertionError(f"{path.name}: {len(records)} rows, expected {rows}")
    for i in sorted({0, 1, 3, rows // 2, rows - 1}):
        rec = records[i]
        payload, amount = rec["payload"], rec["amount"]
        if amount != _amount(i):
            raise AssertionError(f"{path.name} row {i}: amount {amount!r}, expected {_amount(i)!r}")
        if payload != _with_crc(payload[:-8]):
            raise AssertionError(f"{path.name} row {i}: bad CRC in {payload!r}")
        tag54 = f"54{len(amount):02d}{amount}"
        if tag54 not in payload or "010212" not in payload[:12]:
            raise AssertionError(f"{path.name} row {i}: not a dynamic code for {amount}: {payload!r}")


def _time(args: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(_command(*args), env=_env(), capture_output=True)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"qriskit {' '.join(args[:1])} failed ({proc.returncode}): {proc.stderr.decode()}")
    return elapsed


def run(quick: bool) -> list[dict[str, Any]]:
    """All CLI batch cases (see the module docstring)."""
    rows = 20_000 if quick else 100_000
    repeats = 3 if quick else 5
    results = []
    with tempfile.TemporaryDirectory(prefix="qriskit-bench-cli-") as tmp:
        folder = Path(tmp)
        paths = _write_inputs(folder, rows)
        _time(["--version"])  # warm the file cache
        startup = min(_time(["--version"]) for _ in range(5))
        for case, args, fmt in _cases(paths, folder):
            times = [_time(args) for _ in range(repeats)]
            _check(Path(args[args.index("-o") + 1]), fmt, rows)
            median = statistics.median(times)
            results.append({
                "group": GROUP,
                "case": case,
                "median_s": median / rows,
                "min_s": min(times) / rows,
                "max_s": max(times) / rows,
                "baseline": None if case == BASELINE else BASELINE,
                "extra": {
                    "rows_per_s": round(rows / median),
                    "rows": rows,
                    "wall_s": round(median, 4),
                    "startup_s": round(startup, 4),
                    "rows_per_s_after_startup": round(rows / (median - startup)) if median > 1.2 * startup else None,
                },
            })
    return results


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="20,000 rows and fewer repeats")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(args.quick)
    print(f"{'case':32} {'us/row':>8} {'rows/s':>10} {'wall':>8}  (startup {rows[0]['extra']['startup_s']:.3f} s)")
    for r in rows:
        e = r["extra"]
        after = e["rows_per_s_after_startup"]
        after_text = f"; {after:,} rows/s after startup" if after else ""
        print(f"{r['case']:32} {r['median_s'] * 1e6:8.2f} {e['rows_per_s']:>10,} {e['wall_s']:7.3f}s"
              f"  ({e['rows']:,} rows{after_text})")
    print(f"total {time.perf_counter() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
