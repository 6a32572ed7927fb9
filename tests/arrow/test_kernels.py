"""qriskit.arrow: every kernel equals the row-by-row library, on both twins, error rows included."""

from __future__ import annotations

import array
import subprocess
import sys
import threading
from decimal import Decimal

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import qriskit
from qriskit import Tip, arrow
from tests.arrow.conftest import expected_dynamic, observed, outcome, running
from tests.codes import STATIC, make, qris, tlv, with_crc

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

DYNAMIC = qriskit.to_dynamic(STATIC, 12000, tip=Tip.prompt())
#: Codes the fast path takes, and codes it must hand to the library (errors and oddities).
PAYLOADS = [
    STATIC,
    DYNAMIC,
    qris(drop=("62",)),                                   # a reference makes a new 62
    qris(t62=tlv("01", "BILL") + tlv("05", "OLD") + tlv("07", "T1")),   # 62.05 replaced in place
    qris(t62=tlv("09", "ME")),                            # 05 goes before 09
    qris(t53="392"),                                      # JPY: no decimals
    qris(t53="414"),                                      # KWD: 3 decimals
    qris(drop=("53",)),                                   # unknown currency: decimals unchecked
    qris(t59="Café Ñusa 最佳"),                           # non-ASCII: the library's path
    with_crc(STATIC[:-8], lower=True),                    # lowercase CRC
    STATIC[:-4] + "0000",                                 # wrong CRC
    STATIC[:-4] + "ZZZZ",                                 # CRC not hex
    qris(t62="0599" + "x" * 10),                          # 62 is not TLV: a reference cannot go in
    qris(t62=tlv("01", "B" * 60)),                        # 62 too long for a 25-character reference
    make(("00", "01"), ("53", "360"), ("54", "5")),      # 54 present, no 01, no account
    " " + STATIC,
    "",
    "000201",
    "garbage",
]
TEXT = st.text(alphabet=st.one_of(st.characters(min_codepoint=0x20, max_codepoint=0x7E), st.sampled_from("éÑ最😀")),
               min_size=1, max_size=30)


@st.composite
def random_codes(draw: st.DrawFn) -> str:
    """A code of random root objects (templates 26, 51, 62, 64 with sub-objects), sometimes
    damaged: a wrong CRC, a cut, or a character changed."""
    ids = draw(st.lists(st.sampled_from([f"{i:02d}" for i in range(2, 100) if i not in (1, 63)]), unique=True,
                        max_size=10))
    pairs = [("00", "01"), ("01", draw(st.sampled_from(["11", "12"])))]
    for tag in sorted(ids) if draw(st.booleans()) else ids:
        if tag in ("26", "51", "62", "64"):
            subs = draw(st.lists(st.tuples(st.sampled_from(["00", "01", "02", "05", "07", "09"]), TEXT),
                                 max_size=3, unique_by=lambda p: p[0]))
            value = "".join(tlv(t, v) for t, v in subs)
            pairs.append((tag, value if 0 < len(value) <= 99 else "X"))
        elif tag == "53":
            pairs.append((tag, draw(st.sampled_from(["360", "392", "414", "999", "36"]))))
        elif tag == "54":
            pairs.append((tag, draw(st.sampled_from(["1000", "1.5", "abc"]))))
        else:
            pairs.append((tag, draw(TEXT)))
    code = make(*pairs)
    damage = draw(st.sampled_from(["none", "none", "none", "crc", "cut", "char"]))
    if damage == "crc":
        return code[:-4] + "0000"
    if damage == "cut":
        return code[: draw(st.integers(0, len(code) - 1))]
    if damage == "char":
        at = draw(st.integers(0, len(code) - 1))
        return code[:at] + draw(st.sampled_from("0X9 é")) + code[at + 1 :]
    return code


AMOUNT_TEXT = st.one_of(
    st.from_regex(r"\A[0-9]{1,14}(\.[0-9]{0,4})?\Z"),
    st.text(alphabet="0123456789.,- e", max_size=16),
    st.sampled_from(["15.000", "1,000", "2.500,50", "0", "0.00", ".5", "1.", "1e3", "١٢٣"]),
)
REFERENCES = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1, max_size=27),
    st.sampled_from(["", "é", "INV-0001", "x" * 25, "tab\there"]),
)
TIPS = st.one_of(
    st.none(),
    st.sampled_from(["prompt", "fixed:2500", "fixed:1.5", "fixed:2.555", "percent:2.5", "percent:100",
                     "fixed:", "bogus", "fixed:-1", "percent:0"]),
)


def amounts_column(draw: st.DrawFn, n: int) -> tuple[pa.Array, list[object]]:
    """A random amount column of one Arrow type, with nulls, and its Python rows."""
    kind = draw(st.sampled_from(["int64", "int32", "uint64", "decimal", "string", "large_string"]))
    if kind in ("int64", "int32", "uint64"):
        lo, hi = {"int64": (-(2**63), 2**63 - 1), "int32": (-(2**31), 2**31 - 1), "uint64": (0, 2**64 - 1)}[kind]
        edge = st.sampled_from([v for v in (0, 1, 10**13 - 1, 10**13, lo, hi) if lo <= v <= hi])
        values = draw(st.lists(st.none() | edge | st.integers(max(lo, -5), min(hi, 10**14)), min_size=n, max_size=n))
        return pa.array(values, getattr(pa, kind)()), values
    if kind == "decimal":
        scale = draw(st.integers(0, 14))
        places = st.decimals(min_value=Decimal(-1), max_value=Decimal(10**14), places=scale, allow_nan=False)
        values = draw(st.lists(st.none() | places, min_size=n, max_size=n))
        arr = pa.array(values, pa.decimal128(38, scale))
        return arr, arr.to_pylist()
    values = draw(st.lists(st.none() | AMOUNT_TEXT, min_size=n, max_size=n))
    return pa.array(values, getattr(pa, kind)()), values


@SETTINGS
@given(st.data())
def test_one_static_code_many_amounts(arrow_twin, data):
    n = data.draw(st.integers(0, 12))
    payload = data.draw(st.sampled_from(PAYLOADS[:9]))
    column, amounts = amounts_column(data.draw, n)
    tips = data.draw(st.lists(TIPS, min_size=n, max_size=n)) if data.draw(st.booleans()) else None
    refs = data.draw(st.lists(REFERENCES, min_size=n, max_size=n)) if data.draw(st.booleans()) else None
    with running(arrow_twin):
        got = arrow.to_dynamic(payload, column, tips=None if tips is None else pa.array(tips, pa.string()),
                               references=None if refs is None else pa.array(refs, pa.string()), errors="null")
    assert got.values.type == pa.string() and got.errors.type == arrow.ERROR_TYPE
    assert observed(got) == expected_dynamic([payload] * n, amounts, tips or [None] * n, refs or [None] * n)


@SETTINGS
@given(st.data())
def test_a_code_per_row(arrow_twin, data):
    n = data.draw(st.integers(1, 12))
    payloads = data.draw(st.lists(st.none() | st.sampled_from(PAYLOADS) | random_codes(), min_size=n, max_size=n))
    column, amounts = amounts_column(data.draw, n)
    tips = data.draw(st.lists(TIPS, min_size=n, max_size=n))
    refs = data.draw(st.lists(REFERENCES, min_size=n, max_size=n))
    verify = data.draw(st.booleans())
    kind = data.draw(st.sampled_from([pa.string(), pa.large_string(), pa.binary()]))
    codes = [None if p is None else p.encode() if kind == pa.binary() else p for p in payloads]
    with running(arrow_twin):
        got = arrow.to_dynamic(pa.array(codes, kind), column, tips=pa.array(tips, pa.string()),
                               references=pa.array(refs, pa.large_string()), verify_crc=verify, errors="null")
    assert observed(got) == expected_dynamic(codes, amounts, tips, refs, verify)


@SETTINGS
@given(payloads=st.lists(st.none() | st.sampled_from(PAYLOADS) | random_codes(), max_size=12), verify=st.booleans())
def test_to_static(arrow_twin, payloads, verify):
    with running(arrow_twin):
        got = arrow.to_static(pa.array(payloads, pa.string()), verify_crc=verify, errors="null")
    want = [None if p is None else outcome(qriskit.to_static, p, verify_crc=verify) for p in payloads]
    assert observed(got) == want


def test_raise_names_the_first_bad_row(arrow_twin):
    amounts = pa.array([1000, 2000, 0, -5])
    with running(arrow_twin), pytest.raises(qriskit.AmountError) as caught:
        arrow.to_dynamic(STATIC, amounts)
    assert str(caught.value).startswith("row 2: amount must be above zero, got 0")
    with running(arrow_twin), pytest.raises(qriskit.CRCError, match=r"^row 1: CRC mismatch"):
        arrow.to_static(pa.array([STATIC, STATIC[:-4] + "0000"]))
    # a chunked column counts rows across its chunks
    chunked = pa.chunked_array([pa.array([1, 2]), pa.array([3, 0])])
    with running(arrow_twin), pytest.raises(qriskit.AmountError, match=r"^row 3: "):
        arrow.to_dynamic(STATIC, chunked)


def test_a_bad_literal_code_raises_at_once(arrow_twin):
    with running(arrow_twin), pytest.raises(qriskit.CRCError, match="CRC mismatch"):
        arrow.to_dynamic(STATIC[:-4] + "0000", pa.array([1000]), errors="null")


def test_chunked_and_sliced_inputs(arrow_twin):
    amounts = [*range(1, 40), None, 0]
    refs = [f"R{i}" if i % 3 else None for i in range(len(amounts))]
    flat = pa.array(amounts, pa.int64())
    chunked = pa.chunked_array([flat[:7], flat[7:8], flat[8:30], flat[30:]])
    ref_chunks = pa.chunked_array([pa.array(refs[:20]), pa.array(refs[20:])])
    with running(arrow_twin):
        a = arrow.to_dynamic(STATIC, chunked, references=ref_chunks, errors="null")
        b = arrow.to_dynamic(STATIC, flat, references=pa.array(refs), errors="null")
        plain = arrow.to_dynamic(STATIC, flat, errors="null")
        sliced = arrow.to_dynamic(pa.array([STATIC] * 50)[5:46], pa.array([None] * 5 + amounts)[5:], errors="null")
    assert isinstance(a.values, pa.ChunkedArray) and isinstance(a.errors, pa.ChunkedArray)
    assert a.values.to_pylist() == b.values.to_pylist()
    assert a.errors.to_pylist() == b.errors.to_pylist()
    assert plain.values.to_pylist() == sliced.values.to_pylist()
    assert plain.errors.to_pylist() == sliced.errors.to_pylist()
    assert a.values.to_pylist()[1] == qriskit.to_dynamic(STATIC, 2, reference="R1")
    assert b.errors.to_pylist()[-1]["message"] == "amount must be above zero, got 0 (tag 54)"


def test_scalars_are_used_for_every_row(arrow_twin):
    payloads = pa.array([STATIC, qris(t53="392")])
    with running(arrow_twin):
        got = arrow.to_dynamic(payloads, Decimal("1500.50"), tips=Tip.fixed(1000), references="INV-9", errors="null")
    want = expected_dynamic(payloads.to_pylist(), [Decimal("1500.50")] * 2, [Tip.fixed(1000)] * 2, ["INV-9"] * 2)
    assert observed(got) == want
    assert want[1][0] == "error"  # JPY has no decimals
    with running(arrow_twin):
        assert arrow.to_dynamic(STATIC, [15000] * 3).to_pylist() == [qriskit.to_dynamic(STATIC, 15000)] * 3


def test_column_types(arrow_twin):
    want = [qriskit.to_dynamic(STATIC, a) for a in (1, 25000)]
    with running(arrow_twin):
        for column in (pa.array([1, 25000], pa.int16()), pa.array([1, 25000], pa.uint32()),
                       pa.array(["1", "25000"]).dictionary_encode(), pa.array(["1", "25000"], pa.string_view()),
                       pa.array([Decimal(1), Decimal(25000)], pa.decimal256(40, 0)), [1, 25000]):
            assert arrow.to_dynamic(STATIC, column).to_pylist() == want
        assert arrow.to_dynamic(STATIC, pa.nulls(2)).to_pylist() == [None, None]
        assert arrow.to_static(pa.array([STATIC.encode()], pa.large_binary())).to_pylist() == [STATIC]
        for bad in (pa.array([1.5, 2.0]), pa.array([True]), pa.array([b"1"])):
            with pytest.raises(TypeError, match="amounts must be integers, decimals or strings"):
                arrow.to_dynamic(STATIC, bad)
        with pytest.raises(TypeError, match="floats cannot hold money exactly"):
            arrow.to_dynamic(STATIC, 1.5)
        with pytest.raises(TypeError, match="payloads must be strings"):
            arrow.to_static(pa.array([1, 2]))
        with pytest.raises(ValueError, match="different lengths"):
            arrow.to_dynamic(pa.array([STATIC] * 3), pa.array([1, 2]))
        with pytest.raises(ValueError, match='errors must be "raise" or "null"'):
            arrow.to_dynamic(STATIC, [1], errors="ignore")


def test_large_string_past_the_limit(arrow_twin, monkeypatch):
    """Past 2 GiB of text (made small here) the result is large_string, in every chunk."""
    monkeypatch.setattr(arrow_twin, "STRING_LIMIT", 1000)
    with running(arrow_twin):
        small = arrow.to_dynamic(STATIC, pa.array([1, 2]))
        big = arrow.to_dynamic(STATIC, pa.array(range(1, 11)))
        mixed = arrow.to_dynamic(STATIC, pa.chunked_array([pa.array([1]), pa.array(range(1, 11))]))
    assert small.type == pa.string() and big.type == pa.large_string()
    assert big.to_pylist() == qriskit.to_dynamic_many(STATIC, range(1, 11))
    assert mixed.type == pa.large_string() and mixed.num_chunks == 2


def test_validate_and_info_equal_the_library():
    codes = [*PAYLOADS, None, STATIC, DYNAMIC]
    column = pa.chunked_array([pa.array(codes[:5]), pa.array(codes[5:])])
    checked = arrow.validate(column).to_pylist()
    summaries = arrow.info(pa.array(codes)).to_pylist()
    assert arrow.validate(column).type == arrow.VALIDATE_TYPE and arrow.info(codes).type == arrow.INFO_TYPE
    for code, row, summary in zip(codes, checked, summaries):
        if code is None:
            assert row is None and summary is None
            continue
        report = qriskit.validate(code)
        assert row == {"ok": report.ok, "errors": [p.code for p in report.errors],
                       "warnings": [p.code for p in report.warnings]}
        d = qriskit.info(code)
        assert summary["readable"] == d["readable"] and summary["valid"] == d["valid"]
        assert summary["merchant_name"] == (d["merchant"] or {}).get("name")
        assert summary["nmid"] == d["nmid"] and summary["criteria"] == d["criteria"]
        assert summary["acquirers"] == [a["name"] for a in d["acquirers"]]
        assert summary["amount_text"] == d["amount"] and summary["tip"] == d["tip"]
        assert summary["reference"] == d["reference"]
        assert summary["amount"] == (None if d["amount"] is None else Decimal(d["amount"]))
        assert summary["errors"] == [p["code"] for p in d["errors"]]
    assert summaries[1]["amount"] == Decimal(12000) and summaries[1]["tip"]["kind"] == "prompt"


def test_the_native_kernel_lets_other_threads_run():
    """While a conversion runs, another Python thread keeps running: the GIL is released."""
    if arrow.backend != "native":
        pytest.skip("the pure twin holds the GIL by design")
    amounts = pa.array(range(1, 2_000_001))
    done = threading.Event()
    ticks = 0

    def convert():
        for _ in range(3):
            arrow.to_dynamic(STATIC, amounts)
        done.set()

    worker = threading.Thread(target=convert)
    worker.start()
    while not done.is_set():
        ticks += 1
    worker.join()
    assert ticks > 1000


@SETTINGS
@given(codes=st.lists(st.none() | st.sampled_from(PAYLOADS) | random_codes(), max_size=8))
def test_validate_and_info_on_random_codes(codes):
    checked = arrow.validate(pa.array(codes, pa.string())).to_pylist()
    summaries = arrow.info(pa.array(codes, pa.string())).to_pylist()
    for code, row, summary in zip(codes, checked, summaries):
        if code is None:
            assert row is None and summary is None
            continue
        report = qriskit.validate(code)
        assert row == {"ok": report.ok, "errors": [p.code for p in report.errors],
                       "warnings": [p.code for p in report.warnings]}
        d = qriskit.info(code)
        assert (summary["readable"], summary["valid"], summary["kind"], summary["currency"], summary["amount_text"],
                summary["reference"], summary["tip"]) == (d["readable"], d["valid"], d["kind"], d["currency"],
                                                          d["amount"], d["reference"], d["tip"])
        assert summary["errors"] == [p["code"] for p in d["errors"]]


def test_with_dynamic_adds_columns_to_tables_and_batches(arrow_twin):
    orders = pa.table({"code": [STATIC, PAYLOADS[10], None], "amount": [1000, 2000, 3000],
                       "ref": ["A", None, "C"], "tip": ["prompt", None, None]})
    with running(arrow_twin):
        done = arrow.with_dynamic(orders, payload="code", amount="amount", reference="ref", tip="tip", errors="null")
        batch = arrow.with_dynamic(orders.to_batches()[0], payload=STATIC, amount="amount", output="pay")
        with pytest.raises(ValueError, match="no such column"):
            arrow.with_dynamic(orders, payload="code", amount="price")
        for clash in ({"output": "amount"}, {"output": "x", "error_column_name": "ref", "errors": "null"},
                      {"output": "x", "error_column_name": "x", "errors": "null"}):
            with pytest.raises(ValueError, match="column"):  # never a replaced or a second column of that name
                arrow.with_dynamic(orders, payload=STATIC, amount="amount", **clash)
        assert arrow.with_dynamic(orders, payload=STATIC, amount="amount", output="x",
                                  error_column_name="ref").column_names[-1] == "x"  # no error column: no clash
        with pytest.raises(qriskit.CRCError, match=r"^row 1: CRC mismatch"):
            arrow.with_dynamic(orders, payload="code", amount="amount")
    assert done.column_names == ["code", "amount", "ref", "tip", "qris", "qris_error"]
    assert done.column("qris").to_pylist() == [
        qriskit.to_dynamic(STATIC, 1000, reference="A", tip=Tip.prompt()), None, None]
    assert [e and e["error"] for e in done.column("qris_error").to_pylist()] == [None, "CRCError", None]
    assert isinstance(batch, pa.RecordBatch)
    assert batch.column("pay").to_pylist() == qriskit.to_dynamic_many(STATIC, [1000, 2000, 3000])


def test_a_chunked_column_of_one_row_is_used_for_every_row(arrow_twin):
    """A one-row chunked column broadcasts like a one-row array (it raised 'a column of 0 rows')."""
    one = pa.chunked_array([pa.array([], pa.int64()), pa.array([15000])])
    with running(arrow_twin):
        got = arrow.to_dynamic(pa.array([STATIC, STATIC, None]), one, references=pa.chunked_array([["INV-1"]]),
                               tips=pa.chunked_array([["prompt"]]))
    want = qriskit.to_dynamic(STATIC, 15000, reference="INV-1", tip=Tip.prompt())
    assert isinstance(got, pa.ChunkedArray) and got.to_pylist() == [want, want, None]


def test_dictionary_columns_of_string_views(arrow_twin):
    """A dictionary of string_view values (pyarrow has no kernel to decode it directly) still reads."""
    amounts = pa.array(["1500", None, "25000"], pa.string_view()).dictionary_encode()
    codes = pa.array([STATIC, STATIC, STATIC], pa.string_view()).dictionary_encode()
    refs = pa.array(["A", "B", None], pa.string_view()).dictionary_encode()
    with running(arrow_twin):
        got = arrow.to_dynamic(codes, amounts, references=refs)
    assert got.to_pylist() == [qriskit.to_dynamic(STATIC, 1500, reference="A"), None,
                               qriskit.to_dynamic(STATIC, 25000)]
    assert arrow.validate(codes).to_pylist()[0]["ok"]


def test_a_list_of_decimals_keeps_each_amount_as_written(arrow_twin):
    """pyarrow gives a list of Decimals one scale ([1.5, 2] -> [1.5, 2.0]): each row must
    still be the library's answer for its own Decimal (in yen, 100 is fine and 100.0 is not)."""
    yen = qris(t53="392")
    amounts = [Decimal("100"), Decimal("1.5"), None, Decimal("25")]
    with running(arrow_twin):
        got = arrow.to_dynamic(yen, amounts, errors="null")
        mixed = arrow.to_dynamic(pa.chunked_array([[STATIC], [STATIC, STATIC]]), [Decimal("1.5"), Decimal(2), None],
                                 references=["A", "B", "C"])
    assert observed(got) == expected_dynamic([yen] * 4, amounts, [None] * 4, [None] * 4)
    assert got.values.to_pylist()[0] == qriskit.to_dynamic(yen, 100)
    assert mixed.to_pylist() == [qriskit.to_dynamic(STATIC, Decimal("1.5"), reference="A"),
                                 qriskit.to_dynamic(STATIC, 2, reference="B"), None]


def test_one_decimal_for_every_row_is_read_as_the_library_reads_it(arrow_twin):
    """Decimal("Infinity") made pyarrow raise a bare TypeError (even with errors="null"), and
    Decimal("0E+1") came back from Arrow as 0 (another message): both are the library's rows now."""
    codes = pa.array([STATIC, STATIC])
    for amount in (Decimal("Infinity"), Decimal("NaN"), Decimal("0E+1"), Decimal("-0"), Decimal("1E+2")):
        with running(arrow_twin):
            got = arrow.to_dynamic(codes, amount, errors="null")
        assert observed(got) == expected_dynamic([STATIC] * 2, [amount] * 2, [None] * 2, [None] * 2)


def test_a_slice_reserves_for_its_own_rows_only():
    """A batch sliced from a large column reserved the output for the whole shared text buffer
    (here 1 GiB, never touched, for one row): under an address-space limit a MemoryError."""
    if arrow.backend != "native" or not sys.platform.startswith("linux"):
        pytest.skip("the native kernel's allocation, measured on Linux")
    script = f"""
import resource
import pyarrow as pa
from qriskit import arrow
static = {STATIC!r}.encode()
text = pa.allocate_buffer(1 << 30)                # the text of a large column, never touched
memoryview(text).cast("B")[:len(static)] = static
offsets = pa.array([0, len(static)], pa.int32()).buffers()[1]
one = pa.Array.from_buffers(pa.string(), 1, [None, offsets, text])
size = int(open("/proc/self/statm").read().split()[0]) * resource.getpagesize()
resource.setrlimit(resource.RLIMIT_AS, (size + (512 << 20), resource.getrlimit(resource.RLIMIT_AS)[1]))
print(arrow.to_dynamic(one, pa.array([15000])).to_pylist()[0])
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == qriskit.to_dynamic(STATIC, 15000)


def test_a_list_pyarrow_cannot_read_goes_row_by_row(arrow_twin):
    """A list with an int past 64 bits raised a bare OverflowError, one with a Decimal NaN or
    mixed types a TypeError for the whole call (errors="null" too): each row is the library's now."""
    codes = pa.array([STATIC] * 3)
    for amounts in ([2**70, 15000, None], [Decimal("NaN"), Decimal(5), 7], [1, "2.5", Decimal("3")]):
        with running(arrow_twin):
            got = arrow.to_dynamic(codes, amounts, errors="null")
        assert observed(got) == expected_dynamic([STATIC] * 3, amounts, [None] * 3, [None] * 3)
    with running(arrow_twin), pytest.raises(TypeError, match="sequence pyarrow can read"):
        arrow.to_dynamic(STATIC, [1.5, Decimal(1)])  # a float is still refused at once


def _not_utf8(*cells: bytes, large: bool = False) -> pa.Array:
    """A string column holding ``cells`` as they are (as a damaged file or engine can give)."""
    offsets, end = [0], 0
    for c in cells:
        end += len(c)
        offsets.append(end)
    buffers = [None, pa.py_buffer(array.array("q" if large else "i", offsets).tobytes()), pa.py_buffer(b"".join(cells))]
    return pa.Array.from_buffers(pa.large_string() if large else pa.string(), len(cells), buffers)


@pytest.mark.parametrize("large", [False, True])
def test_string_cells_that_are_not_utf8_are_their_row_s_error(arrow_twin, large):
    """Only the damaged row fails (input.encoding), on both twins, whichever column holds it."""
    bad = _not_utf8(b"1000", b"\xff\xfe", b"3000", large=large)
    codes = pa.array([STATIC] * 3)
    amounts = pa.array([1000, 2000, 3000])
    good = qriskit.to_dynamic(STATIC, 1000), qriskit.to_dynamic(STATIC, 3000)
    with running(arrow_twin):
        for kwargs in ({"amounts": bad}, {"references": _not_utf8(b"A", b"\xc3", b"C", large=large)},
                       {"tips": _not_utf8(b"prompt", b"\xff", b"prompt", large=large)}):
            columns = {"amounts": amounts, **kwargs}
            result = arrow.to_dynamic(codes, errors="null", **columns)
            assert result.values[1].as_py() is None
            assert result.errors[1].as_py()["code"] == "input.encoding"
            assert result.errors[0].as_py() is None and result.errors[2].as_py() is None
            with pytest.raises(qriskit.QRISError, match=r"^row 1: .*not valid UTF-8") as caught:
                arrow.to_dynamic(codes, **columns)
            assert caught.value.code == "input.encoding"
        payloads = _not_utf8(STATIC.encode(), b"\xff" + STATIC.encode()[1:], STATIC.encode(), large=large)
        converted = arrow.to_dynamic(payloads, 1000, errors="null")
        assert converted.values.to_pylist() == [good[0], None, good[0]]
        assert converted.errors[1].as_py()["code"] == "input.encoding"
        assert [row["errors"] for row in arrow.validate(payloads).to_pylist()][1] == ["input.encoding"]
        assert arrow.info(payloads).to_pylist()[1]["errors"] == ["input.encoding"]


@pytest.mark.parametrize("payload", [qris(t53="999"), qris(drop=("53",))])
def test_unknown_currency_text_that_may_be_grouping_is_each_row_s_error(arrow_twin, payload):
    """The native kernel wrote "15.000" (amount or fixed fee) as 15.000 without asking the
    library when the currency is unknown; the library refuses it (it may mean 15000)."""
    amounts = ["15.000", "15000", "1.5", "0.500", "15.000"]
    tips = [None, "fixed:1.500", "fixed:1.5", None, "prompt"]
    amounts_d = pa.array([Decimal("15.000")] * 2, pa.decimal128(10, 3))
    with running(arrow_twin):
        got = arrow.to_dynamic(payload, pa.array(amounts), tips=pa.array(tips), errors="null")
        by_decimal = arrow.to_dynamic(payload, amounts_d, errors="null")
    assert observed(got) == expected_dynamic([payload] * 5, amounts, tips, [None] * 5)
    assert [row is not None and row[0] for row in observed(got)] == ["error", "error", "ok", "ok", "error"]
    assert [qriskit.parse(v).get("54") for v in by_decimal.values.to_pylist()] == ["15.000"] * 2
