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
