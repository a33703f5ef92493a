"""`mailbot run`: the long-running loop around the pipeline, with IDLE and clean SIGTERM."""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
import time

from mailbot.logging_setup import safe_error
from mailbot.pipeline import CycleReport, Pipeline

__all__ = ["Daemon"]

log = logging.getLogger("mailbot.daemon")


class Daemon:
    """Runs pipeline cycles; waits with IDLE (or polls) between them; stops on SIGTERM/SIGINT.

    A stop request lets the current message finish, then exits (well within 10 s: every wait is
    sliced into 1 s steps and the loop checks between messages).
    """

    def __init__(self, pipeline: Pipeline, source_factory, poll_seconds: int = 60,
                 scheduler=None):
        self.pipeline = pipeline
        self.source_factory = source_factory
        self.poll_seconds = poll_seconds
        self.stop_event = threading.Event()
        self.scheduler = scheduler  # mailbot.scheduler.ReportScheduler: its jobs run in this thread

    def install_signal_handlers(self) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: self.stop_event.set())

    def should_stop(self) -> bool:
        return self.stop_event.is_set()

    def _wake(self) -> bool:
        """Stop waiting: a stop request, or a scheduled job is due."""
        return self.should_stop() or (self.scheduler is not None and self.scheduler.has_due())

    def run_once(self) -> CycleReport:
        if self.scheduler is not None:  # `run --once`: the blank-form reminders due now
            self.scheduler.run_reminders()
        source = self.source_factory()
        source.connect()
        try:
            return self.pipeline.run_once(source, self.should_stop)
        finally:
            source.close()

    def run_forever(self) -> None:
        backoff = 1.0
        source = None
        if self.scheduler is not None:
            self.scheduler.start()  # catches up a report missed while stopped
        while not self.should_stop():
            try:
                if self.scheduler is not None:
                    self.scheduler.run_pending()  # queued now, sent by this cycle
                if source is None:
                    source = self.source_factory()
                    source.connect()
                report = self.pipeline.run_once(source, self.should_stop)
                if report.journaled or (report.sent and report.sent.sent):
                    log.info("cycle: %d new, %d sent", report.journaled, report.sent.sent)
                backoff = 1.0
                if self.should_stop():
                    break
                # Wake on new mail (IDLE) or after the poll interval (also retries deferred emails).
                source.wait_for_new(self.poll_seconds, self._wake)
            except Exception as exc:  # network trouble: reconnect with backoff, never die
                log.warning("cycle failed (%s); retrying in %.0f s", safe_error(exc), backoff)
                if source is not None:
                    with contextlib.suppress(Exception):
                        source.close()
                    source = None
                self._sleep(backoff)
                backoff = min(backoff * 2, 300.0)
        if source is not None:
            source.close()
        if self.scheduler is not None:
            self.scheduler.shutdown()
        log.info("stopped")

    def _sleep(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self.should_stop() and time.monotonic() < deadline:
            time.sleep(min(1.0, deadline - time.monotonic()))
