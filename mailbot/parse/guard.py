"""A hard time limit around the parsing of one document.

The readers check a deadline between steps (cooperative); this guard is the backstop for a
library call that never comes back (a pathological PDF in pdfplumber, say): an interval timer
raises DocumentTimeout in the main thread. Off the main thread (signals cannot be used there)
it does nothing and the cooperative deadline alone applies.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from mailbot.errors import UnreadableDocument

__all__ = ["DocumentTimeout", "time_limit"]


class DocumentTimeout(UnreadableDocument):
    """Parsing one document took longer than the configured limit."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise DocumentTimeout if the block runs longer than `seconds` (main thread only)."""
    usable = (
        seconds > 0
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)  # nobody else's timer running
    )
    if not usable:
        yield
        return

    def _expired(_signum, _frame) -> None:
        raise DocumentTimeout(f"reading took longer than {seconds:g} s (limit)")

    previous = signal.signal(signal.SIGALRM, _expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
