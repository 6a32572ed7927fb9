"""Benchmark: parse + field access, ``validate`` and ``info``, native twin vs pure twin, in one run.

    python -m benchmarks --only validate [--quick]

Suite contract: ``run(quick) -> list[dict]`` with group, case, median_s, min_s, max_s (seconds
per operation), baseline (the case compared against) and extra. Every case is checked once
before it is timed (a clean code gives no problem, a damaged one its problem, the summary
its fields); the cases of a group are timed side by side (round-robin, ``harness.py``), on
the core benchmark's typical 199-character code (``bench_core.PAYLOAD``) and on a longer
clean one (``LONG``). Issue 14's goals, each row's ``goal`` saying whether this run meets it:

* ``validate`` on the native twin: at most 2 us plus 5 ns per character of the code
  (about 3 us for the typical code). The only absolute goal here: a time per character.
* ``info`` on the native twin: at most 3x ``validate`` on the native twin (the median of
  the per-round ratios, both timed in the same rounds).
* ``info`` on the pure twin: faster than the PyPI package qriskit 0.2.0's
  ``parse(payload).to_dict()`` (an unrelated pure-Python project of the same name), timed
  in its own virtual environment by ``peers.py`` in this run. Offline, that row is skipped.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path
from typing import Any

try:
    from . import bench_core, harness, peers
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_core  # type: ignore[no-redef]
    import harness  # type: ignore[no-redef]
    import peers  # type: ignore[no-redef]

from qriskit import summary, validation

Case = harness.Case
PAYLOAD = bench_core.PAYLOAD
_tlv = bench_core._tlv
#: A longer clean QRIS (340 characters): the typical code with a fuller 62, a 64 and an 80.
LONG = bench_core._with_crc(
    PAYLOAD[:-8].replace(
        _tlv("62", _tlv("07", "A01")),
        _tlv("62", _tlv("01", "INV-2026-000042") + _tlv("05", "REF-77812") + _tlv("07", "A01")
             + _tlv("08", "Pembayaran belanja")) + _tlv("64", _tlv("00", "ZH") + _tlv("01", "Toko Sejahtera Jaya")
                                                        + _tlv("02", "Jakarta Pusat"))
        + _tlv("80", _tlv("00", "COM.EXAMPLE.WWW") + _tlv("01", "cashier-07")),
    )
)
NATIVE, PURE = "native", "pure"
NAMES = {bench_core.NATIVE: NATIVE, bench_core.PURE: PURE}
#: validate: at most FIXED_S plus PER_CHAR_S per character (native twin)
FIXED_S, PER_CHAR_S = 2e-6, 5e-9
#: info: at most INFO_FACTOR times validate (native twin)
INFO_FACTOR = 3.0
PEER = next(p for p in peers.PEERS if p.requirement == "qriskit==0.2.0")
PEER_CASE = "peer qriskit==0.2.0 parse().to_dict()"


def _check(cls: type) -> None:
    """Refuse to time a wrong answer."""
    for payload in (PAYLOAD, LONG):
        report = validation.check(payload, "qris", cls)
        if not report.ok or report.problems:
            raise AssertionError(f"validate flags a clean code: {report.problems}")
    if "crc.mismatch" not in validation.check(PAYLOAD[:-4] + "0000", "qris", cls).codes:
        raise AssertionError("validate misses a CRC mismatch")
    national = bench_core._QRIS51
    legacy = national.replace(_tlv("00", "ID.CO.QRIS.WWW"), _tlv("00", "ID.OR.GPNQR.WWW"))
    legacy_code = bench_core._with_crc(PAYLOAD[:-8].replace(_tlv("51", national), _tlv("51", legacy)))
    if "qris.guid_legacy" not in validation.check(legacy_code, "qris", cls).codes:
        raise AssertionError("validate misses a legacy national GUID")
    code = cls(PAYLOAD)
    if (code.merchant_name, code.nmid, code.accounts[0].acquirer) != ("Toko Sejahtera", "ID1020017611473", "DANA"):
        raise AssertionError("parse gives wrong fields")
    data = summary.info_dict(validation.check(PAYLOAD, "qris", cls))
    if (data["valid"], data["nmid"], [a["name"] for a in data["acquirers"]]) != (True, code.nmid, ["DANA"]):
        raise AssertionError(f"info gives wrong fields: {data}")


def _ratio(results: dict[str, harness.Result], case: str, floor: str) -> float:
    a, b = results[case].samples, results[floor].samples
    return statistics.median(x / y for x, y in zip(a, b))


def _verdict(ok: bool) -> str:
    return "meets it" if ok else "misses it"


def _validate_rows(twins: dict[str, Any], quick: bool) -> list[dict]:
    ns = {"check": validation.check, "P": PAYLOAD, "L": LONG, **{name: cls for name, (_, cls) in twins.items()}}
    cases = [Case(f"{name}, {len(PAYLOAD)} chars", f"check(P, 'qris', {name})", ns) for name in twins]
    if NATIVE in twins:
        cases.append(Case(f"{NATIVE}, {len(LONG)} chars", f"check(L, 'qris', {NATIVE})", ns))
    results = harness.measure_group(cases, **bench_core.settings(quick))
    rows = []
    for case in cases:
        chars = len(LONG) if case.name.endswith(f"{len(LONG)} chars") else len(PAYLOAD)
        extra: dict[str, Any] = {"chars": chars}
        baseline = None
        if case.name.startswith(NATIVE):
            most = FIXED_S + PER_CHAR_S * chars
            got = results[case.name].median_s
            extra["goal"] = (f"at most {most * 1e6:.2f} us (2 us + 5 ns/char): this run {got * 1e6:.2f} us "
                             f"({_verdict(got <= most)})")
        elif NATIVE in twins:
            baseline = f"{NATIVE}, {len(PAYLOAD)} chars"
        rows.append(harness.row("validate", case.name, results[case.name], baseline, extra))
    return rows


def _info_rows(twins: dict[str, Any], quick: bool) -> list[dict]:
    ns = {"check": validation.check, "info": summary.info_dict, "P": PAYLOAD,
          **{name: cls for name, (_, cls) in twins.items()}}
    cases = [Case(f"info, {name}", f"info(check(P, 'qris', {name}))", ns) for name in twins]
    if NATIVE in twins:
        cases.append(Case(f"validate, {NATIVE}", f"check(P, 'qris', {NATIVE})", ns))
    results = harness.measure_group(cases, **bench_core.settings(quick))
    peer = _peer_row(quick)
    rows = []
    for case in cases:
        extra: dict[str, Any] = {"chars": len(PAYLOAD)}
        baseline = None
        if case.name == f"info, {NATIVE}":
            baseline = f"validate, {NATIVE}"
            ratio = _ratio(results, case.name, baseline)
            extra["goal"] = (f"at most {INFO_FACTOR:g}x validate: this run {ratio:.2f}x "
                             f"({_verdict(ratio <= INFO_FACTOR)})")
        elif case.name == f"info, {PURE}":
            if peer.get("median_s"):
                baseline = PEER_CASE
                ratio = results[case.name].median_s / peer["median_s"]
                extra["goal"] = (f"faster than qriskit 0.2.0's parse().to_dict(): this run {ratio:.2f}x its time "
                                 f"({_verdict(ratio < 1)})")
            else:
                extra["goal"] = f"faster than qriskit 0.2.0's parse().to_dict(): not measured ({peer.get('skipped')})"
        rows.append(harness.row("info", case.name, results[case.name], baseline, extra))
    return [*rows, peer]


def _peer_row(quick: bool) -> dict:
    """qriskit 0.2.0's ``parse(P).to_dict()``, timed in its own venv by ``peers.py`` (same payload)."""
    skipped = {"group": "info", "case": PEER_CASE, "median_s": None, "min_s": None, "max_s": None,
               "baseline": None, "extra": {}}
    try:
        rows = peers.run_peer(PEER, quick, {peers.GROUP_INFO})
    except Exception as exc:  # an install or driver failure is a skip here, as in peers.py
        return {**skipped, "skipped": f"{type(exc).__name__}: {exc}"[:200]}
    got = [r for r in rows if r["group"] == peers.GROUP_INFO]
    if not got:  # the status row says why (no wheel, no network)
        why = next((r.get("skipped") or r.get("error") for r in rows if r.get("skipped") or r.get("error")), None)
        return {**skipped, "skipped": f"{PEER.requirement}: {why or 'no info case'}"}
    row = got[0]
    if row.get("error") or row["extra"].get("wrong_output"):
        raise AssertionError(f"{PEER_CASE}: {row.get('error') or row['extra']['wrong_output']}")
    extra = {k: v for k, v in row["extra"].items() if k in ("api", "verified", "loops", "repeats")}
    return {**row, "case": PEER_CASE, "baseline": None, "extra": {**extra, "runs in": "its own venv"}}


def _parse_fields(cls: type) -> Any:
    def parse_fields() -> Any:
        code = cls(PAYLOAD)
        return code.merchant_name, code.amount, code.nmid, code.accounts[0].acquirer, code.criteria

    return parse_fields


def run(quick: bool = False) -> list[dict]:
    twins = {NAMES[name]: pair for name, pair in bench_core.twins().items()}
    for _, cls in twins.values():
        _check(cls)
    cases = [Case(name, _parse_fields(cls)) for name, (_, cls) in twins.items()]
    results = harness.measure_group(cases, **bench_core.settings(quick))
    rows = [harness.row("parse+fields", name, results[name], NATIVE if name != NATIVE and NATIVE in twins else None,
                        {"chars": len(PAYLOAD)}) for name in twins]
    return rows + _validate_rows(twins, quick) + _info_rows(twins, quick)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.run import main

    sys.exit(main(["--only", "validate", "--no-peers", *sys.argv[1:]]))
