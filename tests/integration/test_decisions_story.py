"""Issue 8, the whole decision story by email on real Dovecot + SMTP, SQLite and PostgreSQL.

An open offer → three partners refer five candidates (one person twice) → the référent, by email
commands, presents three, hires one, rejects one with a reason and a comment, sends one line that
is not understood → confirmations list all of it → the company receives one presentation with
the three CVs → each partner receives feedback on exactly its own candidates → the offer is
filled when its last position is hired and the partners are told → the company's answer to the
presentation reaches the référent → `mailbot audit --offer REF --json` shows every step.
"""

from __future__ import annotations

import io
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import docx
import pytest

from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    REF,
    REFERENT,
    auth_results,
    cli_json,
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

ML, CAP, SIAE = PARTNERS[0][2][0], PARTNERS[1][2][0], PARTNERS[2][2][0]
# (partner address, candidate first name, last name, email, phone)
PEOPLE = [
    (ML, "Yanis", "Bouchareb", "yanis.bouchareb@exemple-perso.fr", "06 11 22 33 44"),
    (ML, "Léonie", "Vasseur", "leonie.vasseur@exemple-perso.fr", "06 22 33 44 55"),
    (CAP, "Kévin", "Delattre", "kevin.delattre@exemple-perso.fr", "06 33 44 55 66"),
    (CAP, "Aïcha", "Benmansour", "aicha.benmansour@exemple-perso.fr", "06 44 55 66 77"),
    (SIAE, "Yanis", "Bouchareb", "yanis.bouchareb@exemple-perso.fr", "06 11 22 33 44"),
]


def config_for(tmp_path, db_url, imap, smtp):
    return require_authentication(write_config(tmp_path / "config.toml", db_url=db_url,
                                               imap=imap, smtp=smtp))


def authenticated(raw: bytes, domain: str) -> bytes:
    """The message as our receiving server would hand it over: dmarc=pass for `domain`."""
    return f"Authentication-Results: {auth_results(domain)}\r\n".encode() + raw


def cv(first: str, last: str, email: str, phone: str) -> bytes:
    document = docx.Document()
    document.add_paragraph(f"{first} {last}")
    document.add_paragraph("Maçon coffreur")
    document.add_paragraph(f"12 rue des Lilas, 80000 Amiens – Tél : {phone} – Courriel : {email}")
    document.add_paragraph("Expériences professionnelles")
    document.add_paragraph("2022 – 2025 : Aide maçon – SARL Exemple Bâtiment")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def referral(broadcast: EmailMessage, partner: str, people: list[tuple]) -> bytes:
    reply = EmailMessage(policy=default_policy)
    reply["From"] = f"Conseillère <{partner}>"
    reply["To"] = FROM_ADDRESS
    reply["Subject"] = "RE: " + str(broadcast["Subject"])
    reply["Message-ID"] = make_msgid(domain=partner.split("@")[1])
    reply["In-Reply-To"] = reply["References"] = str(broadcast["Message-ID"])
    reply.set_content("Bonjour,\n\nVeuillez trouver ci-joint les CV de nos candidats.\n\n"
                      "Cordialement,\nLa conseillère\n")
    for _partner, first, last, email, phone in people:
        reply.add_attachment(cv(first, last, email, phone), maintype="application",
                             subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                             filename=f"CV {first} {last}.docx")
    return authenticated(reply.as_bytes(), partner.split("@")[1])


def command(lines: list[str], reply_to: EmailMessage | None = None) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Claire Duhamel <{REFERENT}>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "RE: " + str(reply_to["Subject"]) if reply_to else "Décisions"
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    if reply_to is not None:
        msg["In-Reply-To"] = msg["References"] = str(reply_to["Message-ID"])
    body = "Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nClaire\n"
    if reply_to is not None:
        quoted = reply_to.get_body(("plain",)).get_content()
        body += "\n> " + "\n> ".join(quoted.splitlines()[:10]) + "\n"
    msg.set_content(body)
    return authenticated(msg.as_bytes(), "exemple-emploi.fr")


def test_decisions_story_by_email(tmp_path, db_url, dovecot, imap_account, smtp_server) -> None:
    config = config_for(tmp_path, db_url, imap_account, smtp_server)
    company_raw = sample("e03_rfc2047_filename.eml")
    company = sender_of(company_raw)
    run_with(dovecot, imap_account, config, company_raw)
    ref = REF.search(str(next(m.message for m in smtp_server.messages
                              if role(m.message) == "company/ack")["Subject"])).group(1)
    broadcasts = {p: next(m.message for m in smtp_server.messages
                          if p in m.rcpt_tos and role(m.message) == "partner/broadcast")
                  for p in (ML, CAP, SIAE)}
    [offer] = cli_json(config, "offers", "list")
    assert (offer["ref"], offer["status"], offer["positions"]) == (ref, "open", 4)
    done = mailbot("offers", "edit", ref, "positions", "2", "--config", str(config))
    assert done.returncode == 0, done.stderr

    # three partners refer five candidates; the SIAE's is the ML's first one again
    smtp_server.clear()
    run_with(dovecot, imap_account, config,
             *(referral(broadcasts[p], p, [x for x in PEOPLE if x[0] == p])
               for p in (ML, CAP, SIAE)))
    referrals = cli_json(config, "referrals", "list", "--offer", ref)
    assert len(referrals) == 4  # the same person for the same offer is never stored twice
    assert {r["status"] for r in referrals} == {"new"}
    ids = {(r["first_name"], r["last_name"]): r["id"] for r in referrals}
    yanis, leonie, kevin, aicha = (ids[("Yanis", "Bouchareb")], ids[("Léonie", "Vasseur")],
                                   ids[("Kévin", "Delattre")], ids[("Aïcha", "Benmansour")])
    flagged = cli_json(config, "messages", "list", "--flagged")
    assert any("already" in (m["reason"] or "") for m in flagged)

    # the référent presents three
    smtp_server.clear()
    run_with(dovecot, imap_account, config,
             command([f"R{yanis} R{leonie} R{kevin} présentés"]))
    sent = [m.message for m in smtp_server.messages]
    [confirmation] = [m for m in sent if role(m) == "referent/confirmation"]
    assert str(confirmation["To"]).endswith(REFERENT)
    [presentation] = [m for m in sent if role(m) == "company/presentation"]
    assert company in str(presentation["To"]).lower()
    attached = sorted(part.get_filename() for part in presentation.iter_attachments())
    assert attached == sorted(["CV Yanis Bouchareb.docx", "CV Léonie Vasseur.docx",
                               "CV Kévin Delattre.docx"])
    assert "Aïcha" not in text_of(presentation) and ref in str(presentation["Subject"])

    # then hires one, rejects one with a reason and a comment, and writes one line not understood
    smtp_server.clear()
    run_with(dovecot, imap_account, config, command([
        f"R{yanis} retenu CDD 2027-02-01 35h",
        f"R{leonie} non retenue motif: compétences insuffisantes commentaire: à revoir en juin",
        "merci de rappeler l'entreprise",
    ], reply_to=confirmation))
    sent = [m.message for m in smtp_server.messages]
    [confirmation] = [m for m in sent if role(m) == "referent/confirmation"]
    words = text_of(confirmation)
    assert f"R{yanis}" in words and f"R{leonie}" in words
    assert "merci de rappeler l'entreprise" in words  # listed as not understood
    by_partner = {p: [m for m in sent if role(m) == "partner/feedback" and p in str(m["To"])]
                  for p in (ML, CAP, SIAE)}
    [ml_feedback] = by_partner[ML]
    body = text_of(ml_feedback)
    assert "Bouchareb" in body and "Vasseur" in body
    assert "compétences insuffisantes" in body and "à revoir en juin" in body
    for other in ("Delattre", "Benmansour"):
        assert other not in body
    assert by_partner[CAP] == [] and by_partner[SIAE] == []
    states = {r["id"]: r["status"] for r in cli_json(config, "referrals", "list", "--offer", ref)}
    assert states == {yanis: "hired", leonie: "not_hired", kevin: "presented", aicha: "new"}

    # the second and last position is hired: the offer is filled and its partners are told
    smtp_server.clear()
    run_with(dovecot, imap_account, config, command([f"R{kevin} retenu"]))
    sent = [m.message for m in smtp_server.messages]
    [cap_feedback] = [m for m in sent if role(m) == "partner/feedback"]
    assert CAP in str(cap_feedback["To"]) and "Delattre" in text_of(cap_feedback)
    assert "Bouchareb" not in text_of(cap_feedback) and "Benmansour" not in text_of(cap_feedback)
    told = {p for m in sent if role(m) == "partner/offer_update" for p in (ML, CAP, SIAE)
            if p in str(m["To"])}
    assert told == {ML, CAP, SIAE}
    [offer] = cli_json(config, "offers", "list")
    assert offer["status"] == "filled"

    # the company answers the presentation: it reaches the référent, with the original attached
    smtp_server.clear()
    answer = EmailMessage(policy=default_policy)
    answer["From"] = company
    answer["To"] = FROM_ADDRESS
    answer["Subject"] = "RE: " + str(presentation["Subject"])
    answer["Message-ID"] = make_msgid(domain="exemple-entreprise.fr")
    answer["In-Reply-To"] = answer["References"] = str(presentation["Message-ID"])
    answer.set_content("Bonjour,\n\nJe recevrai M. Delattre mardi à 9 h sur le chantier.\n\n"
                       "Bien cordialement,\nLe chef de chantier\n")
    run_with(dovecot, imap_account, config, answer.as_bytes())
    [forward] = [m.message for m in smtp_server.messages
                 if role(m.message) == "referent/forward"]
    assert REFERENT in str(forward["To"]) and ref in text_of(forward) + str(forward["Subject"])
    [original] = [p for p in forward.iter_attachments() if p.get_content_type() == "message/rfc822"]
    inner = message_from_bytes(original.get_payload(0).as_bytes(), policy=default_policy)
    assert "mardi à 9 h" in inner.get_body(("plain",)).get_content()

    # every step is in the audit, with its actor and channel
    audit = cli_json(config, "audit", "--offer", ref)
    steps = [(e["action"], e["actor"], e["channel"], e["referral"]) for e in audit]
    assert ("offer_edit", "referent", "cli", None) in steps
    for rid in (yanis, leonie, kevin):
        assert ("present", "referent", "email", rid) in steps
    assert ("hire", "referent", "email", yanis) in steps
    assert ("hire", "referent", "email", kevin) in steps
    assert ("offer_filled", "referent", "email", None) in steps
    [reject] = [e for e in audit if e["action"] == "reject"]
    assert (reject["referral"], reject["reason"]) == (leonie, "insufficient_skills")
    assert all(e["offer"] == ref for e in audit)
