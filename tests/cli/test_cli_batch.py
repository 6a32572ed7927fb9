"""batch: many dynamic codes from amounts, streamed in constant memory."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import qriskit

from .conftest import BAD_CRC, BODY, STATIC, assert_one_line_error, command, crc_ok, env, fields, tlv, with_crc


def _csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _check(row: dict[str, str], source: str = STATIC) -> None:
    payload = row["payload"]
    assert crc_ok(payload), payload
    got = fields(payload)
    assert got["01"] == "12"
    assert got["54"] == row["amount"]
    same = {k: v for k, v in fields(source).items() if k not in _CHANGED}
    assert {k: v for k, v in got.items() if k not in _CHANGED} == same


_CHANGED = {"01", "54", "55", "56", "57", "62", "63"}  # what a conversion may change


def test_amounts_on_stdin(run):
    result = run("batch", STATIC, input="1000\n2000\n  3000.50 \n")
    assert result.returncode == 0, result.err
    assert result.lines[0] == "amount,payload"
    rows = _csv_rows(result.out)
    assert [r["amount"] for r in rows] == ["1000", "2000", "3000.50"]
    for row in rows:
        _check(row)
    assert rows[0]["payload"] == qriskit.to_dynamic(STATIC, "1000")
    assert result.err == ""  # piped: no progress bar, no chatter


def test_amounts_file_with_header_and_other_columns(run, tmp_path):
    (tmp_path / "prices.csv").write_text("sku,Amount,note\nA-1,15000,x\n\nB-2,2500,\"a, b\"\n")
    result = run("batch", STATIC, "prices.csv")
    assert result.returncode == 0, result.err
    rows = _csv_rows(result.out)
    assert [r["amount"] for r in rows] == ["15000", "2500"]
    for row in rows:
        _check(row)


def test_reference_column(run, tmp_path):
    (tmp_path / "a.csv").write_text("amount,reference\n1000,INV-1\n2000,\n")
    rows = _csv_rows(run("batch", STATIC, "a.csv").out)
    assert [r["reference"] for r in rows] == ["INV-1", ""]
    assert "0505INV-1" in fields(rows[0]["payload"])["62"]
    assert "0505" not in fields(rows[1]["payload"])["62"][:4]
    for row in rows:
        _check(row)


@pytest.mark.parametrize("blank", [None, 3, 150], ids=["every row has one", "blank early", "blank late"])
def test_reference_column_many_rows(run, tmp_path, blank):
    """A chunk goes through ``to_dynamic_many(..., references=...)`` in one call; spaces around
    a reference are trimmed, a blank one (the chunk then done row by row) gives no 62.05."""
    refs = [f" R{i} " if i % 7 == 0 else f"INV-{i}" for i in range(200)]
    if blank is not None:
        refs[blank] = " "
    (tmp_path / "a.csv").write_text("amount,reference\n" + "".join(f"{1000 + i},{r}\n" for i, r in enumerate(refs)))
    result = run("batch", STATIC, "a.csv", "--fee-fixed", "1000")
    assert result.returncode == 0, result.err
    rows = _csv_rows(result.out)
    tip = qriskit.Tip.fixed(1000)
    want = [(str(1000 + i), qriskit.to_dynamic(STATIC, 1000 + i, tip=tip, reference=r.strip() or None), r.strip())
            for i, r in enumerate(refs)]
    assert [(r["amount"], r["payload"], r["reference"]) for r in rows] == want


@pytest.mark.parametrize("column", ["payload", "qris", "code"])
def test_a_payload_column_needs_codes(run, tmp_path, column):
    """A file with a code per row, given with CODE: every row would become CODE's merchant.
    Refused (exit 2, nothing written); with --codes each row keeps its own code."""
    other = qriskit.to_static(qriskit.to_dynamic(STATIC, 1))  # any valid code; a real file has several merchants
    (tmp_path / "a.csv").write_text(f"{column},amount\n{other},1000\n")
    result = run("batch", STATIC, "a.csv", "-o", "out.csv")
    assert_one_line_error(result, 2, f"'{column}' column", "--codes")
    assert not (tmp_path / "out.csv").exists()
    assert run("batch", "--codes", "a.csv", "-o", "out.csv").returncode == 0


def test_amounts_csv_without_amount_column_is_a_usage_error(run, tmp_path):
    (tmp_path / "a.csv").write_text("sku,price\nA,1000\n")
    assert_one_line_error(run("batch", STATIC, "a.csv"), 2, "amount")


def test_jsonl_output(run, tmp_path):
    result = run("batch", STATIC, "--format", "jsonl", input="1000\n2000\n")
    rows = [json.loads(line) for line in result.lines]
    assert [r["amount"] for r in rows] == ["1000", "2000"]
    assert set(rows[0]) == {"amount", "payload"}
    for row in rows:
        _check(row)
    assert run("batch", STATIC, "-o", "out.jsonl", "-q", input="5\n").returncode == 0
    assert json.loads((tmp_path / "out.jsonl").read_text())["amount"] == "5"


def test_jsonl_escapes_awkward_merchant_names(run):
    odd = with_crc(BODY.replace("5914Toko Sejahtera", tlv("59", 'Toko "Café", Ltd')))
    for fmt, parse in (("jsonl", lambda out: [json.loads(x) for x in out.splitlines()]), ("csv", _csv_rows)):
        result = run("batch", odd, "--format", fmt, input="1000\n2000\n")
        assert result.returncode == 0, result.err
        rows = parse(result.out)
        assert len(rows) == 2
        for row in rows:
            _check(row, odd)


def test_tip_applies_to_every_row(run):
    rows = _csv_rows(run("batch", STATIC, "--fee-percent", "1.5", input="100\n200\n").out)
    assert all(fields(r["payload"])["57"] == "1.5" for r in rows)


def test_bad_row_stops_with_its_line_and_writes_nothing(run, tmp_path):
    (tmp_path / "a.csv").write_text("amount\n1000\nabc\n3000\n")
    result = run("batch", STATIC, "a.csv", "-o", "out.csv")
    assert_one_line_error(result, 3, "line 3", "'abc'", "--skip-bad")
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]  # no temporary file left behind


@pytest.mark.parametrize("flag", ["--skip-bad", "--skip-invalid"])  # the older spelling keeps working
def test_skip_bad(run, tmp_path, flag):
    (tmp_path / "a.csv").write_text("1000\nabc\n0\n3000\n")
    result = run("batch", STATIC, "a.csv", flag)
    assert result.returncode == 0
    assert [r["amount"] for r in _csv_rows(result.out)] == ["1000", "3000"]
    skipped = [line for line in result.err.splitlines() if "skipped" in line and "line" in line]
    assert [s.split("line ")[1].split(":")[0] for s in skipped] == ["2", "3"]
    assert "2 bad rows skipped" in result.err


def test_codes_csv(run, tmp_path):
    other = with_crc(BODY.replace("5914Toko Sejahtera", tlv("59", "Warung Ibu")))
    (tmp_path / "orders.csv").write_text(
        f"qris,amount,reference\n{STATIC},1000,A1\n{other},2000,A2\n{BAD_CRC},3000,A3\n{STATIC},4000,A4\n"
    )
    result = run("batch", "--codes", "orders.csv", "--skip-bad")
    assert result.returncode == 0, result.err
    rows = _csv_rows(result.out)
    assert [r["reference"] for r in rows] == ["A1", "A2", "A4"]
    _check(rows[0])
    _check(rows[1], other)
    assert "line 4" in result.err and "crc" in result.err.lower()
    assert_one_line_error(run("batch", "--codes", "orders.csv"), 3, "line 4")


def test_codes_csv_needs_columns(run, tmp_path):
    (tmp_path / "orders.csv").write_text(f"{STATIC},1000\n")
    assert_one_line_error(run("batch", "--codes", "orders.csv"), 2, "payload")


def test_usage_errors(run, tmp_path):
    assert_one_line_error(run("batch"), 2, "code")
    assert_one_line_error(run("batch", "-", input="1\n"), 2, "stdin")
    (tmp_path / "o.csv").write_text("payload,amount\n")
    assert_one_line_error(run("batch", STATIC, "--codes", "o.csv"), 2, "not both")
    assert_one_line_error(run("batch", STATIC, "missing.csv"), 5, "missing.csv")
    assert_one_line_error(run("batch", BAD_CRC, input="1\n"), 3, "crc")


def test_png_folder(run, tmp_path, image_lib):
    result = run("batch", STATIC, "--png-dir", "qr", "-o", "out.csv", input="1000\n2000\n")
    assert result.returncode == 0, result.err
    rows = _csv_rows((tmp_path / "out.csv").read_text())
    assert [r["image"] for r in rows] == [os.path.join("qr", "000001.png"), os.path.join("qr", "000002.png")]
    for row in rows:
        assert image_lib.decode_image(tmp_path / row["image"]) == row["payload"]
    assert "2 codes written to out.csv" in result.err


def test_static_code_from_an_image(run, static_png):
    rows = _csv_rows(run("batch", static_png.name, input="1000\n").out)
    _check(rows[0])


def test_progress_bar_only_on_a_terminal(tmp_path):
    """A pty for stdout and stderr: the bar is drawn; piped (the other tests): nothing."""
    import pty

    import rich  # noqa: F401  (the bar needs the cli extra, which the tests install)

    (tmp_path / "a.txt").write_text("".join(f"{n}\n" for n in range(1, 20_001)))
    master, slave = pty.openpty()
    chunks: list[bytes] = []

    def drain() -> None:
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                return
            if not data:
                return
            chunks.append(data)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    proc = subprocess.Popen(
        command("batch", STATIC, "a.txt", "-o", "out.csv"),
        stdin=subprocess.DEVNULL, stdout=slave, stderr=slave, cwd=tmp_path,
        env={**env(), "TERM": "xterm-256color", "COLUMNS": "100"},
    )
    os.close(slave)
    assert proc.wait(timeout=60) == 0
    reader.join(timeout=10)
    os.close(master)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert "rows" in screen and "\x1b[" in screen, screen
    assert len((tmp_path / "out.csv").read_text().splitlines()) == 20_001


_MEASURE = """
import os, subprocess, sys
proc = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(proc.pid, 0)
print(usage.ru_maxrss if sys.platform != "darwin" else usage.ru_maxrss // 1024)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def _peak_rss_kb(args: list[str], cwd: Path) -> int:
    """Peak RSS (KiB) of the command, started from a small parent: a child forked from this
    big pytest process would start its peak at the size of pytest."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command(*args)], cwd=cwd, env=env(), capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    return int(proc.stdout.split()[-1])


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 for a child's peak RSS")
def test_100k_rows_in_constant_memory(tmp_path):
    """100,000 rows peak no higher than 10,000: rows stream, nothing is held.

    Holding 100,000 payloads (about 230 characters each) would take 30 MB or more;
    the bound allows 8 MB of noise.
    """
    (tmp_path / "small.txt").write_text("".join(f"{n}\n" for n in range(1, 10_001)))
    (tmp_path / "big.csv").write_text("amount\n" + "".join(f"{n}.{n % 100:02d}\n" for n in range(1, 100_001)))
    small = _peak_rss_kb(["batch", STATIC, "small.txt", "-o", "small.out.csv"], tmp_path)
    big = _peak_rss_kb(["batch", STATIC, "big.csv", "-o", "big.out.csv"], tmp_path)
    assert big - small < 8 * 1024, (small, big)
    lines = (tmp_path / "big.out.csv").read_text().splitlines()
    assert len(lines) == 100_001
    for i in (1, 4242, 99_999, 100_000):
        amount, payload = lines[i].split(",")
        assert amount == f"{i}.{i % 100:02d}"
        _check({"amount": amount, "payload": payload})
    big_jsonl = _peak_rss_kb(["batch", STATIC, "big.csv", "-o", "big.out.jsonl"], tmp_path)
    assert big_jsonl - small < 8 * 1024, (small, big_jsonl)
