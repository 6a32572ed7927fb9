"""Arrow column kernels: convert, validate and summarise millions of codes a call.

Needs the ``arrow`` extra (``pip install "pyqriskit[arrow]"``, pyarrow)::

    import pyarrow as pa
    from qriskit import arrow

    codes = arrow.to_dynamic(static, pa.array([15000, 25000, 9900]))     # a string array
    codes = arrow.to_dynamic(payloads, amounts, references=invoice_ids)    # row by row
    values, problems = arrow.to_dynamic(static, amounts, errors="null")   # bad rows: null + why
    arrow.to_static(codes); arrow.validate(codes); arrow.info(codes)      # struct arrays
    table = arrow.with_dynamic(orders, payload=static, amount="amount")   # a Table + column "qris"

Row ``i`` of every kernel equals the library's own answer for row ``i`` (``qriskit.to_dynamic``,
``to_static``, ``validate``, ``info``), error rows included. On the native twin the
conversions write the output's Arrow buffers directly and release the GIL, so threads
scale. ``backend`` says which twin runs; docs/arrow.md has the details, the engine helpers
(``qriskit.spark``, ``qriskit.polars``, ``qriskit.duckdb``, ``qriskit.dask``) and the figures.
"""

from __future__ import annotations

from .errors import extra_missing

try:
    import pyarrow  # noqa: F401
except ImportError:
    raise extra_missing("arrow", "qriskit.arrow") from None

from ._arrow import (
    ERROR_TYPE,
    INFO_TYPE,
    VALIDATE_TYPE,
    Converted,
    backend,
    info,
    to_dynamic,
    to_static,
    validate,
    with_dynamic,
)

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
