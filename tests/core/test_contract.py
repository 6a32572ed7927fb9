"""The twins' contract: the pure twin is the typed, documented reference; the native twin
exports the same names with the same signatures, summaries and scan protocol numbers."""

from __future__ import annotations

import importlib
import inspect
import os

import pytest

from qriskit import _codec, _codec_py, _scan


def _native_built() -> bool:
    try:
        importlib.import_module("qriskit._codec_c")
    except ImportError:
        if os.environ.get("QRISKIT_PURE_PYTHON") == "1":
            return False  # a pure install has one twin
        raise
    return True


needs_native = pytest.mark.skipif(not _native_built(), reason="a pure install has one twin")


def native():
    return importlib.import_module("qriskit._codec_c")


def _first_line(obj) -> str:
    return (inspect.getdoc(obj) or "").splitlines()[0]


@needs_native
def test_same_public_names():
    assert sorted(native().__all__) == sorted(_codec_py.__all__)
    assert set(_codec.__all__) >= set(_codec_py.__all__)


@needs_native
@pytest.mark.parametrize("name", [n for n in _codec_py.__all__ if n != "Payload"])
def test_functions_match(name):
    pure, fast = getattr(_codec_py, name), getattr(native(), name)
    assert _first_line(fast) == _first_line(pure)
    assert list(inspect.signature(fast).parameters) == list(inspect.signature(pure).parameters)


@needs_native
@pytest.mark.parametrize("name", [n for n in vars(_codec_py.Payload) if not n.startswith("_") or n == "__contains__"])
def test_payload_methods_match(name):
    pure, fast = getattr(_codec_py.Payload, name), getattr(native().Payload, name)
    assert _first_line(fast) == _first_line(pure), name
    if callable(pure) and name != "__contains__":  # a slot wrapper has no signature
        assert list(inspect.signature(fast).parameters) == list(inspect.signature(pure).parameters)


@needs_native
def test_scan_protocol_numbers_match():
    expected = {"TABLE_SIZE": _scan.TABLE_SIZE, "FORMAT_MASK": _scan.FORMAT_MASK, "RULE_SIZE": _scan.RULE_SIZE,
                "NO_ID": _scan.NO_ID}
    for enum in (_scan.Format, _scan.IdFlag, _scan.Finding, _scan.ScanFlag, _scan.Rule, _scan.RuleFlag):
        expected.update({f"{enum.__name__}.{m.name}": int(m) for m in enum})
    assert native().scan_protocol() == expected


def test_the_codec_module_names_the_active_twin():
    assert _codec.backend == ("python" if _codec.kernel is _codec_py else "native")
    assert _codec.to_dynamic is _codec.kernel.to_dynamic
