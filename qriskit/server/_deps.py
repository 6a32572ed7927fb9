"""The ``server`` extra: what it needs, and the one error when it is missing."""

from __future__ import annotations

import importlib.util

from ..errors import extra_missing

__all__ = ["REQUIRED", "missing", "require"]

#: Import names of the ``server`` extra's packages.
REQUIRED = ("starlette", "uvicorn", "multipart")


def missing() -> list[str]:
    """The server's packages that are not installed."""
    return [name for name in REQUIRED if importlib.util.find_spec(name) is None]


def require() -> None:
    """Raise :func:`qriskit.errors.extra_missing` unless the ``server`` extra is installed."""
    if missing():
        raise extra_missing("server", "the qriskit server")
