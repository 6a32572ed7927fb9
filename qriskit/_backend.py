"""Choose the codec twin once, at import: native (compiled) or pure Python.

``QRISKIT_PURE_PYTHON=1`` forces the pure twin. Without it the native twin is used, and a
missing native module (a pure build, or an unbuilt source checkout) falls back to pure.
"""

from __future__ import annotations

import os
from types import ModuleType

FORCE_PURE = os.environ.get("QRISKIT_PURE_PYTHON", "") not in ("", "0")


def _load() -> tuple[ModuleType, str]:
    if not FORCE_PURE:
        try:
            from . import _native
        except ImportError:
            pass
        else:
            return _native, "native"
    from . import _core

    return _core, "python"


kernel, name = _load()
