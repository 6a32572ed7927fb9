"""Constants and stand-ins shared by the BAYAR GG adapter tests."""

from __future__ import annotations

from qriskit.api import RetryPolicy

API_KEY = "bgg_test_5ecr3t_KEY_0123456789"


class SleepRecorder:
    """Stands in for time.sleep / anyio.sleep: records the waits, waits for nothing."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


class AsyncSleepRecorder(SleepRecorder):
    async def __call__(self, seconds: float) -> None:  # type: ignore[override]
        self.calls.append(seconds)


FAST_RETRIES = RetryPolicy(max_retries=2, base_delay=0.01, max_delay=1.0, jitter=False)
