"""Named crash points for crash-safety tests.

`MAILBOT_CRASH_AT=after_journal` (or `after_journal:3` for the third time it is reached) makes the
process print `mailbot: crash point <name> reached (hit N)` on stderr and kill itself with SIGKILL
there. Unset in production: `hit()` then costs one dict lookup.

Points: after_journal, after_handler_commit, during_send (after the SMTP server accepted an email,
before the outbox row is marked sent), after_move.

Pause points, for concurrency tests: `MAILBOT_PAUSE_AT=pending_read:2.5` makes the process sleep
2.5 s each time it reaches `pending_read` (a worker has read a pending message and not yet
claimed it), so a test can make two workers go for the same message. Optional `:N` after the
seconds pauses only the first N hits.
"""

from __future__ import annotations

import os
import signal
import sys

__all__ = ["POINTS", "armed", "hit", "pause"]

POINTS = ("after_journal", "after_handler_commit", "during_send", "after_move")

_counts: dict[str, int] = {}


def _armed() -> tuple[str, int] | None:
    spec = os.environ.get("MAILBOT_CRASH_AT")
    if not spec:
        return None
    name, _, nth = spec.partition(":")
    return name, int(nth or 1)


def armed(name: str) -> bool:
    """Whether `MAILBOT_CRASH_AT` names crash point `name`."""
    spec = _armed()
    return spec is not None and spec[0] == name


def hit(name: str) -> None:
    """Mark that execution reached crash point `name`; die here if it is armed."""
    armed = _armed()
    if armed is None or armed[0] != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] == armed[1]:
        sys.stderr.write(f"mailbot: crash point {name} reached (hit {_counts[name]})\n")
        sys.stderr.flush()
        os.kill(os.getpid(), signal.SIGKILL)


_pauses: dict[str, int] = {}


def pause(name: str) -> None:
    """Sleep at pause point `name` if `MAILBOT_PAUSE_AT=name:seconds[:count]` arms it."""
    spec = os.environ.get("MAILBOT_PAUSE_AT")
    if not spec:
        return
    point, _, rest = spec.partition(":")
    if point != name:
        return
    seconds, _, count = rest.partition(":")
    _pauses[name] = _pauses.get(name, 0) + 1
    if count and _pauses[name] > int(count):
        return
    import time

    time.sleep(float(seconds or 1))
