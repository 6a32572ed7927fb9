# What another Cython module (the Arrow kernels, qriskit/_arrow_c.pyx) uses of the native
# codec: its layout structs and the byte-level functions of a conversion. Every function
# here is exported through the module's C-API capsule; the ones marked ``nogil`` run
# without the GIL. Their meaning is documented beside their definitions in _codec_c.pyx.

from libc.stdint cimport int32_t, uint8_t, uint16_t, uint32_t

cdef enum:
    MAX_EL = 101          # 100 distinct ids at one level, plus a sentinel
    MAX_PIECES = 32       # a plan has at most ~20 pieces (see _plan); checked on every add
    REF_MAX = 416         # a new 62 element: "62" + length + at most 99 characters of UTF-8
    AMT_MAX = 32          # "54" + 2-digit length + 13 characters, with room to spare


cdef struct Piece:
    const uint8_t* p      # new UTF-8 bytes, or NULL for a span of source objects
    Py_ssize_t n          # bytes
    Py_ssize_t nc         # characters
    uint32_t mx           # largest character of new bytes (0 for ASCII)
    int ea                # source span: objects ea .. eb-1
    int eb


cdef struct Plan:
    int k                 # pieces
    int at[3]             # where the amount, tip and reference pieces go (-1: absent)
    Piece pieces[MAX_PIECES]


cdef struct Root:
    const uint8_t* b      # UTF-8 of the payload (owned by the str, or by the caller's buffer)
    Py_ssize_t nb
    bint ascii
    int count             # root objects, 63 included
    uint16_t computed     # the CRC the data calls for
    bint crc_ok
    uint8_t tag[MAX_EL]
    int32_t cs[MAX_EL]    # char offset of each header; cs[count] = len
    int32_t bs[MAX_EL]    # byte offset of each header; bs[count] = nb
    uint16_t st[MAX_EL]   # CRC state at bs[i], where mark[i] is set
    uint8_t mark[MAX_EL]  # boundaries a conversion can split at
    signed char pos[100]  # object index of each id, or -1
    signed char minor     # decimals the currency (53) allows, or -1 when unknown
    int kind              # the text's storage: 1, 2 or 4 bytes a character (owned by the str)
    const void* data
    uint32_t mx[MAX_EL]   # each object's storage class as a largest character: 0 (ASCII), 255,
                          # 65535 or 0x10FFFF (non-ASCII roots only; a str's layout needs no more)


cdef struct Split62:
    Py_ssize_t head_b, head_n, head_c   # bytes of the sub-objects before 05: start, length, chars
    Py_ssize_t tail_b, tail_n, tail_c   # after 05 (an old 05 is dropped)
    uint32_t mx                         # largest character of head and tail


# -- with the GIL: a payload given as a str ------------------------------------------------------
cdef int _load(Root* r, str text, bint verify_crc) except -1
cdef int _split62(const Root* r, str text, Split62* out) except -1

# -- without the GIL: bytes in, bytes out ---------------------------------------------------------
cdef int load_ascii(Root* r, const uint8_t* p, Py_ssize_t n, bint verify_crc) noexcept nogil
cdef int split62_ascii(const Root* r, Split62* out) noexcept nogil
cdef int reference_piece_bytes(const Root* r, const Split62* split, const uint8_t* ref, Py_ssize_t n,
                               uint8_t* buf, Piece* piece) noexcept nogil
cdef Py_ssize_t plain_amount(const uint8_t* p, Py_ssize_t n, signed char minor) noexcept nogil
cdef Py_ssize_t amount_head(uint8_t* out, Py_ssize_t n) noexcept nogil
cdef int plan_pieces(const Root* r, bint dynamic, const Piece* amt, const Piece* tip, const Piece* ref,
                     Piece* out, int* at) noexcept nogil
cdef void set_piece(Piece* piece, const uint8_t* p, Py_ssize_t n) noexcept nogil
cdef uint16_t crc_update(uint16_t s, const uint8_t* p, Py_ssize_t n) noexcept nogil
cdef uint16_t crc_mul(uint16_t a, uint16_t b) noexcept nogil
cdef uint16_t crc_shift(Py_ssize_t n) noexcept nogil
cdef uint16_t hash_pieces(const Root* r, uint16_t s, const Piece* pieces, int k) noexcept nogil
cdef uint8_t* copy_pieces(const Root* r, uint8_t* w, const Piece* pieces, int k) noexcept nogil
cdef void finish_crc(uint8_t* w, uint16_t s) noexcept nogil
