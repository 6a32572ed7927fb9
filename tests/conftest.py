"""Fixtures shared by every test folder: the two codec twins.

Every core and model test takes ``twin`` and so runs once on the native twin and once on
the pure one. A missing native twin is a failure, not a skip, except in a pure install
(``QRISKIT_PURE_PYTHON=1``), where only the pure twin exists.
"""

from __future__ import annotations

import importlib
import os
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from qriskit import summary, validation
from qriskit.model import QRIS, qris_class


@dataclass(frozen=True)
class Twin:
    """One codec twin, with the facade's operations bound to it."""

    name: str
    kernel: ModuleType
    QRIS: type[QRIS]

    def parse(self, payload: Any, verify_crc: bool = True) -> Any:
        return self.QRIS(payload, verify_crc)

    def validate(self, payload: Any, profile: str = "qris") -> validation.Report:
        return validation.check(payload, profile, self.QRIS)

    def info(self, payload: Any, profile: str = "qris") -> dict[str, Any]:
        return summary.info_dict(self.validate(payload, profile))

    def __getattr__(self, name: str) -> Any:  # crc16, to_dynamic, to_static, ...
        return getattr(self.kernel, name)


def _load(name: str) -> Twin:
    module = "qriskit._codec_py" if name == "python" else "qriskit._codec_c"
    try:
        kernel = importlib.import_module(module)
    except ImportError as exc:
        if os.environ.get("QRISKIT_PURE_PYTHON") == "1":
            pytest.skip(f"native twin not built in this pure install ({exc})")
        pytest.fail(f"native twin failed to import: {exc}; build it with `pip install -e .`")
    return Twin(name, kernel, qris_class(kernel))


@pytest.fixture(scope="session", params=["native", "python"])
def twin(request: pytest.FixtureRequest) -> Twin:
    """Each core and model test runs once per twin."""
    return _load(request.param)


@pytest.fixture(scope="session")
def twins() -> tuple[Twin, Twin]:
    """Both twins at once, for differential tests."""
    return _load("native"), _load("python")
