"""Import cost of the optional BAYAR GG client: ``import qriskit.api`` against its parts.

    python benchmarks/bench_imports.py [--quick]

``run(quick) -> list[dict]`` is the suite runner's entry point. Group "import qriskit.api",
three cases timed in fresh interpreters, round-robin (one of each per round), each the
``perf_counter`` time of the import statement alone (interpreter start excluded):

* ``import qriskit`` (the baseline), ``import httpx``, ``import qriskit.api``.

Bytecode is cached in a temporary ``PYTHONPYCACHEPREFIX`` (warmed by one untimed round)
even where ``PYTHONDONTWRITEBYTECODE`` is set, so the figures are those of an installed
package, not of compiling its sources.

The goal (issue 14): ``import qriskit.api`` costs at most 2x ``import qriskit`` plus
httpx's own import. The ``qriskit.api`` row reports ``of_goal``, the median over rounds of
``api / (2 * qriskit + httpx)`` (at most 1 meets it), and, from one ``python -X
importtime`` run, ``api_own_ms``: the self time of the ``qriskit.api`` modules. A row
fails if ``import qriskit.api`` loads a module of qriskit beyond what ``import qriskit``
loads. Nothing here asserts on time.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from benchmarks import harness  # noqa: E402

GROUP = "import qriskit.api"
BASELINE = "import qriskit"
CASES = {"import qriskit": "qriskit", "import httpx": "httpx", "import qriskit.api": "qriskit.api"}

_PROBE = """
import json, sys, time
module = sys.argv[1]
t = time.perf_counter()
__import__(module)
dt = time.perf_counter() - t
loaded = sorted(m for m in sys.modules if m.startswith("qriskit"))
print(json.dumps({"s": dt, "qriskit_modules": loaded}))
"""


_PYCACHE = tempfile.mkdtemp(prefix="qriskit-bench-pycache-")


def _env() -> dict[str, str]:
    drop = {"QRISKIT_PURE_PYTHON", "PYTHONDONTWRITEBYTECODE"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [env.get("PYTHONPATH")])])
    env["PYTHONPYCACHEPREFIX"] = _PYCACHE
    return env


def probe(module: str) -> dict[str, Any]:
    """Time ``import module`` once in a fresh interpreter."""
    proc = subprocess.run([sys.executable, "-c", _PROBE, module], env=_env(), capture_output=True, text=True,
                          timeout=60)
    if proc.returncode:
        raise RuntimeError(f"import {module} failed: {proc.stderr.strip()[-500:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def api_self_ms() -> float:
    """Self time of the qriskit.api modules in one ``python -X importtime`` run."""
    proc = subprocess.run([sys.executable, "-X", "importtime", "-c", "import qriskit, httpx; import qriskit.api"],
                          env=_env(), capture_output=True, text=True, timeout=60)
    if proc.returncode:
        raise RuntimeError(f"-X importtime failed: {proc.stderr.strip()[-500:]}")
    total_us = 0
    for line in proc.stderr.splitlines():
        parts = [p.strip() for p in line.removeprefix("import time:").split("|")]
        if len(parts) == 3 and parts[2].startswith("qriskit.api") and parts[0].isdigit():
            total_us += int(parts[0])
    return total_us / 1000


def run(quick: bool) -> list[dict[str, Any]]:
    rounds = 5 if quick else 15
    samples: dict[str, list[float]] = {case: [] for case in CASES}
    modules: dict[str, list[str]] = {}
    for module in CASES.values():  # warm the bytecode cache
        probe(module)
    for _ in range(rounds):
        for case, module in CASES.items():
            got = probe(module)
            samples[case].append(got["s"])
            modules[case] = got["qriskit_modules"]
    series = f"imports-{os.getpid()}"
    core = set(modules["import qriskit"])
    extra_core = sorted(m for m in modules["import qriskit.api"] if m not in core and not m.startswith("qriskit.api"))
    of_goal = statistics.median(
        api / (2 * q + h)
        for api, q, h in zip(samples["import qriskit.api"], samples["import qriskit"], samples["import httpx"])
    )
    rows = []
    for case, values in samples.items():
        extra: dict[str, Any] = {"runs": rounds}
        if case == "import qriskit.api":
            extra |= {"goal": "<= 2x import qriskit + import httpx", "of_goal": round(of_goal, 3),
                      "met": of_goal <= 1.0, "api_own_ms": round(api_self_ms(), 2)}
        row = harness.row(GROUP, case, values, BASELINE if case != BASELINE else None, extra)
        row["samples"], row["series"] = values, series  # paired by round
        if case == "import qriskit.api" and extra_core:
            row["error"] = f"import qriskit.api loaded core modules import qriskit does not: {', '.join(extra_core)}"
        rows.append(row)
    return rows


if __name__ == "__main__":
    from benchmarks.run import main

    sys.exit(main(["--only", "imports", "--no-peers", *sys.argv[1:]]))
