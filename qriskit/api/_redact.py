"""Keep the API key out of everything people see: error messages, reprs and log records.

Redaction never touches the data a call returns; it scrubs the errors a client raises
and the log records of ``httpx``, ``httpcore`` and ``qriskit.api``. A :class:`Redactor`
hides the key in every form a server or a library could echo it:

* the key itself, in any letter case;
* any run of :data:`MIN_FRAGMENT` or more consecutive characters of it (all of it when
  the key is shorter), so a partial echo is hidden too;
* any run of :data:`MIN_FRAGMENT` or more characters of its URL-encoded, hexadecimal and
  base64 forms (standard and URL-safe alphabets, at any alignment, so base64 of
  ``"user:" + key`` is caught as well).

Each hidden run becomes ``***``.
"""

from __future__ import annotations

import base64
import logging
import re
import string
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

__all__ = ["LOGGERS", "MIN_FRAGMENT", "Redactor", "hide", "register"]

#: The shortest run of the key's characters that is hidden on its own.
MIN_FRAGMENT = 8
#: Loggers whose records are scrubbed once a client exists (httpcore logs response
#: headers at DEBUG level, httpx the status line at INFO level).
LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
    "qriskit.api",
)
MASK = "***"

_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
_RUNS = re.compile(rb"\x01+")


def _base64_forms(data: bytes) -> list[str]:
    """Base64 of ``data`` as it reads inside a longer encoded text, at each alignment."""
    forms = []
    for pad in range(3):
        encoded = base64.b64encode(b"\0" * pad + data).decode()
        # characters that depend on the neighbouring bytes are cut off at both ends
        start, end = -(-4 * pad // 3), 4 * (pad + len(data)) // 3
        core = encoded[start:end]
        forms += [core, core.replace("+", "-").replace("/", "_")]
    return forms


def _encoded_forms(secret: str) -> list[str]:
    raw = secret.encode()
    return [quote(secret, safe=""), quote_plus(secret), raw.hex(), *_base64_forms(raw)]


def _grams(forms: list[str], size: int) -> frozenset[str]:
    """Every run of ``size`` characters of ``forms``, lower-cased."""
    grams: set[str] = set()
    for form in forms:
        low = form.translate(_LOWER)
        grams.update(low[i : i + size] for i in range(len(low) - size + 1))
    return frozenset(grams)


class Redactor:
    """Hides one secret (see the module docstring); cheap to call on short texts."""

    __slots__ = ("__weakref__", "_tables")

    def __init__(self, secret: str) -> None:
        size = max(1, min(len(secret), MIN_FRAGMENT))
        plain, encoded = _grams([secret], size), _grams(_encoded_forms(secret), MIN_FRAGMENT)
        if size == MIN_FRAGMENT:
            self._tables: tuple[tuple[int, frozenset[str]], ...] = ((size, plain | encoded),)
        else:  # a short key: its encodings count only from MIN_FRAGMENT characters on
            self._tables = ((size, plain), (MIN_FRAGMENT, encoded))

    def __repr__(self) -> str:
        return "Redactor(<hidden>)"

    def mark(self, low: str, hidden: bytearray) -> None:
        """Set ``hidden[i]`` for each character of ``low`` (lower-cased) in a secret run."""
        for size, grams in self._tables:
            for i in range(len(low) - size + 1):
                if low[i : i + size] in grams:
                    hidden[i : i + size] = b"\1" * size

    def text(self, value: str) -> str:
        """``value`` with every run that belongs to the secret replaced by ``***``."""
        return hide(value, (self,))

    def deep(self, value: Any, _depth: int = 0) -> Any:
        """``value`` with :meth:`text` applied to every string inside (keys too)."""
        if isinstance(value, str):
            return self.text(value)
        if _depth > 64:  # replies are depth-limited; this only guards odd attributes
            return MASK
        if isinstance(value, Mapping):
            return {self.deep(k, _depth + 1): self.deep(v, _depth + 1) for k, v in value.items()}
        if isinstance(value, tuple):
            return tuple(self.deep(v, _depth + 1) for v in value)
        if isinstance(value, list):
            return [self.deep(v, _depth + 1) for v in value]
        return value

    def scrub(self, error: BaseException) -> BaseException:
        """Scrub ``error``'s arguments and attributes in place; returns it."""
        error.args = tuple(self.deep(arg) for arg in error.args)
        for name, value in list(vars(error).items()):
            setattr(error, name, self.deep(value))
        return error


def hide(value: str, redactors: Iterable[Redactor]) -> str:
    """``value`` with the runs of every redactor's secret replaced, all marked at once
    (one key's mask must not split a run of another)."""
    low = value.translate(_LOWER)
    hidden = bytearray(len(value))
    for redactor in redactors:
        redactor.mark(low, hidden)
    if not any(hidden):
        return value
    out, last = [], 0
    for run in _RUNS.finditer(hidden):
        out += [value[last : run.start()], MASK]
        last = run.end()
    out.append(value[last:])
    return "".join(out)


class _ScrubbingFilter(logging.Filter):
    """Rewrites a log record whose text carries a registered secret."""

    def filter(self, record: logging.LogRecord) -> bool:
        with _LOCK:
            redactors = list(_ACTIVE)
        if not redactors:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is left for logging to report
            return True
        clean = hide(message, redactors)
        if clean != message:
            record.msg, record.args = clean, None
        return True


_LOCK = threading.Lock()
_ACTIVE: weakref.WeakSet[Redactor] = weakref.WeakSet()
_FILTER = _ScrubbingFilter()


def register(redactor: Redactor) -> None:
    """Scrub ``redactor``'s secret from the :data:`LOGGERS` for as long as it lives."""
    with _LOCK:
        _ACTIVE.add(redactor)
        for name in LOGGERS:
            logger = logging.getLogger(name)
            if _FILTER not in logger.filters:
                logger.addFilter(_FILTER)
