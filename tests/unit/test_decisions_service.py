"""The decisions service on SQLite: transitions declared once and enforced, hire terms from the
offer, undo from the audit trail, offers filled and reopened, edits and attachments audited."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session, select

from mailbot.db import make_engine, migrate
from mailbot.domain.models import AuditEvent, Candidate, Offer, Partner, Referral
from mailbot.domain.services import Actor, DecisionError, Decisions, HireTerms
from mailbot.domain.states import ACTIONS, Action, ActorKind, Channel, ReferralState, RefusalReason

CLI = Actor(ActorKind.REFERENT, Channel.CLI, "referent@agence.fr")


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    migrate(engine)
    with Session(engine, expire_on_commit=False) as s:
        partner = Partner(name="ML", emails=["ml@ml.fr"])
        offer = Offer(ref="CS-2027-0001", title="Maçon", positions=2, contract_type="CDD",
                      contract_duration="6 mois", weekly_hours=35.0,
                      recruitment_date=date(2027, 2, 1))
        s.add_all([partner, offer])
        s.flush()
        for n in range(3):
            person = Candidate(first_name=f"P{n}", last_name="X")
            s.add(person)
            s.flush()
            s.add(Referral(offer_id=offer.id, candidate_id=person.id, partner_id=partner.id))
        s.commit()
        yield s


def _ids(session) -> list[int]:
    return list(session.exec(select(Referral.id).order_by(Referral.id)))


def test_every_action_from_every_state_matches_the_declared_table(session) -> None:
    rid = _ids(session)[0]
    for state in ReferralState:
        for action, transition in ACTIONS.items():
            row = session.get(Referral, rid)
            row.status = state.value
            session.add(row)
            session.flush()
            decisions = Decisions(session, CLI)
            kwargs = {"reason": RefusalReason.OTHER} if action is Action.REJECT else {}
            if state in transition.sources:
                change = decisions.decide(rid, action, **kwargs)
                assert change.to_state == transition.target
            else:
                with pytest.raises(DecisionError):
                    decisions.decide(rid, action, **kwargs)
                assert session.get(Referral, rid).status == state


def test_reject_needs_a_reason_and_keeps_reason_and_comment(session) -> None:
    rid = _ids(session)[0]
    decisions = Decisions(session, CLI)
    with pytest.raises(DecisionError, match="reason"):
        decisions.decide(rid, Action.REJECT)
    decisions.decide(rid, Action.REJECT, reason=RefusalReason.POSITION_FILLED, comment="Merci")
    row = session.get(Referral, rid)
    assert (row.status, row.refusal_reason, row.comment) == ("not_hired", "position_filled",
                                                            "Merci")
    event = session.exec(select(AuditEvent).where(AuditEvent.referral_id == rid)).one()
    assert (event.actor, event.channel, event.action) == ("referent", "cli", "reject")
    assert (event.from_state, event.to_state, event.reason) == ("new", "not_hired",
                                                                "position_filled")


def test_hire_takes_defaults_from_the_offer_and_fills_it_at_the_last_position(session) -> None:
    first, second, third = _ids(session)
    decisions = Decisions(session, CLI)
    decisions.decide(first, Action.HIRE)
    row = session.get(Referral, first)
    assert (row.contract_type, row.contract_start, row.contract_duration, row.weekly_hours) == (
        "CDD", date(2027, 2, 1), "6 mois", 35.0)
    offer = session.exec(select(Offer)).one()
    assert offer.status == "open"
    decisions.decide(second, Action.HIRE, terms=HireTerms(contract_type="CDI",
                                                          start=date(2027, 3, 1),
                                                          weekly_hours=24.0))
    row = session.get(Referral, second)
    assert (row.contract_type, row.contract_start, row.weekly_hours) == ("CDI", date(2027, 3, 1),
                                                                         24.0)
    assert offer.status == "filled" and offer.closed_at is not None
    assert decisions.offer_notices == {offer.id: "filled"}
    actions = [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == ["hire", "hire", "offer_filled"]
    # undo the last hire: the offer opens again, the referral is back where it was
    decisions.undo(second)
    assert session.get(Referral, second).status == "new"
    assert session.get(Referral, second).contract_type is None
    assert offer.status == "open" and offer.closed_at is None
    with pytest.raises(DecisionError):
        Decisions(session, CLI).decide(third, Action.HIRE, terms=HireTerms(
            start=date(2027, 5, 1), end=date(2027, 4, 1)))


def test_undo_walks_back_decision_by_decision_and_is_audited(session) -> None:
    rid = _ids(session)[0]
    decisions = Decisions(session, CLI)
    decisions.decide(rid, Action.REVIEW)
    decisions.decide(rid, Action.PRESENT, comment="Profil solide")
    decisions.decide(rid, Action.REJECT, reason=RefusalReason.ABSENT_INTERVIEW)
    decisions.undo(rid)
    row = session.get(Referral, rid)
    assert (row.status, row.refusal_reason, row.comment) == ("presented", None, "Profil solide")
    decisions.undo(rid)
    assert session.get(Referral, rid).status == "under_review"
    decisions.undo(rid)
    assert session.get(Referral, rid).status == "new"
    with pytest.raises(DecisionError, match="no decision"):
        decisions.undo(rid)
    events = session.exec(select(AuditEvent).order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["review", "present", "reject", "undo", "undo", "undo"]
    assert [e.details.get("undoes") for e in events[3:]] == [events[2].id, events[1].id,
                                                             events[0].id]


def test_close_edit_and_attach_are_audited(session) -> None:
    decisions = Decisions(session, CLI)
    offer = decisions.edit_offer("cs-2027-0001", "weekly_hours", "24,5")
    assert offer.weekly_hours == 24.5
    with pytest.raises(DecisionError):
        decisions.edit_offer("CS-2027-0001", "positions", "deux")
    with pytest.raises(DecisionError):
        decisions.edit_offer("CS-2027-0001", "siret", "1")
    other = Offer(ref="CS-2027-0002", title="Coffreur")
    person = Candidate(first_name="Z")
    session.add_all([other, person])
    session.flush()
    loose = Referral(offer_id=None, candidate_id=person.id, flagged=True, flag_reason="unknown")
    session.add(loose)
    session.flush()
    with pytest.raises(DecisionError, match="no offer"):
        decisions.decide(loose.id, Action.PRESENT)
    decisions.attach(loose.id, "CS-2027-0002")
    assert (loose.offer_id, loose.flagged) == (other.id, False)
    decisions.close_offer("CS-2027-0002", reason="chantier reporté")
    assert other.status == "closed"
    with pytest.raises(DecisionError, match="already"):
        decisions.close_offer("CS-2027-0002")
    edit = session.exec(select(AuditEvent).where(AuditEvent.action == "offer_edit")).one()
    assert edit.details == {"field": "weekly_hours", "old": 35.0, "new": 24.5}
    assert {e.action for e in session.exec(select(AuditEvent))} == {
        "offer_edit", "referral_attach", "offer_close"}
