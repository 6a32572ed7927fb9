"""The command itself: entry points, --help, --version, usage errors, and every exit code."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import qriskit
from qriskit import cli

from .conftest import BAD_CRC, ROOT, STATIC, assert_one_line_error, command, env

COMMANDS = ("info", "validate", "convert", "to-static", "decode", "encode", "anonymize", "batch", "serve")


def test_version(run):
    result = run("--version")
    assert result.returncode == 0
    assert result.out.startswith(f"qriskit {qriskit.__version__}")
    assert qriskit.backend in result.out


def test_help_lists_commands_examples_and_exit_codes(run):
    result = run("--help")
    assert result.returncode == 0
    for name in COMMANDS:
        assert name in result.out
    assert "examples:" in result.out
    assert "exit codes:" in result.out
    help_text = " ".join(result.out.split())
    for code, meaning in cli.EXIT_CODES.items():
        assert f" {code} {meaning}" in help_text, (code, meaning)


@pytest.mark.parametrize("name", [c for c in COMMANDS if c != "serve"])
def test_every_command_has_help_with_examples(run, name):
    result = run(name, "--help")
    assert result.returncode == 0, result.err
    assert f"qriskit {name}" in result.out
    assert "examples:" in result.out


def test_batch_help_says_what_code_is(run):
    text = " ".join(run("batch", "--help").out.split())
    assert "the static code: a payload, or a text file or image holding one (not '-': stdin carries the amounts)" \
        in text


def test_info_help_jq_example_works(run, tmp_path):
    """The jq filter `qriskit info --help` suggests reads the merchant name from the real output."""
    jq_filter = re.search(r"qriskit info --json qris\.txt \| jq -r (\S+)", run("info", "--help").out)
    assert jq_filter is not None
    (tmp_path / "qris.txt").write_text(STATIC + "\n")
    data = __import__("json").loads(run("info", "--json", "qris.txt").out)
    path = jq_filter.group(1).strip(".").split(".")
    for key in path:
        data = data[key]
    assert data == "Toko Sejahtera"


# --------------------------------------------------------------------------- the exit-code table


def _docs_table() -> dict[int, str]:
    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| (.+?) \|$", section, re.M)
    return {int(code): meaning.replace("\\|", "|") for code, meaning in rows}


def test_exit_codes_documented_in_one_table_everywhere():
    assert _docs_table() == dict(cli.EXIT_CODES)
    doc = " ".join((cli.__doc__ or "").split())
    for code, meaning in cli.EXIT_CODES.items():
        assert f" {code} {meaning}" in doc, (code, meaning)


def test_exit_codes_are_distinct_and_named():
    names = [cli.EXIT_OK, cli.EXIT_PROBLEMS, cli.EXIT_USAGE, cli.EXIT_INVALID, cli.EXIT_IMAGE, cli.EXIT_IO,
             cli.EXIT_EXTRA, cli.EXIT_INTERRUPTED, cli.EXIT_PIPE]
    assert names == [0, 1, 2, 3, 4, 5, 6, 130, 141]
    assert sorted(cli.EXIT_CODES) == names


def test_cli_error_exit_code_and_old_alias():
    err = cli.CLIError("no", cli.EXIT_IO)
    assert err.exit_code == 5
    assert err.code == 5  # the older name keeps working
    assert str(err) == "no"


# Each exit code, with the real command. 4 and 6 need images: test_cli_convert / test_cli_extras.


def test_exit_0_success(run):
    assert run("info", STATIC).returncode == cli.EXIT_OK


def test_exit_1_validate_found_errors(run):
    result = run("validate", BAD_CRC)
    assert result.returncode == cli.EXIT_PROBLEMS
    assert result.err == ""


def test_exit_2_usage(run):
    assert_one_line_error(run(), cli.EXIT_USAGE, "required")
    assert_one_line_error(run("frobnicate"), cli.EXIT_USAGE, "invalid choice")
    assert_one_line_error(run("info", "--frob", STATIC), cli.EXIT_USAGE, "--frob")
    assert_one_line_error(run("convert", STATIC), cli.EXIT_USAGE, "--amount")


@pytest.mark.parametrize(
    "args",
    [
        ["info", BAD_CRC],
        ["convert", STATIC, "--amount", "abc"],
        ["info", "0002"],
        ["info", "000201010211"],
    ],
)
def test_exit_3_invalid(run, args):
    assert_one_line_error(run(*args), cli.EXIT_INVALID)


def test_exit_5_io(run, tmp_path):
    assert_one_line_error(run("info", "missing.png"), cli.EXIT_IO, "no such file")
    assert_one_line_error(run("info", "no/such/file.txt"), cli.EXIT_IO, "no such file")
    assert_one_line_error(run("info", "."), cli.EXIT_IO, "directory")
    assert_one_line_error(run("convert", STATIC, "-a", "5", "-o", "no/dir/pay.svg"), cli.EXIT_IO, "no/dir/pay.svg")


def _shell(tmp_path: Path, line: str, input: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    cmd = " ".join(f"'{part}'" for part in command())
    return subprocess.run(["sh", "-c", line.replace("QRISKIT", cmd)], input=input, capture_output=True,
                          cwd=tmp_path, env=env(), timeout=60)


def test_exit_5_closed_stdin(tmp_path):
    (tmp_path / "qris.txt").write_text(STATIC)
    for line in ("QRISKIT batch qris.txt <&-", "QRISKIT info - <&-"):
        proc = _shell(tmp_path, line)
        assert proc.returncode == cli.EXIT_IO, proc.stderr
        assert proc.stderr.decode().splitlines() == [proc.stderr.decode().strip()]
        assert b"stdin is closed" in proc.stderr and b"Traceback" not in proc.stderr


def test_exit_5_closed_stdout(tmp_path):
    (tmp_path / "qris.txt").write_text(STATIC)
    for line in ("QRISKIT batch qris.txt >&-", "QRISKIT info qris.txt >&-", "QRISKIT encode qris.txt -f svg >&-"):
        proc = _shell(tmp_path, line, input=b"1000\n")
        assert proc.returncode == cli.EXIT_IO, (line, proc.stderr)
        assert b"stdout is closed" in proc.stderr and b"Traceback" not in proc.stderr


def test_exit_130_interrupted_leaves_no_file(tmp_path):
    """Ctrl-C during a batch: one line, exit 130, no output file and no temporary file."""
    (tmp_path / "qris.txt").write_text(STATIC)
    proc = subprocess.Popen(command("batch", "qris.txt", "-o", "out.csv"), stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=tmp_path, env=env())
    assert proc.stdin is not None
    proc.stdin.write(b"amount\n" + b"1000\n" * 10_000)
    proc.stdin.flush()  # stdin stays open: the command waits for more rows
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline, "the batch never started writing"
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == cli.EXIT_INTERRUPTED, err
    assert err.decode().strip() == "qriskit batch: interrupted"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["qris.txt"]


def test_exit_141_reader_went_away(tmp_path):
    """`qriskit batch ... | head -1`: the reader leaves early; no traceback, status 141."""
    amounts = tmp_path / "a.txt"
    amounts.write_text("".join(f"{1000 + i}\n" for i in range(50_000)))
    proc = subprocess.Popen(command("batch", STATIC, str(amounts)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env())
    assert proc.stdout is not None and proc.stderr is not None
    header = proc.stdout.readline()
    proc.stdout.close()
    err = proc.stderr.read()
    proc.wait(timeout=60)
    assert header == b"amount,payload\n"
    assert err == b""
    assert proc.returncode == cli.EXIT_PIPE


# --------------------------------------------------------------------------- entry points


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
    """`qriskit --help` and `qriskit info` load no image, numpy, rich, pyarrow or server module."""
    code = (
        "import sys\n"
        "from qriskit.cli import main\n"
        "rc = main(['--help']) + main(['info', sys.argv[1]])\n"
        "names = {'PIL', 'numpy', 'rich', 'segno', 'zxingcpp', 'cv2', 'starlette', 'uvicorn', 'httpx', 'pyarrow'}\n"
        "heavy = sorted({m.split('.')[0] for m in sys.modules} & names)\n"
        "server = sorted(m for m in sys.modules if m.startswith('qriskit.server'))\n"
        "print('HEAVY', heavy, server, rc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, STATIC], capture_output=True, text=True, env=env(),
                          timeout=60)
    assert "HEAVY [] [] 0" in proc.stdout, proc.stdout + proc.stderr


def test_entry_points():
    """`qriskit` (console script), `python -m qriskit` and `python -m qriskit.cli` run one main."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^\[project\.scripts\]\nqriskit = "qriskit\.cli:main"\n', pyproject, re.M)
    import qriskit.__main__ as top

    assert top.main is cli.main
    for module in ("qriskit", "qriskit.cli"):
        proc = subprocess.run([sys.executable, "-m", module, "--version"], capture_output=True, text=True,
                              env=env(), timeout=60)
        assert proc.returncode == 0 and proc.stdout.startswith("qriskit "), proc.stderr


def test_cli_is_a_package_of_small_modules():
    folder = Path(cli.__file__).parent
    assert folder.name == "cli"
    sizes = {p.name: len(p.read_text().splitlines()) for p in folder.glob("*.py")}
    assert {"__init__.py", "_parser.py", "_inputs.py", "_render.py", "_batch.py", "_formats.py"} <= set(sizes)
    assert max(sizes.values()) < 500, sizes
    assert os.path.getsize(folder / "__init__.py") < 4000  # a facade: re-exports only


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16", "utf-16-le", "utf-32"])
@pytest.mark.parametrize("command_args", [["info"], ["validate"], ["anonymize"], ["to-static"], ["encode"],
                                          ["convert", "-a", "1000"]])
def test_a_code_file_that_is_not_utf8_is_invalid_input(run, tmp_path, encoding, command_args):
    """Exit 3 ("input that is not UTF-8"), saying so: not exit 4 and "cannot identify the image
    format ... use qriskit.parse()"."""
    payload = STATIC.replace("Toko Sejahtera", "Toko Sejahtéra")
    (tmp_path / "code.txt").write_bytes(payload.encode(encoding) + "\n".encode(encoding))
    assert_one_line_error(run(*command_args[:1], "code.txt", *command_args[1:]), 3, "code.txt", "UTF-8")


def test_a_code_with_control_characters_is_invalid_input(run, tmp_path):
    (tmp_path / "code.txt").write_bytes(STATIC.encode() + b"\x00\n")
    assert_one_line_error(run("info", "code.txt"), 3, "code.txt", "control character")
