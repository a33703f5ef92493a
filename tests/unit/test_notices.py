"""What decisions tell people, on SQLite with the real Composer: one presentation per offer with
exactly its presented candidates and their CVs, contacts as configured; feedback to each partner
about its own candidates only; sensitive comments withheld; offer updates only to the partners
that were sent the offer."""

from __future__ import annotations

from datetime import date
from email import message_from_bytes
from email.policy import default as default_policy

import pytest
from sqlmodel import Session, col, select

from mailbot.config import Config
from mailbot.db import make_engine, migrate
from mailbot.domain.candidates import store_document
from mailbot.domain.models import (
    Candidate,
    Company,
    Offer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Referral,
)
from mailbot.domain.notices import WITHHELD, is_sensitive, queue_full_feedback
from mailbot.domain.services import Actor, Decisions, HireTerms
from mailbot.domain.states import Action, ActorKind, Channel, RefusalReason
from mailbot.outbox.compose import Composer

CLI = Actor(ActorKind.REFERENT, Channel.CLI, "referent@agence.fr")

# (partner, first, last, email, phone, offer index, sender)
PEOPLE = [
    ("A", "Léa", "Durand", "lea.durand@exemple.fr", "+33611111111", 0, "conseil@ml.fr"),
    ("B", "Karim", "Benali", "karim.b@exemple.fr", "+33622222222", 0, "orient@cap.fr"),
    ("A", "Paul", "Leroy", "paul.leroy@exemple.fr", "+33633333333", 0, None),
    ("B", "Nadia", "Roux", "nadia.roux@exemple.fr", "+33644444444", 1, "orient@cap.fr"),
]


def config(share: str = "none") -> Config:
    return Config.model_validate({
        "smtp": {"host": "smtp.test", "from_address": "clauses@agence.fr"},
        "people": {"referent": "referent@agence.fr"},
        "workflow": {"share_candidate_contacts": share},
    })


@pytest.fixture
def composer() -> Composer:
    return Composer(from_address="clauses@agence.fr", from_name="Clauses sociales",
                    signature={"name": "Hélène Martin", "phone": "03 22 00 00 00"})


@pytest.fixture
def session(tmp_path, composer):
    engine = make_engine(f"sqlite:///{tmp_path / 'n.db'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        partners = {
            "A": Partner(name="Mission Locale", kind="ML", emails=["ml@ml.fr", "conseil@ml.fr"]),
            "B": Partner(name="Cap Emploi", kind="CE", emails=["cap@cap.fr"]),
            "C": Partner(name="PLIE", kind="PLIE", emails=["plie@plie.fr"]),
        }
        company = Company(legal_name="Alpha BTP", siret="73282932000074", email="rh@alpha.fr",
                          contact_name="Mme Arnaud")
        s.add_all([*partners.values(), company])
        s.flush()
        offers = [
            Offer(ref="CS-2027-0001", title="Maçon", company_id=company.id, positions=1,
                  contract_type="CDD", contract_duration="6 mois", weekly_hours=35.0,
                  recruitment_date=date(2027, 2, 1), contact_address="chef@alpha.fr",
                  main_activities="Pose de bordures\nCoffrage"),
            Offer(ref="CS-2027-0002", title="Coffreur", company_id=company.id, positions=2),
        ]
        s.add_all(offers)
        s.flush()
        for key, first, last, mail, phone, index, sender in PEOPLE:
            person = Candidate(first_name=first, last_name=last, email=mail, phone=phone,
                               partner_id=partners[key].id)
            s.add(person)
            s.flush()
            cv = store_document(s, f"cv-{last.lower()}.pdf", f"%PDF-1.4 CV {last}".encode())
            s.add(Referral(offer_id=offers[index].id, candidate_id=person.id,
                           partner_id=partners[key].id, sender=sender, cv_document_id=cv.id))
        for key, status in (("A", OutboxStatus.SENT), ("B", OutboxStatus.PENDING),
                            ("C", OutboxStatus.HELD)):
            composer.queue(s, "partner/broadcast",
                           {"partner": {"name": partners[key].name}, "offer": {"ref": "CS-2027-0001"}},
                           to=partners[key].emails, offer_id=offers[0].id,
                           partner_id=partners[key].id, status=status)
        s.commit()
        yield s


def referral_of(session: Session, last: str) -> Referral:
    person = session.exec(select(Candidate).where(Candidate.last_name == last)).one()
    return session.exec(select(Referral).where(Referral.candidate_id == person.id)).one()


def decide(session, composer, share="none", steps=()) -> list[OutboxMessage]:
    before = session.exec(select(col(OutboxMessage.id))).all()
    decisions = Decisions(session, CLI, composer, config(share))
    for last, action, kwargs in steps:
        if action == "close":
            decisions.close_offer(last)
        else:
            decisions.decide(referral_of(session, last).id, action, **kwargs)
    decisions.finish()
    session.flush()
    return list(session.exec(select(OutboxMessage).where(col(OutboxMessage.id).not_in(before))
                             .order_by(col(OutboxMessage.id))))


def read(row: OutboxMessage):
    msg = message_from_bytes(row.raw, policy=default_policy)
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    files = {part.get_filename(): part.get_content() for part in msg.iter_attachments()}
    return msg, text, html, files


PRESENT = Action.PRESENT


def test_presentation_has_exactly_the_offers_presented_candidates_and_their_cvs(session, composer):
    rows = decide(session, composer, steps=[("Durand", PRESENT, {}), ("Benali", PRESENT, {}),
                                            ("Roux", PRESENT, {})])
    presentations = [r for r in rows if r.role == "company/presentation"]
    assert len(presentations) == 2  # one per offer, not one per candidate
    first = next(r for r in presentations if "CS-2027-0001" in r.subject)
    assert first.recipients == ["chef@alpha.fr"]  # the address whose form created the offer
    msg, text, html, files = read(first)
    assert msg["Auto-Submitted"] == "auto-generated"
    assert "Léa Durand" in text and "Karim Benali" in text
    assert "Leroy" not in text + html and "Roux" not in text + html  # not presented / other offer
    assert files == {"CV Léa Durand.pdf": b"%PDF-1.4 CV Durand",
                     "CV Karim Benali.pdf": b"%PDF-1.4 CV Benali"}
    assert "Mission Locale" not in text and "Cap Emploi" not in text  # partners never named
    assert "• Pose de bordures" in text and "<li>Coffrage</li>" in html  # lines kept as a list
    # the second offer has no contact address: the company's email
    second = next(r for r in presentations if "CS-2027-0002" in r.subject)
    assert second.recipients == ["rh@alpha.fr"]
    assert set(read(second)[3]) == {"CV Nadia Roux.pdf"}


@pytest.mark.parametrize(("share", "email", "phone"), [("none", False, False),
                                                       ("email", True, False),
                                                       ("all", True, True)])
def test_presentation_contacts_follow_the_setting(session, composer, share, email, phone):
    rows = decide(session, composer, share, steps=[("Durand", PRESENT, {})])
    (row,) = [r for r in rows if r.role == "company/presentation"]
    _msg, text, html, _files = read(row)
    assert ("lea.durand@exemple.fr" in text) is email and ("lea.durand@exemple.fr" in html) is email
    assert ("06 11 11 11 11" in text) is phone and ("06 11 11 11 11" in html) is phone


def test_feedback_to_each_partner_names_only_its_own_candidates(session, composer):
    rows = decide(session, composer, steps=[
        ("Durand", PRESENT, {}), ("Leroy", Action.HOLD, {}),
        ("Benali", Action.REJECT, {"reason": RefusalReason.NOT_MOBILE, "comment": "Pas de permis"}),
    ])
    feedback = [r for r in rows if r.role == "partner/feedback"]
    by_address = {r.recipients[0]: read(r)[1] for r in feedback}
    # A: Durand came from conseil@ml.fr, Leroy had no sender: the partner's first address
    assert set(by_address) == {"conseil@ml.fr", "ml@ml.fr", "orient@cap.fr"}
    assert "Léa Durand : présentée à l'entreprise" in by_address["conseil@ml.fr"]
    assert "Paul Leroy : en attente" in by_address["ml@ml.fr"]
    b_text = by_address["orient@cap.fr"]
    assert "Karim Benali : non retenue" in b_text
    assert "Motif : non mobile" in b_text and "Pas de permis" in b_text
    for address, text in by_address.items():
        others = {"conseil@ml.fr": ("Benali", "Leroy", "Roux"), "ml@ml.fr": ("Benali", "Durand"),
                  "orient@cap.fr": ("Durand", "Leroy", "Roux")}[address]
        assert not any(name in text for name in others), address
    partner_ids = {r.recipients[0]: r.partner_id for r in feedback}
    assert partner_ids["conseil@ml.fr"] == partner_ids["ml@ml.fr"] != partner_ids["orient@cap.fr"]


def test_hire_feedback_has_contract_and_offer_filled_told_to_broadcast_partners(session, composer):
    rows = decide(session, composer, steps=[
        ("Durand", Action.HIRE, {"terms": HireTerms(start=date(2027, 3, 1), weekly_hours=24)})])
    (feedback,) = [r for r in rows if r.role == "partner/feedback"]
    text = read(feedback)[1]
    assert "Léa Durand : retenue" in text
    assert "CDD, à partir du 1er mars 2027, durée : 6 mois, 24 h par semaine" in text
    updates = [r for r in rows if r.role == "partner/offer_update"]
    # A (sent) and B (pending) got the broadcast; C's was held: never sent, so not told
    assert sorted(r.recipients[0] for r in updates) == ["cap@cap.fr", "ml@ml.fr"]
    for row in updates:
        msg, text, _html, _files = read(row)
        assert "est pourvue" in text and "CS-2027-0001" in msg["Subject"]
        assert "Durand" not in text
        broadcast = session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "partner/broadcast",
            OutboxMessage.partner_id == row.partner_id)).one()
        assert msg["In-Reply-To"] == broadcast.message_id


def test_closed_offer_told_and_nothing_to_the_company(session, composer):
    rows = decide(session, composer, steps=[("CS-2027-0001", "close", {})])
    assert sorted(r.role for r in rows) == ["partner/offer_update", "partner/offer_update"]
    assert all("est clôturée" in read(r)[1] for r in rows)


def test_sensitive_comment_is_withheld_but_the_decision_is_sent(session, composer):
    comment = "Reconnue travailleuse handicapée (RQTH), santé fragile"
    rows = decide(session, composer, steps=[
        ("Benali", Action.REJECT, {"reason": RefusalReason.POSITION_FILLED, "comment": comment})])
    (row,) = [r for r in rows if r.role == "partner/feedback"]
    _msg, text, html, _files = read(row)
    assert "Karim Benali : non retenue" in text and "Motif : poste pourvu" in text
    assert WITHHELD in text and WITHHELD in html
    for word in ("RQTH", "handicap", "santé"):
        assert word not in text and word not in html
    assert session.get(Referral, referral_of(session, "Benali").id).comment == comment  # kept


@pytest.mark.parametrize(("text", "expected"), [
    ("Bénéficiaire du RSA depuis 2 ans", True),
    ("personne HANDICAPÉE, suivie par la MDPH", True),
    ("En arrêt maladie jusqu'en mars", True),
    ("Demandeur d'emploi de longue durée", True),
    ("Très motivé, ponctuel, a son permis B", False),
    ("Assure la pose des bordures", False),  # 'ASS' is a whole word only
    ("", False),
])
def test_is_sensitive(text, expected):
    assert is_sensitive(text) is expected


def test_a_decision_undone_in_the_same_batch_tells_nobody(session, composer):
    decisions = Decisions(session, CLI, composer, config())
    rid = referral_of(session, "Durand").id
    decisions.decide(rid, PRESENT)
    decisions.undo(rid)
    decisions.finish()
    session.flush()
    roles = session.exec(select(OutboxMessage.role)).all()
    assert "company/presentation" not in roles and "partner/feedback" not in roles


def test_full_feedback_lists_all_of_the_partners_candidates_and_no_others(session, composer):
    decide(session, composer, steps=[("Durand", Action.REVIEW, {}), ("Benali", PRESENT, {})])
    before = set(session.exec(select(OutboxMessage.id)).all())
    partner = session.exec(select(Partner).where(Partner.name == "Cap Emploi")).one()
    assert queue_full_feedback(session, composer, config(), partner) == 1
    session.flush()
    (row,) = [r for r in session.exec(select(OutboxMessage)) if r.id not in before]
    msg, text, _html, _files = read(row)
    assert row.recipients == ["orient@cap.fr"] and "Point sur vos candidatures" in msg["Subject"]
    assert "Karim Benali : présentée à l'entreprise" in text
    assert "Nadia Roux : nouvelle" in text and "CS-2027-0002" in text
    assert "Durand" not in text and "Leroy" not in text
