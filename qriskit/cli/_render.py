"""What the command prints: error lines, the ``info`` text, ``validate`` lines, JSON lines.

Nothing here derives a fact about a code: ``info`` renders ``qriskit.info()`` (the one
summary, ``qriskit.summary``), ``validate`` renders ``Report.to_dict()`` and
``Problem.to_dict()``, and error lines are the library's messages. The one rewording is
``CLI_HINTS``: the library's hints that name the Python argument ``verify_crc=False``,
said in command-line words, keyed by the error's ``code``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import qriskit
from qriskit.errors import READ_ANYWAY_HINTS, CRCError, QRISError, TLVError

from ._exits import EXIT_IO, CLIError

__all__ = [
    "CLI_HINTS",
    "describe",
    "info_text",
    "json_line",
    "out",
    "plural",
    "problem_dicts",
    "problem_lines",
    "say",
]

#: The library hints that name a Python argument, as the command says them, keyed by the
#: error's ``code``: (the hint for commands that take ``--no-crc-check``, the hint for those
#: that do not, None for no hint). ``validate`` is of the second kind: it reads a code with
#: a bad CRC anyway and reports every other problem too.
CLI_HINTS: Mapping[str, tuple[str, str | None]] = MappingProxyType({
    "crc.mismatch": ("the code was altered or mistyped; use --no-crc-check to read it anyway",
                     READ_ANYWAY_HINTS["crc.mismatch"]),
    "crc.format": ("use --no-crc-check to read the code anyway", READ_ANYWAY_HINTS["crc.format"]),
})

_KINDS = ((CRCError, "invalid code"), (TLVError, "invalid code"))


def out(text: str) -> None:
    """Write to stdout (one-line error when stdout is closed)."""
    if sys.stdout is None:
        raise CLIError("stdout is closed: nothing can be written", EXIT_IO)
    sys.stdout.write(text)


def say(command: str, text: str) -> None:
    """One line on stderr: "qriskit COMMAND: text" (nothing when stderr is closed)."""
    line = " ".join(text.split())
    try:
        if sys.stderr is not None:
            sys.stderr.write(f"qriskit {command}: {line}\n")
            sys.stderr.flush()
    except (OSError, ValueError):  # pragma: no cover - stderr closed under us
        pass


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _cli_text(exc: QRISError, crc_flag: bool) -> str:
    """``str(exc)``, with a hint from ``CLI_HINTS`` in place of the library's where one applies."""
    hints = CLI_HINTS.get(exc.code) if exc.code else None
    if hints is None:
        return str(exc)
    return str(QRISError(exc.message, offset=exc.offset, path=exc.path, hint=hints[0 if crc_flag else 1]))


def describe(exc: QRISError, *, command_has_crc_flag: bool = True) -> str:
    """One line for a library error: its kind ("invalid code: ..."), then its message."""
    text = " ".join(_cli_text(exc, command_has_crc_flag).split())
    kind = next((name for cls, name in _KINDS if isinstance(exc, cls)), None)
    return f"{kind}: {text}" if kind else text


def json_line(data: Mapping[str, Any]) -> str:
    """One JSON object on one line (non-ASCII kept)."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"


# --------------------------------------------------------------------------- validate


def problem_dicts(report: qriskit.Report, payload: str) -> dict[str, Any]:
    """``report.to_dict()``, the messages of ``CLI_HINTS`` codes in command-line words.

    A problem under a ``CLI_HINTS`` code was made from the parser's error; that error is
    raised again here and, when its rendering is exactly the problem's message, rendered
    with the command's hint instead. Every other field is ``Problem.to_dict()``'s.
    """
    data = report.to_dict()
    if not report.codes & CLI_HINTS.keys():
        return data
    try:
        qriskit.parse(payload)
    except QRISError as exc:
        error = exc
    else:  # pragma: no cover - a CLI_HINTS problem comes from a parse failure
        return data
    for key in ("errors", "warnings"):
        for problem in data[key]:
            if problem["code"] == error.code and problem["message"] == str(error):
                problem["message"] = _cli_text(error, crc_flag=False)
    return data


def problem_lines(data: Mapping[str, Any]) -> str:
    """The ``validate`` table: severity, code, path, message; then the verdict."""
    problems = [*data["errors"], *data["warnings"]]
    rows = [(p["severity"], p["code"], p["path"] or "-", p["message"]) for p in problems]
    text = ""
    if rows:
        w = [max(len(r[i]) for r in rows) for i in range(3)]
        text = "".join(f"{s:<{w[0]}}  {c:<{w[1]}}  {p:<{w[2]}}  {m}\n" for s, c, p, m in rows)
    verdict = "valid" if data["ok"] else "invalid"
    return text + f"{verdict}: {plural(len(data['errors']), 'error')}, {plural(len(data['warnings']), 'warning')}\n"


# --------------------------------------------------------------------------- info

_KIND_TEXT = {"static": "static: the payer types the amount", "dynamic": "dynamic: the amount is in the code"}


def _tip_text(tip: Mapping[str, Any]) -> str:
    kind = tip["kind"]
    if kind == "prompt":
        return "the payer enters a tip (55=01)"
    if kind == "fixed":
        return f"fixed fee {tip['fixed']} (55=02)"
    if kind == "percent":
        return f"fee {tip['percent']} % (55=03)"
    return f"unknown indicator 55={tip['indicator']}"


def _account_text(a: Mapping[str, Any]) -> str:
    parts = [a["guid"] or "?"]
    if a["pan"]:
        parts.append(f"PAN {a['pan']}")
    if a["merchant_id"]:
        parts.append(f"merchant ID {a['merchant_id']}")
    if a["name"]:
        parts.append(f"({a['name']}{', ' + a['kind'] if a['kind'] else ''})")
    elif a["nns"]:
        parts.append(f"(NNS {a['nns']}: not in the participant directory)")
    return " ".join(parts)


def info_text(info: Mapping[str, Any], where: str | None = None) -> str:
    """``qriskit.info()``'s summary as aligned "key  value" lines."""
    rows: list[tuple[str, str]] = []

    def add(key: str, value: object) -> None:
        if value not in (None, ""):
            rows.append((key, str(value)))

    add("input", where)
    merchant = info["merchant"] or {}
    add("merchant", merchant.get("name"))
    place = " ".join(x for x in (merchant.get("city"), merchant.get("postal_code")) if x)
    country = merchant.get("country")
    add("city", f"{place}, {country}" if place and country else place or country)
    if merchant.get("alternate_language"):
        alternate = ", ".join(x for x in (merchant.get("alternate_name"), merchant.get("alternate_city")) if x)
        add("alternate", f"{merchant['alternate_language']}: {alternate}")
    kind = info["kind"]
    add("type", _KIND_TEXT.get(kind, "unknown point of initiation (01 is neither 11 nor 12)")
        if info["readable"] else None)
    if info["amount"] is not None:
        add("amount", " ".join(x for x in (info["amount"], info["currency"]) if x))
    else:
        add("currency", info["currency"])
    if info["tip"] is not None:
        add("tip", _tip_text(info["tip"]))
    add("reference", info["reference"])
    add("category", merchant.get("mcc") and f"MCC {merchant['mcc']}")
    add("NMID", info["nmid"])
    criteria = info["criteria"]
    add("criteria", criteria and (f"{criteria}: {info['criteria_description']}"
                                  if info["criteria_description"] else criteria))
    for account in info["acquirers"]:
        add(f"account {account['tag']}", _account_text(account))
    crc = info["crc"]
    if crc is not None:
        state = "ok" if crc["ok"] else f"MISMATCH: the data gives {crc['computed']}"
        add("CRC", f"{crc['found']} ({state})")
    errors, warnings = len(info["errors"]), len(info["warnings"])
    verdict = "valid" if info["valid"] else "INVALID"
    more = "; see 'qriskit validate'" if errors or warnings else ""
    add("check", f"{verdict}: {plural(errors, 'error')}, {plural(warnings, 'warning')}{more}")
    width = max(len(k) for k, _ in rows)
    return "".join(f"{k:<{width}}  {v}\n" for k, v in rows)
