"""Run the benchmark suite and print one table, grouped, with ratios measured side by side.

    python -m benchmarks [--quick] [--json FILE] [--markdown FILE] [--only NAME ...] [--no-peers]
    python benchmarks/run.py ...

Collects every ``benchmarks/bench_*.py`` (each exposes ``run(quick) -> list[dict]``, one dict
per case: group, case, median_s, min_s, max_s, baseline, extra) and, unless ``--no-peers``,
``peers.py``. A module that raises becomes a failed row; so does a row carrying ``error``.
Rows carrying ``skipped`` (an uninstallable peer, a missing optional backend) are shown
and do not fail the run. Exit status: 0 when every case ran and checked its output, else 1.
Nothing asserts on time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import statistics
import sys
import time
import traceback
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if __package__ in (None, ""):  # python benchmarks/run.py
    sys.path.insert(0, str(ROOT))
try:
    import qriskit  # noqa: F401
except ImportError:  # a checkout that is not installed
    sys.path.insert(0, str(ROOT))

from benchmarks import harness  # noqa: E402

FIRST = ("bench_core",)  # the codec first; peers right after it, so their figures sit close in time
REQUIRED = ("group", "case", "median_s", "min_s", "max_s", "baseline")
#: extra keys that stay in --json but would clutter the table
QUIET = {"loops", "repeats", "verified", "api", "notes", "requirement", "python", "missed", "traceback"}


def discover() -> list[str]:
    """Module names of every bench_*.py, the core first."""
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    return [n for n in FIRST if n in names] + [n for n in names if n not in FIRST]


def short(module: str) -> str:
    return module.removeprefix("bench_")


def _failed(group: str, case: str, message: str, tb: str | None = None) -> dict[str, Any]:
    return {"group": group, "case": case, "median_s": None, "min_s": None, "max_s": None, "baseline": None,
            "extra": {}, "error": message, "traceback": tb}


def run_module(name: str, quick: bool, groups: set[str] | None) -> tuple[list[dict], float]:
    """Run one module; any exception or malformed row becomes a failed row."""
    t0 = time.perf_counter()
    try:
        module = importlib.import_module(f"benchmarks.{name}")
        if name == "peers":
            rows = module.run(quick, groups)
        else:
            rows = module.run(quick)
        if not isinstance(rows, list):
            raise TypeError(f"run() returned {type(rows).__name__}, not a list of dicts")
    except Exception as exc:
        tb = traceback.format_exc()
        return [_failed(short(name), f"{name} (module raised)", f"{type(exc).__name__}: {exc}", tb)], \
            time.perf_counter() - t0
    out = []
    for r in rows:
        missing = [k for k in REQUIRED if not isinstance(r, dict) or k not in r]
        if missing:
            out.append(_failed(short(name), f"{name} (bad row)", f"row lacks {missing}: {r!r}"[:300]))
            continue
        r.setdefault("extra", {})
        r["extra"] = r["extra"] or {}
        r["module"] = name
        if r["median_s"] is None and not r.get("skipped") and not r.get("error") and r["group"] != "peers":
            r["error"] = "no timing and no reason"
        out.append(r)
    return out, time.perf_counter() - t0


def add_ratios(rows: list[dict]) -> None:
    """ratio = median / baseline's median, baseline looked up in the same group (any module)."""
    index = {(r["group"], r["case"]): r for r in rows}
    for r in rows:
        base = index.get((r["group"], r["baseline"])) if r.get("baseline") else None
        r["ratio"] = r["ratio_kind"] = None
        if not (base and r["median_s"] and base["median_s"]):
            continue
        a, b = r.get("samples") or [], base.get("samples") or []
        if r.get("series") and r.get("series") == base.get("series") and len(a) == len(b) and all(b):
            r["ratio"], r["ratio_kind"] = statistics.median(x / y for x, y in zip(a, b)), "paired rounds"
        else:
            r["ratio"], r["ratio_kind"] = r["median_s"] / base["median_s"], "medians"


def _factor(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def ratio_text(r: dict) -> str:
    ratio = r.get("ratio")
    if ratio is None:
        return "-" if not r.get("baseline") else f"(no {r['baseline']})"
    word = f"×{_factor(1 / ratio)} faster" if ratio < 1 else f"×{_factor(ratio)} slower"
    return f"{word} than {r['baseline']}"


def _num(x: float) -> str:
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= scale:
            return f"{x / scale:.3g} {unit}"
    return f"{x:.3g}"


def extra_text(r: dict) -> str:
    if r.get("error"):
        return f"FAILED: {r['error']}"
    if r.get("skipped"):
        return f"skipped: {r['skipped']}"
    ex = r.get("extra") or {}
    parts = []
    for k, v in ex.items():
        if k in QUIET or v in (None, [], {}):
            continue
        if k == "wrong_output":
            parts.insert(0, f"WRONG OUTPUT: {v}")
        elif k == "identical_to_qriskit":
            if not v:
                parts.append("valid, but not byte-identical to qriskit's output")
        elif k.endswith("_per_s") and isinstance(v, (int, float)):
            parts.append(f"{_num(v)} {k.removesuffix('_per_s').replace('_', ' ')}/s")
        elif k == "success_rate" and isinstance(v, (int, float)):
            parts.append(f"success {v * 100:.1f}%")
        elif isinstance(v, float):
            parts.append(f"{k}={v:.4g}")
        else:
            parts.append(f"{k}={v}")
    return ", ".join(parts)[:160]


def spread_text(r: dict) -> str:
    if r["min_s"] is None:
        return "-"
    return f"{harness.fmt_time(r['min_s'])} – {harness.fmt_time(r['max_s'])}"


def header(info: dict, quick: bool) -> list[str]:
    import qriskit

    return [
        f"qriskit {qriskit.__version__} (backend: {qriskit.backend}) · {info['python']} · {info['os']}",
        f"machine: {info['cpu']}, {info['cores']} cores ({info['usable_cores']} usable) · {info['date']}",
        f"mode: {'quick' if quick else 'full'} · times are per op (median over repeats, timed round-robin)",
    ]


def table(rows: list[dict]) -> list[str]:
    groups: dict[str, list[dict]] = {}
    for r in rows:
        groups.setdefault(r["group"], []).append(r)
    width = max([len(r["case"]) for r in rows] + [4])
    lines = []
    for group, members in groups.items():
        lines += ["", f"== {group}", f"  {'case':{width}}  {'median':>9}  {'spread (min – max)':>21}  ratio / extra"]
        for r in members:
            note = "  ".join(x for x in (ratio_text(r) if r.get("baseline") else "", extra_text(r)) if x)
            lines.append(f"  {r['case']:{width}}  {harness.fmt_time(r['median_s']):>9}  {spread_text(r):>21}  {note}")
    return lines


def markdown(rows: list[dict], head: list[str], command: str) -> str:
    out = [*(f"{h}  " for h in head), "", f"Reproduce: `{command}`", ""]
    out += ["| group | case | median | min – max | ratio | notes |", "|---|---|---:|---:|---|---|"]
    for r in rows:
        note = extra_text(r).replace("|", "\\|")
        out.append(f"| {r['group']} | {r['case']} | {harness.fmt_time(r['median_s'])} | {spread_text(r)} | "
                   f"{ratio_text(r) if r.get('baseline') else ''} | {note} |")
    return "\n".join(out) + "\n"


def make_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and smaller sets, for CI (under 3 min)")
    ap.add_argument("--json", metavar="FILE", help="write every row, the machine and the timings as JSON")
    ap.add_argument("--markdown", metavar="FILE", help="write the table as Markdown (for the README)")
    ap.add_argument("--only", metavar="NAME", action="append",
                    help="a module (core, peers, image, validate, cli, ...) or a group name; repeatable")
    ap.add_argument("--no-peers", action="store_true", help="do not install or time peer libraries")
    ap.add_argument("--list", action="store_true", help="list the modules and exit")
    return ap


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    modules = discover()
    if not args.no_peers:
        modules.insert(len([m for m in modules if m in FIRST]), "peers")
    if args.list:
        print("\n".join(short(m) for m in modules))
        return 0
    only = set(args.only or ())
    by_module = {m for m in modules if short(m) in only or m in only}
    group_filter = only - {short(m) for m in modules} - set(modules)
    if only and not by_module and not group_filter:
        print(f"--only {sorted(only)} matches nothing", file=sys.stderr)
        return 2
    selected = [m for m in modules if not only or m in by_module or group_filter]
    if "peers" in selected and group_filter and "peers" not in by_module:
        from benchmarks import bench_core

        if not group_filter & set(bench_core.GROUPS):
            selected.remove("peers")

    info = harness.machine_info()
    started = time.perf_counter()
    rows: list[dict] = []
    timings: dict[str, float] = {}
    for name in selected:
        print(f"[{short(name)}] running ...", file=sys.stderr, flush=True)
        got, seconds = run_module(name, args.quick, group_filter or None)
        if group_filter and name not in by_module:
            got = [r for r in got if r["group"] in group_filter or r.get("error")]
        rows += got
        timings[name] = round(seconds, 2)
        print(f"[{short(name)}] {len(got)} rows in {seconds:.1f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - started
    if group_filter and not by_module and not rows:
        print(f"--only {sorted(group_filter)}: no module has such a group", file=sys.stderr)
        return 2
    add_ratios(rows)

    head = header(info, args.quick)
    failures = [r for r in rows if r.get("error")]
    skipped = [r for r in rows if r.get("skipped")]
    command = "python -m benchmarks " + " ".join(argv if argv is not None else sys.argv[1:])
    print("\n".join(head + table(rows)))
    print(f"\n{len(rows)} rows, {len(failures)} failed, {len(skipped)} skipped, in {elapsed:.1f} s "
          f"({', '.join(f'{short(k)} {v:.1f} s' for k, v in timings.items())})")
    for r in failures:
        print(f"\nFAILED {r['group']} / {r['case']}: {r['error']}", file=sys.stderr)
        if r.get("traceback"):
            print(r["traceback"], file=sys.stderr)
    if args.json:
        import qriskit

        doc = {"machine": info, "qriskit": {"version": qriskit.__version__, "backend": qriskit.backend},
               "command": command.strip(), "quick": args.quick, "elapsed_s": round(elapsed, 2),
               "module_seconds": timings, "failed": len(failures), "skipped": len(skipped), "rows": rows}
        Path(args.json).write_text(json.dumps(doc, indent=2, default=str) + "\n", encoding="utf-8")
    if args.markdown:
        Path(args.markdown).write_text(markdown(rows, head, command.strip()), encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
