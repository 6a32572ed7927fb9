"""Image benchmark: qriskit.images against qriskit 0.1.0's image module and segno, side by side.

    python benchmarks/bench_image.py [--quick]

``run(quick) -> list[dict]`` is the suite runner's entry point (one dict per case: group,
case, median_s, min_s, max_s, baseline, extra). Nothing here asserts on time; a case fails
only when it raises or reads a wrong payload. "0.1.0" is ``benchmarks/image_v010.py``, the
image module as it was before the rework, kept to show the before and the after in every
run. Groups:

* ``image-decode``: a generated degraded set (``tests/image/qr_imagegen.py``, 20 kinds of
  damage, 240 pictures, 60 with ``--quick``), decoded by today's cascade and by 0.1.0's,
  each picture by both in turn (the ratio is the median of the per-picture ratios), then by
  each backend alone; extra: the success rate.
* ``image-phone``: phone-sized 4000 x 3000 JPEG photos of a code (12 with ``--quick``: 6),
  decoded through the reduced-size load vs 0.1.0's full-size load; extra: success rate.
* ``image-load``: load + decode of a clean 1000 x 1000 PNG, today and 0.1.0.
* ``image-encode``: ``encode_image`` PNG / SVG / text today, 0.1.0's, and segno's
  ``make_qr`` with its own writers; extra: the file sizes.
"""

from __future__ import annotations

import importlib.util
import io
import itertools
import os
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if importlib.util.find_spec("qriskit") is None:  # run from a checkout, not installed
    sys.path.insert(0, str(ROOT))

try:
    from . import harness
except ImportError:  # run as a script
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import harness  # type: ignore[no-redef]

BACKENDS = ("zxing-cpp", "opencv", "zbar")
NOW, BEFORE = "cascade (default)", "cascade, 0.1.0"
_SERIES = itertools.count(1)


def _load_module(name: str, path: Path) -> Any:
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod
    spec.loader.exec_module(mod)
    return mod


def _imagegen() -> Any:
    return _load_module("qr_imagegen", ROOT / "tests" / "image" / "qr_imagegen.py")


def _v010() -> Any:
    return _load_module("qriskit_image_v010", Path(__file__).resolve().parent / "image_v010.py")


def _paired(names: list[str], samples: dict[str, list[float]]) -> dict[str, harness.Result]:
    """Results whose samples pair up by index (one picture each), so that the suite's
    ratio is the median of the per-picture ratios."""
    series = f"{os.getpid()}-image-{next(_SERIES)}"
    return {n: harness.Result(n, samples[n], 1, series) for n in names}


def _read_set(group: str, samples: list[Any], decoders: dict[str, Any], baseline: dict[str, str | None],
              reps: int) -> list[dict]:
    """Decode every picture with every decoder in turn, ``reps`` rounds, keeping each
    picture's fastest time per decoder; a wrong payload fails the run."""
    from qriskit.errors import NoQRCodeFound

    for fn in decoders.values():
        fn(samples[0].data)  # warm-up: imports, detector objects
    times: dict[str, list[float]] = {n: [] for n in decoders}
    ok: Counter[str] = Counter()
    missed: dict[str, Counter[str]] = {n: Counter() for n in decoders}
    for s in samples:
        best = dict.fromkeys(decoders, float("inf"))
        read: dict[str, str | None] = {}
        for turn in range(reps):
            order = list(decoders.items())
            for name, fn in order if turn % 2 else order[::-1]:  # who goes first alternates
                t = time.perf_counter()
                try:
                    read[name] = fn(s.data)
                except NoQRCodeFound:
                    read[name] = None
                best[name] = min(best[name], time.perf_counter() - t)
        for name in decoders:
            times[name].append(best[name])
            got = read[name]
            if got is None:
                missed[name][s.kind] += 1
            elif got != s.payload:
                raise AssertionError(f"{name}: wrong payload on a {s.kind!r} picture: {got!r}")
            else:
                ok[name] += 1
    results = _paired(list(decoders), times)
    n = len(samples)
    return [
        harness.row(group, name, results[name], baseline[name],
                    {"success_rate": round(ok[name] / n, 4), "images": n, "missed": dict(missed[name])})
        for name in decoders
    ]


def bench_decode(quick: bool) -> list[dict]:
    from qriskit.images import available_decoders, decode_image

    gen = _imagegen()
    old = _v010()
    samples = gen.degraded_set(60 if quick else 240)
    decoders: dict[str, Any] = {NOW: decode_image, BEFORE: old.decode_image}
    baseline: dict[str, str | None] = {NOW: BEFORE, BEFORE: None}
    for b in BACKENDS:
        if b in available_decoders():
            decoders[b] = lambda data, b=b: decode_image(data, decoder=b, retry=False)
            baseline[b] = NOW
    rows = _read_set("image-decode", samples, decoders, baseline, 2 if quick else 3)
    for r in rows:
        r["extra"]["damage_kinds"] = len({s.kind for s in samples})
    return rows


class _Photo:
    def __init__(self, kind: str, payload: str, data: bytes) -> None:
        self.kind, self.payload, self.data = kind, payload, data


def phone_photos(n: int, seed: int = 14) -> list[_Photo]:
    """``n`` 4000 x 3000 JPEG photos of a code on a cluttered poster: a code 300 to 1500
    pixels wide, tilted, a little blurred and noisy, at phone-camera JPEG quality."""
    from PIL import ImageFilter

    gen = _imagegen()
    rnd = random.Random(seed)
    out = []
    for i, payload in enumerate(gen.payloads(n, seed)):
        px = (5, 8, 12, 16, 20)[i % 5]
        poster = gen.clutter((4000, 3000), rnd)
        code = gen.rotate(gen.render(payload, px=px), rnd.uniform(-12, 12)).convert("RGB")
        poster.paste(code, (rnd.randint(0, 4000 - code.width), rnd.randint(0, 3000 - code.height)))
        poster = poster.filter(ImageFilter.GaussianBlur(rnd.uniform(0.6, 1.4)))
        buf = io.BytesIO()
        poster.save(buf, "JPEG", quality=rnd.randint(80, 92))
        out.append(_Photo(f"{px} px/module", payload, buf.getvalue()))
    return out


def bench_phone(quick: bool) -> list[dict]:
    from qriskit.images import decode_image
    from qriskit.images._limits import WORK_PIXELS
    from qriskit.images._load import load

    old = _v010()
    photos = phone_photos(6 if quick else 12)
    rows = _read_set("image-phone", photos, {"decode 4000x3000 jpeg": decode_image,
                                              "decode 4000x3000 jpeg, 0.1.0": old.decode_image},
                     {"decode 4000x3000 jpeg": "decode 4000x3000 jpeg, 0.1.0", "decode 4000x3000 jpeg, 0.1.0": None},
                     2 if quick else 3)
    data = photos[0].data
    cases = [
        harness.Case("load only (reduced first)",
                     lambda: load(data, max_bytes=1 << 30, max_pixels=1 << 30, work_pixels=WORK_PIXELS)),
        harness.Case("load only, 0.1.0 (full size)", lambda: old._load_gray(data, 1 << 30, 1 << 30)),
    ]
    results = harness.measure_group(cases, repeat=5 if quick else 9, target=0.05)
    rows.append(harness.row("image-phone", "load only (reduced first)", results["load only (reduced first)"],
                            "load only, 0.1.0 (full size)", {"bytes": len(data)}))
    rows.append(harness.row("image-phone", "load only, 0.1.0 (full size)", results["load only, 0.1.0 (full size)"]))
    return rows


def bench_load(quick: bool) -> list[dict]:
    from PIL import Image

    from qriskit.images import decode_image

    gen = _imagegen()
    old = _v010()
    qr = gen.render(gen.SAMPLE, px=17).convert("RGB")
    canvas = Image.new("RGB", (1000, 1000), "white")
    canvas.paste(qr, ((1000 - qr.width) // 2, (1000 - qr.height) // 2))
    buf = io.BytesIO()
    canvas.save(buf, "PNG")  # Pillow's default compression, as a screenshot tool would
    rgb = buf.getvalue()
    buf = io.BytesIO()
    canvas.convert("L").save(buf, "PNG")
    gray = buf.getvalue()
    for fn in (decode_image, old.decode_image):
        if fn(rgb) != gen.SAMPLE or fn(gray) != gen.SAMPLE:
            raise AssertionError("load+decode 1000x1000 png: wrong payload")
    main = "load+decode 1000x1000 png"
    cases = [
        harness.Case(main, lambda: decode_image(rgb)),
        harness.Case(main + ", 0.1.0", lambda: old.decode_image(rgb)),
        harness.Case("load+decode 1000x1000 gray png", lambda: decode_image(gray)),
        harness.Case("load+decode 1000x1000 gray png, 0.1.0", lambda: old.decode_image(gray)),
    ]
    results = harness.measure_group(cases, repeat=5 if quick else 15, target=0.05)
    return [
        harness.row("image-load", main, results[main], main + ", 0.1.0", {"bytes": len(rgb), "mode": "RGB"}),
        harness.row("image-load", main + ", 0.1.0", results[main + ", 0.1.0"]),
        harness.row("image-load", "load+decode 1000x1000 gray png", results["load+decode 1000x1000 gray png"],
                    "load+decode 1000x1000 gray png, 0.1.0", {"bytes": len(gray), "mode": "L"}),
        harness.row("image-load", "load+decode 1000x1000 gray png, 0.1.0",
                    results["load+decode 1000x1000 gray png, 0.1.0"]),
    ]


def bench_encode(quick: bool) -> list[dict]:
    import segno

    from qriskit.images import decode_image, encode_image
    from qriskit.images._qr import make_symbol

    gen = _imagegen()
    old = _v010()
    payload = gen.SAMPLE

    def segno_png() -> bytes:
        out = io.BytesIO()
        segno.make_qr(payload, error="m", boost_error=False).save(out, kind="png", scale=8, border=4)
        return out.getvalue()

    def segno_svg() -> str:
        out = io.BytesIO()
        segno.make_qr(payload, error="m", boost_error=False).save(out, kind="svg", scale=8, border=4)
        return out.getvalue().decode()

    outputs = {
        "png": (encode_image(payload), old.encode_image(payload), segno_png()),
        "svg": (encode_image(payload, "svg"), old.encode_image(payload, "svg"), segno_svg()),
    }
    for kind in ("png", "data-uri"):
        if decode_image(encode_image(payload, kind)) != payload:
            raise AssertionError(f"encode {kind}: does not decode back")
    if decode_image(segno_png()) != payload:
        raise AssertionError("segno png: does not decode back")
    if make_symbol(payload).modules != b"".join(segno.make_qr(payload, error="m", boost_error=False).matrix):
        raise AssertionError("the symbol differs from segno's make_qr")
    settings = {"repeat": 5 if quick else 15, "target": 0.05}
    g = "image-encode"
    rows = []
    for kind, segno_fn in (("png", segno_png), ("svg", segno_svg)):
        now, before, seg = outputs[kind]
        names = (f"encode {kind}", f"encode {kind}, 0.1.0", f"segno make_qr + {kind}")
        cases = [
            harness.Case(names[0], lambda kind=kind: encode_image(payload, kind)),
            harness.Case(names[1], lambda kind=kind: old.encode_image(payload, kind)),
            harness.Case(names[2], segno_fn),
        ]
        results = harness.measure_group(cases, **settings)
        size = {names[0]: len(now), names[1]: len(before), names[2]: len(seg)}
        for name, base in zip(names, (names[1], names[2], None), strict=True):
            extra = {"bytes": size[name], "bytes_vs_segno": round(size[name] / len(seg), 3)}
            rows.append(harness.row(g, name, results[name], base, extra))
        rows.append(harness.row(g, f"encode {kind} vs segno", results[names[0]], names[2],
                                {"bytes": len(now), "bytes_vs_segno": round(len(now) / len(seg), 3)}))
    cases = [
        harness.Case("encode text", lambda: encode_image(payload, "text")),
        harness.Case("build QR symbol", lambda: make_symbol(payload)),
        harness.Case("segno make_qr", lambda: segno.make_qr(payload, error="m", boost_error=False)),
    ]
    results = harness.measure_group(cases, **settings)
    rows.append(harness.row(g, "encode text", results["encode text"]))
    rows.append(harness.row(g, "build QR symbol", results["build QR symbol"], "segno make_qr",
                            {"version": make_symbol(payload).version}))
    rows.append(harness.row(g, "segno make_qr", results["segno make_qr"]))
    return rows


def run(quick: bool) -> list[dict]:
    """All image benchmark cases (see the module docstring)."""
    return bench_decode(quick) + bench_phone(quick) + bench_load(quick) + bench_encode(quick)


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="smaller sets, fewer repeats")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    rows = run(args.quick)
    by_case = {(r["group"], r["case"]): r for r in rows}
    print(f"{'group':13} {'case':40} {'median':>9}  vs baseline / extra")
    for r in rows:
        note = ""
        base = by_case.get((r["group"], r["baseline"])) if r["baseline"] else None
        if base:
            a, b = r.get("samples") or [], base.get("samples") or []
            paired = r.get("series") and r.get("series") == base.get("series") and len(a) == len(b)
            ratio = statistics.median(x / y for x, y in zip(a, b)) if paired else r["median_s"] / base["median_s"]
            note = f"x{ratio:.2f} of {r['baseline']!r}"
        ex = r.get("extra") or {}
        if "success_rate" in ex:
            note = f"{ex['success_rate'] * 100:5.1f}% of {ex['images']}  " + note
        if "bytes" in ex:
            versus = f" (x{ex['bytes_vs_segno']} of segno's)" if "bytes_vs_segno" in ex else ""
            note += f"  {ex['bytes']} bytes{versus}"
        print(f"{r['group']:13} {r['case']:40} {harness.fmt_time(r['median_s']):>9}  {note}")
    for r in rows:
        missed = (r.get("extra") or {}).get("missed")
        if missed:
            print(f"  {r['case']} missed: {missed}")
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
