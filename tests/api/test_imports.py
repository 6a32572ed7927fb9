"""Import hygiene: the core never pulls in httpx; a missing httpx says what to install."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)


BLOCK_HTTPX = """
import sys
sys.modules["httpx"] = None  # what an environment without httpx looks like to import
"""


def test_missing_httpx_gives_install_hint() -> None:
    result = _run(
        BLOCK_HTTPX
        + """
try:
    import qriskit.api
except ImportError as exc:
    print("IMPORTERROR", exc)
"""
    )
    assert "IMPORTERROR" in result.stdout, result.stderr
    assert 'pip install "qriskit[api]"' in result.stdout


def test_import_qriskit_does_not_import_httpx() -> None:
    result = _run("import sys, qriskit; print('httpx' in sys.modules, 'qriskit.api' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]
