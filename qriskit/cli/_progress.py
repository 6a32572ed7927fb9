"""The batch progress bar: ``rich`` on stderr when asked for and installed, else nothing."""

from __future__ import annotations

import sys
from types import TracebackType
from typing import Any

__all__ = ["Progress"]


class Progress:
    """Rows written and the share of the input read; a no-op when disabled or without rich."""

    def __init__(self, enabled: bool, total: int | None) -> None:
        self._bar: Any = None
        self._task: Any = None
        if not enabled:
            return
        try:
            from rich.console import Console
            from rich.progress import BarColumn, TextColumn, TimeElapsedColumn
            from rich.progress import Progress as Bar
        except ImportError:  # the cli extra is optional: run the same without a bar
            return
        self._bar = Bar(
            TextColumn("[bold]batch"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%" if total else ""),
            TextColumn("{task.fields[rows]:>10,} rows"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )
        self._task = self._bar.add_task("batch", total=total, rows=0)

    def update(self, rows: int, done: int) -> None:
        """``rows`` written so far, ``done`` input bytes read."""
        if self._bar is not None:
            self._bar.update(self._task, rows=rows, completed=done)

    def __enter__(self) -> Progress:
        if self._bar is not None:
            self._bar.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bar is not None:
            self._bar.stop()
