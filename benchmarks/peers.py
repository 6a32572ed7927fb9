"""Peers: other Python QRIS / EMV MPM libraries, timed on the same payloads in the same run.

Each peer is pip-installed into its own throwaway virtual environment under
``.bench/venvs/`` (kept between runs; delete the folder to rebuild, or set
``QRISKIT_BENCH_CACHE``), and timed **in that environment's interpreter**, started with
``-I`` so that neither ``PYTHONPATH`` nor the working directory can leak our ``qriskit``
into it: the PyPI package ``qriskit`` 0.2.0 shares our import name and is never imported
in-process. Inside the venv a small driver loads ``harness.py`` by path (the very loop
that times qriskit), runs the peer's adapter and prints JSON: per case the median, min,
max and the output. This process then checks the output with our qriskit (CRC valid,
amount right, same merchant) and reports the peer's row with the native twin as its
baseline.

A peer that cannot be installed (no wheel for this platform, no network, a timeout) is
reported as skipped with the reason, never as a failure. Installs take wheels only
(``--only-binary=:all:``): an sdist that needs a compiler or a Rust toolchain would blow
the time budget and usually fails offline anyway.

Each adapter was written by reading the peer's source in its venv's site-packages; its
quirks are noted next to it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    from . import bench_core as core
    from . import harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_core as core  # type: ignore[no-redef]
    import harness  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
GROUP_STATUS = "peers"
#: Groups an adapter may offer beyond the core's, timed only when a caller asks for them:
#: "info" is a peer's summary of a code (``bench_validate`` compares it with ``qriskit.info``).
GROUP_INFO = "info"


def cache_dir() -> Path:
    return Path(os.environ.get("QRISKIT_BENCH_CACHE") or ROOT / ".bench") / "venvs"


@dataclass
class Peer:
    label: str
    requirement: str  # exact pin: the figures must be reproducible
    import_name: str
    adapter: str | None  # source defining cases(P, S, a, A) -> [(group, stmt, namespace, ops, output_fn)]
    notes: list[str] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return "".join(c if c.isalnum() or c in "._-" else "_" for c in self.requirement)


# -- adapters: run inside the peer's venv; P payload, S CRC input, a amount, A amounts -------

QRISKIT_020 = '''
import qriskit as peer
from qriskit.crc import crc16


def cases(P, S, a, A):
    q = peer.parse(P)
    return [
        ("crc16", "crc16(S)", {"crc16": crc16, "S": S}, 1, lambda: int(crc16(S), 16)),
        ("parse", "parse(P)", {"parse": peer.parse, "P": P}, 1, lambda: str(peer.parse(P))),
        ("to_dynamic one-shot", "str(parse(P).to_dynamic(a))", {"parse": peer.parse, "P": P, "a": a}, 1,
         lambda: str(peer.parse(P).to_dynamic(a))),
        ("to_dynamic pre-parsed", "str(q.to_dynamic(a))", {"q": q, "a": a}, 1, lambda: str(q.to_dynamic(a))),
        ("to_dynamic_many", "[str(q.to_dynamic(x)) for x in A]", {"q": q, "A": A}, len(A),
         lambda: [str(q.to_dynamic(x)) for x in A]),
        ("info", "parse(P).to_dict()", {"parse": peer.parse, "P": P}, 1, lambda: peer.parse(P).to_dict()),
    ]
'''

QRIS_PAYMENT = '''
import logging

from qris_payment.qr_generator import QRISGenerator

logging.disable(logging.CRITICAL)  # it logs every call at INFO level otherwise


def cases(P, S, a, A):
    g = QRISGenerator({"base_qr_string": P})
    return [
        ("crc16", "g._calculate_crc16(S)", {"g": g, "S": S}, 1, lambda: int(g._calculate_crc16(S), 16)),
        ("to_dynamic one-shot", "QRISGenerator({'base_qr_string': P}).generate_qr_string(a)",
         {"QRISGenerator": QRISGenerator, "P": P, "a": a}, 1,
         lambda: QRISGenerator({"base_qr_string": P}).generate_qr_string(a)),
        ("to_dynamic pre-parsed", "g.generate_qr_string(a)", {"g": g, "a": a}, 1, lambda: g.generate_qr_string(a)),
        ("to_dynamic_many", "[g.generate_qr_string(x) for x in A]", {"g": g, "A": A}, len(A),
         lambda: [g.generate_qr_string(x) for x in A]),
    ]
'''

VIETQR_EMVCO = '''
from vietqr_emvco.generator import VietQRGenerator
from vietqr_emvco.parser import VietQRParser


def _parse(P):
    return VietQRParser.parse_raw(P) if VietQRParser.verify_checksum(P) else None


def cases(P, S, a, A):
    return [
        ("crc16", "crc(S)", {"crc": VietQRGenerator._calculate_crc16, "S": S}, 1,
         lambda: int(VietQRGenerator._calculate_crc16(S), 16)),
        ("parse", "parse(P)", {"parse": _parse, "P": P}, 1, lambda: _parse(P)),
    ]
'''

PEERS = [
    Peer("qriskit==0.2.0 (PyPI)", "qriskit==0.2.0", "qriskit", QRISKIT_020, [
        "pure Python, zero dependencies; shares our import name, so it runs only in its own venv",
        "parse() does not check the CRC (validate() does); to_dynamic() checks it and returns a QRIS, "
        "str() re-encodes it and recomputes the CRC once more",
        "to_dynamic re-sorts tags 54-57 into ascending order instead of keeping the source order",
    ]),
    Peer("qris-payment==1.2.0", "qris-payment==1.2.0", "qris_payment", QRIS_PAYMENT, [
        "QRISGenerator.generate_qr_string(amount): string surgery, no TLV walk: replaces every '010211' "
        "anywhere in the code and inserts 54 before the first '5802ID' it finds",
        "bit-by-bit CRC in Python (private _calculate_crc16); int amounts only; import pulls in PIL, qrcode, "
        "requests",
    ]),
    Peer("vietqr-emvco==1.0.0", "vietqr-emvco==1.0.0", "vietqr_emvco", VIETQR_EMVCO, [
        "a VietQR (EMVCo MPM) library: only its generic parts are comparable: parse_raw + verify_checksum, "
        "and its bit-by-bit CRC; parse_raw stops silently on a bad length",
    ]),
    Peer("pyqris==0.1.0", "pyqris==0.1.0", "pyqris", None, [
        "published as an sdist only (a Rust/maturin build); no wheel to install",
    ]),
]

# -- the driver: runs in the peer's interpreter, stdlib only ----------------------------------

DRIVER = r"""
import importlib.metadata, importlib.util, json, sys, traceback
cfg = json.load(sys.stdin)
spec = importlib.util.spec_from_file_location("qriskit_bench_harness", cfg["harness"])
h = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = h
spec.loader.exec_module(h)
ns = {"__name__": "peer_adapter"}
exec(compile(cfg["adapter"], "<peer adapter>", "exec"), ns)
out = {"version": importlib.metadata.version(cfg["dist"]), "python": sys.version.split()[0],
       "qriskit_file": getattr(sys.modules.get("qriskit"), "__file__", None), "cases": []}
for group, stmt, namespace, ops, output in ns["cases"](cfg["P"], cfg["S"], cfg["a"], cfg["A"]):
    if cfg["groups"] and group not in cfg["groups"]:
        continue
    try:
        got = output()
        r = h.measure(stmt, namespace, repeat=cfg["repeat"], target=cfg["target"], ops_per_call=ops)
        out["cases"].append({"group": group, "stmt": stmt, "output": got, **r.as_dict()})
    except Exception:
        out["cases"].append({"group": group, "stmt": stmt, "error": traceback.format_exc()})
print(json.dumps(out))
"""


def _python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def _pip_reason(text: str) -> str:
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("WARNING")]
    errors = [ln for ln in lines if ln.startswith("ERROR")]
    return (errors or lines or ["pip failed"])[-1][:300]


def ensure_venv(peer: Peer, timeout: float) -> tuple[Path | None, str]:
    """The venv's python and how it was had ("cached", "installed in 3.2 s"), or None and why not."""
    venv = cache_dir() / peer.slug
    marker = venv / ".qriskit-bench-ok"
    py = _python(venv)
    if marker.is_file() and marker.read_text().strip() == peer.requirement and py.exists():
        return py, "cached venv"
    if timeout < 5:
        return None, "the run's install time budget is spent"
    shutil.rmtree(venv, ignore_errors=True)
    venv.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    pip_opts = ["install", "--only-binary=:all:", "--disable-pip-version-check", "--no-input", "-q",
                "--timeout", "15", "--retries", "1", peer.requirement]
    try:
        host_pip = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True,
                                  timeout=30).returncode == 0
        # A venv without pip is made in a second; the host's pip installs into it (pip >= 22.3).
        make = [sys.executable, "-m", "venv", *(["--without-pip"] if host_pip else []), str(venv)]
        subprocess.run(make, check=True, capture_output=True, timeout=timeout)
        left = max(5.0, timeout - (time.monotonic() - t0))
        cmd = [sys.executable, "-m", "pip", "--python", str(py), *pip_opts] if host_pip else \
            [str(py), "-m", "pip", *pip_opts]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=left)
        if proc.returncode and host_pip and "no such option: --python" in proc.stderr:
            shutil.rmtree(venv, ignore_errors=True)  # an old host pip: make a venv with its own pip
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True,
                           timeout=timeout)
            proc = subprocess.run([str(py), "-m", "pip", *pip_opts], capture_output=True, text=True,
                                  timeout=max(5.0, timeout - (time.monotonic() - t0)))
    except subprocess.TimeoutExpired:
        shutil.rmtree(venv, ignore_errors=True)
        return None, f"install timed out after {timeout:.0f} s"
    except (OSError, subprocess.CalledProcessError) as exc:
        shutil.rmtree(venv, ignore_errors=True)
        return None, f"could not make a venv: {exc}"
    if proc.returncode:
        shutil.rmtree(venv, ignore_errors=True)
        return None, f"pip install {peer.requirement} failed: {_pip_reason(proc.stderr + proc.stdout)}"
    marker.write_text(peer.requirement + "\n")
    return py, f"installed in {time.monotonic() - t0:.1f} s"


def _import_probe(name: str) -> str:
    return f"""
import json, sys, time
t = time.perf_counter()
import {name}
dt = time.perf_counter() - t
heavy = sorted({{m.split('.')[0] for m in sys.modules}} & set({core.HEAVY!r}))
print(json.dumps({{"s": dt, "heavy": heavy}}))
"""


def _check(group: str, output: Any) -> str | None:
    """Why a peer's output is wrong for ``group``, or None (checked with our qriskit)."""
    import qriskit

    if group == core.GROUP_CRC:
        want = core.crc16_reference()
        return None if output == want else f"CRC {output!r}, want {want:#06x}"
    if group == core.GROUP_PARSE:
        if isinstance(output, str):
            return None if output == core.PAYLOAD else f"re-encodes the payload as {output!r}"
        items = dict(qriskit.parse(core.PAYLOAD).items())
        if isinstance(output, dict):
            return None if output == items else f"root tags {output!r}, want {items!r}"
        return f"unexpected output {output!r}"
    if group == GROUP_INFO:
        code = qriskit.parse(core.PAYLOAD)
        if not isinstance(output, dict):
            return f"not a dict: {output!r}"[:200]
        got = (output.get("merchant_name"), output.get("nmid"))
        return None if got == (code.merchant_name, code.nmid) else f"merchant and NMID {got!r}"
    if group in (core.GROUP_ONESHOT, core.GROUP_PARSED):
        return core.check_dynamic(output, core.AMOUNT) if isinstance(output, str) else f"not a str: {output!r}"
    if group == core.GROUP_MANY:
        batch = core.amounts(len(output)) if isinstance(output, list) else []
        if not batch:
            return f"not a list of codes: {output!r}"[:200]
        for i, (code, amount) in enumerate(zip(output, batch)):
            problem = core.check_dynamic(code, amount)
            if problem:
                return f"code {i}: {problem}"
        return None
    return None


def _identical(group: str, output: Any) -> bool | None:
    if group in (core.GROUP_ONESHOT, core.GROUP_PARSED):
        return output == core.expected_dynamic(core.AMOUNT)
    if group == core.GROUP_MANY:
        return output == [core.expected_dynamic(x) for x in core.amounts(len(output))]
    return None


def _status(peer: Peer, how: str, **extra: Any) -> dict:
    row = harness.row(GROUP_STATUS, f"peer {peer.label}", [0.0], None, {"requirement": peer.requirement,
                                                                         "status": how, **extra})
    row.update(median_s=None, min_s=None, max_s=None)
    return row


def run_peer(peer: Peer, quick: bool, groups: set[str] | None = None, install_timeout: float = 60.0) -> list[dict]:
    """Install (or reuse) ``peer``'s venv, time its cases there, check its outputs here."""
    py, how = ensure_venv(peer, install_timeout)
    if py is None:
        why = f"{how} ({peer.notes[0]})" if peer.notes and peer.adapter is None else how
        return [_status(peer, "skipped", notes=peer.notes) | {"skipped": why}]
    if peer.adapter is None:
        return [_status(peer, "skipped", notes=peer.notes) | {"skipped": f"{how}, but no adapter is written"}]
    settings = {"repeat": 7, "target": 0.015} if quick else {"repeat": 25, "target": 0.04}
    dist = peer.requirement.split("==")[0]
    cfg = {"harness": str(Path(harness.__file__).resolve()), "adapter": peer.adapter, "dist": dist,
           "P": core.PAYLOAD, "S": core.CRC_INPUT, "a": core.AMOUNT, "A": core.amounts(1000),
           "groups": sorted(groups) if groups else None, **settings}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QRISKIT"))}
    proc = subprocess.run([str(py), "-I", "-c", DRIVER], input=json.dumps(cfg), capture_output=True, text=True,
                          timeout=120 if quick else 600, env=env, cwd=str(py.parent))
    if proc.returncode:
        raise RuntimeError(f"peer {peer.label}: driver failed: {proc.stderr.strip()[-1500:]}")
    got = json.loads(proc.stdout.strip().splitlines()[-1])
    qfile = got.get("qriskit_file")
    if qfile and not Path(qfile).resolve().is_relative_to(py.parent.parent.resolve()):
        raise RuntimeError(f"peer {peer.label} imported a qriskit from outside its venv ({qfile})")
    case = f"peer {peer.label}"
    rows = [_status(peer, how, version=got["version"], python=got["python"], notes=peer.notes)]
    for c in got["cases"]:
        group = c["group"]
        if "error" in c:
            rows.append({**harness.row(group, case, [0.0], core.NATIVE), "median_s": None, "min_s": None,
                         "max_s": None, "error": f"peer raised: {c['error'].strip().splitlines()[-1]}",
                         "traceback": c["error"]})
            continue
        extra: dict[str, Any] = {"api": c["stmt"], "loops": c["loops"], "repeats": c["repeats"]}
        problem = _check(group, c["output"])
        if problem:
            extra["wrong_output"] = problem  # a finding about the peer, not a failure of qriskit
        else:
            extra["verified"] = True
        same = _identical(group, c["output"])
        if same is not None:
            extra["identical_to_qriskit"] = same
        if group == core.GROUP_MANY:
            extra["codes_per_s"] = round(1 / c["median_s"])
        rows.append(harness.row(group, case, c, core.NATIVE, extra))
    if not groups or core.GROUP_IMPORT in groups:
        n = 5 if quick else 15
        probes = []
        for _ in range(n):
            p = subprocess.run([str(py), "-I", "-c", _import_probe(peer.import_name)], capture_output=True,
                               text=True, timeout=60, env=env, cwd=str(py.parent))
            if p.returncode:
                raise RuntimeError(f"peer {peer.label}: import probe failed: {p.stderr.strip()[-500:]}")
            probes.append(json.loads(p.stdout.strip().splitlines()[-1]))
        rows.append(harness.row(core.GROUP_IMPORT, f"{case} (import {peer.import_name})", [p["s"] for p in probes],
                                core.NATIVE, {"heavy_modules": probes[0]["heavy"], "runs": n}))
    return rows


#: seconds that installing peers may take in one run (quick, full), all peers together
INSTALL_BUDGET = (100.0, 600.0)
#: seconds for one peer's install (quick, full)
INSTALL_TIMEOUT = (60.0, 300.0)


def run(quick: bool, groups: set[str] | None = None) -> list[dict]:
    """Every peer's rows; ``groups`` limits the timed groups (None: the core's, ``core.GROUPS``).

    Installs share one time budget, so an offline machine costs the quick mode at most
    ``INSTALL_BUDGET[0]`` seconds; cached venvs cost nothing.
    """
    groups = groups or set(core.GROUPS)
    rows: list[dict] = []
    deadline = time.monotonic() + INSTALL_BUDGET[0 if quick else 1]
    for peer in PEERS:
        try:
            rows += run_peer(peer, quick, groups, min(INSTALL_TIMEOUT[0 if quick else 1],
                                                      deadline - time.monotonic()))
        except subprocess.TimeoutExpired as exc:
            rows.append(_status(peer, "skipped") | {"skipped": f"timed out after {exc.timeout:.0f} s"})
        except Exception as exc:
            rows.append(_status(peer, "error") | {"error": f"{type(exc).__name__}: {exc}"})
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from benchmarks.run import main

    sys.exit(main(["--only", "peers", *sys.argv[1:]]))
