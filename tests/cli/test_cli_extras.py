"""Missing extras: one line naming what to install, exit 6, no partial files; `qriskit serve`."""

from __future__ import annotations

import pytest

import qriskit
from qriskit import cli

from .conftest import IMAGE_MODULES, STATIC, assert_one_line_error

IMAGE_HINT = 'pip install "pyqriskit[image]"'
#: The image extra and the native QR encoder both missing: a pure install without segno.
NO_ENCODER = (*IMAGE_MODULES, "qriskit.images._qr_c")


def _assert_missing(result, *words: str) -> None:
    assert_one_line_error(result, cli.EXIT_EXTRA, *words)
    assert "ModuleNotFoundError" not in result.err and "ImportError" not in result.err


@pytest.mark.parametrize(
    "args",
    [
        ["convert", STATIC, "-a", "1000", "-o", "pay.png"],
        ["convert", STATIC, "-a", "1000", "-o", "pay.svg"],
        ["to-static", STATIC, "-o", "static.png"],
        ["encode", STATIC, "-o", "qr.png"],
        ["encode", STATIC],
    ],
)
def test_drawing_without_any_encoder(run_without, tmp_path, args):
    result = run_without(NO_ENCODER, *args)
    _assert_missing(result, IMAGE_HINT)
    assert result.out == ""  # nothing printed as if it had worked
    assert list(tmp_path.iterdir()) == []  # no file, not even an empty one


def test_reading_an_image_without_the_image_extra(run_without, tmp_path, static_png):
    for args in (["info", static_png.name], ["decode", static_png.name], ["convert", static_png.name, "-a", "5"],
                 ["batch", static_png.name]):
        _assert_missing(run_without(IMAGE_MODULES, *args, input="1000\n"), IMAGE_HINT)
    _assert_missing(run_without(IMAGE_MODULES, "decode", "-", input=static_png.read_bytes()), IMAGE_HINT)


def test_batch_png_dir_without_the_image_extra_leaves_nothing(run_without, tmp_path):
    result = run_without(NO_ENCODER, "batch", STATIC, "--png-dir", "qr", "-o", "out.csv", input="1000\n2000\n")
    _assert_missing(result, IMAGE_HINT)
    assert list(tmp_path.iterdir()) == []  # no folder, no 0-byte PNG, no CSV, no temporary file
    piped = run_without(NO_ENCODER, "batch", STATIC, "--png-dir", "qr", input="1000\n")
    _assert_missing(piped, IMAGE_HINT)
    assert piped.out == ""


@pytest.mark.skipif(qriskit.backend != "native", reason="the native QR encoder is part of the native build")
def test_native_build_draws_without_the_image_extra(run_without, tmp_path):
    """The native QR encoder writes PNG, SVG and text with no image dependency at all."""
    assert run_without(IMAGE_MODULES, "encode", STATIC, "-o", "qr.png").returncode == 0
    assert (tmp_path / "qr.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert run_without(IMAGE_MODULES, "convert", STATIC, "-a", "1000", "-o", "pay.svg").returncode == 0
    assert (tmp_path / "pay.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
    done = run_without(IMAGE_MODULES, "batch", STATIC, "--png-dir", "qr", "-o", "out.csv", input="1000\n2000\n")
    assert done.returncode == 0, done.err
    assert len(list((tmp_path / "qr").glob("*.png"))) == 2


def test_codes_without_images_need_no_extra(run_without):
    """The text paths work without the image extra."""
    assert run_without(IMAGE_MODULES, "info", STATIC).returncode == 0
    assert run_without(IMAGE_MODULES, "convert", STATIC, "-a", "5").returncode == 0
    assert run_without(IMAGE_MODULES, "batch", STATIC, input="1000\n").returncode == 0


def test_missing_decoder_backend_has_its_own_code(run_without, static_png):
    """--decoder zbar without pyzbar: exit 6 naming what to install, not 4 ("no QR code")."""
    result = run_without(("pyzbar",), "decode", "--decoder", "zbar", static_png.name)
    _assert_missing(result, "zbar", "pip install")
    result = run_without(("pyzbar",), "info", "--decoder", "zbar", static_png.name)
    _assert_missing(result, "zbar", "pip install")


def test_no_qr_code_is_still_4(run, blank_png):
    assert_one_line_error(run("decode", blank_png.name), cli.EXIT_IMAGE, "no qr code")


def test_serve_without_the_server_package(run_without, tmp_path):
    for args in (["serve"], ["serve", "--port", "0"], ["serve", "--help"]):
        result = run_without(("qriskit.server",), *args)
        _assert_missing(result, 'pip install "pyqriskit[server]"')
        assert result.out == ""


def test_serve_is_listed_and_loaded_only_when_run(run):
    result = run("--help")
    assert "serve" in result.out
    from qriskit.cli import _commands

    assert _commands.SERVER_COMMAND == "qriskit.server._command"


def test_other_commands_still_refuse_unknown_options(run):
    assert_one_line_error(run("info", STATIC, "--port", "5"), cli.EXIT_USAGE, "--port")
