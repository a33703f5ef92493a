"""Referral intake on SQLite with the real handler and Composer: a candidate is a person (same
email, phone, or name + birth date), linked and flagged when referred again, never stored twice
for one offer; CVs kept once per content. Liaison forms: a known SIRET with different details is
a flagged revision, not applied."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy

import pytest
from sqlmodel import Session, select

from mailbot.config import Config
from mailbot.db import make_engine, migrate
from mailbot.domain.candidates import fold_name, normalise_email, normalise_phone, same_person
from mailbot.domain.models import (
    Candidate,
    Company,
    CompanyRevision,
    Document,
    InboundMessage,
    Offer,
    OutboxMessage,
    Partner,
    Referral,
)
from mailbot.handlers import liaison_form, referral
from mailbot.handlers.base import HandlerContext
from mailbot.outbox.compose import Composer
from mailbot.senders import SenderCheck

CONFIG = Config.model_validate({
    "smtp": {"host": "smtp.test", "from_address": "clauses@agence.fr"},
    "people": {"referent": "referent@agence.fr"},
})


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(from_address="clauses@agence.fr", from_name="Clauses sociales")


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        s.add_all([Partner(name="Mission Locale", emails=["ml@ml.fr"]),
                   Partner(name="Cap Emploi", emails=["cap@cap.fr"]),
                   Offer(ref="CS-2027-0001", title="Maçon"), Offer(ref="CS-2027-0002")])
        s.commit()
        yield s


def _raw(sender: str, cvs: dict[str, bytes]) -> bytes:
    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, "clauses@agence.fr", "Candidature"
    msg["Message-ID"] = "<m@x>"
    msg.set_content("Bonjour, voici un candidat.")
    for name, data in cvs.items():
        msg.add_attachment(data, maintype="application", subtype="octet-stream", filename=name)
    return msg.as_bytes()


def refer(session, composer, partner_name: str, ref: str | None, people: list[dict],
          cvs: dict[str, bytes] | None = None) -> HandlerContext:
    """Run the referral handler on one message from `partner_name` (its first address)."""
    partner = session.exec(select(Partner).where(Partner.name == partner_name)).one()
    sender = partner.emails[0]
    raw = _raw(sender, cvs or {})
    entry = InboundMessage(mailbox="t", dedupe_key=f"k{len(session.exec(select(InboundMessage)).all())}",
                           sha256="x", raw=raw, from_address=sender)
    session.add(entry)
    session.flush()
    ctx = HandlerContext(
        session=session, entry=entry, config=CONFIG, composer=composer,
        partners=list(session.exec(select(Partner))),
        parsed={"offer_ref": ref, "candidates": people, "message_id": "<m@x>",
                "subject": "Candidature"},
        sender=SenderCheck(sender, role="partner", partner_id=partner.id),
    )
    referral.handle(ctx)
    session.flush()
    return ctx


def person(first="Léa", last="Durand", email=None, phone=None, born=None, cv=None) -> dict:
    return {"first_name": first, "last_name": last, "email": email, "phone": phone,
            "birth_date": born, "cv_filename": cv}


def candidates(session) -> list[Candidate]:
    return list(session.exec(select(Candidate)))


def referrals(session) -> list[Referral]:
    return list(session.exec(select(Referral).order_by(Referral.id)))


def test_normalisers():
    assert normalise_email("  Léa.D@Exemple.FR ") == "léa.d@exemple.fr"
    assert normalise_email("pas une adresse") is None
    assert normalise_phone("06 11 22 33 44") == normalise_phone("+33 (0)6.11.22.33.44") \
        == normalise_phone("0033611223344") == "+33611223344"
    assert fold_name("Léa-Marie  DURAND") == fold_name("lea marie durand") == "lea marie durand"


def test_same_email_any_case_is_one_person_linked_and_flagged(session, composer):
    refer(session, composer, "Mission Locale", "CS-2027-0001",
          [person(email="Lea.Durand@Exemple.fr")])
    ctx = refer(session, composer, "Cap Emploi", "CS-2027-0002",
                [person(first="Léa", last="DURAND", email="lea.durand@exemple.fr ")])
    (one,) = candidates(session)
    first, second = referrals(session)
    assert first.candidate_id == second.candidate_id == one.id
    assert first.duplicate_of is None and not first.flagged
    assert second.duplicate_of == first.id and second.flagged
    assert f"candidate already referred (R{first.id})" in second.flag_reason
    assert ctx.entry.flagged and f"candidate already referred (R{first.id})" in ctx.entry.reason


def test_same_phone_in_another_format_is_one_person(session, composer):
    refer(session, composer, "Mission Locale", "CS-2027-0001", [person(phone="+33611223344")])
    refer(session, composer, "Mission Locale", "CS-2027-0002",
          [person(first="Lea", last="Durand-Martin", phone="06 11 22 33 44")])
    assert len(candidates(session)) == 1
    assert referrals(session)[1].duplicate_of == referrals(session)[0].id


def test_name_and_birth_date_when_known(session, composer):
    refer(session, composer, "Mission Locale", "CS-2027-0001", [person(born="1990-01-02")])
    # same folded name, same birth date: the same person
    refer(session, composer, "Cap Emploi", "CS-2027-0002",
          [person(first="LEA", last="durand", born="1990-01-02")])
    assert len(candidates(session)) == 1
    # same name, another birth date, or no birth date: someone else (homonyms exist)
    refer(session, composer, "Cap Emploi", "CS-2027-0002", [person(born="1991-05-06")])
    refer(session, composer, "Cap Emploi", "CS-2027-0001", [person()])
    assert len(candidates(session)) == 3
    assert same_person(session, person(born=date(1990, 1, 2))).id == candidates(session)[0].id
    assert same_person(session, person(first="Léo", born="1990-01-02")) is None


def test_same_person_for_the_same_offer_is_not_stored_twice(session, composer):
    refer(session, composer, "Mission Locale", "CS-2027-0001", [person(email="lea@x.fr")])
    ctx = refer(session, composer, "Cap Emploi", "CS-2027-0001",
                [person(email="LEA@x.fr"), person(first="Karim", last="Benali")])
    rows = referrals(session)
    assert len(rows) == 2 and len(candidates(session)) == 2  # Léa once, Karim new
    assert ctx.entry.flagged and "already referred for CS-2027-0001" in ctx.entry.reason
    ack = session.exec(select(OutboxMessage).where(OutboxMessage.inbound_id == ctx.entry.id)).one()
    msg = message_from_bytes(ack.raw, policy=default_policy)
    text = msg.get_body(("plain",)).get_content()
    assert ack.recipients == ["cap@cap.fr"]
    assert "Léa Durand : candidature déjà enregistrée pour cette offre" in text
    assert "Karim Benali\n" in text  # the new one is simply acknowledged
    assert "Mission Locale" not in text and "ml@ml.fr" not in text  # who referred her: never said


def test_cvs_are_kept_once_per_content(session, composer):
    cv = b"%PDF-1.4 le CV de Lea"
    refer(session, composer, "Mission Locale", "CS-2027-0001",
          [person(email="lea@x.fr", cv="CV Léa.pdf")], {"CV Léa.pdf": cv, "autre.pdf": b"%PDF x"})
    refer(session, composer, "Cap Emploi", "CS-2027-0002",
          [person(first="Karim", last="Benali", cv="cv.pdf")], {"cv.pdf": cv})
    (document,) = session.exec(select(Document)).all()  # same bytes: one Document; 'autre' unused
    assert document.data == cv and document.content_type == "application/pdf"
    assert [r.cv_document_id for r in referrals(session)] == [document.id, document.id]


def _form(siret: str, **company) -> dict:
    return {"forms": [{"company": {"siret": siret, **company}, "job": {"title": "Maçon"},
                       "conditions": {}, "missing": [], "problems": []}],
            "message_id": "<f@alpha.fr>", "subject": "Fiche de liaison"}


def send_form(session, composer, sender: str, parsed: dict) -> HandlerContext:
    entry = InboundMessage(mailbox="t", dedupe_key=f"f{sender}{len(session.exec(select(Offer)).all())}",
                           sha256="x", raw=b"x", from_address=sender)
    session.add(entry)
    session.flush()
    ctx = HandlerContext(session=session, entry=entry, parsed=parsed, config=CONFIG,
                         composer=composer, partners=[], sender=SenderCheck(sender))
    liaison_form.handle(ctx)
    session.flush()
    return ctx


def test_known_siret_with_other_details_is_a_revision_not_applied(session, composer):
    siret = "73282932000074"
    ctx = send_form(session, composer, "rh@alpha.fr",
                    _form(siret, legal_name="Alpha BTP", phone="+33322000001", email="rh@alpha.fr"))
    offer = session.exec(select(Offer).where(Offer.inbound_id == ctx.entry.id)).one()
    assert offer.contact_address == "rh@alpha.fr"  # the address that got the acknowledgement
    # same details written differently: nothing to record; an empty field is filled
    ctx = send_form(session, composer, "chef@alpha.fr",
                    _form(siret, legal_name="ALPHA  btp", phone="03 22 00 00 01",
                          address="1 rue du Port, Amiens"))
    assert session.exec(select(CompanyRevision)).all() == []
    assert "company details differ" not in (ctx.entry.reason or "")
    ctx = send_form(session, composer, "x@alpha.fr",
                    _form(siret, legal_name="Alpha Bâtiment", email="contact@alpha.fr",
                          contact_name="M. Morel"))
    (company,) = session.exec(select(Company)).all()
    assert (company.legal_name, company.email) == ("Alpha BTP", "rh@alpha.fr")  # not applied
    assert company.address == "1 rue du Port, Amiens" and company.contact_name == "M. Morel"
    (revision,) = session.exec(select(CompanyRevision)).all()
    assert revision.company_id == company.id and revision.inbound_id == ctx.entry.id
    assert revision.changes == {"legal_name": ["Alpha BTP", "Alpha Bâtiment"],
                                "email": ["rh@alpha.fr", "contact@alpha.fr"]}
    assert not revision.applied
    assert ctx.entry.flagged and (f"company details differ from those stored for SIRET {siret}"
                                  in ctx.entry.reason)
    assert f"revision {revision.id} kept, not applied" in ctx.entry.reason
