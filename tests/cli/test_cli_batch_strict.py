"""batch: strict CSV, --skip-bad / --errors, line numbers, outputs that are not files, formats."""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import subprocess
import threading

import pytest

import qriskit
from qriskit import cli

from .conftest import STATIC, assert_one_line_error, command, crc_ok, env, fields


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _amounts(text: str) -> list[str]:
    return [r["amount"] for r in _rows(text)]


def _skipped(err: str) -> list[str]:
    """The line numbers of 'skipped line N: ...' messages."""
    return [line.split("line ", 1)[1].split(":", 1)[0] for line in err.splitlines() if "skipped line" in line]


# --------------------------------------------------------------------------- field counts


def test_the_issue_cases_exit_3_and_never_write_rp_1(run, tmp_path):
    """`printf '15000\\n1,000\\n' | qriskit batch` and a reference row `1,000,INV2`."""
    result = run("batch", STATIC, input="15000\n1,000\n")
    assert result.returncode == cli.EXIT_INVALID
    assert "line 2: 2 fields, the first row has 1" in result.err
    assert _amounts(result.out) == []  # the chunk with the bad row is never written
    (tmp_path / "r.csv").write_text("amount,reference\n15000,INV1\n1,000,INV2\n")
    result = run("batch", STATIC, "r.csv", "-o", "out.csv")
    assert_one_line_error(result, cli.EXIT_INVALID, "line 3: 3 fields, the header has 2")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.csv"]


def test_skip_bad_writes_good_rows_and_lists_bad_ones(run, tmp_path):
    (tmp_path / "r.csv").write_text("amount,reference\n15000,INV1\n1,000,INV2\n2000\n3000,INV3\n")
    result = run("batch", STATIC, "r.csv", "--skip-bad", "-o", "out.csv")
    assert result.returncode == 0, result.err
    rows = _rows((tmp_path / "out.csv").read_text())
    assert [(r["amount"], r["reference"]) for r in rows] == [("15000", "INV1"), ("3000", "INV3")]
    assert _skipped(result.err) == ["3", "4"]
    assert "3 fields, the header has 2" in result.err and "1 fields, the header has 2" in result.err
    assert "2 codes written to out.csv, 2 bad rows skipped" in result.err


def test_errors_file(run, tmp_path):
    (tmp_path / "a.csv").write_text("amount\n1000\n1.000\nabc\n2000\n")
    result = run("batch", STATIC, "a.csv", "--skip-bad", "--errors", "bad.txt", "-o", "out.csv")
    assert result.returncode == 0, result.err
    assert "skipped line" not in result.err  # listed in the file instead
    assert "2 bad rows skipped" in result.err
    listed = (tmp_path / "bad.txt").read_text().splitlines()
    assert [line.split(":")[0] for line in listed] == ["line 3", "line 4"]
    assert "looks like one thousand" in listed[0]
    assert "'abc'" in listed[1]
    assert _amounts((tmp_path / "out.csv").read_text()) == ["1000", "2000"]
    assert_one_line_error(run("batch", STATIC, "a.csv", "--errors", "bad.txt"), cli.EXIT_USAGE, "--skip-bad")


def test_line_numbers_after_multiline_quoted_fields(run, tmp_path):
    text = 'amount,note\n1000,"two\nlines"\n2000,"three\r\nline\rends"\n\n3000,x\nabc,y\n'
    (tmp_path / "a.csv").write_text(text, newline="")
    result = run("batch", STATIC, "a.csv")
    assert_one_line_error(result, cli.EXIT_INVALID, "line 9:", "'abc'")
    result = run("batch", STATIC, "a.csv", "--skip-bad")
    assert _amounts(result.out) == ["1000", "2000", "3000"]
    assert _skipped(result.err) == ["9"]


def test_line_numbers_across_chunks(run, tmp_path):
    """A bad row far into the file, after multi-line fields in an earlier chunk."""
    body = "".join(f'{1000 + i},"a\nb"\n' if i % 1000 == 0 else f"{1000 + i},x\n" for i in range(9000))
    (tmp_path / "a.csv").write_text("amount,note\n" + body + "1,000,x\n")
    expected_line = 1 + 9000 + 9 + 1  # header, rows, one extra line per multi-line row, then the bad one
    assert_one_line_error(run("batch", STATIC, "a.csv"), cli.EXIT_INVALID, f"line {expected_line}:")


def test_blank_lines_are_skipped_not_bad(run, tmp_path):
    (tmp_path / "a.csv").write_text("\n\namount,reference\n\n1000,A\n  \n,\n , \n2000,\n")
    result = run("batch", STATIC, "a.csv")
    assert result.returncode == 0, result.err
    assert [(r["amount"], r["reference"]) for r in _rows(result.out)] == [("1000", "A"), ("2000", "")]


def test_header_naming_a_column_twice(run, tmp_path):
    (tmp_path / "a.csv").write_text("amount,Amount\n1,2\n")
    assert_one_line_error(run("batch", STATIC, "a.csv"), cli.EXIT_USAGE, "twice")


def test_malformed_csv_stops_even_with_skip_bad(run, tmp_path):
    """A stray quote: the record boundaries after it cannot be trusted."""
    (tmp_path / "a.csv").write_text('amount\n1000\n"20"00\n3000\n')
    for extra in ((), ("--skip-bad",)):
        result = run("batch", STATIC, "a.csv", "-o", "out.csv", *extra)
        assert_one_line_error(result, cli.EXIT_INVALID, "line 3", "not well-formed csv")
        assert not (tmp_path / "out.csv").exists()


def test_rows_before_a_malformed_line_in_the_same_chunk_are_not_lost(run, tmp_path):
    (tmp_path / "a.csv").write_text('amount\n1000\n2000\n"30"00\n')
    result = run("batch", STATIC, "a.csv")
    assert result.returncode == cli.EXIT_INVALID
    assert "line 4" in result.err


def test_oversized_field_and_line(run, tmp_path):
    (tmp_path / "field.csv").write_text('amount,note\n1000,"' + "x" * 200_000 + '"\n')
    assert_one_line_error(run("batch", STATIC, "field.csv"), cli.EXIT_INVALID, "line 2", "field limit")
    (tmp_path / "line.csv").write_text("amount\n1000\n" + "1" * (2 * 1024 * 1024) + "\n")
    assert_one_line_error(run("batch", STATIC, "line.csv", "-o", "out.csv"), cli.EXIT_INVALID,
                          "line 3 is longer than")
    assert not (tmp_path / "out.csv").exists()


def test_unclosed_quote_is_bounded(run, tmp_path):
    """An open quote that swallows the file: stopped with a line number, in bounded memory."""
    (tmp_path / "a.csv").write_text("amount,note\n1000," + '"a\n",' * 8_000_000)  # one record, never ending
    result = run("batch", STATIC, "a.csv", "-o", "out.csv")
    assert_one_line_error(result, cli.EXIT_INVALID, "line 2")
    assert not (tmp_path / "out.csv").exists()


def test_non_utf8_input(run, tmp_path):
    (tmp_path / "a.csv").write_bytes(b"amount,note\n1000,ok\n2000,caf\xe9\n3000,x\n")
    for extra in ((), ("--skip-bad",)):
        result = run("batch", STATIC, "a.csv", "-o", "out.csv", *extra)
        assert_one_line_error(result, cli.EXIT_INVALID, "line 3: not utf-8", "0xE9", "column 9")
        assert not (tmp_path / "out.csv").exists()
    (tmp_path / "u16.csv").write_bytes("amount\n1000\n".encode("utf-16"))
    assert_one_line_error(run("batch", STATIC, "u16.csv"), cli.EXIT_INVALID, "utf-16")


def test_stdin_rows_are_handled_as_they_arrive(tmp_path):
    """A pipe that stays open: a full chunk of rows is converted before more arrive."""
    proc = subprocess.Popen(command("batch", STATIC, "--format", "jsonl"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env())
    assert proc.stdin is not None and proc.stdout is not None
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(proc.stdout.readline()), daemon=True)  # type: ignore[union-attr]
    reader.start()
    proc.stdin.write(b"1000\n" * 5000)  # more than one chunk; the pipe stays open
    proc.stdin.flush()
    reader.join(timeout=60)
    assert got and json.loads(got[0])["amount"] == "1000"
    proc.stdin.close()
    rest = proc.stdout.read()
    proc.wait(timeout=60)
    assert proc.returncode == 0
    assert len(rest.splitlines()) == 4999


# --------------------------------------------------------------------------- outputs


def test_output_onto_a_fifo_is_written_not_replaced(run, tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    result = run("batch", STATIC, "-o", "pipe", input="1000\n2000\n")
    reader.join(timeout=60)
    assert result.returncode == 0, result.err
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)  # still the FIFO
    assert _amounts(received[0].decode()) == ["1000", "2000"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_onto_dev_null(run, tmp_path):
    result = run("batch", STATIC, "-o", os.devnull, input="1000\n")
    assert result.returncode == 0, result.err
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert "1 code written to /dev/null" in result.err


def test_output_replaces_a_regular_file_keeping_its_mode_and_symlink(run, tmp_path):
    real = tmp_path / "real.csv"
    real.write_text("old\n")
    real.chmod(0o640)
    (tmp_path / "link.csv").symlink_to("real.csv")
    assert run("batch", STATIC, "-o", "link.csv", input="1000\n").returncode == 0
    assert (tmp_path / "link.csv").is_symlink()
    assert _amounts(real.read_text()) == ["1000"]
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    failed = run("batch", STATIC, "-o", "link.csv", input="abc\n")
    assert failed.returncode == cli.EXIT_INVALID
    assert _amounts(real.read_text()) == ["1000"]  # a failed run leaves the old file as it was
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


def test_output_errors(run, tmp_path):
    (tmp_path / "folder").mkdir()
    assert_one_line_error(run("batch", STATIC, "-o", "folder", input="1\n"), cli.EXIT_IO, "directory")
    assert_one_line_error(run("batch", STATIC, "-o", "no/dir/out.csv", input="1\n"), cli.EXIT_IO, "no/dir/out.csv")
    assert_one_line_error(run("batch", STATIC, "-o", "out.json", input="1\n"), cli.EXIT_USAGE, ".jsonl")


def test_png_dir_failure_leaves_no_pngs(run, tmp_path, image_lib):
    result = run("batch", STATIC, "-o", "out.csv", "--png-dir", "qr", input="1000\n2000\nabc\n")
    assert result.returncode == cli.EXIT_INVALID
    assert list((tmp_path / "qr").iterdir()) == []
    assert not (tmp_path / "out.csv").exists()


# --------------------------------------------------------------------------- formats


def test_jsonl_input(run, tmp_path):
    (tmp_path / "a.jsonl").write_text(
        '{"amount": 1000, "reference": "A"}\n'
        '{"amount": "2000.50", "reference": null}\n'
        "\n"
        '{"reference": "C", "amount": 1.5}\n'
        '{"amount": true, "reference": "x"}\n'
        '{"amount": "4000"}\n'
        "[1, 2]\n"
        "{not json\n"
        '{"amount": 1e3, "reference": "E"}\n'
    )
    result = run("batch", STATIC, "a.jsonl", "--skip-bad", "--format", "jsonl")
    assert result.returncode == 0, result.err
    rows = [json.loads(line) for line in result.out.splitlines()]
    assert [(r["amount"], r["reference"]) for r in rows] == [("1000", "A"), ("2000.50", None), ("1.5", "C")]
    for r in rows:
        assert fields(r["payload"])["54"] == r["amount"] and crc_ok(r["payload"])
    assert _skipped(result.err) == ["5", "6", "7", "8", "9"]
    assert "'1e3' is not a plain decimal number" in result.err  # numbers arrive as written, never as floats


def test_jsonl_input_from_stdin_needs_the_option(run):
    lines = '{"amount": "1000"}\n'
    assert run("batch", STATIC, "--input-format", "jsonl", input=lines).returncode == 0
    as_csv = run("batch", STATIC, input=lines)  # read as CSV: one field, an amount the library refuses
    assert_one_line_error(as_csv, cli.EXIT_INVALID, "line 1", "not a plain decimal")


def test_formats_registry_drives_the_options():
    from qriskit.cli import _formats

    parser = cli.make_parser()
    batch = parser._subparsers._group_actions[0].choices["batch"]  # type: ignore[union-attr]
    choices = {a.dest: a.choices for a in batch._actions if a.dest in ("format", "input_format")}
    assert choices == {"format": tuple(_formats.FORMATS), "input_format": tuple(_formats.FORMATS)}
    assert _formats.format_for("x.JSONL") == "jsonl" and _formats.format_for("x.csv") == "csv"


def test_writers_quote_only_where_needed():
    from qriskit.cli._formats import CSVWriter, JSONLinesWriter

    out = io.BytesIO()
    writer = CSVWriter(out, ("amount", "payload", "reference"))
    writer.write([["1", "2"], ["p", "q"], ["a", "b"]])
    writer.write([["3"], ['x,"y'], [None]])
    writer.close()
    assert out.getvalue().decode() == 'amount,payload,reference\n1,p,a\n2,q,b\n3,"x,""y",\n'
    out = io.BytesIO()
    jw = JSONLinesWriter(out, ("amount", "payload", "reference"))
    jw.write([["1"], ["p"], ["a"]])
    jw.write([["2"], ['é"\\'], [None]])
    assert [json.loads(line) for line in out.getvalue().decode().splitlines()] == [
        {"amount": "1", "payload": "p", "reference": "a"},
        {"amount": "2", "payload": 'é"\\', "reference": None},
    ]


def test_codes_with_references_and_errors(run, tmp_path):
    dynamic = qriskit.to_dynamic(STATIC, 5)
    (tmp_path / "o.csv").write_text(
        f"payload,amount,reference\n{STATIC},1000,R1\n {STATIC} ,2000,\n{dynamic},3000,R3\n{STATIC},15.000,R4\n"
        f"xyz,5,R5\n,6,R6\n{STATIC},,R7\n"
    )
    result = run("batch", "--codes", "o.csv", "--skip-bad")
    assert result.returncode == 0, result.err
    rows = _rows(result.out)
    assert [(r["amount"], r["reference"]) for r in rows] == [("1000", "R1"), ("2000", ""), ("3000", "R3")]
    for r in rows:
        assert fields(r["payload"])["54"] == r["amount"] and crc_ok(r["payload"])
    assert _skipped(result.err) == ["5", "6", "7", "8"]
    assert "invalid code" in result.err and "no payload" in result.err and "no amount" in result.err


def test_fee_refused_by_the_codes_currency_stops_before_any_row(run):
    result = run("batch", STATIC, "--fee-fixed", "2500.505", input="1000\n")
    assert_one_line_error(result, cli.EXIT_INVALID, "fixed fee", "decimals")
    assert result.out == ""


def test_large_file_with_many_bad_rows_streams(run, tmp_path):
    rows = "".join(f"{1000 + i}\n" if i % 3 else "1,000\n" for i in range(1, 30_001))
    (tmp_path / "a.txt").write_text(rows)
    result = run("batch", STATIC, "a.txt", "--skip-bad", "--errors", "bad.txt", "-o", "out.csv", "-q")
    assert result.returncode == 0, result.err
    out = _rows((tmp_path / "out.csv").read_text())
    assert len(out) == 20_000
    assert [r["amount"] for r in out[:3]] == ["1001", "1002", "1004"]
    listed = (tmp_path / "bad.txt").read_text().splitlines()
    assert len(listed) == 10_000
    assert listed[0].startswith("line 3: 2 fields") and listed[-1].startswith("line 30000: 2 fields")


@pytest.mark.parametrize("amount", ["1000", "1000.", "1000.5", "1000.50", "0.01", "9999999999.99"])
def test_amounts_pass_through_exactly(run, amount):
    row = _rows(run("batch", STATIC, input=f"{amount}\n").out)[0]
    assert row["amount"] == amount
    assert fields(row["payload"])["54"] == amount


@pytest.mark.parametrize("end", ["\r\n", "\r", "\n"])
def test_line_numbers_across_blocks_with_every_line_end(run, tmp_path, end):
    """Hundreds of KiB with \\r\\n, \\r or \\n ends (a block may stop between \\r and \\n):
    no row is lost or doubled, and the bad row's line is exact."""
    rows = [f'{1000 + i},"a{end}b"' if i % 997 == 0 else f"{1000 + i},x" for i in range(40_000)]
    text = end.join(["amount,note", *rows, "1,000,x", ""])
    (tmp_path / "a.csv").write_bytes(text.encode())
    expected_line = 1 + 40_000 + len(range(0, 40_000, 997)) + 1
    assert_one_line_error(run("batch", STATIC, "a.csv"), cli.EXIT_INVALID, f"line {expected_line}:")
    result = run("batch", STATIC, "a.csv", "--skip-bad", "-o", "out.csv")
    assert result.returncode == 0, result.err
    assert _amounts((tmp_path / "out.csv").read_text()) == [str(1000 + i) for i in range(40_000)]


def test_jsonl_key_given_twice_is_a_bad_row(run, tmp_path):
    """json keeps the last of two equal keys; another reader keeps the first: the amount is unknown."""
    (tmp_path / "a.jsonl").write_text(
        '{"amount": "1000", "reference": "A"}\n'
        '{"amount": "2000", "reference": "B", "amount": "9000"}\n'
        '{"amount": "3000", "reference": "C", "reference": "D"}\n'
        '{"amount": "4000", "reference": "E"}\n'
    )
    result = run("batch", STATIC, "a.jsonl", "--skip-bad")
    assert result.returncode == 0, result.err
    assert [(r["amount"], r["reference"]) for r in _rows(result.out)] == [("1000", "A"), ("4000", "E")]
    assert _skipped(result.err) == ["2", "3"]
    assert "the key 'amount' is given twice" in result.err
    first = tmp_path / "b.jsonl"
    first.write_text('{"amount": "1000", "amount": "2000"}\n{"amount": "3000"}\n')
    assert_one_line_error(run("batch", STATIC, "b.jsonl", "-o", "out.csv"), cli.EXIT_INVALID, "line 1", "twice")
    assert not (tmp_path / "out.csv").exists()


def test_errors_file_cannot_be_the_input_or_the_output(run, tmp_path):
    """--errors is opened for writing first: naming the input emptied it (0 codes, exit 0)."""
    data = "amount\n1000\nx\n"
    (tmp_path / "in.csv").write_text(data)
    os.symlink("in.csv", tmp_path / "link.csv")
    for errors in ("in.csv", "./in.csv", "link.csv"):
        result = run("batch", STATIC, "in.csv", "--skip-bad", "--errors", errors)
        assert_one_line_error(result, cli.EXIT_USAGE, "--errors", "input")
        assert (tmp_path / "in.csv").read_text() == data
    result = run("batch", STATIC, "in.csv", "--skip-bad", "--errors", "out.csv", "-o", "out.csv")
    assert_one_line_error(result, cli.EXIT_USAGE, "--errors", "output")
    assert sorted(os.listdir(tmp_path)) == ["in.csv", "link.csv"]
    assert run("batch", STATIC, "in.csv", "--skip-bad", "--errors", "bad.txt", "-o", "out.csv").returncode == 0


def test_png_dir_holding_numbered_pngs_is_refused(run, tmp_path, image_lib):
    """A second run into the same folder mixed its codes with the first's (a shorter run left the
    first's 000003.png, another amount, beside its own; a failed run removed the first's images)."""
    assert run("batch", STATIC, "-o", "first.csv", "--png-dir", "qr", input="1000\n2000\n3000\n").returncode == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "qr").iterdir()}
    for amounts in ("4000\n", "4000\nabc\n"):
        result = run("batch", STATIC, "-o", "second.csv", "--png-dir", "qr", input=amounts)
        assert_one_line_error(result, cli.EXIT_USAGE, "--png-dir", "000001.png", "empty")
        assert {p.name: p.read_bytes() for p in (tmp_path / "qr").iterdir()} == before
        assert not (tmp_path / "second.csv").exists()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "logo.png").write_bytes(b"x")  # other files are no concern
    assert run("batch", STATIC, "-o", "third.csv", "--png-dir", "other", input="5000\n").returncode == 0
    assert sorted(p.name for p in (tmp_path / "other").iterdir()) == ["000001.png", "logo.png"]
