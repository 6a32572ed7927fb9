"""The paths around the plain conversion, each beside its own floor (issue 14's goals).

    python -m benchmarks --only paths [--quick]

Every case is checked once against the pure twin's output before it is timed, and the cases
of a group are timed side by side (round-robin, ``harness.py``). A row's ratio is to its
group's floor; ``goal`` says what the ratio should be and whether this run meets it.

* ``reference``: ``to_dynamic(P, a, reference=r)`` against the plain one-shot conversion
  (goal: at most 2x), and ``code.to_dynamic(a, None, r)`` against ``code.to_dynamic(a)``
  (goal: at most 4x); ``code.to_dynamic_many(A, None, R)`` (a reference per amount) against
  ``code.to_dynamic_many(A)``, for information (the CLI batch's reference path).
* ``Decimal amount``: ``code.to_dynamic(Decimal)`` against an int amount (goal: at most 2x).
* ``non-ASCII code``: a merchant name with "é": one-shot, parsed and ``to_dynamic_many``
  against the same code in ASCII (goal: at most 1.3x each).
"""

from __future__ import annotations

import statistics
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

try:
    from . import bench_core, harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_core  # type: ignore[no-redef]
    import harness  # type: ignore[no-redef]

Case = harness.Case
PAYLOAD = bench_core.PAYLOAD
#: The same code with an accented merchant name (so: UTF-8 wider than its characters).
WIDE = bench_core._with_crc(PAYLOAD[:-8].replace("5914Toko Sejahtera", "5914Toko Séjahtera"))
REFERENCE = "INV-2026-000042"
AMOUNT = 25000
BATCH = [10_000 + 37 * i for i in range(1000)]
REFERENCES = [f"INV-{i:06d}" for i in range(len(BATCH))]


def _ratio(results: dict[str, harness.Result], case: str, floor: str) -> float:
    a, b = results[case].samples, results[floor].samples
    return statistics.median(x / y for x, y in zip(a, b))


def _goal(ratio: float, most: float) -> str:
    return f"at most {most:g}x the floor: this run {ratio:.2f}x ({'meets' if ratio <= most else 'misses'} it)"


def _group(group: str, cases: list[Case], floors: dict[str, tuple[str, float]], quick: bool,  # 0: no goal
           extra: dict[str, Any] | None = None) -> list[dict]:
    results = harness.measure_group(cases, **bench_core.settings(quick))
    rows = []
    for case in cases:
        floor = floors.get(case.name)
        ex = dict(extra or {})
        if floor and floor[1]:
            ex["goal"] = _goal(_ratio(results, case.name, floor[0]), floor[1])
        rows.append(harness.row(group, case.name, results[case.name], floor[0] if floor else None, ex))
    return rows


def _same(native: Any, pure: Any, what: str) -> None:
    if native != pure:
        raise AssertionError(f"{what}: the native twin's output differs from the pure twin's")


def run(quick: bool = False) -> list[dict]:
    twins = bench_core.twins()
    if bench_core.NATIVE not in twins:
        return [{"group": "reference", "case": "native twin", "median_s": None, "min_s": None, "max_s": None,
                 "baseline": None, "extra": {}, "skipped": "qriskit._codec_c is not built"}]
    native, cls = twins[bench_core.NATIVE]
    pure, pure_cls = twins[bench_core.PURE]
    code, wide = cls(PAYLOAD), cls(WIDE)
    pcode = pure_cls(PAYLOAD)
    _same(native.to_dynamic(PAYLOAD, AMOUNT, reference=REFERENCE),
          pure.to_dynamic(PAYLOAD, AMOUNT, reference=REFERENCE), "reference")
    _same(code.to_dynamic(Decimal("25000.50")), pcode.to_dynamic(Decimal("25000.50")), "Decimal")
    _same(wide.to_dynamic_many(BATCH), pure_cls(WIDE).to_dynamic_many(BATCH), "non-ASCII batch")
    _same(code.to_dynamic_many(BATCH, None, REFERENCES), pcode.to_dynamic_many(BATCH, None, REFERENCES),
          "batch with references")
    rows = []
    ns = {"td": native.to_dynamic, "P": PAYLOAD, "W": WIDE, "a": AMOUNT, "r": REFERENCE, "q": code, "w": wide,
          "pq": pcode, "d": Decimal("25000.50"), "s": "25000.50", "A": BATCH, "R": REFERENCES}
    rows += _group("reference", [
        Case("one-shot, plain", "td(P, a)", ns),
        Case("one-shot, reference", "td(P, a, reference=r)", ns),
        Case("parsed, plain", "q.to_dynamic(a)", ns),
        Case("parsed, reference", "q.to_dynamic(a, None, r)", ns),
        Case("parsed, reference (pure twin)", "pq.to_dynamic(a, None, r)", ns),
        Case("to_dynamic_many, plain", "q.to_dynamic_many(A)", ns, ops_per_call=len(BATCH)),
        Case("to_dynamic_many, references", "q.to_dynamic_many(A, None, R)", ns, ops_per_call=len(BATCH)),
    ], {"one-shot, reference": ("one-shot, plain", 2), "parsed, reference": ("parsed, plain", 4),
        "parsed, reference (pure twin)": ("parsed, reference", 0),
        "to_dynamic_many, references": ("to_dynamic_many, plain", 0)}, quick, {"reference": REFERENCE})
    rows += _group("Decimal amount", [
        Case("parsed, int", "q.to_dynamic(a)", ns),
        Case("parsed, Decimal('25000.50')", "q.to_dynamic(d)", ns),
        Case("parsed, str '25000.50'", "q.to_dynamic(s)", ns),
    ], {"parsed, Decimal('25000.50')": ("parsed, int", 2), "parsed, str '25000.50'": ("parsed, int", 2)}, quick)
    rows += _group("non-ASCII code", [
        Case("one-shot, ASCII", "td(P, a)", ns),
        Case("one-shot, non-ASCII", "td(W, a)", ns),
        Case("parsed, ASCII", "q.to_dynamic(a)", ns),
        Case("parsed, non-ASCII", "w.to_dynamic(a)", ns),
        Case("to_dynamic_many, ASCII", "q.to_dynamic_many(A)", ns, ops_per_call=len(BATCH)),
        Case("to_dynamic_many, non-ASCII", "w.to_dynamic_many(A)", ns, ops_per_call=len(BATCH)),
    ], {"one-shot, non-ASCII": ("one-shot, ASCII", 1.3), "parsed, non-ASCII": ("parsed, ASCII", 1.3),
        "to_dynamic_many, non-ASCII": ("to_dynamic_many, ASCII", 1.3)}, quick, {"name": "Toko Séjahtera"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.run import main

    sys.exit(main(["--only", "paths", "--no-peers", *sys.argv[1:]]))
