"""Issue 2: SIGKILL at named points in the middle of a batch, rerun, nothing lost, nothing doubled.

The crash points are armed by MAILBOT_CRASH_AT; the process prints which point it reached before
killing itself, so each case proves the kill happened where it says.
"""

from __future__ import annotations

import json
import signal
from collections import Counter

import pytest

from tests.integration.loop_helpers import PARTNERS, mailbot, offers, sample, write_config

pytestmark = pytest.mark.integration

EMAILS = ["e01_company_pdf_form.eml", "e03_rfc2047_filename.eml", "e05_docx_octet_stream.eml"]
EXPECTED_EMAILS = len(EMAILS) * (1 + len(PARTNERS))  # one ack + one broadcast per partner each


@pytest.mark.parametrize(
    "point",
    ["after_journal:2", "after_handler_commit:2", "during_send:3", "after_move:1"],
)
def test_kill_and_rerun(point, tmp_path, dovecot, imap_account, smtp_server, db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    for name in EMAILS:
        dovecot.append(imap_account.username, "INBOX", sample(name))

    crashed = mailbot("run", "--once", "--config", str(config), env={"MAILBOT_CRASH_AT": point})
    name, _, nth = point.partition(":")
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    assert f"crash point {name} reached (hit {nth})" in crashed.stderr
    before = len(smtp_server.messages)

    rerun = mailbot("run", "--once", "--config", str(config))
    assert rerun.returncode == 0, rerun.stderr

    # each message handled once
    listed = offers(config)
    assert len(listed) == len(EMAILS)
    journal = json.loads(mailbot("messages", "list", "--json", "--config", str(config)).stdout)
    assert len(journal) == len(EMAILS)
    assert {m["status"] for m in journal} == {"processed"}
    # every email delivered; a duplicate only for the one caught in flight, same Message-ID
    ids = Counter(str(m.message["Message-ID"]) for m in smtp_server.messages)
    assert len(ids) == EXPECTED_EMAILS
    doubled = [mid for mid, n in ids.items() if n > 1]
    if name == "during_send":
        assert before == 3  # the third email reached the server, then the process died
        assert len(doubled) == 1 and ids[doubled[0]] == 2
    else:
        assert doubled == []
    # all filed
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
    assert len(dovecot.list_uids(imap_account.username, "Traites")) == len(EMAILS)


def test_uidvalidity_change_after_a_crash_neither_loses_nor_doubles(tmp_path, dovecot, imap_account,
                                                                     smtp_server):
    """Handled but not yet filed when the folder's UIDVALIDITY changes (folder rebuilt by the
    server): the copies under the new UIDVALIDITY are recognised by Message-ID and filed, and
    a message that arrived meanwhile is handled."""
    folder = "Clauses"
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server, folder=folder)
    dovecot.recreate_folder(imap_account.username, folder)
    first, late = sample("e01_company_pdf_form.eml"), sample("e05_docx_octet_stream.eml")
    dovecot.append(imap_account.username, folder, first)
    crashed = mailbot("run", "--once", "--config", str(config),
                      env={"MAILBOT_CRASH_AT": "after_handler_commit:1"})
    assert crashed.returncode == -signal.SIGKILL
    assert "crash point after_handler_commit reached" in crashed.stderr
    old_validity = dovecot.uidvalidity(imap_account.username, folder)

    dovecot.recreate_folder(imap_account.username, folder)  # the server rebuilt the folder
    dovecot.append(imap_account.username, folder, first)
    dovecot.append(imap_account.username, folder, late)
    assert dovecot.uidvalidity(imap_account.username, folder) != old_validity

    rerun = mailbot("run", "--once", "--config", str(config))
    assert rerun.returncode == 0, rerun.stderr
    assert len(offers(config)) == 2  # the first form once, the late one once
    journal = json.loads(mailbot("messages", "list", "--json", "--config", str(config)).stdout)
    assert sorted(m["status"] for m in journal) == ["duplicate", "processed", "processed"]
    ids = Counter(str(m.message["Message-ID"]) for m in smtp_server.messages)
    assert all(n == 1 for n in ids.values())
    assert len(ids) == 2 * (1 + len(PARTNERS))
    assert dovecot.list_uids(imap_account.username, folder) == []
