"""info, validate, anonymize, to-static: reading and checking codes."""

from __future__ import annotations

import json

import qriskit

from .conftest import BAD_CRC, BODY, STATIC, assert_one_line_error, crc_ok, fields, tlv, with_crc

# --------------------------------------------------------------------------- info


def test_info_human_summary(run):
    result = run("info", STATIC)
    assert result.returncode == 0, result.err
    out = result.out
    assert "Toko Sejahtera" in out
    assert "Jakarta 12340, ID" in out
    assert "static" in out
    assert "ID1020017611473" in out
    assert "UMI" in out
    assert "ID.DANA.WWW" in out
    assert f"{STATIC[-4:]} (ok)" in out
    assert result.err == ""


def test_info_json_shape(run):
    result = run("info", "--json", STATIC)
    assert result.returncode == 0, result.err
    data = json.loads(result.out)
    assert isinstance(data, dict)
    assert data["readable"] is True
    assert data["valid"] is True
    assert data["kind"] == "static"
    assert data["merchant"]["name"] == "Toko Sejahtera"
    assert data["merchant"]["city"] == "Jakarta"
    assert data["amount"] is None
    assert data["nmid"] == "ID1020017611473"
    assert data["crc"]["ok"] is True
    assert data["errors"] == [] and data["warnings"] == []


def test_info_dynamic_amount_and_tip(run):
    dynamic = qriskit.to_dynamic(STATIC, "15000.50", tip=qriskit.Tip.fixed(2500))
    out = run("info", dynamic).out
    assert "dynamic" in out
    assert "15000.50" in out
    assert "fixed fee 2500" in out
    data = json.loads(run("info", "--json", dynamic).out)
    assert data["amount"] == "15000.50"  # exact text, never a float
    assert data["kind"] == "dynamic"


def test_info_from_stdin_and_file(run, tmp_path):
    assert "Toko Sejahtera" in run("info", "-", input=STATIC + "\n").out
    (tmp_path / "code.txt").write_text(STATIC + "\r\n")
    assert "Toko Sejahtera" in run("info", "code.txt").out


def test_info_several_codes_gives_json_lines(run, tmp_path):
    other = with_crc(BODY.replace("5914Toko Sejahtera", tlv("59", "Warung Ibu")))
    (tmp_path / "codes.txt").write_text(f"{STATIC}\n\n{other}\n")
    result = run("info", "--json", "codes.txt")
    assert result.returncode == 0, result.err
    rows = [json.loads(line) for line in result.lines]
    assert [r["input"] for r in rows] == ["codes.txt:1", "codes.txt:3"]
    assert [r["merchant"]["name"] for r in rows] == ["Toko Sejahtera", "Warung Ibu"]


def test_info_crc_mismatch(run):
    assert_one_line_error(run("info", BAD_CRC), 3, "crc mismatch", "--no-crc-check")
    result = run("info", "--no-crc-check", BAD_CRC)
    assert result.returncode == 0, result.err
    assert "MISMATCH" in result.out
    assert "INVALID" in result.out  # the check line, from validate


def test_info_garbage(run):
    assert_one_line_error(run("info", "hello"), 5, "no such file")
    assert_one_line_error(run("info", "000201010211"), 3, "invalid code")
    assert_one_line_error(run("info", "-", input=""), 3, "empty")


def test_info_image(run, static_png):
    result = run("info", static_png.name)
    assert result.returncode == 0, result.err
    assert "Toko Sejahtera" in result.out


def test_info_image_on_stdin(run, static_png):
    result = run("info", "-", input=static_png.read_bytes())
    assert result.returncode == 0, result.err
    assert "Toko Sejahtera" in result.out


# --------------------------------------------------------------------------- validate


def test_validate_ok(run):
    result = run("validate", STATIC)
    assert result.returncode == 0, result.err
    assert result.lines[-1].startswith("valid")


def test_validate_errors_exit_1_with_severity_and_path(run):
    result = run("validate", BAD_CRC)
    assert result.returncode == 1
    assert "Traceback" not in result.err
    line = next(line for line in result.lines if "crc.mismatch" in line)
    assert line.split()[0] == "error"
    assert "63" in line.split()
    assert result.lines[-1].startswith("invalid: 1 error")


def test_validate_json_shape(run):
    result = run("validate", "--json", BAD_CRC)
    assert result.returncode == 1
    data = json.loads(result.out)
    assert data["ok"] is False
    assert data["profile"] == "qris"
    assert data["errors"], data
    problem = data["errors"][0]
    assert set(problem) == {"code", "severity", "path", "offset", "message"}
    assert problem["code"] == "crc.mismatch"
    assert problem["severity"] == "error"
    assert problem["path"] == "63"
    assert data["warnings"] == []


def test_validate_warnings_and_strict(run):
    no_postal = with_crc(BODY.replace(tlv("61", "12340"), ""))
    result = run("validate", "--json", no_postal)
    assert result.returncode == 0, result.out
    data = json.loads(result.out)
    assert data["ok"] is True
    assert "qris.postal_code" in {w["code"] for w in data["warnings"]}
    assert run("validate", "--strict", no_postal).returncode == 1
    human = run("validate", no_postal)
    assert any(line.startswith("warning") and "qris.postal_code" in line for line in human.lines)


def test_validate_quiet_and_several(run, tmp_path):
    (tmp_path / "codes.txt").write_text(f"{STATIC}\n{BAD_CRC}\n")
    quiet = run("validate", "-q", "codes.txt")
    assert quiet.returncode == 1
    assert quiet.out == "" and quiet.err == ""
    rows = [json.loads(line) for line in run("validate", "--json", "codes.txt").lines]
    assert [(r["input"], r["ok"]) for r in rows] == [("codes.txt:1", True), ("codes.txt:2", False)]


def test_validate_emv_profile(run):
    not_indonesian = with_crc(BODY.replace("5802ID", "5802SG"))
    assert run("validate", not_indonesian).returncode == 1
    assert run("validate", "--profile", "emv", not_indonesian).returncode == 0


# --------------------------------------------------------------------------- to-static / anonymize


def test_to_static_round_trip(run):
    dynamic = qriskit.to_dynamic(STATIC, 25000)
    result = run("to-static", dynamic)
    assert result.returncode == 0, result.err
    assert result.out == STATIC + "\n"


def test_to_static_several_from_stdin(run):
    codes = [qriskit.to_dynamic(STATIC, n) for n in (1000, 2000)]
    result = run("to-static", "-", input="\n".join(codes) + "\n")
    assert result.lines == [STATIC, STATIC]


def test_anonymize(run):
    result = run("anonymize", STATIC)
    assert result.returncode == 0, result.err
    masked = result.out.strip()
    assert crc_ok(masked)
    assert "Toko Sejahtera" not in masked
    assert fields(masked)["53"] == "360"


def test_anonymize_invalid(run):
    assert_one_line_error(run("anonymize", STATIC[:60]), 3, "invalid code")
