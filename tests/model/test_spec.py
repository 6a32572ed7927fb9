"""The facts in spec.py: the participant directory and the ISO 4217 table."""

from __future__ import annotations

import pytest

from qriskit import spec


def test_participant_directory_is_well_formed():
    assert len(spec.ACQUIRERS) >= 150
    for nns, who in spec.ACQUIRERS.items():
        assert who.nns == nns and len(nns) == spec.NNS_LENGTH and nns.isdigit()
        assert nns.startswith(spec.NNS_DOMESTIC_PREFIX)
        assert who.kind in ("bank", "e-money", "aggregator", "other") and who.name
        assert who.sources and set(who.sources.split()) <= set(spec.PARTICIPANT_SOURCES), nns


@pytest.mark.parametrize(("nns", "name"), [
    ("93600113", "Bank Jateng"), ("93600826", "Dipay"), ("93600789", "IMkas"), ("93600564", "Bank Mandiri Taspen"),
    ("93600915", "DANA"), ("93600898", "Telkom (T-Money)"), ("93600899", "DOKU"),
])
def test_participants_named_by_the_issue_are_known(nns, name):
    assert spec.participant(nns + "0123456789").name == name


def test_currency_table_matches_iso_4217():
    import iso4217  # the test extra: an independent copy of the ISO 4217 list

    theirs = {f"{c.number:03d}": (c.code, c.exponent) for c in iso4217.Currency if c.exponent is not None}
    ours = {n: (c.code, c.minor_units) for n, c in spec.CURRENCIES.items()}
    assert ours == theirs
    assert spec.minor_units("360") == 2 and spec.minor_units("392") == 0 and spec.minor_units("414") == 3
    assert spec.minor_units("999") is None and spec.minor_units(None) is None
