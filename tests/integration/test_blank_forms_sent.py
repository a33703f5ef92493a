"""The blank form to each company the facilitateur announces, on real Dovecot + SMTP, SQLite and
PostgreSQL: the list by email → each winner gets the form (PDF and DOCX) → one returns it filled
→ its offer is tied to the lot and its request answered → another, aged past reminder_days, gets
one reminder on `run --once`, none on the next → `companies waiting` lists it."""

from __future__ import annotations

import json
from datetime import timedelta
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from mailbot.db import make_engine
from mailbot.domain.models import Company, FormRequest, Lot, Offer
from tests.helpers.blank_fill import fill_pdf
from tests.helpers.market_list import list_email, xlsx_bytes
from tests.integration.loop_helpers import FROM_ADDRESS, mailbot, write_config

pytestmark = pytest.mark.integration

SERVER = "mx.exemple-emploi.fr"
FACILITATEUR = "facilitatrice@amiens-metropole.fr"
PASS = (f"{SERVER}; spf=pass smtp.mailfrom=amiens-metropole.fr; "
        "dmarc=pass header.from=amiens-metropole.fr")
MENUISERIE = "rh@menuiserie-somme.example"
PAYSAGES = "contact@paysages-nord.example"
PICARDS = "j.arnaud@batiments-picards.example"
FILLED = {  # what the Menuiserie types into its blank form (its name is prefilled)
    "company.siret": "908 765 431 00014", "company.contact_name": "Paul Morel",
    "company.email": MENUISERIE, "company.phone": "03 22 00 00 02",
    "job.title": "Menuisier poseur", "job.positions": "2", "job.recruitment_date": "03/05/2027",
    "job.main_activities": "Pose de menuiseries extérieures\nRéglage et finitions",
    "conditions.contract_type": "CDD", "conditions.contract_duration": "5 mois",
    "conditions.weekly_hours": "35", "conditions.workplace": "Amiens",
}


@pytest.fixture
def config(tmp_path, db_url, imap_account, smtp_server):
    path = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account, smtp=smtp_server)
    text = path.read_text(encoding="utf-8").replace(
        'referent = "claire.duhamel@exemple-emploi.fr"\n',
        f'referent = "claire.duhamel@exemple-emploi.fr"\nfacilitateur = "{FACILITATEUR}"\n')
    path.write_text(text + f'\n[security]\nauthserv_id = "{SERVER}"\nrequire_authentication = true\n'
                    '\n[workflow]\nreminder_days = 10\n', encoding="utf-8")
    return path


def _run_once(config) -> None:
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr


def _sent(smtp_server, role: str) -> list[EmailMessage]:
    return [m.message for m in smtp_server.messages if m.message["X-Mailbot-Role"] == role]


def _attachments(message: EmailMessage) -> dict[str, bytes]:
    return {part.get_filename(): part.get_content() for part in message.iter_attachments()}


def _filled_reply(blank: EmailMessage) -> bytes:
    """The Menuiserie answers the blank form's email with the PDF filled."""
    pdf = next(data for name, data in _attachments(blank).items() if name.endswith(".pdf"))
    reply = EmailMessage(policy=default_policy)
    reply["From"] = f"Paul Morel <{MENUISERIE}>"
    reply["To"] = FROM_ADDRESS
    reply["Subject"] = "RE: " + str(blank["Subject"])
    reply["Message-ID"] = make_msgid(domain="menuiserie-somme.example")
    reply["In-Reply-To"] = reply["References"] = str(blank["Message-ID"])
    reply.set_content("Bonjour,\n\nVoici notre formulaire rempli.\n\nCordialement,\nPaul Morel\n")
    reply.add_attachment(fill_pdf(pdf, FILLED), maintype="application", subtype="pdf",
                         filename="formulaire-rempli.pdf")
    return reply.as_bytes()


def _waiting(config) -> list[dict]:
    done = mailbot("companies", "waiting", "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_blank_forms_reminder_and_waiting(config, db_url, dovecot, imap_account, smtp_server):
    dovecot.append(imap_account.username, "INBOX",
                   list_email(FACILITATEUR, FROM_ADDRESS, xlsx_bytes(), authentication_results=PASS))
    _run_once(config)
    blanks = {str(m["To"]): m for m in _sent(smtp_server, "company/blank_form")}
    assert set(blanks) == {MENUISERIE, PAYSAGES, PICARDS}
    for address, message in blanks.items():
        assert {name.rsplit(".", 1)[1] for name in _attachments(message)} == {"pdf", "docx"}, address
        assert message["Auto-Submitted"] == "auto-generated"
    assert "Menuiserie de la Somme est titulaire du lot 4" in blanks[MENUISERIE].get_body(
        preferencelist=("plain",)).get_content()
    [confirmation] = _sent(smtp_server, "facilitateur/import_confirmation")
    assert "Formulaire de liaison envoyé" in confirmation.get_body(
        preferencelist=("plain",)).get_content()

    # the Menuiserie returns the form filled: its offer is tied to lot 4, its request answered
    smtp_server.clear()
    dovecot.append(imap_account.username, "INBOX", _filled_reply(blanks[MENUISERIE]))
    _run_once(config)
    assert [str(m["To"]) for m in _sent(smtp_server, "company/ack")] == [MENUISERIE]
    assert _sent(smtp_server, "company/blank_form") == []
    engine = make_engine(db_url)
    try:
        with Session(engine) as session:
            [offer] = session.exec(select(Offer)).all()
            lot = session.get(Lot, offer.lot_id)
            assert lot is not None and lot.number == "4"
            menuiserie = session.exec(select(Company).where(
                Company.siret == "90876543100014")).one()
            request = session.exec(select(FormRequest).where(
                FormRequest.company_id == menuiserie.id)).one()
            assert request.answered_at is not None and request.offer_id == offer.id
            paysages = session.exec(select(Company).where(Company.siret == "79123456000013")).one()
            aged = session.exec(select(FormRequest).where(
                FormRequest.company_id == paysages.id)).one()
        # Paysages du Nord never answers: its form went 11 days ago
        with Session(engine) as session:
            session.execute(update(FormRequest).where(FormRequest.id == aged.id)
                            .values(sent_at=aged.sent_at - timedelta(days=11)))
            session.commit()
    finally:
        engine.dispose()

    smtp_server.clear()
    _run_once(config)
    [reminder] = _sent(smtp_server, "company/reminder")
    assert str(reminder["To"]) == PAYSAGES and len(smtp_server.messages) == 1
    assert {name.rsplit(".", 1)[1] for name in _attachments(reminder)} == {"pdf", "docx"}
    assert "nous ne l'avons pas encore reçu" in reminder.get_body(
        preferencelist=("plain",)).get_content()
    smtp_server.clear()
    _run_once(config)
    assert smtp_server.messages == []  # never twice

    waiting = {row["email"]: row for row in _waiting(config)}
    assert set(waiting) == {PAYSAGES, PICARDS}  # the Menuiserie answered
    assert waiting[PAYSAGES]["stage"] == "reminded" and waiting[PAYSAGES]["days_waiting"] == 11
    assert waiting[PAYSAGES]["lot"] == "Aménagement des berges de la Somme – Lot 2"
    assert waiting[PICARDS]["stage"] == "sent" and waiting[PICARDS]["days_waiting"] == 0
    table = mailbot("companies", "waiting", "--config", str(config), env={"COLUMNS": "200"})
    assert table.returncode == 0 and "Paysages du Nord" in table.stdout
