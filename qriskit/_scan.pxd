# The scan protocol's numbers for the native twin; the same as qriskit/_scan.py (a test
# compares them through _codec_c.scan_protocol()).

cdef enum:
    TABLE_SIZE = 100
    FORMAT_MASK = 0x3F
    RULE_SIZE = 7
    NO_ID = 0xFF

    FORMAT_SKIP = 0
    FORMAT_ANS = 1
    FORMAT_NUMERIC = 2
    FORMAT_RESERVED = 3
    FORMAT_LENGTH = 4
    FORMAT_TEMPLATE = 5
    FORMAT_ACCOUNT = 6
    FORMAT_ACCOUNT_TEMPLATE = 7

    ID_REQUIRED = 0x80
    ID_MARKED = 0x40

    FINDING_LENGTH = 1
    FINDING_NOT_DIGITS = 2
    FINDING_NOT_PRINTABLE = 3
    FINDING_RESERVED = 4
    FINDING_MISSING = 5

    FLAG_ACCOUNT = 1
    FLAG_PRINTABLE = 2
    FLAG_MARKED = 4
    FLAG_CRC_LOWERCASE = 8
    FLAG_SUB_MARKED = 16

    RULE_FORMAT = 0
    RULE_FLAGS = 1
    RULE_MIN = 2
    RULE_MAX = 3
    RULE_SET = 4
    RULE_PREFIX = 5
    RULE_WITH = 6

    RULE_REQUIRED = 1
    RULE_EXCLUDES = 2
    RULE_MARKED = 4
