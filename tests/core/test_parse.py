"""Parsing: the root walk, the CRC, and every way a payload can be broken."""

import itertools
import pickle

import pytest

from qriskit import CRCError, QRISError, TLVError
from tests.codes import STATIC, STATIC_PAIRS, make, pairs_of, tlv, with_crc


def test_parse_typical_code(twin):
    code = twin.parse(STATIC)
    assert code.payload == STATIC == str(code)
    assert [(t, v) for t, v in code.items()][:-1] == list(STATIC_PAIRS)
    assert code.items()[-1] == ("63", STATIC[-4:])
    assert code.crc == STATIC[-4:] and code.crc_ok
    assert code.get("59") == "Toko Sejahtera"
    assert code.get("54") is None and code.get("54", "x") == "x"
    assert "59" in code and "54" not in code and 59 not in code


def test_spans_cover_payload(twin):
    code = twin.parse(STATIC)
    spans = code.spans()
    assert spans[0][1] == 0 and spans[-1][2] == len(STATIC)
    assert all(a[2] == b[1] for a, b in itertools.pairwise(spans))
    assert "".join(STATIC[s:e] for _, s, e in spans) == STATIC


def test_lengths_count_characters_and_crc_runs_over_utf8(twin):
    payload = make(("00", "01"), ("59", "Café Ñandú 最佳"), ("60", "Bandung"))
    code = twin.parse(payload)
    assert code.get("59") == "Café Ñandú 最佳"
    assert code.get("60") == "Bandung"


def test_lowercase_crc_is_accepted(twin):
    body = STATIC[:-4]
    lower = body + STATIC[-4:].lower()
    if lower == STATIC:
        pytest.skip("CRC has no letters")  # pragma: no cover
    assert twin.parse(lower).crc_ok


def test_wrong_crc_refused_unless_asked(twin):
    bad = STATIC[:-4] + ("0000" if STATIC[-4:] != "0000" else "0001")
    with pytest.raises(CRCError) as exc:
        twin.parse(bad)
    assert exc.value.path == "63" and exc.value.offset == len(bad) - 4
    assert "verify_crc=False" in str(exc.value)
    code = twin.parse(bad, verify_crc=False)
    assert not code.crc_ok and code.computed_crc == STATIC[-4:].upper()


def test_bytes_payload_is_utf8(twin):
    assert twin.parse(STATIC.encode()).payload == STATIC
    with pytest.raises(TLVError):
        twin.parse(b"\xff\xfe" + STATIC.encode())


@pytest.mark.parametrize("bad", [None, 12345, 1.5, ["000201"]])
def test_wrong_type_is_type_error(twin, bad):
    with pytest.raises(TypeError):
        twin.parse(bad)


def test_pickle_round_trip(twin):
    code = twin.parse(STATIC)
    again = pickle.loads(pickle.dumps(code))
    assert again.payload == code.payload and again.items() == code.items()


def test_payload_is_immutable(twin):
    code = twin.parse(STATIC)
    with pytest.raises((TypeError, AttributeError)):
        code.__init__(make(("00", "01"), ("59", "X")))
    assert code.payload == STATIC


# -- broken payloads: class, offset and path --------------------------------------------------

def _err(twin, payload, cls):
    with pytest.raises(cls) as exc:
        twin.parse(payload)
    assert isinstance(exc.value, QRISError) and isinstance(exc.value, ValueError)
    return exc.value


def test_empty(twin):
    assert _err(twin, "", TLVError).offset == 0


@pytest.mark.parametrize("payload", ["000", "00020101", STATIC[:-1], STATIC + "\n", STATIC[:-8]])
def test_crc_not_at_the_end(twin, payload):
    assert _err(twin, payload, CRCError).path == "63"


def test_crc_not_hex(twin):
    body = STATIC[:-4]
    assert _err(twin, body + "XYZ1", CRCError).offset == len(body)
    assert twin.parse(body + "XYZ1", verify_crc=False).crc_ok is False


def test_crc_found_at_len_minus_8_never_by_search(twin):
    # "6304" inside a value, and a CRC whose value is itself "6304": a search for the
    # last "6304" would cut both wrong.
    inside = make(("00", "01"), ("59", "6304ABCD"), ("60", "X6304"))
    assert twin.parse(inside).get("59") == "6304ABCD"
    payload = next(p for p in (make(("00", "01"), ("59", f"M{i}")) for i in range(400_000)) if p.endswith("6304"))
    code = twin.parse(payload)
    assert code.crc == "6304" and code.items()[-1] == ("63", "6304")


def test_first_object_must_be_00(twin):
    err = _err(twin, make(("01", "11"), ("00", "01")), TLVError)
    assert err.offset == 0 and err.path == "01"


def test_id_not_digits(twin):
    payload = with_crc("000201" + "AB02xx")
    err = _err(twin, payload, TLVError)
    assert err.offset == 6


@pytest.mark.parametrize("length", ["0A", "00", " 2"])
def test_bad_length(twin, length):
    payload = with_crc("000201" + "59" + length + "xx")
    err = _err(twin, payload, TLVError)
    assert err.path == "59" and err.offset == 8


def test_value_overrun(twin):
    payload = with_crc("000201" + "5920short")
    err = _err(twin, payload, TLVError)
    assert err.path == "59" and "runs past the end" in str(err)


def test_header_cut(twin):
    payload = with_crc("000201" + "59")
    assert "cut short" in str(_err(twin, payload, TLVError))


def test_repeated_root_tag(twin):
    err = _err(twin, make(("00", "01"), ("59", "A"), ("59", "B")), TLVError)
    assert err.path == "59" and err.offset == 11


def test_crc_object_before_the_end(twin):
    err = _err(twin, make(("00", "01"), ("63", "ABCD"), ("59", "B")), TLVError)
    assert err.path == "63"


def test_only_a_crc(twin):
    assert _err(twin, with_crc(""), TLVError).offset == 0


def test_lone_surrogate(twin):
    payload = "0002015903ab\ud800" + "6304ABCD"
    err = _err(twin, payload, TLVError)
    assert err.offset == payload.index("\ud800")


def test_templates_are_not_checked_by_parse(twin):
    # A 62 whose inside is not TLV still parses: validate reports it.
    payload = make(("00", "01"), ("62", "not tlv at all"), ("59", "X"))
    assert twin.parse(payload).get("62") == "not tlv at all"


def test_error_messages_say_what_where_and_how(twin):
    err = _err(twin, with_crc("000201" + "5920short"), TLVError)
    text = str(err)
    assert "tag 59" in text and "offset 8" in text and ";" in text  # message (where); hint


def test_pairs_helper_agrees(twin):
    assert [tuple(p) for p in twin.parse(STATIC).items()[:-1]] == pairs_of(STATIC)


def test_tlv_items_on_template(twin):
    value = tlv("00", "ID.CO.QRIS.WWW") + tlv("02", "ID1020017611473")
    items = twin.tlv_items(value, 100, "51")
    assert items == (("00", "ID.CO.QRIS.WWW", 100), ("02", "ID1020017611473", 118))
    with pytest.raises(TLVError) as exc:
        twin.tlv_items(value + "0", 100, "51")
    assert exc.value.path == "51" and exc.value.offset == 100 + len(value)
    with pytest.raises(TLVError) as exc:
        twin.tlv_items(tlv("05", "A") + tlv("05", "B"), 50, "62")
    assert exc.value.path == "62.05" and exc.value.offset == 55
