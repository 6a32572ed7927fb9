"""Messages: hints name flags that exist, one JSON layout per command, convert's warnings."""

from __future__ import annotations

import json

import pytest

import qriskit
from qriskit import cli

from .conftest import BAD_CRC, BODY, STATIC, assert_one_line_error, fields, tlv, with_crc

BAD_HEX = STATIC[:-4] + "ZZZZ"
OTHER = with_crc(BODY.replace("5914Toko Sejahtera", tlv("59", "Warung Ibu")))


def _parse_error(payload: str) -> qriskit.QRISError:
    with pytest.raises(qriskit.QRISError) as info:
        qriskit.parse(payload)
    return info.value


# --------------------------------------------------------------------------- the CLI_HINTS table


def test_cli_hints_table_covers_every_library_hint_naming_verify_crc():
    """The table is keyed by the error's code; each key is a live library error that names verify_crc."""
    found = {}
    for payload in (BAD_CRC, BAD_HEX):
        exc = _parse_error(payload)
        found[exc.code] = exc.hint
    assert set(cli.CLI_HINTS) == set(found)
    for code, hint in found.items():
        assert "verify_crc=False" in (hint or ""), (code, hint)
        with_flag, without = cli.CLI_HINTS[code]
        assert "--no-crc-check" in with_flag
        assert without is None or "--no-crc-check" not in without


@pytest.mark.parametrize("payload", [BAD_CRC, BAD_HEX])
@pytest.mark.parametrize(
    ("args", "flag"),
    [
        (["info"], True),
        (["convert", "-a", "5"], True),
        (["to-static"], True),
        (["encode"], False),
    ],
)
def test_crc_hint_names_a_flag_the_command_has(run, payload, args, flag):
    result = run(*args, payload)
    assert_one_line_error(result, cli.EXIT_INVALID, "invalid code")
    assert "verify_crc" not in result.err
    assert ("--no-crc-check" in result.err) == flag
    if flag:
        assert run(*args, "--no-crc-check", payload).returncode == 0


def test_batch_crc_hint(run, tmp_path):
    result = run("batch", BAD_CRC, input="1000\n")
    assert_one_line_error(result, cli.EXIT_INVALID, "--no-crc-check")
    assert run("batch", "--no-crc-check", BAD_CRC, input="1000\n").returncode == 0
    (tmp_path / "o.csv").write_text(f"payload,amount\n{BAD_CRC},1000\n")
    result = run("batch", "--codes", "o.csv")
    assert "--no-crc-check" in result.err and "verify_crc" not in result.err


@pytest.mark.parametrize("payload", [BAD_CRC, BAD_HEX])
def test_validate_gives_no_python_hint_and_suggests_no_flag_it_lacks(run, payload):
    """validate reads a code with a bad CRC anyway: no '--no-crc-check', no 'verify_crc=False'."""
    for args in (["validate", payload], ["validate", "--json", payload]):
        result = run(*args)
        assert result.returncode == cli.EXIT_PROBLEMS
        assert "verify_crc" not in result.out and "--no-crc-check" not in result.out
    assert_one_line_error(run("validate", "--no-crc-check", payload), cli.EXIT_USAGE, "--no-crc-check")


def test_validate_json_is_report_to_dict(run):
    """Every field is Report.to_dict()'s; the problem is the parser's error with the hint of
    a reader that reads anyway (validate takes no verify_crc=False)."""
    data = json.loads(run("validate", "--json", BAD_CRC).out)
    report = qriskit.validate(BAD_CRC).to_dict()
    exc = _parse_error(BAD_CRC)
    hint = cli.CLI_HINTS[exc.code][1]
    assert report["errors"][0]["message"] == f"{exc.message} (tag 63, offset {exc.offset}); {hint}"
    assert "verify_crc" not in report["errors"][0]["message"]
    assert data == {"input": "argument", **report}


# --------------------------------------------------------------------------- JSON layouts


@pytest.mark.parametrize("command", ["info", "validate"])
def test_json_layout_does_not_change_with_the_number_of_codes(run, tmp_path, command):
    """One compact JSON object per line, "input" first, whatever the count."""
    (tmp_path / "one.txt").write_text(STATIC + "\n")
    (tmp_path / "two.txt").write_text(f"{STATIC}\n\n{OTHER}\n")
    one = run(command, "--json", "one.txt")
    two = run(command, "--json", "two.txt")
    assert one.returncode == two.returncode == 0
    one_rows = [json.loads(line) for line in one.out.splitlines()]
    two_rows = [json.loads(line) for line in two.out.splitlines()]
    assert len(one_rows) == 1 and len(two_rows) == 2
    assert [r["input"] for r in one_rows + two_rows] == ["one.txt", "two.txt:1", "two.txt:3"]
    assert all(next(iter(r)) == "input" for r in one_rows + two_rows)
    assert {tuple(r) for r in one_rows + two_rows} == {tuple(one_rows[0])}  # the same keys every time
    expected = qriskit.info(STATIC) if command == "info" else qriskit.validate(STATIC).to_dict()
    assert one_rows[0] == {"input": "one.txt", **expected}


def test_info_json_on_a_bad_crc_prints_the_summary(run):
    result = run("info", "--json", BAD_CRC)
    assert result.returncode == cli.EXIT_INVALID  # the code cannot be used as it is
    data = json.loads(result.out)
    assert data == {"input": "argument", **qriskit.info(BAD_CRC)}
    assert data["crc"]["ok"] is False and data["valid"] is False
    assert "--no-crc-check" in result.err
    ok = run("info", "--json", "--no-crc-check", BAD_CRC)
    assert ok.returncode == 0 and ok.err == ""
    assert json.loads(ok.out) == data


def test_info_json_on_an_unreadable_code(run):
    result = run("info", "--json", "000201010211")
    assert result.returncode == cli.EXIT_INVALID
    data = json.loads(result.out)
    assert data["readable"] is False and data["errors"]


# --------------------------------------------------------------------------- amounts and fees


@pytest.mark.parametrize(
    ("option", "value", "words"),
    [
        ("--amount", "15.000", ["'15.000'", "fifteen thousand", "pass 15000"]),
        ("--amount", "1,000", ["one thousand", "pass 1000"]),
        ("--amount", "2.500,50", ["2500.50"]),
        ("--fee-percent", "2,5", ["fee percentage", "2.5"]),
        ("--fee-percent", "2.5%", ["fee percentage", "2.5%"]),
        ("--fee-fixed", "1.000", ["fixed fee", "one thousand"]),
    ],
)
def test_amount_messages_are_the_librarys(run, option, value, words):
    args = ["convert", STATIC, f"{option}={value}"]
    if option != "--amount":
        args.append("--amount=1000")
    result = run(*args)
    assert_one_line_error(result, cli.EXIT_INVALID, *words)
    if option == "--fee-percent":
        assert "15000" not in result.err  # a percentage answered in percent terms, not with an amount example
    assert result.out == ""


def test_percent_fee_message_is_tip_percent_s(run):
    with pytest.raises(qriskit.AmountError) as info:
        qriskit.Tip.percent("2,5")
    result = run("convert", STATIC, "-a", "1000", "--fee-percent", "2,5")
    assert result.err.strip() == f"qriskit convert: {info.value}"


# --------------------------------------------------------------------------- convert's warnings


def test_convert_already_dynamic_warns_with_old_and_new_amount(run):
    dynamic = qriskit.to_dynamic(STATIC, "15000")
    result = run("convert", dynamic, "--amount", "25000")
    assert result.returncode == 0
    assert fields(result.out.strip())["54"] == "25000"
    assert result.err.splitlines() == [
        "qriskit convert: warning: the code was already dynamic (amount 15000); the new code asks for 25000"
    ]
    quiet = run("convert", dynamic, "--amount", "25000", "-q")
    assert quiet.returncode == 0 and quiet.err == "" and quiet.out == result.out


def test_convert_prints_new_validate_warnings(run):
    report = qriskit.validate(qriskit.to_dynamic(STATIC, "20000000", tip=qriskit.Tip.fixed("1000")))
    expected = {p.code for p in report.warnings} - qriskit.validate(STATIC).codes
    assert {"qris.amount_limit", "qris.surcharge"} <= expected
    result = run("convert", STATIC, "--amount", "20000000", "--fee-fixed", "1000")
    assert result.returncode == 0
    lines = result.err.splitlines()
    assert sorted(line.split(": ")[2] for line in lines) == sorted(expected)
    for line in lines:
        code = line.split(": ")[2]
        message = next(p.message for p in report.problems if p.code == code)
        assert line == f"qriskit convert: warning: {code}: {message}"
    assert run("convert", STATIC, "--amount", "20000000", "--fee-fixed", "1000", "--quiet").err == ""
    assert run("convert", STATIC, "--amount", "25000").err == ""  # nothing new: nothing said


def test_convert_keeps_warnings_the_source_already_had_quiet(run):
    no_postal = with_crc(BODY.replace(tlv("61", "12340"), ""))
    assert "qris.postal_code" in qriskit.validate(no_postal).codes
    assert run("convert", no_postal, "--amount", "5000").err == ""
