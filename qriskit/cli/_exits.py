"""Exit codes of the ``qriskit`` command, and the one error type its commands raise."""

from __future__ import annotations

from types import MappingProxyType

__all__ = [
    "EXIT_CODES",
    "EXIT_EXTRA",
    "EXIT_IMAGE",
    "EXIT_INTERRUPTED",
    "EXIT_INVALID",
    "EXIT_IO",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "CLIError",
]

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INVALID = 3
EXIT_IMAGE = 4
EXIT_IO = 5
EXIT_EXTRA = 6
EXIT_INTERRUPTED = 130
EXIT_PIPE = 141

#: exit code -> meaning: the one table (``--help``, the package docstring and docs/cli.md show it).
EXIT_CODES: MappingProxyType[int, str] = MappingProxyType({
    EXIT_OK: "success",
    EXIT_PROBLEMS: "validate found errors (with --strict: or warnings)",
    EXIT_USAGE: "usage error: bad options or arguments, a CSV without the expected columns",
    EXIT_INVALID: "invalid input: a code, amount or value (CRC, TLV, amount, reference), a bad batch row, "
                  "input that is not UTF-8 or not well-formed CSV/JSON",
    EXIT_IMAGE: "an image without a valid payment QR code, or an unreadable image",
    EXIT_IO: "I/O error: a file not found, unreadable or unwritable; stdin or stdout closed",
    EXIT_EXTRA: "an optional dependency is missing (the image, server or arrow extra, a QR decoder): "
                "the message names what to install",
    EXIT_INTERRUPTED: "interrupted (Ctrl-C)",
    EXIT_PIPE: "the reader of stdout went away (qriskit ... | head): stopped quietly",
})


class CLIError(Exception):
    """A user-facing failure: one line of text and the exit code to end with.

    ``exit_code`` is one of ``EXIT_CODES``; ``code`` is its older name, kept working (it is
    not a problem code: those are ``Problem.code`` and ``QRISError.code``).
    """

    def __init__(self, message: str, exit_code: int) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code

    @property
    def code(self) -> int:
        """The older name of ``exit_code``."""
        return self.exit_code
