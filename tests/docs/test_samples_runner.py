"""The documentation sample runner (tests/docs/samples.py) itself: it fails when a sample
stops running or its output drifts, and no sample escapes it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from sybil.example import SybilFailure

from tests.docs import samples

if sys.version_info >= (3, 11):
    import tomllib
else:  # pytest brings tomli on 3.10
    import tomli as tomllib

ROOT = samples.ROOT
FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
#: Fences that are shown and not run; anything else must be python or console.
SHOWN_ONLY = {"bash", "text", "json", "toml", "csv", "yaml", "ini", "http", "sql", "html", "javascript", "js"}


def evaluate(tmp_path: Path, markdown: str) -> list[str]:
    """Run a markdown document through the runner; the failure messages, in order."""
    path = tmp_path / "page.md"
    path.write_text(markdown)
    document = samples.sybil.parse(path)
    failures = []
    samples.setup(document.namespace)
    try:
        for example in document.examples():
            try:
                example.evaluate()
            except SybilFailure as exc:
                failures.append(str(exc))
            except Exception as exc:  # a Python block that raises
                failures.append(f"{type(exc).__name__}: {exc}")
    finally:
        samples.teardown(document.namespace)
    return failures


def test_console_steps():
    steps = samples.console_steps("$ echo a \\\n> b\na b\n$ true\n")
    assert [(s.command, s.expected, s.line) for s in steps] == [("echo a \\\nb", "a b\n", 1), ("true", "", 4)]
    with pytest.raises(ValueError, match="output before the first"):
        samples.console_steps("stray\n$ true\n")


def test_console_output_is_checked(tmp_path):
    ok = "```console\n$ echo hello; echo world >&2\nhello\nworld\n$ printf 'a long line'\na ... line\n```\n"
    assert evaluate(tmp_path, ok) == []
    drift = "```console\n$ echo hello\nhallo\n```\n"
    [failure] = evaluate(tmp_path, drift)
    assert "output differs" in failure and "hallo" in failure and "hello" in failure


def test_console_exit_status_must_be_shown(tmp_path):
    [failure] = evaluate(tmp_path, "```console\n$ false\n```\n")
    assert "exited with status 1" in failure
    assert evaluate(tmp_path, "```console\n$ (exit 3)\n$ echo $?\n3\n```\n") == []


def test_console_runs_in_a_scratch_copy_of_examples(tmp_path):
    block = (
        "```console\n$ head -c 8 examples/static-qris.txt; echo\n00020101\n"
        "$ touch made-here; ls made-here\nmade-here\n```\n"
    )
    assert evaluate(tmp_path, block) == []
    assert not (ROOT / "made-here").exists()


def test_console_sees_this_interpreter_and_qriskit(tmp_path):
    block = "```console\n$ qriskit convert examples/static-qris.txt --amount 15000 | cut -c1-12\n000201010212\n```\n"
    assert evaluate(tmp_path, block) == []


def test_python_doctest_output_is_checked(tmp_path):
    assert evaluate(tmp_path, "```python\n>>> 1 + 1\n2\n\n```\n") == []
    [failure] = evaluate(tmp_path, "```python\n>>> 1 + 1\n3\n\n```\n")
    assert "Expected:\n    3\nGot:\n    2" in failure


def test_python_blocks_share_a_namespace_and_must_not_raise(tmp_path):
    assert evaluate(tmp_path, "```python\nx = 41\n```\n\n```python\n>>> x + 1\n42\n\n```\n") == []
    [failure] = evaluate(tmp_path, "```python\nundefined_name\n```\n")
    assert "NameError" in failure


def test_network_directive_starts_the_bayargg_standin(tmp_path):
    page = (
        "<!-- network: bayargg -->\n\n```python\n>>> from qriskit.api import BayarGG\n"
        ">>> with BayarGG() as api:\n...     api.create_payment(5000).final_amount\n5123\n\n```\n"
    )
    assert evaluate(tmp_path, page) == []
    [failure] = evaluate(tmp_path, "<!-- network: elsewhere -->\n")
    assert "unknown network stand-in 'elsewhere'" in failure


def sample_files() -> list[Path]:
    return sorted({p for pattern in samples.SAMPLE_FILES for p in ROOT.glob(pattern)})


@pytest.mark.parametrize("path", sample_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_fence_is_run_or_shown_on_purpose(path):
    """A fence without a language, or with one the runner does not know, would escape it."""
    opened = None
    for number, line in enumerate(path.read_text().splitlines(), 1):
        match = FENCE.match(line)
        if not match:
            continue
        if opened is None:
            opened = match.group(1)
            language = match.group(2).strip()
            assert language in SHOWN_ONLY | {"python", "console"}, f"{path.name}:{number}: fence {language!r}"
        elif match.group(1).startswith(opened) and not match.group(2).strip():
            opened = None


def test_the_samples_are_collected():
    """pytest's default run reaches the sample files, and the runner finds their samples."""
    testpaths = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]["testpaths"]
    assert {"README.md", "docs", "examples/README.md"} <= set(testpaths)
    readme = list(samples.sybil.parse(ROOT / "README.md").examples())
    assert len(readme) >= 20
    evaluators = {getattr(e.region.evaluator, "__name__", type(e.region.evaluator).__name__) for e in readme}
    assert {"DocTestEvaluator", "evaluate_console", "evaluate"} <= evaluators, evaluators
