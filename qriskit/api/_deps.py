"""Fail early, and helpfully, when the optional ``api`` extra is not installed."""

from __future__ import annotations

try:
    import httpx  # noqa: F401
except ImportError as exc:  # pragma: no cover - tested in a subprocess
    raise ImportError('qriskit.api needs httpx: install it with pip install "pyqriskit[api]"') from exc
