"""The console samples of docs/cli.md and of the README's command-line section run as written.

Each ```console block is a session: a line starting with ``$ `` is run by bash (stdout and
stderr together) in a folder holding a copy of ``examples/``; the lines after it, up to the
next ``$ ``, are what it must print. One folder per document, so files made by one sample
are there for the next.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

_BLOCK = re.compile(r"^```console\n(.*?)^```", re.M | re.S)


def _sessions(text: str) -> list[list[tuple[str, str]]]:
    sessions = []
    for block in _BLOCK.findall(text):
        steps: list[tuple[str, list[str]]] = []
        for line in block.splitlines():
            if line.startswith("$ "):
                steps.append((line[2:], []))
            else:
                assert steps, f"output before any command: {line!r}"
                steps[-1][1].append(line)
        sessions.append([(cmd, "".join(f"{o}\n" for o in out)) for cmd, out in steps])
    return sessions


def _readme_cli_section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text.split("## The command line\n", 1)[1].split("\n## ", 1)[0]


DOCS = {
    "docs/cli.md": lambda: (ROOT / "docs" / "cli.md").read_text(encoding="utf-8"),
    "README.md#the-command-line": _readme_cli_section,
}


@pytest.mark.parametrize("name", list(DOCS))
def test_console_samples_run_as_written(name, tmp_path, image_lib):
    sessions = _sessions(DOCS[name]())
    assert sessions, f"no console samples in {name}"
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env.pop("QRISKIT_PURE_PYTHON", None)
    marker = "@@qriskit-docs-step@@"
    ran = 0
    for session in sessions:
        # one shell per session, so `echo $?` sees the command before it
        script = "exec 2>&1\n" + "".join(
            f"__status=$?; echo {marker}; (exit $__status)\n{command}\n" for command, _ in session
        )
        proc = subprocess.run(["bash", "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              cwd=tmp_path, env=env, timeout=300, text=True)
        outputs = proc.stdout.split(marker + "\n")[1:]
        assert len(outputs) == len(session), proc.stdout
        for (command, expected), got in zip(session, outputs):
            assert got == expected, f"{name}: $ {command}"
            ran += 1
    assert ran >= 5
