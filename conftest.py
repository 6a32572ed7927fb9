"""Collect the samples of README.md and docs/*.md as tests (tests/docs/samples.py)."""

from tests.docs.samples import sybil

pytest_collect_file = sybil.pytest()
