"""batch with Parquet: read batch by batch through the Arrow kernels, written as string columns."""

from __future__ import annotations

import csv
import io
import os
from decimal import Decimal

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import qriskit
from qriskit import cli

from .conftest import BAD_CRC, STATIC, assert_one_line_error, crc_ok, fields, tlv, with_crc
from .test_cli_batch import _peak_rss_kb

TIP = ("--fee-fixed", "1000")


def _rows(path) -> list[dict[str, str | None]]:
    return pq.read_table(path).to_pylist()


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_parquet_to_csv_equals_csv_to_csv(run, tmp_path):
    """The same cells from Parquet and from CSV give the same bytes (tip and references too)."""
    amounts, refs = ["15000", "2500.50", " 7 ", "1."], ["INV-1", "", " INV 3 ", "R-4"]
    pq.write_table(pa.table({"Amount": amounts, "ref": refs}), tmp_path / "in.parquet")
    (tmp_path / "in.csv").write_text("Amount,ref\n" + "".join(f"{a},{r}\n" for a, r in zip(amounts, refs)))
    from_parquet = run("batch", STATIC, "in.parquet", *TIP)
    from_csv = run("batch", STATIC, "in.csv", *TIP)
    assert from_parquet.returncode == 0, from_parquet.err
    assert from_parquet.stdout == from_csv.stdout
    rows = _csv(from_parquet.out)
    assert [r["amount"] for r in rows] == ["15000", "2500.50", "7", "1."]
    assert [r["reference"] for r in rows] == ["INV-1", "", "INV 3", "R-4"]
    tip = qriskit.Tip.fixed(1000)
    assert rows[2]["payload"] == qriskit.to_dynamic(STATIC, "7", tip=tip, reference="INV 3")
    assert rows[1]["payload"] == qriskit.to_dynamic(STATIC, "2500.50", tip=tip)


def test_csv_to_parquet_and_back(run, tmp_path):
    """CSV -> Parquet holds the CSV output's columns as strings; Parquet -> CSV gives the CSV output."""
    (tmp_path / "in.csv").write_text("amount,reference\n15000,INV-1\n2500.50,\n99,X\n")
    as_csv = run("batch", STATIC, "in.csv")
    done = run("batch", STATIC, "in.csv", "-o", "out.parquet")
    assert done.returncode == 0, done.err
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.names == ["amount", "payload", "reference"]
    assert all(t == pa.string() for t in table.schema.types)
    expected = _csv(as_csv.out)
    assert [{k: v or "" for k, v in row.items()} for row in table.to_pylist()] == expected
    assert table.column("reference").to_pylist()[1] is None  # no value: null, not ""
    # and back: the Parquet output, read as input, gives the same CSV
    pq.write_table(table.select(["amount", "reference"]), tmp_path / "again.parquet")
    assert run("batch", STATIC, "again.parquet").stdout == as_csv.stdout


def test_codes_parquet_to_parquet(run, tmp_path):
    other = with_crc(STATIC[:-8].replace(tlv("59", "Toko Sejahtera"), tlv("59", "Kedai Kopi")))
    pq.write_table(pa.table({"qris": [STATIC, other, STATIC], "amount": pa.array([1000, 25, 3], pa.int32())}),
                   tmp_path / "codes.parquet")
    done = run("batch", "--codes", "codes.parquet", "--format", "parquet", "-o", "out.bin")
    assert done.returncode == 0, done.err
    rows = _rows(tmp_path / "out.bin")
    assert [r["amount"] for r in rows] == ["1000", "25", "3"]
    assert [r["payload"] for r in rows] == [qriskit.to_dynamic(STATIC, 1000), qriskit.to_dynamic(other, 25),
                                            qriskit.to_dynamic(STATIC, 3)]
    assert all(crc_ok(r["payload"]) for r in rows)


def test_decimal_amounts(run, tmp_path):
    amounts = pa.array([Decimal("15000.50"), Decimal("3.00")], pa.decimal128(10, 2))
    pq.write_table(pa.table({"amount": amounts}), tmp_path / "d.parquet")
    result = run("batch", STATIC, "d.parquet")
    assert result.returncode == 0, result.err
    rows = _csv(result.out)
    assert [r["amount"] for r in rows] == ["15000.50", "3.00"]
    assert [fields(r["payload"])["54"] for r in rows] == ["15000.50", "3.00"]
    assert rows[0]["payload"] == qriskit.to_dynamic(STATIC, Decimal("15000.50"))


def test_bad_row_stops_with_its_row_and_writes_nothing(run, tmp_path):
    pq.write_table(pa.table({"amount": ["1000", "2000", "1.000", "abc"]}), tmp_path / "in.parquet")
    result = run("batch", STATIC, "in.parquet", "-o", "out.csv")
    assert_one_line_error(result, cli.EXIT_INVALID, "row 3", "thousands separator", "--skip-bad")
    assert not (tmp_path / "out.csv").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_skip_bad_names_rows_like_csv(run, tmp_path):
    """Each bad row is named "row N" with the message the CSV path gives for the same cell."""
    amounts = ["1000", "0", None, "  ", "15.000", "2500"]
    pq.write_table(pa.table({"amount": amounts, "reference": ["A", "B", "C", "D", "E", "F" * 30]}),
                   tmp_path / "in.parquet")
    result = run("batch", STATIC, "in.parquet", "--skip-bad", "--errors", "bad.txt", "-o", "out.parquet")
    assert result.returncode == 0, result.err
    assert "1 code written to out.parquet, 5 bad rows skipped" in result.err
    bad = (tmp_path / "bad.txt").read_text().splitlines()
    assert [line.split(":")[0] for line in bad] == ["row 2", "row 3", "row 4", "row 5", "row 6"]
    assert bad[1] == "row 3: no amount" and bad[2] == "row 4: no amount"
    (tmp_path / "in.csv").write_text("amount,reference\n1000,A\n0,B\n15.000,E\n2500," + "F" * 30 + "\n")
    assert run("batch", STATIC, "in.csv", "--skip-bad", "--errors", "csv-bad.txt").returncode == 0
    csv_reasons = [line.split(": ", 1)[1] for line in (tmp_path / "csv-bad.txt").read_text().splitlines()]
    assert csv_reasons == [bad[0].split(": ", 1)[1], bad[3].split(": ", 1)[1], bad[4].split(": ", 1)[1]]
    assert [r["amount"] for r in _rows(tmp_path / "out.parquet")] == ["1000"]


def test_codes_bad_crc_and_missing_code(run, tmp_path):
    pq.write_table(pa.table({"payload": [STATIC, BAD_CRC, None], "amount": [10, 20, 30]}), tmp_path / "c.parquet")
    result = run("batch", "--codes", "c.parquet", "--skip-bad")
    assert result.returncode == 0, result.err
    assert "skipped row 2: invalid code:" in result.err and "--no-crc-check" in result.err
    assert "skipped row 3: no payload" in result.err
    assert [r["amount"] for r in _csv(result.out)] == ["10"]
    unchecked = run("batch", "--codes", "c.parquet", "--skip-bad", "--no-crc-check")
    assert [r["amount"] for r in _csv(unchecked.out)] == ["10", "20"]


def test_float_amounts_are_refused(run, tmp_path):
    pq.write_table(pa.table({"amount": [1.5, 2.0]}), tmp_path / "f.parquet")
    result = run("batch", STATIC, "f.parquet", "-o", "out.csv")
    assert_one_line_error(result, cli.EXIT_INVALID, "'amount'", "double", "floats", "integers, decimal or strings")
    assert not (tmp_path / "out.csv").exists()


def test_other_column_types_are_refused(run, tmp_path):
    pq.write_table(pa.table({"amount": [True], "reference": ["x"]}), tmp_path / "b.parquet")
    assert_one_line_error(run("batch", STATIC, "b.parquet"), cli.EXIT_INVALID, "'amount'", "bool")
    pq.write_table(pa.table({"amount": [1], "reference": [b"x"]}), tmp_path / "r.parquet")
    assert_one_line_error(run("batch", STATIC, "r.parquet"), cli.EXIT_INVALID, "'reference'", "strings")
    pq.write_table(pa.table({"amount": [1], "reference": [42]}), tmp_path / "n.parquet")  # integers: their text
    assert fields(_csv(run("batch", STATIC, "n.parquet").out)[0]["payload"])["62"].startswith("050242")


def test_parquet_needs_an_amount_column_and_a_real_file(run, tmp_path):
    pq.write_table(pa.table({"price": [1]}), tmp_path / "p.parquet")
    assert_one_line_error(run("batch", STATIC, "p.parquet"), cli.EXIT_USAGE, "'amount'")
    (tmp_path / "fake.parquet").write_text("amount\n1000\n")
    assert_one_line_error(run("batch", STATIC, "fake.parquet"), cli.EXIT_INVALID, "Parquet")


def test_stdin_is_refused_for_parquet(run, tmp_path):
    pq.write_table(pa.table({"amount": [1]}), tmp_path / "a.parquet")
    data = (tmp_path / "a.parquet").read_bytes()
    result = run("batch", STATIC, "-", "--input-format", "parquet", input=data)
    assert_one_line_error(result, cli.EXIT_USAGE, "stdin", "path")


def test_without_the_arrow_extra(run_without, tmp_path):
    pq.write_table(pa.table({"amount": [1]}), tmp_path / "a.parquet")
    for args in (["batch", STATIC, "a.parquet", "-o", "out.csv"], ["batch", STATIC, "-o", "out.parquet"]):
        result = run_without(("pyarrow",), *args, input="1000\n")
        assert_one_line_error(result, cli.EXIT_EXTRA, "Parquet", 'pip install "pyqriskit[arrow]"')
        assert "Error" not in result.err
        assert not (tmp_path / "out.csv").exists() and not (tmp_path / "out.parquet").exists()
    assert run_without(("pyarrow",), "batch", STATIC, input="1000\n").returncode == 0  # CSV needs no extra


@pytest.mark.skipif(not hasattr(os, "wait4"), reason="needs os.wait4 for a child's peak RSS")
def test_large_file_streams_batch_by_batch(run, tmp_path):
    """300,000 rows in many row groups: the right rows out, and a peak close to 100,000 rows'.

    Holding 200,000 more output payloads would take 45 MB or more; the bound allows 16 MB
    of noise (the allocators keep some freed memory).
    """
    n = 300_000
    amounts = pa.array([f"{i}.{i % 100:02d}" for i in range(1, n + 1)])
    refs = pa.array([f"INV-{i}" for i in range(1, n + 1)])
    pq.write_table(pa.table({"amount": amounts, "reference": refs}), tmp_path / "big.parquet",
                   row_group_size=50_000)
    pq.write_table(pa.table({"amount": amounts[:100_000], "reference": refs[:100_000]}), tmp_path / "small.parquet",
                   row_group_size=50_000)
    small = _peak_rss_kb(["batch", STATIC, "small.parquet", "-o", "small.out.parquet"], tmp_path)
    big = _peak_rss_kb(["batch", STATIC, "big.parquet", "-o", "big.out.parquet"], tmp_path)
    assert big - small < 16 * 1024, (small, big)
    out = pq.ParquetFile(tmp_path / "big.out.parquet")
    assert out.metadata.num_rows == n and out.metadata.num_row_groups > 1
    table = out.read()
    for i in (0, 4241, n // 2, n - 1):
        row = {name: table.column(name)[i].as_py() for name in table.schema.names}
        assert row["amount"] == f"{i + 1}.{(i + 1) % 100:02d}" and row["reference"] == f"INV-{i + 1}"
        assert row["payload"] == qriskit.to_dynamic(STATIC, row["amount"], reference=row["reference"])


def test_png_dir_with_parquet_in_and_out(run, tmp_path, image_lib):
    pq.write_table(pa.table({"amount": [1000, 2000]}), tmp_path / "a.parquet")
    result = run("batch", STATIC, "a.parquet", "-o", "out.parquet", "--png-dir", "qr")
    assert result.returncode == 0, result.err
    rows = _rows(tmp_path / "out.parquet")
    assert [r["image"] for r in rows] == ["qr/000001.png", "qr/000002.png"]
    for row in rows:
        assert image_lib.decode_image(tmp_path / row["image"]) == row["payload"]


def _not_utf8(cells: list[bytes]) -> pa.Array:
    """A string column holding bytes that are not UTF-8 (a damaged or mislabelled file)."""
    return pa.array(cells, pa.binary()).view(pa.string())


@pytest.mark.parametrize("args", [(STATIC,), ("--codes",)])
@pytest.mark.parametrize("column", ["amount", "reference", "payload"])
def test_text_that_is_not_utf8_stops_with_one_line(run, tmp_path, args, column):
    cells = {"payload": [STATIC.encode()] * 3, "amount": [b"1000", b"2000", b"3000"], "reference": [b"A", b"B", b"C"]}
    cells[column] = [*cells[column][:2], cells[column][2][:-1] + b"\xff"]
    if args != ("--codes",) and column != "payload":
        del cells["payload"]  # with CODE, a payload column is refused (test_a_payload_column_needs_codes)
    pq.write_table(pa.table({name: _not_utf8(col) for name, col in cells.items()}), tmp_path / "u.parquet")
    result = run("batch", *args, "u.parquet", "-o", "out.csv", "--skip-bad")
    if column == "payload" and args != ("--codes",):
        assert_one_line_error(result, cli.EXIT_USAGE, "'payload' column", "--codes")
        assert os.listdir(tmp_path) == ["u.parquet"]
        return
    assert_one_line_error(result, cli.EXIT_INVALID, "row 1", "cannot be read", "utf")
    assert os.listdir(tmp_path) == ["u.parquet"]


def _flip_amount(data: bytes, amount: bytes, to: bytes) -> bytes:
    """``data`` with the one stored copy of ``amount`` changed to ``to`` (a damaged data page)."""
    assert data.count(amount) == 1 and len(to) == len(amount)
    return data.replace(amount, to)


def test_a_damaged_page_stops_the_run(run, tmp_path):
    """A page whose checksum fails is never read as amounts (13274 would become 12274)."""
    amounts = [str(13000 + i) for i in range(500)]
    pq.write_table(pa.table({"amount": amounts}), tmp_path / "in.parquet", compression="none",
                   use_dictionary=False, write_page_checksum=True)
    assert run("batch", STATIC, "in.parquet", "-o", "out.csv").returncode == 0
    (tmp_path / "out.csv").unlink()
    damaged = _flip_amount((tmp_path / "in.parquet").read_bytes(), b"13274", b"12274")
    (tmp_path / "in.parquet").write_bytes(damaged)
    result = run("batch", STATIC, "in.parquet", "-o", "out.csv", "--skip-bad")
    assert_one_line_error(result, cli.EXIT_INVALID, "row 1", "cannot be read", "checksum")
    assert os.listdir(tmp_path) == ["in.parquet"]


def test_written_parquet_carries_page_checksums(run, tmp_path):
    """batch's own Parquet output is checked when read back: a damaged amount stops the run."""
    (tmp_path / "in.csv").write_text("amount,reference\n13274,A\n2500.50,B\n999,C\n")
    assert run("batch", STATIC, "in.csv", "-o", "codes.parquet").returncode == 0
    data = (tmp_path / "codes.parquet").read_bytes()
    amounts = pq.ParquetFile(tmp_path / "codes.parquet").metadata.row_group(0).column(0)
    at = data.index(b"13274")  # the amount column's copy (the payload's comes after it)
    assert at < amounts.data_page_offset + amounts.total_compressed_size
    (tmp_path / "codes.parquet").write_bytes(data[:at] + b"12274" + data[at + 5:])
    result = run("batch", "--codes", "codes.parquet", "-o", "again.csv", "--skip-bad")
    assert_one_line_error(result, cli.EXIT_INVALID, "row 1", "cannot be read", "checksum")
    assert not (tmp_path / "again.csv").exists()


@pytest.mark.parametrize("good_rows", [3, 20_000])  # 20,000: a row group is written before the bad row
def test_a_failed_run_leaves_no_parquet_that_looks_whole(run, tmp_path, good_rows):
    """With -o: one line and no file. On stdout: the rows so far, but never the footer that would
    make them read as the whole output."""
    (tmp_path / "in.csv").write_text("amount\n" + "".join(f"{i}\n" for i in range(1, good_rows + 1)) + "1,000\n")
    result = run("batch", STATIC, "in.csv", "-o", "out.parquet")
    assert_one_line_error(result, cli.EXIT_INVALID, f"line {good_rows + 2}")
    assert os.listdir(tmp_path) == ["in.csv"]
    result = run("batch", STATIC, "in.csv", "--format", "parquet")
    assert result.returncode == cli.EXIT_INVALID and len(result.err.splitlines()) == 1, result.err
    (tmp_path / "stdout.parquet").write_bytes(result.stdout)
    with pytest.raises(pa.ArrowInvalid):  # no footer: not a Parquet file
        pq.ParquetFile(tmp_path / "stdout.parquet")


@pytest.mark.parametrize("args", [(STATIC,), ("--codes",)])
def test_string_view_columns(run, tmp_path, args):
    """Columns stored as string_view (pyarrow keeps the type; polars' text is views) read like strings."""
    view = pa.string_view()
    columns = {"payload": pa.array([STATIC, f" {STATIC} "], view), "amount": pa.array([" 15000 ", "2500.50"], view),
               "reference": pa.array([" INV-1", None], view)}
    if args != ("--codes",):
        del columns["payload"]  # with CODE a payload column is refused
    table = pa.table(columns)
    pq.write_table(table, tmp_path / "v.parquet")
    assert pq.read_schema(tmp_path / "v.parquet").field("amount").type == view
    result = run("batch", *args, "v.parquet")
    assert result.returncode == 0, result.err
    assert [(r["amount"], r["reference"]) for r in _csv(result.out)] == [("15000", "INV-1"), ("2500.50", "")]
    assert _csv(result.out)[0]["payload"] == qriskit.to_dynamic(STATIC, "15000", reference="INV-1")
