"""The server's settings: every limit in one frozen object, each with an environment variable.

Needs nothing beyond the standard library and :mod:`qriskit.fetch`, so ``qriskit serve
--help`` works without the ``server`` extra.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..fetch import Allow, Connector, Resolver

__all__ = ["ENV_PREFIX", "Settings"]

#: Every setting ``name`` can come from the environment variable ``QRISKIT_SERVER_<NAME>``.
ENV_PREFIX = "QRISKIT_SERVER_"

_MiB = 1024 * 1024
_NO_ENV = frozenset({"fetch_resolver", "fetch_connector"})


@dataclass(frozen=True, slots=True)
class Settings:
    """What the server accepts and how much of it.

    ``api_key``: when set, every API request must send it in ``X-API-Key`` (401 otherwise);
    None accepts any key or none. ``public_url``: the base written into ``qr_image_url``
    (default: the URL the request came to). The limits are described in docs/server.md.
    ``fetch_resolver`` and ``fetch_connector`` replace the name lookup and the TCP
    connection of ``image_url`` fetches (tests); they have no environment variable.
    """

    api_key: str | None = None
    public_url: str | None = None
    max_body_bytes: int = 12 * _MiB
    max_batch_bytes: int = 16 * _MiB
    max_batch_rows: int = 100_000
    max_image_bytes: int = 8 * _MiB
    max_image_pixels: int = 25_000_000
    deadline: float = 15.0
    max_concurrency: int = 32
    image_workers: int = 2
    fetch: bool = True
    fetch_timeout: float = 8.0
    allow_fetch: tuple[Allow, ...] = ()
    fetch_resolver: Resolver | None = field(default=None, repr=False, compare=False)
    fetch_connector: Connector | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("max_body_bytes", "max_batch_bytes", "max_batch_rows", "max_image_bytes",
                     "max_image_pixels", "max_concurrency", "image_workers"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive whole number, not {value!r}")
        for name in ("deadline", "fetch_timeout"):
            value = getattr(self, name)
            if not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0:
                raise ValueError(f"{name} must be a positive number of seconds, not {value!r}")
        if self.api_key is not None:
            key = self.api_key
            if not key or not key.isascii() or not key.isprintable() or any(c.isspace() for c in key):
                raise ValueError("api_key must be printable ASCII without spaces (it travels in a header)")
        if self.public_url is not None and not self.public_url.startswith(("http://", "https://")):
            raise ValueError(f"public_url must start with http:// or https://, not {self.public_url!r}")
        if any(not isinstance(a, Allow) for a in self.allow_fetch):
            raise ValueError("allow_fetch holds qriskit.fetch.Allow entries (Allow.parse('10.0.0.0/8:8080'))")

    def replace(self, **changes: Any) -> Settings:
        """A copy with some settings changed."""
        return dataclasses.replace(self, **changes)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Settings from ``QRISKIT_SERVER_*`` variables (``API_KEY``, ``DEADLINE``,
        ``ALLOW_FETCH`` as comma-separated entries, ``FETCH`` as 0/1, ...), then ``overrides``."""
        env = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            text = env.get(ENV_PREFIX + f.name.upper())
            if text is None or f.name in _NO_ENV:
                continue
            values[f.name] = _from_text(f.name, text)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)


def _from_text(name: str, text: str) -> Any:
    where = f"{ENV_PREFIX}{name.upper()}={text!r}"
    if name in ("api_key", "public_url"):
        return text.strip() or None
    if name == "allow_fetch":
        try:
            return tuple(Allow.parse(item) for item in text.split(",") if item.strip())
        except ValueError as exc:
            raise ValueError(f"{where}: {exc}") from None
    if name == "fetch":
        if text.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if text.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"{where}: write 1 or 0")
    try:
        return float(text) if name in ("deadline", "fetch_timeout") else int(text)
    except ValueError:
        raise ValueError(f"{where}: not a number") from None
