"""Server benchmark: ``qriskit serve`` under a bounded load on loopback.

    python benchmarks/bench_server.py [--quick]

Starts the server's app (``qriskit.server.create_app`` behind uvicorn, as ``qriskit serve``
runs it) in a subprocess on 127.0.0.1, with one extra route for this benchmark only,
``POST /bench/echo``, which reads the same JSON body as the converter and answers a reply
of the same shape without touching the codec. A load generator in this process (asyncio,
raw HTTP/1.1 keep-alive, ``CONNECTIONS`` connections) then drives, round-robin, one case
after the other for a fixed time each:

* ``GET /healthz`` -- the bare JSON endpoint (the baseline);
* ``POST /bench/echo`` -- JSON body in and out, no codec;
* ``POST /api/qris-convert.php`` with a JSON text body;
* ``POST /api/qris-convert.php`` with a multipart PNG upload (decoded in the worker pool).

``run(quick) -> list[dict]`` is the suite runner's entry point. Per case: requests/s,
p50/p99 latency, and one sample per round (seconds per request = 1 / throughput), so the
ratio against the baseline is paired by round. Every reply is checked (status 200; the
converted code of the first reply per case equals ``qriskit.to_dynamic``). The load is
bounded: fixed connections, fixed time per case, a cap on requests; the server is stopped
at the end. Nothing asserts on time. Goal: text conversion within 80% of the bare
endpoint's throughput; both comparisons are reported (``throughput_vs_bare`` against
``GET /healthz``, ``throughput_vs_echo`` against the same POST without the codec).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GROUP = "server"
BASELINE = "GET /healthz (bare JSON)"
ECHO = "POST /bench/echo (JSON, no codec)"
GOAL = 0.8  # text conversion: at least 80% of the bare endpoint's requests/s
MAX_REQUESTS = 200_000  # per case and round: the load stops by itself

_BODY = (
    "00020101021126570011ID.DANA.WWW011893600915302259148002090225914800303UMI"
    "51440014ID.CO.QRIS.WWW0215ID10200176114730303UMI5204541153033605802ID"
    "5914Toko Sejahtera6007Jakarta61051234062070703A01"
)

_LAUNCHER = r"""
import json, socket, sys
import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from qriskit.server import Settings, create_app

async def echo(request: Request) -> JSONResponse:
    obj = json.loads(await request.body())
    return JSONResponse({"success": True, "data": {
        "original_qris": obj["qris"], "converted_qris": obj["qris"], "nominal": obj["nominal"],
        "merchant_name": "Toko Sejahtera", "merchant_city": "Jakarta",
        "qr_image_url": str(request.base_url) + "qr.png?data=" + obj["qris"]}})

app = create_app(Settings(max_concurrency=1024))
app.router.routes.append(Route("/bench/echo", echo, methods=["POST"]))
sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # proto TCP: asyncio sets NODELAY
sock.bind(("127.0.0.1", 0))
sock.listen(1024)
print(sock.getsockname()[1], flush=True)
config = uvicorn.Config(app, log_level="warning", access_log=False, server_header=False)
uvicorn.Server(config).run(sockets=[sock])
"""


def _static() -> str:
    import binascii

    body = _BODY + "6304"
    return body + f"{binascii.crc_hqx(body.encode('utf-8'), 0xFFFF):04X}"


def _request(method: str, path: str, body: bytes = b"", content_type: str | None = None) -> bytes:
    head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\nContent-Length: {len(body)}\r\n"
    return (head + "\r\n").encode() + body


def _cases(static: str, png: bytes) -> list[tuple[str, bytes]]:
    text = json.dumps({"qris": static, "nominal": 15000}).encode()
    boundary = uuid.uuid4().hex
    multipart = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"nominal\"\r\n\r\n15000\r\n"
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"qris.png\"\r\n"
        f"Content-Type: image/png\r\n\r\n"
    ).encode() + png + f"\r\n--{boundary}--\r\n".encode()
    return [
        (BASELINE, _request("GET", "/healthz")),
        (ECHO, _request("POST", "/bench/echo", text, "application/json")),
        ("POST qris-convert.php (JSON text)", _request("POST", "/api/qris-convert.php", text, "application/json")),
        ("POST qris-convert.php (multipart PNG)",
         _request("POST", "/api/qris-convert.php", multipart, f"multipart/form-data; boundary={boundary}")),
    ]


async def _read_reply(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line[:15].lower() == b"content-length:":
            length = int(line[15:])
    return status, await reader.readexactly(length)


async def _client(port: int, request: bytes, stop_at: float, latencies: list[float], budget: list[int],
                  failures: list[str], first: list[bytes]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.perf_counter() < stop_at and budget[0] > 0:
            budget[0] -= 1
            started = time.perf_counter()
            writer.write(request)
            status, body = await _read_reply(reader)
            latencies.append(time.perf_counter() - started)
            if status != 200:
                failures.append(f"HTTP {status}: {body[:200]!r}")
                return
            if not first:
                first.append(body)
    finally:
        writer.close()


async def _load(port: int, request: bytes, seconds: float, connections: int) -> dict[str, Any]:
    latencies: list[float] = []
    failures: list[str] = []
    first: list[bytes] = []
    budget = [MAX_REQUESTS]
    started = time.perf_counter()
    stop_at = started + seconds
    await asyncio.gather(*(_client(port, request, stop_at, latencies, budget, failures, first)
                           for _ in range(connections)))
    wall = time.perf_counter() - started
    return {"requests": len(latencies), "wall": wall, "latencies": latencies, "failures": failures,
            "first": first[0] if first else b""}


def _start_server() -> tuple[subprocess.Popen[str], int]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()
    if not line.isdigit():
        proc.kill()
        raise RuntimeError(f"the server did not start: {line!r} {proc.stderr.read() if proc.stderr else ''}")
    return proc, int(line)


def _check(case: str, body: bytes, static: str) -> str | None:
    import qriskit

    reply = json.loads(body)
    if case == BASELINE:
        return None if reply.get("status") == "ok" else f"unexpected reply {reply!r}"[:200]
    if "echo" in case:
        return None if reply["data"]["original_qris"] == static else "echo reply differs"
    expected = qriskit.to_dynamic(static, 15000)
    got = reply.get("data", {}).get("converted_qris")
    return None if got == expected else f"converted {got!r}, expected {expected!r}"[:300]


def _png(static: str) -> bytes:
    import qriskit

    picture = qriskit.encode_image(static, "png", scale=4)
    assert isinstance(picture, bytes)
    return picture


def _http_implementation() -> str:
    import importlib.util

    return "httptools" if importlib.util.find_spec("httptools") else "h11"


def run(quick: bool) -> list[dict[str, Any]]:
    """Every case (see the module docstring): quick = 3 rounds of 1 s per case, else 5 of 3 s."""
    rounds, seconds, connections = (3, 1.0, 8) if quick else (5, 3.0, 16)
    static = _static()
    cases = _cases(static, _png(static))
    proc, port = _start_server()
    samples: dict[str, list[float]] = {name: [] for name, _ in cases}
    latencies: dict[str, list[float]] = {name: [] for name, _ in cases}
    totals: dict[str, int] = {name: 0 for name, _ in cases}
    errors: dict[str, str] = {}
    try:
        loop = asyncio.new_event_loop()
        try:
            for name, request in cases:  # warm-up, and check one reply of each case
                result = loop.run_until_complete(_load(port, request, 0.3, 2))
                problem = "; ".join(result["failures"][:1]) or _check(name, result["first"], static)
                if problem:
                    errors[name] = problem
            for _ in range(rounds):
                for name, request in cases:
                    if name in errors:
                        continue
                    result = loop.run_until_complete(_load(port, request, seconds, connections))
                    if result["failures"]:
                        errors[name] = result["failures"][0]
                        continue
                    samples[name].append(result["wall"] / max(1, result["requests"]))
                    latencies[name].extend(result["latencies"])
                    totals[name] += result["requests"]
        finally:
            loop.close()
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    series = f"server-{os.getpid()}-{time.monotonic_ns()}"
    rows = []
    base = samples[BASELINE]
    for name, _ in cases:
        if name in errors or not samples[name]:
            rows.append({"group": GROUP, "case": name, "median_s": None, "min_s": None, "max_s": None,
                         "baseline": None if name == BASELINE else BASELINE, "extra": {},
                         "error": errors.get(name, "no samples")})
            continue
        lat = sorted(latencies[name])
        per_request = samples[name]
        extra: dict[str, Any] = {
            "requests_per_s": round(1 / statistics.median(per_request)),
            "p50_ms": round(lat[len(lat) // 2] * 1000, 2),
            "p99_ms": round(lat[min(len(lat) - 1, int(len(lat) * 0.99))] * 1000, 2),
            "requests": totals[name],
            "connections": connections,
        }
        if name != BASELINE and len(base) == len(per_request):
            share = statistics.median(b / s for b, s in zip(base, per_request))
            extra["throughput_vs_bare"] = round(share, 3)
            echo = samples[ECHO]
            if name not in (BASELINE, ECHO) and len(echo) == len(per_request):
                extra["throughput_vs_echo"] = round(statistics.median(e / s for e, s in zip(echo, per_request)), 3)
            if "JSON text" in name:
                extra["goal"] = (f"{'met' if share >= GOAL else 'missed'} vs GET /healthz, "
                                 f"{'met' if extra.get('throughput_vs_echo', 0) >= GOAL else 'missed'} vs the "
                                 f"POST echo (>= {GOAL:.0%})")
        if name == BASELINE:
            extra["http"] = _http_implementation()
        rows.append({
            "group": GROUP, "case": name, "median_s": statistics.median(per_request), "min_s": min(per_request),
            "max_s": max(per_request), "baseline": None if name == BASELINE else BASELINE, "extra": extra,
            "samples": per_request, "series": series,
        })
    return rows


def main(argv: list[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="3 rounds of 1 s per case instead of 5 of 3 s")
    args = ap.parse_args(argv)
    rows = run(args.quick)
    print(f"{'case':40} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'vs echo':>8}")
    for r in rows:
        if r.get("error"):
            print(f"{r['case']:40} FAILED: {r['error']}")
            continue
        ex = r["extra"]
        share = f"{ex['throughput_vs_bare']:.0%}" if "throughput_vs_bare" in ex else "-"
        echo = f"{ex['throughput_vs_echo']:.0%}" if "throughput_vs_echo" in ex else "-"
        print(f"{r['case']:40} {ex['requests_per_s']:>8} {ex['p50_ms']:>8} {ex['p99_ms']:>8} {share:>8} {echo:>8}"
              + (f"  goal {ex['goal']}" if "goal" in ex else ""))
    return 0 if not any(r.get("error") for r in rows) else 1


if __name__ == "__main__":
    if __package__ in (None, ""):
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
