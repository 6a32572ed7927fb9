# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False, binding=True
"""The native codec twin: TLV walk, CRC-16/CCITT-FALSE and the conversion kernels.

Its pure-Python twin, ``qriskit/_codec_py.py``, is the typed and documented contract: same
names, same results, same errors. Docstrings here are one-line summaries of that contract.

Speed comes from three things. The CRC runs eight bytes per step (slicing-by-8 tables).
The CRC is affine: ``crc(s, B) = s * x^(8|B|) mod P  xor  crc(0, B)``, so the state at every
root boundary, captured once while the source is verified, lets a conversion hash only the
bytes it writes, and carry the unchanged spans across with one 16x16 carry-less product.
A parsed ``Payload`` caches the CRC state in front of the amount, so converting it again
costs a few dozen bytes of hashing and one ``memcpy`` per span.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from cpython.list cimport PyList_New, PyList_SET_ITEM
from cpython.long cimport PyLong_CheckExact
from cpython.ref cimport Py_INCREF
from cpython.set cimport PyFrozenSet_CheckExact, PySet_Contains
from cpython.unicode cimport Py_UNICODE_ISSPACE, PyUnicode_CheckExact
from libc.stdint cimport int32_t, uint8_t, uint16_t, uint32_t, uint64_t
from libc.stdlib cimport calloc, free, malloc
from libc.string cimport memcpy, memset

from qriskit cimport _scan as S
from qriskit import errors
from decimal import Decimal as _Decimal

from qriskit import spec
from qriskit._scan import ScanRules
from qriskit.values import Tip, amount_text, reference_text, tip_tlv

cdef extern from "Python.h":
    const char* PyUnicode_AsUTF8AndSize(object, Py_ssize_t*) except NULL
    object PyUnicode_New(Py_ssize_t, Py_UCS4)
    object PyUnicode_FromObject(object)
    void* PyUnicode_DATA(object)
    bint PyUnicode_IS_ASCII(object)
    object PyUnicode_DecodeUTF8(const char*, Py_ssize_t, const char*)
    long long PyLong_AsLongLongAndOverflow(object, int*) except? -1
    int PyUnicode_KIND(object)
    Py_UCS4 PyUnicode_READ(int kind, const void* data, Py_ssize_t index) noexcept nogil
    Py_ssize_t PyUnicode_GET_LENGTH(object) noexcept
    void PyUnicode_WRITE(int kind, void* data, Py_ssize_t index, Py_UCS4 value) noexcept
    object PyObject_Str(object)

__all__ = ["Payload", "crc16", "tlv_items", "tlv_map", "to_dynamic", "to_dynamic_many", "to_static"]

# MAX_EL, MAX_PIECES, REF_MAX, AMT_MAX and the structs Piece, Plan, Root, Split62 are in
# _codec_c.pxd, with the functions the Arrow kernels (_arrow_c.pyx) call.
DEF REF_DIGITS = 25       # the longest reference (62.05)
DEF KTAB = 1024
DEF AMT_DIGITS = 13       # the longest amount EMV allows

cdef signed char MINOR[1000]  # ISO 4217 numeric -> minor units (decimals), or -1
cdef uint16_t T[8][256]   # T[k][b]: CRC of byte b followed by k zero bytes, from state 0
cdef uint16_t K[KTAB]     # K[n] = x^(8n) mod P: the effect of n bytes on a state

cdef void _init_tables() noexcept:
    cdef uint32_t c
    cdef int b, k, i
    for b in range(256):
        c = <uint32_t>b << 8
        for i in range(8):
            c = ((c << 1) ^ 0x1021) if (c & 0x8000) else (c << 1)
        T[0][b] = <uint16_t>(c & 0xFFFF)
    for k in range(1, 8):
        for b in range(256):
            T[k][b] = <uint16_t>(((T[k - 1][b] << 8) & 0xFFFF) ^ T[0][T[k - 1][b] >> 8])
    K[0] = 1
    for i in range(1, KTAB):
        K[i] = <uint16_t>(((K[i - 1] << 8) & 0xFFFF) ^ T[0][K[i - 1] >> 8])

_init_tables()


cdef void _init_currencies():
    memset(MINOR, 0xFF, sizeof(MINOR))
    for numeric, currency in spec.CURRENCIES.items():
        MINOR[int(numeric)] = <signed char>currency.minor_units

_init_currencies()


cdef inline uint16_t _crc(uint16_t s, const uint8_t* p, Py_ssize_t n) noexcept nogil:
    while n >= 8:
        s = (T[7][(s >> 8) ^ p[0]] ^ T[6][(s & 0xFF) ^ p[1]] ^ T[5][p[2]] ^ T[4][p[3]]
             ^ T[3][p[4]] ^ T[2][p[5]] ^ T[1][p[6]] ^ T[0][p[7]])
        p += 8
        n -= 8
    while n > 0:
        s = <uint16_t>((s << 8) ^ T[0][(s >> 8) ^ p[0]])
        p += 1
        n -= 1
    return s


cdef inline uint16_t _mulmod(uint16_t a, uint16_t b) noexcept nogil:
    """a * b in GF(2)[x] / (x^16 + x^12 + x^5 + 1): a 4-bit-window carry-less product,
    then the 16 high bits folded back through the CRC tables (h * x^16 mod P)."""
    cdef uint32_t m[16]
    cdef uint32_t b1 = b, b2 = <uint32_t>b << 1, b4 = <uint32_t>b << 2, b8 = <uint32_t>b << 3
    m[0] = 0
    m[1] = b1
    m[2] = b2
    m[3] = b2 ^ b1
    m[4] = b4
    m[5] = b4 ^ b1
    m[6] = b4 ^ b2
    m[7] = b4 ^ b2 ^ b1
    m[8] = b8
    m[9] = b8 ^ b1
    m[10] = b8 ^ b2
    m[11] = b8 ^ b2 ^ b1
    m[12] = b8 ^ b4
    m[13] = b8 ^ b4 ^ b1
    m[14] = b8 ^ b4 ^ b2
    m[15] = b8 ^ b4 ^ b2 ^ b1
    cdef uint32_t p = (m[a >> 12] << 12) ^ (m[(a >> 8) & 15] << 8) ^ (m[(a >> 4) & 15] << 4) ^ m[a & 15]
    cdef uint32_t h = p >> 16
    return <uint16_t>((p & 0xFFFF) ^ T[1][h >> 8] ^ T[0][h & 0xFF])


cdef inline uint16_t _xpow8(Py_ssize_t n) noexcept nogil:
    """x^(8n) mod P, for any n >= 0."""
    if n < KTAB:
        return K[n]
    cdef uint16_t result = K[n % KTAB]
    cdef uint16_t base = _mulmod(K[KTAB - 1], K[1])
    cdef Py_ssize_t q = n // KTAB
    while q:
        if q & 1:
            result = _mulmod(result, base)
        base = _mulmod(base, base)
        q >>= 1
    return result


cdef const char* HEXDIGITS = b"0123456789ABCDEF"


cdef inline int _hexval(Py_UCS4 ch) noexcept nogil:
    cdef int c = <int>ch
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


def crc16(data):
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) of ``data``; a str is hashed as UTF-8."""
    cdef Py_ssize_t n
    cdef const char* p
    if isinstance(data, str):
        data = _exact(data)
        p = _utf8(data, &n)
        return _crc(0xFFFF, <const uint8_t*>p, n)
    if isinstance(data, bytes):
        return _crc(0xFFFF, <const uint8_t*>PyBytes_AS_STRING(data), len(<bytes>data))
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
        return _crc(0xFFFF, <const uint8_t*>PyBytes_AS_STRING(data), len(<bytes>data))
    raise TypeError(f"crc16 needs str or bytes, not {type(data).__name__}")


cdef const char* _utf8(str text, Py_ssize_t* n) except NULL:
    cdef const char* p
    try:
        p = PyUnicode_AsUTF8AndSize(text, n)
    except UnicodeEncodeError as exc:
        raise errors.unencodable(exc.start) from None
    return p


cdef int _walk(str text, Py_ssize_t start, Py_ssize_t end, str prefix, bint root,
               Py_ssize_t base, uint8_t* tags, int32_t* starts) except -1:
    """Split text[start:end] into data objects; fill tags/starts (header offsets).

    Returns the number of objects; error offsets are ``base`` + position in ``text``.
    Errors match ``qriskit._core._walk`` exactly.
    """
    cdef int kind = PyUnicode_KIND(text)
    cdef const void* data = PyUnicode_DATA(text)
    cdef Py_ssize_t pos = start, length
    cdef uint64_t seen[2]           # one bit per id seen so far at this level
    cdef int count = 0, tag, c0, c1, l0, l1, j
    seen[0] = 0
    seen[1] = 0
    while pos < end:
        if end - pos < 4:
            raise errors.header_cut(prefix.rstrip("."), base + pos, end - pos)
        c0 = <int>PyUnicode_READ(kind, data, pos) - 48
        c1 = <int>PyUnicode_READ(kind, data, pos + 1) - 48
        if not (0 <= c0 <= 9 and 0 <= c1 <= 9):
            raise errors.bad_id(text[pos:pos + 2], prefix.rstrip("."), base + pos)
        tag = c0 * 10 + c1
        if root and count == 0 and tag != 0:
            raise errors.first_not_00(text[pos:pos + 2])
        if root and tag == 63:
            raise errors.repeated_tag("63", base + pos, base + pos)
        l0 = <int>PyUnicode_READ(kind, data, pos + 2) - 48
        l1 = <int>PyUnicode_READ(kind, data, pos + 3) - 48
        if not (0 <= l0 <= 9 and 0 <= l1 <= 9) or (l0 == 0 and l1 == 0):
            raise errors.bad_length(text[pos + 2:pos + 4], prefix + text[pos:pos + 2], base + pos + 2)
        length = l0 * 10 + l1
        if pos + 4 + length > end:
            raise errors.value_overrun(length, end - pos - 4, prefix + text[pos:pos + 2], base + pos + 2)
        if seen[tag >> 6] & (1ULL << (tag & 63)):
            j = 0
            while tags[j] != tag:
                j += 1
            raise errors.repeated_tag(prefix + text[pos:pos + 2], base + pos, base + starts[j])
        seen[tag >> 6] |= 1ULL << (tag & 63)
        tags[count] = <uint8_t>tag
        starts[count] = <int32_t>pos
        count += 1
        pos += 4 + length
    return count


cdef tuple _template_args(text, path):
    if not isinstance(text, str) or not isinstance(path, str):
        bad = text if not isinstance(text, str) else path
        raise TypeError(f"a template's text and path must be str, not {type(bad).__name__}")
    return _exact(text), _exact(path)


def tlv_items(text, Py_ssize_t offset=0, path=""):
    """Split a template's value into (id, value, offset) triples; ids must not repeat."""
    text, path = _template_args(text, path)
    return _tlv_items(text, offset, path)


cdef tuple _tlv_items(str text, Py_ssize_t offset, str path):
    cdef uint8_t tags[MAX_EL]
    cdef int32_t starts[MAX_EL]
    cdef str prefix = path + "." if path else ""
    cdef int count, i
    cdef Py_ssize_t a, b
    count = _walk(text, 0, len(text), prefix, False, offset, tags, starts)
    out = []
    for i in range(count):
        a = starts[i]
        b = starts[i + 1] if i + 1 < count else len(text)
        out.append((text[a:a + 2], text[a + 4:b], offset + a))
    return tuple(out)


def tlv_map(text, Py_ssize_t offset=0, path=""):
    """A template's value as a dict {id: value}, in order; the errors of ``tlv_items``."""
    text, path = _template_args(text, path)
    return _tlv_map(text, offset, path)


cdef dict _tlv_map(str text, Py_ssize_t offset, str path):
    cdef uint8_t tags[MAX_EL]
    cdef int32_t starts[MAX_EL]
    cdef str prefix = path + "." if path else ""
    cdef int count, i
    cdef Py_ssize_t a, b, n = len(text)
    count = _walk(text, 0, n, prefix, False, offset, tags, starts)
    out = {}
    for i in range(count):
        a = starts[i]
        b = starts[i + 1] if i + 1 < count else n
        out[_TAGS[tags[i]]] = text[a + 4:b]
    return out


cdef inline str _exact(object text):
    """A str as an exact str: a subclass is copied without calling any of its methods."""
    if PyUnicode_CheckExact(text):
        return <str>text
    return <str>PyUnicode_FromObject(text)


cdef inline bint _is_space(Py_UCS4 ch) noexcept:
    return ch == 0xFEFF or Py_UNICODE_ISSPACE(ch)


cdef str _as_text(payload):
    if isinstance(payload, str):
        return _exact(payload)
    if isinstance(payload, (bytes, bytearray, memoryview)):
        try:
            return bytes(payload).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise errors.bad_utf8(exc.start) from None
    raise TypeError(f"payload must be str, not {type(payload).__name__}")


cdef int _load(Root* r, str text, bint verify_crc) except -1:
    """Walk the root of ``text``, capture the CRC state at each object, check the CRC."""
    cdef Py_ssize_t n = len(text), nb, i, b, c
    cdef int count, k, h, found = 0, lead
    cdef uint32_t m
    cdef bint hexok = True
    r.b = <const uint8_t*>_utf8(text, &nb)
    r.nb = nb
    if n == 0:
        raise errors.empty_payload()
    cdef int kind = PyUnicode_KIND(text)
    cdef const void* data = PyUnicode_DATA(text)
    if _is_space(PyUnicode_READ(kind, data, 0)) or _is_space(PyUnicode_READ(kind, data, n - 1)):
        raise errors.surrounding_whitespace(text)
    if (n < 8 or PyUnicode_READ(kind, data, n - 8) != 54 or PyUnicode_READ(kind, data, n - 7) != 51
            or PyUnicode_READ(kind, data, n - 6) != 48 or PyUnicode_READ(kind, data, n - 5) != 52):
        raise errors.crc_missing(n - 8 if n > 8 else 0)
    for k in range(4):
        h = _hexval(PyUnicode_READ(kind, data, n - 4 + k))
        if h < 0:
            hexok = False
            break
        found = (found << 4) | h
    if verify_crc and not hexok:
        raise errors.crc_not_hex(text[n - 4:], n - 4)
    count = _walk(text, 0, n - 8, "", True, 0, r.tag, r.cs)
    if count == 0:
        raise errors.first_not_00("63")
    r.tag[count] = 63
    r.cs[count] = <int32_t>(n - 8)
    count += 1
    r.cs[count] = <int32_t>n
    r.count = count
    r.ascii = PyUnicode_IS_ASCII(text)
    r.kind = kind
    r.data = data
    if r.ascii:
        memcpy(r.bs, r.cs, sizeof(int32_t) * (count + 1))
    else:  # byte offsets, and each object's storage class read off the UTF-8 lead bytes
        b = 0
        c = 0
        r.bs[0] = 0
        for i in range(count):
            m = 0
            while c < r.cs[i + 1]:
                lead = r.b[b]
                if lead < 0x80:
                    b += 1
                elif lead < 0xE0:
                    b += 2
                    m = max(m, 255 if lead < 0xC4 else 65535)
                elif lead < 0xF0:
                    b += 3
                    m = max(m, 65535)
                else:
                    b += 4
                    m = 0x10FFFF
                c += 1
            r.bs[i + 1] = <int32_t>b
            r.mx[i] = m
    memset(r.pos, 0xFF, sizeof(r.pos))
    for i in range(count):
        r.pos[r.tag[i]] = <signed char>i
    r.minor = _minor_units(r, kind, data)
    _mark(r)
    cdef uint16_t state = 0xFFFF
    cdef Py_ssize_t at = 0
    for i in range(count):
        if r.mark[i]:
            state = _crc(state, r.b + at, r.bs[i] - at)
            at = r.bs[i]
            r.st[i] = state
    r.computed = _crc(r.st[count - 1], <const uint8_t*>b"6304", 4)
    r.crc_ok = hexok and found == r.computed
    if verify_crc and not r.crc_ok:
        raise errors.crc_mismatch(text[n - 4:], r.computed, n - 4)
    return 0


cdef signed char _minor_units(const Root* r, int kind, const void* data) noexcept nogil:
    """The decimals the currency (53) allows, or -1 when 53 is absent or not a known code."""
    cdef int i = r.pos[53], v = 0, k, c
    if i < 0 or r.cs[i + 1] - r.cs[i] != 7:
        return -1
    for k in range(3):
        c = <int>PyUnicode_READ(kind, data, r.cs[i] + 4 + k) - 48
        if not 0 <= c <= 9:
            return -1
        v = v * 10 + c
    return MINOR[v]


cdef str _currency(const Root* r, str text):
    """The value of 53, or None (for error messages)."""
    cdef int i = r.pos[53]
    return None if i < 0 else text[r.cs[i] + 4:r.cs[i + 1]]


cdef void _mark(Root* r) noexcept nogil:
    """Mark every boundary at which ``_plan`` may cut: the CRC state is kept only there.

    Hashing the payload in a few long runs, instead of object by object, keeps the
    eight-bytes-a-step CRC at full speed.
    """
    cdef int i, t
    memset(r.mark, 0, sizeof(r.mark))
    r.mark[0] = 1
    r.mark[1] = 1
    r.mark[r.count - 1] = 1
    r.mark[_first_above(r, 54)] = 1
    r.mark[_first_above(r, 62)] = 1
    cdef int ids[7]
    ids[:] = [1, 53, 54, 55, 56, 57, 62]
    for t in ids:
        i = r.pos[t]
        if i >= 0:
            r.mark[i] = 1
            r.mark[i + 1] = 1


cdef inline uint16_t _state(const Root* r, int i) noexcept nogil:
    """CRC state at object i (from the nearest marked boundary; normally i is marked)."""
    if r.mark[i]:
        return r.st[i]
    cdef int k = i
    while not r.mark[k]:
        k -= 1
    return _crc(r.st[k], r.b + r.bs[k], r.bs[i] - r.bs[k])


cdef int _first_above(const Root* r, int tag) noexcept nogil:
    cdef int i
    for i in range(r.count - 1):
        if r.tag[i] > tag:
            return i
    return r.count - 1


cdef inline int _add(Piece* out, int k, const Piece* piece) noexcept nogil:
    """Append a new-bytes piece; -1 when the plan is full (never for a valid root)."""
    if k < 0 or k >= MAX_PIECES:
        return -1
    out[k] = piece[0]
    out[k].ea = -1
    out[k].eb = -1
    return k + 1


cdef inline int _add_span(const Root* r, Piece* out, int k, int i) noexcept nogil:
    """Append source object i, merging it into the previous span when they touch."""
    if k < 0:
        return -1
    if k > 0 and out[k - 1].p == NULL and out[k - 1].eb == i:
        out[k - 1].eb = i + 1
        out[k - 1].n += r.bs[i + 1] - r.bs[i]
        out[k - 1].nc += r.cs[i + 1] - r.cs[i]
        return k
    if k >= MAX_PIECES:
        return -1
    out[k].p = NULL
    out[k].n = r.bs[i + 1] - r.bs[i]
    out[k].nc = r.cs[i + 1] - r.cs[i]
    out[k].mx = 0
    out[k].ea = i
    out[k].eb = i + 1
    return k + 1


cdef Piece PIM_DYNAMIC, PIM_STATIC
PIM_DYNAMIC.p = <const uint8_t*>b"010212"
PIM_DYNAMIC.n = PIM_DYNAMIC.nc = 6
PIM_DYNAMIC.mx = 0
PIM_STATIC.p = <const uint8_t*>b"010211"
PIM_STATIC.n = PIM_STATIC.nc = 6
PIM_STATIC.mx = 0


cdef int _plan(const Root* r, bint dynamic, const Piece* amt, const Piece* tip, const Piece* ref,
               Piece* out, int* at) noexcept nogil:
    """Lay out the output as pieces; returns their number ("6304" and the CRC not included),
    or -1 if they would not fit (impossible for a parsed root: at most ~20 pieces).

    ``at`` receives the indices of the amount, tip and reference pieces (-1 when absent).
    The same rules as ``_codec_py.Payload._convert``: 01 replaced (or inserted after 00);
    54 in place, else after 53, else before the first id above 54; a tip in place of the
    first of 55-57, else right after 54; a reference in 62, else a new 62 before the first
    id above 62. Runs of untouched objects become one source span.
    """
    cdef int last = r.count - 1    # the 63 object
    cdef int i, t, k = 0
    cdef int i01 = r.pos[1], i53 = r.pos[53], i54 = r.pos[54], i62 = r.pos[62]
    cdef int amount_before = -1, amount_after = -1, tip_first = -1, ref_before = -1
    cdef const Piece* pim = &PIM_DYNAMIC if dynamic else &PIM_STATIC
    at[0] = at[1] = at[2] = -1
    if dynamic and i54 < 0:
        if i53 >= 0:
            amount_after = i53
        else:
            amount_before = _first_above(r, 54)
    if tip != NULL:
        for t in range(55, 58):
            if r.pos[t] >= 0 and (tip_first < 0 or r.pos[t] < tip_first):
                tip_first = r.pos[t]
    if ref != NULL and i62 < 0:
        ref_before = _first_above(r, 62)
    for i in range(last + 1):
        if i == amount_before:
            at[0] = k
            k = _add(out, k, amt)
            if tip != NULL and tip_first < 0:
                at[1] = k
                k = _add(out, k, tip)
        if i == ref_before:
            at[2] = k
            k = _add(out, k, ref)
        if i == last:
            break
        t = r.tag[i]
        if t == 1:
            k = _add(out, k, pim)
        elif t == 54:
            if dynamic:
                at[0] = k
                k = _add(out, k, amt)
                if tip != NULL and tip_first < 0:
                    at[1] = k
                    k = _add(out, k, tip)
        elif 55 <= t <= 57 and tip != NULL:
            if i == tip_first:
                at[1] = k
                k = _add(out, k, tip)
        elif t == 62 and ref != NULL:
            at[2] = k
            k = _add(out, k, ref)
        else:
            k = _add_span(r, out, k, i)
        if i == 0 and i01 < 0:
            k = _add(out, k, pim)
        if i == amount_after:
            at[0] = k
            k = _add(out, k, amt)
            if tip != NULL and tip_first < 0:
                at[1] = k
                k = _add(out, k, tip)
    return k


cdef inline uint16_t _hash(const Root* r, uint16_t s, const Piece* pieces, int k) noexcept nogil:
    """Carry CRC state ``s`` over the pieces: hash new bytes, jump over source spans."""
    cdef int j
    cdef uint16_t x
    for j in range(k):
        if pieces[j].p == NULL:
            if pieces[j].n <= 24:   # short spans: hashing is cheaper than the jump
                s = _crc(s, r.b + r.bs[pieces[j].ea], pieces[j].n)
            else:
                x = s ^ _state(r, pieces[j].ea)
                s = (_mulmod(x, _xpow8(pieces[j].n)) if x else 0) ^ _state(r, pieces[j].eb)
        else:
            s = _crc(s, pieces[j].p, pieces[j].n)
    return s


cdef inline uint8_t* _copy(const Root* r, uint8_t* w, const Piece* pieces, int k) noexcept nogil:
    """Write the pieces' UTF-8 bytes (for an ASCII root: its characters) at ``w``."""
    cdef int j
    for j in range(k):
        if pieces[j].p == NULL:
            memcpy(w, r.b + r.bs[pieces[j].ea], pieces[j].n)
        else:
            memcpy(w, pieces[j].p, pieces[j].n)
        w += pieces[j].n
    return w


cdef inline void _finish(uint8_t* w, uint16_t s) noexcept nogil:
    w[0] = 54   # "6304"
    w[1] = 51
    w[2] = 48
    w[3] = 52
    w[4] = HEXDIGITS[(s >> 12) & 15]
    w[5] = HEXDIGITS[(s >> 8) & 15]
    w[6] = HEXDIGITS[(s >> 4) & 15]
    w[7] = HEXDIGITS[s & 15]


cdef inline Py_ssize_t _utf8_decode(const uint8_t* p, Py_ssize_t n, void* dst, int kind,
                                    Py_ssize_t w) noexcept:
    """Write the characters of valid UTF-8 ``p[:n]`` into ``dst`` from index ``w``."""
    cdef Py_ssize_t i = 0
    cdef uint32_t c
    cdef uint8_t b
    while i < n:
        b = p[i]
        if b < 0x80:
            c = b
            i += 1
        elif b < 0xE0:
            c = ((b & 0x1F) << 6) | (p[i + 1] & 0x3F)
            i += 2
        elif b < 0xF0:
            c = ((b & 0x0F) << 12) | ((p[i + 1] & 0x3F) << 6) | (p[i + 2] & 0x3F)
            i += 3
        else:
            c = ((b & 0x07) << 18) | ((p[i + 1] & 0x3F) << 12) | ((p[i + 2] & 0x3F) << 6) | (p[i + 3] & 0x3F)
            i += 4
        PyUnicode_WRITE(kind, dst, w, c)
        w += 1
    return w


cdef uint32_t _largest(const Root* r, const Piece* pieces, int k) noexcept:
    """The largest character the pieces hold (as a storage class, see ``Root.mx``)."""
    cdef uint32_t mx = 0
    cdef int j, i
    if r.ascii:
        return 0
    for j in range(k):
        if pieces[j].p == NULL:
            for i in range(pieces[j].ea, pieces[j].eb):
                if r.mx[i] > mx:
                    mx = r.mx[i]
        elif pieces[j].mx > mx:
            mx = pieces[j].mx
    return mx


cdef Py_ssize_t _render(const Root* r, const Piece* pieces, int k, void* dst, int dk, Py_ssize_t w) noexcept:
    """Write the pieces' characters into ``dst`` (kind ``dk``) from index ``w``; returns the end.

    Spans are copied from the source text (a ``memcpy`` when the kinds match), new pieces
    decoded from their UTF-8.
    """
    cdef int j
    cdef Py_ssize_t i
    for j in range(k):
        if pieces[j].p == NULL:
            if dk == r.kind:
                memcpy(<char*>dst + w * dk, <const char*>r.data + r.cs[pieces[j].ea] * dk, pieces[j].nc * dk)
            else:
                for i in range(pieces[j].nc):
                    PyUnicode_WRITE(dk, dst, w + i, PyUnicode_READ(r.kind, r.data, r.cs[pieces[j].ea] + i))
            w += pieces[j].nc
        elif dk == 1 and pieces[j].mx < 128:
            memcpy(<char*>dst + w, pieces[j].p, pieces[j].n)  # ASCII bytes are Latin-1 characters
            w += pieces[j].n
        else:
            w = _utf8_decode(pieces[j].p, pieces[j].n, dst, dk, w)
    return w


cdef inline void _finish_text(void* dst, int dk, Py_ssize_t w, uint16_t s) noexcept:
    cdef uint8_t tail[8]
    cdef int j
    if dk == 1:
        _finish(<uint8_t*>dst + w, s)
        return
    _finish(tail, s)
    for j in range(8):
        PyUnicode_WRITE(dk, dst, w + j, tail[j])


cdef object _emit(const Root* r, const Piece* pieces, int k):
    """Write the pieces, "6304" and their CRC into a new str.

    An ASCII root is written as bytes straight into an ASCII str. Otherwise the str gets the
    storage its largest character needs, and ``_render`` writes the characters.
    """
    cdef Py_ssize_t total = 8, chars = 8
    cdef int j
    if k < 0:
        raise AssertionError("conversion plan overflow")
    cdef uint16_t s = _crc(_hash(r, 0xFFFF, pieces, k), <const uint8_t*>b"6304", 4)
    if r.ascii:
        for j in range(k):
            total += pieces[j].n
        out = PyUnicode_New(total, 127)
        _finish(_copy(r, <uint8_t*>PyUnicode_DATA(out), pieces, k), s)
        return out
    for j in range(k):
        chars += pieces[j].nc
    cdef uint32_t mx = _largest(r, pieces, k)
    out = PyUnicode_New(chars, mx if mx > 127 else 127)
    cdef int dk = PyUnicode_KIND(out)
    cdef void* dst = PyUnicode_DATA(out)
    _finish_text(dst, dk, _render(r, pieces, k, dst, dk, 0), s)
    return out


cdef inline void _set(Piece* piece, const uint8_t* p, Py_ssize_t n, Py_ssize_t nc, uint32_t mx) noexcept nogil:
    piece.p = p
    piece.n = n
    piece.nc = nc
    piece.mx = mx
    piece.ea = piece.eb = -1


# -- the 62 element a reference goes into ------------------------------------------------------

cdef inline Py_ssize_t _byte_of(const Root* r, Py_ssize_t char_at, Py_ssize_t from_char,
                                Py_ssize_t from_byte) noexcept:
    """The UTF-8 byte offset of character ``char_at``, walking from a known pair."""
    cdef Py_ssize_t c = from_char, b = from_byte
    cdef uint8_t lead
    if r.ascii:
        return char_at
    while c < char_at:
        lead = r.b[b]
        b += 1 if lead < 0x80 else 2 if lead < 0xE0 else 3 if lead < 0xF0 else 4
        c += 1
    return b


cdef int _split62(const Root* r, str text, Split62* out) except -1:
    """Where a reference goes in the code's 62: the sub-objects before and after 62.05.

    An existing 05 is replaced in place; otherwise 05 goes before the first sub-id above 05
    (``values.splice_reference``'s rule). A 62 that is not valid TLV raises ``FieldError``.
    """
    cdef uint8_t tags[MAX_EL]
    cdef int32_t starts[MAX_EL]
    cdef int i = r.pos[62], count, j, cut = -1, resume = -1
    cdef Py_ssize_t a, b, x
    memset(out, 0, sizeof(Split62))
    if i < 0:
        return 0
    a = r.cs[i] + 4
    b = r.cs[i + 1]
    try:
        count = _walk(text, a, b, "62.", False, 0, tags, starts)
    except errors.TLVError as exc:
        raise errors.damaged_62(exc) from None
    for j in range(count):
        if tags[j] == 5:
            cut, resume = j, j + 1
            break
        if tags[j] > 5:
            cut, resume = j, j
            break
    if cut < 0:
        cut = resume = count
    cdef Py_ssize_t cut_c = starts[cut] if cut < count else b
    cdef Py_ssize_t resume_c = starts[resume] if resume < count else b
    cdef Py_ssize_t a_b = r.bs[i] + 4
    cdef Py_ssize_t cut_b = _byte_of(r, cut_c, a, a_b)
    cdef Py_ssize_t resume_b = _byte_of(r, resume_c, cut_c, cut_b)
    out.head_b, out.head_n, out.head_c = a_b, cut_b - a_b, cut_c - a
    out.tail_b, out.tail_n, out.tail_c = resume_b, r.bs[i + 1] - resume_b, b - resume_c
    if not r.ascii:
        for x in range(a, cut_c):
            out.mx = max(out.mx, <uint32_t>PyUnicode_READ(r.kind, r.data, x))
        for x in range(resume_c, b):
            out.mx = max(out.mx, <uint32_t>PyUnicode_READ(r.kind, r.data, x))
    return 0


cdef object _checked_reference(reference):
    """``reference`` as an exact str of 1-25 printable ASCII characters, or the shared error
    (``values.reference_text``): the pure twin checks it before it looks at 62."""
    cdef Py_ssize_t n, j
    cdef const uint8_t* p
    if PyUnicode_CheckExact(reference) and PyUnicode_IS_ASCII(reference):
        n = PyUnicode_GET_LENGTH(reference)
        p = <const uint8_t*>PyUnicode_DATA(reference)
        if 1 <= n <= REF_DIGITS:
            for j in range(n):
                if not 32 <= p[j] <= 126:
                    break
            else:
                return reference
    return reference_text(reference)


cdef object _reference_bytes(const Split62* split, reference, const uint8_t** p, Py_ssize_t* n):
    """Check ``reference`` for 62.05 (1-25 printable ASCII, 62 within 99 characters): its
    bytes in ``p[0][:n[0]]``, owned by the str returned; else the shared error."""
    cdef Py_ssize_t j, size
    cdef const uint8_t* data
    cdef bint fast = PyUnicode_CheckExact(reference) and PyUnicode_IS_ASCII(reference)
    if fast:
        size = PyUnicode_GET_LENGTH(reference)
        data = <const uint8_t*>PyUnicode_DATA(reference)
        fast = 1 <= size <= REF_DIGITS
        for j in range(size if fast else 0):
            if not 32 <= data[j] <= 126:
                fast = False
                break
    if not fast:
        reference = reference_text(reference)  # raises the shared error, or returns an exact str
        size = PyUnicode_GET_LENGTH(reference)
        if not (PyUnicode_IS_ASCII(reference) and 1 <= size <= REF_DIGITS):  # reference_text guarantees it
            raise AssertionError("reference_text returned an unusable reference")
        data = <const uint8_t*>PyUnicode_DATA(reference)
    j = split.head_c + 4 + size + split.tail_c
    if j > 99:
        raise errors.reference_too_long(j)
    p[0] = data
    n[0] = size
    return reference


cdef int _reference_piece(const Root* r, const Split62* split, reference, uint8_t* buf,
                          Piece* piece) except -1:
    """Write the new 62 element (``buf``, REF_MAX bytes) holding ``reference`` as 05."""
    cdef const uint8_t* p
    cdef Py_ssize_t n
    reference = _reference_bytes(split, reference, &p, &n)
    _write_62(r, split, p, n, buf, piece)
    return 0


cdef inline void _write_62(const Root* r, const Split62* split, const uint8_t* p, Py_ssize_t n, uint8_t* buf,
                           Piece* piece) noexcept nogil:
    """Write the 62 element with the checked reference ``p[:n]`` as 05 (it fits in 99)."""
    cdef Py_ssize_t value = split.head_c + 4 + n + split.tail_c, j
    buf[0] = 54  # "62"
    buf[1] = 50
    buf[2] = <uint8_t>(48 + value // 10)
    buf[3] = <uint8_t>(48 + value % 10)
    memcpy(buf + 4, r.b + split.head_b, split.head_n)
    j = 4 + split.head_n
    buf[j] = 48  # "05"
    buf[j + 1] = 53
    buf[j + 2] = <uint8_t>(48 + n // 10)
    buf[j + 3] = <uint8_t>(48 + n % 10)
    memcpy(buf + j + 4, p, n)
    memcpy(buf + j + 4 + n, r.b + split.tail_b, split.tail_n)
    _set(piece, buf, j + 4 + n + split.tail_n, value + 4, split.mx)


# -- one conversion, start to end ---------------------------------------------------------------

cdef object _convert(const Root* r, str text, bint dynamic, const uint8_t* amt, Py_ssize_t namt,
                     tip, reference):
    """The general conversion: any tip, any reference, or back to static."""
    cdef Piece pieces[MAX_PIECES]
    cdef Piece amount_piece, tip_piece, ref_piece
    cdef Split62 split
    cdef uint8_t refbuf[REF_MAX]
    cdef int at[3]
    cdef bytes tipb = None
    _set(&amount_piece, amt, namt, namt, 0)
    if tip is not None:
        tipb = _tip_bytes(tip, r, text)
        _set(&tip_piece, <const uint8_t*>PyBytes_AS_STRING(tipb), len(tipb), len(tipb), 0)
    if reference is not None:
        reference = _checked_reference(reference)  # a bad reference is named before a damaged 62
        _split62(r, text, &split)
        _reference_piece(r, &split, reference, refbuf, &ref_piece)
    cdef int k = _plan(r, dynamic, &amount_piece if dynamic else NULL, &tip_piece if tip is not None else NULL,
                       &ref_piece if reference is not None else NULL, pieces, at)
    return _emit(r, pieces, k)


cdef inline str _slice(str text, Py_ssize_t a, Py_ssize_t b, bint ascii):
    """text[a:b]; for an ASCII text, a copy of the bytes (no scan for the widest character)."""
    if not ascii or b <= a:
        return text[a:b]
    out = PyUnicode_New(b - a, 127)
    memcpy(PyUnicode_DATA(out), <const char*>PyUnicode_DATA(text) + a, b - a)
    return <str>out


cdef bint _printable_ascii(const uint8_t* p, Py_ssize_t n) noexcept nogil:
    """Whether n ASCII bytes are all printable (0x20-0x7E), eight at a time."""
    cdef uint64_t x
    cdef Py_ssize_t j = 0
    while j + 8 <= n:
        memcpy(&x, p + j, 8)
        # a byte below 0x20, or equal to 0x7F (ASCII: no byte has its top bit set)
        if ((x - 0x2020202020202020ULL) | ((x ^ 0x7F7F7F7F7F7F7F7FULL) - 0x0101010101010101ULL)) \
                & 0x8080808080808080ULL:
            return False
        j += 8
    while j < n:
        if p[j] < 32 or p[j] > 126:
            return False
        j += 1
    return True


cdef dict _items(str text, int kind, const void* data, Py_ssize_t end, const uint8_t* tags,
                 const int32_t* starts, int count, bint ascii):
    """A split template as ``tlv_map`` gives it: {id: value}, in order."""
    cdef dict out = {}
    cdef int i
    cdef Py_ssize_t b
    for i in range(count):
        b = starts[i + 1] if i + 1 < count else end
        out[_TAGS[tags[i]]] = _slice(text, starts[i] + 4, b, ascii)
    return out


# -- template rules for Payload.scan (the protocol is _scan.pxd; the rules come from validation) --

cdef struct Rules:
    const uint8_t* classes    # TABLE_SIZE bytes: 0, or a block number from 1; NULL without rules
    const uint8_t* table      # blocks * TABLE_SIZE rules of RULE_SIZE bytes
    const uint8_t* required   # 16 bytes a block: a little-endian bit per REQUIRED sub-id
    Py_ssize_t blocks


DEF PASS_OK = 1
DEF PASS_MARKED = 2


cdef tuple _rules(object rules, Rules* rs):
    """Point ``rs`` into a ``ScanRules`` (made and checked once by ``_scan``) and return the
    objects it points into, which the caller holds for the scan. Every index is checked
    again at use, so a tampered object raises instead of reading out of bounds."""
    rs.classes = NULL
    rs.blocks = 0
    if rules is None:
        return ()
    if type(rules) is not ScanRules:
        raise TypeError(f"scan rules must be ScanRules, not {type(rules).__name__}")
    packed = rules.packed
    if type(packed) is not tuple or len(<tuple>packed) != 4:
        raise ValueError("malformed ScanRules")
    classes, table, required, sets = <tuple>packed
    if (type(classes) is not bytes or len(classes) != S.TABLE_SIZE or type(table) is not bytes
            or type(required) is not bytes or type(sets) is not tuple):
        raise ValueError("malformed ScanRules")
    rs.classes = <const uint8_t*>PyBytes_AS_STRING(classes)
    rs.table = <const uint8_t*>PyBytes_AS_STRING(table)
    rs.required = <const uint8_t*>PyBytes_AS_STRING(required)
    rs.blocks = min(len(table) // (S.TABLE_SIZE * S.RULE_SIZE), len(required) // 16)
    return (classes, table, required, sets)


cdef int _split(int kind, const void* data, Py_ssize_t start, Py_ssize_t end,
                uint8_t* tags, int32_t* starts) noexcept:
    """``_walk`` of a template without its errors: the object count, or -1 where it would raise."""
    cdef Py_ssize_t pos = start, length
    cdef uint64_t seen[2]
    cdef int count = 0, tag, c0, c1, l0, l1
    seen[0] = 0
    seen[1] = 0
    while pos < end:
        if end - pos < 4:
            return -1
        c0 = <int>PyUnicode_READ(kind, data, pos) - 48
        c1 = <int>PyUnicode_READ(kind, data, pos + 1) - 48
        l0 = <int>PyUnicode_READ(kind, data, pos + 2) - 48
        l1 = <int>PyUnicode_READ(kind, data, pos + 3) - 48
        if not (0 <= c0 <= 9 and 0 <= c1 <= 9 and 0 <= l0 <= 9 and 0 <= l1 <= 9) or (l0 == 0 and l1 == 0):
            return -1
        tag = c0 * 10 + c1
        length = l0 * 10 + l1
        if pos + 4 + length > end or seen[tag >> 6] & (1ULL << (tag & 63)):
            return -1
        seen[tag >> 6] |= 1ULL << (tag & 63)
        tags[count] = <uint8_t>tag
        starts[count] = <int32_t>pos
        count += 1
        pos += 4 + length
    return count


cdef int _passes(str text, int kind, const void* data, Py_ssize_t end, const uint8_t* tags,
                 const int32_t* starts, int count, const Rules* rs, int block, tuple sets,
                 bint printable) except -1:
    """PASS_OK when a split template passes its block of rules (see ``_scan.ScanRules``), plus
    PASS_MARKED when it holds a sub-object whose rule is MARKED."""
    cdef const uint8_t* R = rs.table + <Py_ssize_t>block * S.TABLE_SIZE * S.RULE_SIZE
    cdef const uint8_t* Q = rs.required + <Py_ssize_t>block * 16
    cdef const uint8_t* rule
    cdef uint64_t seen[2]
    cdef uint64_t need[2]
    cdef int i, k, form, pre, w, verdict = 0
    cdef Py_ssize_t va, vb, j
    cdef Py_UCS4 ch
    cdef bint ok
    seen[0] = 0
    seen[1] = 0
    need[0] = 0
    need[1] = 0
    for k in range(16):
        need[k >> 3] |= (<uint64_t>Q[k]) << (8 * (k & 7))
    for i in range(count):
        seen[tags[i] >> 6] |= 1ULL << (tags[i] & 63)
    ok = (seen[0] & need[0]) == need[0] and (seen[1] & need[1]) == need[1]
    for i in range(count):
        rule = R + tags[i] * S.RULE_SIZE
        if rule[S.RULE_FLAGS] & S.RULE_MARKED:
            verdict = PASS_MARKED
        if not ok:
            continue
        va = starts[i] + 4
        vb = starts[i + 1] if i + 1 < count else end
        form = rule[S.RULE_FORMAT]
        if form == S.FORMAT_RESERVED or (form != S.FORMAT_SKIP and not rule[S.RULE_MIN] <= vb - va <= rule[S.RULE_MAX]):
            ok = False
            continue
        pre = rule[S.RULE_PREFIX]
        if form == S.FORMAT_NUMERIC:
            for j in range(va + pre, vb):
                ch = PyUnicode_READ(kind, data, j)
                if ch < 48 or ch > 57:
                    ok = False
                    break
        elif form == S.FORMAT_ANS and not printable:
            for j in range(va + pre, vb):
                ch = PyUnicode_READ(kind, data, j)
                if ch < 32 or ch > 126:
                    ok = False
                    break
        k = rule[S.RULE_SET]
        if ok and k:
            if k > len(sets) or not PyFrozenSet_CheckExact(sets[k - 1]):
                raise ValueError("scan rules: a rule points past the sets")
            ok = PySet_Contains(sets[k - 1], text[va:min(va + pre, vb) if pre else vb]) == 1
            if rule[S.RULE_FLAGS] & S.RULE_EXCLUDES:
                ok = not ok
        w = rule[S.RULE_WITH]
        if ok and w != S.NO_ID:
            ok = w < S.TABLE_SIZE and (seen[w >> 6] >> (w & 63)) & 1
    return verdict | (PASS_OK if ok else 0)


DEF _AROUND_ROWS = 32   # batches from this size render the fixed runs once (its tables cost ~1 µs)


cdef struct _Run:
    # A fixed run of output bytes as its effect on the CRC state, s -> s * x^(8n) xor
    # crc(0, run), the product read from two tables built once: one step for any length.
    const uint8_t* p
    Py_ssize_t n
    uint16_t c
    uint16_t hi[256]
    uint16_t lo[256]


cdef void _run_init(_Run* run, const uint8_t* p, Py_ssize_t n) noexcept nogil:
    cdef uint16_t x
    cdef int b
    run.p = p
    run.n = n
    x = _xpow8(n)
    run.c = _crc(0, p, n)
    for b in range(256):
        run.hi[b] = _mulmod(<uint16_t>(b << 8), x)
        run.lo[b] = _mulmod(<uint16_t>b, x)


cdef inline uint16_t _run_crc(const _Run* run, uint16_t s) noexcept nogil:
    return run.hi[s >> 8] ^ run.lo[s & 0xFF] ^ run.c


cdef struct _Around:
    # An ASCII code's output around its two changing pieces, the amount and the start of
    # the 62 element ("62" + length + the sub-objects before 05 + "05" + length + reference),
    # in output order: three fixed runs (the rest of 62 starts the run after it, "6304" ends
    # the last), with their CRC effects.
    const uint8_t* text  # run 0, run 1, run 2, back to back
    Py_ssize_t n0
    bint amount_first
    uint16_t s0          # CRC state after run 0
    _Run run1
    _Run run2
    const uint8_t* head  # the 62 sub-objects before 05 (in the root's bytes)
    Py_ssize_t nhead
    Py_ssize_t nfixed    # characters of 62's value besides the reference: head, "05" + length, tail


cdef bytes _around(const Root* r, const Split62* split, const Piece* pieces, int k, int at_amount, int at_ref,
                   _Around* out):
    """Render the fixed runs of an ASCII code's plan once (the text is owned by the bytes
    returned, which the caller keeps alive while ``out`` is used)."""
    cdef int first = at_amount if at_amount < at_ref else at_ref
    cdef int second = at_ref if at_amount < at_ref else at_amount
    cdef Py_ssize_t n0 = 0, n1 = 0, n2 = 0, tail = split.tail_n
    cdef int j
    for j in range(first):
        n0 += pieces[j].n
    for j in range(first + 1, second):
        n1 += pieces[j].n
    for j in range(second + 1, k):
        n2 += pieces[j].n
    cdef bytes text = PyBytes_FromStringAndSize(NULL, n0 + tail + n1 + n2 + 4)
    cdef uint8_t* w = <uint8_t*>PyBytes_AS_STRING(text)
    out.amount_first = at_amount < at_ref
    w = _copy(r, w, pieces, first)
    if not out.amount_first:
        memcpy(w, r.b + split.tail_b, tail)
        w += tail
    w = _copy(r, w, pieces + first + 1, second - first - 1)
    if out.amount_first:
        memcpy(w, r.b + split.tail_b, tail)
        w += tail
    w = _copy(r, w, pieces + second + 1, k - second - 1)
    memcpy(w, <const char*>b"6304", 4)
    w = <uint8_t*>PyBytes_AS_STRING(text)
    out.text = w
    out.n0 = n0
    out.s0 = _hash(r, 0xFFFF, pieces, first)
    n1 += 0 if out.amount_first else tail
    n2 += 4 + (tail if out.amount_first else 0)
    _run_init(&out.run1, w + n0, n1)
    _run_init(&out.run2, w + n0 + n1, n2)
    out.head = r.b + split.head_b
    out.nhead = split.head_n
    out.nfixed = split.head_c + 4 + split.tail_c
    return text


cdef inline Py_ssize_t _write_62_start(const _Around* a, uint8_t* w, const uint8_t* ref, Py_ssize_t n) noexcept:
    """Write "62" + length + head + "05" + length + reference at ``w``; returns its size."""
    cdef Py_ssize_t value = a.nfixed + n
    w[0] = 54  # "62"
    w[1] = 50
    w[2] = <uint8_t>(48 + value // 10)
    w[3] = <uint8_t>(48 + value % 10)
    memcpy(w + 4, a.head, a.nhead)
    w += 4 + a.nhead
    w[0] = 48  # "05"
    w[1] = 53
    w[2] = <uint8_t>(48 + n // 10)
    w[3] = <uint8_t>(48 + n % 10)
    memcpy(w + 4, ref, n)
    return 8 + a.nhead + n


cdef object _emit_around(const _Around* a, const uint8_t* amount, Py_ssize_t namount, const uint8_t* ref,
                         Py_ssize_t nref):
    """An ASCII code from its fixed runs, the amount and the reference: ``_emit``'s text."""
    cdef Py_ssize_t m62 = 8 + a.nhead + nref
    out = PyUnicode_New(a.n0 + namount + a.run1.n + m62 + a.run2.n + 4, 127)
    cdef uint8_t* w = <uint8_t*>PyUnicode_DATA(out)
    cdef uint8_t* v
    cdef uint16_t s = a.s0
    cdef Py_ssize_t m
    memcpy(w, a.text, a.n0)
    w += a.n0
    v = w
    if a.amount_first:
        memcpy(w, amount, namount)
        m = namount
    else:
        m = _write_62_start(a, w, ref, nref)
    s = _run_crc(&a.run1, _crc(s, v, m))
    w += m
    memcpy(w, a.run1.p, a.run1.n)
    w += a.run1.n
    v = w
    if a.amount_first:
        m = _write_62_start(a, w, ref, nref)
    else:
        memcpy(w, amount, namount)
        m = namount
    s = _run_crc(&a.run2, _crc(s, v, m))
    w += m
    memcpy(w, a.run2.p, a.run2.n)
    _finish(w + a.run2.n - 4, s)
    return out


cdef class Payload:
    """A payload split at the root: the base of ``qriskit.QRIS`` on the native twin."""
    # _payload is set only once __init__ has succeeded: until then every method raises.

    cdef Root r
    cdef str _payload
    cdef object _items
    cdef public object _cache     # for the model's decoded fields (None until then)
    # conversion plans, made on first use
    cdef Plan* _plans             # dynamic plans by variant: bit 1 a tip, bit 2 a reference
    cdef uint8_t _planned         # bit v set: _plans[v] is ready
    cdef Split62 _split           # where a reference goes in 62
    cdef bint _split_ready
    cdef object _tip_tlv          # the Tip.tlv whose checked bytes are _tip_b
    cdef bytes _tip_b
    # the amount-only fast path: the output's text around the amount, rendered once
    cdef bint _ready
    cdef uint8_t* _text           # characters before the amount, then after it (storage _dk)
    cdef Py_ssize_t _npre         # characters before the amount
    cdef Py_ssize_t _npost_chars  # characters after it (before "6304")
    cdef uint32_t _mx             # the output's largest character (storage class)
    cdef int _dk
    cdef uint16_t _spre           # CRC state before the amount
    cdef const Piece* _post       # pieces after the amount, in _plans[0], for the CRC
    cdef int _npost

    def __dealloc__(self):
        free(self._text)
        free(self._plans)

    def __init__(self, payload, bint verify_crc=True):
        if self._payload is not None:
            raise TypeError("a Payload is immutable: it is already initialised")
        cdef str text = _as_text(payload)
        _load(&self.r, text, verify_crc)
        self._payload = text

    # -- reading -----------------------------------------------------------------------
    @property
    def payload(self):
        """The code exactly as given."""
        if self._payload is None:
            raise errors.uninitialised()
        return self._payload

    @property
    def crc(self):
        """The CRC as written in the code (4 characters)."""
        if self._payload is None:
            raise errors.uninitialised()
        return self._payload[len(self._payload) - 4:]

    @property
    def crc_ok(self):
        """Whether the written CRC matches the data (case-insensitively)."""
        if self._payload is None:
            raise errors.uninitialised()
        return self.r.crc_ok

    @property
    def computed_crc(self):
        """The CRC the data calls for, as 4 uppercase hex digits."""
        if self._payload is None:
            raise errors.uninitialised()
        return f"{self.r.computed:04X}"

    def items(self):
        """The root data objects as (id, value) pairs, in order, 63 last."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef int i
        if self._items is None:
            p = self._payload
            self._items = tuple(
                (p[self.r.cs[i]:self.r.cs[i] + 2], p[self.r.cs[i] + 4:self.r.cs[i + 1]])
                for i in range(self.r.count)
            )
        return self._items

    def spans(self):
        """(id, start, end) of each root data object, in characters, header included."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef int i
        p = self._payload
        return tuple(
            (p[self.r.cs[i]:self.r.cs[i] + 2], self.r.cs[i], self.r.cs[i + 1]) for i in range(self.r.count)
        )

    def get(self, tag, default=None):
        """The value of root data object ``tag``, or ``default``."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef int t = _tag_number(tag)
        if t < 0 or self.r.pos[t] < 0:
            return default
        cdef int i = self.r.pos[t]
        return _slice(self._payload, self.r.cs[i] + 4, self.r.cs[i + 1], self.r.ascii)

    def scan(self, bytes lo, bytes hi, bytes fmt, rules=None):
        """One pass over the root objects (63 aside) for ``validation``, driven by per-id tables."""
        if self._payload is None:
            raise errors.uninitialised()
        if len(lo) != S.TABLE_SIZE or len(hi) != S.TABLE_SIZE or len(fmt) != S.TABLE_SIZE:
            raise ValueError(f"scan tables must be {S.TABLE_SIZE} bytes each")
        cdef const uint8_t* L = <const uint8_t*>PyBytes_AS_STRING(lo)
        cdef const uint8_t* H = <const uint8_t*>PyBytes_AS_STRING(hi)
        cdef const uint8_t* F = <const uint8_t*>PyBytes_AS_STRING(fmt)
        cdef Rules rs
        cdef tuple held = _rules(rules, &rs)   # keeps the rules' bytes and sets alive
        cdef str text = self._payload
        cdef int kind = PyUnicode_KIND(text)
        cdef const void* data = PyUnicode_DATA(text)
        cdef int i, t, f, prev = -1, order = -1, flags = 0, block, count, verdict
        cdef Py_ssize_t j, n, a, size = len(text)
        cdef Py_UCS4 ch
        cdef uint8_t subtags[MAX_EL]
        cdef int32_t substarts[MAX_EL]
        found = []
        templates = []
        cdef bint ascii = self.r.ascii
        if ascii and _printable_ascii(<const uint8_t*>data, size):
            flags = S.FLAG_PRINTABLE
        for i in range(self.r.count - 1):
            t = self.r.tag[i]
            if order < 0 and t < prev:
                order = t
            prev = t
            f = F[t]
            if f & S.ID_MARKED:
                flags |= S.FLAG_MARKED
            f &= S.FORMAT_MASK
            if f == S.FORMAT_SKIP:
                continue
            if f == S.FORMAT_RESERVED:
                found.append((_TAGS[t], S.FINDING_RESERVED))
                continue
            a = self.r.cs[i] + 4
            n = self.r.cs[i + 1] - a
            if f >= S.FORMAT_TEMPLATE:
                if f >= S.FORMAT_ACCOUNT:
                    flags |= S.FLAG_ACCOUNT
                if f != S.FORMAT_ACCOUNT:
                    block = rs.classes[t] if rs.classes != NULL else 0
                    if block > rs.blocks:
                        raise ValueError("scan rules: a class points past the table")
                    count = _split(kind, data, a, a + n, subtags, substarts)
                    if block and count >= 0:
                        verdict = _passes(text, kind, data, a + n, subtags, substarts, count, &rs, block - 1,
                                          <tuple>held[3], flags & S.FLAG_PRINTABLE)
                        if verdict & PASS_MARKED:
                            flags |= S.FLAG_SUB_MARKED
                        if verdict & PASS_OK:
                            continue
                    value = _slice(text, a, a + n, ascii)
                    if count >= 0:
                        sub = _items(text, kind, data, a + n, subtags, substarts, count, ascii)
                    else:
                        try:
                            sub = _tlv_map(value, a, _TAGS[t])
                        except errors.QRISError as exc:
                            sub = exc
                    templates.append((_TAGS[t], value, a - 4, sub))
                    continue
                f = S.FORMAT_ANS
            if n < L[t] or n > H[t]:
                found.append((_TAGS[t], S.FINDING_LENGTH))
            if f == S.FORMAT_NUMERIC:
                for j in range(a, a + n):
                    ch = PyUnicode_READ(kind, data, j)
                    if ch < 48 or ch > 57:
                        found.append((_TAGS[t], S.FINDING_NOT_DIGITS))
                        break
            elif f == S.FORMAT_ANS and not (flags & S.FLAG_PRINTABLE):
                for j in range(a, a + n):
                    ch = PyUnicode_READ(kind, data, j)
                    if ch < 32 or ch > 126:
                        found.append((_TAGS[t], S.FINDING_NOT_PRINTABLE))
                        break
        for t in range(0, S.TABLE_SIZE, 4):   # four flag bytes at a time: most have no REQUIRED bit
            if (F[t] | F[t + 1] | F[t + 2] | F[t + 3]) & S.ID_REQUIRED:
                for i in range(t, t + 4):
                    if F[i] & S.ID_REQUIRED and self.r.pos[i] < 0:
                        found.append((_TAGS[i], S.FINDING_MISSING))
        for j in range(size - 4, size):
            ch = PyUnicode_READ(kind, data, j)
            if 97 <= ch <= 122:
                flags |= S.FLAG_CRC_LOWERCASE
        return tuple(found), (_TAGS[order] if order >= 0 else None), tuple(templates), flags

    def offset(self, tag):
        """Where root data object ``tag`` starts (its header), in characters, or None."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef int t = _tag_number(tag)
        if t < 0 or self.r.pos[t] < 0:
            return None
        return self.r.cs[self.r.pos[t]]

    def __contains__(self, tag):
        """Whether root data object ``tag`` is present."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef int t = _tag_number(tag)
        return t >= 0 and self.r.pos[t] >= 0

    # -- converting --------------------------------------------------------------------
    def to_dynamic(self, amount, tip=None, reference=None):
        """This code as a dynamic code for ``amount`` (see ``qriskit.to_dynamic``)."""
        if self._payload is None:
            raise errors.uninitialised()
        cdef uint8_t chunk[AMT_MAX]
        cdef Py_ssize_t n = _amount_chunk(amount, chunk, &self.r, self._payload)
        return self._dynamic(chunk, n, tip, reference)

    def to_static(self):
        """This code as a static code: 01 set to 11, the amount (54) removed."""
        if self._payload is None:
            raise errors.uninitialised()
        return _convert(&self.r, self._payload, False, NULL, 0, None, None)

    def to_dynamic_many(self, amounts, tip=None, references=None):
        """One dynamic code per amount, in order; with ``references``, one reference (or None) each."""
        if self._payload is None:
            raise errors.uninitialised()
        if references is not None:
            return self._many_referenced(amounts, tip, references)
        cdef uint8_t chunk[AMT_MAX]
        cdef Py_ssize_t n, i = 0
        out = []
        if tip is not None:
            self._tip(tip)  # a bad tip fails before any amount is read
        for amount in amounts:
            try:
                n = _amount_chunk(amount, chunk, &self.r, self._payload)
            except errors.AmountError as exc:
                raise errors.in_batch(exc, i) from None
            out.append(self._dynamic(chunk, n, tip, None))
            i += 1
        return out

    cdef list _many_referenced(self, amounts, tip, references):
        """``to_dynamic_many`` with a reference (or None) per amount: the reference variant's
        plan laid out once; for an ASCII code and a batch of ``_AROUND_ROWS`` or more, the fixed
        text rendered once around the two pieces that change (the amount and the 62 element),
        so a row costs a few copies and a few dozen bytes of hashing (see ``_Around``)."""
        cdef Piece pieces[MAX_PIECES]
        cdef const uint8_t* ref
        cdef Py_ssize_t nref
        cdef uint8_t chunk[AMT_MAX]
        cdef uint8_t refbuf[REF_MAX]
        cdef _Around around
        cdef bytes tipb = None, fixed = None
        cdef Py_ssize_t i, n, count
        cdef list amts, refs, out
        amts, refs = _paired(amounts, references)   # private copies: no caller code can resize them
        count = len(amts)
        if tip is not None:
            tipb = self._tip(tip)  # a bad tip fails before any amount is read
        cdef const Plan* plan = self._plan_for((tip is not None) | 2)
        memcpy(pieces, plan.pieces, plan.k * sizeof(Piece))
        if tipb is not None:
            _set(&pieces[plan.at[1]], <const uint8_t*>PyBytes_AS_STRING(tipb), len(tipb), len(tipb), 0)
        out = PyList_New(count)
        for i in range(count):
            try:
                n = _amount_chunk(amts[i], chunk, &self.r, self._payload)
            except errors.AmountError as exc:
                raise errors.in_batch(exc, i) from None
            reference = refs[i]
            if reference is None:
                code = self._dynamic(chunk, n, tip, None)
            else:
                try:
                    if not self._split_ready:
                        reference = _checked_reference(reference)  # named before a damaged 62
                        _split62(&self.r, self._payload, &self._split)
                        self._split_ready = True
                    reference = _reference_bytes(&self._split, reference, &ref, &nref)
                except errors.QRISError as exc:
                    raise errors.in_batch(exc, i, "references") from None
                if fixed is None and self.r.ascii and count >= _AROUND_ROWS:
                    fixed = _around(&self.r, &self._split, pieces, plan.k, plan.at[0], plan.at[2], &around)
                if fixed is not None:
                    code = _emit_around(&around, chunk, n, ref, nref)
                else:
                    _set(&pieces[plan.at[0]], chunk, n, n, 0)
                    _write_62(&self.r, &self._split, ref, nref, refbuf, &pieces[plan.at[2]])
                    code = _emit(&self.r, pieces, plan.k)
            Py_INCREF(code)
            PyList_SET_ITEM(out, i, code)
        return out

    cdef object _dynamic(self, const uint8_t* chunk, Py_ssize_t n, tip, reference):
        """A dynamic code from a cached plan: the tip and reference pieces filled in."""
        cdef Piece pieces[MAX_PIECES]
        cdef uint8_t refbuf[REF_MAX]
        cdef bytes tipb
        cdef int variant = (tip is not None) | ((reference is not None) << 1)
        if variant == 0:
            return self._fast(chunk, n)
        cdef const Plan* plan = self._plan_for(variant)
        memcpy(pieces, plan.pieces, plan.k * sizeof(Piece))
        _set(&pieces[plan.at[0]], chunk, n, n, 0)
        if tip is not None:
            tipb = self._tip(tip)
            _set(&pieces[plan.at[1]], <const uint8_t*>PyBytes_AS_STRING(tipb), len(tipb), len(tipb), 0)
        if reference is not None:
            reference = _checked_reference(reference)  # a bad reference is named before a damaged 62
            if not self._split_ready:
                _split62(&self.r, self._payload, &self._split)
                self._split_ready = True
            _reference_piece(&self.r, &self._split, reference, refbuf, &pieces[plan.at[2]])
        return _emit(&self.r, pieces, plan.k)

    cdef bytes _tip(self, tip):
        """The tip's 55-57 bytes, checked against this code's currency once per Tip."""
        cdef bint exact = type(tip) is Tip
        if exact and tip.tlv is self._tip_tlv:
            return self._tip_b
        cdef bytes b = _tip_bytes(tip, &self.r, self._payload)
        if exact:
            self._tip_tlv = tip.tlv
            self._tip_b = b
        return b

    cdef const Plan* _plan_for(self, int variant) except NULL:
        """The layout of a dynamic conversion (tip? reference?), computed once per code."""
        cdef Piece placeholder
        cdef Plan* plan
        if self._plans == NULL:
            self._plans = <Plan*>calloc(4, sizeof(Plan))
            if self._plans == NULL:
                raise MemoryError()
        plan = &self._plans[variant]
        if not (self._planned >> variant) & 1:
            _set(&placeholder, <const uint8_t*>b"", 0, 0, 0)
            plan.k = _plan(&self.r, True, &placeholder, &placeholder if variant & 1 else NULL,
                           &placeholder if variant & 2 else NULL, plan.pieces, plan.at)
            if plan.k < 0:
                raise AssertionError("conversion plan overflow")
            self._planned |= 1 << variant
        return plan

    cdef int _prepare(self) except -1:
        """Cache the amount-only plan: the text before and after the amount, rendered in the
        output's storage, and the CRC state before it."""
        cdef const Plan* plan = self._plan_for(0)
        cdef int a = plan.at[0], j
        cdef Py_ssize_t pre = 0, post = 0
        for j in range(a):
            pre += plan.pieces[j].nc
        for j in range(a + 1, plan.k):
            post += plan.pieces[j].nc
        self._mx = _largest(&self.r, plan.pieces, plan.k)
        self._dk = 1 if self._mx < 256 else 2 if self._mx < 65536 else 4
        self._text = <uint8_t*>malloc((pre + post) * self._dk + 1)
        if self._text == NULL:
            raise MemoryError()
        _render(&self.r, plan.pieces, a, self._text, self._dk, 0)
        _render(&self.r, plan.pieces + a + 1, plan.k - a - 1, self._text, self._dk, pre)
        self._npre = pre
        self._npost_chars = post
        self._spre = _hash(&self.r, 0xFFFF, plan.pieces, a)
        self._post = plan.pieces + a + 1   # source spans, or the "010212" literal
        self._npost = plan.k - a - 1
        self._ready = True
        return 0

    cdef object _fast(self, const uint8_t* chunk, Py_ssize_t n):
        """Amount-only conversion from the cached text: two copies, the amount and the CRC."""
        cdef Py_ssize_t i
        if not self._ready:
            self._prepare()
        cdef uint16_t s = _hash(&self.r, _crc(self._spre, chunk, n), self._post, self._npost)
        cdef int dk = self._dk
        out = PyUnicode_New(self._npre + n + self._npost_chars + 8, self._mx if self._mx > 127 else 127)
        cdef uint8_t* buf = <uint8_t*>PyUnicode_DATA(out)
        memcpy(buf, self._text, self._npre * dk)
        if dk == 1:
            memcpy(buf + self._npre, chunk, n)
        else:
            for i in range(n):
                PyUnicode_WRITE(dk, buf, self._npre + i, chunk[i])
        memcpy(buf + (self._npre + n) * dk, self._text + self._npre * dk, self._npost_chars * dk)
        _finish_text(buf, dk, self._npre + n + self._npost_chars, _crc(s, <const uint8_t*>b"6304", 4))
        return out

    def __reduce__(self):
        """Pickle as the payload (parsed again without the CRC check)."""
        if self._payload is None:
            raise errors.uninitialised()
        return (type(self), (self._payload, False))


cdef tuple _TAGS = tuple(f"{i:02d}" for i in range(100))


def scan_protocol():
    """The scan protocol's numbers as compiled in (from ``_scan.pxd``), for the twin test."""
    return {
        "TABLE_SIZE": S.TABLE_SIZE, "FORMAT_MASK": S.FORMAT_MASK,
        "Format.SKIP": S.FORMAT_SKIP, "Format.ANS": S.FORMAT_ANS, "Format.NUMERIC": S.FORMAT_NUMERIC,
        "Format.RESERVED": S.FORMAT_RESERVED, "Format.LENGTH": S.FORMAT_LENGTH,
        "Format.TEMPLATE": S.FORMAT_TEMPLATE, "Format.ACCOUNT": S.FORMAT_ACCOUNT,
        "Format.ACCOUNT_TEMPLATE": S.FORMAT_ACCOUNT_TEMPLATE,
        "IdFlag.REQUIRED": S.ID_REQUIRED, "IdFlag.MARKED": S.ID_MARKED,
        "Finding.LENGTH": S.FINDING_LENGTH, "Finding.NOT_DIGITS": S.FINDING_NOT_DIGITS,
        "Finding.NOT_PRINTABLE": S.FINDING_NOT_PRINTABLE, "Finding.RESERVED": S.FINDING_RESERVED,
        "Finding.MISSING": S.FINDING_MISSING,
        "ScanFlag.ACCOUNT": S.FLAG_ACCOUNT, "ScanFlag.PRINTABLE": S.FLAG_PRINTABLE,
        "ScanFlag.MARKED": S.FLAG_MARKED, "ScanFlag.CRC_LOWERCASE": S.FLAG_CRC_LOWERCASE,
        "ScanFlag.SUB_MARKED": S.FLAG_SUB_MARKED,
        "RULE_SIZE": S.RULE_SIZE, "NO_ID": S.NO_ID,
        "Rule.FORMAT": S.RULE_FORMAT, "Rule.FLAGS": S.RULE_FLAGS, "Rule.MIN": S.RULE_MIN, "Rule.MAX": S.RULE_MAX,
        "Rule.SET": S.RULE_SET, "Rule.PREFIX": S.RULE_PREFIX, "Rule.WITH": S.RULE_WITH,
        "RuleFlag.REQUIRED": S.RULE_REQUIRED, "RuleFlag.EXCLUDES": S.RULE_EXCLUDES,
        "RuleFlag.MARKED": S.RULE_MARKED,
    }


cdef int _tag_number(tag) noexcept:
    if not isinstance(tag, str) or len(<str>tag) != 2:
        return -1
    cdef int a = <int>(<str>tag)[0] - 48, b = <int>(<str>tag)[1] - 48
    if not (0 <= a <= 9 and 0 <= b <= 9):
        return -1
    return a * 10 + b


cdef bytes _tip_bytes(tip, const Root* r, str text):
    return (<str>tip_tlv(tip, _currency(r, text))).encode("ascii")


cdef Py_ssize_t _amount_chunk(amount, uint8_t* out, const Root* r, str text) except -1:
    """Write "54" + length + amount text into out (AMT_MAX bytes); returns the byte count.

    int, Decimal and ASCII str amounts that are plainly fine are written here (a Decimal by
    its ``str``, which has no exponent then); anything else, and every error, goes through
    ``qriskit.values.amount_text`` so both twins say the same.
    """
    cdef long long v
    cdef int overflow = 0
    cdef Py_ssize_t n = 0, i
    cdef uint8_t digits[24]
    cdef const uint8_t* p
    text_form = None
    if PyLong_CheckExact(amount):
        v = PyLong_AsLongLongAndOverflow(amount, &overflow)
        if overflow == 0 and 0 < v < 10000000000000LL:
            while v:
                digits[n] = <uint8_t>(48 + v % 10)
                v //= 10
                n += 1
            for i in range(n):
                out[4 + i] = digits[n - 1 - i]
            return _head(out, n)
    elif PyUnicode_CheckExact(amount):
        text_form = amount
    elif type(amount) is _Decimal:
        text_form = PyObject_Str(amount)
    if text_form is not None and PyUnicode_IS_ASCII(text_form):
        p = <const uint8_t*>PyUnicode_DATA(text_form)
        n = plain_amount(p, PyUnicode_GET_LENGTH(text_form), r.minor)
        if n > 0:
            memcpy(out + 4, p, n)
            return _head(out, n)
    cdef str checked = amount_text(amount, currency=_currency(r, text))
    n = PyUnicode_GET_LENGTH(checked)
    if not (PyUnicode_IS_ASCII(checked) and 0 < n <= AMT_DIGITS):  # amount_text guarantees it
        raise AssertionError(f"amount text of {n} characters")
    memcpy(out + 4, PyUnicode_DATA(checked), n)
    return _head(out, n)


cdef Py_ssize_t plain_amount(const uint8_t* p, Py_ssize_t n, signed char minor) noexcept nogil:
    """``n`` when ASCII ``p[:n]`` is an amount that is plainly fine (1-13 digits with at most
    one '.' after the first, not all zeros, no more decimals than ``minor`` when it is known),
    else -1: then ``values.amount_text`` decides (and words any error)."""
    cdef Py_ssize_t i, dot = -1
    cdef bint nonzero = False
    if not 0 < n <= AMT_DIGITS:
        return -1
    for i in range(n):
        if p[i] == 46 and dot < 0 and i > 0:
            dot = i
        elif 48 <= p[i] <= 57:
            nonzero = nonzero or p[i] != 48
        else:
            return -1
    # 3 decimals in an unknown currency may be grouping (15.000): values.check_decimals decides
    if nonzero and (dot < 0 or (minor < 0 and n - dot - 1 != 3) or n - dot - 1 <= minor):
        return n
    return -1


cdef Py_ssize_t amount_head(uint8_t* out, Py_ssize_t n) noexcept nogil:
    """Write the "54" + length header in front of ``n`` amount characters at ``out + 4``."""
    return _head(out, n)


cdef inline Py_ssize_t _head(uint8_t* out, Py_ssize_t n) noexcept nogil:
    out[0] = 53   # "54"
    out[1] = 52
    out[2] = <uint8_t>(48 + n // 10)
    out[3] = <uint8_t>(48 + n % 10)
    return n + 4


def to_dynamic(payload, amount, *, tip=None, reference=None, bint verify_crc=True):
    """Return ``payload`` as a dynamic code for ``amount``, with a fresh CRC."""
    cdef Root r
    cdef str text = _as_text(payload)
    _load(&r, text, verify_crc)
    cdef uint8_t chunk[AMT_MAX]
    cdef Py_ssize_t n = _amount_chunk(amount, chunk, &r, text)
    return _convert(&r, text, True, chunk, n, tip, reference)


def to_static(payload, *, bint verify_crc=True):
    """Return ``payload`` as a static code: 01 set to "11" and the amount (54) removed."""
    cdef Root r
    cdef str text = _as_text(payload)
    _load(&r, text, verify_crc)
    return _convert(&r, text, False, NULL, 0, None, None)


def to_dynamic_many(payload, amounts, *, tip=None, references=None, bint verify_crc=True):
    """One dynamic code per amount, in order: parse once, convert fast."""
    return Payload(payload, verify_crc).to_dynamic_many(amounts, tip, references)


cdef tuple _paired(amounts, references):
    """Amounts and references as two new lists of one length (``_codec_py._paired``)."""
    if isinstance(references, (str, bytes, bytearray, memoryview)):
        raise TypeError(f"references must be a sequence of str or None, not {type(references).__name__}")
    try:
        refs = list(references)
    except TypeError:
        raise TypeError(f"references must be a sequence of str or None, not {type(references).__name__}") from None
    amts = list(amounts)
    if len(amts) != len(refs):
        raise errors.batch_lengths(len(amts), len(refs))
    return amts, refs


# -- bytes in, bytes out, without the GIL: what the Arrow kernels (_arrow_c.pyx) call ------------
# Each function takes the fast path for input that is plainly fine and answers -1 for anything
# else; the caller then runs the str-based function above, which raises the shared error (or,
# for input the fast path is merely too cautious about, gives the result).

cdef int _walk_ascii(const uint8_t* p, Py_ssize_t start, Py_ssize_t end, bint root,
                     uint8_t* tags, int32_t* starts) noexcept nogil:
    """``_walk`` over ASCII bytes: the number of objects, or -1 where ``_walk`` would raise."""
    cdef Py_ssize_t pos = start, length
    cdef uint64_t seen[2]
    cdef int count = 0, tag, c0, c1, l0, l1
    seen[0] = 0
    seen[1] = 0
    while pos < end:
        if end - pos < 4:
            return -1
        c0 = <int>p[pos] - 48
        c1 = <int>p[pos + 1] - 48
        if not (0 <= c0 <= 9 and 0 <= c1 <= 9):
            return -1
        tag = c0 * 10 + c1
        if root and ((count == 0 and tag != 0) or tag == 63):
            return -1
        l0 = <int>p[pos + 2] - 48
        l1 = <int>p[pos + 3] - 48
        if not (0 <= l0 <= 9 and 0 <= l1 <= 9) or (l0 == 0 and l1 == 0):
            return -1
        length = l0 * 10 + l1
        if pos + 4 + length > end or seen[tag >> 6] & (1ULL << (tag & 63)):
            return -1
        seen[tag >> 6] |= 1ULL << (tag & 63)
        tags[count] = <uint8_t>tag
        starts[count] = <int32_t>pos
        count += 1
        pos += 4 + length
    return count


cdef int load_ascii(Root* r, const uint8_t* p, Py_ssize_t n, bint verify_crc) noexcept nogil:
    """``_load`` for a payload given as ASCII bytes (``p`` must outlive ``r``): 0, or -1 when
    a byte is not ASCII, the code starts or ends with a space or control character, or
    ``_load`` would raise."""
    cdef Py_ssize_t i, at = 0
    cdef int count, k, h, found = 0
    cdef bint hexok = True
    cdef uint16_t state = 0xFFFF
    if n < 8 or n > 0x7FFFFFFF or p[0] <= 32 or p[n - 1] <= 32:
        return -1
    for i in range(n):
        if p[i] >= 0x80:
            return -1
    if p[n - 8] != 54 or p[n - 7] != 51 or p[n - 6] != 48 or p[n - 5] != 52:
        return -1
    for k in range(4):
        h = _hexval(p[n - 4 + k])
        if h < 0:
            hexok = False
            break
        found = (found << 4) | h
    if verify_crc and not hexok:
        return -1
    count = _walk_ascii(p, 0, n - 8, True, r.tag, r.cs)
    if count <= 0:
        return -1
    r.b = p
    r.nb = n
    r.tag[count] = 63
    r.cs[count] = <int32_t>(n - 8)
    count += 1
    r.cs[count] = <int32_t>n
    r.count = count
    r.ascii = True
    r.kind = 1
    r.data = p
    memcpy(r.bs, r.cs, sizeof(int32_t) * (count + 1))
    memset(r.pos, 0xFF, sizeof(r.pos))
    for i in range(count):
        r.pos[r.tag[i]] = <signed char>i
    r.minor = _minor_units(r, 1, p)
    _mark(r)
    for i in range(count):
        if r.mark[i]:
            state = _crc(state, p + at, r.bs[i] - at)
            at = r.bs[i]
            r.st[i] = state
    r.computed = _crc(r.st[count - 1], <const uint8_t*>b"6304", 4)
    r.crc_ok = hexok and found == r.computed
    if verify_crc and not r.crc_ok:
        return -1
    return 0


cdef int split62_ascii(const Root* r, Split62* out) noexcept nogil:
    """``_split62`` for an ASCII root: 0, or -1 when the root is not ASCII or its 62 is not
    valid TLV."""
    cdef uint8_t tags[MAX_EL]
    cdef int32_t starts[MAX_EL]
    cdef int i = r.pos[62], count, j, cut = -1, resume = -1
    cdef Py_ssize_t a, b, cut_c, resume_c
    memset(out, 0, sizeof(Split62))
    if i < 0:
        return 0
    if not r.ascii:
        return -1
    a = r.cs[i] + 4
    b = r.cs[i + 1]
    count = _walk_ascii(r.b, a, b, False, tags, starts)
    if count < 0:
        return -1
    for j in range(count):
        if tags[j] == 5:
            cut, resume = j, j + 1
            break
        if tags[j] > 5:
            cut, resume = j, j
            break
    if cut < 0:
        cut = resume = count
    cut_c = starts[cut] if cut < count else b
    resume_c = starts[resume] if resume < count else b
    out.head_b, out.head_n, out.head_c = a, cut_c - a, cut_c - a
    out.tail_b, out.tail_n, out.tail_c = resume_c, b - resume_c, b - resume_c
    return 0


cdef int reference_piece_bytes(const Root* r, const Split62* split, const uint8_t* ref, Py_ssize_t n,
                               uint8_t* buf, Piece* piece) noexcept nogil:
    """``_reference_piece`` for a reference given as bytes: 0, or -1 when it is not 1-25
    printable ASCII characters or 62 would grow past 99."""
    cdef Py_ssize_t j
    if not 1 <= n <= REF_DIGITS or split.head_c + 4 + n + split.tail_c > 99:
        return -1
    for j in range(n):
        if not 32 <= ref[j] <= 126:
            return -1
    _write_62(r, split, ref, n, buf, piece)
    return 0


cdef int plan_pieces(const Root* r, bint dynamic, const Piece* amt, const Piece* tip, const Piece* ref,
                     Piece* out, int* at) noexcept nogil:
    """``_plan``: the output's pieces (-1 if they would not fit)."""
    return _plan(r, dynamic, amt, tip, ref, out, at)


cdef void set_piece(Piece* piece, const uint8_t* p, Py_ssize_t n) noexcept nogil:
    """Make ``piece`` hold the ASCII bytes ``p[:n]``."""
    _set(piece, p, n, n, 0)


cdef uint16_t crc_update(uint16_t s, const uint8_t* p, Py_ssize_t n) noexcept nogil:
    """CRC state ``s`` carried over ``p[:n]``."""
    return _crc(s, p, n)


cdef uint16_t crc_mul(uint16_t a, uint16_t b) noexcept nogil:
    """``a * b`` modulo the CRC polynomial (see ``_mulmod``)."""
    return _mulmod(a, b)


cdef uint16_t crc_shift(Py_ssize_t n) noexcept nogil:
    """x^(8n) mod P: ``crc(s, B) == crc_mul(s, crc_shift(len(B))) ^ crc(0, B)``."""
    return _xpow8(n)


cdef uint16_t hash_pieces(const Root* r, uint16_t s, const Piece* pieces, int k) noexcept nogil:
    """CRC state ``s`` carried over the pieces (see ``_hash``)."""
    return _hash(r, s, pieces, k)


cdef uint8_t* copy_pieces(const Root* r, uint8_t* w, const Piece* pieces, int k) noexcept nogil:
    """Write the pieces' UTF-8 bytes at ``w``; returns the end."""
    return _copy(r, w, pieces, k)


cdef void finish_crc(uint8_t* w, uint16_t s) noexcept nogil:
    """Write "6304" and ``s`` as 4 uppercase hex digits at ``w``."""
    _finish(w, s)
