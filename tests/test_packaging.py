"""Packaging: a build without a compiler fails loudly, unless a pure build is asked for."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def build(tmp_path, **env):
    return subprocess.run(
        [sys.executable, "setup.py", "-q", "build", "--build-base", str(tmp_path / "build")],
        cwd=ROOT, capture_output=True, text=True, env={**os.environ, **env}, timeout=300,
    )


def test_no_compiler_fails_loudly(tmp_path):
    result = build(tmp_path, CC="/bin/false", QRISKIT_PURE_PYTHON="0")
    assert result.returncode != 0
    assert "building the native core failed" in result.stderr
    assert "QRISKIT_PURE_PYTHON=1" in result.stderr


def test_pure_build_on_purpose(tmp_path):
    result = build(tmp_path, CC="/bin/false", QRISKIT_PURE_PYTHON="1")
    assert result.returncode == 0, result.stderr
    built = next((tmp_path / "build").glob("lib*/qriskit"))
    assert (built / "_codec_py.py").exists() and not list(built.glob("_codec_c*.so"))
    assert (built / "images" / "_qr_py.py").exists() and not list(built.glob("images/_qr_c*.so"))


def test_sdist_manifest_ships_sources_not_generated_c():
    manifest = (ROOT / "MANIFEST.in").read_text()
    assert "recursive-include qriskit *.pyx *.pxd" in manifest  # the codec twin and qriskit/images/_qr_c.pyx
    assert "global-exclude *.c *.so" in manifest


def pyproject():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pytest brings tomli on 3.10
        import tomli as tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def test_version_is_written_once():
    from importlib.metadata import version

    import qriskit
    from qriskit._version import DISTRIBUTION

    project = pyproject()["project"]
    assert "version" not in project and "version" in project["dynamic"]
    attr = pyproject()["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "qriskit._version.__version__"
    assert project["name"] == DISTRIBUTION
    assert version(DISTRIBUTION) == qriskit.__version__


def test_extras_refer_to_this_distribution():
    """An extra that names another extra must use our own name: "qriskit[...]" is another project."""
    import re

    name = pyproject()["project"]["name"]
    for extra, requirements in pyproject()["project"]["optional-dependencies"].items():
        for requirement in requirements:
            base = re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]
            normal = re.sub(r"[-_.]", "", base.lower())
            assert normal != "qriskit", (extra, requirement)
            assert normal != re.sub(r"[-_.]", "", name.lower()) or base == name, (extra, requirement)


def test_hints_name_the_distribution():
    from qriskit.errors import extra_missing

    assert extra_missing("image", "decoding").hint == 'pip install "pyqriskit[image]"'


def test_changelog_has_the_current_version():
    import qriskit

    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert "## Unreleased" in changelog
    assert f"## {qriskit.__version__} - " in changelog


def test_sdist_manifest_ships_docs_and_examples():
    manifest = (ROOT / "MANIFEST.in").read_text().splitlines()
    assert {"graft docs", "graft examples"} <= set(manifest)
    assert "CHANGELOG.md" in manifest[0]


def test_no_install_hint_names_the_other_project():
    """`pip install "qriskit[...]"` would install an unrelated project from PyPI."""
    import re

    files = [*ROOT.glob("qriskit/**/*.py"), *ROOT.glob("qriskit/**/*.pyx"), ROOT / "README.md",
             *ROOT.glob("docs/**/*.md"), *ROOT.glob("examples/*")]
    offenders = []
    for path in files:
        name = path.relative_to(ROOT).as_posix()
        if not path.is_file() or path.suffix in {".png", ".jpg"}:
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"(?<![\w-])qriskit\[", line):
                offenders.append(f"{name}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)
