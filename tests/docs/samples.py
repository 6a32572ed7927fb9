"""Run every sample of README.md and docs/*.md, and check what it shows (Sybil).

The conventions (docs/CONTRIBUTING-docs.md):

* ```` ```python ```` blocks run in order, in one namespace per file. A block that starts
  with ``>>>`` is a doctest: its shown output is checked (``...`` matches anything). Any
  other Python block must run without raising.
* ```` ```console ```` blocks: each ``$ command`` runs in bash; the lines after it, up to
  the next ``$``, are its expected stdout and stderr together (``...`` matches anything,
  trailing spaces ignored). A command that exits non-zero must be followed by
  ``$ echo $?`` showing its status.
* Every file runs in its own scratch folder holding a copy of ``examples/`` (so
  ``examples/static-qris.txt`` is there, and files a sample writes vanish afterwards).
* ``<!-- network: bayargg -->`` starts a local stand-in for the BAYAR GG API
  (tests/docs/bayargg_standin.py) for the rest of the file: ``BAYARGG_BASE_URL`` and
  ``BAYARGG_API_KEY`` point at it, and Python samples see it as ``bayargg_standin``.
* ``<!-- session: qriskit-serve -->`` runs ``qriskit serve`` on 127.0.0.1:8080 (the
  address the README's requests use) for the rest of the file.
* ``<!-- session: spark -->`` gives the rest of the file's Python samples ``spark``, a local
  ``local[2]`` SparkSession whose workers run this interpreter (needs Java).
* Other fences (``bash``, ``text``, ``json``, ...) are shown, not run.
"""

from __future__ import annotations

import doctest
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sybil import Example, Region, Sybil
from sybil.parsers.markdown import CodeBlockParser, PythonCodeBlockParser
from sybil.parsers.markdown.lexers import DirectiveInHTMLCommentLexer

ROOT = Path(__file__).resolve().parents[2]
STATE = "__sample_state__"
FLAGS = doctest.ELLIPSIS
#: The environment every sample sees: no colours, a fixed width, unbuffered Python.
SAMPLE_ENV = {"NO_COLOR": "1", "TERM": "dumb", "COLUMNS": "100", "PYTHONUNBUFFERED": "1", "PYTHONIOENCODING": "utf-8"}
STEP_TIMEOUT = 300


@dataclass
class State:
    """One document's scratch folder, environment and stand-ins."""

    folder: Path
    old_cwd: str
    old_env: dict[str, str | None] = field(default_factory=dict)
    standins: list[Any] = field(default_factory=list)

    def setenv(self, name: str, value: str) -> None:
        self.old_env.setdefault(name, os.environ.get(name))
        os.environ[name] = value


def setup(namespace: dict[str, Any]) -> None:
    folder = Path(tempfile.mkdtemp(prefix="qriskit-sample-"))
    shutil.copytree(ROOT / "examples", folder / "examples", ignore=shutil.ignore_patterns("__pycache__"))
    state = State(folder, os.getcwd())
    bin_dir = str(Path(sys.executable).parent)  # this interpreter's `qriskit` and `python` come first
    state.setenv("PATH", bin_dir + os.pathsep + os.environ.get("PATH", ""))
    for name, value in SAMPLE_ENV.items():
        state.setenv(name, value)
    os.chdir(folder)
    namespace[STATE] = state


def teardown(namespace: dict[str, Any]) -> None:
    state: State = namespace[STATE]
    for standin in state.standins:
        standin.__exit__(None, None, None)
    os.chdir(state.old_cwd)
    for name, value in state.old_env.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    shutil.rmtree(state.folder, ignore_errors=True)


# --- console blocks -----------------------------------------------------------------------


@dataclass
class Step:
    command: str
    expected: str
    line: int  # within the block


def console_steps(text: str) -> list[Step]:
    """Split a console block into commands (``$ ``, continued by a trailing backslash) and
    the output shown under each."""
    steps: list[Step] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            if not steps:
                raise ValueError(f"console block line {i + 1}: output before the first '$ ' command: {line!r}")
            steps[-1].expected += line + "\n"
            i += 1
            continue
        command, start = line[2:], i
        while command.endswith("\\") and i + 1 < len(lines):
            i += 1
            command += "\n" + lines[i].removeprefix("> ")
        steps.append(Step(command, "", start + 1))
        i += 1
    return steps


def _script(steps: list[Step]) -> str:
    parts = ["__qk_rc=0"]
    for n, step in enumerate(steps):
        parts.append(f"printf '\\036S{n}\\036'")
        parts.append(f"(exit $__qk_rc); {step.command}")
        parts.append(f"__qk_rc=$?; printf '\\036E{n} %d\\036' $__qk_rc")
    return "\n".join(parts) + "\n"


def _normal(text: str) -> str:
    text = "\n".join(line.rstrip() for line in text.splitlines())
    return text + "\n" if text else ""


def evaluate_console(example: Example) -> str | None:
    state: State = example.namespace[STATE]
    steps = console_steps(example.parsed)
    result = subprocess.run(
        ["bash", "--noprofile", "--norc", "-c", _script(steps)],
        cwd=state.folder, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        timeout=STEP_TIMEOUT * len(steps), check=False,
    )
    out = result.stdout.decode("utf-8", "replace")
    found = {int(n): (body, int(rc)) for n, body, rc in re.findall(r"\x1eS(\d+)\x1e(.*?)\x1eE\1 (\d+)\x1e", out, re.S)}
    checker = doctest.OutputChecker()
    for n, step in enumerate(steps):
        where = f"line {example.line + step.line} ($ {step.command.splitlines()[0]})"
        if n not in found:
            return f"{where}: did not finish; the block's output was:\n{out}"
        got, rc = found[n]
        want = _normal(step.expected)
        if not checker.check_output(want, _normal(got), FLAGS):
            return f"{where}: output differs\n--- shown in the docs\n{want}--- printed\n{_normal(got)}"
        following = steps[n + 1].command.strip() if n + 1 < len(steps) else ""
        if rc != 0 and following != "echo $?":
            return f"{where}: exited with status {rc}; show it with '$ echo $?' on the next line, or fix the sample"
    return None


# --- the network directive ----------------------------------------------------------------


class NetworkParser:
    """``<!-- network: bayargg -->``: the rest of the file talks to a local stand-in."""

    def __init__(self) -> None:
        self.lexer = DirectiveInHTMLCommentLexer(directive="network", arguments=r"[\w-]+")

    def __call__(self, document: Any) -> Any:
        for region in self.lexer(document):
            yield Region(region.start, region.end, region.lexemes["arguments"], self.evaluate)

    @staticmethod
    def evaluate(example: Example) -> str | None:
        state: State = example.namespace[STATE]
        if example.parsed != "bayargg":
            return f"unknown network stand-in {example.parsed!r} (known: bayargg)"
        from tests.docs.bayargg_standin import API_KEY, StandIn

        standin = StandIn().__enter__()
        state.standins.append(standin)
        state.setenv("BAYARGG_BASE_URL", standin.base_url)
        state.setenv("BAYARGG_API_KEY", API_KEY)
        example.namespace["bayargg_standin"] = standin
        return None


# --- the session directive ----------------------------------------------------------------


class _Stopping:
    """A Spark session stopped with the document's other stand-ins."""

    def __init__(self, session: Any) -> None:
        self.session = session

    def __exit__(self, *exc: object) -> None:
        self.session.stop()


class _Server:
    """``qriskit serve`` in a child process, stopped with the document's other stand-ins."""

    PORT = 8080

    def __init__(self, folder: Path) -> None:
        import socket
        import time
        import urllib.request

        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", self.PORT)) == 0:
                raise RuntimeError(f"port {self.PORT} is in use: the README's server samples need it free")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "qriskit", "serve", "--port", str(self.PORT), "--no-access-log"],
            cwd=folder, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.PORT}/healthz", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    raise RuntimeError("qriskit serve did not start") from None
                time.sleep(0.1)

    def __exit__(self, *exc: object) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class SessionParser:
    """``<!-- session: NAME -->``: ``spark`` (a SparkSession) or ``qriskit-serve`` (a server)."""

    def __init__(self) -> None:
        self.lexer = DirectiveInHTMLCommentLexer(directive="session", arguments=r"[\w-]+")

    def __call__(self, document: Any) -> Any:
        for region in self.lexer(document):
            yield Region(region.start, region.end, region.lexemes["arguments"], self.evaluate)

    @staticmethod
    def evaluate(example: Example) -> str | None:
        state: State = example.namespace[STATE]
        if example.parsed == "qriskit-serve":
            try:
                state.standins.append(_Server(state.folder))
            except RuntimeError as exc:
                return str(exc)
            return None
        if example.parsed != "spark":
            return f"unknown session {example.parsed!r} (known: spark, qriskit-serve)"
        if shutil.which("java") is None:
            return "a Spark sample needs a Java runtime (apt-get install openjdk-17-jre-headless)"
        state.setenv("PYSPARK_PYTHON", sys.executable)
        state.setenv("PYSPARK_DRIVER_PYTHON", sys.executable)
        from pyspark.sql import SparkSession

        session = (SparkSession.builder.master("local[2]").appName("qriskit-docs")
                   .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
        session.sparkContext.setLogLevel("ERROR")
        state.standins.append(_Stopping(session))
        example.namespace["spark"] = session
        return None


SAMPLE_FILES = ["README.md", "docs/*.md", "docs/**/*.md", "examples/README.md"]

sybil = Sybil(
    parsers=[
        NetworkParser(),
        SessionParser(),
        PythonCodeBlockParser(doctest_optionflags=FLAGS),
        CodeBlockParser(language="console", evaluator=evaluate_console),
    ],
    patterns=SAMPLE_FILES,
    path=str(ROOT),
    setup=setup,
    teardown=teardown,
)
