"""Fixtures for the image tests: payloads, pictures, and one fixture per decoder backend."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("PIL", reason="the image extra (Pillow) is not installed")
pytest.importorskip("numpy", reason="the image extra (numpy) is not installed")
pytest.importorskip("segno", reason="the image extra (segno) is not installed")
pytest.importorskip("zxingcpp", reason="the image extra (zxing-cpp) is not installed")

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import qr_imagegen  # noqa: E402

BACKEND_PACKAGES = {"zxing-cpp": "zxingcpp", "opencv": "cv2", "zbar": "pyzbar.pyzbar"}


@pytest.fixture(scope="session")
def gen():
    """The picture generator module (tests/image/qr_imagegen.py)."""
    return qr_imagegen


@pytest.fixture(scope="session")
def sample() -> str:
    return qr_imagegen.SAMPLE


@pytest.fixture(scope="session")
def sample_utf8() -> str:
    return qr_imagegen.SAMPLE_UTF8


@pytest.fixture(params=list(BACKEND_PACKAGES))
def backend(request) -> str:
    """Each decoder backend, skipped when its package (or libzbar) is not installed."""
    pytest.importorskip(BACKEND_PACKAGES[request.param], reason=f"decoder backend {request.param} not installed")
    return request.param
