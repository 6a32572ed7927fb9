# cython: language_level=3, boundscheck=False, wraparound=False, cdivision=True, initializedcheck=False
"""Native QR Code builder: the symbol, and its pixels packed for PNG and Pillow.

``symbol(data, mode, level, eci)`` builds the QR Code (never Micro QR) that
``segno.make_qr`` builds for the same single segment with ``boost_error=False``: the
smallest version that holds the data, ISO/IEC 18004 Reed-Solomon blocks and placement, and
the mask with the lowest penalty score (N1 + N2 + N3 + N4, scored as segno scores them, so
that ties and the N3 edge cases pick the same mask). The tests compare matrix, version and
mask with segno's on a large Hypothesis-generated set at every level.

``png_scanlines`` and ``bitmap`` turn the module matrix into 1-bit rows (light = 1), with
the quiet zone and the scale applied; ``_qr_py.py`` is the pure-Python twin of all three.
"""

from cpython.bytes cimport PyBytes_AS_STRING, PyBytes_FromStringAndSize
from libc.math cimport log2
from libc.stdlib cimport free, malloc
from libc.string cimport memcmp, memcpy, memmove, memset

cdef enum:
    NUMERIC = 1               # segment modes, as the QR mode indicators
    ALPHANUMERIC = 2
    BYTE = 4
    MAX_OUTPUT_SIDE = 65536   # pixels per side; the Python layer enforces a lower limit

# Error-correction codewords per block and number of blocks, by level (L, M, Q, H) and
# version (index 0 unused): ISO/IEC 18004 Table 9.
cdef int ECC_PER_BLOCK[4][41]
cdef int NUM_BLOCKS[4][41]
cdef unsigned char GF_EXP[512]
cdef unsigned char GF_LOG[256]
cdef signed char ALNUM_VALUE[256]
# format information: the level's 2 bits (L=01, M=00, Q=11, H=10)
cdef int LEVEL_BITS[4]

_ECC = (
    (7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    (10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28),
    (13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
     28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
    (17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
     30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30),
)
_BLOCKS = (
    (1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
     8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25),
    (1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49),
    (1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
     23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68),
    (1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
     25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81),
)
_ALNUM = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"


cdef void _init_tables():
    cdef int level, version, i, x
    for level in range(4):
        ECC_PER_BLOCK[level][0] = 0
        NUM_BLOCKS[level][0] = 0
        for version in range(1, 41):
            ECC_PER_BLOCK[level][version] = _ECC[level][version - 1]
            NUM_BLOCKS[level][version] = _BLOCKS[level][version - 1]
    x = 1
    for i in range(255):  # GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1
        GF_EXP[i] = x
        GF_LOG[x] = i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        GF_EXP[i] = GF_EXP[i - 255]
    GF_LOG[0] = 0
    for i in range(256):
        ALNUM_VALUE[i] = -1
    for i in range(45):
        ALNUM_VALUE[_ALNUM[i]] = i
    LEVEL_BITS[0] = 1
    LEVEL_BITS[1] = 0
    LEVEL_BITS[2] = 3
    LEVEL_BITS[3] = 2


_init_tables()


cdef inline int _raw_modules(int version) noexcept nogil:
    """Modules left for codewords once the function patterns are placed."""
    cdef int result = (16 * version + 128) * version + 64
    cdef int n
    if version >= 2:
        n = version // 7 + 2
        result -= (25 * n - 10) * n - 55
        if version >= 7:
            result -= 36
    return result


cdef inline int _data_codewords(int version, int level) noexcept nogil:
    return _raw_modules(version) // 8 - ECC_PER_BLOCK[level][version] * NUM_BLOCKS[level][version]


cdef inline int _count_bits(int mode, int version) noexcept nogil:
    cdef int r = 0 if version < 10 else (1 if version < 27 else 2)
    if mode == NUMERIC:
        return 10 + 2 * r
    if mode == ALPHANUMERIC:
        return 9 + 2 * r
    return 8 if r == 0 else 16


cdef struct Bits:
    unsigned char *buf
    Py_ssize_t n       # bits written
    Py_ssize_t cap     # bytes available


cdef inline void _put(Bits *b, unsigned int value, int count) noexcept nogil:
    cdef int i
    for i in range(count - 1, -1, -1):
        if b.n >> 3 >= b.cap:
            return  # never reached: sizes are checked before writing
        if (value >> i) & 1:
            b.buf[b.n >> 3] |= 0x80 >> (b.n & 7)
        b.n += 1


cdef void _reed_solomon(const unsigned char *data, int ndata, int degree, unsigned char *out) noexcept nogil:
    """The ``degree`` error-correction codewords of one block (remainder of the division by
    the generator polynomial prod(x - a^i), i < degree)."""
    cdef unsigned char gen[32]
    cdef int i, j, factor
    memset(gen, 0, sizeof(gen))
    gen[degree - 1] = 1
    cdef int root = 1
    for i in range(degree):  # multiply by (x - root), coefficients highest first
        for j in range(degree):
            gen[j] = _gf_mul(gen[j], root)
            if j + 1 < degree:
                gen[j] ^= gen[j + 1]
        root = _gf_mul(root, 2)
    memset(out, 0, degree)
    for i in range(ndata):
        factor = data[i] ^ out[0]
        _shift_left(out, degree)
        out[degree - 1] = 0
        if factor:
            for j in range(degree):
                out[j] ^= _gf_mul(gen[j], factor)


cdef inline void _shift_left(unsigned char *buf, int n) noexcept nogil:
    cdef int j
    for j in range(n - 1):
        buf[j] = buf[j + 1]


cdef inline int _gf_mul(int a, int b) noexcept nogil:
    if a == 0 or b == 0:
        return 0
    return GF_EXP[GF_LOG[a] + GF_LOG[b]]


cdef inline void _set_func(unsigned char *m, unsigned char *func, int size, int row, int col, int dark) noexcept nogil:
    m[row * size + col] = dark
    func[row * size + col] = 1


cdef void _function_patterns(unsigned char *m, unsigned char *func, int size, int version) noexcept nogil:
    """Finders with separators, timing, alignment patterns, and the reserved format and
    version areas (left light: the mask is scored without them, as segno scores it)."""
    cdef int i, j, r, c, dr, dc, dist, n, step, k
    cdef int corners[3][2]
    cdef int pos[7]
    corners[0][0] = 0
    corners[0][1] = 0
    corners[1][0] = 0
    corners[1][1] = size - 7
    corners[2][0] = size - 7
    corners[2][1] = 0
    # timing patterns
    for i in range(size):
        _set_func(m, func, size, 6, i, (i + 1) & 1)
        _set_func(m, func, size, i, 6, (i + 1) & 1)
    # finders (7x7) and their separators (the light ring around them, inside the symbol)
    for k in range(3):
        for dr in range(-1, 8):
            for dc in range(-1, 8):
                r = corners[k][0] + dr
                c = corners[k][1] + dc
                if r < 0 or r >= size or c < 0 or c >= size:
                    continue
                dist = max(abs(dr - 3), abs(dc - 3))
                _set_func(m, func, size, r, c, 1 if dist != 2 and dist != 4 else 0)
    # alignment patterns
    if version >= 2:
        n = version // 7 + 2
        step = 26 if version == 32 else (version * 4 + n * 2 + 1) // (n * 2 - 2) * 2
        pos[0] = 6
        for i in range(n - 1, 0, -1):
            pos[i] = size - 7 - (n - 1 - i) * step
        for i in range(n):
            for j in range(n):
                if (i == 0 and j == 0) or (i == 0 and j == n - 1) or (i == n - 1 and j == 0):
                    continue
                for dr in range(-2, 3):
                    for dc in range(-2, 3):
                        _set_func(m, func, size, pos[i] + dr, pos[j] + dc,
                                  1 if max(abs(dr), abs(dc)) != 1 else 0)
    # format areas (and the dark module's place), light for now
    for i in range(9):
        if i != 6:  # (6, 8) and (8, 6) belong to the timing patterns
            _set_func(m, func, size, i, 8, 0)
            _set_func(m, func, size, 8, i, 0)
    for i in range(8):
        _set_func(m, func, size, size - 1 - i, 8, 0)
        _set_func(m, func, size, 8, size - 1 - i, 0)
    # version areas
    if version >= 7:
        for i in range(6):
            for j in range(3):
                _set_func(m, func, size, i, size - 11 + j, 0)
                _set_func(m, func, size, size - 11 + j, i, 0)


cdef void _place(unsigned char *m, const unsigned char *func, int size,
                 const unsigned char *codewords, int ncodewords) nogil:
    """Codeword bits, most significant first, in two-module columns zigzagging up and down
    from the right, skipping the vertical timing column; left-over modules stay light."""
    cdef int right, vert, z, col, row, bit = 0
    cdef int total = ncodewords * 8
    cdef bint upward
    right = size - 1
    while right >= 1:
        if right == 6:
            right = 5
        for vert in range(size):
            for z in range(2):
                col = right - z
                upward = ((right + 1) & 2) == 0
                row = size - 1 - vert if upward else vert
                if not func[row * size + col]:
                    if bit < total:
                        m[row * size + col] = (codewords[bit >> 3] >> (7 - (bit & 7))) & 1
                    bit += 1
        right -= 2


cdef inline bint _mask_bit(int k, int i, int j) noexcept nogil:
    if k == 0:
        return (i + j) % 2 == 0
    if k == 1:
        return i % 2 == 0
    if k == 2:
        return j % 3 == 0
    if k == 3:
        return (i + j) % 3 == 0
    if k == 4:
        return (i // 2 + j // 3) % 2 == 0
    if k == 5:
        return (i * j) % 2 + (i * j) % 3 == 0
    if k == 6:
        return ((i * j) % 2 + (i * j) % 3) % 2 == 0
    return (((i + j) % 2) + (i * j) % 3) % 2 == 0


cdef int _finder_like(const unsigned char *seq, int n) noexcept nogil:
    """N3 of one row or column: 1:1:3:1:1 runs with 4 light modules (or the edge) on a side.
    As segno counts them: after a counted run the search resumes behind it, after a run
    without that light area it resumes 4 modules on."""
    cdef int count = 0, resume = 0, window = 0, j, idx, k, end
    cdef bint light_before, light_after
    for j in range(n):
        window = ((window << 1) | seq[j]) & 0x7F
        if window != 0x5D or j - 6 < resume:  # 0x5D = 1011101
            continue
        idx = j - 6
        light_before = True
        for k in range(idx - 4 if idx >= 4 else 0, idx):
            light_before &= not seq[k]
        light_after = True
        end = idx + 11 if idx + 11 <= n else n
        for k in range(idx + 7, end):
            light_after &= not seq[k]
        if light_before or light_after:  # the edges count as light
            count += 40
            resume = idx + 7
        else:
            resume = idx + 4
    return count


cdef inline int _runs(const unsigned char *seq, int n) noexcept nogil:
    """N1 of one row or column: each run of 5 or more same-coloured modules scores run - 2."""
    cdef int total = 0, run = 1, j, same
    for j in range(1, n):
        same = seq[j] == seq[j - 1]
        total += (1 - same) * (run >= 5) * (run - 2)
        run = run * same + 1
    return total + (run >= 5) * (run - 2)


cdef inline int _blocks(const unsigned char *row, const unsigned char *above, int n) noexcept nogil:
    """N2 between two rows: 3 for each 2x2 block of one colour."""
    cdef int total = 0, j
    for j in range(1, n):
        total += (row[j] == row[j - 1]) & (row[j] == above[j]) & (row[j] == above[j - 1])
    return 3 * total


cdef int _penalty(const unsigned char *m, const unsigned char *t, int size) noexcept nogil:
    """ISO/IEC 18004 7.8.3.1 penalty N1 + N2 + N3 + N4 of ``m`` (``t`` is its transpose),
    computed as segno computes it."""
    cdef int i, j, score = 0, dark = 0
    cdef const unsigned char *row
    cdef double percent, deviation
    for i in range(size):
        row = m + i * size
        score += _runs(row, size) + _runs(t + i * size, size)
        score += _finder_like(row, size) + _finder_like(t + i * size, size)
        if i:
            score += _blocks(row, row - size, size)
        for j in range(size):
            dark += row[j]
    # N4 in double precision, step by step, exactly as Python (segno) evaluates it
    percent = <double>dark / <double>(size * size)
    deviation = percent * 100.0
    deviation = deviation - 50.0
    if deviation < 0:
        deviation = -deviation
    deviation = deviation / 5.0
    return score + 10 * <int>deviation


cdef int _format_bits(int level, int mask) noexcept nogil:
    cdef int data = (LEVEL_BITS[level] << 3) | mask
    cdef int rem = data, i
    for i in range(10):
        rem = (rem << 1) ^ ((rem >> 9) * 0x537)
    return ((data << 10) | rem) ^ 0x5412


cdef int _version_bits(int version) noexcept nogil:
    cdef int rem = version, i
    for i in range(12):
        rem = (rem << 1) ^ ((rem >> 11) * 0x1F25)
    return (version << 12) | rem


cdef void _format_and_version(unsigned char *m, int size, int version, int level, int mask) noexcept nogil:
    cdef int bits = _format_bits(level, mask)
    cdef int i, v, vbit, hbit, voffset = 0, hoffset = 0
    for i in range(8):
        vbit = (bits >> i) & 1
        hbit = (bits >> (14 - i)) & 1
        if i == 6:
            voffset = 1
            hoffset = 1
        m[(i + voffset) * size + 8] = vbit        # upper left, column 8
        m[8 * size + i + hoffset] = hbit          # upper left, row 8
        m[8 * size + size - 1 - i] = vbit         # upper right, row 8
        m[(size - 1 - i) * size + 8] = hbit       # lower left, column 8
    m[(size - 8) * size + 8] = 1                  # the dark module
    if version >= 7:
        v = _version_bits(version)
        for i in range(18):
            m[(i // 3) * size + size - 11 + i % 3] = (v >> i) & 1
            m[(size - 11 + i % 3) * size + i // 3] = (v >> i) & 1


def symbol(bytes data not None, int mode, int level, bint eci):
    """Return ``(version, mask, modules)`` for one segment of ``data``.

    ``mode`` is 1 (numeric: ASCII digits), 2 (alphanumeric) or 4 (byte); ``level`` 0..3
    for L, M, Q, H; ``eci`` writes the ECI 26 (UTF-8) designator first. ``modules`` holds
    size x size bytes, row by row, 1 for a dark module. Raises ``ValueError`` for data the
    mode cannot hold, ``OverflowError`` when no version is large enough.
    """
    cdef const unsigned char *src = <const unsigned char *>PyBytes_AS_STRING(data)
    cdef Py_ssize_t n = len(data), i
    cdef long long data_bits
    cdef int version, capacity = 0, count_bits = 0, size, k, best_mask, score, best_score
    if mode not in (NUMERIC, ALPHANUMERIC, BYTE):
        raise ValueError(f"unknown segment mode {mode}")
    if not 0 <= level <= 3:
        raise ValueError(f"unknown error level {level}")
    if mode == NUMERIC:
        for i in range(n):
            if src[i] < 48 or src[i] > 57:
                raise ValueError("numeric mode holds ASCII digits only")
        data_bits = 10 * (n // 3) + (0, 4, 7)[n % 3]
    elif mode == ALPHANUMERIC:
        for i in range(n):
            if ALNUM_VALUE[src[i]] < 0:
                raise ValueError("alphanumeric mode holds 0-9, A-Z, space and $%*+-./: only")
        data_bits = 11 * (n // 2) + 6 * (n % 2)
    else:
        data_bits = 8 * <long long>n
    for version in range(1, 42):
        if version == 41:
            raise OverflowError(f"{n} bytes do not fit in any QR Code version at this level")
        capacity = _data_codewords(version, level) * 8
        count_bits = _count_bits(mode, version)
        if (12 if eci else 0) + 4 + count_bits + data_bits <= capacity:
            break
    size = version * 4 + 17
    cdef int ndata = capacity // 8
    cdef int nblocks = NUM_BLOCKS[level][version]
    cdef int ecc = ECC_PER_BLOCK[level][version]
    cdef int total = _raw_modules(version) // 8
    cdef int short_blocks = nblocks - total % nblocks
    cdef int short_data = total // nblocks - ecc
    cdef unsigned char *work = <unsigned char *>malloc(ndata + 2 + total + ecc + 5 * size * size)
    if work == NULL:
        raise MemoryError()
    cdef unsigned char *stream = work
    cdef unsigned char *final = stream + ndata + 2
    cdef unsigned char *block_ecc = final + total
    cdef unsigned char *base = block_ecc + ecc
    cdef unsigned char *func = base + size * size
    cdef unsigned char *trial = func + size * size
    cdef unsigned char *best = trial + size * size
    cdef unsigned char *transposed = best + size * size
    cdef Bits bits
    cdef int b, j, start, length, out, pad
    try:
        memset(stream, 0, ndata + 2)
        bits.buf = stream
        bits.n = 0
        bits.cap = ndata + 2
        if eci:
            _put(&bits, 7, 4)
            _put(&bits, 26, 8)
        _put(&bits, mode, 4)
        _put(&bits, <unsigned int>n, count_bits)
        if mode == NUMERIC:
            i = 0
            while i + 3 <= n:
                _put(&bits, (src[i] - 48) * 100 + (src[i + 1] - 48) * 10 + (src[i + 2] - 48), 10)
                i += 3
            if n - i == 2:
                _put(&bits, (src[i] - 48) * 10 + (src[i + 1] - 48), 7)
            elif n - i == 1:
                _put(&bits, src[i] - 48, 4)
        elif mode == ALPHANUMERIC:
            i = 0
            while i + 2 <= n:
                _put(&bits, ALNUM_VALUE[src[i]] * 45 + ALNUM_VALUE[src[i + 1]], 11)
                i += 2
            if n - i == 1:
                _put(&bits, ALNUM_VALUE[src[i]], 6)
        else:
            for i in range(n):
                _put(&bits, src[i], 8)
        # terminator (up to 4 light bits), then zero bits up to the next codeword boundary,
        # a whole zero codeword when already on one (as segno writes it), then the pad
        # codewords 0xEC 0x11 ... up to the capacity
        bits.n += min(capacity - bits.n, 4)
        bits.n += 8 - bits.n % 8
        pad = ndata - <int>(bits.n // 8)
        for k in range(pad):
            stream[bits.n // 8 + k] = 0xEC if k % 2 == 0 else 0x11
        # Reed-Solomon per block, then interleave: data codewords column by column across the
        # blocks (short blocks first), then the error-correction codewords likewise
        out = 0
        for j in range(short_data + 1):
            start = 0
            for b in range(nblocks):
                length = short_data + (0 if b < short_blocks else 1)
                if j < length:
                    final[out] = stream[start + j]
                    out += 1
                start += length
        start = 0
        for b in range(nblocks):
            length = short_data + (0 if b < short_blocks else 1)
            _reed_solomon(stream + start, length, ecc, block_ecc)
            for j in range(ecc):
                final[ndata + j * nblocks + b] = block_ecc[j]
            start += length
        memset(base, 0, size * size)
        memset(func, 0, size * size)
        _function_patterns(base, func, size, version)
        _place(base, func, size, final, total)
        best_score = 0x7FFFFFFF
        best_mask = 0
        for k in range(8):
            for i in range(size):
                for j in range(size):
                    trial[i * size + j] = base[i * size + j] ^ (
                        0 if func[i * size + j] else <unsigned char>_mask_bit(k, i, j))
                    transposed[j * size + i] = trial[i * size + j]
            score = _penalty(trial, transposed, size)
            if score < best_score:
                best_score = score
                best_mask = k
                memcpy(best, trial, size * size)
        _format_and_version(best, size, version, level, best_mask)
        modules = PyBytes_FromStringAndSize(<char *>best, size * size)
    finally:
        free(work)
    return version, best_mask, modules


cdef void _pack_row(const unsigned char *modules, int size, int row, int scale, int border,
                    int row_bytes, unsigned char *out) noexcept nogil:
    """One pixel row, 1 bit per pixel, most significant first, light = 1; the bits after the
    last pixel stay 0. ``row`` is a module row of the symbol, or -1 for the quiet zone."""
    cdef int side = size + 2 * border
    cdef int x, k, bit = 0
    cdef bint light
    memset(out, 0, row_bytes)
    for x in range(side):
        light = row < 0 or x < border or x >= border + size or not modules[row * size + x - border]
        if light:
            for k in range(scale):
                out[(bit + k) >> 3] |= 0x80 >> ((bit + k) & 7)
        bit += scale


cdef object _rows(bytes modules, int size, int scale, int border, int kind):
    """kind 0: packed rows; 1: PNG scanlines, every row equal to the one above filtered
    "Up"; 2: PNG scanlines laid out as segno writes them ("Up" only for the repeats of a
    module row inside the symbol)."""
    cdef bint png = kind != 0
    if size <= 0 or len(modules) != <Py_ssize_t>size * size:
        raise ValueError("modules must hold size x size bytes")
    if not (1 <= scale <= MAX_OUTPUT_SIDE and 0 <= border <= MAX_OUTPUT_SIDE
            and (size + 2 * <long long>border) * scale <= MAX_OUTPUT_SIDE):
        raise ValueError("scale or border out of range")
    cdef const unsigned char *m = <const unsigned char *>PyBytes_AS_STRING(modules)
    cdef int side = (size + 2 * border) * scale
    cdef int row_bytes = (side + 7) // 8
    cdef int skip = 1 if png else 0
    cdef Py_ssize_t line = row_bytes + skip
    cdef object result = PyBytes_FromStringAndSize(NULL, line * side)
    cdef unsigned char *out = <unsigned char *>PyBytes_AS_STRING(result)
    cdef unsigned char *prev = NULL
    cdef unsigned char *cur
    cdef int y, module_row
    with nogil:
        for y in range(side):
            module_row = y // scale - border
            if module_row >= size:
                module_row = -1
            cur = out + y * line + skip
            if prev != NULL and y % scale != 0:
                memcpy(cur, prev, row_bytes)  # the same module row again
            else:
                _pack_row(m, size, module_row, scale, border, row_bytes, cur)
            if kind == 1:  # a row equal to the one above gets the "Up" filter (zeroed below)
                cur[-1] = 2 if prev != NULL and memcmp(cur, prev, row_bytes) == 0 else 0
            elif kind == 2:
                cur[-1] = 2 if module_row >= 0 and y % scale != 0 else 0
            prev = cur
        if png:
            for y in range(side):
                if out[y * line] == 2:
                    memset(out + y * line + 1, 0, row_bytes)
    return result


def png_scanlines(bytes modules not None, int size, int scale, int border, bint segno_layout=False):
    """The filtered PNG scanlines (filter byte + 1-bit row, light = 1) of the symbol with a
    quiet zone of ``border`` modules at ``scale`` pixels per module: ready for zlib.

    Every row equal to the one above is filtered "Up" (all zeros); with ``segno_layout``
    only the repeats of a module row inside the symbol are, as segno writes them."""
    return _rows(modules, size, scale, border, 2 if segno_layout else 1)


def bitmap(bytes modules not None, int size, int scale, int border):
    """The same picture as packed 1-bit rows without filter bytes (Pillow's mode "1")."""
    return _rows(modules, size, scale, border, 0)


# --------------------------------------------------------------------------- deflate
# The zlib stream of the PNG scanlines above, written in one pass that knows their shape:
# each run of "Up" rows (all zero after filtering) is one or two matches reaching back to
# the previous run, a row seen before is one match, and the other rows are literals (at
# scale 8 a module is one byte: 0x00 or 0xFF, about one bit each once Huffman-coded), with
# long runs of one byte as matches. One block with dynamic Huffman codes (or fixed codes,
# or stored, whichever is smallest). zlib's level 9 gets about the same sizes but spends
# milliseconds walking hash chains at the end of every run of zero rows.

cdef enum:
    WSIZE = 32768             # the largest distance a match may reach back
    MIN_MATCH = 3
    MAX_MATCH = 258
    WMASK = WSIZE - 1
    HASH_BITS = 15
    HASH_SIZE = 1 << HASH_BITS
    GOOD_LENGTH = 32
    LITLEN_CODES = 286
    DIST_CODES = 30
    CL_CODES = 19

cdef unsigned short LENGTH_BASE[29]
cdef unsigned char LENGTH_EXTRA[29]
cdef unsigned short DIST_BASE[30]
cdef unsigned char DIST_EXTRA[30]
cdef unsigned char LENGTH_CODE[259]     # match length -> code - 257
cdef unsigned char CL_ORDER[19]


cdef void _init_deflate_tables() noexcept:
    cdef int code, base = 3, extra, length
    for code in range(28):
        extra = 0 if code < 8 else (code - 4) // 4
        LENGTH_BASE[code] = base
        LENGTH_EXTRA[code] = extra
        for length in range(base, min(base + (1 << extra), 259)):
            LENGTH_CODE[length] = code
        base += 1 << extra
    LENGTH_BASE[28] = 258
    LENGTH_EXTRA[28] = 0
    LENGTH_CODE[258] = 28
    base = 1
    for code in range(30):
        extra = 0 if code < 4 else code // 2 - 1
        DIST_BASE[code] = base
        DIST_EXTRA[code] = extra
        base += 1 << extra
    for code, length in enumerate((16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15)):
        CL_ORDER[code] = length


_init_deflate_tables()


cdef inline int _dist_code(int dist) noexcept nogil:
    cdef int code = 0
    while code < 29 and DIST_BASE[code + 1] <= dist:
        code += 1
    return code


cdef struct Tokens:
    unsigned short *lits    # literal byte, or match length
    unsigned short *dists   # 0 for a literal, else the match distance
    Py_ssize_t n
    Py_ssize_t cap


cdef inline void _literal(Tokens *t, int byte) noexcept nogil:
    if t.n < t.cap:
        t.lits[t.n] = byte
        t.dists[t.n] = 0
    t.n += 1


cdef void _copy(Tokens *t, const unsigned char *data, Py_ssize_t pos, Py_ssize_t length, int dist) noexcept nogil:
    """``length`` bytes at ``pos`` that repeat the bytes ``dist`` before them, as matches of
    3..258 bytes (literals for a tail too short to be a match)."""
    cdef Py_ssize_t chunk
    while length > 0:
        chunk = MAX_MATCH if length > MAX_MATCH else length
        if length - chunk > 0 and length - chunk < MIN_MATCH:
            chunk = length - MIN_MATCH  # leave a tail long enough to be a match
        if chunk < MIN_MATCH:
            _literal(t, data[pos])
            pos += 1
            length -= 1
            continue
        if t.n < t.cap:
            t.lits[t.n] = <unsigned short>chunk
            t.dists[t.n] = <unsigned short>dist
        t.n += 1
        pos += chunk
        length -= chunk


cdef inline unsigned int _hash(const unsigned char *p, int n) noexcept nogil:
    cdef unsigned int h = 2166136261u
    cdef int k
    for k in range(n):
        h = (h ^ p[k]) * 16777619u
    return h >> (32 - HASH_BITS)


cdef inline int _match_cost(int length, int dist) noexcept nogil:
    """Estimated bits of a match (in 1/16 bit): its two codes and their extra bits."""
    return 16 * (8 + LENGTH_EXTRA[LENGTH_CODE[length]] + DIST_EXTRA[_dist_code(dist)])


cdef void _row_tokens(const unsigned char *data, Py_ssize_t pos, Py_ssize_t end, int hlen, int max_chain,
                      const int *lit_cost, int *head, int *prev, Tokens *t) noexcept nogil:
    """LZ77 tokens of ``data[pos:end]``, rows of pixels, matching earlier rows of pixels.

    A match is taken for what it saves over literals (``lit_cost``: estimated bits of each
    byte as a literal, in 1/16 bit), not for its length: at scale 8 a module is one byte of
    about 1.5 bits, and a short match far back costs more than the literals it replaces.
    One-step lazy evaluation, as zlib's; the hash over ``hlen`` bytes (about 8 modules)
    keeps the chains selective."""
    cdef Py_ssize_t i = pos, j, stop
    cdef long cand
    cdef int prev_len = 0, prev_dist = 0, prev_gain = 0, cur_len, cur_dist, cur_gain, chain, length
    cdef int limit, gain, lits, k
    cdef unsigned int h
    cdef bint pending = False
    cdef const unsigned char *a
    cdef const unsigned char *b
    while i < end:
        cur_len = 0
        cur_dist = 0
        cur_gain = 0
        if i + hlen <= end:
            h = _hash(data + i, hlen)
            cand = head[h]
            prev[i & WMASK] = <int>cand
            head[h] = <int>i
            limit = MAX_MATCH if end - i > MAX_MATCH else <int>(end - i)
            chain = max_chain if prev_len < GOOD_LENGTH else max_chain >> 2
            if prev_len >= limit:
                chain = 0
            while cand >= 0 and i - cand < WSIZE and chain > 0:
                a = data + cand
                b = data + i
                if a[0] == b[0] and a[hlen - 1] == b[hlen - 1]:
                    length = 0
                    lits = 0
                    while length < limit and a[length] == b[length]:
                        lits += lit_cost[b[length]]
                        length += 1
                    if length >= MIN_MATCH:
                        gain = lits - _match_cost(length, <int>(i - cand))
                        if gain > cur_gain:
                            cur_gain = gain
                            cur_len = length
                            cur_dist = <int>(i - cand)
                            if length >= limit:
                                break
                cand = prev[cand & WMASK]
                chain -= 1
        if prev_len >= MIN_MATCH and cur_gain <= prev_gain:
            _copy(t, data, i - 1, prev_len, prev_dist)
            stop = i - 1 + prev_len
            j = i + 1
            while j < stop:  # positions inside the match join the hash chains too
                if j + hlen <= end:
                    h = _hash(data + j, hlen)
                    prev[j & WMASK] = head[h]
                    head[h] = <int>j
                j += 1
            i = stop
            pending = False
            prev_len = 0
            prev_gain = 0
        elif pending:
            _literal(t, data[i - 1])
            prev_len = cur_len
            prev_dist = cur_dist
            prev_gain = cur_gain
            i += 1
        else:
            pending = True
            prev_len = cur_len
            prev_dist = cur_dist
            prev_gain = cur_gain
            i += 1
    if pending:
        _literal(t, data[end - 1])


cdef inline bint _zero_row(const unsigned char *data, Py_ssize_t pos, int line) noexcept nogil:
    """A row filtered "Up" that repeats the row above: filter byte 2, then zeros only."""
    cdef int x
    if data[pos] != 2:
        return False
    for x in range(1, line):
        if data[pos + x]:
            return False
    return True


cdef void _scanline_tokens(const unsigned char *data, int nlines, int line, int hlen, int max_chain,
                           int *head, int *prev, Tokens *t) noexcept nogil:
    """Tokens of PNG scanlines (any rows; those made by ``_rows`` compress best).

    A row filtered "Up" that is all zeros repeats the row above (``_zero_row``). Each run of
    them repeats the run before it, one module row up: that is one match,
    stretched back over the end of the row of pixels before it and on over the start of
    the row after it while they agree with the rows one module up (the quiet zone, the
    finder patterns). The rest of the rows of pixels go through ``_row_tokens``."""
    cdef int y = 0, k, j, kz, z, prev_run = 0, total = 0
    cdef Py_ssize_t pos = 0, prev_start = -1, x, e, zend, uend, back, fwd, dist
    cdef unsigned int count[256]
    cdef int lit_cost[256]
    for j in range(HASH_SIZE):
        head[j] = -1
    # what each byte costs as a literal, from the byte counts of the rows of pixels
    memset(count, 0, sizeof(count))
    for y in range(nlines):
        x = <Py_ssize_t>y * line
        if not _zero_row(data, x, line):
            for j in range(line):
                count[data[x + j]] += 1
            total += line
    for j in range(256):
        lit_cost[j] = <int>(16 * log2(<double>(total + 1) / (count[j] + 1)))
    y = 0
    while y < nlines:
        if not _zero_row(data, <Py_ssize_t>y * line, line):
            k = 1
            while y + k < nlines and not _zero_row(data, <Py_ssize_t>(y + k) * line, line):
                k += 1
            z = y + k
            e = <Py_ssize_t>z * line
            if z < nlines and prev_start >= 0:
                kz = 1
                while z + kz < nlines and _zero_row(data, <Py_ssize_t>(z + kz) * line, line):
                    kz += 1
                dist = e - prev_start
                if dist <= WSIZE and kz <= prev_run:
                    back = 0
                    while e - back > pos and data[e - back - 1] == data[e - back - 1 - dist]:
                        back += 1
                    zend = e + <Py_ssize_t>kz * line
                    uend = zend
                    while uend < <Py_ssize_t>nlines * line and not _zero_row(data, uend, line):
                        uend += line
                    fwd = 0
                    while zend + fwd < uend and data[zend + fwd] == data[zend + fwd - dist]:
                        fwd += 1
                    _row_tokens(data, pos, e - back, hlen, max_chain, lit_cost, head, prev, t)
                    _copy(t, data, e - back, back + <Py_ssize_t>kz * line + fwd, <int>dist)
                    prev_start = e
                    prev_run = kz
                    pos = zend + fwd
                    y = z + kz
                    continue
            _row_tokens(data, pos, e, hlen, max_chain, lit_cost, head, prev, t)
            pos = e
            y = z
            continue
        # a run of zero rows that cannot repeat the run before it
        k = 1
        while y + k < nlines and _zero_row(data, <Py_ssize_t>(y + k) * line, line):
            k += 1
        x = <Py_ssize_t>y * line
        if prev_start >= 0 and x - prev_start <= WSIZE:
            j = k if k < prev_run else prev_run
            _copy(t, data, x, <Py_ssize_t>j * line, <int>(x - prev_start))
            if k > j:
                _copy(t, data, x + <Py_ssize_t>j * line, <Py_ssize_t>(k - j) * line, line)
        else:
            _literal(t, 2)
            _literal(t, 0)
            _copy(t, data, x + 2, line - 2, 1)
            if k > 1:
                _copy(t, data, x + line, <Py_ssize_t>(k - 1) * line, line)
        prev_start = x
        prev_run = k
        y += k
        pos = <Py_ssize_t>y * line


cdef void _code_lengths(const unsigned int *freq, int n, int limit, unsigned char *lengths) noexcept nogil:
    """Huffman code lengths of at most ``limit`` bits for ``n`` symbol frequencies (0 for
    unused symbols; at least two symbols always get a code, as decoders expect)."""
    cdef int sym[320]
    cdef unsigned long long weight[640]
    cdef int parent[640]
    cdef int depth_of[640]
    cdef int count[64]
    cdef int nsym = 0, i, j, k, nodes, a, b, total, pos, leaves
    memset(lengths, 0, n)
    for i in range(n):
        if freq[i]:
            sym[nsym] = i
            nsym += 1
    i = 0
    while nsym < 2:  # a lone symbol (or none) still needs a complete code
        if not freq[i] and (nsym == 0 or sym[0] != i):
            sym[nsym] = i
            nsym += 1
        i += 1
    # symbols by frequency, ascending (insertion sort: at most 286 of them)
    for i in range(1, nsym):
        k = sym[i]
        j = i - 1
        while j >= 0 and (freq[sym[j]] > freq[k] or (freq[sym[j]] == freq[k] and sym[j] > k)):
            sym[j + 1] = sym[j]
            j -= 1
        sym[j + 1] = k
    # Huffman tree by the two-queue method: leaves 0..nsym-1 in order, internal nodes after
    for i in range(nsym):
        weight[i] = freq[sym[i]] if freq[sym[i]] else 1
    nodes = nsym
    a = 0  # next leaf
    b = nsym  # next internal node
    for k in range(nsym - 1):
        for j in range(2):
            if a < nsym and (b >= nodes or weight[a] <= weight[b]):
                i = a
                a += 1
            else:
                i = b
                b += 1
            parent[i] = nodes
            if j == 0:
                weight[nodes] = weight[i]
            else:
                weight[nodes] += weight[i]
        nodes += 1
    # depth of each node: parents are made after their children, so walk down from the root
    depth_of[nodes - 1] = 0
    for i in range(nodes - 2, -1, -1):
        depth_of[i] = depth_of[parent[i]] + 1
    memset(count, 0, sizeof(count))
    for i in range(nsym):
        count[depth_of[i] if depth_of[i] < 63 else 63] += 1
    # limit the lengths: fold the deep levels into ``limit``, then restore the Kraft sum
    for i in range(limit + 1, 64):
        count[limit] += count[i]
        count[i] = 0
    total = 0
    for i in range(1, limit + 1):
        total += count[i] << (limit - i)
    while total > (1 << limit):
        count[limit] -= 1
        for i in range(limit - 1, 0, -1):
            if count[i]:
                count[i] -= 1
                count[i + 1] += 2
                break
        total -= 1
    # the most frequent symbols get the shortest codes
    pos = nsym - 1
    for i in range(1, limit + 1):
        leaves = count[i]
        while leaves > 0:
            lengths[sym[pos]] = i
            pos -= 1
            leaves -= 1


cdef void _canonical(const unsigned char *lengths, int n, unsigned short *codes) noexcept nogil:
    """Canonical Huffman codes, bit-reversed for deflate's least-significant-first order."""
    cdef int count[16]
    cdef int next_code[16]
    cdef int i, code = 0, len_, rev, k
    memset(count, 0, sizeof(count))
    for i in range(n):
        count[lengths[i]] += 1
    count[0] = 0
    for i in range(1, 16):
        code = (code + count[i - 1]) << 1
        next_code[i] = code
    for i in range(n):
        len_ = lengths[i]
        if len_:
            code = next_code[len_]
            next_code[len_] += 1
            rev = 0
            for k in range(len_):
                rev = (rev << 1) | ((code >> k) & 1)
            codes[i] = rev
        else:
            codes[i] = 0


cdef struct BitWriter:
    unsigned char *out
    Py_ssize_t pos
    Py_ssize_t cap
    unsigned long long acc
    int nbits


cdef inline void _bits(BitWriter *w, unsigned int value, int count) noexcept nogil:
    w.acc |= (<unsigned long long>value) << w.nbits
    w.nbits += count
    while w.nbits >= 8:
        if w.pos < w.cap:
            w.out[w.pos] = <unsigned char>(w.acc & 0xFF)
        w.pos += 1
        w.acc >>= 8
        w.nbits -= 8


cdef inline void _align(BitWriter *w) noexcept nogil:
    if w.nbits:
        _bits(w, 0, 8 - w.nbits)


cdef int _cl_runs(const unsigned char *lengths, int n, unsigned char *syms, unsigned char *extra) noexcept nogil:
    """Run-length code a sequence of code lengths with the code-length alphabet (16: repeat
    the previous 3-6 times, 17: 3-10 zeros, 18: 11-138 zeros)."""
    cdef int i = 0, run, k = 0, cur, take
    while i < n:
        cur = lengths[i]
        run = 1
        while i + run < n and lengths[i + run] == cur:
            run += 1
        if cur == 0:
            i += run
            while run >= 11:
                take = run if run < 138 else 138
                syms[k] = 18
                extra[k] = take - 11
                k += 1
                run -= take
            if run >= 3:
                syms[k] = 17
                extra[k] = run - 3
                k += 1
                run = 0
            while run > 0:
                syms[k] = 0
                extra[k] = 0
                k += 1
                run -= 1
        else:
            syms[k] = cur
            extra[k] = 0
            k += 1
            i += 1
            run -= 1
            while run >= 3:
                take = run if run < 6 else 6
                syms[k] = 16
                extra[k] = take - 3
                k += 1
                run -= take
                i += take
            while run > 0:
                syms[k] = cur
                extra[k] = 0
                k += 1
                run -= 1
                i += 1
    return k


cdef long long _block_bits(const unsigned int *lfreq, const unsigned int *dfreq,
                           const unsigned char *llen, const unsigned char *dlen) noexcept nogil:
    cdef long long bits = 0
    cdef int i
    for i in range(LITLEN_CODES):
        bits += <long long>lfreq[i] * (llen[i] + (LENGTH_EXTRA[i - 257] if i >= 257 else 0))
    for i in range(DIST_CODES):
        bits += <long long>dfreq[i] * (dlen[i] + DIST_EXTRA[i])
    return bits


cdef void _write_tokens(BitWriter *w, const unsigned short *lits, const unsigned short *dists, Py_ssize_t ntok,
                        const unsigned char *llen, const unsigned short *lcode,
                        const unsigned char *dlen, const unsigned short *dcode) noexcept nogil:
    cdef Py_ssize_t k
    cdef int code, length, dist
    for k in range(ntok):
        if dists[k] == 0:
            _bits(w, lcode[lits[k]], llen[lits[k]])
        else:
            length = lits[k]
            code = LENGTH_CODE[length]
            _bits(w, lcode[257 + code], llen[257 + code])
            if LENGTH_EXTRA[code]:
                _bits(w, length - LENGTH_BASE[code], LENGTH_EXTRA[code])
            dist = dists[k]
            code = _dist_code(dist)
            _bits(w, dcode[code], dlen[code])
            if DIST_EXTRA[code]:
                _bits(w, dist - DIST_BASE[code], DIST_EXTRA[code])
    _bits(w, lcode[256], llen[256])


def png_deflate(bytes data not None, int line, int hlen=3, int max_chain=128):
    """The PNG scanlines ``data`` (rows of ``line`` bytes, from ``png_scanlines``) as a zlib
    stream (RFC 1950/1951)."""
    if line < 2 or len(data) % line:
        raise ValueError("data must be whole scanlines of at least 2 bytes")
    cdef const unsigned char *src = <const unsigned char *>PyBytes_AS_STRING(data)
    cdef Py_ssize_t n = len(data), ntok, k, i
    cdef unsigned int lfreq[LITLEN_CODES]
    cdef unsigned int dfreq[DIST_CODES]
    cdef unsigned int cfreq[CL_CODES]
    cdef unsigned char llen[LITLEN_CODES + DIST_CODES]
    cdef unsigned char *dlen = llen + LITLEN_CODES
    cdef unsigned char fllen[288 + DIST_CODES]  # the fixed code is defined over 288 symbols
    cdef unsigned char clen[CL_CODES]
    cdef unsigned short lcode[288]
    cdef unsigned short dcode[DIST_CODES]
    cdef unsigned short ccode[CL_CODES]
    cdef unsigned char clsyms[LITLEN_CODES + DIST_CODES]
    cdef unsigned char clextra[LITLEN_CODES + DIST_CODES]
    cdef int nlit, ndist, nclen, ncl, s
    cdef long long dyn_bits, fixed_bits, stored_bits
    cdef unsigned long a1 = 1, a2 = 0
    cdef BitWriter w
    cdef Py_ssize_t cap = 2 * n + 1024
    cdef unsigned short *tokens = <unsigned short *>malloc(2 * (n + 1) * sizeof(unsigned short))
    cdef unsigned char *out = <unsigned char *>malloc(cap)
    cdef int *head = <int *>malloc((HASH_SIZE + WSIZE) * sizeof(int))
    if tokens == NULL or out == NULL or head == NULL:
        free(tokens)
        free(out)
        free(head)
        raise MemoryError()
    cdef unsigned short *lits = tokens
    cdef unsigned short *dists = tokens + n + 1
    cdef Tokens tok
    tok.lits = lits
    tok.dists = dists
    tok.n = 0
    tok.cap = n + 1
    try:
        with nogil:
            _scanline_tokens(src, <int>(n // line), line, hlen, max_chain, head, head + HASH_SIZE, &tok)
            ntok = tok.n
            memset(lfreq, 0, sizeof(lfreq))
            memset(dfreq, 0, sizeof(dfreq))
            for k in range(ntok):
                if dists[k] == 0:
                    lfreq[lits[k]] += 1
                else:
                    lfreq[257 + LENGTH_CODE[lits[k]]] += 1
                    dfreq[_dist_code(dists[k])] += 1
            lfreq[256] = 1
            _code_lengths(lfreq, LITLEN_CODES, 15, llen)
            _code_lengths(dfreq, DIST_CODES, 15, dlen)
            nlit = LITLEN_CODES
            while nlit > 257 and llen[nlit - 1] == 0:
                nlit -= 1
            ndist = DIST_CODES
            while ndist > 1 and dlen[ndist - 1] == 0:
                ndist -= 1
            if nlit < LITLEN_CODES:  # the code lengths of both alphabets run on together
                memmove(llen + nlit, dlen, ndist)
            ncl = _cl_runs(llen, nlit + ndist, clsyms, clextra)
            if nlit < LITLEN_CODES:
                memmove(dlen, llen + nlit, ndist)
                memset(llen + nlit, 0, LITLEN_CODES - nlit)
            memset(cfreq, 0, sizeof(cfreq))
            for k in range(ncl):
                cfreq[clsyms[k]] += 1
            _code_lengths(cfreq, CL_CODES, 7, clen)
            nclen = CL_CODES
            while nclen > 4 and clen[CL_ORDER[nclen - 1]] == 0:
                nclen -= 1
            dyn_bits = 3 + 14 + 3 * nclen + _block_bits(lfreq, dfreq, llen, dlen)
            for k in range(ncl):
                s = clsyms[k]
                dyn_bits += clen[s] + (2 if s == 16 else 3 if s == 17 else 7 if s == 18 else 0)
            for i in range(288):
                fllen[i] = 8 if i < 144 else 9 if i < 256 else 7 if i < 280 else 8
            for i in range(DIST_CODES):
                fllen[288 + i] = 5
            fixed_bits = 3 + _block_bits(lfreq, dfreq, fllen, fllen + 288)
            stored_bits = (n + 5 * (n // 65535 + 1)) * 8
            w.out = out
            w.pos = 0
            w.cap = cap
            w.acc = 0
            w.nbits = 0
            _bits(&w, 0x78, 8)  # zlib header: deflate, 32K window, "maximum compression"
            _bits(&w, 0xDA, 8)
            if stored_bits < dyn_bits and stored_bits < fixed_bits:
                i = 0
                while True:
                    k = n - i if n - i < 65535 else 65535
                    _bits(&w, 1 if i + k >= n else 0, 1)
                    _bits(&w, 0, 2)
                    _align(&w)
                    _bits(&w, <unsigned int>k, 16)
                    _bits(&w, <unsigned int>(0xFFFF ^ k), 16)
                    if w.pos + k <= w.cap:
                        memcpy(w.out + w.pos, src + i, k)
                    w.pos += k
                    i += k
                    if i >= n:
                        break
            elif fixed_bits <= dyn_bits:
                _bits(&w, 1, 1)
                _bits(&w, 1, 2)
                _canonical(fllen, 288, lcode)
                _canonical(fllen + 288, DIST_CODES, dcode)
                _write_tokens(&w, lits, dists, ntok, fllen, lcode, fllen + 288, dcode)
            else:
                _bits(&w, 1, 1)
                _bits(&w, 2, 2)
                _bits(&w, nlit - 257, 5)
                _bits(&w, ndist - 1, 5)
                _bits(&w, nclen - 4, 4)
                for k in range(nclen):
                    _bits(&w, clen[CL_ORDER[k]], 3)
                _canonical(clen, CL_CODES, ccode)
                for k in range(ncl):
                    s = clsyms[k]
                    _bits(&w, ccode[s], clen[s])
                    if s == 16:
                        _bits(&w, clextra[k], 2)
                    elif s == 17:
                        _bits(&w, clextra[k], 3)
                    elif s == 18:
                        _bits(&w, clextra[k], 7)
                _canonical(llen, LITLEN_CODES, lcode)
                _canonical(dlen, DIST_CODES, dcode)
                _write_tokens(&w, lits, dists, ntok, llen, lcode, dlen, dcode)
            _align(&w)
            for i in range(n):  # Adler-32, big-endian
                a1 += src[i]
                if a1 >= 65521:
                    a1 -= 65521
                a2 += a1
                if a2 >= 65521:
                    a2 -= 65521
            _bits(&w, <unsigned int>((a2 >> 8) & 0xFF), 8)
            _bits(&w, <unsigned int>(a2 & 0xFF), 8)
            _bits(&w, <unsigned int>((a1 >> 8) & 0xFF), 8)
            _bits(&w, <unsigned int>(a1 & 0xFF), 8)
        if w.pos > w.cap:  # cannot happen: 15 bits per byte at most, plus the header
            raise RuntimeError("deflate output overflow")
        return PyBytes_FromStringAndSize(<char *>out, w.pos)
    finally:
        free(tokens)
        free(out)
        free(head)

