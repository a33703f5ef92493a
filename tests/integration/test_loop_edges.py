"""Issue 2, the loop's edges on real servers: duplicates, unknown referrers, own address, threads."""

from __future__ import annotations

import json

import pytest

from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    REF,
    broadcast_of_one_offer,
    mailbot,
    offers,
    partner_reply,
    sample,
    sender_of,
    write_config,
)

pytestmark = pytest.mark.integration


def messages(config):
    done = mailbot("messages", "list", "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_same_message_twice_is_handled_once(tmp_path, dovecot, imap_account, smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    raw = sample("e05_docx_octet_stream.eml")
    dovecot.append(imap_account.username, "INBOX", raw)
    dovecot.append(imap_account.username, "INBOX", raw)  # e.g. sent to two of our addresses
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    assert len(offers(config)) == 1
    acks = [m for m in smtp_server.messages if sender_of(raw) in m.rcpt_tos]
    assert len(acks) == 1
    assert sorted(m["status"] for m in messages(config)) == ["duplicate", "processed"]
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
    assert len(dovecot.list_uids(imap_account.username, "Traites")) == 2


def test_referral_from_unknown_sender_is_stored_acknowledged_and_flagged(
        tmp_path, dovecot, imap_account, smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    broadcast = broadcast_of_one_offer(dovecot, imap_account, smtp_server, config)
    ref = REF.search(str(broadcast["Subject"])).group(1)
    smtp_server.clear()
    stranger = "conseillere@association-inconnue.fr"
    # the subject lost the reference: the thread (In-Reply-To) still ties it to the offer
    dovecot.append(imap_account.username, "INBOX",
                   partner_reply(broadcast, stranger, subject="Une candidature pour vous"))
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    assert [m.rcpt_tos for m in smtp_server.messages] == [[stranger]]
    assert {o["ref"]: o["referrals"] for o in offers(config)}[ref] == 1
    flagged = json.loads(mailbot("messages", "list", "--flagged", "--json", "--config",
                                 str(config)).stdout)
    assert len(flagged) == 1 and "not a known partner" in flagged[0]["reason"]


def test_mail_from_our_own_address_is_never_answered(tmp_path, dovecot, imap_account, smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    raw = sample("e05_docx_octet_stream.eml").replace(
        b"gaelle.flament@mb-hortillonnages.fr", FROM_ADDRESS.encode())
    assert sender_of(raw) == FROM_ADDRESS
    dovecot.append(imap_account.username, "INBOX", raw)
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    assert not any(FROM_ADDRESS in m.rcpt_tos for m in smtp_server.messages)
    assert dovecot.list_uids(imap_account.username, "INBOX") == []


def test_refused_and_deferred_emails_are_kept_and_listed(tmp_path, dovecot, imap_account,
                                                          smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    dovecot.append(imap_account.username, "INBOX", sample("e03_rfc2047_filename.eml"))
    smtp_server.fail_next("DATA", 550, text="5.7.1 Mailbox unavailable")  # the acknowledgement
    smtp_server.fail_next("DATA", 451)  # the first broadcast: try later
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "1 deferred, 1 failed" in done.stdout
    failed = json.loads(mailbot("outbox", "list", "--status", "failed", "--json", "--config",
                                str(config)).stdout)
    assert [f["role"] for f in failed] == ["company/ack"]
    assert "550" in failed[0]["last_error"] and "Mailbox unavailable" in failed[0]["last_error"]
    pending = json.loads(mailbot("outbox", "list", "--status", "pending", "--json", "--config",
                                 str(config)).stdout)
    assert [p["role"] for p in pending] == ["partner/broadcast"]
    assert pending[0]["attempts"] == 1
