"""Image benchmark: decode a generated degraded set per backend, load + decode a clean PNG,
encode PNG / SVG against segno's own writers.

    python benchmarks/bench_image.py [--quick]

``run(quick) -> list[dict]`` is the suite runner's entry point (one dict per case: group,
case, median_s, min_s, max_s, baseline, extra).  Nothing here asserts on time; a case fails
only when it raises or reads a wrong payload.  The degraded set comes from
``tests/image/qr_imagegen.py`` (imported by path): ``len(KINDS)`` (20) kinds of damage,
240 pictures (60 with ``--quick``).  Backends that are not installed are left out.
"""

from __future__ import annotations

import importlib.util
import io
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("qriskit") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(ROOT))

BACKENDS = ("zxing-cpp", "opencv", "zbar")
CASCADE = "cascade (default)"


def _imagegen() -> Any:
    path = ROOT / "tests" / "image" / "qr_imagegen.py"
    spec = importlib.util.spec_from_file_location("qr_imagegen", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("qr_imagegen", mod)
    spec.loader.exec_module(mod)
    return mod


def _row(group: str, case: str, times: list[float], baseline: str | None, extra: dict | None = None) -> dict:
    return {
        "group": group,
        "case": case,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "max_s": max(times),
        "baseline": baseline,
        "extra": extra or {},
    }


def _timeit(fn: Any, repeat: int) -> list[float]:
    fn()  # warm-up (imports, caches)
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def bench_decode(quick: bool) -> list[dict]:
    from qriskit import images as decoders
    from qriskit.errors import NoQRCodeFound
    from qriskit.images import decode_image

    gen = _imagegen()
    n = 60 if quick else 240
    samples = gen.degraded_set(n)
    kinds = len({s.kind for s in samples})
    available = decoders.available_decoders()
    cases: list[tuple[str, dict]] = [(CASCADE, {})]
    cases += [(b, {"decoder": b, "retry": False}) for b in BACKENDS if b in available]
    rows = []
    for case, opts in cases:
        decode_image(samples[0].data, **opts)  # warm-up: imports, detector objects
        times, ok, missed = [], 0, Counter()
        for s in samples:
            t = time.perf_counter()
            try:
                got = decode_image(s.data, **opts)
            except NoQRCodeFound:
                got = None
            times.append(time.perf_counter() - t)
            if got is None:
                missed[s.kind] += 1
            elif got != s.payload:
                raise AssertionError(f"{case}: wrong payload on a {s.kind!r} picture: {got!r}")
            else:
                ok += 1
        extra = {"success_rate": round(ok / n, 4), "images": n, "damage_kinds": kinds, "missed": dict(missed)}
        rows.append(_row("image-decode", case, times, None if case == CASCADE else CASCADE, extra))
    return rows


def bench_load(quick: bool) -> list[dict]:
    from PIL import Image

    from qriskit.images import decode_image
    from qriskit.images._load import load

    gen = _imagegen()
    qr = gen.render(gen.SAMPLE, px=17).convert("RGB")
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste(qr, ((1000 - qr.width) // 2, (1000 - qr.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, "PNG")  # Pillow's default compression, as a screenshot tool would
    data = buf.getvalue()
    if decode_image(data) != gen.SAMPLE:
        raise AssertionError("load+decode 1000x1000 png: wrong payload")
    buf = io.BytesIO()
    canvas.convert("L").save(buf, "PNG")
    gray_data = buf.getvalue()
    if decode_image(gray_data) != gen.SAMPLE:
        raise AssertionError("load+decode 1000x1000 gray png: wrong payload")
    repeat = 15 if quick else 60
    main = "load+decode 1000x1000 png"
    rows = [
        _row(
            "image-load",
            main,
            _timeit(lambda: decode_image(data), repeat),
            None,
            {"bytes": len(data), "mode": "RGB"},
        ),
        _row(
            "image-load",
            "load only 1000x1000 png",
            _timeit(lambda: load(data, max_bytes=1 << 30, max_pixels=1 << 30, work_pixels=1 << 30), repeat),
            main,
        ),
        _row(
            "image-load",
            "load+decode 1000x1000 gray png",
            _timeit(lambda: decode_image(gray_data), repeat),
            main,
            {"bytes": len(gray_data), "mode": "L"},
        ),
    ]
    return rows


def bench_encode(quick: bool) -> list[dict]:
    import segno

    from qriskit.images import decode_image, encode_image
    from qriskit.images._encode import _png
    from qriskit.images._qr import make_symbol

    gen = _imagegen()
    payload = gen.SAMPLE
    repeat = 15 if quick else 60
    for kind in ("png", "data-uri"):
        if decode_image(encode_image(payload, kind)) != payload:
            raise AssertionError(f"encode {kind}: does not decode back")

    def segno_png() -> bytes:
        out = io.BytesIO()
        segno.make_qr(payload, error="m", boost_error=False).save(out, kind="png", scale=8, border=4)
        return out.getvalue()

    def segno_svg() -> str:
        out = io.BytesIO()
        segno.make_qr(payload, error="m", boost_error=False).save(out, kind="svg", scale=8, border=4)
        return out.getvalue().decode()

    ready = segno.make_qr(payload, error="m", boost_error=False)

    def segno_writer() -> None:
        ready.save(io.BytesIO(), kind="png", scale=8, border=4)

    symbol = make_symbol(payload)

    def our_writer() -> None:
        _png(symbol, 8, 4)

    if decode_image(segno_png()) != payload:
        raise AssertionError("segno png: does not decode back")
    g = "image-encode"
    return [
        _row(g, "encode png", _timeit(lambda: encode_image(payload, "png"), repeat), "segno make_qr + png"),
        _row(g, "segno make_qr + png", _timeit(segno_png, repeat), None),
        _row(g, "encode svg", _timeit(lambda: encode_image(payload, "svg"), repeat), "segno make_qr + svg"),
        _row(g, "segno make_qr + svg", _timeit(segno_svg, repeat), None),
        _row(g, "encode text", _timeit(lambda: encode_image(payload, "text"), repeat), None),
        _row(g, "build QR symbol (qriskit)", _timeit(lambda: make_symbol(payload), repeat), "segno make_qr"),
        _row(
            g,
            "segno make_qr",
            _timeit(lambda: segno.make_qr(payload, error="m", boost_error=False), repeat),
            None,
        ),
        _row(g, "png writer (qriskit)", _timeit(our_writer, repeat), "segno png writer"),
        _row(g, "segno png writer", _timeit(segno_writer, repeat), None),
    ]


def run(quick: bool) -> list[dict]:
    """All image benchmark cases (see the module docstring)."""
    return bench_decode(quick) + bench_load(quick) + bench_encode(quick)


def _fmt(s: float | None) -> str:
    if s is None:
        return "-"
    return f"{s * 1e3:8.3f} ms"


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller set, fewer repeats")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(args.quick)
    by_case = {(r["group"], r["case"]): r for r in rows}
    print(f"{'group':13} {'case':32} {'median':>11} {'min':>11} {'max':>11}  vs baseline / extra")
    for r in rows:
        note = ""
        base = by_case.get((r["group"], r["baseline"])) if r["baseline"] else None
        if base and r["median_s"] and base["median_s"]:
            note = f"x{r['median_s'] / base['median_s']:.2f} of {r['baseline']!r}"
        ex = r.get("extra") or {}
        if "success_rate" in ex:
            note = f"{ex['success_rate'] * 100:5.1f}% of {ex['images']} ({ex['damage_kinds']} kinds)  " + note
        print(
            f"{r['group']:13} {r['case']:32} {_fmt(r['median_s']):>11} {_fmt(r['min_s']):>11} "
            f"{_fmt(r['max_s']):>11}  {note}"
        )
    for r in rows:
        missed = (r.get("extra") or {}).get("missed")
        if missed:
            print(f"  {r['case']} missed: {missed}")
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
