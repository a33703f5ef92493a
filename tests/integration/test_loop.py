"""Issue 2, the whole loop on real servers: Dovecot in, aiosmtpd out, SQLite and PostgreSQL."""

from __future__ import annotations

import json

import pytest

from tests.integration.loop_helpers import (
    AUTOMATED_EMAILS,
    COMPANY_EMAILS,
    FORWARDS,
    PARTNERS,
    REF,
    ack_recipient,
    mailbot,
    offers,
    partner_reply,
    sample,
    sender_of,
    write_config,
)

pytestmark = pytest.mark.integration


def by_recipient(messages, address):
    return [m for m in messages if address in [r.lower() for r in m.rcpt_tos]]


def test_whole_loop(tmp_path, dovecot, imap_account, smtp_server, db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    for name in COMPANY_EMAILS + AUTOMATED_EMAILS:
        dovecot.append(imap_account.username, "INBOX", sample(name))

    first = mailbot("run", "--once", "--config", str(config))
    assert first.returncode == 0, first.stderr

    listed = offers(config)
    assert len(listed) == len(COMPANY_EMAILS)
    assert {o["status"] for o in listed} == {"open"}
    refs = {o["ref"] for o in listed}
    assert len(refs) == len(listed)

    sent = list(smtp_server.messages)
    # one acknowledgement per company email, carrying that company's offer reference
    ack_refs = set()
    for name in COMPANY_EMAILS:
        to_company = by_recipient(sent, ack_recipient(name))
        assert len(to_company) == 1, name
        found = set(REF.findall(str(to_company[0].message["Subject"])))
        assert len(found) == 1 and found <= refs, (name, to_company[0].message["Subject"])
        ack_refs |= found
    assert ack_refs == refs
    # one broadcast per offer to each partner, all its addresses in To
    for _name, _kind, emails, _domains in PARTNERS:
        got = by_recipient(sent, emails[0])
        assert len(got) == len(refs)
        assert {REF.search(str(m.message["Subject"])).group(1) for m in got} == refs
        for m in got:
            assert sorted(a.lower() for a in m.rcpt_tos) == sorted(emails)
            assert all(e in str(m.message["To"]).lower() for e in emails)
            assert "clauses.amiens@exemple-emploi.fr" in str(m.message["Reply-To"])
    # nothing to the colleague who forwarded a company's email, nor to automated senders
    for colleague, _company in FORWARDS.values():
        assert by_recipient(sent, colleague) == []
    for name in AUTOMATED_EMAILS:
        assert by_recipient(sent, sender_of(sample(name))) == []
    assert len(sent) == len(COMPANY_EMAILS) + len(refs) * len(PARTNERS)
    # every message filed
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
    assert len(dovecot.list_uids(imap_account.username, "Traites")) == 7

    # a partner answers one broadcast with a CV
    partner_address = PARTNERS[2][2][0]
    broadcast = by_recipient(sent, partner_address)[0].message
    target = REF.search(str(broadcast["Subject"])).group(1)
    smtp_server.clear()
    dovecot.append(imap_account.username, "INBOX", partner_reply(broadcast, partner_address))
    second = mailbot("run", "--once", "--config", str(config))
    assert second.returncode == 0, second.stderr
    assert len(smtp_server.messages) == 1
    ack = smtp_server.messages[0]
    assert [r.lower() for r in ack.rcpt_tos] == [partner_address]
    assert target in str(ack.message["Subject"]) + ack.message.get_body(("plain",)).get_content()
    counts = {o["ref"]: o["referrals"] for o in offers(config)}
    assert counts[target] == 1
    assert sum(counts.values()) == 1

    # nothing new: nothing sent
    smtp_server.clear()
    third = mailbot("run", "--once", "--config", str(config))
    assert third.returncode == 0, third.stderr
    assert smtp_server.messages == []
    assert dovecot.list_uids(imap_account.username, "INBOX") == []


def test_quarantine_and_reprocess(tmp_path, dovecot, imap_account, smtp_server, db_url):
    """A message that cannot be handled is filed in Quarantaine with its reason, then replayed."""
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    strict = config.read_text() + "[limits]\nmax_message_bytes = 2000\n"
    config.write_text(strict)
    dovecot.append(imap_account.username, "INBOX", sample("e01_company_pdf_form.eml"))
    result = mailbot("run", "--once", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "1 quarantined" in result.stdout
    assert smtp_server.messages == []
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
    assert len(dovecot.list_uids(imap_account.username, "Quarantaine")) == 1
    listed = json.loads(mailbot("messages", "list", "--flagged", "--json", "--config",
                                str(config)).stdout)
    assert [m["status"] for m in listed] == ["quarantined"]
    assert "too large" in listed[0]["reason"]

    config.write_text(strict.replace("max_message_bytes = 2000", "max_message_bytes = 10000000"))
    replay = mailbot("reprocess", str(listed[0]["id"]), "--config", str(config))
    assert replay.returncode == 0, replay.stderr
    assert "processed (liaison_form)" in replay.stdout
    assert len(offers(config)) == 1
    assert len(smtp_server.messages) == 1 + len(PARTNERS)
    again = mailbot("reprocess", str(listed[0]["id"]), "--config", str(config))
    assert again.returncode == 1 and "handled already" in again.stderr
