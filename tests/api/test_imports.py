"""Import hygiene: the core never pulls in httpx; a missing httpx says what to install."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

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
    assert 'pip install "pyqriskit[api]"' in result.stdout


def test_import_qriskit_does_not_import_httpx() -> None:
    result = _run("import sys, qriskit; print('httpx' in sys.modules, 'qriskit.api' in sys.modules)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "False"]


def test_import_qriskit_api_loads_nothing_of_the_core_beyond_import_qriskit() -> None:
    """qriskit.api is core-free at import: after ``import qriskit`` and ``import httpx``
    it adds its own modules and a little standard library, nothing else of qriskit."""
    result = _run(
        "import sys, json\n"
        "import qriskit, httpx\n"
        "before = set(sys.modules)\n"
        "import qriskit.api\n"
        "print(json.dumps(sorted(set(sys.modules) - before)))\n"
    )
    assert result.returncode == 0, result.stderr
    added = json.loads(result.stdout)
    outside = [m for m in added if m.startswith("qriskit") and not m.startswith("qriskit.api")]
    assert outside == []
    assert "anyio" not in added and "trio" not in added  # the async side imports it when used
    assert "qriskit.api.client" in added


API_DIR = ROOT / "qriskit" / "api"
#: What a module of qriskit.api may import at module level besides the standard library.
THIRD_PARTY = {"httpx"}
#: The public core, which only crosscheck may import, inside its function.
PUBLIC_CORE = {"qriskit", "qriskit.spec", "qriskit.errors"}


def _imports(tree: ast.Module) -> list[tuple[ast.stmt, bool]]:
    """Every import statement that runs, and whether it sits at module level."""
    top = {id(node) for node in tree.body}
    typing_only: set[int] = set()
    for node in tree.body:  # imports under ``if``/``try`` at module level count as top
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            typing_only |= {id(n) for n in ast.walk(node)}
        elif isinstance(node, (ast.If, ast.Try)):
            top |= {id(n) for n in ast.walk(node)}
    return [
        (n, id(n) in top)
        for n in ast.walk(tree)
        if isinstance(n, (ast.Import, ast.ImportFrom)) and id(n) not in typing_only
    ]


@pytest.mark.parametrize("path", sorted(API_DIR.glob("*.py")), ids=lambda p: p.name)
def test_api_modules_import_only_the_stdlib_httpx_and_each_other(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    siblings = {p.stem for p in API_DIR.glob("*.py")}
    for node, at_top in _imports(tree):
        if isinstance(node, ast.ImportFrom) and node.level:  # relative: inside qriskit.api
            assert node.level == 1, f"{path.name}: reaches out of qriskit.api: {ast.unparse(node)}"
            for alias in node.names:
                private = alias.name.startswith("_") and not (node.module is None and alias.name in siblings)
                assert not private, f"{path.name}: imports a private name: {ast.unparse(node)}"
            continue
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
        for name in names:
            root = name.split(".")[0]
            if root == "qriskit":
                assert not at_top and name in PUBLIC_CORE, f"{path.name}: imports the core: {ast.unparse(node)}"
                assert path.name == "crosscheck.py", f"{path.name}: only crosscheck uses the core"
                if isinstance(node, ast.ImportFrom):
                    assert not any(a.name.startswith("_") for a in node.names), ast.unparse(node)
            elif at_top:
                assert root in sys.stdlib_module_names or root in THIRD_PARTY, f"{path.name}: {ast.unparse(node)}"
            else:
                assert root in sys.stdlib_module_names or root in {"anyio"}, f"{path.name}: {ast.unparse(node)}"
