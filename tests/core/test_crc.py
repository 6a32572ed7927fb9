"""CRC-16/CCITT-FALSE on both twins."""

from binascii import crc_hqx

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qriskit import TLVError


def test_check_value(twin):
    # The catalogue check value of CRC-16/CCITT-FALSE.
    assert twin.crc16(b"123456789") == 0x29B1
    assert twin.crc16("123456789") == 0x29B1


def test_empty_is_init(twin):
    assert twin.crc16(b"") == 0xFFFF


def test_str_is_hashed_as_utf8(twin):
    text = "Kopi Ñusantara 最佳"
    assert twin.crc16(text) == crc_hqx(text.encode("utf-8"), 0xFFFF)


def test_buffer_types(twin):
    assert twin.crc16(bytearray(b"6304")) == twin.crc16(memoryview(b"6304")) == twin.crc16(b"6304")


@pytest.mark.parametrize("bad", [None, 1234, 12.5, ["00"]])
def test_wrong_type(twin, bad):
    with pytest.raises(TypeError):
        twin.crc16(bad)


def test_lone_surrogate_is_a_qris_error(twin):
    with pytest.raises(TLVError) as exc:
        twin.crc16("ab\udc80")
    assert exc.value.offset == 2


@given(st.binary(max_size=600))
def test_matches_binascii_on_any_bytes(data):
    from qriskit import _codec_py as _core

    expected = crc_hqx(data, 0xFFFF)
    assert _core.crc16(data) == expected
    try:
        from qriskit import _codec_c as _native
    except ImportError:  # pragma: no cover - the native twin is required in CI
        return
    assert _native.crc16(data) == expected
