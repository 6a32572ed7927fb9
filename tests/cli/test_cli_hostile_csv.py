"""A hostile CSV set: no row is ever written with an amount different from its input.

Every case runs the real command (``main(argv)`` in-process for the generated cases, a
subprocess for the named ones). Whatever the command writes is checked against an oracle
built from the standard library's ``csv`` and qriskit's own ``to_dynamic``: each written row
is an input row, in order, its amount the input cell exactly (spaces around it trimmed),
its payload the library's conversion of that amount, with a CRC recomputed here.
"""

from __future__ import annotations

import contextlib
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qriskit
from qriskit import cli

from .conftest import STATIC, crc_ok, fields

HEADERS = ("amount", "amount,reference", "reference,amount,note")


def _oracle(data: bytes) -> tuple[list[tuple[str, str | None]] | None, int | None]:
    """(expected rows written with --skip-bad, None) or (None, exit code) for input that must stop.

    Like the command, it reads in order: the first non-blank row decides the header (a usage
    error, exit 2, even when a later line is broken); a line that is not UTF-8 or not
    well-formed CSV stops the run (exit 3) wherever it is.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    broken = False
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:  # the lines before the bad one are read first
        broken = True
        cut = max(data.rfind(b"\n", 0, exc.start), data.rfind(b"\r", 0, exc.start)) + 1
        text = data[:cut].decode("utf-8")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[str]] = []
    try:
        for row in reader:
            rows.append(row)
    except csv.Error:
        broken = True
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        return (None, cli.EXIT_INVALID) if broken else ([], None)
    header = [c.strip().lower() for c in rows[0]]
    if "amount" in header:
        if header.count("amount") > 1 or header.count("reference") + header.count("ref") > 1:
            return None, cli.EXIT_USAGE
        refs = [i for i, name in enumerate(header) if name in ("reference", "ref")]
        amount, ref = header.index("amount"), refs[0] if refs else None
        width, body = len(header), rows[1:]
    elif {"reference", "ref", "payload", "qris", "code"} & set(header):
        return None, cli.EXIT_USAGE  # a header without an amount column
    else:
        if len(rows[0]) != 1:
            return None, cli.EXIT_USAGE
        amount, ref, width, body = 0, None, 1, rows
    if broken:
        return None, cli.EXIT_INVALID
    expected: list[tuple[str, str | None]] = []
    for row in body:
        if len(row) != width:
            continue
        value = row[amount].strip()
        reference = (row[ref].strip() or None) if ref is not None else None
        if not value:
            continue
        try:
            qriskit.to_dynamic(STATIC, value, reference=reference)
        except qriskit.QRISError:
            continue
        expected.append((value, reference))
    return expected, None


def _check_written(out: str, expected: list[tuple[str, str | None]]) -> None:
    written = list(csv.DictReader(io.StringIO(out)))
    got = [(r["amount"], r.get("reference") or None) for r in written]
    assert got == expected
    for row in written:
        payload = row["payload"]
        assert crc_ok(payload), payload
        assert fields(payload)["54"] == row["amount"]
        assert payload == qriskit.to_dynamic(STATIC, row["amount"], reference=row.get("reference") or None)


def _run_main(tmp_path: Path, data: bytes, *extra: str) -> tuple[int, str, str]:
    (tmp_path / "in.csv").write_bytes(data)
    out_file = tmp_path / "out.csv"
    if out_file.exists():
        out_file.unlink()
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        code = cli.main(["batch", STATIC, str(tmp_path / "in.csv"), "-o", str(out_file), "-q", *extra])
    left = sorted(p.name for p in tmp_path.iterdir())
    if code != 0:
        assert left == ["in.csv"], left  # -o: nothing left behind
        return code, "", err.getvalue()
    return code, out_file.read_text(encoding="utf-8"), err.getvalue()


# --------------------------------------------------------------------------- named cases

CASES = {
    "thousands separators": b"amount\n15000\n1,000\n2.500.000\n1.500\n",
    "quoted separators": b'amount\n"1,000"\n"15.000"\n"2.500,50"\n"1,500.50"\n25000\n',
    "reference column shifted by a comma": b"amount,reference\n1,000,INV2\n15000,INV1\n",
    "extra columns": b"amount,reference\n1000,A\n2000,B,extra\n3000,C\n",
    "missing columns": b"amount,reference\n1000,A\n2000\n3000,C\n",
    "quotes and multi-line fields": b'amount,reference,note\n"1000",A,"x\ny"\n2000,"B",\n"3,000",C,z\n',
    "BOM and CRLF": b"\xef\xbb\xbfamount\r\n1000\r\n2000.50\r\n\r\n",
    "lone CR line ends": b"amount\r1000\r2000\r",
    "blank lines": b"\n\namount\n\n1000\n   \n,\n2000\n\n\n",
    "NUL bytes": b"amount\n10\x0000\n3000\n\x00\n",
    "not UTF-8": b"amount\n1000\n\xe9\xe9\n3000\n",
    "spaces and signs": b"amount\n 1000 \n1 000\n+1000\n-5\n1e3\n0x10\n1_000\n.5\n1000.\nRp1000\n",
    "other digits": "amount\n１０００\n١٠٠٠\n1000\n".encode(),
    "too many decimals and digits": b"amount\n1000.505\n12345678901234\n0.00\n0\n99999999999.99\n",
    "headerless with separators": b"15000\n1,000\n3000\n",
    "amount header twice": b"amount,Amount\n1,2\n",
    "stray quote": b'amount\n1000\n"20"00\n3000\n',
    "unclosed quote": b'amount,note\n1000,"open\n2000,x\n',
    "empty": b"",
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_csv(tmp_path, name):
    data = CASES[name]
    expected, stop = _oracle(data)
    code, out, err = _run_main(tmp_path, data, "--skip-bad")
    if stop is not None:
        assert code == stop, err
        assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
        return
    assert code == 0, err
    assert expected is not None
    _check_written(out, expected)
    strict, _, strict_err = _run_main(tmp_path, data)
    bad_rows = err.count("skipped line")
    assert strict == (cli.EXIT_INVALID if bad_rows else 0), strict_err


def test_hostile_set_covers_the_issue():
    """The set holds what the issue names: separators, columns, quotes, BOM, CRLF, blanks, NUL, non-UTF-8."""
    joined = b"".join(CASES.values())
    for needle in (b"1,000", b"15.000", b"\xef\xbb\xbf", b"\r\n", b"\x00", b"\xe9", b'"', b"\n\n"):
        assert needle in joined


# --------------------------------------------------------------------------- generated cases

_PIECES = st.sampled_from([
    "0", "1", "5", "9", "00", "000", "1000", "15000", "2500", ",", ".", '"', '""', " ", "\n", "\r\n", "\r",
    "\x00", "é", "a", "-", "e", "INV-1", "Rp", "\ufeff", "1,000", "15.000", "2.500,50",
])


_AMOUNTS = st.one_of(st.integers(1, 10**12).map(str), st.decimals(min_value="0.01", max_value="9999999", places=2)
                     .map(str), st.sampled_from(["1000.", "0.5", "00100"]))
_CELL = st.one_of(_AMOUNTS, _AMOUNTS, st.lists(_PIECES, max_size=4).map("".join), st.just(""),
                  st.text(st.sampled_from("INV-0123 "), min_size=1, max_size=10))


@st.composite
def hostile_csv(draw: st.DrawFn) -> bytes:
    header = draw(st.sampled_from(["", *HEADERS]))
    width = header.count(",") + 1
    lines = [header] if header else []
    for _ in range(draw(st.integers(0, 12))):
        n = width + draw(st.sampled_from([0, 0, 0, 0, 1, -1]))
        cells = [draw(_CELL) for _ in range(max(0, n))]
        if cells and draw(st.integers(0, 4)) == 0:
            i = draw(st.integers(0, len(cells) - 1))
            cells[i] = '"' + cells[i].replace('"', '""') + '"'
        lines.append(",".join(cells))
    ends = [draw(st.sampled_from(["\n", "\n", "\r\n", "\r", "\n\n"])) for _ in lines]
    data = "".join(line + end for line, end in zip(lines, ends))
    raw = (b"\xef\xbb\xbf" if draw(st.integers(0, 5)) == 0 else b"") + data.encode("utf-8")
    if draw(st.integers(0, 7)) == 0:
        cut = draw(st.integers(0, len(raw)))
        raw = raw[:cut] + b"\xff" + raw[cut:]  # a byte that is never UTF-8
    return raw


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=hostile_csv())
def test_generated_hostile_csv_never_changes_an_amount(tmp_path, data):
    expected, stop = _oracle(data)
    code, out, err = _run_main(tmp_path, data, "--skip-bad")
    if stop is not None:
        assert code == stop, (data, err)
        return
    assert code == 0, (data, err)
    assert expected is not None
    _check_written(out, expected)


# --------------------------------------------------------------------------- the references path

#: What ``str.strip`` trims (ASCII and not), and near misses it keeps.
_SPACES = " \t\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2007\u200a\u2028\u2029\u202f\u205f\u3000"
_NOT_SPACES = "\u180e\u200b\ufeff\x00\x7f"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.sampled_from("aZ9-" + _SPACES + _NOT_SPACES), max_size=6), max_size=8))
def test_trimmed_is_str_strip(cells):
    from qriskit.cli._batch import _trimmed

    assert _trimmed(cells) == [cell.strip() for cell in cells]


#: Spaces around cells: none, ones the library takes (the one-call path), or any (a fallback).
_WS = st.sampled_from([("",), ("", "", " "), ("", "", "", " ", "\t", "\xa0", "\x1c", "\x85", "\u3000", "\u200b")])
_REF_CORE = st.sampled_from(["INV-1", "A", "x y", "", "", "é", "a" * 25, "a" * 26, "\x7f", "Z9"])
_AMOUNT_CORE = st.sampled_from(["15000", "1", "2500.50", "1.000", "", "0", "abc", "99999999999.99", "00100"])


@st.composite
def _referenced_rows(draw: st.DrawFn) -> list[tuple[str, str]]:
    """Rows of (amount, reference): mostly good, so most chunks take the one-call path."""
    n = draw(st.integers(30, 90))  # 32 rows and more: the native batch renders the fixed text once
    good = draw(st.integers(0, 11))
    ws, ref_ws = st.sampled_from(draw(_WS)), st.sampled_from(draw(_WS))
    rows = []
    for i in range(n):
        if draw(st.integers(0, 10)) < good:
            amount, ref = str(draw(st.integers(1, 10**6))), f"R{i}"
        else:
            amount, ref = draw(_AMOUNT_CORE), draw(_REF_CORE)
        rows.append((draw(ws) + amount + draw(ws), draw(ref_ws) + ref + draw(ref_ws)))
    return rows


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=_referenced_rows(), chunk=st.sampled_from([7, 32, 4096]))
def test_references_never_shift_and_bad_rows_are_named(tmp_path, monkeypatch, rows, chunk):
    """Each written row is its input row: amount, reference and payload together; each bad row
    is named by its own line, whether the chunk took the one-call path or fell back."""
    from qriskit.cli import _csv

    monkeypatch.setattr(_csv, "CHUNK_ROWS", chunk)
    data = "amount,reference\n" + "".join(f"{a},{r}\n" for a, r in rows)
    errors = tmp_path / "bad.txt"
    code, out, err = _run_main(tmp_path, data.encode(), "--skip-bad", "--errors", str(errors))
    assert code == 0, err
    want, want_bad = [], []
    for line, (cell, ref_cell) in enumerate(rows, 2):
        amount, ref = cell.strip(), ref_cell.strip() or None
        if not (amount or ref):
            continue  # a blank row
        try:
            want.append([amount, qriskit.to_dynamic(STATIC, amount, reference=ref), ref or ""])
        except qriskit.QRISError:  # an empty amount too (the command says "no amount")
            want_bad.append(line)
    assert list(csv.reader(io.StringIO(out)))[1:] == want
    assert [int(entry.split(":")[0].split()[1]) for entry in errors.read_text().splitlines()] == want_bad
