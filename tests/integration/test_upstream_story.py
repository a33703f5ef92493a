"""Issue 9's story before the offer, by email on real Dovecot + SMTP, SQLite and PostgreSQL.

The facilitateur's authenticated XLSX (one column matching nothing) → a confirmation naming that
column → the blank form to the three winners → the Menuiserie returns it with two required fields
empty → it is asked for exactly those → its answer completes the offer → review mode: nothing to
the partners until the référent's `CS-… publier`, then only the two partners routing.toml names →
Paysages du Nord never answers → one reminder, none on the next run, `companies waiting` lists it
→ Bâtiments Picards returns its form, then a corrected one → `offers show --json` has both versions.
"""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from mailbot.db import make_engine
from mailbot.domain.models import Company, FormRequest
from mailbot.resources import rules_dir
from tests.helpers.blank_fill import fill_docx, fill_pdf
from tests.helpers.market_list import list_email, with_column, xlsx_bytes
from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    SERVER,
    cli_json,
    role,
    text_of,
    write_config,
)
from tests.integration.test_incomplete_offers import answer, referent_says, run_with

pytestmark = pytest.mark.integration

FACILITATEUR = "facilitatrice@amiens-metropole.fr"
PASS = (f"{SERVER}; spf=pass smtp.mailfrom=amiens-metropole.fr; "
        "dmarc=pass header.from=amiens-metropole.fr")
UNKNOWN = "Observations du maître d'ouvrage"
MENUISERIE = "rh@menuiserie-somme.example"
PAYSAGES = "contact@paysages-nord.example"
PICARDS = "j.arnaud@batiments-picards.example"
ML, CAP, SIAE = (p[0] for p in PARTNERS)
EMAILS = {name: set(emails) for name, _kind, emails, _domains in PARTNERS}
ROUTING = f"""
[[rules]]
name = "BTP Somme"
family = "BTP"
territory = "Somme"
send_to = ["SIAE", "{ML}"]
"""
# What the Menuiserie types into its blank form (its name is prefilled): no recruitment date, no
# contract type.
MENUISERIE_FORM = {
    "company.siret": "908 765 431 00014", "company.contact_name": "Paul Morel",
    "company.email": MENUISERIE, "company.phone": "03 22 00 00 02",
    "job.title": "Menuisier poseur", "job.positions": "2",
    "job.main_activities": "Pose de menuiseries extérieures\nRéglage et finitions",
    "conditions.contract_duration": "5 mois", "conditions.weekly_hours": "35",
    "conditions.workplace": "Amiens",
}
PICARDS_FORM = {
    "company.siret": "812 345 676 00017", "company.contact_name": "Jeanne Arnaud",
    "company.email": PICARDS, "company.phone": "03 22 00 00 01",
    "job.title": "Maçon", "job.positions": "2", "job.recruitment_date": "01/03/2027",
    "job.main_activities": "Montage de murs en parpaings\nCoulage de dalles",
    "conditions.contract_type": "CDD", "conditions.contract_duration": "6 mois",
    "conditions.weekly_hours": "35", "conditions.workplace": "Amiens",
}


@pytest.fixture
def config(tmp_path, db_url, imap_account, smtp_server):
    """The facilitateur and the référent authenticated by the trusted server, review mode, and the
    référent's routing.toml sending BTP offers in the Somme to the SIAE and the Mission Locale."""
    rules = tmp_path / "rules"
    rules.mkdir()
    shipped = (rules_dir() / "routing.toml").read_text(encoding="utf-8")
    (rules / "routing.toml").write_text(shipped + ROUTING, encoding="utf-8")
    path = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account, smtp=smtp_server)
    text = path.read_text(encoding="utf-8").replace(
        'referent = "claire.duhamel@exemple-emploi.fr"\n',
        f'referent = "claire.duhamel@exemple-emploi.fr"\nfacilitateur = "{FACILITATEUR}"\n')
    path.write_text(text + f"""
[paths]
rules_dir = "{rules}"
[security]
authserv_id = "{SERVER}"
require_authentication = true
[workflow]
broadcast = "review"
reminder_days = 10
""", encoding="utf-8")
    return path


def attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def blank_of(message: EmailMessage, kind: str) -> bytes:
    return next(data for name, data in attachments(message).items() if name.endswith(kind))


def with_attachment(raw: bytes, data: bytes, filename: str) -> bytes:
    msg = message_from_bytes(raw, policy=default_policy)
    subtype = ("pdf" if filename.endswith(".pdf")
               else "vnd.openxmlformats-officedocument.wordprocessingml.document")
    msg.add_attachment(data, maintype="application", subtype=subtype, filename=filename)
    return msg.as_bytes()


def returned_form(blank: EmailMessage, sender: str, values: dict[str, str]) -> bytes:
    """The company answers the blank form's email with the PDF filled."""
    return with_attachment(answer(blank, ["Voici notre formulaire rempli."], sender),
                           fill_pdf(blank_of(blank, ".pdf"), values), "formulaire-rempli.pdf")


def corrected_form(blank: EmailMessage, sender: str, values: dict[str, str]) -> bytes:
    """A new email (not a reply) with the Word form filled again."""
    msg = EmailMessage(policy=default_policy)
    msg["From"], msg["To"], msg["Subject"] = sender, FROM_ADDRESS, "Formulaire de liaison corrigé"
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1].rstrip(">"))
    msg.set_content("Bonjour,\n\nNous avons corrigé notre formulaire.\n\nCordialement\n")
    return with_attachment(msg.as_bytes(), fill_docx(blank_of(blank, ".docx"), values),
                           "formulaire-corrige.docx")


def only(sent: list[EmailMessage], wanted: str) -> list[EmailMessage]:
    return [m for m in sent if role(m) == wanted]


def test_from_the_facilitateurs_list_to_revised_offers(config, db_url, dovecot, imap_account,
                                                       smtp_server):
    # 1. the facilitateur's list, authenticated, with a column that matches nothing
    headers, rows = with_column(UNKNOWN, ["RAS", None, "accès par le quai"])
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    list_email(FACILITATEUR, FROM_ADDRESS, xlsx_bytes(headers, rows),
                               authentication_results=PASS))
    [confirmation] = only(sent, "facilitateur/import_confirmation")
    assert [m.rcpt_tos for m in smtp_server.messages if m.message is confirmation] == [
        [FACILITATEUR]]
    assert str(confirmation["Subject"]) == "Liste des marchés prise en compte"  # applied
    assert f"« {UNKNOWN} »" in text_of(confirmation)
    assert "3 ligne(s) prise(s) en compte" in text_of(confirmation)
    blanks = {str(m["To"]): m for m in only(sent, "company/blank_form")}
    assert set(blanks) == {MENUISERIE, PAYSAGES, PICARDS} and len(sent) == 4
    for address, message in blanks.items():
        assert {name.rsplit(".", 1)[1] for name in attachments(message)} == {"pdf", "docx"}, address

    # 2. the Menuiserie returns its form without recruitment date and contract type
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    returned_form(blanks[MENUISERIE], f"Paul Morel <{MENUISERIE}>", MENUISERIE_FORM))
    [asked] = sent  # one email, to the company; nothing to the partners
    assert role(asked) == "company/incomplete" and str(asked["To"]) == MENUISERIE
    needed = text_of(asked).split("Merci de nous indiquer :")[1].split("Ce que nous avons déjà lu")[0]
    assert [line.strip(" -") for line in needed.strip().splitlines()] == [
        "Date de recrutement souhaitée", "Type de contrat"]
    [offer] = cli_json(config, "offers", "list")
    ref = offer["ref"]
    assert offer["status"] == "incomplete" and ref in str(asked["Subject"])

    # 3. its answer completes the offer; review mode: it waits for the référent
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    answer(asked, ["Date de recrutement souhaitée : 03/05/2027",
                                   "Type de contrat : CDD"], f"Paul Morel <{MENUISERIE}>"))
    assert [role(m) for m in sent] == ["company/updated"] and str(sent[0]["To"]) == MENUISERIE
    shown = cli_json(config, "offers", "show", ref)
    assert shown["status"] == "received" and shown["published_at"] is None
    assert shown["fields"]["contract_type"] == "CDD"
    assert shown["fields"]["recruitment_date"] == "2027-05-03"
    assert shown["company"]["siret"] == "90876543100014"

    # 4. `publier` from the authenticated référent: the two routed partners only
    sent = run_with(dovecot, imap_account, smtp_server, config, referent_says(f"{ref} publier"))
    broadcasts = [m for m in smtp_server.messages if role(m.message) == "partner/broadcast"]
    assert all(ref in str(m.message["Subject"]) for m in broadcasts)
    reached = {address.lower() for m in broadcasts for address in m.rcpt_tos}
    assert reached == EMAILS[ML] | EMAILS[SIAE] and not reached & EMAILS[CAP]
    [published] = only(sent, "referent/confirmation")
    assert f"{ref} (Menuisier poseur) : publiée" in text_of(published)
    shown = cli_json(config, "offers", "show", ref)
    assert shown["status"] == "open" and shown["published_at"] is not None
    assert {r["partner"]: r["included"] for r in shown["recipients"]} == {
        ML: True, SIAE: True, CAP: False}
    assert [(h["version"], h["source"]) for h in shown["history"]] == [(1, "form"), (2, "reply")]

    # 5. Paysages du Nord never answers: its blank form went 11 days ago
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            paysages = session.exec(select(Company).where(Company.siret == "79123456000013")).one()
            request = session.exec(select(FormRequest).where(
                FormRequest.company_id == paysages.id)).one()
            session.execute(update(FormRequest).where(FormRequest.id == request.id)
                            .values(sent_at=request.sent_at - timedelta(days=11)))
            session.commit()
    finally:
        engine.dispose()
    sent = run_with(dovecot, imap_account, smtp_server, config)
    [reminder] = sent
    assert role(reminder) == "company/reminder" and str(reminder["To"]) == PAYSAGES
    assert {name.rsplit(".", 1)[1] for name in attachments(reminder)} == {"pdf", "docx"}
    assert run_with(dovecot, imap_account, smtp_server, config) == []  # never twice
    waiting = {row["email"]: row for row in cli_json(config, "companies", "waiting")}
    assert set(waiting) == {PAYSAGES, PICARDS}  # the Menuiserie answered
    assert waiting[PAYSAGES]["stage"] == "reminded" and waiting[PAYSAGES]["days_waiting"] == 11
    assert waiting[PICARDS]["stage"] == "sent"

    # 6. Bâtiments Picards returns its form, then corrects it (3 positions instead of 2)
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    returned_form(blanks[PICARDS], f"Jeanne Arnaud <{PICARDS}>", PICARDS_FORM))
    [ack] = sent  # review mode: nothing to the partners
    assert role(ack) == "company/ack" and str(ack["To"]) == PICARDS
    [picards] = [o for o in cli_json(config, "offers", "list") if o["title"] == "Maçon"]
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    corrected_form(blanks[PICARDS], f"Jeanne Arnaud <{PICARDS}>",
                                   {**PICARDS_FORM, "job.positions": "3"}))
    [updated] = sent
    assert role(updated) == "company/updated" and picards["ref"] in str(updated["Subject"])
    assert "Nombre de postes : 3" in text_of(updated)
    listed = cli_json(config, "offers", "list")
    assert len(listed) == 2  # the correction made no new offer
    shown = cli_json(config, "offers", "show", picards["ref"])
    assert shown["version"] == 2 and shown["status"] == "received"
    assert [(h["version"], h["source"]) for h in shown["history"]] == [(1, "form"), (2, "form")]
    assert shown["history"][1]["changes"] == {"positions": [2, 3]}
    assert shown["fields"]["positions"] == 3
    assert {row["email"] for row in cli_json(config, "companies", "waiting")} == {PAYSAGES}
