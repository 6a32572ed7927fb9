"""Arrow column kernels behind ``qriskit.arrow``: inputs checked and lined up, a twin run per chunk.

The conversions run on a twin picked once, like the codec's: ``_arrow_c`` (native: reads
Arrow buffers and writes the output's buffers without the GIL) when the native codec is
active, else ``_arrow_py`` (row by row). Both give the same arrays. ``validate`` and
``info`` run the library's own ``qriskit.validate``/``qriskit.info`` once per distinct code
of a chunk (codes repeat in bulk data) and spread the answers with ``take``.
"""

from __future__ import annotations

import itertools
from array import array
from collections.abc import Callable, Sequence
from decimal import Decimal
from types import ModuleType
from typing import TYPE_CHECKING, Any, Literal, NamedTuple, overload

from . import _codec, errors
from . import info as _info
from . import validate as _validate
from ._arrow_rows import Tips, cells, tip_entry
from ._engines import error_column, input_columns, is_code, new_columns
from .values import Tip, amount_text, reference_text

import pyarrow as pa  # isort: skip  (qriskit.arrow checks first that it is installed)
import pyarrow.compute as pc  # isort: skip

if TYPE_CHECKING:
    from . import _arrow_py as kernel
else:

    def _load() -> ModuleType:
        if _codec.backend == "native":
            try:
                from . import _arrow_c
            except ImportError:  # an old build without the Arrow kernels
                pass
            else:
                return _arrow_c
        from . import _arrow_py

        return _arrow_py

    kernel = _load()

__all__ = [
    "ERROR_TYPE",
    "INFO_TYPE",
    "VALIDATE_TYPE",
    "Converted",
    "backend",
    "info",
    "to_dynamic",
    "to_static",
    "validate",
    "with_dynamic",
]

#: "native" or "python": which twin runs the conversions.
backend: str = "python" if kernel.__name__.endswith("_py") else "native"

#: The companion error column: the exception's class, ``str(exc)`` and its ``code`` (may be null).
ERROR_TYPE = pa.struct([("error", pa.string()), ("message", pa.string()), ("code", pa.string())])

#: ``validate``'s rows: ``ok`` and the problem codes of the errors and warnings.
VALIDATE_TYPE = pa.struct([
    ("ok", pa.bool_()), ("errors", pa.list_(pa.string())), ("warnings", pa.list_(pa.string())),
])

#: ``info``'s rows: the decoded fields of ``qriskit.info``; ``amount`` as a decimal (null when
#: 54 is absent, not a plain number, or has more than 4 decimals: ``amount_text`` keeps it).
INFO_TYPE = pa.struct([
    ("readable", pa.bool_()),
    ("valid", pa.bool_()),
    ("kind", pa.string()),
    ("merchant_name", pa.string()),
    ("merchant_city", pa.string()),
    ("postal_code", pa.string()),
    ("country", pa.string()),
    ("mcc", pa.string()),
    ("currency", pa.string()),
    ("nmid", pa.string()),
    ("criteria", pa.string()),
    ("acquirers", pa.list_(pa.string())),
    ("amount", pa.decimal128(38, 4)),
    ("amount_text", pa.string()),
    ("tip", pa.struct([("indicator", pa.string()), ("kind", pa.string()), ("fixed", pa.string()),
                       ("percent", pa.string())])),
    ("reference", pa.string()),
    ("crc_ok", pa.bool_()),
    ("errors", pa.list_(pa.string())),
    ("warnings", pa.list_(pa.string())),
])

#: An Arrow array or chunked array (pyarrow ships no type information, so this is Any to mypy).
Column = Any
Errors = Literal["raise", "null"]


class Converted(NamedTuple):
    """A conversion with ``errors="null"``: the codes (null where a row failed) and, row for
    row, what went wrong (null where nothing did; ``ERROR_TYPE``)."""

    values: Column
    errors: Column


# -- inputs ----------------------------------------------------------------------------------------

def _column(value: Any, what: str) -> Column:
    """An Arrow array or chunked array from anything ``pyarrow`` reads as one."""
    if isinstance(value, (pa.Array, pa.ChunkedArray)):
        return value
    if hasattr(value, "__arrow_c_stream__") and not hasattr(value, "__arrow_c_array__"):
        return pa.chunked_array(value)
    try:
        return pa.array(value)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, OverflowError) as exc:
        raise TypeError(f"{what} must be an Arrow array or a sequence pyarrow can read: {exc}") from None


def _decoded(col: Column) -> Column:
    if pa.types.is_dictionary(col.type):
        value_type = col.type.value_type
        # pyarrow cannot decode view values (no take kernel): make them large ones first
        if pa.types.is_string_view(value_type) or pa.types.is_binary_view(value_type):
            value_type = pa.large_string() if pa.types.is_string_view(value_type) else pa.large_binary()
            col = pc.cast(col, pa.dictionary(col.type.index_type, value_type))
        return pc.cast(col, value_type)
    return col


def _payload_column(col: Column) -> Column:
    col = _decoded(col)
    t = col.type
    if pa.types.is_null(t):
        return pc.cast(col, pa.string())
    if pa.types.is_string_view(t):
        return pc.cast(col, pa.large_string())
    if pa.types.is_binary_view(t):
        return pc.cast(col, pa.large_binary())
    if not (pa.types.is_string(t) or pa.types.is_large_string(t) or pa.types.is_binary(t)
            or pa.types.is_large_binary(t)):
        raise TypeError(f"payloads must be strings (or UTF-8 binary), not {t}")
    return col


def _amount_column(col: Column) -> Column:
    col = _decoded(col)
    t = col.type
    if pa.types.is_null(t):
        return pc.cast(col, pa.int64())
    if pa.types.is_integer(t):
        return col if pa.types.is_int64(t) or pa.types.is_uint64(t) else pc.cast(col, pa.int64())
    if pa.types.is_string_view(t):
        return pc.cast(col, pa.large_string())
    if pa.types.is_decimal(t) or pa.types.is_string(t) or pa.types.is_large_string(t):
        return col
    hint = " (floats cannot hold money exactly: use decimal128 or strings)" if pa.types.is_floating(t) else ""
    raise TypeError(f"amounts must be integers, decimals or strings, not {t}{hint}")


def _text_column(col: Column, what: str) -> Column:
    col = _decoded(col)
    t = col.type
    if pa.types.is_null(t):
        return pc.cast(col, pa.string())
    if pa.types.is_string_view(t):
        return pc.cast(col, pa.large_string())
    if not (pa.types.is_string(t) or pa.types.is_large_string(t)):
        raise TypeError(f"{what} must be strings, not {t}")
    return col


def _scalar_amount(value: Any) -> pa.Array | list[Any]:
    """A single amount for every row: a 1-row array, or the value itself when Arrow cannot
    hold it exactly (the library then decides each row)."""
    if isinstance(value, (bool, float)) or not isinstance(value, (int, Decimal, str)):
        amount_text(value)  # raises the library's TypeError
    if isinstance(value, str):
        return pa.array([value], pa.string())
    try:
        column = pa.array([value])
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError, ValueError, TypeError):  # TypeError: Decimal("Inf")
        return [value]
    # Arrow keeps a Decimal's value, not always its exponent (0E+1 is read back as 0)
    return column if not isinstance(value, Decimal) or column[0].as_py().as_tuple() == value.as_tuple() else [value]


def _amount_values(value: Any) -> Column | list[Any]:
    """An amount column; a Python sequence of ``Decimal``s stays one when one decimal column
    cannot hold it exactly (pyarrow gives every row the largest scale: ``[1.5, 2]`` would be
    ``[1.5, 2.0]``), so the library reads each row as given; so does a list of ints, Decimals
    and strs pyarrow cannot read as one column (an int past 64 bits, a Decimal NaN, mixed types)."""
    try:
        col = _amount_column(_column(value, "amounts"))
    except TypeError:
        if isinstance(value, (list, tuple)) and all(
                v is None or (isinstance(v, (int, Decimal, str)) and not isinstance(v, bool)) for v in value):
            return list(value)
        raise
    if isinstance(value, (pa.Array, pa.ChunkedArray)) or not pa.types.is_decimal(col.type):
        return col
    read = col.to_pylist()
    rows = [None if a is None else v for v, a in zip(value, read)]  # pandas' NaN/NA: null, as Arrow reads it
    exact = all(a is None or (type(v) is Decimal and v.as_tuple() == a.as_tuple()) for v, a in zip(rows, read))
    return col if exact else rows


def _spans(n: int, columns: Sequence[Any]) -> list[tuple[int, int]]:
    """(start, length) pieces that lie within one chunk of every chunked column."""
    cuts = {0, n}
    for col in columns:
        if isinstance(col, pa.ChunkedArray):
            at = 0
            for chunk in col.chunks:
                at += len(chunk)
                cuts.add(at)
    edges = sorted(cuts)
    return [(a, b - a) for a, b in itertools.pairwise(edges)] or [(0, 0)]


def _piece(col: Any, start: int, length: int, n: int) -> Any:
    if isinstance(col, pa.ChunkedArray):
        part = col.slice(start, length)
        return part.chunk(0) if part.num_chunks == 1 else part.combine_chunks()
    if isinstance(col, pa.Array) and len(col) == n and n != 1:
        return col.slice(start, length)
    if isinstance(col, list) and len(col) == n and n != 1:
        return col[start:start + length]
    return col  # a broadcast value, or None


def _length(columns: Sequence[Any]) -> int:
    """The row count: the length of the columns (a column of one row is used for every row)."""
    sizes = {len(c) for c in columns if isinstance(c, (pa.Array, pa.ChunkedArray, list))}
    if len(sizes) > 1:
        sizes.discard(1)
    if len(sizes) > 1:
        raise ValueError(f"columns of different lengths: {sorted(sizes)}")
    return sizes.pop() if sizes else 1


def _one_zero() -> pa.Array:
    """``[0]`` as int32, from a buffer: ``pa.array([0])`` would import pandas (0.2 s) when installed."""
    return pa.Array.from_buffers(pa.int32(), 1, [None, pa.py_buffer(bytes(4))])


def _tips(value: Any) -> Tips | Column | None:
    if value is None:
        return None
    if isinstance(value, Tip):
        return Tips(_one_zero(), (value,))
    if isinstance(value, str):
        return Tips(_one_zero(), (tip_entry(value),))
    return _text_column(_column(value, "tips"), "tips")


def _encode_tips(col: pa.Array | Tips) -> Tips:
    if isinstance(col, Tips):
        return col
    encoded = col.dictionary_encode()
    indices = encoded.indices if pa.types.is_int32(encoded.indices.type) else pc.cast(encoded.indices, pa.int32())
    return Tips(indices, tuple(tip_entry(text) for text in cells(encoded.dictionary)))


def _error_column(n: int, rows: list[int], excs: list[errors.QRISError]) -> pa.Array:
    """``ERROR_TYPE`` rows: null but at ``rows``, built without a Python object per row."""
    if not rows:
        return pa.nulls(n, ERROR_TYPE)
    found = pa.array([{"error": type(e).__name__, "message": str(e), "code": e.code} for e in excs], ERROR_TYPE)
    ids = array("i", bytes(4 * n))
    bits = bytearray((n + 7) // 8)
    for j, i in enumerate(rows):
        ids[i] = j
        bits[i >> 3] |= 1 << (i & 7)
    indices = pa.Array.from_buffers(pa.int32(), n, [pa.py_buffer(bits), pa.py_buffer(ids)],
                                    null_count=n - len(rows))
    return found.take(indices)


def _errors_mode(value: object) -> bool:
    if value not in ("raise", "null"):
        raise ValueError(f'errors must be "raise" or "null", not {value!r}')
    return value == "raise"


def _same_type(chunks: list[pa.Array]) -> list[pa.Array]:
    if any(pa.types.is_large_string(c.type) for c in chunks):
        return [c if pa.types.is_large_string(c.type) else c.cast(pa.large_string()) for c in chunks]
    return chunks


def _run(payload: str | None, payloads: Any, amounts: Any, tips: Any, references: Any, verify_crc: bool,
         errors_mode: object) -> Column | Converted:
    raise_first = _errors_mode(errors_mode)
    columns = [payloads, amounts, tips, references]
    n = _length(columns)
    chunked = any(isinstance(c, pa.ChunkedArray) for c in columns)
    # a chunked column of one row is used for every row, as a one-row array is
    payloads, amounts, tips, references = (
        c.combine_chunks() if isinstance(c, pa.ChunkedArray) and len(c) == 1 and n != 1 else c for c in columns)
    columns = [payloads, amounts, tips, references]
    values: list[pa.Array] = []
    problems: list[pa.Array] = []
    for start, length in _spans(n, columns):
        tip = _piece(tips, start, length, n)
        out, rows, excs = kernel.convert(
            payload, _piece(payloads, start, length, n), _piece(amounts, start, length, n),
            None if tip is None else _encode_tips(tip), _piece(references, start, length, n),
            length, verify_crc, raise_first, start,
        )
        values.append(out)
        if not raise_first:
            problems.append(_error_column(length, rows, excs))
    if chunked:
        same = _same_type(values)
        result: Column = pa.chunked_array(same, same[0].type if same else pa.string())
        if raise_first:
            return result
        return Converted(result, pa.chunked_array(problems, ERROR_TYPE))
    if raise_first:
        return values[0]
    return Converted(values[0], problems[0])


# -- the public kernels --------------------------------------------------------------------------

@overload
def to_dynamic(payloads: Any, amounts: Any, *, tips: Any = ..., references: Any = ..., verify_crc: bool = ...,
               errors: Literal["raise"] = ...) -> Column: ...
@overload
def to_dynamic(payloads: Any, amounts: Any, *, tips: Any = ..., references: Any = ..., verify_crc: bool = ...,
               errors: Literal["null"]) -> Converted: ...
def to_dynamic(payloads: Any, amounts: Any, *, tips: Any = None, references: Any = None, verify_crc: bool = True,
               errors: Errors = "raise") -> Column | Converted:
    """Dynamic codes for a column of amounts: row ``i`` is ``qriskit.to_dynamic(payload_i, amount_i,
    tip=tip_i, reference=reference_i, verify_crc=verify_crc)``.

    ``payloads`` is one static code (a str, checked once: a bad one raises at once) or a
    string column; ``amounts`` an integer, decimal128 or string column (floats raise
    ``TypeError``), or one amount for every row. ``tips``: None, a ``Tip`` for every row, or
    a string column of ``prompt`` / ``fixed:AMOUNT`` / ``percent:RATE`` (null: no tip).
    ``references``: None, a str, or a string column (null: none). Columns are Arrow arrays,
    chunked arrays, or anything ``pyarrow.array`` reads; a chunked input gives a chunked
    output. A null payload or amount gives a null code.

    Returns a ``string`` array (``large_string`` past 2 GiB of text). With
    ``errors="raise"`` the first bad row raises its ``QRISError``, prefixed with ``row N:``;
    with ``errors="null"`` a bad row becomes null and the result is ``Converted(values,
    errors)``, ``errors`` saying why row for row (``ERROR_TYPE``).
    """
    payload, code_col = _payload_arg(payloads, verify_crc)
    amount_col = _scalar_amount(amounts) if _is_scalar(amounts) else _amount_values(amounts)
    refs: Column | None = None
    if _is_scalar(references) and references is not None:
        refs = pa.array([reference_text(references)], pa.string())  # a bad one raises at once
    elif references is not None:
        refs = _text_column(_column(references, "references"), "references")
    return _run(payload, code_col, amount_col, _tips(tips), refs, verify_crc, errors)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, bytes, int, float, Decimal)) or not (
        hasattr(value, "__len__") or hasattr(value, "__arrow_c_array__") or hasattr(value, "__arrow_c_stream__"))


def _payload_arg(payloads: Any, verify_crc: bool) -> tuple[str | None, Column | None]:
    if isinstance(payloads, (str, bytes)):
        payload: Any = payloads  # UTF-8 bytes are read as the library reads them
        return kernel.codec.Payload(payload, verify_crc).payload, None
    return None, _payload_column(_column(payloads, "payloads"))


@overload
def to_static(payloads: Any, *, verify_crc: bool = ..., errors: Literal["raise"] = ...) -> Column: ...
@overload
def to_static(payloads: Any, *, verify_crc: bool = ..., errors: Literal["null"]) -> Converted: ...
def to_static(payloads: Any, *, verify_crc: bool = True, errors: Errors = "raise") -> Column | Converted:
    """Static codes for a column of codes: row ``i`` is ``qriskit.to_static(payload_i)``.

    ``errors`` as in ``to_dynamic``; a null payload gives a null code.
    """
    col = _payload_column(_column(payloads, "payloads"))
    return _run(None, col, None, None, None, verify_crc, errors)


def with_dynamic(table: Any, *, payload: str, amount: str, tip: Tip | str | None = None,
                 reference: str | None = None, verify_crc: bool = True, errors: Errors = "raise",
                 output: str = "qris", error_column_name: str | None = None) -> Any:
    """``table`` (a pyarrow ``Table`` or ``RecordBatch``) with a column ``output`` of dynamic
    codes, row by row ``to_dynamic`` of its columns: the step the engine helpers run per batch.

    ``payload`` is a column name or one static code (a str beginning ``"0002"``); ``amount``
    a column name; ``tip`` None, a ``Tip`` or a column of tip texts; ``reference`` None or a
    column. ``errors`` as in ``to_dynamic``; ``"null"`` also adds the error column
    (``output + "_error"`` unless ``error_column_name`` names it). Raises ``ValueError`` for
    a column the table lacks, or an ``output`` (error column) name it already has.
    """
    missing = [name for name in input_columns(payload, amount, tip, reference) if name not in table.schema.names]
    if missing:
        raise ValueError(f"no such column(s): {', '.join(missing)}")
    new_columns(table.schema.names, output, error_column(output, error_column_name) if errors == "null" else None)
    result = to_dynamic(
        payload if is_code(payload) else table.column(payload), table.column(amount),
        tips=table.column(tip) if isinstance(tip, str) else tip,
        references=None if reference is None else table.column(reference),
        verify_crc=verify_crc, errors=errors,
    )
    added = [(output, result)] if not isinstance(result, Converted) else [
        (output, result.values), (error_column(output, error_column_name), result.errors)]
    for name, column in added:
        if isinstance(table, pa.RecordBatch) and isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        table = table.append_column(name, column)
    return table


def _each_distinct(payloads: Any, fn: Callable[[Any], Any], type_: pa.DataType) -> Column:
    col = _payload_column(_column(payloads, "payloads"))

    def one(chunk: pa.Array) -> pa.Array:
        encoded = chunk.dictionary_encode()
        found = pa.array([fn(code) for code in cells(encoded.dictionary)], type_)
        return found.take(encoded.indices)

    if isinstance(col, pa.ChunkedArray):
        return pa.chunked_array([one(c) for c in col.chunks], type_)
    return one(col)


def validate(payloads: Any, *, profile: str = "qris") -> Column:
    """``qriskit.validate`` of every code, as ``VALIDATE_TYPE`` rows: ``ok`` and the problem
    codes of its errors and warnings (null for a null payload). Never raises on bad codes."""

    def one(code: Any) -> dict[str, Any]:
        report = _validate(code, profile)
        return {"ok": report.ok, "errors": [p.code for p in report.errors],
                "warnings": [p.code for p in report.warnings]}

    return _each_distinct(payloads, one, VALIDATE_TYPE)


def _decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    whole, _, part = text.partition(".")
    if not (whole.isascii() and whole.isdigit()) or len(whole) > 34 or len(part) > 4 or (
            part and not (part.isascii() and part.isdigit())):
        return None
    return Decimal(text)


def info(payloads: Any, *, profile: str = "qris") -> Column:
    """``qriskit.info`` of every code, as ``INFO_TYPE`` rows (null for a null payload).

    Never raises on bad codes: an unreadable one has ``readable`` false and its problems."""

    def one(code: Any) -> dict[str, Any]:
        d = _info(code, profile=profile)
        merchant = d["merchant"] or {}
        tip = d["tip"]
        return {
            "readable": d["readable"],
            "valid": d["valid"],
            "kind": d["kind"],
            "merchant_name": merchant.get("name"),
            "merchant_city": merchant.get("city"),
            "postal_code": merchant.get("postal_code"),
            "country": merchant.get("country"),
            "mcc": merchant.get("mcc"),
            "currency": d["currency"],
            "nmid": d["nmid"],
            "criteria": d["criteria"],
            "acquirers": [a["name"] for a in d["acquirers"]],
            "amount": _decimal(d["amount"]),
            "amount_text": d["amount"],
            "tip": tip,
            "reference": d["reference"],
            "crc_ok": d["crc"]["ok"] if d["crc"] else None,
            "errors": [p["code"] for p in d["errors"]],
            "warnings": [p["code"] for p in d["warnings"]],
        }

    return _each_distinct(payloads, one, INFO_TYPE)

