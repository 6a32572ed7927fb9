"""CLI benchmark: ``qriskit batch`` run as a real command, beside the floors it should approach.

    python benchmarks/bench_cli.py [--quick]
    python -m benchmarks --only cli [--quick]

Every case is a subprocess on the same generated input (200,000 rows; 50,000 with
``--quick``) writing to a file, timed round-robin with the others (``harness.py``: one run of
each per round), so a busy neighbour slows them all alike; a row's ratio is the median of
the per-round ratios to its baseline. Times are seconds per ROW, interpreter start
included; ``goal`` compares the throughput with the start-up of each command taken out
(``qriskit --version`` for the CLI, ``python -c "import csv, qriskit"`` for the hand loop),
which is the stricter reading (a ratio of the medians: start-up is a large share of a
quick run, so its figures are rough). The goals (issue 14):

* ``batch csv + reference + tip`` (an ``amount,reference`` CSV, ``--fee-fixed 1000``): at
  least 70% of the throughput of ``batch csv payload-only`` (amounts alone);
* ``batch --codes csv`` (a payload and an amount per row): at least 90% of the throughput of
  ``hand-written loop (codes)``, the loop a user would write over the library (``csv``
  reader, ``qriskit.to_dynamic`` per row, one f-string write per row).

With pyarrow installed, ``batch parquet + reference + tip`` runs the reference case from a
Parquet file to a Parquet file (through the Arrow kernels), for information; its start-up
also imports pyarrow (and, through ``pyarrow.array``, pandas when it is installed), about
0.2 s more than ``qriskit --version``, which "after start-up" does not take out.

Each output is checked once (row count; amount, tag 54 and CRC of a few rows, recomputed
with ``binascii.crc_hqx``). Nothing here asserts on time.
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
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from . import harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
GROUP = "cli-batch"
PAYLOAD_ONLY = "batch csv payload-only"
WITH_REFERENCE = "batch csv + reference + tip"
PARQUET = "batch parquet + reference + tip"
CODES = "batch --codes csv"
HAND = "hand-written loop (codes)"
CLI_START = "qriskit --version (start-up)"
HAND_START = "python -c 'import csv, qriskit' (start-up)"
FEE = "1000"

_BODY = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200176114730303UMI5204541153033605802ID"
    "5914Toko Sejahtera6007Jakarta61051234062070703A01"
)

HAND_LOOP = """\
import csv, sys, qriskit
with open(sys.argv[1], newline="") as src, open(sys.argv[2], "w") as out:
    rows = csv.reader(src)
    next(rows)
    out.write("amount,payload\\n")
    to_dynamic = qriskit.to_dynamic
    for payload, amount in rows:
        out.write(f"{amount},{to_dynamic(payload, amount)}\\n")
"""


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


STATIC = _with_crc(_BODY)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return env


def _amount(i: int) -> str:
    return f"{1000 + i * 7 % 9_000_000}" if i % 4 else f"{1000 + i}.{i % 100:02d}"


def _write_inputs(folder: Path, rows: int) -> dict[str, Path]:
    paths = {
        "static": folder / "qris.txt",
        "amounts": folder / "amounts.txt",
        "refs": folder / "amounts-refs.csv",
        "codes": folder / "codes.csv",
        "hand": folder / "hand.py",
    }
    paths["static"].write_text(STATIC + "\n")
    paths["hand"].write_text(HAND_LOOP)
    with open(paths["amounts"], "w") as fh:
        fh.writelines(f"{_amount(i)}\n" for i in range(rows))
    with open(paths["refs"], "w") as fh:
        fh.write("amount,reference\n")
        fh.writelines(f"{_amount(i)},INV-{i}\n" for i in range(rows))
    with open(paths["codes"], "w") as fh:
        fh.write("payload,amount\n")
        fh.writelines(f"{STATIC},{_amount(i)}\n" for i in range(rows))
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:  # the Parquet case needs the arrow extra
        return paths
    paths["parquet"] = folder / "amounts-refs.parquet"
    columns = {"amount": [_amount(i) for i in range(rows)], "reference": [f"INV-{i}" for i in range(rows)]}
    pq.write_table(pa.table(columns), paths["parquet"])
    return paths


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "qriskit", *args]


def _cases(p: dict[str, Path], out: Path) -> dict[str, tuple[list[str], Path | None, str, dict[str, str]]]:
    """case -> (command, output file, output format, what to expect beyond the amount)."""
    static = str(p["static"])
    parquet = {PARQUET: (_cli("batch", static, str(p.get("parquet")), "-o", str(out / "r.parquet"), "-q",
                              "--fee-fixed", FEE), out / "r.parquet", "parquet", {"56": FEE, "reference": "yes"})}
    if "parquet" not in p:
        parquet = {}
    return {
        PAYLOAD_ONLY: (_cli("batch", static, str(p["amounts"]), "-o", str(out / "a.csv"), "-q"),
                       out / "a.csv", "csv", {}),
        "batch jsonl payload-only": (_cli("batch", static, str(p["amounts"]), "-o", str(out / "a.jsonl"), "-q"),
                                     out / "a.jsonl", "jsonl", {}),
        WITH_REFERENCE: (_cli("batch", static, str(p["refs"]), "-o", str(out / "r.csv"), "-q", "--fee-fixed", FEE),
                         out / "r.csv", "csv", {"56": FEE, "reference": "yes"}),
        **parquet,
        HAND: ([sys.executable, str(p["hand"]), str(p["codes"]), str(out / "h.csv")], out / "h.csv", "csv", {}),
        CODES: (_cli("batch", "--codes", str(p["codes"]), "-o", str(out / "c.csv"), "-q"), out / "c.csv", "csv", {}),
        CLI_START: (_cli("--version"), None, "", {}),
        HAND_START: ([sys.executable, "-c", "import csv, qriskit"], None, "", {}),
    }


def _fields(payload: str) -> dict[str, str]:
    out, pos = {}, 0
    while pos < len(payload):
        tag, size = payload[pos:pos + 2], int(payload[pos + 2:pos + 4])
        out[tag] = payload[pos + 4:pos + 4 + size]
        pos += 4 + size
    return out


def _check(path: Path, fmt: str, rows: int, expect: dict[str, str]) -> None:
    """Row count; amount, tag 54, CRC (and fee, reference) of a few rows, recomputed here."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        records = pq.read_table(path).to_pylist()
    else:
        with open(path, encoding="utf-8", newline="") as fh:
            records = list(csv.DictReader(fh)) if fmt == "csv" else [json.loads(line) for line in fh]
    if len(records) != rows:
        raise AssertionError(f"{path.name}: {len(records)} rows, expected {rows}")
    for i in sorted({0, 1, 3, rows // 2, rows - 1}):
        rec = records[i]
        payload, amount = rec["payload"], rec["amount"]
        got = _fields(payload)
        if amount != _amount(i) or got.get("54") != amount or got.get("01") != "12":
            raise AssertionError(f"{path.name} row {i}: not a dynamic code for {_amount(i)}: {payload!r}")
        if payload != _with_crc(payload[:-8]):
            raise AssertionError(f"{path.name} row {i}: bad CRC in {payload!r}")
        if "56" in expect and got.get("56") != expect["56"]:
            raise AssertionError(f"{path.name} row {i}: fee {got.get('56')!r}, expected {expect['56']!r}")
        if "reference" in expect and (rec["reference"] != f"INV-{i}" or f"05{len(rec['reference']):02d}"
                                      f"{rec['reference']}" not in got.get("62", "")):
            raise AssertionError(f"{path.name} row {i}: reference INV-{i} missing: {payload!r}")


def _runner(command: list[str]) -> Callable[[], None]:
    env = _env()

    def run() -> None:
        proc = subprocess.run(command, env=env, capture_output=True)
        if proc.returncode != 0:
            raise RuntimeError(f"{command[2:4]} failed ({proc.returncode}): {proc.stderr.decode()[:300]}")

    return run


def _paired(a: list[float], b: list[float]) -> float:
    return statistics.median(x / y for x, y in zip(a, b))


def _goal(share: float, least: float) -> str:
    verdict = "meets" if share >= least else "misses"
    return f"at least {least:.0%} of the baseline's rows/s after start-up: this run {share:.0%} ({verdict} it)"


def run(quick: bool) -> list[dict[str, Any]]:
    """All CLI batch cases (see the module docstring)."""
    rows = 50_000 if quick else 200_000
    repeat = 5 if quick else 9
    with tempfile.TemporaryDirectory(prefix="qriskit-bench-cli-") as tmp:
        folder = Path(tmp)
        paths = _write_inputs(folder, rows)
        cases = _cases(paths, folder)
        for command, output, fmt, expect in cases.values():
            _runner(command)()
            if output is not None:
                _check(output, fmt, rows, expect)
        timed = [harness.Case(name, _runner(command), ops_per_call=1) for name, (command, *_) in cases.items()]
        results = harness.measure_group(timed, repeat=repeat, target=0.0)
    wall = {name: r.samples for name, r in results.items()}

    def work(name: str) -> list[float]:  # per round: the command minus its start-up
        start = wall[HAND_START] if name == HAND else wall[CLI_START]
        return [max(1e-9, t - s) for t, s in zip(wall[name], start)]

    goals = {WITH_REFERENCE: (PAYLOAD_ONLY, 0.70), CODES: (HAND, 0.90)}
    baselines = {WITH_REFERENCE: PAYLOAD_ONLY, PARQUET: PAYLOAD_ONLY, "batch jsonl payload-only": PAYLOAD_ONLY,
                 CODES: HAND}
    out = []
    for name, result in results.items():
        startup = name in (CLI_START, HAND_START)
        per = 1 if startup else rows
        extra: dict[str, Any] = {"rows": None if startup else rows, "wall_s": round(result.median_s, 4)}
        if not startup:
            extra["rows_per_s"] = round(rows / result.median_s)
            extra["rows_after_start_up_per_s"] = round(rows / statistics.median(work(name)))
        if name in goals:
            base, least = goals[name]
            extra["goal"] = _goal(statistics.median(work(base)) / statistics.median(work(name)), least)
            extra["share_of_baseline_whole_command"] = f"{_paired(wall[base], wall[name]):.0%}"
        samples = [s / per for s in result.samples]
        row = harness.row(GROUP, name, samples, baselines.get(name), extra)
        row.update(samples=samples, series=result.series)
        out.append(row)
    return out


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="50,000 rows and fewer repeats")
    args = ap.parse_args(argv)
    rows = run(args.quick)
    print(f"{'case':44} {'us/row':>8} {'rows/s':>10} {'after start-up':>15}  goal")
    for r in rows:
        e = r["extra"]
        if e.get("rows") is None:
            print(f"{r['case']:44} {'':>8} {'':>10} {'':>15}  start-up {e['wall_s']:.3f} s")
            continue
        print(f"{r['case']:44} {r['median_s'] * 1e6:8.2f} {e['rows_per_s']:>10,} "
              f"{e['rows_after_start_up_per_s']:>15,}  {e.get('goal', '')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
