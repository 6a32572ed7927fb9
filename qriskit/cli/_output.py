"""Where the command writes: stdout, or a file written whole or not at all.

``Output(path)`` gives a binary ``stream``:

* ``None`` or ``"-"``: stdout;
* a regular file, or a name that does not exist yet: a temporary file beside it (the real
  file's folder when the path is a symlink), renamed over it by ``commit()``, removed by
  ``discard()``; an existing file keeps its permission bits;
* anything else that exists (``/dev/null``, a FIFO, a terminal): opened and written in
  place, never replaced or removed.

Use it as a context manager: a clean exit commits, an exception discards.
"""

from __future__ import annotations

import os
import stat
import sys
from types import TracebackType
from typing import BinaryIO

from ._exits import EXIT_IO, CLIError

__all__ = ["Output", "stdout_binary", "write_file"]


def stdout_binary() -> BinaryIO:
    """stdout as a binary stream (text written before is flushed first)."""
    if sys.stdout is None:
        raise CLIError("stdout is closed: nothing can be written (give -o FILE)", EXIT_IO)
    sys.stdout.flush()
    return sys.stdout.buffer


class Output:
    """One output target (see the module doc)."""

    def __init__(self, path: str | None) -> None:
        self.path = None if path in (None, "-") else path
        self._tmp: str | None = None
        self._final: str | None = None
        self._mode: int | None = None
        self.stream: BinaryIO
        if self.path is None:
            self.stream = stdout_binary()
            return
        try:
            st: os.stat_result | None = os.stat(self.path)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise CLIError(f"cannot write {self.path!r}: {exc.strerror}", EXIT_IO) from None
        if st is not None and stat.S_ISDIR(st.st_mode):
            raise CLIError(f"cannot write {self.path!r}: it is a directory", EXIT_IO)
        try:
            if st is not None and not stat.S_ISREG(st.st_mode):  # a device or a FIFO: write into it
                self.stream = open(self.path, "wb")  # closed by commit or discard
                return
            final = os.path.realpath(self.path)
            folder, name = os.path.split(final)
            tmp = os.path.join(folder, f".{name}.{os.getpid()}.{os.urandom(4).hex()}.part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except OSError as exc:
            raise CLIError(f"cannot write {self.path!r}: {exc.strerror}", EXIT_IO) from None
        self._tmp, self._final = tmp, final
        self._mode = stat.S_IMODE(st.st_mode) if st is not None else None
        self.stream = os.fdopen(fd, "wb")

    @property
    def is_file(self) -> bool:
        """True when writing a named file (not stdout)."""
        return self.path is not None

    def commit(self) -> None:
        """Finish: flush, close, and put the file in place."""
        if self.path is None:
            self.stream.flush()
            return
        self.stream.close()
        if self._tmp is not None and self._final is not None:
            try:
                if self._mode is not None:
                    os.chmod(self._tmp, self._mode)
                os.replace(self._tmp, self._final)
            except OSError as exc:
                self.discard()
                raise CLIError(f"cannot write {self.path!r}: {exc.strerror}", EXIT_IO) from None
            self._tmp = None

    def discard(self) -> None:
        """Give up: close, and remove the temporary file (the target is left as it was)."""
        if self.path is None:
            return
        try:
            self.stream.close()
        except OSError:  # pragma: no cover - closing after a failed write
            pass
        if self._tmp is not None:
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:  # pragma: no cover
                pass
            self._tmp = None

    def __enter__(self) -> Output:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if kind is None:
            self.commit()
        else:
            self.discard()


def write_file(path: str, data: bytes | str) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` whole or not at all."""
    with Output(path) as out:
        out.stream.write(data.encode("utf-8") if isinstance(data, str) else data)
