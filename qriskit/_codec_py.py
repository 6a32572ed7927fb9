"""The pure-Python codec twin, and the typed contract of both twins.

The native twin (``_codec_c.pyx``) has the same functions, results and errors: the tests
run every core case on both, and Hypothesis checks that they agree. Type checkers read this
module (see ``_codec``), so its signatures and docstrings are the contract. This twin
favours plain code over speed; the native one is the fast path. Offsets in errors count
characters, as EMV lengths do.
"""

from __future__ import annotations

from binascii import crc_hqx
from collections.abc import Iterable
from typing import Any

from . import errors
from ._scan import FORMAT_MASK, TABLE_SIZE, Finding, Format, IdFlag, RuleFlag, ScanFlag, ScanRules, SubRule
from .values import Amount, Tip, amount_text, exact_str, reference_text, splice_reference, tip_tlv

__all__ = ["Payload", "crc16", "tlv_items", "tlv_map", "to_dynamic", "to_dynamic_many", "to_static"]

#: ``(id, value, offset, sub)``: a root template as ``scan`` returns it.
ScanTemplate = tuple[str, str, int, "dict[str, str] | errors.QRISError"]
#: ``(findings, out_of_order, templates, flags)``, see ``Payload.scan``.
ScanResult = tuple[tuple[tuple[str, int], ...], "str | None", tuple[ScanTemplate, ...], int]

# the scan protocol's numbers as plain ints (IntEnum/IntFlag arithmetic is slow)
_SKIP, _ANS, _NUMERIC, _RESERVED, _TEMPLATE, _ACCOUNT, _ACCOUNT_TEMPLATE = (
    int(f) for f in (Format.SKIP, Format.ANS, Format.NUMERIC, Format.RESERVED, Format.TEMPLATE, Format.ACCOUNT,
                     Format.ACCOUNT_TEMPLATE)
)
_ID_REQUIRED, _ID_MARKED = int(IdFlag.REQUIRED), int(IdFlag.MARKED)
_F_LENGTH, _F_NOT_DIGITS, _F_NOT_PRINTABLE, _F_RESERVED, _F_MISSING = (
    int(f) for f in (Finding.LENGTH, Finding.NOT_DIGITS, Finding.NOT_PRINTABLE, Finding.RESERVED, Finding.MISSING)
)
_S_ACCOUNT, _PRINTABLE, _MARKED, _CRC_LOWERCASE, _SUB_MARKED = (
    int(f) for f in (ScanFlag.ACCOUNT, ScanFlag.PRINTABLE, ScanFlag.MARKED, ScanFlag.CRC_LOWERCASE,
                     ScanFlag.SUB_MARKED)
)
_R_EXCLUDES, _R_MARKED = int(RuleFlag.EXCLUDES), int(RuleFlag.MARKED)
_DIGITS = "0123456789"
_HEX = frozenset("0123456789abcdefABCDEF")
_IDS = frozenset(f"{i:02d}" for i in range(100))
_LENGTHS = {f"{i:02d}": i for i in range(1, 100)}  # a length field's value; "00" is no length


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise errors.unencodable(exc.start) from None


def crc16(data: str | bytes) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of ``data``; a str is hashed as UTF-8.

    ``f"{crc16(x):04X}"`` is the form tag 63 carries.
    """
    if isinstance(data, str):
        return crc_hqx(_utf8(exact_str(data)), 0xFFFF)
    if isinstance(data, (bytes, bytearray, memoryview)):
        return crc_hqx(data, 0xFFFF)
    raise TypeError(f"crc16 needs str or bytes, not {type(data).__name__}")


def _split(text: str, start: int, end: int) -> list[tuple[str, int, int]] | None:
    """``_walk`` of a template (no root rules) without its errors: None where it would raise.

    The fast path: callers walk again with ``_walk`` for the error, so both accept exactly
    the same text.
    """
    out = []
    seen = set()
    pos = start
    while pos < end:
        tag = text[pos : pos + 2]
        length = _LENGTHS.get(text[pos + 2 : pos + 4])
        if length is None or tag not in _IDS or tag in seen:
            return None
        a = pos + 4
        pos = a + length
        if pos > end:  # also catches a header that runs past ``end``
            return None
        seen.add(tag)
        out.append((tag, a, pos))
    return out


def _walk(
    text: str, start: int, end: int, prefix: str, root: bool, base: int = 0
) -> list[tuple[str, int, int]]:
    """Split ``text[start:end]`` into (id, value_start, value_end) triples, or raise TLVError.

    Error offsets are ``base`` + the position in ``text``.
    """
    out: list[tuple[str, int, int]] = []
    seen: dict[str, int] = {}
    pos = start
    while pos < end:
        if end - pos < 4:
            raise errors.header_cut(prefix.rstrip("."), base + pos, end - pos)
        tag = text[pos : pos + 2]
        if tag[0] not in _DIGITS or tag[1] not in _DIGITS:
            raise errors.bad_id(tag, prefix.rstrip("."), base + pos)
        if root and not out and tag != "00":
            raise errors.first_not_00(tag)
        path = prefix + tag
        if root and tag == "63":
            raise errors.repeated_tag(path, base + pos, base + pos)
        size = text[pos + 2 : pos + 4]
        if size[0] not in _DIGITS or size[1] not in _DIGITS or size == "00":
            raise errors.bad_length(size, path, base + pos + 2)
        length = int(size)
        if pos + 4 + length > end:
            raise errors.value_overrun(length, end - pos - 4, path, base + pos + 2)
        if tag in seen:
            raise errors.repeated_tag(path, base + pos, base + seen[tag])
        seen[tag] = pos
        out.append((tag, pos + 4, pos + 4 + length))
        pos += 4 + length
    return out


def _template_args(text: object, path: object) -> tuple[str, str]:
    if not isinstance(text, str) or not isinstance(path, str):
        bad = text if not isinstance(text, str) else path
        raise TypeError(f"a template's text and path must be str, not {type(bad).__name__}")
    return exact_str(text), exact_str(path)


def tlv_items(text: str, offset: int = 0, path: str = "") -> tuple[tuple[str, str, int], ...]:
    """Split a template's value into (id, value, offset) triples; ids must not repeat.

    ``offset`` is where ``text`` starts in the payload and ``path`` the template's id, so
    that errors point into the whole code. Raises ``TLVError`` on any malformed object.
    """
    text, path = _template_args(text, path)
    els = _split(text, 0, len(text))
    if els is None:
        els = _walk(text, 0, len(text), f"{path}." if path else "", False, offset)
    return tuple((tag, text[a:b], offset + a - 4) for tag, a, b in els)


def tlv_map(text: str, offset: int = 0, path: str = "") -> dict[str, str]:
    """A template's value as a dict {id: value}, in order; the errors of ``tlv_items``."""
    text, path = _template_args(text, path)
    els = _split(text, 0, len(text))
    if els is None:
        els = _walk(text, 0, len(text), f"{path}." if path else "", False, offset)
    return {tag: text[a:b] for tag, a, b in els}


def _as_text(payload: object) -> str:
    """The payload as an exact str: UTF-8 bytes decoded, a str subclass copied."""
    if isinstance(payload, str):
        return exact_str(payload)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            return bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.bad_utf8(exc.start) from None
    raise TypeError(f"payload must be str, not {type(payload).__name__}")


def _key(tag: object) -> str:
    """A tag as a dict key: a str subclass is read as its exact str (its __hash__ unused); a
    non-str becomes "", which is never a key."""
    return exact_str(tag) if isinstance(tag, str) else ""


def _is_space(ch: str) -> bool:
    return ch.isspace() or ch == "\ufeff"


class Payload:
    """A payload split at the root: the base of ``qriskit.QRIS`` on the pure twin.

    A ``Payload`` whose ``__init__`` failed (or was never called) is unusable: every method
    raises ``QRISError``; calling ``__init__`` again with a good code makes it usable.
    """

    __slots__ = ("_cache", "_computed", "_crc_ok", "_els", "_index", "_payload")
    _cache: Any  # the model's decoded fields, None until then

    def __init__(self, payload: str, verify_crc: bool = True) -> None:
        payload = _as_text(payload)
        try:
            _PAYLOAD_SLOT.__get__(self, Payload)  # the slot itself: no __getattr__ fallback
        except AttributeError:
            pass
        else:
            raise TypeError("a Payload is immutable: it is already initialised")
        data = _utf8(payload)
        n = len(payload)
        if n == 0:
            raise errors.empty_payload()
        if _is_space(payload[0]) or _is_space(payload[-1]):
            raise errors.surrounding_whitespace(payload)
        if n < 8 or payload[n - 8 : n - 4] != "6304":
            raise errors.crc_missing(max(n - 8, 0))
        found = payload[n - 4 :]
        if verify_crc and not _HEX.issuperset(found):
            raise errors.crc_not_hex(found, n - 4)
        els = _split(payload, 0, n - 8)
        if els is None or (els and els[0][0] != "00") or any(tag == "63" for tag, _, _ in els):
            els = _walk(payload, 0, n - 8, "", True)  # raises the error
        if not els:
            raise errors.first_not_00("63")
        els.append(("63", n - 4, n))
        # the CRC covers everything before the 4 CRC characters (bytes: 4 unless they are not ASCII)
        computed = crc_hqx(data[: len(data) - (4 if found.isascii() else len(_utf8(found)))], 0xFFFF)
        crc_ok = _HEX.issuperset(found) and int(found, 16) == computed
        if verify_crc and not crc_ok:
            raise errors.crc_mismatch(found, computed, n - 4)
        self._cache = None  # for the model's decoded fields
        self._payload = payload
        self._els = els
        self._index = {tag: (a, b) for tag, a, b in els}
        self._crc_ok = crc_ok
        self._computed = computed

    def __getattr__(self, name: str) -> Any:
        # only reached when a slot was never set: __init__ failed or was not called
        if name in Payload.__slots__:
            raise errors.uninitialised()
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    # -- reading -----------------------------------------------------------------------
    @property
    def payload(self) -> str:
        """The code exactly as given."""
        return self._payload

    @property
    def crc(self) -> str:
        """The CRC as written in the code (4 characters)."""
        return self._payload[-4:]

    @property
    def crc_ok(self) -> bool:
        """Whether the written CRC matches the data (case-insensitively)."""
        return self._crc_ok

    @property
    def computed_crc(self) -> str:
        """The CRC the data calls for, as 4 uppercase hex digits."""
        return f"{self._computed:04X}"

    def items(self) -> tuple[tuple[str, str], ...]:
        """The root data objects as (id, value) pairs, in order, 63 last."""
        p = self._payload
        return tuple((tag, p[a:b]) for tag, a, b in self._els)

    def spans(self) -> tuple[tuple[str, int, int], ...]:
        """(id, start, end) of each root data object, in characters, header included."""
        return tuple((tag, a - 4, b) for tag, a, b in self._els)

    def get(self, tag: str, default: str | None = None) -> str | None:
        """The value of root data object ``tag``, or ``default``."""
        span = self._index.get(tag if type(tag) is str else _key(tag))
        if span is None:
            return default
        return self._payload[span[0] : span[1]]

    def scan(self, lo: bytes, hi: bytes, fmt: bytes, rules: ScanRules | None = None) -> ScanResult:
        """One pass over the root objects (63 aside) for ``validation``, driven by per-id tables.

        ``lo``/``hi`` are the allowed lengths of each id and ``fmt`` a ``_scan.Format`` with
        ``_scan.IdFlag`` bits (``TABLE_SIZE`` bytes each). Returns ``(findings, out_of_order,
        templates, flags)``: ``(id, Finding)`` pairs; the first id that follows a higher one,
        or None; ``(id, value, offset, sub)`` for the TEMPLATE and ACCOUNT_TEMPLATE ids, ``sub``
        being ``tlv_map`` of the value or the ``QRISError`` it raised; and ``ScanFlag`` bits.
        With ``rules`` (``_scan.ScanRules``), a template whose class has rules and passes them
        is left out of ``templates``; a valid template holding a sub-object whose rule is
        MARKED sets ``ScanFlag.SUB_MARKED``, passing or not.
        """
        if len(lo) != TABLE_SIZE or len(hi) != TABLE_SIZE or len(fmt) != TABLE_SIZE:
            raise ValueError(f"scan tables must be {TABLE_SIZE} bytes each")
        if rules is not None and type(rules) is not ScanRules:
            raise TypeError(f"scan rules must be ScanRules, not {type(rules).__name__}")
        p = self._payload
        found: list[tuple[str, int]] = []
        templates: list[ScanTemplate] = []
        printable = p.isascii() and p.isprintable()  # for ASCII: exactly 0x20-0x7E
        flags = _PRINTABLE if printable else 0
        classes = rules.classes if rules is not None else None
        order = None
        prev = ""
        for tag, a, b in self._els[:-1]:
            if order is None and tag < prev:
                order = tag
            prev = tag
            t = _NUMBER[tag]
            f = fmt[t]
            if f & _ID_MARKED:
                flags |= _MARKED
            f &= FORMAT_MASK
            if f == _SKIP:
                continue
            if f == _RESERVED:
                found.append((tag, _F_RESERVED))
                continue
            if f >= _TEMPLATE:
                if f >= _ACCOUNT:
                    flags |= _S_ACCOUNT
                if f != _ACCOUNT:
                    block = classes[t] if classes is not None else 0
                    if block:
                        split = _split(p, a, b)
                        if split is not None:
                            assert rules is not None
                            passed, marked = _passes(p, split, *rules.decoded[block - 1], printable)
                            if marked:
                                flags |= _SUB_MARKED
                            if passed:
                                continue
                    value = p[a:b]
                    try:
                        sub: dict[str, str] | errors.QRISError = tlv_map(value, a, tag)
                    except errors.QRISError as exc:
                        sub = exc
                    templates.append((tag, value, a - 4, sub))
                    continue
                f = _ANS
            if not lo[t] <= b - a <= hi[t]:
                found.append((tag, _F_LENGTH))
            if f == _NUMERIC:
                value = p[a:b]
                if not (value.isascii() and value.isdigit()):
                    found.append((tag, _F_NOT_DIGITS))
            elif f == _ANS and not printable:
                value = p[a:b]
                if not (value.isascii() and value.isprintable()):
                    found.append((tag, _F_NOT_PRINTABLE))
        index = self._index
        for tag in _required(fmt):
            if tag not in index:
                found.append((tag, _F_MISSING))
        crc = p[-4:]
        if crc != crc.upper() if crc.isascii() else any("a" <= ch <= "z" for ch in crc):
            flags |= _CRC_LOWERCASE
        return tuple(found), order, tuple(templates), flags

    def offset(self, tag: str) -> int | None:
        """Where root data object ``tag`` starts (its header), in characters, or None."""
        span = self._index.get(_key(tag))
        return None if span is None else span[0] - 4

    def __contains__(self, tag: object) -> bool:
        """Whether root data object ``tag`` is present."""
        return _key(tag) in self._index

    # -- converting --------------------------------------------------------------------
    def to_dynamic(self, amount: Amount, tip: Tip | None = None, reference: str | None = None) -> str:
        """This code as a dynamic code for ``amount`` (see ``qriskit.to_dynamic``)."""
        currency = self.get("53")
        return self._convert(
            _amount_element(amount, currency), _tip_element(tip, currency), _reference(reference)
        )

    def to_static(self) -> str:
        """This code as a static code: 01 set to 11, the amount (54) removed."""
        return self._convert(None, None, None)

    def to_dynamic_many(
        self, amounts: Iterable[Amount], tip: Tip | None = None, references: Iterable[str | None] | None = None
    ) -> list[str]:
        """One dynamic code per amount, in order; with ``references``, one reference (or None) each."""
        if references is not None:
            return self._many_referenced(amounts, tip, references)
        currency = self.get("53")
        tip_el = _tip_element(tip, currency)
        out = []
        for i, amount in enumerate(amounts):
            try:
                element = _amount_element(amount, currency)
            except errors.AmountError as exc:
                raise errors.in_batch(exc, i) from None
            out.append(self._convert(element, tip_el, None))
        return out

    def _many_referenced(self, amounts: Iterable[Amount], tip: Tip | None, references: Iterable[str | None]
                         ) -> list[str]:
        amts, refs = _paired(amounts, references)
        currency = self.get("53")
        tip_el = _tip_element(tip, currency)
        out = []
        for i, (amount, reference) in enumerate(zip(amts, refs)):
            try:
                element = _amount_element(amount, currency)
            except errors.AmountError as exc:
                raise errors.in_batch(exc, i) from None
            try:
                out.append(self._convert(element, tip_el, _reference(reference)))
            except errors.QRISError as exc:
                raise errors.in_batch(exc, i, "references") from None
        return out

    def _convert(self, amount_el: str | None, tip_el: str | None, reference: str | None) -> str:
        p = self._payload
        root = [(tag, p[a - 4 : b]) for tag, a, b in self._els[:-1]]
        tags = [tag for tag, _ in root]
        dynamic = amount_el is not None
        pim = "010212" if dynamic else "010211"
        if "01" in tags:
            root[tags.index("01")] = ("01", pim)
        else:
            root.insert(1, ("01", pim))
        if amount_el is not None:
            tip_at = -1
            if tip_el is not None:
                old = [i for i, (tag, _) in enumerate(root) if tag in ("55", "56", "57")]
                for i in reversed(old):
                    del root[i]
                if old:
                    tip_at = old[0]
                    root.insert(tip_at, ("55", tip_el))
            tags = [tag for tag, _ in root]
            if "54" in tags:
                at = tags.index("54")
                root[at] = ("54", amount_el)
            else:
                at = tags.index("53") + 1 if "53" in tags else _first_above(tags, "54")
                root.insert(at, ("54", amount_el))
            if tip_el is not None and tip_at < 0:
                root.insert(at + 1, ("55", tip_el))
        else:
            root = [(tag, el) for tag, el in root if tag != "54"]
        if reference is not None:
            tags = [tag for tag, _ in root]
            if "62" in tags:
                at = tags.index("62")
                value = root[at][1][4:]
                try:
                    items = [(t, v) for t, v, _ in tlv_items(value, self._index["62"][0], "62")]
                except errors.TLVError as exc:
                    raise errors.damaged_62(exc) from None
                root[at] = ("62", splice_reference(items, reference))
            else:
                root.insert(_first_above(tags, "62"), ("62", splice_reference(None, reference)))
        body = "".join(el for _, el in root) + "6304"
        return f"{body}{crc_hqx(_utf8(body), 0xFFFF):04X}"


_PAYLOAD_SLOT: Any = Payload.__dict__["_payload"]
_NUMBER = {f"{i:02d}": i for i in range(100)}
_REQUIRED: dict[bytes, tuple[str, ...]] = {}


def _required(fmt: bytes) -> tuple[str, ...]:
    """The ids a ``scan`` table flags REQUIRED (remembered for the few tables in use)."""
    ids = _REQUIRED.get(fmt)
    if ids is None:
        if len(_REQUIRED) >= 16:  # callers use a couple of tables; never grow without bound
            _REQUIRED.clear()
        ids = _REQUIRED[bytes(fmt)] = tuple(f"{t:02d}" for t in range(TABLE_SIZE) if fmt[t] & _ID_REQUIRED)
    return ids


def _passes(
    p: str, split: list[tuple[str, int, int]], rules: dict[str, SubRule], required: frozenset[str], printable: bool
) -> tuple[bool, bool]:
    """Whether a template's sub-objects (``split``, spans in ``p``) pass their rules (see
    ``_scan.ScanRules``), and whether one of them is MARKED."""
    present = {tag for tag, _, _ in split}
    ok = required <= present
    marked = False
    for tag, a, b in split:
        form, flags, lo, hi, values, prefix, with_id = rules[tag]
        if flags & _R_MARKED:
            marked = True
        if not ok:
            continue
        if form == _RESERVED or (form != _SKIP and not lo <= b - a <= hi):
            ok = False
            continue
        if form == _NUMERIC:
            rest = p[a + prefix : b]
            ok = not rest or (rest.isascii() and rest.isdigit())
        elif form == _ANS and not printable:
            rest = p[a + prefix : b]
            ok = rest.isascii() and rest.isprintable()
        if ok and values is not None:
            ok = (p[a : min(a + prefix, b)] if prefix else p[a:b]) in values
            if flags & _R_EXCLUDES:
                ok = not ok
        if ok and with_id is not None:
            ok = with_id in present
    return ok, marked


def _first_above(tags: list[str], tag: str) -> int:
    for i, t in enumerate(tags):
        if t > tag:
            return i
    return len(tags)


def _amount_element(amount: object, currency: str | None) -> str:
    text = amount_text(amount, currency=currency)
    return f"54{len(text):02d}{text}"


def _tip_element(tip: object, currency: str | None) -> str | None:
    return None if tip is None else tip_tlv(tip, currency)


def _paired(amounts: Iterable[Amount], references: object) -> tuple[list[Amount], list[Any]]:
    """Amounts and references as two new lists of one length; a str is not a sequence of
    references (it would pair its characters with the amounts)."""
    if isinstance(references, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"references must be a sequence of str or None, not {type(references).__name__}")
    try:
        refs = list(references)  # type: ignore[call-overload]
    except TypeError:
        raise TypeError(f"references must be a sequence of str or None, not {type(references).__name__}") from None
    amts = list(amounts)
    if len(amts) != len(refs):
        raise errors.batch_lengths(len(amts), len(refs))
    return amts, refs


def _reference(reference: object) -> str | None:
    return None if reference is None else reference_text(reference)


def to_dynamic(
    payload: str,
    amount: Amount,
    *,
    tip: Tip | None = None,
    reference: str | None = None,
    verify_crc: bool = True,
) -> str:
    """Return ``payload`` as a dynamic code for ``amount``, with a fresh CRC.

    ``amount`` is an int, Decimal or str above zero, digits with an optional ".", at most
    13 characters (a float raises ``TypeError``). 01 becomes "12" (inserted after 00 if
    absent); 54 is replaced in place, else inserted after 53. ``tip`` (``Tip.prompt()``,
    ``Tip.fixed(x)``, ``Tip.percent(r)``) replaces 55-57; ``tip=None`` keeps them as they
    are. ``reference`` (1-25 printable ASCII) goes into 62.05. Every other data object is
    kept exactly, in its order. A source with a wrong CRC raises ``CRCError`` unless
    ``verify_crc=False``.
    """
    return Payload(payload, verify_crc).to_dynamic(amount, tip, reference)


def to_static(payload: str, *, verify_crc: bool = True) -> str:
    """Return ``payload`` as a static code: 01 set to "11" and the amount (54) removed.

    Tip/fee objects (55-57) and tag 62 are kept: a printed code may carry them.
    """
    return Payload(payload, verify_crc).to_static()


def to_dynamic_many(
    payload: str,
    amounts: Iterable[Amount],
    *,
    tip: Tip | None = None,
    references: Iterable[str | None] | None = None,
    verify_crc: bool = True,
) -> list[str]:
    """One dynamic code per amount, in order: parse once, convert fast.

    ``references`` (optional) gives one 62.05 reference per amount, or None for a code
    without one; the result is ``to_dynamic(payload, amounts[i], tip=tip,
    reference=references[i])`` for each i. It must hold as many items as ``amounts``
    (else ``QRISError``); a str is refused (``TypeError``). A bad amount raises
    ``AmountError`` naming its index (``amounts[3]: ...``); an error from a reference is
    named the same way (``references[3]: ...``, its class unchanged).
    """
    return Payload(payload, verify_crc).to_dynamic_many(amounts, tip, references)
