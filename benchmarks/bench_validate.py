"""Benchmark: parse + field access, and validate(), native twin vs pure twin, in one run.

Suite contract: ``run(quick) -> list[dict]`` with group, case, median_s, min_s, max_s (seconds
per operation) and baseline (the case compared against). Standalone:
``python benchmarks/bench_validate.py [--quick]`` prints a table. The goal: ``validate`` under
5 us on a typical ~200-character QRIS with the native twin. The payload, the twins and the
timing are the core benchmark's (``bench_core``, ``harness``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

try:
    from . import bench_core, harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_core  # type: ignore[no-redef]
    import harness  # type: ignore[no-redef]

from qriskit import validation

PAYLOAD = bench_core.PAYLOAD
NAMES = {bench_core.NATIVE: "native", bench_core.PURE: "pure"}
GOAL_S = 5e-6


def _check(kernel: Any, cls: type) -> None:
    """Refuse to time a wrong answer."""
    report = validation.check(PAYLOAD, "qris", cls)
    if not report.ok or report.problems:
        raise AssertionError(f"validate flags the clean typical code: {report.problems}")
    if "crc.mismatch" not in validation.check(PAYLOAD[:-4] + "0000", "qris", cls).codes:
        raise AssertionError("validate misses a CRC mismatch")
    code = cls(PAYLOAD)
    if (code.merchant_name, code.nmid, code.accounts[0].acquirer) != ("Toko Sejahtera", "ID1020017611473", "DANA"):
        raise AssertionError("parse gives wrong fields")


def _parse_fields(cls: type) -> Any:
    def parse_fields() -> Any:
        code = cls(PAYLOAD)
        return code.merchant_name, code.amount, code.nmid, code.accounts[0].acquirer, code.criteria

    return parse_fields


def _validate(cls: type) -> Any:
    return lambda: validation.check(PAYLOAD, "qris", cls)


def run(quick: bool = False) -> list[dict]:
    twins = {NAMES[name]: pair for name, pair in bench_core.twins().items()}
    for kernel, cls in twins.values():
        _check(kernel, cls)
    rows = []
    for group, make, extra in (
        ("parse+fields", lambda k, c: _parse_fields(c), {"chars": len(PAYLOAD)}),
        ("validate", lambda k, c: _validate(c), {"chars": len(PAYLOAD), "goal_s": GOAL_S}),
    ):
        cases = [harness.Case(name, make(kernel, cls)) for name, (kernel, cls) in twins.items()]
        results = harness.measure_group(cases, **bench_core.settings(quick))
        for name in twins:
            rows.append(harness.row(group, name, results[name], "pure" if name != "pure" else None, extra))
    return rows


def main(argv: list[str]) -> int:
    rows = run("--quick" in argv)
    by = {(r["group"], r["case"]): r for r in rows}
    print(f"{'group':<14}{'case':<8}{'median':>10}{'min':>10}{'max':>10}  vs baseline")
    for r in rows:
        ratio = ""
        if r["baseline"]:
            ratio = f"{by[(r['group'], r['baseline'])]['median_s'] / r['median_s']:.1f}x faster than {r['baseline']}"
        times = "".join(f"{harness.fmt_time(r[k]):>10}" for k in ("median_s", "min_s", "max_s"))
        print(f"{r['group']:<14}{r['case']:<8}{times}  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
