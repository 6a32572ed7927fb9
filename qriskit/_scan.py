"""The scan protocol: how ``validation`` asks a twin's ``Payload.scan`` to check a code.

``validation`` encodes one byte per root id (``Format`` in the low bits, ``IdFlag`` bits on
top); ``Payload.scan`` walks the root once and answers with ``(id, Finding)`` pairs and
``ScanFlag`` bits. Given ``ScanRules`` too, it also checks the sub-objects of the root
templates and hands back only the templates that do not pass their rules (see
``ScanRules``). The native twin reads the same numbers from ``_scan.pxd``; a test checks
that the two files agree.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

__all__ = [
    "FORMAT_MASK",
    "NO_ID",
    "RULE_SIZE",
    "TABLE_SIZE",
    "Finding",
    "Format",
    "IdFlag",
    "Rule",
    "RuleFlag",
    "ScanFlag",
    "ScanRules",
    "SubRule",
]

#: Each table has one byte per root id 00-99 (and a rules block one rule per sub-id 00-99).
TABLE_SIZE = 100
#: The bits of a table byte that hold its ``Format``.
FORMAT_MASK = 0x3F
#: Bytes per sub-object rule in ``ScanRules.table`` (see ``Rule``).
RULE_SIZE = 7
#: ``Rule.WITH`` when no other sub-id is called for.
NO_ID = 0xFF


class Format(IntEnum):
    """What ``scan`` checks for one root id (or, in a rule, for one sub-object)."""

    SKIP = 0  #: nothing
    ANS = 1  #: length, and printable ASCII (0x20-0x7E)
    NUMERIC = 2  #: length, and ASCII digits
    RESERVED = 3  #: always reported (``Finding.RESERVED``); in a rule: never passes
    LENGTH = 4  #: length only
    TEMPLATE = 5  #: split into a dict of sub-objects (62, 64, 80-99)
    ACCOUNT = 6  #: a primitive merchant account (02-25): ans, and marks ``ScanFlag.ACCOUNT``
    ACCOUNT_TEMPLATE = 7  #: a merchant account template (26-51): split, and marks ``ScanFlag.ACCOUNT``


class IdFlag(IntFlag):
    """Bits above ``FORMAT_MASK`` in a table byte."""

    REQUIRED = 0x80  #: reported as ``Finding.MISSING`` when absent
    MARKED = 0x40  #: sets ``ScanFlag.MARKED`` when present (the tip/fee ids 55-57)


class Finding(IntEnum):
    """What ``scan`` found wrong with one root id."""

    LENGTH = 1  #: the value's length is outside the table's bounds
    NOT_DIGITS = 2  #: a NUMERIC value holds something other than ASCII digits
    NOT_PRINTABLE = 3  #: an ANS value holds something other than printable ASCII
    RESERVED = 4  #: a RESERVED id is present
    MISSING = 5  #: a REQUIRED id is absent


class ScanFlag(IntFlag):
    """Facts about the whole payload that ``scan`` returns as one int."""

    ACCOUNT = 1  #: a merchant account (02-51) is present
    PRINTABLE = 2  #: the whole payload is printable ASCII
    MARKED = 4  #: an id flagged ``IdFlag.MARKED`` is present
    CRC_LOWERCASE = 8  #: the written CRC has a lowercase hex letter
    SUB_MARKED = 16  #: a template that is valid TLV holds a sub-object whose rule has ``RuleFlag.MARKED``


class Rule(IntEnum):
    """The bytes of one sub-object rule, by offset (``RULE_SIZE`` bytes a rule)."""

    FORMAT = 0  #: a ``Format``: SKIP, ANS, NUMERIC, LENGTH or RESERVED
    FLAGS = 1  #: ``RuleFlag`` bits
    MIN = 2  #: the shortest value allowed (checked unless the format is SKIP)
    MAX = 3  #: the longest value allowed
    SET = 4  #: 0, or k: the value must be in ``ScanRules.sets[k - 1]`` (not in it, with ``RuleFlag.EXCLUDES``)
    PREFIX = 5  #: 0: the set holds whole values; n: it holds ``value[:n]``, and the format checks ``value[n:]``
    WITH = 6  #: a sub-id that must be present too, or ``NO_ID``


class RuleFlag(IntFlag):
    """Bits of a rule's ``Rule.FLAGS`` byte."""

    REQUIRED = 1  #: the template does not pass when this sub-id is absent
    EXCLUDES = 2  #: the value (or its prefix) must not be in the rule's set
    MARKED = 4  #: present in a template that is valid TLV: sets ``ScanFlag.SUB_MARKED``


#: One rule decoded (``ScanRules.decoded``): format, flags, min, max, set or None, prefix, with-id or None.
SubRule = tuple[int, int, int, int, "frozenset[str] | None", int, "str | None"]

_RULE_FORMATS = frozenset({Format.SKIP, Format.ANS, Format.NUMERIC, Format.LENGTH, Format.RESERVED})


class ScanRules:
    """Rules for the sub-objects of root templates, compiled once and handed to ``Payload.scan``.

    ``classes`` has one byte per root id: 0 (the template is not checked: ``scan`` returns
    it as it always does) or k, the k-th block of ``table``. A block holds one rule per
    sub-id 00-99, ``RULE_SIZE`` bytes each (``Rule`` names them); ``sets`` are the value
    sets the rules point at. A template *passes* when it is valid TLV, every sub-object
    it holds passes its rule, and every sub-id whose rule is ``RuleFlag.REQUIRED`` is
    present. A sub-object passes when its rule's format is not RESERVED and: unless the
    format is SKIP, its length is within MIN..MAX; with ANS or NUMERIC, every character of
    ``value[PREFIX:]`` is printable ASCII or an ASCII digit; with a SET, ``value[:PREFIX]``
    (the whole value when PREFIX is 0) is in the set (not in it, with EXCLUDES); with a
    WITH id, that sub-id is present in the template too.

    Validated when made (``ValueError`` on a malformed table) and read-only. Derived from
    ``table``: ``required`` (16 bytes a block, little-endian, bit s set when sub-id s is
    REQUIRED), ``decoded`` (per block: sub-id -> ``SubRule``, and the REQUIRED sub-ids) and
    ``packed`` (classes, table, required, sets: what the native twin reads).
    """

    __slots__ = ("blocks", "classes", "decoded", "packed", "required", "sets", "table")
    classes: bytes
    table: bytes
    sets: tuple[frozenset[str], ...]
    blocks: int
    required: bytes
    decoded: tuple[tuple[dict[str, SubRule], frozenset[str]], ...]
    packed: tuple[bytes, bytes, bytes, tuple[frozenset[str], ...]]

    def __init__(self, classes: bytes, table: bytes, sets: tuple[frozenset[str], ...]) -> None:
        if type(classes) is not bytes or len(classes) != TABLE_SIZE:
            raise ValueError(f"rule classes must be {TABLE_SIZE} bytes")
        block = TABLE_SIZE * RULE_SIZE
        if type(table) is not bytes or len(table) % block:
            raise ValueError(f"a rules table is bytes, {block} per block")
        if type(sets) is not tuple or not all(type(s) is frozenset and all(type(x) is str for x in s) for s in sets):
            raise ValueError("rule sets must be a tuple of frozensets of str")
        blocks = len(table) // block
        if max(classes) > blocks:
            raise ValueError(f"a rule class points past the {blocks} blocks of the table")
        decoded = []
        required = bytearray()
        for b in range(blocks):
            rules: dict[str, SubRule] = {}
            mask = 0
            needed = []
            for sub in range(TABLE_SIZE):
                at = b * block + sub * RULE_SIZE
                fmt, flags, lo, hi, index, prefix, with_id = table[at:at + RULE_SIZE]
                if fmt not in _RULE_FORMATS or flags & ~0x7 or index > len(sets) or hi > 99 or prefix > 99 \
                        or not (with_id < TABLE_SIZE or with_id == NO_ID):
                    raise ValueError(f"rule {b + 1}.{sub:02d} is malformed")
                rules[f"{sub:02d}"] = (fmt, flags, lo, hi, sets[index - 1] if index else None, prefix,
                                       None if with_id == NO_ID else f"{with_id:02d}")
                if flags & RuleFlag.REQUIRED:
                    mask |= 1 << sub
                    needed.append(f"{sub:02d}")
            decoded.append((rules, frozenset(needed)))
            required += mask.to_bytes(16, "little")
        for name, value in (("classes", classes), ("table", table), ("sets", sets), ("blocks", blocks),
                            ("required", bytes(required)), ("decoded", tuple(decoded)),
                            ("packed", (classes, table, bytes(required), sets))):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("ScanRules are read-only")

    def __delattr__(self, name: str) -> None:
        raise AttributeError("ScanRules are read-only")
