# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True
# cython: initializedcheck=False
"""The native Arrow twin: conversion kernels that read Arrow columns and write Arrow buffers.

Same function and results as ``qriskit/_arrow_py.py`` (the readable reference). Rows that
are plainly fine (an ASCII code that walks and checks, an int/decimal/ASCII amount within
the rules, a printable reference) are converted here without the GIL, straight into the
output's offset and data buffers: no Python object per row. Every other row (an error, or
input the byte-level checks are too cautious about) is handed, with the GIL, to
``_arrow_rows.convert_row`` on the native codec twin, so its result or error is the
library's own. One static code for every row takes the fastest path: the text before and
after the amount is laid out once, and a row's CRC is the amount's dozen bytes plus one
carry-less multiply (``crc(s, B) = s * x^(8|B|) xor crc(0, B)``).
"""

from libc.stdint cimport int32_t, int64_t, uint8_t, uint16_t, uint64_t, uintptr_t
from libc.stdlib cimport free, malloc, realloc
from libc.string cimport memcmp, memcpy, memset

from qriskit._codec_c cimport (
    AMT_MAX, MAX_PIECES, REF_MAX, Piece, Root, Split62, _load, _split62, amount_head, copy_pieces,
    crc_mul, crc_shift, crc_update, finish_crc, hash_pieces, load_ascii, plain_amount, plan_pieces,
    reference_piece_bytes, set_piece, split62_ascii,
)

import pyarrow as pa

from qriskit import _codec_c, errors
from qriskit._arrow_rows import STRING_LIMIT, cell, convert_row, static_row

__all__ = ["codec", "convert"]

#: The codec twin this Arrow twin converts with.
codec = _codec_c

cdef extern from *:
    """
    #include <stdlib.h>
    #include <stdint.h>
    #if defined(__linux__)
    #include <sys/mman.h>
    #endif
    /* Large outputs ask for transparent huge pages: first-touching 4 KiB pages costs more than
       writing the codes. Memory stays malloc's (free and realloc work on it). */
    static void qk_huge(void* p, size_t n) {
    #if defined(__linux__) && defined(MADV_HUGEPAGE)
        const uintptr_t page = (uintptr_t)2 << 20;
        uintptr_t a = ((uintptr_t)p + page - 1) & ~(page - 1), b = ((uintptr_t)p + n) & ~(page - 1);
        if (b > a) madvise((void*)a, b - a, MADV_HUGEPAGE);
    #else
        (void)p; (void)n;
    #endif
    }
    static void* qk_alloc(size_t n) {
        void* p = NULL;
        if (n >= ((size_t)4 << 20)) {
            if (posix_memalign(&p, (size_t)2 << 20, n) != 0) return NULL;
            qk_huge(p, n);
            return p;
        }
        return malloc(n ? n : 1);
    }
    static void* qk_realloc(void* p, size_t n) {
        void* q = realloc(p, n ? n : 1);
        if (q != NULL && n >= ((size_t)4 << 20)) qk_huge(q, n);
        return q;
    }
    """
    void* qk_alloc(size_t n) nogil
    void* qk_realloc(void* p, size_t n) nogil


def fill_floor(Py_ssize_t size):
    """Allocate ``size`` bytes as the kernels do, fill them, free them: the benchmarks' floor."""
    cdef uint8_t* p = <uint8_t*>qk_alloc(size)
    if p == NULL:
        raise MemoryError()
    with nogil:
        memset(p, 48, size)
    free(p)


cdef enum:
    K_I64 = 1      # int64 values
    K_U64 = 2      # uint64 values
    K_DEC = 3      # decimal128 values (scale >= 0)
    K_S32 = 4      # string / binary: int32 offsets
    K_S64 = 5      # large_string / large_binary: int64 offsets
    K_I32 = 6      # int32 values (tip indices)
    K_OBJ = 7      # Python values (a list): the library decides each row

cdef int64_t AMOUNT_LIMIT = 10000000000000   # 10**13: 13 digits at most


cdef struct Col:
    int kind
    bint broadcast        # one value for every row
    Py_ssize_t offset     # the array's offset, in elements
    const uint8_t* valid  # validity bitmap, or NULL when every row is valid
    const uint8_t* values # values, or offsets for strings
    const uint8_t* data   # string bytes
    int scale             # decimal scale


cdef inline Py_ssize_t _at(const Col* c, Py_ssize_t i) noexcept nogil:
    return c.offset + (0 if c.broadcast else i)


cdef inline bint _valid(const Col* c, Py_ssize_t i) noexcept nogil:
    cdef Py_ssize_t j
    if c.valid == NULL:
        return True
    j = _at(c, i)
    return (c.valid[j >> 3] >> (j & 7)) & 1


cdef inline const uint8_t* _bytes(const Col* c, Py_ssize_t i, Py_ssize_t* n) noexcept nogil:
    cdef Py_ssize_t j = _at(c, i), a, b
    if c.kind == K_S32:
        a = (<const int32_t*>c.values)[j]
        b = (<const int32_t*>c.values)[j + 1]
    else:
        a = (<const int64_t*>c.values)[j]
        b = (<const int64_t*>c.values)[j + 1]
    n[0] = b - a
    return c.data + a


cdef inline const uint8_t* _address(buf):
    if buf is None:
        return NULL
    return <const uint8_t*><uintptr_t>buf.address


cdef int _bind(Col* c, arr, Py_ssize_t n) except -1:
    """Point ``c`` at the buffers of Arrow array ``arr`` (the caller keeps ``arr`` alive)."""
    memset(c, 0, sizeof(Col))
    if len(arr) not in (1, n):
        raise ValueError(f"a column of {len(arr)} rows among columns of {n}")
    if not isinstance(arr, pa.Array):   # a list of Python values, or one for every row
        c.kind = K_OBJ
        c.broadcast = len(arr) != n or n == 1
        return 0
    t = arr.type
    c.broadcast = len(arr) != n or n == 1
    c.offset = arr.offset
    bufs = arr.buffers()
    c.valid = _address(bufs[0]) if arr.null_count else NULL
    if pa.types.is_int64(t):
        c.kind = K_I64
    elif pa.types.is_uint64(t):
        c.kind = K_U64
    elif pa.types.is_int32(t):
        c.kind = K_I32
    elif pa.types.is_decimal128(t) and t.scale >= 0:
        c.kind = K_DEC
        c.scale = t.scale
    elif pa.types.is_string(t) or pa.types.is_binary(t):
        c.kind = K_S32
    elif pa.types.is_large_string(t) or pa.types.is_large_binary(t):
        c.kind = K_S64
    else:
        c.kind = K_OBJ
        return 0
    c.values = _address(bufs[1])
    if c.kind == K_S32 or c.kind == K_S64:
        c.data = _address(bufs[2])
        if c.data == NULL:
            c.data = <const uint8_t*>b""
    return 0


cdef Py_ssize_t _text_bytes(const Col* c, Py_ssize_t n) noexcept:
    """The bytes of a string column's ``n`` rows: of its own rows, not of the whole buffer a
    slice shares (a batch sliced from a large table would reserve the table's size)."""
    cdef Py_ssize_t first, last
    if c.values == NULL:
        return 0
    _bytes(c, 0, &first)
    if c.broadcast:
        return first * n
    if c.kind == K_S32:
        first = (<const int32_t*>c.values)[c.offset]
        last = (<const int32_t*>c.values)[c.offset + n]
    else:
        first = (<const int64_t*>c.values)[c.offset]
        last = (<const int64_t*>c.values)[c.offset + n]
    return last - first


cdef const char* PAIRS = (b"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                          b"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                          b"8081828384858687888990919293949596979899")
cdef const char* HEX = b"0123456789ABCDEF"


cdef inline Py_ssize_t _digits(uint64_t v, uint8_t* out) noexcept nogil:
    """Write ``v`` (> 0) in decimal at ``out``, two digits a step; returns the digit count."""
    cdef uint8_t tmp[24]
    cdef Py_ssize_t k = 24
    cdef uint64_t q
    while v >= 100:
        q = v // 100
        k -= 2
        memcpy(tmp + k, PAIRS + 2 * (v - q * 100), 2)
        v = q
    if v >= 10:
        k -= 2
        memcpy(tmp + k, PAIRS + 2 * v, 2)
    else:
        k -= 1
        tmp[k] = <uint8_t>(48 + v)
    memcpy(out, tmp + k, 24 - k)
    return 24 - k


cdef Py_ssize_t _amount(const Col* c, Py_ssize_t i, signed char minor, uint8_t* out) noexcept nogil:
    """Write "54" + length + the row's amount at ``out`` (AMT_MAX bytes); the byte count, or -1
    when the library must decide (an error, or a form the fast path does not take)."""
    cdef Py_ssize_t j = _at(c, i), n, d, s, k
    cdef int64_t v
    cdef uint64_t u, lo, hi
    cdef const uint8_t* p
    cdef uint8_t digits[24]
    if c.kind == K_I64:
        v = (<const int64_t*>c.values)[j]
        if not 0 < v < AMOUNT_LIMIT:
            return -1
        return amount_head(out, _digits(<uint64_t>v, out + 4))
    if c.kind == K_U64:
        u = (<const uint64_t*>c.values)[j]
        if not 0 < u < <uint64_t>AMOUNT_LIMIT:
            return -1
        return amount_head(out, _digits(u, out + 4))
    if c.kind == K_DEC:   # 16 bytes, little-endian two's complement: (lo, hi)
        lo = (<const uint64_t*>c.values)[2 * j]
        hi = (<const uint64_t*>c.values)[2 * j + 1]
        s = c.scale
        if hi != 0 or not 0 < lo < <uint64_t>AMOUNT_LIMIT or (minor >= 0 and s > minor):
            return -1
        d = _digits(lo, digits)
        if s == 0:
            memcpy(out + 4, digits, d)
            return amount_head(out, d)
        n = (d - s if d > s else 1) + 1 + s      # whole part, ".", s decimals
        if n > 13:
            return -1
        k = 4
        if d > s:
            memcpy(out + k, digits, d - s)
            k += d - s
        else:
            out[k] = 48
            k += 1
        out[k] = 46
        k += 1
        if d < s:
            memset(out + k, 48, s - d)
            k += s - d
            memcpy(out + k, digits, d)
        else:
            memcpy(out + k, digits + d - s, s)
        return amount_head(out, n)
    if c.kind == K_S32 or c.kind == K_S64:
        p = _bytes(c, i, &n)
        n = plain_amount(p, n, minor)
        if n < 0:
            return -1
        memcpy(out + 4, p, n)
        return amount_head(out, n)
    return -1


cdef class _Owned:
    """Memory from malloc, freed with the Arrow buffer that wraps it."""

    cdef void* p

    def __dealloc__(self):
        free(self.p)


cdef object _wrap(void* p, Py_ssize_t size):
    owner = _Owned()
    owner.p = p
    return pa.foreign_buffer(<uintptr_t>p, size, base=owner)


cdef struct Tip:
    const uint8_t* p      # the 55-57 bytes (ASCII)
    Py_ssize_t n
    int decimals          # the fixed fee's decimals (0 for others), or -1: the text is bad


cdef class _Job:
    """One conversion of a chunk of rows (a job's state is its own: threads never share it)."""

    cdef Py_ssize_t n
    cdef bint dynamic, verify, raise_first
    cdef Py_ssize_t base                # the first row's number in the whole column (for errors)
    cdef Col pay, amt, tip, ref
    cdef object payload, payloads, amounts, references, tip_entries, tip_keep
    cdef Tip* tips
    cdef Py_ssize_t ntips
    # the root in use: the one static code, or the current row's code
    cdef bint scalar
    cdef Root r
    cdef bint r_ok
    cdef const uint8_t* r_p
    cdef Py_ssize_t r_n
    cdef Piece plans[5][MAX_PIECES]   # by variant: bit 1 a tip, bit 2 a reference; 4: static
    cdef int plan_k[5]
    cdef int plan_at[5][3]
    cdef int planned
    cdef Split62 split
    cdef int split_state              # 0 not yet, 1 ready, -1 not valid TLV (the library says why)
    # the amount-only layout of the current root: the bytes around the amount, and the CRC
    # state before it, after it (from 0) and the shift over what follows it
    cdef bint around_ready
    cdef uint8_t* around
    cdef Py_ssize_t pre, post
    cdef uint16_t spre, tail, shift
    # the output
    cdef uint8_t* data
    cdef Py_ssize_t size, cap
    cdef int64_t* offsets
    cdef uint8_t* valid
    cdef Py_ssize_t nulls
    cdef list err_rows, err_excs

    def __dealloc__(self):
        free(self.data)
        free(self.offsets)
        free(self.valid)
        free(self.tips)
        free(self.around)

    # -- the output --------------------------------------------------------------------------
    cdef int _reserve(self, Py_ssize_t more) except -1 nogil:
        cdef Py_ssize_t cap
        cdef uint8_t* p
        if self.size + more <= self.cap:
            return 0
        cap = max(self.cap * 2, self.size + more, 4096)
        p = <uint8_t*>qk_realloc(self.data, cap)
        if p == NULL:
            with gil:
                raise MemoryError(f"cannot grow the output to {cap} bytes")
        self.data = p
        self.cap = cap
        return 0

    cdef inline void _null(self, Py_ssize_t i) noexcept nogil:
        self.valid[i >> 3] &= ~(1 << (i & 7))
        self.nulls += 1

    # -- rows the library decides ------------------------------------------------------------
    cdef object _value(self, const Col* c, column, Py_ssize_t i):
        if not isinstance(column, pa.Array):   # Python values
            return column[0 if c.broadcast else i]
        return cell(column[0 if c.broadcast else i])

    cdef int _slow(self, Py_ssize_t i) except -1:
        """Convert row ``i`` with the library (with the GIL); record or raise its error."""
        cdef bytes b
        code = self.payload if self.scalar else self._value(&self.pay, self.payloads, i)
        amount = self._value(&self.amt, self.amounts, i) if self.dynamic else None
        if self.dynamic and amount is None:   # a None in a list of amounts: a null row
            self._null(i)
            return 0
        try:
            if not self.dynamic:
                text = static_row(_codec_c, code, self.verify)
            else:
                tip = None
                if self.tips != NULL and _valid(&self.tip, i):
                    tip = self.tip_entries[(<const int32_t*>self.tip.values)[_at(&self.tip, i)]]
                ref = self._value(&self.ref, self.references, i) if self.references is not None else None
                text = convert_row(_codec_c, code, amount, tip, ref, self.verify)
        except errors.QRISError as exc:
            if self.raise_first:
                raise errors.in_row(exc, self.base + i) from None
            self.err_rows.append(i)
            self.err_excs.append(exc)
            self._null(i)
            return 0
        b = text.encode("utf-8")
        self._reserve(len(b))
        memcpy(self.data + self.size, <const char*>b, len(b))
        self.size += len(b)
        return 0

    # -- rows converted here -----------------------------------------------------------------
    cdef int _root(self, Py_ssize_t i) noexcept nogil:
        """Make ``self.r`` the root of row ``i``'s code: 1, or 0 when the library must load it."""
        cdef const uint8_t* p
        cdef Py_ssize_t n
        if self.scalar:
            return 1
        p = _bytes(&self.pay, i, &n)
        if self.r_p != NULL and n == self.r_n and (p == self.r_p or memcmp(p, self.r_p, n) == 0):
            return self.r_ok
        self.r_p = p
        self.r_n = n
        self.r_ok = load_ascii(&self.r, p, n, self.verify) == 0
        self.planned = 0
        self.split_state = 0
        self.around_ready = False
        return self.r_ok

    cdef int _plan(self, int variant) noexcept nogil:
        """The cached layout of ``variant`` for the current root (placeholders for new pieces)."""
        cdef Piece placeholder
        if not (self.planned >> variant) & 1:
            set_piece(&placeholder, <const uint8_t*>b"", 0)
            self.plan_k[variant] = plan_pieces(
                &self.r, variant != 4, &placeholder, &placeholder if variant & 1 else NULL,
                &placeholder if variant & 2 else NULL, self.plans[variant], self.plan_at[variant])
            self.planned |= 1 << variant
        return self.plan_k[variant]

    cdef int _layout(self) except -1 nogil:
        """Lay out the amount-only output of the current root around the amount (once a root)."""
        cdef int k = self._plan(0), a = self.plan_at[0][0], j
        cdef uint8_t* p
        if self.around_ready:
            return 0
        if k < 0:
            with gil:
                raise AssertionError("conversion plan overflow")
        self.pre = self.post = 0
        for j in range(a):
            self.pre += self.plans[0][j].n
        for j in range(a + 1, k):
            self.post += self.plans[0][j].n
        p = <uint8_t*>realloc(self.around, self.pre + self.post + 1)
        if p == NULL:
            with gil:
                raise MemoryError()
        self.around = p
        copy_pieces(&self.r, copy_pieces(&self.r, p, self.plans[0], a), self.plans[0] + a + 1, k - a - 1)
        self.spre = hash_pieces(&self.r, 0xFFFF, self.plans[0], a)
        self.tail = crc_update(hash_pieces(&self.r, 0, self.plans[0] + a + 1, k - a - 1), <const uint8_t*>b"6304", 4)
        self.shift = crc_shift(self.post + 4)
        self.around_ready = True
        return 0

    cdef int _row(self, Py_ssize_t i) except -1 nogil:
        """Convert row ``i`` (valid payload, and amount when dynamic) into the output."""
        cdef Piece pieces[MAX_PIECES]
        cdef uint8_t chunk[AMT_MAX]
        cdef uint8_t refbuf[REF_MAX]
        cdef int variant = 4, k, j, t = -1
        cdef Py_ssize_t m = 0, total = 8, rn
        cdef const uint8_t* rp
        cdef uint8_t* w
        cdef uint16_t s
        if not self._root(i):
            with gil:
                return self._slow(i)
        if self.dynamic:
            variant = 0
            m = _amount(&self.amt, i, self.r.minor, chunk)
            if m < 0:
                with gil:
                    return self._slow(i)
            if self.tips != NULL and _valid(&self.tip, i):
                t = (<const int32_t*>self.tip.values)[_at(&self.tip, i)]
                if self.tips[t].decimals < 0 or (self.tips[t].decimals > self.r.minor if self.r.minor >= 0
                                                 else self.tips[t].decimals == 3):  # maybe 15.000: the library decides
                    with gil:
                        return self._slow(i)
                variant |= 1
            if self.ref.kind and _valid(&self.ref, i):
                if self.split_state == 0:
                    self.split_state = 1 if split62_ascii(&self.r, &self.split) == 0 else -1
                rp = _bytes(&self.ref, i, &rn)
                if self.split_state < 0 or reference_piece_bytes(&self.r, &self.split, rp, rn, refbuf,
                                                                  &pieces[MAX_PIECES - 1]) < 0:
                    with gil:
                        return self._slow(i)
                variant |= 2
            if variant == 0:   # the amount only: the root's layout around it
                self._layout()
                self._reserve(self.pre + m + self.post + 8)
                w = self.data + self.size
                memcpy(w, self.around, self.pre)
                memcpy(w + self.pre, chunk, m)
                memcpy(w + self.pre + m, self.around + self.pre, self.post)
                finish_crc(w + self.pre + m + self.post,
                           crc_mul(crc_update(self.spre, chunk, m), self.shift) ^ self.tail)
                self.size += self.pre + m + self.post + 8
                return 0
        k = self._plan(variant)
        if k < 0:
            with gil:
                raise AssertionError("conversion plan overflow")
        memcpy(pieces, self.plans[variant], k * sizeof(Piece))
        if variant != 4:
            set_piece(&pieces[self.plan_at[variant][0]], chunk, m)
            if variant & 1:
                set_piece(&pieces[self.plan_at[variant][1]], self.tips[t].p, self.tips[t].n)
            if variant & 2:
                pieces[self.plan_at[variant][2]] = pieces[MAX_PIECES - 1]
        for j in range(k):
            total += pieces[j].n
        self._reserve(total)
        s = crc_update(hash_pieces(&self.r, 0xFFFF, pieces, k), <const uint8_t*>b"6304", 4)
        finish_crc(copy_pieces(&self.r, self.data + self.size, pieces, k), s)
        self.size += total
        return 0

    cdef int _run(self) except -1 nogil:
        cdef Py_ssize_t i
        for i in range(self.n):
            if not _valid(&self.pay, i) or (self.dynamic and not _valid(&self.amt, i)):
                self._null(i)
            elif self.amt.kind == K_OBJ or self.tip.kind == K_OBJ or self.ref.kind == K_OBJ:
                with gil:
                    self._slow(i)
            else:
                self._row(i)
            self.offsets[i + 1] = self.size
        return 0

    cdef int _run_fast(self) except -1 nogil:
        """One static code, amounts only: the text around the amount is laid out once."""
        cdef Py_ssize_t i, pre, post, m, w
        cdef uint16_t spre, shift, tail
        self._layout()
        pre, post, spre, tail, shift = self.pre, self.post, self.spre, self.tail, self.shift
        cdef const uint8_t* around = self.around
        # Many rows: the CRC by position tables. With P = post + 4 bytes after the amount chunk
        # c[0..m), crc = spre*x^(8(m+P)) ^ crc(0, tail bytes) ^ sum_j crc(0, c[j])*x^(8(m-1-j+P)):
        # start[m] holds the first two terms, z[d][b] the last one's for byte b at d from the end.
        cdef uint16_t start[AMT_MAX + 1]
        cdef uint16_t (*z)[256]
        cdef uint16_t crc
        cdef uint8_t b
        cdef Py_ssize_t d, j
        cdef bint tables = self.n >= 4096
        z = NULL
        if tables:
            z = <uint16_t (*)[256]>malloc(AMT_MAX * 256 * sizeof(uint16_t))
            if z == NULL:
                with gil:
                    raise MemoryError()
            for d in range(AMT_MAX):
                shift = crc_shift(d + post + 4)
                for j in range(256):
                    b = <uint8_t>j
                    z[d][j] = crc_mul(crc_update(0, &b, 1), shift)
            for d in range(AMT_MAX + 1):
                start[d] = crc_mul(spre, crc_shift(d + post + 4)) ^ tail
            shift = crc_shift(post + 4)
        try:
            for i in range(self.n):
                if not _valid(&self.amt, i):
                    self._null(i)
                else:
                    self._reserve(pre + AMT_MAX + post + 8)
                    w = self.size
                    m = _amount(&self.amt, i, self.r.minor, self.data + w + pre)
                    if m < 0:
                        with gil:
                            self._slow(i)
                    else:
                        memcpy(self.data + w, around, pre)
                        memcpy(self.data + w + pre + m, around + pre, post)
                        if tables:
                            crc = start[m]
                            for j in range(m):
                                crc ^= z[m - 1 - j][self.data[w + pre + j]]
                        else:
                            crc = crc_mul(crc_update(spre, self.data + w + pre, m), shift) ^ tail
                        w += pre + m + post
                        memcpy(self.data + w, b"6304", 4)
                        self.data[w + 4] = HEX[crc >> 12]
                        self.data[w + 5] = HEX[(crc >> 8) & 15]
                        self.data[w + 6] = HEX[(crc >> 4) & 15]
                        self.data[w + 7] = HEX[crc & 15]
                        self.size = w + 8
                self.offsets[i + 1] = self.size
        finally:
            free(z)
        return 0

    # -- setting up, and the result -----------------------------------------------------------
    cdef int _tips(self, tips) except -1:
        cdef Py_ssize_t j
        cdef bytes b
        self.tip_entries = tips.entries
        self.ntips = len(tips.entries)
        self.tips = <Tip*>malloc(max(self.ntips, 1) * sizeof(Tip))
        if self.tips == NULL:
            raise MemoryError()
        self.tip_keep = []
        for j, entry in enumerate(tips.entries):
            if isinstance(entry, errors.QRISError):
                self.tips[j].p = NULL
                self.tips[j].n = 0
                self.tips[j].decimals = -1
                continue
            b = entry.tlv.encode("ascii")
            self.tip_keep.append(b)
            self.tips[j].p = <const uint8_t*>(<const char*>b)
            self.tips[j].n = len(b)
            value = entry.value if entry.kind == "fixed" else ""
            self.tips[j].decimals = len(value) - value.index(".") - 1 if "." in value else 0
        return 0

    cdef object _result(self):
        cdef Py_ssize_t i
        cdef int32_t* narrow
        cdef void* p
        large = self.size > STRING_LIMIT
        if not large:   # int64 offsets to int32, in place (each write lands at or before its read)
            narrow = <int32_t*>self.offsets
            for i in range(self.n + 1):
                narrow[i] = <int32_t>self.offsets[i]
            p = realloc(self.offsets, (self.n + 1) * sizeof(int32_t))
            if p != NULL:
                self.offsets = <int64_t*>p
        if self.size < self.cap:
            p = realloc(self.data, max(self.size, 1))
            if p != NULL:
                self.data = <uint8_t*>p
        offsets = _wrap(self.offsets, (self.n + 1) * (8 if large else 4))
        self.offsets = NULL
        data = _wrap(self.data, self.size)
        self.data = NULL
        validity = None
        if self.nulls:
            validity = _wrap(self.valid, (self.n + 7) // 8)
            self.valid = NULL
        return pa.Array.from_buffers(pa.large_string() if large else pa.string(), self.n,
                                     [validity, offsets, data], null_count=self.nulls)


def convert(payload, payloads, amounts, tips, references, Py_ssize_t n, bint verify_crc, bint raise_first,
            Py_ssize_t base=0):
    """Convert ``n`` rows; ``amounts=None`` asks for ``to_static`` (see ``_arrow_py.convert``)."""
    cdef _Job job = _Job()
    cdef Py_ssize_t bound
    job.n = n
    job.dynamic = amounts is not None
    job.verify = verify_crc
    job.raise_first = raise_first
    job.base = base
    job.err_rows = []
    job.err_excs = []
    job.payload = payload
    job.payloads = payloads
    job.amounts = amounts
    job.references = references
    job.scalar = payloads is None
    if job.scalar:
        _load(&job.r, payload, verify_crc)   # the caller has checked it: this does not raise
        job.r_ok = True
    else:
        _bind(&job.pay, payloads, n)
        if job.pay.kind != K_S32 and job.pay.kind != K_S64:
            raise TypeError(f"payloads must be strings, not {payloads.type}")
    if job.dynamic:
        _bind(&job.amt, amounts, n)
    if tips is not None:
        _bind(&job.tip, tips.indices, n)
        if job.tip.kind != K_I32:
            raise TypeError("tip indices must be int32")
        job._tips(tips)
    if references is not None:
        _bind(&job.ref, references, n)
        if job.ref.kind != K_S32 and job.ref.kind != K_S64 and job.ref.kind != K_OBJ:
            raise TypeError(f"references must be strings, not {references.type}")
        if job.scalar and job.ref.kind != K_OBJ:
            try:
                _split62(&job.r, payload, &job.split)
                job.split_state = 1
            except errors.QRISError:
                job.split_state = -1
    job.offsets = <int64_t*>qk_alloc((n + 1) * sizeof(int64_t))
    job.valid = <uint8_t*>malloc((n + 7) // 8 + 1)
    bound = n * ((job.r.nb if job.scalar else 0) + 48)
    if not job.scalar and n:
        bound += _text_bytes(&job.pay, n)
    job.data = <uint8_t*>qk_alloc(max(bound, 1))
    if job.offsets == NULL or job.valid == NULL or job.data == NULL:
        raise MemoryError(f"cannot allocate the output of {n} rows")
    job.cap = max(bound, 1)
    memset(job.valid, 0xFF, (n + 7) // 8 + 1)
    job.offsets[0] = 0
    cdef bint fast = job.scalar and job.dynamic and tips is None and references is None and job.amt.kind != K_OBJ
    with nogil:
        if fast:
            job._run_fast()
        else:
            job._run()
    return job._result(), job.err_rows, job.err_excs
