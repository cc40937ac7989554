"""A progress bar on stderr for builds that take a while (rich).

Shown only when stderr is a terminal, the ``CI`` variable is unset and
``TERM`` is not ``dumb``; in pipes, logs and CI a build prints nothing but its
warnings and the files it wrote.  ``PUBLIKASI_PROGRESS=0`` turns it off and
``=1`` on regardless.  Nothing appears before the build has run for
:data:`DELAY` seconds (``PUBLIKASI_PROGRESS_DELAY`` changes it), so quick
rebuilds stay silent, and the bar removes itself when the build ends.  rich
is imported only when the bar is shown.
"""

from __future__ import annotations

import os
import sys
import time
from typing import IO, Any, Self

DELAY = 1.0  # seconds before the bar appears
REFRESH = 0.1  # seconds between redraws


def default_delay() -> float:
    """:data:`DELAY`, or ``PUBLIKASI_PROGRESS_DELAY`` seconds when that is a number."""
    try:
        return max(0.0, float(os.environ.get("PUBLIKASI_PROGRESS_DELAY", DELAY)))
    except ValueError:
        return DELAY


def wanted(stream: IO[str]) -> bool:
    """Whether a progress bar belongs on ``stream``."""
    forced = os.environ.get("PUBLIKASI_PROGRESS", "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    if os.environ.get("CI") or os.environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class BuildProgress:
    """Counts finished tasks; draws a bar once the build is slower than ``delay``.

    Use as a context manager; pass :meth:`start` and :meth:`advance` as the
    ``on_start`` / ``on_done`` callbacks of :func:`publikasi.parallel.run_tasks`.
    """

    def __init__(self, stream: IO[str] | None = None, *, enabled: bool | None = None,
                 delay: float | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = wanted(self.stream) if enabled is None else enabled
        self.delay = default_delay() if delay is None else delay
        self.began = time.monotonic()
        self.total = 0
        self.done = 0
        self._bar: Any = None
        self._task: Any = None
        self._drawn = 0.0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self, total: int) -> None:
        self.total = total
        self._maybe_draw()

    def advance(self, label: str = "") -> None:
        self.done += 1
        self._maybe_draw(label)

    def _maybe_draw(self, label: str = "") -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self._bar is None:
            if now - self.began < self.delay or self.done >= self.total:
                return
            self._open()
        if now - self._drawn < REFRESH and self.done < self.total:
            return
        self._drawn = now
        self._bar.update(self._task, completed=self.done, total=self.total,
                         description=f"publikasi {label}".strip()[:48])
        self._bar.refresh()

    def _open(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        console = Console(file=self.stream, force_terminal=True if self.enabled else None)
        # No auto-refresh thread: worker processes are forked, and a fork while
        # another thread holds a lock can hang the child.
        self._bar = Progress(TextColumn("{task.description}"), BarColumn(),
                             MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                             auto_refresh=False, transient=True)
        self._bar.start()
        self._task = self._bar.add_task("publikasi", total=self.total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()
            self._bar = None
