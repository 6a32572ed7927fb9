"""The public EMV vectors (tests/data/emv-public.json, copied from shared/vectors)."""

import json
from binascii import crc_hqx
from pathlib import Path

import pytest

from qriskit import QRISError

VECTORS = json.loads((Path(__file__).parent.parent / "data" / "emv-public.json").read_text("utf-8"))
OK = [v for v in VECTORS if v["parse"] == "ok"]
BAD = [v for v in VECTORS if v["parse"] == "error"]


def _id(v):
    return v["payload"][:40]


def test_the_set_is_what_we_think():
    assert len(VECTORS) == 101 and len(OK) == 82 and len(BAD) == 19


@pytest.mark.parametrize("vector", OK, ids=_id)
def test_valid_vectors_parse_and_round_trip(twin, vector):
    payload = vector["payload"]
    code = twin.parse(payload)
    assert "".join(f"{t}{len(v):02d}{v}" for t, v in code.items()) == payload
    assert code.computed_crc == vector["crc_computed"]
    # Converting there and back keeps every other data object byte for byte.
    dyn = twin.to_dynamic(payload, 1000)
    back = twin.parse(twin.to_static(dyn))
    expected = [(t, v) for t, v in code.items()[:-1] if t not in ("01", "54")]
    assert [(t, v) for t, v in back.items()[:-1] if t not in ("01", "54")] == expected


@pytest.mark.parametrize("vector", BAD, ids=_id)
def test_invalid_vectors_are_refused(twin, vector):
    with pytest.raises(QRISError):
        twin.parse(vector["payload"])


@pytest.mark.parametrize("vector", [v for v in VECTORS if v.get("crc_present")], ids=_id)
def test_crc_fields(twin, vector):
    payload = vector["payload"]
    data = payload[: len(payload) - 4].encode("utf-8")
    assert f"{crc_hqx(data, 0xFFFF):04X}" == vector["crc_computed"]
    assert f"{twin.crc16(payload[: len(payload) - 4]):04X}" == vector["crc_computed"]
