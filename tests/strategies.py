"""Hypothesis strategies for codes rich in templates: merchant accounts (26-51), 62, 64 and
80-99 whose sub-objects are near the rules of ``validation``, passing them or missing by a
little (a legacy GUID, a PAN one digit short, an unknown NNS, a criteria in lowercase, a
"***" where no prompt is allowed, a non-ASCII letter, an RFU sub-id, broken TLV).

The scan rules let templates that pass skip Python's checks, so these codes must reach
both sides of every rule.
"""

from __future__ import annotations

from hypothesis import strategies as st

from qriskit import spec
from tests.codes import make, tlv

NNS = sorted(spec.ACQUIRERS)
GUIDS = [spec.QRIS_GUID, *sorted(spec.QRIS_GUID_LEGACY), "ID.DANA.WWW", "ID.CO.QRIS.WW", "id.co.qris.www",
         "G" * 32, "G" * 33, "ID.CO.QRİS.WWW"]
GOOD_TEXT = st.text(alphabet=st.sampled_from("ABCxyz019 .-"), min_size=1, max_size=15)
BAD_TEXT = st.text(alphabet=st.sampled_from("ABCxyz019 .-*é\x7f\t"), min_size=1, max_size=30)
TEXT = st.one_of(GOOD_TEXT, GOOD_TEXT, BAD_TEXT)


def mostly(good: st.SearchStrategy[str], bad: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four from ``good``: templates must often pass the rules, not only fail."""
    return st.one_of(good, good, good, bad)


def _digits(n: int) -> st.SearchStrategy[str]:
    return st.text("0123456789", min_size=n, max_size=n)


GOOD_PAN = st.tuples(st.sampled_from(NNS), st.integers(8, 11)).flatmap(
    lambda x: _digits(x[1]).map(lambda d: x[0] + d))
PAN = mostly(GOOD_PAN, st.one_of(
    st.tuples(st.sampled_from(["93609999", "12345678", "9360091"]), st.integers(7, 12)).flatmap(
        lambda x: _digits(x[1]).map(lambda d: x[0] + d)),
    st.sampled_from(["93600915302259148X", "936009153022591", "93600915302259148001",
                     "９３６００９１５３０２２５９１４８"]),
))
NMID = mostly(
    st.integers(10, 13).flatmap(lambda n: _digits(n).map(lambda d: spec.NMID_PREFIX + d)),
    st.one_of(st.integers(8, 15).flatmap(lambda n: _digits(n).map(lambda d: spec.NMID_PREFIX + d)),
              st.sampled_from(["ID10200176114X3", "id1020017611473", "1020017611473", "ID", "ID1020017611473XY"])),
)
CRITERIA = mostly(st.sampled_from(sorted(spec.CRITERIA)), st.sampled_from(["umi", "UM", "UMII", "XYZ", "UMé"]))
SUB = st.sampled_from([f"{i:02d}" for i in (*range(0, 12), 12, 49, 50, 77, 99)])


@st.composite
def sub_objects(draw: st.DrawFn, pool: dict[str, st.SearchStrategy[str]], extra: bool = True) -> str:
    """A template's value: ``pool``'s sub-ids (each now and then left out), maybe an extra
    sub-id with any text, in any order; now and then cut so that it is not valid TLV."""
    pairs = [(t, draw(s)) for t, s in pool.items() if draw(st.integers(0, 7))]
    if extra and draw(st.integers(0, 3)) == 0:
        tag = draw(SUB)
        if tag not in dict(pairs):
            pairs.append((tag, draw(TEXT)))
    pairs = draw(st.permutations(pairs)) if draw(st.integers(0, 3)) == 0 else pairs
    value = "".join(tlv(t, v) for t, v in pairs if len(v) <= 99)
    if draw(st.integers(0, 15)) == 0 and len(value) > 2:
        value = value[: draw(st.integers(1, len(value) - 1))]
    return value if 0 < len(value) <= 99 else "0001X"


GUID = mostly(st.sampled_from(["ID.DANA.WWW", "ID.CO.BCA.WWW"]), st.sampled_from(GUIDS))
ACCOUNT = {"00": GUID, "01": PAN, "02": mostly(GOOD_TEXT, TEXT), "03": CRITERIA}
NATIONAL = {"00": mostly(st.just(spec.QRIS_GUID), st.sampled_from(GUIDS)), "01": st.one_of(PAN, PAN, PAN, PAN),
            "02": NMID, "03": CRITERIA}
ADDITIONAL = {
    **{t: mostly(GOOD_TEXT, st.one_of(TEXT, st.just("***"))) for t in ("01", "05", "07")},
    "09": mostly(st.sampled_from(["A", "ME", "AME", "EMA"]), st.sampled_from(["AA", "AX", "***", "MEAM"])),
    "10": mostly(GOOD_TEXT, st.just("***")),
    "11": mostly(st.just("ABC"), st.sampled_from(["***", "AB", "ABCD"])),
    "50": st.sampled_from([tlv("00", "COM.X"), tlv("01", "x"), "nottlv"]),
}
LANGUAGE = {"00": mostly(st.just("ZH"), st.sampled_from(["Z", "ZHX", "é1"])), "01": TEXT, "02": TEXT,
            "03": TEXT}
UNRESERVED = {"00": TEXT, "01": TEXT}


@st.composite
def template_codes(draw: st.DrawFn) -> str:
    """A code with the root a QRIS needs, and a random set of templates near the rules."""
    pairs = [("00", "01"), ("01", draw(st.sampled_from(["11", "12"])))]
    for tag in draw(st.lists(st.sampled_from(["26", "30", "45", "46", "50", "51"]), unique=True, max_size=3)):
        pool = NATIONAL if tag == "51" else ACCOUNT
        if tag == "51" and draw(st.booleans()):  # a national template rarely has a PAN
            pool = {t: v for t, v in NATIONAL.items() if t != "01"}
        pairs.append((tag, draw(sub_objects(pool))))
    pairs += [("52", "5411"), ("53", "360"), ("58", "ID"), ("59", "Toko"), ("60", "Jakarta"), ("61", "12340")]
    if draw(st.booleans()):
        pool = {t: v for t, v in ADDITIONAL.items() if t != "50" or draw(st.integers(0, 4)) == 0}
        pairs.append(("62", draw(sub_objects(pool))))
    if draw(st.integers(0, 2)) == 0:
        pairs.append(("64", draw(sub_objects(LANGUAGE, extra=False))))
    if draw(st.integers(0, 3)) == 0:
        pairs.append(("80", draw(sub_objects(UNRESERVED))))
    return make(*pairs)
