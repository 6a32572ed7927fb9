"""Validation: the rules of EMV MPM and of the QRIS profile, as a ``Report`` of ``Problem``s.

``check(payload, profile, parse)`` never raises: wrong types, broken bytes, damaged TLV and
bad CRCs all come back as problems (``qriskit.validate`` calls it with ``QRIS`` as the
parser). Root damage found by the parser (CRC, root TLV walk) is reported from the
``QRISError`` it raises (its ``offset`` and ``path``); after a CRC mismatch the code is read
anyway and every other rule runs too.

Severity: ``"error"`` for what makes a code unusable or breaks a "shall" of the spec the
profile checks (broken TLV, CRC, missing 00/52/53/58/59/60/63, no merchant account, values a
payer's app cannot read; under QRIS also a format indicator other than 01, a point of
initiation other than 11/12, an amount longer than 13 characters or with more decimals than
its currency allows, and fee values 55 does not call for); deviations that real paying
codes carry (26-character names, 3-digit MCCs, legacy GUIDs, tags out of order) are
``"warning"``. Every rule has a stable dotted code, listed with its severity and meaning in
``CODES`` (the one table; ``docs/validation.md`` renders it).

The hot path is one pass over the root objects by the twin's ``Payload.scan``, driven by
tables and template rules (``_scan.ScanRules``) built here from ``spec`` (the protocol is
``_scan``): templates that pass their rules never reach the Python checks below, which run
only for the others, and no object is built unless there is a problem.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from itertools import permutations
from types import MappingProxyType, ModuleType
from typing import TYPE_CHECKING, Any

from . import _codec, spec
from ._scan import NO_ID, TABLE_SIZE, Finding, Format, IdFlag, RuleFlag, ScanFlag, ScanRules
from .errors import CRCError, QRISError, without_override_hint
from .values import decimals

if TYPE_CHECKING:
    from ._codec_py import Payload, ScanTemplate
    from .model import QRISFields

__all__ = ["CODES", "ERROR", "PROFILES", "WARNING", "Problem", "Report", "check"]

ERROR = "error"
WARNING = "warning"

#: code -> (severity, meaning). The one table of validation codes; codes never change meaning.
CODES: MappingProxyType[str, tuple[str, str]] = MappingProxyType(
    {
        # -- input ----------------------------------------------------------------------------
        "input.type": (ERROR, "the payload is not a str or bytes"),
        "input.encoding": (ERROR, "bytes that are not UTF-8, or a str with a lone surrogate"),
        "input.empty": (ERROR, "the payload is empty"),
        "input.whitespace": (ERROR, "whitespace around the code (repair() strips it); the rest is checked without it"),
        "input.url_encoded": (ERROR, "the code looks URL-encoded ('%20', '+' for a space); repair() decodes it"),
        "input.uninitialised": (ERROR, "a code object that was never parsed (made without qriskit.parse)"),
        # -- CRC (tag 63) ---------------------------------------------------------------------
        "crc.missing": (ERROR, "no '6304' and 4 characters at the end of the code"),
        "crc.format": (ERROR, "the CRC is not 4 hex digits"),
        "crc.mismatch": (ERROR, "the CRC does not match the data: the code was altered or mistyped"),
        "crc.case": (WARNING, "the CRC is written in lowercase hex; EMV writes uppercase"),
        "crc.position": (ERROR, "tag 63 appears before the end; the CRC must be the last data object"),
        # -- TLV structure --------------------------------------------------------------------
        "tlv.truncated": (ERROR, "a data object is cut short: fewer than 4 characters for its id and length"),
        "tlv.id": (ERROR, "a data object id is not two digits"),
        "tlv.length": (ERROR, "a length is not 01-99, or its value runs past the end"),
        "tlv.duplicate": (ERROR, "an id repeats at one level"),
        "tlv.malformed": (ERROR, "the TLV structure is broken in another way"),
        "tlv.template": (ERROR, "a merchant account template (26-51) or tag 62 is not valid TLV inside"),
        "tlv.extra_template": (WARNING, "template 64, 80-99 or 62.50-99 is not valid TLV inside (apps skip it)"),
        # -- EMV MPM --------------------------------------------------------------------------
        "emv.first": (ERROR, "the first data object is not 00 (payload format indicator)"),
        "emv.mandatory": (ERROR, "a mandatory data object (00, 52, 53, 58, 59, 60, 63) is missing"),
        "emv.account": (ERROR, "no merchant account information (ids 02-51)"),
        "emv.format": (ERROR, "a value breaks its format: N must be digits, ans printable ASCII (0x20-0x7E)"),
        "emv.length": (WARNING, "a value is longer or shorter than EMV allows for its id"),
        "emv.size": (WARNING, "the code is longer than the 512 characters EMV allows"),
        "emv.version": (WARNING, "the payload format indicator (00) is not '01'"),
        "emv.initiation": (WARNING, "the point of initiation (01) is not '11' (static) or '12' (dynamic)"),
        "emv.amount": (ERROR, "the amount (54) or fixed fee (56) is not digits with an optional '.'"),
        "emv.amount_zero": (ERROR, "the amount (54) or fixed fee (56) is zero"),
        "emv.amount_decimals": (
            WARNING, "the amount (54) or fixed fee (56) has more decimals than its currency (53) allows"
        ),
        "emv.tip": (ERROR, "55 is not 01/02/03, or 55=02/03 comes without its fee (56/57)"),
        "emv.fee_percent": (ERROR, "the percentage fee (57) is not a number from 00.01 to 99.99"),
        "emv.fee_unused": (WARNING, "56 or 57 is present but 55 does not call for it (apps ignore it)"),
        "emv.guid": (WARNING, "a template (26-51, 62.50-99, 80-99) has no globally unique identifier (00)"),
        "emv.consumer_data": (ERROR, "62.09 is not a set of the letters A, M, E (each at most once)"),
        "emv.prompt": (WARNING, "'***' (prompt the payer) in a 62 field that cannot prompt (09-11)"),
        "emv.language": (WARNING, "template 64 lacks its language (00) or alternate merchant name (01)"),
        "emv.rfu": (WARNING, "an id reserved for future use by EMVCo (root 65-79, 62.00, 62.12-49, 64.03-99)"),
        # -- QRIS profile ---------------------------------------------------------------------
        "qris.country": (ERROR, "the country code (58) is not 'ID'"),
        "qris.currency": (ERROR, "the currency (53) is not '360' (rupiah)"),
        "qris.postal_code": (WARNING, "the postal code (61), mandatory in QRIS, is missing"),
        "qris.order": (WARNING, "root data objects are not in ascending id order"),
        "qris.national": (WARNING, "no national template 51 with the QRIS GUID and the NMID"),
        "qris.guid_legacy": (WARNING, "tag 51 carries an older national GUID (ID.OR.GPNQR.WWW and kin)"),
        "qris.guid": (WARNING, "tag 51 carries a GUID that is not the QRIS one (ID.CO.QRIS.WWW)"),
        "qris.nmid": (WARNING, "the NMID (51.02) is missing or not 'ID' and 10-13 digits"),
        "qris.criteria": (WARNING, "a merchant criteria (03) is missing or not UMI/UKE/UME/UBE/URE/PSO/BLU"),
        "qris.acquirer": (WARNING, "no acquirer template (26-50) with a merchant PAN"),
        "qris.pan": (WARNING, "a merchant PAN (01) is not 16-19 digits"),
        "qris.nns": (WARNING, "a merchant PAN does not start with a known Indonesian NNS (9360xxxx)"),
        "qris.version": (ERROR, "the payload format indicator (00) is not '01'"),
        "qris.initiation": (ERROR, "the point of initiation (01) is not '11' (static) or '12' (dynamic)"),
        "qris.amount_length": (ERROR, "the amount (54) is longer than 13 characters"),
        "qris.amount_decimals": (
            ERROR, "the amount (54) or fixed fee (56) has more decimals than its currency (53) allows"
        ),
        "qris.fee_unused": (ERROR, "56 without 55=02, or 57 without 55=03: EMV says they shall be absent"),
        "qris.amount_limit": (
            WARNING, f"the amount is above Rp {spec.QRIS_MAX_AMOUNT:,}, the QRIS limit per transaction"
        ),
        "qris.surcharge": (WARNING, "a convenience fee (55=02/03, 56, 57): Indonesian rules forbid surcharging"),
        "qris.dynamic_amount": (WARNING, "a dynamic code (01=12) without an amount (54)"),
        # -- safety net -----------------------------------------------------------------------
        "internal": (ERROR, "qriskit failed on this input (a bug: please report it)"),
    }
)

PROFILES = frozenset({"qris", "emv"})


@dataclass(frozen=True, slots=True)
class Problem:
    """One finding: a stable ``code``, its ``severity``, where (``path`` like "62.09" and
    ``offset`` in characters of the data object's header), and a ``message`` for people."""

    code: str
    severity: str
    path: str | None
    offset: int | None
    message: str

    def to_dict(self) -> dict[str, Any]:
        """The problem as JSON-ready data: code, severity, path, offset, message."""
        return {
            "code": self.code,
            "severity": self.severity,
            "path": self.path,
            "offset": self.offset,
            "message": self.message,
        }

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return f"{self.severity} {self.code}{where}: {self.message}"


class Report:
    """The result of ``validate``: ``ok`` (no errors), ``errors``, ``warnings``, ``problems``.

    ``parsed`` is the parsed code (``QRIS``) when its root could be read, else None.
    (``code`` is its older name, kept working; ``Problem.code`` is a problem code.)
    """

    __slots__ = ("parsed", "problems", "profile")

    def __init__(self, problems: tuple[Problem, ...], profile: str, parsed: QRISFields | None = None) -> None:
        self.problems = problems
        self.profile = profile
        self.parsed = parsed

    @property
    def code(self) -> QRISFields | None:
        """The older name of ``parsed``."""
        return self.parsed

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        for p in self.problems:
            if p.severity == ERROR:
                return False
        return True

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems of severity "error"."""
        return tuple(p for p in self.problems if p.severity == ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems of severity "warning"."""
        return tuple(p for p in self.problems if p.severity == WARNING)

    @property
    def codes(self) -> frozenset[str]:
        """The set of problem codes, handy for tests and filters."""
        return frozenset(p.code for p in self.problems)

    def __iter__(self) -> Iterator[Problem]:
        return iter(self.problems)

    def __len__(self) -> int:
        return len(self.problems)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data: ok, profile, errors, warnings."""
        return {
            "ok": self.ok,
            "profile": self.profile,
            "errors": [p.to_dict() for p in self.errors],
            "warnings": [p.to_dict() for p in self.warnings],
        }

    def __repr__(self) -> str:
        return f"<Report {self.profile} ok={self.ok} errors={len(self.errors)} warnings={len(self.warnings)}>"


# -- tables for the hot path, built from spec ----------------------------------------------------
_FORMAT = {"S": Format.SKIP, "ans": Format.ANS, "N": Format.NUMERIC}
_ACCOUNT_TEMPLATES = frozenset(spec.ACCOUNT_TEMPLATE_IDS)
_EXTRA_TEMPLATES = frozenset({"64", *spec.UNRESERVED_IDS})  # not valid TLV inside: a warning only


def _scan_tables() -> tuple[bytes, bytes, bytes, bytes]:
    """Per-id tables for ``Payload.scan``: lengths, and formats with flags (EMV, then QRIS)."""
    lo, hi, fmt = bytearray(TABLE_SIZE), bytearray([99] * TABLE_SIZE), bytearray(TABLE_SIZE)
    for tag, obj in spec.ROOT.items():
        t = int(tag)
        if tag in spec.PRIMITIVE_ACCOUNT_IDS:
            lo[t], fmt[t] = 1, Format.ACCOUNT
        elif tag in _ACCOUNT_TEMPLATES:
            fmt[t] = Format.ACCOUNT_TEMPLATE
        elif obj.template:
            fmt[t] = Format.TEMPLATE
        elif tag in spec.RFU_IDS:
            fmt[t] = Format.RESERVED
        elif obj.max_len < 99 or obj.format == "N":
            lo[t], hi[t] = obj.min_len, obj.max_len
            fmt[t] = _FORMAT[obj.format] or Format.LENGTH
    fmt[63] = Format.SKIP  # the CRC is checked by the parser
    for tag in spec.MANDATORY_IDS:
        if tag not in ("00", "63"):  # the parser guarantees these two
            fmt[int(tag)] |= IdFlag.REQUIRED
    for tag in ("55", "56", "57"):
        fmt[int(tag)] |= IdFlag.MARKED
    qris = bytearray(fmt)
    qris[61] |= IdFlag.REQUIRED  # QRIS makes the postal code mandatory
    return bytes(lo), bytes(hi), bytes(fmt), bytes(qris)


# plain ints on the hot path: IntFlag arithmetic costs microseconds
_F_LENGTH, _F_NOT_DIGITS, _F_NOT_PRINTABLE, _F_RESERVED = (
    int(Finding.LENGTH), int(Finding.NOT_DIGITS), int(Finding.NOT_PRINTABLE), int(Finding.RESERVED)
)
_S_ACCOUNT, _S_PRINTABLE, _S_MARKED, _S_CRC_LOWERCASE, _S_SUB_MARKED = (
    int(ScanFlag.ACCOUNT), int(ScanFlag.PRINTABLE), int(ScanFlag.MARKED), int(ScanFlag.CRC_LOWERCASE),
    int(ScanFlag.SUB_MARKED),
)
_SUB62 = {t: (o.min_len, o.max_len, o.template) for t, o in spec.ADDITIONAL.items()}
_SUB62_PATH = {t: f"62.{t}" for t in _SUB62}
_SUB62_RFU = frozenset(spec.ADDITIONAL_RFU_IDS)
_SUB64 = {t: (o.min_len, o.max_len, o.format == "ans") for t, o in spec.LANGUAGE.items()}
_ACCOUNT_MAX_ITEMS = tuple((t, o.max_len) for t, o in spec.ACCOUNT.items() if t != "01")
_GUID_MAX, _MID_MAX, _CRITERIA_LEN = (spec.ACCOUNT[t].max_len for t in ("00", "02", "03"))
_PAN_MIN, _PAN_MAX = spec.ACCOUNT["01"].min_len, spec.ACCOUNT["01"].max_len
_AMOUNT_MAX = spec.ROOT["54"].max_len
_TIP_VALUES = frozenset(spec.TIP_INDICATOR)
_CRITERIA = frozenset(spec.CRITERIA)
_LEGACY = spec.QRIS_GUID_LEGACY
_QRIS_GUID = spec.QRIS_GUID
_NATIONAL = spec.QRIS_NATIONAL_ID
_DOMESTIC = frozenset(spec.QRIS_DOMESTIC_IDS)
_ACQUIRER = frozenset(spec.QRIS_ACQUIRER_IDS)
_NNS = spec.ACQUIRERS
_NNS_LEN = spec.NNS_LENGTH
_NMID_LO, _NMID_HI = spec.NMID_DIGITS
_NMID_PREFIX = spec.NMID_PREFIX
_AME = spec.CONSUMER_DATA_LETTERS
_NOPROMPT = spec.NO_PROMPT_IDS
_PROMPT = spec.PROMPT_VALUE
_MAX_AMOUNT = spec.QRIS_MAX_AMOUNT
_MAX_PAYLOAD = spec.EMV_MAX_PAYLOAD
_NAMES = {t: o.name for t, o in spec.ROOT.items()}
_CONTROL = bytes(range(32)) + b"\x7f"
_CRITERIA_LIST = ", ".join(spec.CRITERIA)
_SCAN_LO, _SCAN_HI, _SCAN_FMT, _SCAN_FMT_QRIS = _scan_tables()

# -- rules for the templates' sub-objects (``_scan.ScanRules``), built from spec ------------------
# A template that passes its rules gives no problem under the checks below (``_check_account``,
# ``_check_62``, ``_check_64``, the GUID of 80-99): ``scan`` leaves it out and only the others reach
# Python. The rules may be stricter than the checks (a template they stop is checked as always),
# never looser.
_CONSUMER_DATA = "09"  # 62.09: a set of the letters A, M, E
_LANGUAGE_REQUIRED = (("00", "language preference"), ("01", "alternate merchant name"))
_SUB64_RFU = frozenset(spec.LANGUAGE_RFU_IDS)
_ANY = (int(Format.SKIP), 0, 1, 99, 0, 0, NO_ID)
SetIndex = Callable[[frozenset[str]], int]  # a value set -> its number in ScanRules.sets


def _rule(form: Format, lo: int = 1, hi: int = 99, flags: int = 0, values: int = 0, prefix: int = 0,
          with_id: str | None = None) -> tuple[int, ...]:
    return (int(form), flags, lo, hi, values, prefix, NO_ID if with_id is None else int(with_id))


def _account_block(tag: str, qris: bool, sets: SetIndex) -> list[tuple[int, ...]]:
    """The rules of one merchant account template: what ``_check_account`` lets through."""
    block = [_rule(Format.ANS)] * TABLE_SIZE  # every sub-object printable ASCII
    required = int(RuleFlag.REQUIRED)
    if not qris:
        block[0] = _rule(Format.ANS, flags=required)  # emv.guid
        return block
    guid, pan, mid, criteria = (spec.ACCOUNT[t] for t in ("00", "01", "02", "03"))
    national = tag == _NATIONAL
    block[0] = _rule(Format.ANS, 1, guid.max_len, required, sets(frozenset({_QRIS_GUID})) if national else 0)
    block[1] = _rule(
        Format.NUMERIC, pan.min_len, pan.max_len,
        (required if tag in _DOMESTIC else 0) | (int(RuleFlag.MARKED) if tag in _ACQUIRER else 0),
        sets(frozenset(_NNS)), _NNS_LEN, with_id="03",  # a PAN calls for a criteria
    )
    if national:
        lo, hi = len(_NMID_PREFIX) + _NMID_LO, min(len(_NMID_PREFIX) + _NMID_HI, mid.max_len)
        block[2] = _rule(Format.NUMERIC, lo, hi, required, sets(frozenset({_NMID_PREFIX})), len(_NMID_PREFIX))
    else:
        block[2] = _rule(Format.ANS, 1, mid.max_len)
    block[3] = _rule(Format.ANS, criteria.min_len, criteria.max_len, required if national else 0,
                     sets(frozenset(_CRITERIA)))
    return block


def _additional_block(sets: SetIndex) -> list[tuple[int, ...]]:
    """The rules of 62: what ``_check_62`` lets through (its templates 50-99 always reach it)."""
    block = [_rule(Format.RESERVED)] * TABLE_SIZE
    letters = frozenset("".join(p) for n in range(1, len(_AME) + 1) for p in permutations(sorted(_AME), n))
    for t, obj in spec.ADDITIONAL.items():
        if t in _SUB62_RFU or obj.template:
            continue
        if t == _CONSUMER_DATA:
            block[int(t)] = _rule(Format.ANS, obj.min_len, obj.max_len, values=sets(letters))
        elif t in _NOPROMPT:
            block[int(t)] = _rule(Format.ANS, obj.min_len, obj.max_len, int(RuleFlag.EXCLUDES),
                                  sets(frozenset({_PROMPT})))
        else:
            block[int(t)] = _rule(Format.ANS, obj.min_len, obj.max_len)
    return block


def _language_block() -> list[tuple[int, ...]]:
    """The rules of 64: what ``_check_64`` lets through."""
    block = [_rule(Format.RESERVED)] * TABLE_SIZE
    required = {t for t, _ in _LANGUAGE_REQUIRED}
    for t, obj in spec.LANGUAGE.items():
        if t not in _SUB64_RFU:
            block[int(t)] = _rule(Format.ANS if obj.format == "ans" else Format.LENGTH, obj.min_len, obj.max_len,
                                  int(RuleFlag.REQUIRED) if t in required else 0)
    return block


def _scan_rules(qris: bool) -> ScanRules:
    """The ``ScanRules`` of a profile: one block per kind of template, the value sets they use."""
    sets: dict[frozenset[str], int] = {}

    def index(values: frozenset[str]) -> int:
        return sets.setdefault(values, len(sets) + 1)

    by_tag = {tag: _account_block(tag, qris, index) for tag in spec.ACCOUNT_TEMPLATE_IDS}
    by_tag["62"] = _additional_block(index)
    by_tag["64"] = _language_block()
    unreserved: list[tuple[int, ...]] = [_ANY] * TABLE_SIZE
    unreserved[0] = (int(Format.SKIP), int(RuleFlag.REQUIRED), 1, 99, 0, 0, NO_ID)  # emv.guid
    by_tag.update(dict.fromkeys(spec.UNRESERVED_IDS, unreserved))
    blocks: dict[bytes, int] = {}
    classes = bytearray(TABLE_SIZE)
    for tag, block in by_tag.items():
        data = bytes(b for rule in block for b in rule)
        classes[int(tag)] = blocks.setdefault(data, len(blocks) + 1)
    return ScanRules(bytes(classes), b"".join(blocks), tuple(sets))


_RULES_QRIS, _RULES_EMV = _scan_rules(True), _scan_rules(False)


def _kernel_of(code: Payload) -> ModuleType:
    """The twin a code was parsed by (``QRIS`` names it; a bare ``Payload`` is the active one's)."""
    kernel: ModuleType = getattr(code, "_kernel", None) or _codec.kernel
    return kernel


def _classify(exc: QRISError) -> str:
    """The problem code of a parser error (set by the factories in ``errors.py``)."""
    code = exc.code
    return code if code is not None and code in CODES else "tlv.malformed"


def _amount_state(text: str) -> int:
    """0 ok, 1 not a plain decimal, 2 zero."""
    head, _, tail = text.partition(".")
    if not head or not text.isascii() or not head.isdigit() or (tail and not tail.isdigit()):
        return 1
    if head.strip("0") or tail.strip("0"):
        return 0
    return 2


def _all_printable(text: str) -> bool:
    """Whether ``text`` is printable ASCII (0x20-0x7E) throughout; faster than str.isprintable."""
    if not text.isascii():
        return False
    data = text.encode("ascii")
    return len(data.translate(None, _CONTROL)) == len(data)


class _Run:
    """Collects problems for one validation; root offsets are looked up only when needed."""

    __slots__ = ("code", "out", "shift")

    def __init__(self) -> None:
        self.out: list[Problem] = []
        self.shift = 0
        self.code: Payload | None = None

    def sub_offset(self, where: ScanTemplate, sub: str) -> int | None:
        """Offset of sub-object ``sub`` in the template ``where`` (a ``scan`` entry: id, value,
        offset, items): found only when a problem needs it, by walking the template again."""
        tag, value, off, _ = where
        assert self.code is not None
        for t, _, o in _kernel_of(self.code).tlv_items(value, off + 4, tag):
            if t == sub:
                return int(o)
        return None  # pragma: no cover - sub always comes from this template

    def root_offset(self, tag: str) -> int | None:
        return None if self.code is None else self.code.offset(tag)

    def add(self, code: str, path: str | None, message: str, offset: int | None = -1) -> None:
        """Record a problem; ``offset`` -1 means "the root object of ``path``"."""
        if offset == -1:
            offset = self.root_offset(path[:2]) if path else None
        if offset is not None:
            offset += self.shift
        self.out.append(Problem(code, CODES[code][0], path, offset, message))

    def add_exc(self, exc: QRISError, code: str | None = None) -> None:
        code = code or _classify(exc)
        offset = exc.offset + self.shift if exc.offset is not None else None
        self.out.append(Problem(code, CODES[code][0], exc.path, offset, without_override_hint(exc)))


Parser = Callable[[str, bool], Any]


def check(payload: object, profile: str, parse: Parser) -> Report:
    """Validate ``payload`` under ``profile`` ("qris" or "emv"); never raises on bad input.

    ``payload`` is a str, UTF-8 bytes or a parsed code; a str is parsed with ``parse`` (a
    ``QRIS`` class), which becomes ``Report.parsed``.
    """
    if profile != "qris" and profile != "emv":
        raise ValueError(f"unknown profile {profile!r}: use 'qris' or 'emv'")
    run = _Run()
    try:
        code = _check(payload, profile == "qris", run, parse)
    except Exception as exc:  # the safety net: a bug must not take the caller down
        if isinstance(exc, QRISError) and exc.code == "input.uninitialised":
            run.add_exc(exc)  # a code object made without parse: the caller's mistake, named
        else:
            run.out.append(Problem("internal", ERROR, None, None, f"{type(exc).__name__}: {exc}"))
        code = None
    return Report(tuple(run.out) if run.out else (), profile, code)


def _load(payload: object, run: _Run, parse: Parser) -> Any:
    """The parsed root of ``payload`` (CRC mismatches tolerated), or None after reporting why."""
    if type(payload) is not str:
        if isinstance(payload, parse):  # type: ignore[arg-type]  # parse is a class
            return payload
        if isinstance(payload, (bytes, bytearray, memoryview)):
            try:
                payload = bytes(payload).decode("utf-8")
            except UnicodeDecodeError as exc:
                run.add("input.encoding", None, f"payload bytes are not valid UTF-8 (byte {exc.start})", exc.start)
                return None
        elif isinstance(payload, str):
            payload = str.__str__(payload)  # a str subclass: read as the exact str it holds
        elif isinstance(getattr(payload, "payload", None), str) and hasattr(payload, "scan"):
            payload = payload.payload  # type: ignore[attr-defined]  # a code parsed by the other twin
        if not isinstance(payload, str):
            run.add("input.type", None, f"payload must be str or bytes, not {type(payload).__name__}", None)
            return None
    text = payload
    stripped = text.strip().lstrip("\ufeff").strip()
    if len(stripped) != len(text) and stripped:
        lead = len(text) - len(text.lstrip().lstrip("\ufeff").lstrip())
        trail = len(text) - len(text.rstrip())
        run.add("input.whitespace", None, f"{lead} whitespace character(s) before the code and {trail} after", 0)
        run.shift = lead
        text = stripped
    try:
        code = parse(text, True)
    except CRCError as exc:
        kind = _classify(exc)
        run.add_exc(exc, kind)
        if kind == "crc.missing":
            _hint_encoding(text, run)
            return None
        try:
            code = parse(text, False)
        except QRISError as exc2:
            run.add_exc(exc2)
            _hint_encoding(text, run)
            return None
    except QRISError as exc:
        run.add_exc(exc)
        _hint_encoding(text, run)
        return None
    return code


def _hint_encoding(text: str, run: _Run) -> None:
    upper = text.upper()
    if "%20" in upper or "%2B" in upper or "%2F" in upper or ("+" in text and " " not in text):
        run.add("input.url_encoded", None, "the code looks URL-encoded; qriskit.repair() can decode it", None)


def _check(payload: object, qris: bool, run: _Run, parse: Parser) -> Any:
    code = None
    if type(payload) is str:
        try:  # the common case: a clean code; anything else takes the careful path
            code = parse(payload, True)
        except QRISError:
            pass
    if code is None:
        code = _load(payload, run, parse)
        if code is None:
            return None
    add = run.add
    text = code.payload
    run.code = code
    get = code.get
    findings, out_of_order, templates, flags = code.scan(
        _SCAN_LO, _SCAN_HI, _SCAN_FMT_QRIS if qris else _SCAN_FMT, _RULES_QRIS if qris else _RULES_EMV
    )
    if flags & _S_CRC_LOWERCASE and code.crc_ok:
        crc = text[-4:]
        add("crc.case", "63", f"CRC {crc!r} is lowercase; EMV writes {crc.upper()!r}", len(text) - 8)
    accounts = flags & _S_ACCOUNT
    printable = flags & _S_PRINTABLE
    for tag, kind in findings:
        if kind == _F_LENGTH:
            obj = spec.ROOT[tag]
            n = len(get(tag))
            if qris and tag == "54":
                add("qris.amount_length", tag, f"the amount (54) has {n} characters; at most {_AMOUNT_MAX} allowed")
            else:
                add("emv.length", tag, f"{obj.name} ({tag}) has {n} characters; EMV allows "
                                       f"{_span(obj.min_len, obj.max_len)}")
        elif kind == _F_NOT_DIGITS:
            add("emv.format", tag, f"{_NAMES[tag]} ({tag}) must be digits, got {get(tag)!r}")
        elif kind == _F_NOT_PRINTABLE:
            what = f"merchant account {tag}" if tag in spec.PRIMITIVE_ACCOUNT_IDS else f"{_NAMES[tag]} ({tag})"
            add("emv.format", tag, f"{what} must be printable ASCII, got {get(tag)!r}")
        elif kind == _F_RESERVED:
            add("emv.rfu", tag, f"tag {tag} is reserved for future use by EMVCo")
        elif tag == "61":  # required by the QRIS table only
            add("qris.postal_code", "61", "QRIS requires a postal code (61)", None)
        else:
            add("emv.mandatory", tag, f"mandatory {_NAMES[tag]} ({tag}) is missing", None)
    # -- merchant accounts -------------------------------------------------------------------
    if not accounts:
        add("emv.account", None, "no merchant account information: a code needs one of ids 02-51", None)
    if len(text) > _MAX_PAYLOAD:
        add("emv.size", None, f"the code has {len(text)} characters; EMV allows {_MAX_PAYLOAD}", None)
    # -- 00, 01 ------------------------------------------------------------------------------
    version = get("00")
    if version != spec.PAYLOAD_FORMAT:
        add("qris.version" if qris else "emv.version", "00",
            f"payload format indicator is {version!r}, not {spec.PAYLOAD_FORMAT!r}")
    poi = get("01")
    if poi is not None and poi not in spec.POINT_OF_INITIATION:
        add("qris.initiation" if qris else "emv.initiation", "01",
            f"point of initiation {poi!r} is neither '11' (static) nor '12' (dynamic)")
    # -- amount, tip, fees -------------------------------------------------------------------
    amount = get("54")
    currency = get("53")
    if amount is not None:
        state = _amount_state(amount)
        if state == 1:
            add("emv.amount", "54", f"amount {amount!r} is not digits with an optional '.'")
        elif state == 2:
            add("emv.amount_zero", "54", f"amount {amount!r} is zero; leave 54 out for a static code")
        else:
            _check_decimals(amount, "54", "amount", currency, qris, run)
            if qris and Decimal(amount) > _MAX_AMOUNT:
                add("qris.amount_limit", "54",
                    f"amount {amount} is above Rp {_MAX_AMOUNT:,}, the QRIS limit per payment")
    elif qris and poi == spec.DYNAMIC:
        add("qris.dynamic_amount", "01", "a dynamic code (01=12) without an amount (54)")
    if flags & _S_MARKED:  # any of 55-57
        _check_tip(get("55"), get("56"), get("57"), currency, qris, run)
    # -- QRIS root rules ---------------------------------------------------------------------
    if qris:
        country = get("58")
        if country is not None and country != spec.QRIS_COUNTRY:
            add("qris.country", "58", f"country {country!r} is not {spec.QRIS_COUNTRY!r}: not an Indonesian QRIS")
        if currency is not None and currency != spec.QRIS_CURRENCY:
            add("qris.currency", "53", f"currency {currency!r} is not {spec.QRIS_CURRENCY!r} (rupiah)")
        if out_of_order is not None:
            add("qris.order", out_of_order, f"tag {out_of_order} comes after a higher id; QRIS writes ids in order")
    # -- templates: only those that did not pass their rules in the scan --------------------
    acquirer = flags & _S_SUB_MARKED  # an acquirer template (26-50) with a PAN (01), from the rules
    tlv_map = _kernel_of(code).tlv_map
    for at in templates:
        tag, _, off, sub = at
        if type(sub) is not dict:
            assert isinstance(sub, QRISError)
            add(
                "tlv.extra_template" if tag in _EXTRA_TEMPLATES else "tlv.template",
                sub.path or tag,
                f"template {tag} is not valid TLV inside: {sub.message}",
                sub.offset,
            )
            continue
        if tag in _ACCOUNT_TEMPLATES:
            if _check_account(tag, sub, at, bool(printable), qris, run) and tag in _ACQUIRER:
                acquirer = True
        elif tag == "62":
            _check_62(sub, at, bool(printable), run, tlv_map)
        elif tag == "64":
            _check_64(sub, at, run)
        elif "00" not in sub:  # unreserved 80-99
            add("emv.guid", tag, f"unreserved template {tag} has no GUID (00)", off)
    if qris:
        if _NATIONAL not in code:  # a 51 of any kind is reported by _check_account
            add("qris.national", _NATIONAL, f"no national template {_NATIONAL} ({_QRIS_GUID}) carrying the NMID", None)
        if not acquirer and accounts:
            add("qris.acquirer", None, "no acquirer template (26-50) with a merchant PAN (01)", None)
    return code


def _span(lo: int, hi: int) -> str:
    return f"exactly {lo}" if lo == hi else f"{lo} to {hi}"


def _check_decimals(value: str, path: str, what: str, currency: str | None, qris: bool, run: _Run) -> None:
    """54/56: no more decimals than the currency's minor units (ISO 4217)."""
    allowed = spec.minor_units(currency)
    found = decimals(value)
    if allowed is not None and found > allowed:
        name = spec.CURRENCIES[currency].code  # type: ignore[index]  # known: minor_units found it
        run.add(
            "qris.amount_decimals" if qris else "emv.amount_decimals",
            path,
            f"{what} {value!r} has {found} decimals; {name} ({currency}) allows {allowed}",
        )


def _check_account(tag: str, sub: dict[str, str], at: ScanTemplate, printable: bool, qris: bool, run: _Run) -> bool:
    """The problems of one merchant account template; returns whether it has a PAN (01)."""
    get = sub.get
    guid, pan, nmid, criteria = get("00"), get("01"), get("02"), get("03")
    if not printable:
        for t, v in sub.items():
            if not _all_printable(v):
                run.add(
                    "emv.format", f"{tag}.{t}", f"{tag}.{t} must be printable ASCII, got {v!r}", run.sub_offset(at, t)
                )
    if qris and (
        (guid is not None and len(guid) > _GUID_MAX)
        or (nmid is not None and len(nmid) > _MID_MAX)
        or (criteria is not None and len(criteria) > _CRITERIA_LEN)
    ):
        for t, most in _ACCOUNT_MAX_ITEMS:
            item = get(t)
            if item is not None and len(item) > most and (printable or _all_printable(item)):
                run.add(
                    "emv.length",
                    f"{tag}.{t}",
                    f"{tag}.{t} has {len(item)} characters; QRIS allows up to {most}",
                    run.sub_offset(at, t),
                )
    add = run.add
    if guid is None:
        add("emv.guid", tag, f"merchant account template {tag} has no GUID (00)")
    if not qris:
        return pan is not None
    if tag == _NATIONAL:
        if guid is not None and guid != _QRIS_GUID:
            if guid in _LEGACY:
                add("qris.guid_legacy", f"{tag}.00", f"older national GUID {guid!r}; current QRIS is {_QRIS_GUID!r}")
            else:
                add("qris.guid", f"{tag}.00", f"GUID {guid!r} is not the QRIS national GUID {_QRIS_GUID!r}")
        if nmid is None:
            add("qris.nmid", f"{tag}.02", f"the national template {_NATIONAL} has no NMID (02)")
        elif not (
            nmid.startswith(_NMID_PREFIX)
            and nmid.isascii()
            and nmid[len(_NMID_PREFIX):].isdigit()
            and _NMID_LO <= len(nmid) - len(_NMID_PREFIX) <= _NMID_HI
        ):
            add(
                "qris.nmid",
                f"{tag}.02",
                f"NMID {nmid!r} is not {_NMID_PREFIX!r} followed by {_NMID_LO} to {_NMID_HI} digits",
                run.sub_offset(at, "02"),
            )
    if criteria is None:
        if tag == _NATIONAL or pan is not None:
            add("qris.criteria", f"{tag}.03", f"merchant account {tag} has no merchant criteria (03)")
    elif criteria not in _CRITERIA:
        add(
            "qris.criteria",
            f"{tag}.03",
            f"merchant criteria {criteria!r} is not one of {_CRITERIA_LIST}",
            run.sub_offset(at, "03"),
        )
    if pan is not None:
        if not (pan.isdigit() and pan.isascii() and _PAN_MIN <= len(pan) <= _PAN_MAX):
            add("qris.pan", f"{tag}.01", f"merchant PAN {pan!r} is not {_PAN_MIN} to {_PAN_MAX} digits",
                run.sub_offset(at, "01"))
        elif pan[:_NNS_LEN] not in _NNS:
            if pan.startswith(spec.NNS_DOMESTIC_PREFIX):
                message = f"NNS {pan[:_NNS_LEN]} at the start of the PAN is not in the QRIS directory"
            else:
                message = (f"merchant PAN {pan[:_NNS_LEN]}… does not start with an Indonesian NNS "
                           f"({spec.NNS_DOMESTIC_PREFIX}…)")
            add("qris.nns", f"{tag}.01", message, run.sub_offset(at, "01"))
    elif tag in _DOMESTIC:
        add("qris.pan", f"{tag}.01", f"acquirer template {tag} has no merchant PAN (01)")
    return pan is not None


def _check_62(sub: dict[str, str], at: ScanTemplate, printable: bool, run: _Run, tlv_map: Any) -> None:
    add = run.add
    for t, v in sub.items():
        r = _SUB62.get(t)
        if r is None:  # 00
            add("emv.rfu", f"62.{t}", f"62.{t} is not an allocated sub-id of tag 62", run.sub_offset(at, t))
            continue
        path = _SUB62_PATH[t]
        lo, hi, template = r
        if template:
            offset = run.sub_offset(at, t)
            assert offset is not None
            try:
                inner = tlv_map(v, offset + 4, path)
            except QRISError as exc:
                add(
                    "tlv.extra_template",
                    path,
                    f"payment system template {path} is not valid TLV: {exc.message}",
                    exc.offset,
                )
                continue
            if "00" not in inner:
                add("emv.guid", path, f"payment system template {path} has no GUID (00)", offset)
            continue
        if t in _SUB62_RFU:
            add("emv.rfu", path, f"62.{t} is reserved for future use by EMVCo", run.sub_offset(at, t))
        if not printable and not _all_printable(v):
            add("emv.format", path, f"{path} must be printable ASCII, got {v!r}", run.sub_offset(at, t))
        if v == _PROMPT:
            if t in _NOPROMPT:
                add("emv.prompt", path, f"'***' in {path}: only 62.01-08 can ask the payer", run.sub_offset(at, t))
        elif t == _CONSUMER_DATA:
            if not _AME.issuperset(v) or len(set(v)) != len(v):
                add(
                    "emv.consumer_data", path, f"62.09 {v!r} is not a set of the letters A, M, E", run.sub_offset(at, t)
                )
        elif len(v) > hi or len(v) < lo:
            add(
                "emv.length", path, f"{path} has {len(v)} characters; EMV allows {_span(lo, hi)}", run.sub_offset(at, t)
            )


def _check_64(sub: dict[str, str], at: ScanTemplate, run: _Run) -> None:
    for t, v in sub.items():
        lo, hi, ans = _SUB64[t]
        if t in _SUB64_RFU:
            run.add("emv.rfu", f"64.{t}", f"64.{t} is reserved for future use by EMVCo", run.sub_offset(at, t))
        elif len(v) > hi or len(v) < lo:
            run.add(
                "emv.length",
                f"64.{t}",
                f"64.{t} has {len(v)} characters; EMV allows {_span(lo, hi)}",
                run.sub_offset(at, t),
            )
        if ans and not _all_printable(v):
            run.add("emv.format", f"64.{t}", f"64.{t} must be printable ASCII, got {v!r}", run.sub_offset(at, t))
    for t, what in _LANGUAGE_REQUIRED:
        if t not in sub:
            run.add("emv.language", f"64.{t}", f"template 64 has no {what} ({t})")


def _check_tip(
    tip: str | None, fixed: str | None, percent: str | None, currency: str | None, qris: bool, run: _Run
) -> None:
    add = run.add
    unused = "qris.fee_unused" if qris else "emv.fee_unused"
    if tip is not None and tip not in _TIP_VALUES:
        add("emv.tip", "55", f"tip indicator {tip!r} is not 01 (prompt), 02 (fixed fee) or 03 (percentage)")
    if tip == spec.FEE_FIXED and fixed is None:
        add("emv.tip", "55", "55=02 (fixed fee) but no fee value (56)")
    if tip == spec.FEE_PERCENT and percent is None:
        add("emv.tip", "55", "55=03 (percentage fee) but no percentage (57)")
    if fixed is not None:
        state = _amount_state(fixed)
        if state == 1:
            add("emv.amount", "56", f"fixed fee {fixed!r} is not digits with an optional '.'")
        elif state == 2:
            add("emv.amount_zero", "56", f"fixed fee {fixed!r} is zero")
        else:
            _check_decimals(fixed, "56", "fixed fee", currency, qris, run)
        if tip != spec.FEE_FIXED:
            add(unused, "56", f"56 (fixed fee) is present but 55 is {tip!r}, not '02'; it shall be absent")
    if percent is not None:
        if _amount_state(percent) != 0 or not spec.FEE_PERCENT_MIN <= Decimal(percent) <= spec.FEE_PERCENT_MAX:
            add("emv.fee_percent", "57", f"percentage fee {percent!r} is not a number from 00.01 to 99.99")
        if tip != spec.FEE_PERCENT:
            add(unused, "57", f"57 (percentage fee) is present but 55 is {tip!r}, not '03'; it shall be absent")
    if qris and (tip in (spec.FEE_FIXED, spec.FEE_PERCENT) or fixed is not None or percent is not None):
        add(
            "qris.surcharge",
            "55" if tip is not None else ("56" if fixed is not None else "57"),
            "the code adds a convenience fee; Bank Indonesia forbids surcharging the payer for QRIS",
        )
