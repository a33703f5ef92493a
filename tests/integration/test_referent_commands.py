"""Issue 8, the référent's email commands and people's replies, on real Dovecot + SMTP, SQLite
and PostgreSQL: only the authenticated référent is obeyed; a forged référent or another address
changes nothing and is flagged; a company's answer reaches the référent with the original."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest
from sqlmodel import Session, select

from mailbot.db import make_engine
from mailbot.domain.models import AuditEvent, Referral
from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    REF,
    REFERENT,
    SAMPLES,
    auth_results,
    mailbot,
    require_authentication,
    role,
    sample,
    sender_of,
    text_of,
    write_config,
)
from tests.integration.loop_helpers import run_once_with as run_with

pytestmark = pytest.mark.integration

PARTNER = PARTNERS[0][2][0]  # orientation@exemple-ml.fr
STRANGER = "x@evil.example"


def config_for(tmp_path, db_url, imap, smtp):
    return require_authentication(write_config(tmp_path / "config.toml", db_url=db_url,
                                               imap=imap, smtp=smtp))


def referral_with_two_cvs(broadcast: EmailMessage) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Mehdi Sénéchal <{PARTNER}>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "RE: " + str(broadcast["Subject"])
    msg["Message-ID"] = make_msgid(domain="exemple-ml.fr")
    msg["In-Reply-To"] = msg["References"] = str(broadcast["Message-ID"])
    msg["Authentication-Results"] = auth_results("exemple-ml.fr")
    msg.set_content("Bonjour,\n\nDeux candidats pour cette offre, CV joints.\n\nCordialement,\nMehdi\n")
    for name in ("cv_pdf_classic.pdf", "cv_pdf_sidebar.pdf"):
        msg.add_attachment((SAMPLES / "cvs" / name).read_bytes(), maintype="application",
                           subtype="pdf", filename=f"CV {name}")
    return msg.as_bytes()


def command(lines: list[str], *, sender: str = REFERENT, result: str | None = "pass") -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Claire Duhamel <{sender}>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "Décisions"
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    if result is not None:
        msg["Authentication-Results"] = auth_results(sender.rpartition("@")[2], result)
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nClaire\n")
    return msg.as_bytes()


def states(db_url: str) -> dict[int, tuple[str, str | None, str | None]]:
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return {r.id: (r.status, r.refusal_reason, r.comment)
                    for r in session.exec(select(Referral)).all()}
    finally:
        engine.dispose()


def audit_count(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            return len(session.exec(select(AuditEvent)).all())
    finally:
        engine.dispose()


def last_message(config) -> dict:
    done = mailbot("messages", "list", "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)[0]


def test_referent_commands_and_replies(tmp_path, db_url, dovecot, imap_account, smtp_server) -> None:
    config = config_for(tmp_path, db_url, imap_account, smtp_server)
    company_raw = sample("e03_rfc2047_filename.eml")
    company = sender_of(company_raw)
    run_with(dovecot, imap_account, config, company_raw)
    ack = next(m.message for m in smtp_server.messages if role(m.message) == "company/ack")
    ref = REF.search(str(ack["Subject"])).group(1)
    broadcast = next(m.message for m in smtp_server.messages if PARTNER in m.rcpt_tos)

    # a partner refers two candidates (two CVs)
    run_with(dovecot, imap_account, config, referral_with_two_cvs(broadcast))
    first, second = sorted(states(db_url))
    assert {s[0] for s in states(db_url).values()} == {"new"}

    # the référent, authenticated: two commands done, one refused, one line not understood
    smtp_server.clear()
    run_with(dovecot, imap_account, config, command([
        f"R{first} présenté",
        f"R{second} non retenue motif: poste pourvu commentaire: déjà recruté ailleurs",
        "R999999 en attente",
        "merci de rappeler l'entreprise",
    ]))
    assert states(db_url) == {first: ("presented", None, None),
                              second: ("not_hired", "position_filled", "déjà recruté ailleurs")}
    [confirmation] = [m.message for m in smtp_server.messages
                      if role(m.message) == "referent/confirmation"]
    assert str(confirmation["To"]).endswith(REFERENT)
    body = text_of(confirmation)
    assert f"Fait : R{first}" in body and "présentée à l'entreprise" in body
    assert f"Fait : R{second}" in body and "poste pourvu" in body
    assert "R999999 : aucune candidature ne porte ce numéro" in body
    assert "« merci de rappeler l'entreprise »" in body and "Non comprise" in body
    row = last_message(config)
    assert row["kind"] == "referent_command" and row["flagged"]  # 2 lines not done: for a look
    events = audit_count(db_url)
    assert events >= 2

    # the same from a forged référent (dmarc=fail), without authentication, from a stranger
    cases = [
        (command([f"R{first} annuler"], result="fail"), "not authenticated", True),
        (command([f"R{first} annuler"], result=None), "not authenticated", True),
        (command([f"R{first} annuler"], sender=STRANGER, result="pass"), "not the référent", False),
    ]
    for raw, why, notice in cases:
        smtp_server.clear()
        before = states(db_url)
        run_with(dovecot, imap_account, config, raw)
        assert states(db_url) == before and audit_count(db_url) == events
        row = last_message(config)
        assert row["flagged"] and why in (row["reason"] or ""), row
        sent = [m for m in smtp_server.messages]
        assert all(STRANGER not in m.rcpt_tos for m in sent)
        if notice:  # told to the configured référent address, saying why
            [only] = sent
            assert only.rcpt_tos == [REFERENT] and role(only.message) == "referent/confirmation"
            assert "Aucune n'a été appliquée" in text_of(only.message)
            assert f"« R{first} annuler »" in text_of(only.message)
        else:  # a stranger gets nothing, and nobody is told but by the flag
            assert sent == []

    # the company answers its acknowledgement: forwarded to the référent, original attached
    smtp_server.clear()
    answer = EmailMessage(policy=default_policy)
    answer["From"] = company
    answer["To"] = FROM_ADDRESS
    answer["Subject"] = "RE: " + str(ack["Subject"])
    answer["Message-ID"] = make_msgid(domain="exemple-entreprise.fr")
    answer["In-Reply-To"] = answer["References"] = str(ack["Message-ID"])
    answer.set_content("Bonjour,\n\nLe chantier commence plus tôt : pouvez-vous nous proposer des "
                       "candidats avant le 15 ?\n\nBien cordialement,\nLe chef de chantier\n")
    run_with(dovecot, imap_account, config, answer.as_bytes())
    [forward] = [m for m in smtp_server.messages]
    assert forward.rcpt_tos == [REFERENT] and role(forward.message) == "referent/forward"
    words = text_of(forward.message) + str(forward.message["Subject"])
    assert ref in words and company in words
    assert str(forward.message["Reply-To"]) == company
    [original] = [p for p in forward.message.iter_attachments()
                  if p.get_content_type() == "message/rfc822"]
    inner = message_from_bytes(original.get_payload(0).as_bytes(), policy=default_policy)
    assert "avant le 15" in inner.get_body(("plain",)).get_content()
    assert str(inner["Message-ID"]) == str(answer["Message-ID"])

    # a mere "merci" to the acknowledgement is not forwarded
    smtp_server.clear()
    thanks = EmailMessage(policy=default_policy)
    thanks["From"] = company
    thanks["To"] = FROM_ADDRESS
    thanks["Subject"] = "RE: " + str(ack["Subject"])
    thanks["Message-ID"] = make_msgid(domain="exemple-entreprise.fr")
    thanks["In-Reply-To"] = thanks["References"] = str(ack["Message-ID"])
    thanks.set_content("Bonjour,\n\nMerci, bien reçu.\n\nCordialement\n")
    run_with(dovecot, imap_account, config, thanks.as_bytes())
    assert smtp_server.messages == []
