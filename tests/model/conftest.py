"""The model tests run on every available twin: the pure one always, the native one if built."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import pytest

from qriskit.model import qris_class
from qriskit.validate import validate


@dataclass(frozen=True)
class ModelTwin:
    name: str
    kernel: ModuleType
    QRIS: type

    def parse(self, payload: Any, verify_crc: bool = True) -> Any:
        return self.QRIS(payload, verify_crc)

    def validate(self, payload: Any, profile: str = "qris") -> Any:
        return validate(payload, profile, _kernel=self.kernel)


def _available() -> list[str]:
    names = ["python"]
    try:
        importlib.import_module("qriskit._native")
    except ImportError:
        pass
    else:
        names.insert(0, "native")
    return names


@pytest.fixture(scope="session", params=_available())
def mtwin(request: pytest.FixtureRequest) -> ModelTwin:
    module = importlib.import_module("qriskit._core" if request.param == "python" else "qriskit._native")
    return ModelTwin(request.param, module, qris_class(module))
