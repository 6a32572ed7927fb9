"""The fuzz target runs: a short, deterministic replay of seed inputs through it."""

import pytest

from tests.codes import STATIC, make

atheris = pytest.importorskip("atheris", reason="atheris is the fuzz extra; CI installs it")


def test_seed_inputs_run_clean():
    from tests.fuzz import fuzz_native

    seeds = [b"", b"\x00" * 40, STATIC.encode(), make(("00", "01"), ("59", "Café")).encode(), bytes(range(256)),
             b"\x02\x01" + STATIC.encode(), b"\x03\x00" + b"000201" * 30]
    for seed in seeds:
        fuzz_native.test_one_input(seed)
