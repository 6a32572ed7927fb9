"""Arrow kernels and the engine helpers: rows/s, side by side in one run.

    python benchmarks/bench_arrow.py [--quick] [--no-spark]

``run(quick) -> list[dict]`` is the suite runner's entry point. Times are seconds per ROW.

Groups (every output checked once, before it is timed):

- ``arrow to_dynamic 1e6`` (and ``1e7`` in the full run): ``qriskit.arrow.to_dynamic`` of one
  static code over an int64 column, one thread, against the list path (``to_dynamic_many``)
  and the floor: allocating and filling (``numpy.full``) a fresh buffer of the output's size.
  The issue asks for at least 3x the list path and within 2x of the floor. ``extra`` has the
  peak memory of a fresh process doing the conversion, over the output's own size.
- ``arrow threads``: rows/s of two threads converting at once against one thread; the
  ``ceiling`` row is the same measure for ``hashlib.sha256`` (pure C, GIL released) in the
  same run: what the machine's two cores give right now (other work on them lowers both).
- ``engine polars|duckdb|dask|spark``: the helper against the engine's plain Python row-UDF
  (``qriskit.to_dynamic`` per row) on the same data, and against the bare kernel on the same
  amounts as one Arrow array. Spark runs ``local[2]`` (needs Java); ``--no-spark`` or the
  environment variable ``QRISKIT_BENCH_NO_SPARK=1`` leaves it out.

Nothing here asserts on time.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

try:
    from . import bench_core, harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import bench_core  # type: ignore[no-redef]
    import harness  # type: ignore[no-redef]

import qriskit

STATIC = bench_core.PAYLOAD


def _skip(group: str, case: str, why: str) -> dict[str, Any]:
    return {"group": group, "case": case, "median_s": None, "min_s": None, "max_s": None, "baseline": None,
            "extra": {}, "skipped": why}


def _rows_row(group: str, case: str, samples: list[float], rows: int, baseline: str | None,
              extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """A row from wall-clock samples of ``rows`` rows: seconds per row, and rows/s."""
    per_row = [s / rows for s in samples]
    return harness.row(group, case, per_row, baseline,
                       {"rows_per_s": round(rows / statistics.median(samples)), "rows": rows, **(extra or {})})


def _paired(fns: dict[str, Callable[[], Any]], repeat: int) -> dict[str, list[float]]:
    """Wall-clock samples, round-robin (one call of each per round)."""
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            result = fn()
            samples[name].append(time.perf_counter() - t0)
            del result
    return samples


def _peak_memory(rows: int) -> dict[str, Any]:
    """Peak RSS growth of a fresh process converting ``rows`` rows, over the output's own size.

    The peak (``VmHWM``) is reset once the input exists (``/proc/self/clear_refs``), so the
    figure is what the conversion itself adds. Linux only.
    """
    script = f"""
import json, pyarrow as pa, numpy as np
from qriskit import arrow
def status(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024
amounts = pa.array(np.arange(1, {rows} + 1, dtype=np.int64) * 7 % 9_000_000 + 1000)
arrow.to_dynamic({STATIC!r}, amounts[:1000])
open("/proc/self/clear_refs", "w").write("5")
before = status("VmRSS")
out = arrow.to_dynamic({STATIC!r}, amounts)
print(json.dumps({{"output": out.nbytes, "peak_growth": status("VmHWM") - before}}))
"""
    if not os.path.exists("/proc/self/clear_refs"):
        return {"peak_memory": "not measured (needs Linux /proc)"}
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    if proc.returncode:
        return {"peak_memory": f"failed: {proc.stderr.strip()[-200:]}"}
    found = json.loads(proc.stdout)
    return {"output_mb": round(found["output"] / 2**20, 1), "peak_growth_mb": round(found["peak_growth"] / 2**20, 1),
            "peak_over_output": round(found["peak_growth"] / found["output"], 3)}


def _scale(rows: int, repeat: int) -> list[dict[str, Any]]:
    import numpy as np
    import pyarrow as pa

    from qriskit import arrow

    group = f"arrow to_dynamic 1e{len(str(rows)) - 1}"
    numbers = np.arange(1, rows + 1, dtype=np.int64) * 7 % 9_000_000 + 1000
    amounts = pa.array(numbers)
    values = numbers.tolist()
    out = arrow.to_dynamic(STATIC, amounts)
    step = max(rows // 997, 1)
    want = qriskit.to_dynamic_many(STATIC, values[::step])
    if out.to_pylist()[::step] != want or out.null_count:
        raise AssertionError("arrow.to_dynamic differs from to_dynamic_many")
    size = out.nbytes
    del out, want
    floors = {"floor: numpy.full, output's size": lambda: np.full(size, 48, np.uint8)}
    if arrow.backend == "native":
        from qriskit import _arrow_c

        floors["floor: kernel's allocator + memset"] = lambda: _arrow_c.fill_floor(size)
    # The kernel is timed beside the floors (paired rounds); the list path on its own after them
    # (its millions of str objects leave memory in a state that slows whatever runs next).
    convert = lambda: arrow.to_dynamic(STATIC, amounts)  # noqa: E731
    samples = _paired({"arrow.to_dynamic": convert, **floors}, repeat)
    samples["to_dynamic_many (list)"] = _paired({"to_dynamic_many (list)": lambda: qriskit.to_dynamic_many(
        STATIC, values)}, max(repeat // 2, 2))["to_dynamic_many (list)"]
    kernel = samples["arrow.to_dynamic"]

    def times(name: str) -> float:
        if name == "to_dynamic_many (list)":  # median over the kernel's median beside the floors
            return round(statistics.median(samples[name]) / statistics.median(kernel), 2)
        return round(statistics.median(x / k for x, k in zip(samples[name], kernel)), 2)  # paired rounds

    extra = {"backend": arrow.backend, "x_list_path": times("to_dynamic_many (list)"),
             "x_floor": round(max(1 / times(name) for name in floors), 2), **_peak_memory(rows)}
    return [
        _rows_row(group, "arrow.to_dynamic", kernel, rows, None, extra),
        _rows_row(group, "to_dynamic_many (list)", samples["to_dynamic_many (list)"], rows, "arrow.to_dynamic"),
        *(_rows_row(group, name, samples[name], rows, "arrow.to_dynamic", {"bytes": size}) for name in floors),
    ]


def _threads(fn: Callable[[], Any], rounds: int, calls: int) -> tuple[list[float], list[float]]:
    """Seconds for ``calls`` calls on one thread, and for ``calls`` calls on each of two threads."""
    def work() -> None:
        for _ in range(calls):
            fn()

    one, two = [], []
    for _ in range(rounds):
        t0 = time.perf_counter()
        work()
        one.append(time.perf_counter() - t0)
        pair = [threading.Thread(target=work) for _ in range(2)]
        t0 = time.perf_counter()
        for t in pair:
            t.start()
        for t in pair:
            t.join()
        two.append((time.perf_counter() - t0) / 2)   # per thread's share of the work
    return one, two


def _threads_group(quick: bool) -> list[dict[str, Any]]:
    import pyarrow as pa

    from qriskit import arrow

    rows = 200_000
    amounts = pa.array(range(1000, 1000 + rows))
    rounds, calls = (3, 3) if quick else (7, 5)
    one, two = _threads(lambda: arrow.to_dynamic(STATIC, amounts), rounds, calls)
    data = os.urandom(32 << 20)
    c_one, c_two = _threads(lambda: hashlib.sha256(data).digest(), rounds, 2)
    group = "arrow threads"
    speedup = round(statistics.median(a / b for a, b in zip(one, two)), 2)
    ceiling = round(statistics.median(a / b for a, b in zip(c_one, c_two)), 2)
    n = rows * calls
    return [
        _rows_row(group, "one thread", one, n, None),
        _rows_row(group, "two threads", two, n, "one thread", {"speedup": speedup, "ceiling_speedup": ceiling}),
        harness.row(group, "ceiling: sha256, two threads", c_two, None,
                    {"speedup": ceiling, "note": "the machine's two-thread scaling in this run"}),
    ]


def _amounts(rows: int) -> list[int]:
    return [1000 + i * 7 % 9_000_000 for i in range(rows)]


def _check_codes(codes: list[Any], amounts: list[int]) -> None:
    step = max(len(amounts) // 50, 1)
    if list(codes[::step]) != qriskit.to_dynamic_many(STATIC, amounts[::step]):
        raise AssertionError("an engine gave codes that differ from the library's")


def _kernel_fn(amounts: list[int]) -> Callable[[], Any]:
    import pyarrow as pa

    from qriskit import arrow

    column = pa.array(amounts, pa.int64())
    return lambda: arrow.to_dynamic(STATIC, column)


def _engine_rows(group: str, fns: dict[str, Callable[[], Any]], rows: int, repeat: int,
                 udf_rows: int) -> list[dict[str, Any]]:
    """helper / row-UDF / bare kernel; the row-UDF may run on fewer rows (it is slow)."""
    samples = _paired(fns, repeat)
    names = list(fns)
    return [
        _rows_row(group, names[0], samples[names[0]], rows, None),
        _rows_row(group, names[1], samples[names[1]], udf_rows, names[0]),
        _rows_row(group, names[2], samples[names[2]], rows, names[0]),
    ]


def _polars(rows: int, udf_rows: int, repeat: int) -> list[dict[str, Any]]:
    import polars as pl

    from qriskit import polars as qpl

    amounts = _amounts(rows)
    df = pl.DataFrame({"amount": amounts})
    small = df.head(udf_rows)
    helper = lambda: df.select(qris=qpl.to_dynamic(STATIC, "amount"))  # noqa: E731
    udf = lambda: small.select(qris=pl.col("amount").map_elements(  # noqa: E731
        lambda a: qriskit.to_dynamic(STATIC, a), return_dtype=pl.String))
    _check_codes(helper()["qris"].to_list(), amounts)
    _check_codes(udf()["qris"].to_list(), amounts[:udf_rows])
    return _engine_rows("engine polars", {"qriskit.polars (map_batches)": helper, "Python row-UDF (map_elements)": udf,
                                          "bare kernel": _kernel_fn(amounts)}, rows, repeat, udf_rows)


def _duckdb(rows: int, udf_rows: int, repeat: int) -> list[dict[str, Any]]:
    import duckdb
    import pyarrow as pa

    from qriskit import duckdb as qduck

    amounts = _amounts(rows)
    con = qduck.register(duckdb.connect())
    con.create_function("py_qris", lambda a: qriskit.to_dynamic(STATIC, a), [con.type("BIGINT")],
                        con.type("VARCHAR"))
    con.register("t", pa.table({"id": range(rows), "amount": amounts}))
    con.sql(f"CREATE TABLE small AS SELECT * FROM t WHERE id < {udf_rows}")
    helper_sql = f"SELECT qris_to_dynamic('{STATIC}', amount) AS q FROM t ORDER BY id"
    udf_sql = "SELECT py_qris(amount) AS q FROM small ORDER BY id"
    _check_codes([r[0] for r in con.sql(helper_sql).fetchall()], amounts)
    _check_codes([r[0] for r in con.sql(udf_sql).fetchall()], amounts[:udf_rows])
    helper = lambda: con.sql(f"SELECT sum(length(qris_to_dynamic('{STATIC}', amount))) FROM t").fetchall()  # noqa: E731
    udf = lambda: con.sql("SELECT sum(length(py_qris(amount))) FROM small").fetchall()  # noqa: E731
    return _engine_rows("engine duckdb", {"qriskit.duckdb (Arrow UDF)": helper, "Python row-UDF (native)": udf,
                                          "bare kernel": _kernel_fn(amounts)}, rows, repeat, udf_rows)


def _dask(rows: int, udf_rows: int, repeat: int) -> list[dict[str, Any]]:
    import dask.dataframe as dd
    import pandas as pd

    from qriskit import dask as qdask

    amounts = _amounts(rows)
    ddf = dd.from_pandas(pd.DataFrame({"amount": amounts}), npartitions=2)
    small = dd.from_pandas(pd.DataFrame({"amount": amounts[:udf_rows]}), npartitions=2)
    helper = lambda: qdask.to_dynamic(ddf, payload=STATIC, amount="amount")["qris"].compute()  # noqa: E731
    udf = lambda: small["amount"].apply(lambda a: qriskit.to_dynamic(STATIC, a), meta=("qris", "object")).compute()  # noqa: E731
    _check_codes(list(helper()), amounts)
    _check_codes(list(udf()), amounts[:udf_rows])
    return _engine_rows("engine dask", {"qriskit.dask (map_partitions)": helper, "Python row-UDF (apply)": udf,
                                        "bare kernel": _kernel_fn(amounts)}, rows, repeat, udf_rows)


def _spark(rows: int, udf_rows: int, repeat: int) -> list[dict[str, Any]]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    from pyspark.sql.types import StringType

    from qriskit import spark as qspark

    amounts = _amounts(rows)
    spark = (SparkSession.builder.master("local[2]").appName("qriskit-bench").config("spark.ui.enabled", "false")
             .getOrCreate())
    spark.sparkContext.setLogLevel("ERROR")
    try:
        df = spark.range(rows).selectExpr("id", "1000 + (id * 7) % 9000000 AS amount").repartition(2).cache()
        df.count()
        small = df.where(f"id < {udf_rows}").cache()
        small.count()
        payload = STATIC
        row_udf = F.udf(lambda a: qriskit.to_dynamic(payload, a), StringType())
        got = qspark.to_dynamic(df.where("id < 2000"), payload=STATIC, amount="amount").orderBy("id").collect()
        _check_codes([r["qris"] for r in got], amounts[:2000])
        got = small.where("id < 2000").select("id", row_udf("amount").alias("qris")).orderBy("id").collect()
        _check_codes([r["qris"] for r in got], amounts[:2000])

        def helper() -> None:
            qspark.to_dynamic(df, payload=STATIC, amount="amount").write.format("noop").mode("overwrite").save()

        def udf() -> None:
            small.select(row_udf("amount")).write.format("noop").mode("overwrite").save()

        return _engine_rows("engine spark", {"qriskit.spark (mapInArrow)": helper, "Python row-UDF (udf)": udf,
                                             "bare kernel": _kernel_fn(amounts)}, rows, repeat, udf_rows)
    finally:
        spark.stop()


def run(quick: bool = False) -> list[dict[str, Any]]:
    try:
        import numpy  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        return [_skip("arrow", "all", f"needs the arrow extra and numpy ({exc})")]
    rows: list[dict[str, Any]] = []
    rows += _scale(1_000_000, 5 if quick else 7)
    if not quick:
        rows += _scale(10_000_000, 3)
    rows += _threads_group(quick)
    n, udf_n, repeat = (100_000, 20_000, 3) if quick else (1_000_000, 100_000, 5)
    engines: list[tuple[str, Callable[..., list[dict[str, Any]]]]] = [
        ("polars", _polars), ("duckdb", _duckdb), ("dask", _dask), ("spark", _spark)]
    for name, fn in engines:
        if name == "spark" and (os.environ.get("QRISKIT_BENCH_NO_SPARK") == "1" or "--no-spark" in sys.argv):
            rows.append(_skip(f"engine {name}", "all", "left out (--no-spark / QRISKIT_BENCH_NO_SPARK=1)"))
            continue
        try:
            rows += fn(n, udf_n, repeat)
        except ImportError as exc:
            rows.append(_skip(f"engine {name}", "all", f"not installed ({exc.name})"))
    return rows


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-spark", action="store_true")
    args = ap.parse_args(argv)
    for r in run(args.quick):
        if r.get("skipped"):
            print(f"{r['group']:26} {r['case']:34} skipped: {r['skipped']}")
            continue
        ex = r["extra"]
        print(f"{r['group']:26} {r['case']:34} {r['median_s'] * 1e9:9.1f} ns/row {ex.get('rows_per_s', 0):>12,} rows/s"
              f"  {({k: v for k, v in ex.items() if k not in ('rows_per_s', 'rows')})}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
