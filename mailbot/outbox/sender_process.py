"""The outbox sender in a forked process, beside the handlers of a long backlog.

Handling is CPU work in the cycle's process; sending mostly waits on the SMTP server, but each
wake-up needs Python's GIL, which the handlers hold. In its own process the sender neither
waits for the handlers nor slows them, and it uses the second core. It runs the same
`send_pending(..., feed=)` as the sender thread, on its own engine; the `Feed` is shared through
the fork (a multiprocessing condition), so `queued()`, `close()` and `quiet()` work as with the
thread. Its claims name its own pid. It dies with its parent (PR_SET_PDEATHSIG and a
watchdog); a crash point reached inside it (`during_send`) kills the cycle's process too, as it
would with the thread.
"""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import signal
from typing import Any

from mailbot.outbox.sender import Feed, SendReport, send_pending

__all__ = ["SenderProcess"]

log = logging.getLogger("mailbot.outbox.sender")


def _child(url: str, transport: Any, max_attempts: int, feed: Feed, channel: Any) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides: it closes the feed
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    gc.enable()  # forked inside frozen_heap()
    from mailbot.db import make_engine
    from mailbot.lookahead import _die_with_parent

    _die_with_parent()
    try:
        engine = make_engine(url)
        report = send_pending(engine, transport, feed=feed, max_attempts=max_attempts)
        channel.send(("report", report))
    except BaseException as exc:  # re-raised by the parent
        try:
            channel.send(("error", exc))
        except Exception:  # not picklable: its type and first line
            channel.send(("error", RuntimeError(f"sender process: {type(exc).__name__}")))
    finally:
        feed.finished()
        channel.close()


class SenderProcess:
    """A forked `send_pending(..., feed=self.feed)`; `join()` returns its SendReport."""

    def __init__(self, engine: Any, transport: Any, max_attempts: int) -> None:
        context = multiprocessing.get_context("fork")
        self.feed = Feed(context)
        self._channel, child_end = context.Pipe(duplex=False)
        url = engine.url.render_as_string(hide_password=False)
        self._process = context.Process(
            target=_child, args=(url, transport, max_attempts, self.feed, child_end),
            name="mailbot-sender", daemon=True)
        from mailbot.lookahead import frozen_heap

        with frozen_heap():
            self._process.start()
        child_end.close()

    @classmethod
    def possible(cls) -> bool:
        """Forking is available and there is a second core to send from."""
        return (os.cpu_count() or 1) >= 2 and "fork" in multiprocessing.get_all_start_methods()

    def join(self) -> SendReport:
        """Wait for the sender (close the feed first); its report, or its error re-raised."""
        try:
            kind, value = self._channel.recv()
        except EOFError:  # it died without a word (killed)
            kind, value = "died", None
        finally:
            self._channel.close()
        self._process.join()
        code = self._process.exitcode
        if code == -signal.SIGKILL and os.environ.get("MAILBOT_CRASH_AT"):
            os.kill(os.getpid(), signal.SIGKILL)  # its crash point is ours: the run dies there
        if kind == "report":
            return value
        if kind == "error":
            raise value
        raise RuntimeError(f"the sender process died (exit code {code})")

    def kill(self) -> None:
        """Stop it now (the cycle is failing): claims it held are taken back later."""
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
