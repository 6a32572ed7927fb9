"""Fixtures for the CLI tests: every test runs the real command in a subprocess.

``run(*args, input=...)`` runs ``python -m qriskit ARGS`` with this checkout first on
``PYTHONPATH``, in a temporary working directory, and returns the finished process (stdout
and stderr as bytes, plus ``.out`` / ``.err`` as text).
"""

from __future__ import annotations

import binascii
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

BODY = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200176114730303UMI5204541153033605802ID"
    "5914Toko Sejahtera6007Jakarta61051234062070703A01"
)


def tlv(tag: str, value: str) -> str:
    return f"{tag}{len(value):02d}{value}"


def with_crc(body: str) -> str:
    """Append '6304' and the CRC-16/CCITT-FALSE (computed independently of qriskit)."""
    body += "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


def crc_ok(payload: str) -> bool:
    return payload[-8:-4] == "6304" and with_crc(payload[:-8]) == payload


def fields(payload: str) -> dict[str, str]:
    """Root id -> value of a well-formed payload (an independent walk)."""
    out, pos = {}, 0
    while pos < len(payload):
        tag, size = payload[pos : pos + 2], int(payload[pos + 2 : pos + 4])
        out[tag] = payload[pos + 4 : pos + 4 + size]
        pos += 4 + size
    return out


STATIC = with_crc(BODY)
BAD_CRC = STATIC[:-4] + ("0000" if not STATIC.endswith("0000") else "1111")


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), e.get("PYTHONPATH")) if p)
    e.pop("QRISKIT_PURE_PYTHON", None)
    e["PYTHONIOENCODING"] = "utf-8"
    return e


@dataclass
class Result:
    returncode: int
    stdout: bytes
    stderr: bytes

    @property
    def out(self) -> str:
        return self.stdout.decode("utf-8")

    @property
    def err(self) -> str:
        return self.stderr.decode("utf-8")

    @property
    def lines(self) -> list[str]:
        return self.out.splitlines()


def command(*args: object) -> list[str]:
    return [sys.executable, "-m", "qriskit", *map(str, args)]


@pytest.fixture
def run(tmp_path: Path):
    """Run ``python -m qriskit *args`` in ``tmp_path``; ``input`` is str or bytes for stdin."""

    def _run(*args: object, input: str | bytes | None = None, timeout: float = 120) -> Result:
        data = input.encode("utf-8") if isinstance(input, str) else input
        proc = subprocess.run(
            command(*args),
            input=data if data is not None else b"",
            capture_output=True,
            cwd=tmp_path,
            env=env(),
            timeout=timeout,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run


#: The import names of the ``image`` extra (and the optional decoder backends).
IMAGE_MODULES = ("PIL", "numpy", "segno", "zxingcpp", "cv2", "pyzbar")

_BLOCKED_MAIN = (
    "import sys\n"
    "for name in sys.argv[1].split(','):\n"
    "    if name:\n"
    "        sys.modules[name] = None  # `import name` now raises ImportError\n"
    "from qriskit.cli import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


@pytest.fixture
def run_without(tmp_path: Path):
    """Run the command with some modules made unimportable (a missing extra), in ``tmp_path``."""

    def _run(blocked: tuple[str, ...], *args: object, input: str | bytes | None = None) -> Result:
        data = input.encode("utf-8") if isinstance(input, str) else input
        proc = subprocess.run(
            [sys.executable, "-c", _BLOCKED_MAIN, ",".join(blocked), *map(str, args)],
            input=data if data is not None else b"",
            capture_output=True,
            cwd=tmp_path,
            env=env(),
            timeout=120,
        )
        return Result(proc.returncode, proc.stdout, proc.stderr)

    return _run


def assert_one_line_error(result: Result, code: int, *words: str) -> None:
    """A user mistake: the exit code, one line on stderr, no traceback, nothing on stdout."""
    assert result.returncode == code, (result.returncode, result.err)
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert len(lines) == 1, result.err
    assert lines[0].startswith("qriskit"), lines[0]
    for word in words:
        assert word.lower() in lines[0].lower(), (word, lines[0])


@pytest.fixture(scope="session")
def image_lib():
    """The image extra (installed by the test environment: its absence is a failure)."""
    import PIL  # noqa: F401
    import segno  # noqa: F401
    import zxingcpp  # noqa: F401

    import qriskit

    return qriskit


@pytest.fixture
def static_png(tmp_path: Path, image_lib) -> Path:
    path = tmp_path / "static.png"
    path.write_bytes(image_lib.encode_image(STATIC, "png"))
    return path


@pytest.fixture
def blank_png(tmp_path: Path, image_lib) -> Path:
    from PIL import Image

    path = tmp_path / "blank.png"
    Image.new("L", (200, 200), 255).save(path)
    return path
