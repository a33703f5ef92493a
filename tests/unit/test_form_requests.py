"""Blank forms to the facilitateur's announced winners (once per company and lot), the one
reminder after `[workflow] reminder_days`, offers tied to their lot (SIRET, name, address, the
market line printed on the form) and `companies waiting`."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.policy import default as default_policy
from types import SimpleNamespace

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select

from mailbot.config import WorkflowConfig
from mailbot.db import make_engine, migrate
from mailbot.domain.lots import tie_offer_to_lot
from mailbot.domain.models import Company, FormRequest, Lot, MarketImport, Offer, OutboxMessage
from mailbot.domain.services import Actor
from mailbot.domain.states import ActorKind, Channel
from mailbot.markets import import_list
from mailbot.markets.blank_forms import send_blank_forms
from mailbot.markets.commands import summary_lines
from mailbot.markets.notify import import_view, queue_confirmation
from mailbot.outbox.compose import Composer
from mailbot.queries import waiting_companies
from mailbot.reminders import due_reminders, remind_due
from tests.helpers.market_list import HEADERS, ROWS, xlsx_bytes

ACTOR = Actor(ActorKind.REFERENT, Channel.CLI)
T0 = datetime(2027, 2, 1, 9, 0, tzinfo=UTC)
CONFIG = SimpleNamespace(workflow=WorkflowConfig(reminder_days=10))


@pytest.fixture
def engine(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'f.db'}")
    migrate(engine)
    return engine


@pytest.fixture
def composer() -> Composer:
    return Composer(from_address="clauses@exemple-emploi.fr", from_name="Clauses sociales")


def _import(engine, composer, rows=ROWS, now=T0) -> dict:
    with Session(engine, expire_on_commit=False) as session:
        entry = import_list(session, xlsx_bytes(HEADERS, rows), "liste.xlsx", ACTOR)
        send_blank_forms(session, composer, entry, now=now)
        session.commit()
        return import_view(entry)


def _emails(engine, role: str) -> list:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.role == role)
                            .order_by(OutboxMessage.id)).all()
        return [message_from_bytes(r.raw, policy=default_policy) for r in rows]


def _without_email(index: int) -> list[list[object]]:
    rows = [list(r) for r in ROWS]
    rows[index][HEADERS.index("Courriel")] = None
    return rows


def test_each_announced_winner_gets_the_blank_form_made_for_its_lot(engine, composer) -> None:
    view = _import(engine, composer)
    sent = _emails(engine, "company/blank_form")
    assert sorted(str(m["To"]) for m in sent) == sorted(str(r[HEADERS.index("Courriel")]) for r in ROWS)
    menuiserie = next(m for m in sent if "menuiserie" in str(m["To"]))
    assert menuiserie["Subject"] == ("Clause sociale – formulaire de liaison à compléter – "
                                     "Réhabilitation du groupe scolaire Jules Ferry – Lot 4")
    text = menuiserie.get_body(preferencelist=("plain",)).get_content()
    assert "Bonjour Paul Morel" in text and "Menuiserie de la Somme est titulaire du lot 4" in text
    assert "350 heures pour ce lot" in text and "répondant simplement à ce message" in text
    files = {part.get_filename(): part for part in menuiserie.iter_attachments()}
    assert set(files) == {"formulaire-de-liaison-Menuiserie-de-la-Somme.pdf",
                          "formulaire-de-liaison-Menuiserie-de-la-Somme.docx"}
    pdf = PdfReader(io.BytesIO(files["formulaire-de-liaison-Menuiserie-de-la-Somme.pdf"]
                               .get_content()))
    assert pdf.get_fields()["company.legal_name"]["/V"] == "Menuiserie de la Somme"
    page = pdf.pages[0].extract_text()
    assert "Réhabilitation du groupe scolaire Jules Ferry – Lot 4" in page
    assert len(view["forms_sent"]) == 3 and view["no_email"] == []
    with Session(engine) as session:
        requests = session.exec(select(FormRequest)).all()
        assert len(requests) == 3 and all(r.sent_at is not None and r.answered_at is None
                                          for r in requests)


def test_importing_the_list_again_sends_nothing_again(engine, composer) -> None:
    _import(engine, composer)
    again = _import(engine, composer)
    assert again["forms_sent"] == [] and again["no_email"] == []
    assert len(_emails(engine, "company/blank_form")) == 3
    assert "blank form sent" not in "\n".join(summary_lines(again))


def test_a_winner_without_email_is_named_and_gets_the_form_once_its_email_is_given(
        engine, composer) -> None:
    view = _import(engine, composer, _without_email(2))
    assert view["no_email"] == ["Paysages du Nord (Aménagement des berges de la Somme – Lot 2)"]
    assert ("no email: form not sent to Paysages du Nord (Aménagement des berges de la Somme – "
            "Lot 2)") in summary_lines(view)
    with Session(engine) as session:
        entry = session.exec(select(MarketImport)).one()
        message = queue_confirmation(session, composer, [entry], to="facilitatrice@ex.fr")
        text = message_from_bytes(message.raw, policy=default_policy).get_body(
            preferencelist=("plain",)).get_content()
    assert "Pas de courriel : formulaire non envoyé" in text and "Paysages du Nord" in text
    assert len(_emails(engine, "company/blank_form")) == 2
    later = _import(engine, composer)  # the updated list gives the address
    assert later["forms_sent"] == ["Paysages du Nord (Aménagement des berges de la Somme – Lot 2)"]
    assert len(_emails(engine, "company/blank_form")) == 3


# -- reminders --------------------------------------------------------------------------------


def _remind(engine, composer, now: datetime) -> list[int]:
    with Session(engine) as session:
        done = due_reminders(session, composer, CONFIG, now)
        session.commit()
        return done


def test_one_reminder_after_reminder_days_never_before_never_twice(engine, composer) -> None:
    _import(engine, composer)
    assert _remind(engine, composer, T0 + timedelta(days=9, hours=23)) == []
    first = _remind(engine, composer, T0 + timedelta(days=10, minutes=1))
    assert len(first) == 3
    assert _remind(engine, composer, T0 + timedelta(days=40)) == []
    reminders = _emails(engine, "company/reminder")
    assert len(reminders) == 3
    one = reminders[0]
    assert one["Subject"].startswith("Rappel – clause sociale : formulaire de liaison à compléter")
    text = one.get_body(preferencelist=("plain",)).get_content()
    assert "Le 1er février 2027, nous vous avons adressé" in text
    assert sorted(p.get_filename().rsplit(".", 1)[1] for p in one.iter_attachments()) == [
        "docx", "pdf"]
    with Session(engine) as session:
        assert all(r.reminded_at is not None for r in session.exec(select(FormRequest)))


def test_an_answered_request_gets_no_reminder(engine, composer) -> None:
    _import(engine, composer)
    with Session(engine) as session:
        request = session.exec(select(FormRequest).order_by(FormRequest.id)).first()
        request.answered_at = T0 + timedelta(days=2)
        session.add(request)
        session.commit()
        answered = request.id
    done = _remind(engine, composer, T0 + timedelta(days=11))
    assert len(done) == 2 and answered not in done


def test_remind_due_is_its_own_unit_of_work_and_never_raises(engine, composer, caplog) -> None:
    _import(engine, composer)
    assert remind_due(engine, composer, CONFIG, clock=lambda: T0 + timedelta(days=12)) == 3
    assert remind_due(engine, composer, CONFIG, clock=lambda: T0 + timedelta(days=13)) == 0
    broken = SimpleNamespace(workflow=None)  # any error: logged, the cycle goes on
    assert remind_due(engine, composer, broken, clock=lambda: T0 + timedelta(days=14)) == 0
    assert "reminders not sent this cycle" in caplog.text


# -- tying offers to lots ---------------------------------------------------------------------


def _offer(session: Session, ref: str, market: str | None = None) -> Offer:
    offer = Offer(ref=ref, market=market)
    session.add(offer)
    session.flush()
    return offer


def _lot_of(session: Session, siret: str) -> int:
    company = session.exec(select(Company).where(Company.siret == siret)).one()
    return session.exec(select(Lot).where(Lot.company_id == company.id)).one().id


@pytest.mark.parametrize("how", ["siret", "name", "address"])
def test_a_returned_form_answers_its_request_and_ties_the_offer_to_the_lot(engine, composer,
                                                                           how: str) -> None:
    _import(engine, composer)
    with Session(engine) as session:
        lot_id = _lot_of(session, "90876543100014")
        if how == "siret":
            company = session.exec(select(Company).where(Company.siret == "90876543100014")).one()
            sender = "someone.else@menuiserie-somme.example"
        elif how == "name":  # the form gave no SIRET: a company of the same name, folded
            company = Company(legal_name="MENUISERIE DE LA SOMME")
            session.add(company)
            session.flush()
            sender = "direction@autre.example"
        else:
            company = Company(legal_name="Menuiserie S.", siret="73282932000074")
            session.add(company)
            session.flush()
            sender = "RH@Menuiserie-Somme.example"
        offer = _offer(session, "CS-2027-0001")
        tie = tie_offer_to_lot(session, offer, company, sender, now=T0 + timedelta(days=3))
        session.commit()
        assert (tie.lot_id, tie.matched_by) == (lot_id, how)
        request = session.exec(select(FormRequest).where(FormRequest.lot_id == lot_id)).one()
        assert request.offer_id == offer.id and request.answered_at is not None
        assert session.get(Offer, offer.id).lot_id == lot_id
        others = session.exec(select(FormRequest).where(FormRequest.lot_id != lot_id)).all()
        assert all(r.answered_at is None for r in others)


def test_an_unknown_company_is_tied_to_nothing(engine, composer) -> None:
    _import(engine, composer)
    with Session(engine) as session:
        stranger = Company(legal_name="Inconnue SARL", siret="73282932000074")
        session.add(stranger)
        offer = _offer(session, "CS-2027-0002")
        tie = tie_offer_to_lot(session, offer, stranger, "x@inconnue.example")
        assert tie.lot_id is None and offer.lot_id is None
        assert all(r.answered_at is None for r in session.exec(select(FormRequest)))


def test_the_market_line_on_the_form_picks_the_lot_among_a_companys_lots(engine, composer) -> None:
    rows = [list(r) for r in ROWS]
    second = list(rows[0])  # the same company also wins lot 7 of the same market
    second[HEADERS.index("Lot")], second[HEADERS.index("Intitulé du lot")] = "7", "Plâtrerie"
    _import(engine, composer, [*rows, second])
    with Session(engine) as session:
        company = session.exec(select(Company).where(Company.siret == "81234567600017")).one()
        offer = _offer(session, "CS-2027-0003",
                       market="Réhabilitation du groupe scolaire Jules Ferry – Lot 7")
        tie = tie_offer_to_lot(session, offer, company, None)
        lot = session.get(Lot, tie.lot_id)
        assert lot.number == "7" and tie.request.offer_id == offer.id
        # a second form of the company with no market line: its other, open, request
        other = _offer(session, "CS-2027-0004")
        assert session.get(Lot, tie_offer_to_lot(session, other, company, None).lot_id).number == "1"


def test_companies_waiting_lists_unanswered_requests_with_days_and_stage(engine, composer) -> None:
    _import(engine, composer)
    with Session(engine) as session:
        company = session.exec(select(Company).where(Company.siret == "79123456000013")).one()
        tie_offer_to_lot(session, _offer(session, "CS-2027-0005"), company, None)
        session.commit()
    _remind(engine, composer, T0 + timedelta(days=10, hours=1))
    rows = waiting_companies(engine, now=T0 + timedelta(days=15))
    assert [(r["company"], r["lot"], r["days_waiting"], r["stage"]) for r in rows] == [
        ("Bâtiments Picards", "Réhabilitation du groupe scolaire Jules Ferry – Lot 1", 15,
         "reminded"),
        ("Menuiserie de la Somme", "Réhabilitation du groupe scolaire Jules Ferry – Lot 4", 15,
         "reminded"),
    ]
    assert rows[0]["email"] == "j.arnaud@batiments-picards.example"
    assert rows[0]["reminded_at"].startswith("2027-02-11")


# -- CLI: form-template --lot, markets import ----------------------------------------------------


def _config(tmp_path, engine) -> str:
    path = tmp_path / "config.toml"
    path.write_text(f'[database]\nurl = "{engine.url}"\n[smtp]\nhost = "127.0.0.1"\n'
                    'from_address = "clauses@exemple-emploi.fr"\n'
                    '[people]\nreferent = "claire.duhamel@exemple-emploi.fr"\n', encoding="utf-8")
    return str(path)


def test_form_template_for_a_lot_carries_its_winner_and_market_line(tmp_path, engine,
                                                                    composer) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app

    _import(engine, composer)
    with Session(engine) as session:
        lot_id = _lot_of(session, "79123456000013")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["form-template", "--out", str(out), "--lot", str(lot_id),
                                      "--config", _config(tmp_path, engine)])
    assert result.exit_code == 0, result.output
    pdf = PdfReader(out / "formulaire-de-liaison-Paysages-du-Nord.pdf")
    assert pdf.get_fields()["company.legal_name"]["/V"] == "Paysages du Nord"
    assert "Aménagement des berges de la Somme – Lot 2" in pdf.pages[0].extract_text()
    assert (out / "formulaire-de-liaison-Paysages-du-Nord.docx").is_file()
    missing = CliRunner().invoke(app, ["form-template", "--out", str(out), "--lot", "999",
                                       "--config", _config(tmp_path, engine)])
    assert missing.exit_code == 1


def test_markets_import_queues_the_blank_forms_and_names_who_has_no_email(tmp_path, engine) -> None:
    from typer.testing import CliRunner

    from mailbot.cli import app

    listing = tmp_path / "liste.xlsx"
    listing.write_bytes(xlsx_bytes(HEADERS, _without_email(0)))
    args = ["markets", "import", str(listing), "--no-send", "--config", _config(tmp_path, engine)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert ("no email: form not sent to Bâtiments Picards (Réhabilitation du groupe scolaire "
            "Jules Ferry – Lot 1)") in result.output
    assert result.output.count("blank form sent to") == 2
    assert len(_emails(engine, "company/blank_form")) == 2
    again = CliRunner().invoke(app, args)
    assert "blank form sent" not in again.output and len(_emails(engine, "company/blank_form")) == 2
