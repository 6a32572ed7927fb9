"""Choose the codec twin once, at import: native (``_codec_c``) or pure Python (``_codec_py``).

``QRISKIT_PURE_PYTHON=1`` forces the pure twin. Without it the native twin is used, and a
missing native module (a pure build, or an unbuilt source checkout) falls back to pure.
Type checkers always read the pure twin: it is the typed contract both twins follow.
"""

from __future__ import annotations

import os
from types import ModuleType
from typing import TYPE_CHECKING

__all__ = [
    "FORCE_PURE",
    "Payload",
    "backend",
    "crc16",
    "kernel",
    "tlv_items",
    "tlv_map",
    "to_dynamic",
    "to_dynamic_many",
    "to_static",
]

FORCE_PURE = os.environ.get("QRISKIT_PURE_PYTHON", "") not in ("", "0")

if TYPE_CHECKING:
    from . import _codec_py as kernel
    from ._codec_py import Payload, crc16, tlv_items, tlv_map, to_dynamic, to_dynamic_many, to_static
else:

    def _load() -> ModuleType:
        if not FORCE_PURE:
            try:
                from . import _codec_c
            except ImportError:
                pass
            else:
                return _codec_c
        from . import _codec_py

        return _codec_py

    kernel = _load()
    Payload = kernel.Payload
    crc16 = kernel.crc16
    tlv_items = kernel.tlv_items
    tlv_map = kernel.tlv_map
    to_dynamic = kernel.to_dynamic
    to_dynamic_many = kernel.to_dynamic_many
    to_static = kernel.to_static

#: "native" or "python": which twin runs the codec.
backend: str = "python" if kernel.__name__.endswith("_py") else "native"
