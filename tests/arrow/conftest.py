"""Both Arrow twins, and the row-by-row library answers they must equal.

``arrow_twin`` runs a test once with the native kernels (``_arrow_c``) and once with the pure
twin (``_arrow_py``), by swapping the kernel ``qriskit.arrow`` runs on. ``expected_*`` compute
what the library gives row by row, through the public API only.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

import pytest

import qriskit
from qriskit import _arrow
from qriskit._arrow_rows import tip_of


def _load(name: str) -> ModuleType:
    try:
        return importlib.import_module(f"qriskit._arrow_{'c' if name == 'native' else 'py'}")
    except ImportError as exc:
        if os.environ.get("QRISKIT_PURE_PYTHON") == "1":
            pytest.skip(f"native Arrow twin not built in this pure install ({exc})")
        pytest.fail(f"native Arrow twin failed to import: {exc}; build it with `pip install -e .`")


@contextmanager
def running(kernel: ModuleType) -> Iterator[None]:
    """Make ``qriskit.arrow`` run on ``kernel`` for the block."""
    saved = _arrow.kernel
    _arrow.kernel = kernel
    try:
        yield
    finally:
        _arrow.kernel = saved


@pytest.fixture(scope="session", params=["native", "python"])
def arrow_twin(request: pytest.FixtureRequest) -> ModuleType:
    return _load(request.param)


def outcome(fn: Any, *args: Any, **kwargs: Any) -> tuple[str, Any]:
    """("ok", result) or ("error", (class name, str(exc), code)) of one library call."""
    try:
        return "ok", fn(*args, **kwargs)
    except qriskit.QRISError as exc:
        return "error", (type(exc).__name__, str(exc), exc.code)


def expected_dynamic(payloads: list[Any], amounts: list[Any], tips: list[Any], refs: list[Any],
                     verify_crc: bool = True) -> list[tuple[str, Any] | None]:
    """Row by row: None for a null row, else the outcome of ``qriskit.to_dynamic``."""
    out: list[tuple[str, Any] | None] = []
    for p, a, t, r in zip(payloads, amounts, tips, refs):
        if p is None or a is None:
            out.append(None)
            continue

        def row(p: Any = p, a: Any = a, t: Any = t, r: Any = r) -> str:
            code = qriskit.parse(p, verify_crc=verify_crc)  # the payload is read first
            tip = None if t is None else (t if isinstance(t, qriskit.Tip) else tip_of(t))
            return qriskit.to_dynamic(code.payload, a, tip=tip, reference=r, verify_crc=False)

        out.append(outcome(row))
    return out


def observed(result: Any) -> list[tuple[str, Any] | None]:
    """A ``Converted`` as the same list of outcomes."""
    values = result.values.to_pylist()
    problems = result.errors.to_pylist()
    out: list[tuple[str, Any] | None] = []
    for v, e in zip(values, problems):
        if e is not None:
            assert v is None
            out.append(("error", (e["error"], e["message"], e["code"])))
        else:
            out.append(None if v is None else ("ok", v))
    return out
