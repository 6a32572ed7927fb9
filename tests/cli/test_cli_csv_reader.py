"""The CSV reader's block splitting equals the csv module, record for record and line for line.

Plain blocks (no quote, NUL or lone \\r) are split with ``str.split``; the reference here reads
the same bytes with ``csv.reader`` alone and applies the documented rules (the first non-blank
record is the header when it names a known column; blank records are skipped; a record of
another width is a bad record named by its first line). Blocks are made tiny so that records,
line ends and the switch to the csv module fall across block boundaries.
"""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qriskit.cli import _csv, _lines
from qriskit.cli._exits import CLIError
from qriskit.cli._formats import CSVReader, ReadContext, is_blank

KNOWN = frozenset({"amount", "reference", "payload"})


def _breaks(text: str) -> int:
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def reference(data: bytes) -> tuple[tuple[str, ...] | None, list[tuple[int, list[str]]], list[str], str | None]:
    """(header, [(line, cells)], bad records, error) as the csv module alone reads ``data``."""
    text = data.decode("utf-8").removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header, width, records, bad = None, None, [], []
    line = 0
    try:
        for row in reader:
            first = line + 1
            line = reader.line_num
            if is_blank(row):
                continue
            if width is None:
                width = len(row)
                names = tuple(c.strip().lower() for c in row)
                if KNOWN.intersection(names):
                    header = names
                    continue
            if len(row) != width:
                bad.append(f"line {first}: {len(row)} fields")
            else:
                records.append((first, row))
    except csv.Error:
        return header, records, bad, f"line {reader.line_num}"
    return header, records, bad, None


def ours(data: bytes) -> tuple[tuple[str, ...] | None, list[tuple[int, list[str]]], list[str], str | None]:
    bad: list[str] = []
    records: list[tuple[int, list[str]]] = []
    header = None
    try:
        reader = CSVReader(io.BytesIO(data), ReadContext(KNOWN, lambda where, why: bad.append(
            f"{where}: {why.split(',')[0]}")))
        header = reader.header
        for chunk in reader.chunks():
            rows = chunk.rows
            for i in range(len(chunk)):
                records.append((int(chunk.where(i).split()[1]), list(rows[i])))
    except CLIError as exc:
        return header, records, bad, exc.message.split(":")[0]
    return header, records, bad, None


def _strip_blank(result):  # blank records the engine skips later may reach it as records: drop them
    header, records, bad, error = result
    return header, [(n, r) for n, r in records if not is_blank(r)], bad, error


CELLS = st.sampled_from(["1000", "15.50", "", " ", "a", "INV-1", "x y", '"q"', '"a,b"', '"l1\nl2"', "\x00", "é"])
ENDS = st.sampled_from(["\n", "\r\n", "\r", "\n\n"])


@st.composite
def csv_bytes(draw) -> bytes:
    width = draw(st.integers(1, 3))
    rows = []
    if draw(st.booleans()):
        rows.append(",".join(["amount", "reference", "note"][:width]) + "\n")
    for _ in range(draw(st.integers(0, 12))):
        n = width if draw(st.integers(0, 5)) else draw(st.integers(0, 4))
        rows.append(",".join(draw(CELLS) for _ in range(n)) + draw(ENDS))
    text = "".join(rows)
    if text and draw(st.booleans()):
        text = text.rstrip("\r\n")  # the last line without its end
    return (b"\xef\xbb\xbf" if draw(st.booleans()) else b"") + text.encode("utf-8")


@pytest.mark.parametrize("block", [1, 3, 16, 256 * 1024])  # 1: a BOM read in pieces too
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=csv_bytes())
def test_blocks_read_like_the_csv_module(monkeypatch, block, data):
    monkeypatch.setattr(_lines, "_BLOCK_BYTES", block)
    monkeypatch.setattr(_csv, "CHUNK_ROWS", 2)
    assert _strip_blank(ours(data)) == _strip_blank(reference(data))


@pytest.mark.parametrize("text", [
    "amount,reference\n1,a\n2,b\n3\n4,d,e\n5,e\n",   # plain, uneven: rows with their lines
    "amount\n1\n\n2\n   \n3\n",                      # blank lines in a plain block
    "amount,reference\r\n1,a\r\n2,b\r\n",            # CRLF is plain
    'amount,reference\n1,a\n2,"b\nc"\n3,d\n',        # a quote: the csv module from there on
    "1\n2\n3\n",                                     # no header
    "amount,reference\n" + "1,a\n" * 50 + '7,"x\ny"\n8,z\n',
])
@pytest.mark.parametrize("block", [4, 64, 256 * 1024])
def test_known_shapes(monkeypatch, text, block):
    monkeypatch.setattr(_lines, "_BLOCK_BYTES", block)
    monkeypatch.setattr(_csv, "CHUNK_ROWS", 3)
    data = text.encode()
    assert _strip_blank(ours(data)) == _strip_blank(reference(data))


def test_a_long_field_in_a_plain_block_is_the_csv_modules_error(monkeypatch):
    limit = csv.field_size_limit()
    data = ("amount,reference\n1,a\n2," + "b" * (limit + 1) + "\n3,c\n").encode()
    assert ours(data) == reference(data) == (("amount", "reference"), [(2, ["1", "a"])], [], "line 3")
