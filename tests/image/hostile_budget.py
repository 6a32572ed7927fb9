"""CPU time and peak memory of every hostile image input of issue 17, one process per case.

    python tests/image/hostile_budget.py                 # the table
    python tests/image/hostile_budget.py --json          # the same as JSON
    python tests/image/hostile_budget.py --case NAME     # one case, in this process

Each case runs in a fresh interpreter: the input is built first (not measured), then the
peak-memory mark is reset (``/proc/self/clear_refs``) and the call is timed. Reported: CPU
seconds of the call (user + system, this process and any child it started), the peak
resident memory of the process during the call and what the call added to it, and the
outcome (the exception class and the start of its message). An audit hook records any
attempt to start a process (``subprocess.Popen``, ``os.system``, ``os.posix_spawn``,
``os.exec*``, ``os.fork``); a case that makes one fails.

The exit status is 0 when every case ends with its expected outcome, within ``--max-cpu``
seconds (2) and ``--max-mb`` megabytes of peak memory (300), without starting a process;
``tests/image/test_hostile.py`` runs it with these bounds. The memory bound is on the whole
process's peak: the interpreter with numpy, Pillow and zxing-cpp loaded (about 35 MB) and the
input built for the case are counted, not subtracted, so it is stricter than what the call
adds (the ``added`` column). Nothing here is a timed test.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
SPAWN_EVENTS = ("subprocess.Popen", "os.system", "os.posix_spawn", "os.exec", "os.fork", "os.spawn")
EPS = b"%!PS-Adobe-3.0 EPSF-3.0\n%%BoundingBox: 0 0 100 100\n{ 1 pop } loop\n"


def _sample() -> str:
    sys.path.insert(0, str(HERE))
    import qr_imagegen

    return qr_imagegen.SAMPLE


def _png(img: Any, **kw: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, "PNG", **kw)
    return out.getvalue()


# Each case: name -> (build() -> call, expected outcome). The call is what is measured.
def _decode(source: Any, **kw: Any) -> Callable[[], Any]:
    import qriskit

    return lambda: qriskit.decode_image(source, **kw)


def case_eps() -> Callable[[], Any]:
    return _decode(EPS)


def case_pdf() -> Callable[[], Any]:
    return _decode(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")


def case_base64_spaces() -> Callable[[], Any]:
    return _decode("AAAA" + " " * 40000 + "!")


def case_black_png_6300() -> Callable[[], Any]:
    from PIL import Image

    return _decode(_png(Image.new("L", (6300, 6300), 0), optimize=True))


def case_black_png_6300_rgb() -> Callable[[], Any]:
    from PIL import Image

    return _decode(_png(Image.new("RGB", (6300, 6300), (0, 0, 0)), optimize=True))


def case_noise_png_36mb() -> Callable[[], Any]:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(17)
    side = 3470  # 3470 x 3470 RGB noise: a 36 MB PNG
    return _decode(_png(Image.fromarray(rng.integers(0, 256, (side, side, 3), np.uint8)), compress_level=1))


def case_noise_png_40mp_gray() -> Callable[[], Any]:
    """The most pixels allowed, as gray noise that deflate cannot shrink (a 40 MB file)."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(18)
    return _decode(_png(Image.fromarray(rng.integers(0, 256, (5470, 7300), np.uint8)), compress_level=1))


def case_transparent_png_40mp() -> Callable[[], Any]:
    """The most pixels allowed, RGBA, half transparent: both flattenings are made."""
    import numpy as np
    from PIL import Image

    rgba = np.zeros((5470, 7300, 4), np.uint8)
    rgba[::2, :, 3] = 255
    return _decode(_png(Image.fromarray(rgba), optimize=True))


def case_rotated_transparent_png_40mp() -> Callable[[], Any]:
    """The same, with EXIF orientation 6 (turn 90 degrees): turned as gray, not as RGBA."""
    import numpy as np
    from PIL import Image

    rgba = np.zeros((5470, 7300, 4), np.uint8)
    rgba[::2, :, 3] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    return _decode(_png(Image.fromarray(rgba), optimize=True, exif=exif.tobytes()))


def case_jpeg_40mp() -> Callable[[], Any]:
    """A photo-sized JPEG (7300 x 5470) of busy blocks and no QR code: the full cascade on
    the reduced picture, then the full-size pass."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(40)
    blocks = rng.integers(0, 256, (5470 // 16 + 1, 7300 // 16 + 1), np.uint8)
    img = Image.fromarray(np.kron(blocks, np.ones((16, 16), np.uint8))[:5470, :7300])
    out = io.BytesIO()
    img.convert("RGB").save(out, "JPEG", quality=85)
    return _decode(out.getvalue())


def case_progressive_jpeg_40mp() -> Callable[[], Any]:
    """The same picture as a progressive 4:4:4 JPEG: libjpeg holds all its coefficients
    (2 bytes a sample), counted against max_decoded_bytes."""
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(40)
    blocks = rng.integers(0, 256, (5470 // 16 + 1, 7300 // 16 + 1, 3), np.uint8)
    img = Image.fromarray(np.kron(blocks, np.ones((16, 16, 1), np.uint8))[:5470, :7300])
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85, progressive=True, subsampling=0)
    return _decode(out.getvalue())


def _largest_webp_side() -> int:
    """The side of the largest square WebP under MAX_DECODED_BYTES (16 bytes a pixel)."""
    import math

    from qriskit.images import MAX_DECODED_BYTES

    return math.isqrt(MAX_DECODED_BYTES // 16)


def _webp(mode: str, side: int, **kw: Any) -> bytes:
    """A WebP of a big QR-like checkerboard (transparent squares for RGBA): no code in it."""
    import numpy as np
    from PIL import Image

    cells = (np.indices((side // 32 + 1, side // 32 + 1)).sum(axis=0) % 2).astype(np.uint8) * 255
    gray = np.kron(cells, np.ones((32, 32), np.uint8))[:side, :side]
    img = Image.fromarray(gray).convert(mode)
    if mode == "RGBA":
        img.putalpha(Image.fromarray(255 - gray))
    out = io.BytesIO()
    img.save(out, "WEBP", **kw)
    return out.getvalue()


def case_webp_white_6320() -> Callable[[], Any]:
    """The report: 1.7 KB of lossless WebP, 6320 x 6320 white (640 MB to decode)."""
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (6320, 6320), (255, 255, 255)).save(out, "WEBP", lossless=True)
    return _decode(out.getvalue())


def case_webp_lossless_rgb() -> Callable[[], Any]:
    return _decode(_webp("RGB", _largest_webp_side(), lossless=True))


def case_webp_lossless_rgba() -> Callable[[], Any]:
    return _decode(_webp("RGBA", _largest_webp_side(), lossless=True))


def case_webp_lossy_rgb() -> Callable[[], Any]:
    return _decode(_webp("RGB", _largest_webp_side(), quality=80))


def case_webp_lossy_rgba() -> Callable[[], Any]:
    return _decode(_webp("RGBA", _largest_webp_side(), quality=80))


def _tiff(img: Any, **kw: Any) -> bytes:
    out = io.BytesIO()
    img.save(out, "TIFF", compression="tiff_adobe_deflate", **kw)
    return out.getvalue()


def _half_transparent(height: int, width: int) -> Any:
    import numpy as np
    from PIL import Image

    rgba = np.zeros((height, width, 4), np.uint8)
    rgba[::2, :, 3] = 255
    return Image.fromarray(rgba)


def case_transparent_tiff_40mp() -> Callable[[], Any]:
    """The most pixels allowed, RGBA TIFF in the usual small strips."""
    return _decode(_tiff(_half_transparent(5470, 7300)))


def case_rotated_transparent_tiff_40mp() -> Callable[[], Any]:
    """With EXIF orientation 8: Pillow turns a TIFF upright as it loads it (a second RGBA copy)."""
    from PIL import Image

    exif = Image.Exif()
    exif[0x0112] = 8
    return _decode(_tiff(_half_transparent(5470, 7300), exif=exif.tobytes()))


def case_tiff_one_strip_largest() -> Callable[[], Any]:
    """RGBA TIFF in one strip (libtiff fills a second full-size buffer): the largest allowed."""
    import math

    from qriskit.images import MAX_DECODED_BYTES

    side = math.isqrt(MAX_DECODED_BYTES // 8)
    return _decode(_tiff(_half_transparent(side, side), strip_size=1 << 30))


def case_tiff_one_strip_40mp() -> Callable[[], Any]:
    return _decode(_tiff(_half_transparent(5470, 7300), strip_size=1 << 30))


def case_bomb_png_12000() -> Callable[[], Any]:
    from PIL import Image

    return _decode(_png(Image.new("1", (12000, 12000), 1)))


def case_numpy_10000_rgb() -> Callable[[], Any]:
    import numpy as np

    return _decode(np.zeros((10000, 10000, 3), np.uint8))


def case_numpy_object() -> Callable[[], Any]:
    import numpy as np

    return _decode(np.array([[object()] * 50] * 50, dtype=object))


def case_numpy_str() -> Callable[[], Any]:
    import numpy as np

    return _decode(np.full((50, 50), "x"))


def case_numpy_structured() -> Callable[[], Any]:
    import numpy as np

    return _decode(np.zeros((50, 50), dtype=[("a", "u1"), ("b", "f4")]))


def case_data_uri_16mb() -> Callable[[], Any]:
    return _decode("data:image/png," + "%00A" * (4 << 20))


def case_text_160mb() -> Callable[[], Any]:
    return _decode("A" * (160 << 20))


def case_dev_zero() -> Callable[[], Any]:
    return _decode("/dev/zero")


def case_directory() -> Callable[[], Any]:
    return _decode(tempfile.mkdtemp())


def case_fifo() -> Callable[[], Any]:
    path = os.path.join(tempfile.mkdtemp(), "pipe.png")
    os.mkfifo(path)
    return _decode(path)


def case_lab_tiff() -> Callable[[], Any]:
    from PIL import Image

    out = io.BytesIO()
    Image.new("LAB", (64, 64)).save(out, "TIFF")
    return _decode(out.getvalue())


def case_encode_scale_100000() -> Callable[[], Any]:
    import qriskit

    payload = _sample()
    return lambda: qriskit.encode_image(payload, scale=100000)


def case_encode_scale_300() -> Callable[[], Any]:
    import qriskit

    payload = _sample()
    return lambda: qriskit.encode_image(payload, scale=300)


def case_encode_largest_png() -> Callable[[], Any]:
    """The largest picture encode_image allows for the sample: 8190 x 8190 pixels."""
    import qriskit

    payload = _sample()
    return lambda: len(qriskit.encode_image(payload, scale=126))


def case_encode_largest_pil() -> Callable[[], Any]:
    import qriskit

    payload = _sample()
    return lambda: qriskit.encode_image(payload, "pil", scale=126).size


def case_no_image_extra() -> Callable[[], Any]:
    sys.modules["PIL"] = None  # type: ignore[assignment]  # as if Pillow were not installed
    return _decode(b"\x89PNG\r\n\x1a\n")


CASES: dict[str, tuple[Callable[[], Callable[[], Any]], str]] = {
    "EPS that loops forever": (case_eps, "ImageError"),
    "PDF": (case_pdf, "ImageError"),
    '"AAAA" + 40000 spaces + "!"': (case_base64_spaces, "ImageError"),
    "black 6300x6300 PNG (gray)": (case_black_png_6300, "NoQRCodeFound"),
    "black 6300x6300 PNG (RGB)": (case_black_png_6300_rgb, "NoQRCodeFound"),
    "36 MB noise PNG": (case_noise_png_36mb, "NoQRCodeFound"),
    "40 MP gray noise PNG": (case_noise_png_40mp_gray, "NoQRCodeFound"),
    "40 MP half-transparent PNG": (case_transparent_png_40mp, "NoQRCodeFound"),
    "40 MP half-transparent PNG, EXIF-rotated": (case_rotated_transparent_png_40mp, "NoQRCodeFound"),
    "40 MP JPEG, no code": (case_jpeg_40mp, "NoQRCodeFound"),
    "40 MP progressive 4:4:4 JPEG": (case_progressive_jpeg_40mp, "ImageError"),
    "40 MP half-transparent TIFF": (case_transparent_tiff_40mp, "NoQRCodeFound"),
    "40 MP half-transparent TIFF, EXIF-rotated": (case_rotated_transparent_tiff_40mp, "ImageError"),
    "largest one-strip RGBA TIFF": (case_tiff_one_strip_largest, "NoQRCodeFound"),
    "40 MP one-strip RGBA TIFF": (case_tiff_one_strip_40mp, "ImageError"),
    "6320x6320 white lossless WebP": (case_webp_white_6320, "ImageError"),
    "largest WebP, lossless RGB": (case_webp_lossless_rgb, "NoQRCodeFound"),
    "largest WebP, lossless RGBA": (case_webp_lossless_rgba, "NoQRCodeFound"),
    "largest WebP, lossy RGB": (case_webp_lossy_rgb, "NoQRCodeFound"),
    "largest WebP, lossy RGBA": (case_webp_lossy_rgba, "NoQRCodeFound"),
    "12000x12000 PNG bomb": (case_bomb_png_12000, "ImageError"),
    "10000x10000 RGB numpy array": (case_numpy_10000_rgb, "ImageError"),
    "numpy object array": (case_numpy_object, "ImageError"),
    "numpy str array": (case_numpy_str, "ImageError"),
    "numpy structured array": (case_numpy_structured, "ImageError"),
    "16 MB non-base64 data: URI": (case_data_uri_16mb, "ImageError"),
    "160 MB text": (case_text_160mb, "ImageError"),
    "/dev/zero": (case_dev_zero, "ImageError"),
    "a directory": (case_directory, "ImageError"),
    "a FIFO": (case_fifo, "ImageError"),
    "LAB TIFF": (case_lab_tiff, "ImageError"),
    "encode_image(scale=100000)": (case_encode_scale_100000, "ImageError"),
    "encode_image(scale=300)": (case_encode_scale_300, "ImageError"),
    "encode_image(scale=126), PNG": (case_encode_largest_png, "ok"),
    'encode_image(scale=126), "pil"': (case_encode_largest_pil, "ok"),
    "without the image extra": (case_no_image_extra, "ImageError"),
}


def _peak_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _rss_kb() -> int:
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def run_case(name: str) -> dict[str, Any]:
    """Build and measure one case in this process."""
    build, expected = CASES[name]
    call = build()
    spawned: list[str] = []
    sys.addaudithook(lambda event, _args: spawned.append(event) if event.startswith(SPAWN_EVENTS) else None)
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")  # reset the peak-memory mark
    except OSError:
        pass
    before = _rss_kb()
    cpu = _cpu()
    try:
        call()
        outcome, message = "ok", ""
    except Exception as exc:
        outcome, message = type(exc).__name__, str(exc)
    cpu = _cpu() - cpu
    peak = _peak_kb()
    return {
        "case": name,
        "cpu_s": round(cpu, 3),
        "peak_mb": round(peak / 1024, 1),
        "added_mb": round(max(0, peak - before) / 1024, 1),
        "outcome": outcome,
        "expected": expected,
        "message": message[:160],
        "subprocesses": spawned,
    }


def run_all(wall_limit: float) -> list[dict[str, Any]]:
    rows = []
    for name in CASES:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--case", name, "--json"]
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=wall_limit)
        except subprocess.TimeoutExpired:
            rows.append({"case": name, "cpu_s": None, "peak_mb": None, "added_mb": None, "outcome": "hang",
                         "expected": CASES[name][1], "message": f"no answer in {wall_limit} s", "subprocesses": []})
            continue
        if done.returncode != 0 or not done.stdout.strip():
            rows.append({"case": name, "cpu_s": None, "peak_mb": None, "added_mb": None, "outcome": "crash",
                         "expected": CASES[name][1], "message": (done.stderr or "")[-300:], "subprocesses": []})
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    return rows


def verdict(row: dict[str, Any], max_cpu: float, max_mb: float) -> str:
    if row["outcome"] != row["expected"]:
        return f"expected {row['expected']}"
    if row["subprocesses"]:
        return "started a process"
    if row["cpu_s"] > max_cpu:
        return f"over {max_cpu} s CPU"
    if row["peak_mb"] > max_mb:
        return f"over {max_mb} MB"
    return "ok"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--case", help="run one case in this process")
    ap.add_argument("--json", action="store_true", help="print JSON instead of the table")
    ap.add_argument("--max-cpu", type=float, default=2.0, help="CPU seconds allowed per case (2)")
    ap.add_argument("--max-mb", type=float, default=300.0, help="peak resident MB allowed per case (300)")
    ap.add_argument("--wall", type=float, default=120.0, help="seconds before a case counts as a hang (120)")
    args = ap.parse_args(argv)
    if args.case:
        print(json.dumps(run_case(args.case)))
        return 0
    t0 = time.perf_counter()
    rows = run_all(args.wall)
    for row in rows:
        row["verdict"] = verdict(row, args.max_cpu, args.max_mb)
    if args.json:
        print(json.dumps(rows))
    else:
        print(f"{'case':34} {'CPU s':>7} {'peak MB':>8} {'added':>7}  {'outcome':14} verdict")
        for r in rows:
            cpu = "-" if r["cpu_s"] is None else f"{r['cpu_s']:.2f}"
            peak = "-" if r["peak_mb"] is None else f"{r['peak_mb']:.0f}"
            added = "-" if r["added_mb"] is None else f"{r['added_mb']:.0f}"
            print(f"{r['case']:34} {cpu:>7} {peak:>8} {added:>7}  {r['outcome']:14} {r['verdict']}")
        print(f"limits: {args.max_cpu} s CPU, {args.max_mb} MB peak; {time.perf_counter() - t0:.0f} s in all")
    return 0 if all(r["verdict"] == "ok" for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
