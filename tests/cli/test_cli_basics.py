"""The command itself: entry points, --help, --version, usage errors, exit codes."""

from __future__ import annotations

import subprocess
import sys

import pytest

import qriskit
from qriskit import cli

from .conftest import BAD_CRC, STATIC, assert_one_line_error, env


def test_version(run):
    result = run("--version")
    assert result.returncode == 0
    assert result.out.startswith(f"qriskit {qriskit.__version__}")
    assert qriskit.backend in result.out


def test_help_lists_commands_examples_and_exit_codes(run):
    result = run("--help")
    assert result.returncode == 0
    for name in ("info", "validate", "convert", "to-static", "decode", "encode", "anonymize", "batch"):
        assert name in result.out
    assert "examples:" in result.out
    assert "exit codes:" in result.out
    for code in cli.EXIT_CODES:
        assert f"  {code} " in result.out


@pytest.mark.parametrize(
    "name", ["info", "validate", "convert", "to-static", "decode", "encode", "anonymize", "batch"]
)
def test_every_command_has_help_with_examples(run, name):
    result = run(name, "--help")
    assert result.returncode == 0, result.err
    assert f"qriskit {name}" in result.out
    assert "examples:" in result.out


def test_exit_codes_are_distinct():
    codes = [cli.EXIT_OK, cli.EXIT_PROBLEMS, cli.EXIT_USAGE, cli.EXIT_INVALID, cli.EXIT_IMAGE, cli.EXIT_IO]
    assert codes == [0, 1, 2, 3, 4, 5]


def test_no_command_is_a_usage_error(run):
    assert_one_line_error(run(), 2, "required")


def test_unknown_command(run):
    assert_one_line_error(run("frobnicate"), 2, "invalid choice")


def test_unknown_option(run):
    assert_one_line_error(run("info", "--frob", STATIC), 2, "--frob")


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["info", STATIC], 0),
        (["info", BAD_CRC], 3),
        (["convert", STATIC, "--amount", "abc"], 3),
        (["convert", STATIC], 2),
        (["info", "missing.png"], 5),
        (["info", "no/such/file.txt"], 5),
        (["info", "0002"], 3),
    ],
)
def test_exit_code_per_kind(run, args, code):
    result = run(*args)
    assert result.returncode == code, result.err
    assert "Traceback" not in result.err
    if code:
        assert len(result.err.splitlines()) == 1


def test_main_in_process(capsys):
    assert cli.main(["info", "--json", STATIC]) == 0
    assert '"Toko Sejahtera"' in capsys.readouterr().out
    assert cli.main(["info", BAD_CRC]) == cli.EXIT_INVALID
    assert "CRC" in capsys.readouterr().err
    assert cli.main(["--version"]) == 0
    assert cli.main(["convert"]) == cli.EXIT_USAGE


def test_make_parser_builds_the_tree():
    parser = cli.make_parser()
    args = parser.parse_args(["convert", STATIC, "--amount", "5000", "--tip-prompt"])
    assert args.command == "convert"
    assert args.amount == "5000"  # kept as text: never a float
    assert args.tip_prompt


def test_help_stays_light():
    """`qriskit --help` loads no image, numpy or rich module."""
    code = (
        "import sys\n"
        "from qriskit.cli import main\n"
        "rc = main(['--help'])\n"
        "names = {'PIL', 'numpy', 'rich', 'segno', 'zxingcpp', 'cv2'}\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & names)\n"
        "print('HEAVY', heavy, rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env(), timeout=60)
    assert "HEAVY [] 0" in proc.stdout, proc.stdout + proc.stderr


def test_module_and_console_script_share_main():
    import qriskit.__main__  # noqa: F401  (importing must not run the command)

    text = (cli.__file__ and open(cli.__file__.replace("cli.py", "__main__.py"), encoding="utf-8").read())
    assert "from .cli import main" in text


def test_no_traceback_on_interrupted_pipe(tmp_path):
    """`qriskit batch ... | head -1`: the reader leaves early; no traceback."""
    amounts = tmp_path / "a.txt"
    amounts.write_text("".join(f"{1000 + i}\n" for i in range(50_000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "qriskit", "batch", STATIC, str(amounts)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
    )
    assert proc.stdout is not None and proc.stderr is not None
    header = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert header == b"amount,payload\n"
    assert b"Traceback" not in err
