"""Core benchmark: the codec's native twin against its pure twin and ``binascii.crc_hqx``.

    python -m benchmarks --only core [--quick]
    python benchmarks/bench_core.py [--quick]

Every case runs on one ~200-character static QRIS (``PAYLOAD``) and is checked once
against an independently built expected output before it is timed. The cases of a group
are timed side by side (round-robin, see ``harness.py``). Groups:

* ``crc16``: CRC-16/CCITT-FALSE of the payload up to and including "6304".
* ``parse``: ``qriskit.parse(payload)`` (the root walk and the CRC check).
* ``to_dynamic one-shot``: ``qriskit.to_dynamic(payload, 25000)`` from the string.
* ``to_dynamic pre-parsed``: ``code.to_dynamic(25000)`` on a parsed code.
* ``to_dynamic_many``: ``qriskit.to_dynamic_many(payload, amounts)``, per code (extra: codes/s).
* ``import qriskit``: the import in fresh interpreters, which must not load numpy, PIL,
  httpx or any other image/HTTP module.

The bar to beat in each codec group is ``binascii.crc_hqx`` over the same bytes: the CRC
alone, computed by CPython's C code. A row's ``baseline`` is the bar for the native twin
and the native twin for everything else (the pure twin, peers from ``peers.py``).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import traceback
from binascii import crc_hqx
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("qriskit") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(ROOT))

try:
    from . import harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness  # type: ignore[no-redef]

Case = harness.Case

# -- the shared workload (peers.py uses the same) ------------------------------------------

GROUP_CRC = "crc16"
GROUP_PARSE = "parse"
GROUP_ONESHOT = "to_dynamic one-shot"
GROUP_PARSED = "to_dynamic pre-parsed"
GROUP_MANY = "to_dynamic_many"
GROUP_IMPORT = "import"
GROUPS = (GROUP_CRC, GROUP_PARSE, GROUP_ONESHOT, GROUP_PARSED, GROUP_MANY, GROUP_IMPORT)

NATIVE = "qriskit native"
PURE = "qriskit pure (twin)"
BAR = "binascii.crc_hqx (bar)"

#: Modules ``import qriskit`` must not pull in (image, HTTP, numpy).
HEAVY = ("numpy", "PIL", "httpx", "cv2", "zxingcpp", "pyzbar", "segno", "requests", "rich")


def _tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def _with_crc(body: str) -> str:
    body += "6304"
    return body + f"{crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


_DANA = _tlv("00", "ID.DANA.WWW") + _tlv("01", "936009153022591480") + _tlv("02", "022591480") + _tlv("03", "UMI")
_QRIS51 = _tlv("00", "ID.CO.QRIS.WWW") + _tlv("02", "ID1020017611473") + _tlv("03", "UMI")
_HEAD = [("00", "01"), ("01", "11"), ("26", _DANA), ("51", _QRIS51), ("52", "5411"), ("53", "360")]
_TAIL = [("58", "ID"), ("59", "Toko Sejahtera"), ("60", "Jakarta"), ("61", "12340"), ("62", _tlv("07", "A01"))]

#: A typical static QRIS, 199 characters.
PAYLOAD = _with_crc("".join(_tlv(t, v) for t, v in _HEAD + _TAIL))
#: Everything the CRC covers: the payload without its 4 CRC digits.
CRC_INPUT = PAYLOAD[:-4]
AMOUNT = 25000
MERCHANT = "Toko Sejahtera"


def crc16_reference() -> int:
    """The CRC of ``CRC_INPUT``, by ``binascii`` (the value every crc16 case must give)."""
    return crc_hqx(CRC_INPUT.encode("utf-8"), 0xFFFF)


def expected_dynamic(amount: int | str) -> str:
    """The dynamic code for ``amount``, built here independently of qriskit."""
    head = [("01", "12") if tag == "01" else (tag, value) for tag, value in _HEAD]
    return _with_crc("".join(_tlv(t, v) for t, v in [*head, ("54", str(amount)), *_TAIL]))


def amounts(n: int) -> list[int]:
    return [10_000 + 37 * i for i in range(n)]


def check_dynamic(code: str, amount: int | str) -> str | None:
    """Why ``code`` is not a right dynamic code for ``amount`` (parsed by qriskit), or None."""
    import qriskit

    try:
        parsed = qriskit.parse(code)  # verifies the CRC
    except qriskit.QRISError as exc:
        return f"does not parse: {exc}"
    if not parsed.is_dynamic:
        return "not dynamic (01 is not 12)"
    if parsed.amount != Decimal(str(amount)):
        return f"amount {parsed.amount} instead of {amount}"
    if parsed.merchant_name != MERCHANT:
        return f"merchant name {parsed.merchant_name!r}"
    return None


# -- the twins -----------------------------------------------------------------------------


def twins() -> dict[str, Any]:
    """name -> (kernel module, QRIS class over it); the native twin only where it is built."""
    from qriskit import _codec_py
    from qriskit.model import qris_class

    out: dict[str, Any] = {}
    try:
        from qriskit import _codec_c
    except ImportError:
        pass
    else:
        out[NATIVE] = (_codec_c, qris_class(_codec_c))
    out[PURE] = (_codec_py, qris_class(_codec_py))
    return out


def _parse_function(cls: type) -> Callable[..., Any]:
    def parse(payload: str, *, verify_crc: bool = True) -> Any:  # the facade's qriskit.parse, on one twin
        return cls(payload, verify_crc)

    return parse


def settings(quick: bool) -> dict[str, Any]:
    return {"repeat": 7, "target": 0.015} if quick else {"repeat": 25, "target": 0.04}


def _baseline(name: str, has_bar: bool, names: list[str]) -> str | None:
    if name == BAR:
        return None
    if name == NATIVE:
        return BAR if has_bar else None
    return NATIVE if NATIVE in names else None


#: DESIGN.md's performance targets for the native twin: group -> (text, seconds per op). Reported, never asserted.
TARGETS = {GROUP_ONESHOT: ("under 0.5 us", 0.5e-6), GROUP_PARSED: ("under 0.25 us", 0.25e-6),
           GROUP_MANY: ("over 3 M codes/s", 1 / 3e6)}


def _group(group: str, cases: list[Case], checks: dict[str, Callable[[], str | None]], quick: bool,
           extra: Callable[[str, harness.Result], dict[str, Any]] | None = None) -> list[dict]:
    """Check every case's output once, then time the group side by side."""
    for name, check in checks.items():
        problem = check()
        if problem:
            raise AssertionError(f"{group} / {name}: wrong result: {problem}")
    results = harness.measure_group(cases, **settings(quick))
    names = [c.name for c in cases]
    has_bar = BAR in names
    rows = []
    for case in cases:
        r = results[case.name]
        ex = {"loops": r.loops, "repeats": len(r.samples), "verified": True}
        if extra:
            ex.update(extra(case.name, r))
        if case.name == NATIVE and group in TARGETS:
            text, limit = TARGETS[group]
            ex["target"] = (f"{text} (this run: median {'meets' if r.median_s < limit else 'misses'} it, "
                            f"best repeat {'meets' if r.min_s < limit else 'misses'} it)")
        rows.append(harness.row(group, case.name, r, _baseline(case.name, has_bar, names), ex))
    return rows


def bench_crc(quick: bool) -> list[dict]:
    data = CRC_INPUT.encode("utf-8")
    want = crc_hqx(data, 0xFFFF)
    cases, checks = [], {}
    for name, (kernel, _) in twins().items():
        cases.append(Case(name, "crc16(S)", {"crc16": kernel.crc16, "S": CRC_INPUT}))
        checks[name] = lambda k=kernel: None if k.crc16(CRC_INPUT) == want == k.crc16(data) else "wrong CRC"
        if name == NATIVE:
            cases.append(Case(f"{NATIVE} (bytes in)", "crc16(B)", {"crc16": kernel.crc16, "B": data}))
    cases.append(Case(BAR, "crc_hqx(B, 0xFFFF)", {"crc_hqx": crc_hqx, "B": data}))
    cases.append(Case("binascii.crc_hqx + str.encode", "crc_hqx(S.encode(), 0xFFFF)",
                      {"crc_hqx": crc_hqx, "S": CRC_INPUT}))
    return _group(GROUP_CRC, cases, checks, quick, lambda n, r: {"bytes": len(data)})


def bench_parse(quick: bool) -> list[dict]:
    cases, checks = [], {}
    for name, (_, cls) in twins().items():
        parse = _parse_function(cls)

        def check(parse: Callable[..., Any] = parse) -> str | None:
            q = parse(PAYLOAD)
            if str(q) != PAYLOAD or q.is_dynamic or q.merchant_name != MERCHANT or not q.crc_ok:
                return f"parsed wrong: {q!r}"
            return None

        cases.append(Case(name, "parse(P)", {"parse": parse, "P": PAYLOAD}))
        checks[name] = check
    cases.append(Case(BAR, "crc_hqx(B, 0xFFFF)", {"crc_hqx": crc_hqx, "B": PAYLOAD.encode()}))
    return _group(GROUP_PARSE, cases, checks, quick, lambda n, r: {"chars": len(PAYLOAD)})


def bench_oneshot(quick: bool) -> list[dict]:
    want = expected_dynamic(AMOUNT)
    cases, checks = [], {}
    for name, (kernel, _) in twins().items():
        cases.append(Case(name, "to_dynamic(P, a)", {"to_dynamic": kernel.to_dynamic, "P": PAYLOAD, "a": AMOUNT}))
        checks[name] = lambda k=kernel: None if k.to_dynamic(PAYLOAD, AMOUNT) == want else "output differs"
    cases.append(Case(BAR, "crc_hqx(B, 0xFFFF)", {"crc_hqx": crc_hqx, "B": PAYLOAD.encode()}))
    return _group(GROUP_ONESHOT, cases, checks, quick, lambda n, r: {"chars": len(PAYLOAD)})


def bench_parsed(quick: bool) -> list[dict]:
    want = expected_dynamic(AMOUNT)
    cases, checks = [], {}
    for name, (_, cls) in twins().items():
        code = cls(PAYLOAD)
        cases.append(Case(name, "q.to_dynamic(a)", {"q": code, "a": AMOUNT}))
        checks[name] = lambda q=code: None if q.to_dynamic(AMOUNT) == want else "output differs"
    cases.append(Case(BAR, "crc_hqx(B, 0xFFFF)", {"crc_hqx": crc_hqx, "B": PAYLOAD.encode()}))
    return _group(GROUP_PARSED, cases, checks, quick, lambda n, r: {"chars": len(PAYLOAD)})


def bench_many(quick: bool) -> list[dict]:
    n = 1000
    batch = amounts(n)
    want = [expected_dynamic(a) for a in batch]
    cases, checks = [], {}
    for name, (kernel, cls) in twins().items():
        cases.append(Case(name, "many(P, A)", {"many": kernel.to_dynamic_many, "P": PAYLOAD, "A": batch},
                          ops_per_call=n))
        checks[name] = lambda k=kernel: None if k.to_dynamic_many(PAYLOAD, batch) == want else "output differs"
        if name == NATIVE:
            code = cls(PAYLOAD)
            cases.append(Case(f"{NATIVE} (pre-parsed)", "q.to_dynamic_many(A)", {"q": code, "A": batch},
                              ops_per_call=n))
            checks[f"{name} (pre-parsed)"] = lambda q=code: None if q.to_dynamic_many(batch) == want else "differs"
    bar_ns = {"crc_hqx": crc_hqx, "B": PAYLOAD.encode(), "A": batch}
    cases.append(Case(BAR, "for a in A: crc_hqx(B, 0xFFFF)", bar_ns, ops_per_call=n))

    def extra(name: str, r: harness.Result) -> dict[str, Any]:
        return {"codes_per_s": round(1 / r.median_s), "batch": n}

    return _group(GROUP_MANY, cases, checks, quick, extra)


_IMPORT_PROBE = f"""
import json, sys, time
before = set(sys.modules)
t = time.perf_counter()
import qriskit
dt = time.perf_counter() - t
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r}))
print(json.dumps({{"s": dt, "backend": qriskit.backend, "heavy": heavy,
                  "modules": len(set(sys.modules) - before)}}))
"""


def import_probe(python: str, env: dict[str, str], cwd: str | None = None) -> dict[str, Any]:
    """Time ``import qriskit`` once in a fresh interpreter ``python``."""
    proc = subprocess.run([python, "-c", _IMPORT_PROBE], env=env, cwd=cwd, capture_output=True, text=True,
                          timeout=60)
    if proc.returncode:
        raise RuntimeError(f"import probe failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_import(quick: bool) -> list[dict]:
    n = 5 if quick else 15
    env = {k: v for k, v in os.environ.items() if k != "QRISKIT_PURE_PYTHON"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    envs = {NATIVE: env, PURE: env | {"QRISKIT_PURE_PYTHON": "1"}}
    if "native" not in {import_probe(sys.executable, env)["backend"]}:
        envs.pop(NATIVE)
    samples: dict[str, list[dict]] = {name: [] for name in envs}
    for _ in range(n):  # round-robin, like the timed groups
        for name, e in envs.items():
            samples[name].append(import_probe(sys.executable, e))
    rows = []
    for name, got in samples.items():
        heavy = sorted({m for g in got for m in g["heavy"]})
        r = harness.row(GROUP_IMPORT, name, [g["s"] for g in got], NATIVE if name != NATIVE else None,
                        {"modules_loaded": got[0]["modules"], "heavy_modules": heavy, "runs": n})
        r["samples"], r["series"] = [g["s"] for g in got], f"import-{os.getpid()}"  # paired by round
        if heavy:
            r["error"] = f"import qriskit loaded {', '.join(heavy)}"
        rows.append(r)
    return rows


BENCHES = (bench_crc, bench_parse, bench_oneshot, bench_parsed, bench_many, bench_import)


def run(quick: bool) -> list[dict]:
    """All core cases; a group that raises becomes one failed row and the others still run."""
    rows: list[dict] = []
    built = twins()
    if NATIVE not in built:
        rows.append({"group": GROUP_CRC, "case": NATIVE, "median_s": None, "min_s": None, "max_s": None,
                     "baseline": None, "extra": {},
                     "skipped": "qriskit._codec_c is not built (pip install -e .)"})
    for bench in BENCHES:
        group = GROUPS[BENCHES.index(bench)]
        try:
            rows += bench(quick)
        except Exception as exc:
            rows.append({"group": group, "case": f"{bench.__name__} (error)", "median_s": None, "min_s": None,
                         "max_s": None, "baseline": None, "extra": {},
                         "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import main

    sys.exit(main(["--only", "core", "--no-peers", *sys.argv[1:]]))
