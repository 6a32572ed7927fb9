"""``qriskit serve`` as a real command, its settings, and life without the ``server`` extra."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

import qriskit
from qriskit.cli import EXIT_CODES, main
from qriskit.fetch import Allow
from qriskit.server import Settings
from qriskit.server._command import EXIT_EXTRA_MISSING
from tests.codes import STATIC

ROOT = Path(__file__).resolve().parents[2]


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("QRISKIT_SERVER_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


def _start(*args: str, **env: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen([sys.executable, "-m", "qriskit", "serve", "--port", "0", "--no-access-log", *args],
                            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=_env(**env))
    assert proc.stderr is not None
    line = proc.stderr.readline()
    assert line.startswith("qriskit serve: serving on http://127.0.0.1:"), line
    return proc, line.split("serving on ")[1].split("/ ")[0]


def _stop(proc: subprocess.Popen[str], sig: int = signal.SIGINT) -> int:
    proc.send_signal(sig)
    return proc.wait(15)


def test_serve_runs_answers_and_stops_cleanly_on_ctrl_c() -> None:
    proc, url = _start()
    try:
        assert httpx.get(url + "/healthz").json()["status"] == "ok"
        reply = httpx.post(url + "/api/qris-convert.php", json={"qris": STATIC, "nominal": 15000}).json()
        assert reply["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 15000)
    finally:
        assert _stop(proc) == 0


def test_sigterm_shuts_down_gracefully_as_systemd_expects() -> None:
    proc, url = _start()
    assert httpx.get(url + "/healthz").status_code == 200
    assert _stop(proc, signal.SIGTERM) == -signal.SIGTERM  # uvicorn re-raises it after a clean shutdown
    assert proc.stderr is not None and "Application shutdown complete" in proc.stderr.read()


def test_serve_takes_its_key_from_the_environment_and_options_win() -> None:
    proc, url = _start(QRISKIT_SERVER_API_KEY="env-key")
    try:
        body = {"qris": STATIC, "nominal": 1}
        assert httpx.post(url + "/qris-convert.php", json=body).status_code == 401
        assert httpx.post(url + "/qris-convert.php", json=body, headers={"X-API-Key": "env-key"}).status_code == 200
    finally:
        _stop(proc)
    proc, url = _start("--api-key", "option-key", QRISKIT_SERVER_API_KEY="env-key")
    try:
        assert httpx.post(url + "/qris-convert.php", json={"qris": STATIC, "nominal": 1},
                          headers={"X-API-Key": "option-key"}).status_code == 200
    finally:
        _stop(proc)


def test_a_taken_port_is_an_io_error() -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    try:
        done = subprocess.run([sys.executable, "-m", "qriskit", "serve", "--port", str(taken.getsockname()[1])],
                              capture_output=True, text=True, env=_env(), timeout=30)
    finally:
        taken.close()
    assert done.returncode == 5
    assert done.stderr.count("\n") == 1 and "cannot listen on 127.0.0.1:" in done.stderr


def test_a_bad_setting_is_a_usage_error() -> None:
    done = subprocess.run([sys.executable, "-m", "qriskit", "serve", "--port", "0"], capture_output=True, text=True,
                          env=_env(QRISKIT_SERVER_DEADLINE="soon"), timeout=30)
    assert done.returncode == 2 and "QRISKIT_SERVER_DEADLINE='soon'" in done.stderr
    assert main(["serve", "--allow-fetch", "10.0.0.0/33"]) == 2
    assert main(["serve", "--port", "70000"]) == 2
    assert main(["serve", "--port", "8²"]) == 2  # a digit to str.isdigit, not to int()


_NO_SERVER_EXTRA = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("starlette", "uvicorn", "multipart"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None
sys.meta_path.insert(0, Block())
import importlib.util
real = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: None if name.split(".")[0] in ("starlette", "uvicorn", "multipart") \
    else real(name, *a)
from qriskit.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_without_the_extra_one_line_and_a_documented_status() -> None:
    done = subprocess.run([sys.executable, "-c", _NO_SERVER_EXTRA, "serve"], capture_output=True, text=True,
                          env=_env(), timeout=30)
    assert done.returncode == EXIT_EXTRA_MISSING == 6
    assert done.stderr.count("\n") == 1
    assert 'pip install "pyqriskit[server]"' in done.stderr and done.stderr.startswith("qriskit serve: ")
    assert EXIT_CODES[EXIT_EXTRA_MISSING]
    helped = subprocess.run([sys.executable, "-c", _NO_SERVER_EXTRA, "serve", "--help"], capture_output=True,
                            text=True, env=_env(), timeout=30)
    assert helped.returncode == 0 and "--allow-fetch" in helped.stdout
    imported = subprocess.run([sys.executable, "-c", _NO_SERVER_EXTRA.replace("from qriskit.cli import main", (
        "import qriskit.server\n"
        "try:\n    qriskit.server.create_app\n"
        "except qriskit.QRISError as e:\n    print(e.code, e.hint)\n    sys.exit(0)\n"
        "from qriskit.cli import main")), "--version"], capture_output=True, text=True, env=_env(), timeout=30)
    assert imported.stdout.strip() == 'extra.missing pip install "pyqriskit[server]"'


def test_the_cli_help_does_not_load_the_server() -> None:
    code = "import sys; from qriskit.cli import make_parser; make_parser(); print(sorted(m for m in sys.modules " \
           "if m.split('.')[0] in ('starlette', 'uvicorn', 'multipart', 'PIL', 'numpy')))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), timeout=30)
    assert done.stdout.strip() == "[]"


# --------------------------------------------------------------------------- settings


def test_settings_from_the_environment() -> None:
    settings = Settings.from_env({
        "QRISKIT_SERVER_API_KEY": "k", "QRISKIT_SERVER_DEADLINE": "2.5", "QRISKIT_SERVER_MAX_CONCURRENCY": "4",
        "QRISKIT_SERVER_ALLOW_FETCH": "10.0.0.0/8, [fd00::/8]:8443", "QRISKIT_SERVER_FETCH": "0",
        "QRISKIT_SERVER_PUBLIC_URL": "https://pos.example", "QRISKIT_SERVER_FETCH_RESOLVER": "ignored",
    }, deadline=None, max_concurrency=8)
    assert settings.api_key == "k" and settings.deadline == 2.5 and settings.max_concurrency == 8
    assert settings.allow_fetch == (Allow.parse("10.0.0.0/8"), Allow.parse("[fd00::/8]:8443"))
    assert settings.fetch is False and settings.public_url == "https://pos.example"
    assert settings.fetch_resolver is None
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(("env", "word"), [
    ({"QRISKIT_SERVER_MAX_BODY_BYTES": "-1"}, "max_body_bytes"),
    ({"QRISKIT_SERVER_MAX_BODY_BYTES": "1e6"}, "not a number"),
    ({"QRISKIT_SERVER_FETCH": "maybe"}, "write 1 or 0"),
    ({"QRISKIT_SERVER_ALLOW_FETCH": "nope"}, "allow entry"),
    ({"QRISKIT_SERVER_API_KEY": "has space"}, "api_key"),
    ({"QRISKIT_SERVER_PUBLIC_URL": "ftp://x"}, "public_url"),
    ({"QRISKIT_SERVER_DEADLINE": "0"}, "deadline"),
])
def test_bad_settings_say_which(env: dict[str, str], word: str) -> None:
    with pytest.raises(ValueError, match=word):
        Settings.from_env(env)


def test_public_url_is_the_base_of_qr_image_url(make_client: object) -> None:
    client = make_client(public_url="https://kasir.example/pos/")  # type: ignore[operator]
    data = client.post("/qris-convert.php", json={"qris": STATIC, "nominal": 1}).json()["data"]
    assert data["qr_image_url"].startswith("https://kasir.example/pos/qr.png?data=")
    time.sleep(0)


def test_any_asgi_server_can_run_the_module_level_app() -> None:
    command = [sys.executable, "-m", "uvicorn", "qriskit.server:app", "--port", "0", "--log-level", "info"]
    proc = subprocess.Popen(command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env=_env(QRISKIT_SERVER_API_KEY="asgi-key"))
    try:
        assert proc.stderr is not None
        url = ""
        for _ in range(20):
            line = proc.stderr.readline()
            if "Uvicorn running on " in line:
                url = line.split("Uvicorn running on ")[1].split()[0]
                break
        assert url.startswith("http://127.0.0.1:"), "uvicorn did not say where it listens"
        body = {"qris": STATIC, "nominal": 2000}
        assert httpx.post(url + "/api/qris-convert.php", json=body).status_code == 401  # the environment's key
        reply = httpx.post(url + "/api/qris-convert.php", json=body, headers={"X-API-Key": "asgi-key"})
        assert reply.json()["data"]["converted_qris"] == qriskit.to_dynamic(STATIC, 2000)
    finally:
        _stop(proc)
