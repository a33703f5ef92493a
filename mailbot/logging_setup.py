"""Logging without personal data: mailbot's own lines only, database errors redacted.

- Default: mailbot's INFO lines; libraries only from WARNING up.
- `-v`: mailbot's DEBUG lines too (ids, UIDs, counts, folder names: never message content).
  Libraries stay at WARNING: imapclient's DEBUG log is the raw IMAP conversation, message
  bodies and candidates' names included.
- `--trace-protocol` (or `MAILBOT_TRACE_PROTOCOL=1`): the IMAP and SMTP protocol traces at DEBUG.
  They DO contain whole messages, names and addresses: for debugging a server conversation on a
  test mailbox only; a warning says so at start-up.

Database errors are redacted where they are raised (`redact_database_errors`): PostgreSQL's
DETAIL / HINT / CONTEXT lines quote row values ("Key (x)=(jean@…)", "Failing row contains (…)"),
so only the driver's first line is kept; with `hide_parameters=True` on the engine the SQL
parameters are never in the message either.
"""

from __future__ import annotations

import logging
import os
import re
import sys

from sqlalchemy import event
from sqlalchemy.engine import Engine

__all__ = [
    "PROTOCOL_LOGGERS",
    "TRACE_ENV",
    "redact_database_errors",
    "safe_error",
    "setup_logging",
    "trace_requested",
]

TRACE_ENV = "MAILBOT_TRACE_PROTOCOL"
# Loggers whose DEBUG output is a protocol trace (whole messages, addresses).
PROTOCOL_LOGGERS = ("imapclient", "aiosmtplib")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

log = logging.getLogger("mailbot.logging")


def trace_requested(flag: bool = False) -> bool:
    """True when the protocol trace is asked for by the flag or by $MAILBOT_TRACE_PROTOCOL."""
    return flag or os.environ.get(TRACE_ENV, "").strip().lower() in {"1", "true", "yes", "on"}


def setup_logging(verbose: bool = False, trace_protocol: bool = False, quiet: bool = False) -> None:
    """One stderr handler; mailbot at INFO (DEBUG with `verbose`, WARNING when `quiet`), every
    library at WARNING."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(logging.WARNING)
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    logging.getLogger("mailbot").setLevel(level)
    for name in ("alembic", "pypdf", "pdfminer", "sqlalchemy", "psycopg"):
        logging.getLogger(name).setLevel(logging.WARNING)
    trace = trace_requested(trace_protocol)
    for name in PROTOCOL_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG if trace else logging.WARNING)
    if trace:
        log.warning("protocol trace on (--trace-protocol / %s): the log now contains whole "
                    "messages, names and addresses; never leave it on", TRACE_ENV)


# PostgreSQL quotes the offending value in a few first lines: keep the words, drop the value.
_QUOTED_VALUE = re.compile(r'((?:invalid input (?:syntax|value) for [^:"]*|character with byte '
                           r'sequence [^:"]*)): ".*"')


def _first_line(text: str) -> str:
    return _QUOTED_VALUE.sub(r'\1: "…"', text.strip().split("\n", 1)[0].strip())


def _redact(context) -> None:
    """handle_error listener: keep the driver's first line, drop DETAIL/HINT/CONTEXT."""
    original = context.original_exception
    if original is not None and original.args and isinstance(original.args[0], str):
        original.args = (_first_line(original.args[0]), *original.args[1:])
    wrapped = context.sqlalchemy_exception
    if wrapped is not None and wrapped.args and isinstance(wrapped.args[0], str):
        wrapped.args = (_first_line(wrapped.args[0]), *wrapped.args[1:])


def redact_database_errors(engine: Engine) -> None:
    """Make every error raised by `engine` free of row values (see the module docstring)."""
    event.listen(engine, "handle_error", _redact)


def safe_error(exc: BaseException, limit: int = 300) -> str:
    """`Type: first line` of an error, without SQL, parameters or control characters."""
    text = str(exc)
    if hasattr(exc, "statement") and hasattr(exc, "orig"):  # a SQLAlchemy StatementError
        text = text.split("\n[SQL:", 1)[0]
    line = _CONTROLS.sub("\ufffd", _first_line(text))
    if len(line) > limit:
        line = line[: limit - 1] + "…"
    return f"{type(exc).__name__}: {line}" if line else type(exc).__name__
