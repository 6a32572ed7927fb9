"""convert, decode and encode: payloads and pictures in and out."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

import qriskit

from .conftest import BAD_CRC, STATIC, assert_one_line_error, crc_ok, fields


def _dynamic(out: str) -> str:
    payload = out.strip()
    assert "\n" not in payload
    assert crc_ok(payload), payload
    assert fields(payload)["01"] == "12"
    return payload


def test_convert_argument(run):
    result = run("convert", STATIC, "--amount", "25000")
    assert result.returncode == 0, result.err
    payload = _dynamic(result.out)
    assert fields(payload)["54"] == "25000"
    assert payload == qriskit.to_dynamic(STATIC, "25000")
    assert result.err == ""


def test_convert_keeps_the_amount_text_exactly(run):
    payload = _dynamic(run("convert", STATIC, "-a", "150000.50").out)
    assert fields(payload)["54"] == "150000.50"
    assert qriskit.parse(payload).amount == Decimal("150000.50")


def test_convert_stdin(run):
    result = run("convert", "-", "--amount", "9000", input=STATIC + "\n")
    assert fields(_dynamic(result.out))["54"] == "9000"


@pytest.mark.parametrize(
    ("option", "expect"),
    [
        (["--tip-prompt"], {"55": "01"}),
        (["--fee-fixed", "2500"], {"55": "02", "56": "2500"}),
        (["--fee-percent", "2.5"], {"55": "03", "57": "2.5"}),
    ],
)
def test_convert_tips(run, option, expect):
    payload = _dynamic(run("convert", STATIC, "--amount", "10000", *option).out)
    got = fields(payload)
    assert {k: got.get(k) for k in expect} == expect


def test_convert_tip_options_exclude_each_other(run):
    assert_one_line_error(run("convert", STATIC, "-a", "1", "--tip-prompt", "--fee-fixed", "5"), 2, "not allowed")


def test_convert_reference(run):
    payload = _dynamic(run("convert", STATIC, "--amount", "5000", "--reference", "INV-42").out)
    assert "0506INV-42" in fields(payload)["62"]


@pytest.mark.parametrize("amount", ["abc", "0", "1e5", "-5", "1,000", "12345678901234"])
def test_convert_bad_amount(run, amount):
    assert_one_line_error(run("convert", STATIC, f"--amount={amount}"), 3, "amount")


def test_convert_bad_reference(run):
    assert_one_line_error(run("convert", STATIC, "-a", "5", "--reference", "x" * 30), 3, "reference")


def test_convert_bad_crc(run):
    assert_one_line_error(run("convert", BAD_CRC, "-a", "5"), 3, "crc")
    assert _dynamic(run("convert", "--no-crc-check", BAD_CRC, "-a", "5").out)


def test_convert_needs_one_code(run, tmp_path):
    (tmp_path / "two.txt").write_text(f"{STATIC}\n{STATIC}\n")
    assert_one_line_error(run("convert", "two.txt", "-a", "5"), 2, "2 lines")


def test_convert_to_png_and_svg(run, tmp_path, image_lib):
    result = run("convert", STATIC, "--amount", "25000", "-o", "pay.png")
    assert result.returncode == 0, result.err
    payload = _dynamic(result.out)
    assert image_lib.decode_image(tmp_path / "pay.png") == payload
    result = run("convert", STATIC, "--amount", "25000", "-o", "pay.svg", "--scale", "3")
    assert result.returncode == 0, result.err
    assert "<svg" in (tmp_path / "pay.svg").read_text()


def test_convert_output_errors(run, image_lib):
    assert_one_line_error(run("convert", STATIC, "-a", "1", "-o", "pay.jpg"), 2, ".png")
    assert_one_line_error(run("convert", STATIC, "-a", "1", "-o", "no/dir/pay.png"), 5, "no/dir/pay.png")
    assert_one_line_error(run("convert", STATIC, "-a", "1", "--scale", "0"), 2, "scale")


def test_convert_image_input(run, static_png):
    result = run("convert", static_png.name, "--amount", "7500")
    assert result.returncode == 0, result.err
    assert fields(_dynamic(result.out))["54"] == "7500"


def test_convert_image_without_code(run, blank_png):
    assert_one_line_error(run("convert", blank_png.name, "--amount", "1"), 4, "blank.png", "no qr code")


# --------------------------------------------------------------------------- decode


def test_decode_files(run, static_png, tmp_path, image_lib):
    dynamic = qriskit.to_dynamic(STATIC, 5000)
    (tmp_path / "dyn.png").write_bytes(image_lib.encode_image(dynamic, "png"))
    result = run("decode", static_png.name, "dyn.png")
    assert result.returncode == 0, result.err
    assert result.lines == [STATIC, dynamic]


def test_decode_json_and_stdin(run, static_png):
    result = run("decode", "--json", "-", input=static_png.read_bytes())
    assert result.returncode == 0, result.err
    assert json.loads(result.out) == {"file": "<stdin>", "payload": STATIC}


def test_decode_all(run, tmp_path, image_lib):
    import segno

    segno.make_qr("https://example.com/").save(str(tmp_path / "url.png"), scale=6)
    assert run("decode", "--all", "url.png").lines == ["https://example.com/"]
    assert_one_line_error(run("decode", "url.png"), 4, "no valid")


def test_decode_failures(run, blank_png, tmp_path, image_lib):
    assert_one_line_error(run("decode", blank_png.name), 4, "blank.png", "no qr code")
    (tmp_path / "junk.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage \x00\x01")
    assert_one_line_error(run("decode", "junk.png"), 4, "junk.png")
    (tmp_path / "code.txt").write_text(STATIC)
    assert_one_line_error(run("decode", "code.txt"), 4, "not an image")
    assert_one_line_error(run("decode", "missing.png"), 5, "missing.png")


def test_decode_reads_a_data_uri_as_the_other_commands_do(run, static_png, tmp_path):
    import base64

    uri = "data:image/png;base64," + base64.b64encode(static_png.read_bytes()).decode() + "\n"
    (tmp_path / "uri.txt").write_text(uri)
    assert run("info", "--json", "uri.txt").returncode == 0
    result = run("decode", "uri.txt", "-", input=uri.encode())
    assert result.returncode == 0, result.err
    assert result.lines == [STATIC, STATIC]


def test_decode_goes_on_after_a_bad_file(run, static_png, blank_png):
    result = run("decode", blank_png.name, static_png.name)
    assert result.returncode == 4
    assert result.lines == [STATIC]
    assert "blank.png" in result.err and "Traceback" not in result.err


# --------------------------------------------------------------------------- encode


def test_encode_text_to_terminal(run):
    result = run("encode", STATIC)
    assert result.returncode == 0, result.err
    lines = result.lines
    assert len(lines) > 20
    assert {len(line) for line in lines} == {len(lines[0])}
    assert set("".join(lines)) <= set(" █▀▄")


def test_encode_png_file_and_pipe(run, tmp_path, image_lib):
    assert run("encode", STATIC, "-o", "qr.png", "--scale", "4", "--border", "2").returncode == 0
    assert image_lib.decode_image(tmp_path / "qr.png") == STATIC
    piped = run("encode", "-", "--format", "png", input=STATIC)
    assert piped.returncode == 0, piped.err
    assert piped.stdout.startswith(b"\x89PNG\r\n\x1a\n")
    assert image_lib.decode_image(piped.stdout) == STATIC


def test_encode_svg(run, image_lib):
    result = run("encode", STATIC, "--format", "svg", "--error", "h")
    assert result.returncode == 0, result.err
    assert "<svg" in result.out


def test_encode_refuses_an_invalid_code(run, image_lib):
    assert_one_line_error(run("encode", BAD_CRC), 3, "crc")
