"""Log levels (mailbot's own debug lines only with -v; protocol traces behind their own flag) and
database errors without row values."""

from __future__ import annotations

import logging

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import Offer
from mailbot.logging_setup import TRACE_ENV, safe_error, setup_logging


@pytest.fixture(autouse=True)
def _restore_logging(monkeypatch):
    monkeypatch.delenv(TRACE_ENV, raising=False)
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)
    names = ("mailbot", "imapclient", "aiosmtplib")
    levels = {n: logging.getLogger(n).level for n in names}
    yield
    root.handlers[:], root.level = saved
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_default_level_is_info_for_mailbot_warning_for_libraries():
    setup_logging()
    assert logging.getLogger("mailbot.pipeline").isEnabledFor(logging.INFO)
    assert not logging.getLogger("mailbot.pipeline").isEnabledFor(logging.DEBUG)
    assert not logging.getLogger("imapclient.imaplib").isEnabledFor(logging.INFO)
    assert not logging.getLogger("some.library").isEnabledFor(logging.INFO)


def test_verbose_is_mailbot_debug_only():
    setup_logging(verbose=True)
    assert logging.getLogger("mailbot.sources.imap").isEnabledFor(logging.DEBUG)
    for name in ("imapclient.imaplib", "imapclient", "aiosmtplib", "sqlalchemy.engine.Engine",
                 "psycopg", "asyncio", "PIL"):
        assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name


@pytest.mark.parametrize("by_env", [False, True])
def test_protocol_trace_needs_its_own_flag_and_warns(monkeypatch, capsys, by_env):
    if by_env:
        monkeypatch.setenv(TRACE_ENV, "1")
    setup_logging(verbose=False, trace_protocol=not by_env)
    assert logging.getLogger("imapclient.imaplib").isEnabledFor(logging.DEBUG)
    assert logging.getLogger("aiosmtplib").isEnabledFor(logging.DEBUG)
    assert "protocol trace on" in capsys.readouterr().err


def test_sql_parameters_never_in_a_database_error(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    with session_scope(engine) as session:
        session.add(Offer(ref="CS-2027-0001", title="x"))
    with pytest.raises(IntegrityError) as caught, session_scope(engine) as session:
        session.add(Offer(ref="CS-2027-0001", title="Jean Dupont 06 12 34 56 78"))
    shown = str(caught.value) + repr(caught.value) + safe_error(caught.value)
    assert "UNIQUE constraint failed" in shown
    assert "Jean Dupont" not in shown and "06 12" not in shown
    assert "\n" not in safe_error(caught.value) and "[SQL" not in safe_error(caught.value)


def test_safe_error_is_one_clean_line():
    line = safe_error(ValueError("first\x1b[31m line\nsecond line"))
    assert line == "ValueError: first\ufffd[31m line"
    with make_engine("sqlite://").connect() as conn, pytest.raises(Exception) as caught:
        conn.execute(text("select * from nowhere where x = :v"), {"v": "secret@x.fr"})
    assert safe_error(caught.value) == ("OperationalError: (sqlite3.OperationalError) "
                                        "no such table: nowhere")
