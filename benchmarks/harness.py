"""Timing harness for the benchmark suite: standard library only.

Peers run this very file inside their own virtual environments (loaded by path, see
``peers.py``), so every figure in a run, ours and theirs, comes from the same loop.

How a case is timed (the ``timeit`` way, with interleaving):

* a statement is compiled into ``timeit``'s loop (no extra call frame per op);
* each case is calibrated once: the loop count grows (1, 2, 5, 10, 20, ...) until one
  repeat takes at least ``target`` seconds;
* then the cases of a group are timed **round-robin**, ``repeat`` rounds, one repeat of
  each case per round, so a noisy neighbour slows all of them alike;
* a repeat's time divided by its loop count is one sample (seconds per op); a case reports
  the median, min and max of its samples;
* cases timed in one round-robin share a ``series``: the runner then takes a ratio as the
  median of the per-round ratios (paired samples), which cancels a slowdown that hits a
  whole round; other ratios are median over median.

Nothing here asserts anything about time.
"""

from __future__ import annotations

import gc
import itertools
import os
import platform
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Case", "Result", "calibrate", "fmt_time", "machine_info", "measure", "measure_group", "row"]

Stmt = str | Callable[[], Any]
_SERIES = itertools.count(1)


@dataclass
class Case:
    """One thing to time: ``stmt`` (source or a no-argument callable) run in ``namespace``."""

    name: str
    stmt: Stmt
    namespace: dict[str, Any] = field(default_factory=dict)
    setup: str = "pass"
    ops_per_call: int = 1  # e.g. 1000 for a batch call converting 1000 codes

    def timer(self) -> timeit.Timer:
        return timeit.Timer(self.stmt, self.setup, timer=time.perf_counter, globals=self.namespace)


@dataclass
class Result:
    """Seconds per op: median, min and max over the repeats."""

    name: str
    samples: list[float]
    loops: int
    series: str = ""  # cases timed in the same round-robin share it: their samples pair up by round

    @property
    def median_s(self) -> float:
        return statistics.median(self.samples)

    @property
    def min_s(self) -> float:
        return min(self.samples)

    @property
    def max_s(self) -> float:
        return max(self.samples)

    def as_dict(self) -> dict[str, Any]:
        return {"median_s": self.median_s, "min_s": self.min_s, "max_s": self.max_s, "loops": self.loops,
                "repeats": len(self.samples), "samples": list(self.samples), "series": self.series}


def calibrate(timer: timeit.Timer, target: float) -> int:
    """The smallest loop count in 1, 2, 5, 10, 20, 50, ... whose run takes ``target`` seconds."""
    number = 1
    while True:
        for factor in (1, 2, 5):
            n = number * factor
            if timer.timeit(n) >= target:
                return n
        number *= 10
        if number > 10**9:  # a no-op statement: stop growing
            return number


def measure_group(cases: list[Case], *, repeat: int = 7, target: float = 0.05) -> dict[str, Result]:
    """Time ``cases`` side by side (round-robin); returns name -> Result (seconds per op)."""
    timers = [(case, case.timer()) for case in cases]
    loops = {case.name: calibrate(t, target) for case, t in timers}
    samples: dict[str, list[float]] = {case.name: [] for case in cases}
    for _ in range(repeat):
        for case, t in timers:
            n = loops[case.name]
            samples[case.name].append(t.timeit(n) / (n * case.ops_per_call))
    gc.collect()
    series = f"{os.getpid()}-{next(_SERIES)}"
    return {case.name: Result(case.name, samples[case.name], loops[case.name], series) for case in cases}


def measure(stmt: Stmt, namespace: dict[str, Any] | None = None, *, repeat: int = 7, target: float = 0.05,
            ops_per_call: int = 1) -> Result:
    """Time one statement (see ``measure_group``)."""
    case = Case("case", stmt, namespace or {}, ops_per_call=ops_per_call)
    return measure_group([case], repeat=repeat, target=target)["case"]


def row(group: str, case: str, result: Result | dict[str, Any] | list[float], baseline: str | None = None,
        extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """One row of the suite's contract: group, case, median_s, min_s, max_s, baseline, extra."""
    paired: dict[str, Any] = {}
    if isinstance(result, Result):
        median, lo, hi = result.median_s, result.min_s, result.max_s
        paired = {"samples": list(result.samples), "series": result.series}
    elif isinstance(result, dict):
        median, lo, hi = result["median_s"], result["min_s"], result["max_s"]
    else:
        median, lo, hi = statistics.median(result), min(result), max(result)
    return {"group": group, "case": case, "median_s": median, "min_s": lo, "max_s": hi,
            "baseline": baseline, "extra": dict(extra or {}), **paired}


def fmt_time(seconds: float | None) -> str:
    """A duration with a unit that keeps 3 significant digits: ns, us, ms or s."""
    if seconds is None:
        return "-"
    for unit, scale in (("ns", 1e-9), ("us", 1e-6), ("ms", 1e-3)):
        if seconds / scale < 999.5:  # what would round to 1000 goes up a unit
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds:.3g} s"


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def machine_info() -> dict[str, Any]:
    """CPU model, cores, OS, Python: the machine line of a results table."""
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = os.cpu_count() or 0
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "date": time.strftime("%Y-%m-%d %H:%M:%S %z"),
    }

