"""Type checkers accept the package and a user's script, and see the package as installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(__file__).resolve().parent / "user_script.py"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, capture_output=True, text=True, timeout=600)


def test_user_script_runs():
    out = run(sys.executable, str(SCRIPT), cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Toko Sejahtera" in out.stdout


def test_mypy_strict_accepts_the_user_script_from_outside_the_checkout(tmp_path):
    # run away from the checkout, so that mypy must find qriskit where pip installed it
    script = tmp_path / "user_script.py"
    shutil.copy(SCRIPT, script)
    out = run(sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(script), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_pyright_accepts_the_user_script(tmp_path):
    script = tmp_path / "user_script.py"
    shutil.copy(SCRIPT, script)
    out = run(sys.executable, "-m", "pyright", "--pythonpath", sys.executable, str(script), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
