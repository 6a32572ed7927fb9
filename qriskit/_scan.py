"""The scan protocol: how ``validation`` asks a twin's ``Payload.scan`` to check the root.

``validation`` encodes one byte per root id (``Format`` in the low bits, ``IdFlag`` bits on
top); ``Payload.scan`` walks the root once and answers with ``(id, Finding)`` pairs and
``ScanFlag`` bits. The native twin reads the same numbers from ``_scan.pxd``; a test checks
that the two files agree.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

__all__ = ["FORMAT_MASK", "TABLE_SIZE", "Finding", "Format", "IdFlag", "ScanFlag"]

#: Each table has one byte per root id 00-99.
TABLE_SIZE = 100
#: The bits of a table byte that hold its ``Format``.
FORMAT_MASK = 0x3F


class Format(IntEnum):
    """What ``scan`` checks for one root id."""

    SKIP = 0  #: nothing
    ANS = 1  #: length, and printable ASCII (0x20-0x7E)
    NUMERIC = 2  #: length, and ASCII digits
    RESERVED = 3  #: always reported (``Finding.RESERVED``)
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
