"""Optional dependencies of the image functions: a missing one is an ``ImageError``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import ImageError, extra_missing


@contextmanager
def needs(feature: str) -> Iterator[None]:
    """Wrap the imports of an optional package: an ``ImportError`` inside becomes an
    ``ImageError`` naming ``feature`` and the extra to install (``pyqriskit[image]``)."""
    try:
        yield
    except ImportError as exc:
        missing = getattr(exc, "name", None) or "a package"
        raise extra_missing("image", f"{feature} ({missing} is missing)", ImageError) from exc
