"""The text lines of a batch input: UTF-8 from a binary stream, with its limits.

``Lines(stream)`` iterates ``str`` lines with their line ends, split at \\n, \\r\\n or \\r
(as ``open(newline="")`` does), a leading UTF-8 BOM dropped. The work per line happens in C
(``io.StringIO`` over blocks of whole lines); Python runs once per block. ``texts()`` gives
the blocks themselves (text of whole lines; the last may lack its line end) to a consumer
that splits them itself; use one or the other. A stream is read
with ``read1`` where it has one, so a pipe's rows are handled as they arrive.

Stops with a ``CLIError`` (exit 3) naming the line: bytes that are not UTF-8 (the lines
before them are still given first), UTF-16 text, a line longer than ``MAX_LINE_BYTES``, and
``MAX_RECORD_BYTES`` read without a record completing (a quote left open would swallow the
rest of the input into one record). The consumer says where a chunk of records begins
(``start_chunk``, with a count of the records it has so far); ``full`` turns true once the chunk
has read ``TARGET_CHUNK_BYTES``, so chunks stay small whatever the width of the rows.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from itertools import chain
from typing import BinaryIO

from ._exits import EXIT_INVALID, CLIError

__all__ = ["MAX_LINE_BYTES", "MAX_RECORD_BYTES", "TARGET_CHUNK_BYTES", "Lines"]

#: A physical line longer than this stops the run.
MAX_LINE_BYTES = 1024 * 1024
#: Input read without a record completing; more means a quote left open (stops the run).
MAX_RECORD_BYTES = 2 * 1024 * 1024
#: A chunk of records ends at the first record boundary after this much input.
TARGET_CHUNK_BYTES = 1024 * 1024
_BLOCK_BYTES = 128 * 1024
_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class Lines:
    """The lines of ``stream`` (see the module doc)."""

    def __init__(self, stream: BinaryIO) -> None:
        self._read_block: Callable[[int], bytes] = getattr(stream, "read1", stream.read)
        self.read = 0  # bytes read so far
        self.full = False  # the current chunk has read TARGET_CHUNK_BYTES
        self._mark = 0
        self._progress: Callable[[], int] = lambda: 0  # records completed so far
        self._done = 0
        self._done_read = 0
        self._done_line = 0
        #: how many lines the consumer has taken (it asks for a block when the last is used up)
        self.taken: Callable[[], int] = lambda: 0
        self._texts = self._blocks()
        self._it: Iterator[str] = chain.from_iterable(map(_lines, self._texts))

    def __iter__(self) -> Iterator[str]:
        return self._it

    def __next__(self) -> str:
        return next(self._it)

    def texts(self) -> Iterator[str]:
        """The blocks of text not yet taken (shared with the line iterator)."""
        return self._texts

    def start_chunk(self, progress: Callable[[], int], line: int) -> None:
        """A new chunk begins after ``line``; ``progress()`` counts the records completed."""
        self._mark = self._done_read = self.read
        self._progress, self._done, self._done_line = progress, progress(), line
        self.full = False

    def _blocks(self) -> Iterator[str]:
        carry = b""
        first = True
        while True:
            done = self._progress()
            if done != self._done:
                self._done, self._done_read, self._done_line = done, self.read, self.taken()
            elif self.read - self._done_read > MAX_RECORD_BYTES:
                raise _fail(f"line {self._done_line + 1}: no record ends in the {MAX_RECORD_BYTES // (1024 * 1024)} "
                            "MiB from here on: a quote is probably not closed")
            self.full = self.read - self._mark >= TARGET_CHUNK_BYTES
            block = self._read_block(_BLOCK_BYTES)
            self.read += len(block)
            if first and block:
                while len(block) < len(_BOM) and _BOM.startswith(block):  # a BOM may come in pieces
                    more = self._read_block(_BLOCK_BYTES)
                    if not more:
                        break
                    self.read += len(more)
                    block += more
                first = False
                if block.startswith(_BOM):
                    block = block[len(_BOM):]
                    if not block:
                        continue
                elif block.startswith(_UTF16_BOMS):
                    raise _fail("line 1: the input is UTF-16 text; save it as UTF-8")
            if not block:
                if carry:
                    yield from self._text(carry)
                return
            data = carry + block if carry else block
            cut = max(data.rfind(b"\n"), data.rfind(b"\r", 0, len(data) - 1)) + 1
            carry = data[cut:]
            if len(carry) > MAX_LINE_BYTES:
                raise _fail(f"line {self.taken() + _count(data[:cut]) + 1} is longer than "
                            f"{MAX_LINE_BYTES // 1024} KiB")
            if cut:
                yield from self._text(data[:cut])

    def _text(self, data: bytes) -> Iterator[str]:
        """The block's text; for bytes that are not UTF-8, the text of the lines before them
        (if any), then the error."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            good = max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start)) + 1
            line = self.taken() + _count(data[:good]) + 1
            error = _fail(f"line {line}: not UTF-8 text (byte 0x{data[exc.start]:02X} at column "
                          f"{exc.start - good + 1}); save the file as UTF-8")
            if not good:
                raise error from None
            return _failing(data[:good].decode("utf-8"), error)  # the lines before it come first
        return iter((text,))


def _failing(text: str, error: CLIError) -> Iterator[str]:
    """A text, then an error: what a block with a line that is not UTF-8 gives."""
    yield text
    raise error


def _lines(text: str) -> Iterator[str]:
    return io.StringIO(text, newline="")


def _fail(message: str) -> CLIError:
    return CLIError(message, EXIT_INVALID)


def _count(data: bytes) -> int:
    """Line ends in ``data`` (\\n, \\r\\n, \\r)."""
    return data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n")
