"""Benchmark: parse + field access, and validate(), native twin vs pure twin, in one run.

Suite contract: ``run(quick) -> list[dict]`` with group, case, median_s, min_s, max_s (seconds
per operation) and baseline (the case compared against). Standalone:
``python benchmarks/bench_validate.py [--quick]`` prints a table. The goal: ``validate`` under
5 us on a typical ~200-character QRIS with the native twin.
"""

from __future__ import annotations

import importlib
import statistics
import sys
import time
from binascii import crc_hqx
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from qriskit.model import qris_class
from qriskit.validate import validate


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _typical() -> str:
    """A typical static QRIS: DANA account, national template 51, postal code, 62.07."""
    account = _tlv("00", "ID.DANA.WWW") + _tlv("01", "936009153022591480") + _tlv("02", "022591480") + _tlv(
        "03", "UMI")
    national = _tlv("00", "ID.CO.QRIS.WWW") + _tlv("02", "ID1020017611473") + _tlv("03", "UMI")
    body = "".join(_tlv(t, v) for t, v in (
        ("00", "01"), ("01", "11"), ("26", account), ("51", national), ("52", "5411"), ("53", "360"),
        ("58", "ID"), ("59", "Toko Sejahtera"), ("60", "Jakarta"), ("61", "12340"), ("62", _tlv("07", "A01")),
    )) + "6304"
    return body + f"{crc_hqx(body.encode(), 0xFFFF):04X}"


PAYLOAD = _typical()


def _kernels() -> dict[str, Any]:
    out = {}
    try:
        out["native"] = importlib.import_module("qriskit._native")
    except ImportError:
        pass
    out["pure"] = importlib.import_module("qriskit._core")
    return out


def _time(fn: Any, quick: bool) -> dict[str, float]:
    """Seconds per call: ``repeats`` samples of ``number`` calls each, number sized to ~20 ms."""
    number = 1
    while True:
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        elapsed = time.perf_counter() - t0
        if elapsed > 0.02:
            break
        number *= 2
    samples = []
    for _ in range(5 if quick else 15):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        samples.append((time.perf_counter() - t0) / number)
    return {"median_s": statistics.median(samples), "min_s": min(samples), "max_s": max(samples)}


def _check(kernel: Any) -> None:
    """Refuse to time a wrong answer."""
    report = validate(PAYLOAD, _kernel=kernel)
    if not report.ok or report.problems:
        raise AssertionError(f"validate flags the clean typical code: {report.problems}")
    bad = validate(PAYLOAD[:-4] + "0000", _kernel=kernel)
    if "crc.mismatch" not in bad.codes:
        raise AssertionError("validate misses a CRC mismatch")
    code = qris_class(kernel)(PAYLOAD)
    if (code.merchant_name, code.nmid, code.accounts[0].acquirer) != ("Toko Sejahtera", "ID1020017611473", "DANA"):
        raise AssertionError("parse gives wrong fields")


def run(quick: bool = False) -> list[dict]:
    kernels = _kernels()
    results = []
    for name, kernel in kernels.items():
        _check(kernel)
        cls = qris_class(kernel)

        def parse_fields(cls: Any = cls) -> Any:
            code = cls(PAYLOAD)
            return code.merchant_name, code.amount, code.nmid, code.accounts[0].acquirer, code.criteria

        def check(kernel: Any = kernel) -> Any:
            return validate(PAYLOAD, _kernel=kernel)

        baseline = "pure" if name != "pure" else None
        results.append({"group": "parse+fields", "case": name, **_time(parse_fields, quick), "baseline": baseline,
                        "extra": {"chars": len(PAYLOAD)}})
        results.append({"group": "validate", "case": name, **_time(check, quick), "baseline": baseline,
                        "extra": {"chars": len(PAYLOAD), "goal_s": 5e-6}})
    return results


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    rows = run(quick)
    by = {(r["group"], r["case"]): r for r in rows}
    print(f"{'group':<14}{'case':<8}{'median':>10}{'min':>10}{'max':>10}  vs baseline")
    for r in rows:
        ratio = ""
        if r["baseline"]:
            ratio = f"{by[(r['group'], r['baseline'])]['median_s'] / r['median_s']:.1f}x faster than {r['baseline']}"
        print(f"{r['group']:<14}{r['case']:<8}{r['median_s'] * 1e6:>8.2f}us{r['min_s'] * 1e6:>8.2f}us"
              f"{r['max_s'] * 1e6:>8.2f}us  {ratio}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
