"""Issue 8, randomized: 50 partners, 200 offers, 2,000 referrals, decisions at random (fixed seed)
through the one decisions service, emails written by the real composer and sent by the file
transport on SQLite. Every email is read back: no partner email names another partner's
candidate, no email names a health or eligibility word, and every state change has exactly one
audit row (the audit trail replays to each referral's state)."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import getaddresses
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.app import make_pipeline
from mailbot.config import load_config
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain import notices
from mailbot.domain.models import (
    AuditEvent,
    Candidate,
    Company,
    Offer,
    OutboxMessage,
    OutboxStatus,
    Partner,
    Referral,
)
from mailbot.domain.services import Actor, DecisionError, Decisions, HireTerms
from mailbot.domain.states import Action, ActorKind, Channel, RefusalReason
from mailbot.outbox.transports import FileTransport

SEED = 20261201
PARTNERS, OFFERS, REFERRALS = 50, 200, 2000
FIRST = ["Inès", "Mehdi", "Lucas", "Chloé", "Yanis", "Emma", "Nora", "Hugo", "Sarah", "Adam"]
SENSITIVE = re.compile(r"\b(RQTH|handicap|maladie)\b", re.I)


def _last_name(index: int) -> str:
    """A unique last name (letters only, fixed length): no name is part of another."""
    letters = "bcdfghjklmnprstvz"
    code = ""
    for _ in range(4):
        index, digit = divmod(index, len(letters))
        code += letters[digit]
    return "Dur" + code + "ier"


def _config(tmp_path: Path) -> Path:
    partners = "".join(
        f'\n[[partners]]\nname = "Partenaire {n:02d}"\nkind = "ML"\n'
        f'emails = ["contact@partenaire{n:02d}.example"]\n'
        for n in range(PARTNERS)
    )
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'db.sqlite'}"
[smtp]
host = "localhost"
from_address = "clauses@exemple-emploi.fr"
from_name = "Référent clauses sociales"
[people]
referent = "referent@exemple-emploi.fr"
[workflow]
share_candidate_contacts = "all"
{partners}""", encoding="utf-8")
    return path


def _seed(session: Session, rng: random.Random) -> dict[int, int]:
    """Offers, broadcasts already sent, people and referrals; returns referral id → partner id."""
    partners = list(session.exec(select(Partner).order_by(Partner.id)))
    offers = []
    for n in range(OFFERS):
        company = Company(legal_name=f"Entreprise {n:03d}", email=f"rh@entreprise{n:03d}.example")
        session.add(company)
        session.flush()
        offer = Offer(ref=f"CS-2027-{n + 1:04d}", company_id=company.id, title="Maçon (H/F)",
                      positions=rng.randint(1, 4), contract_type="CDD",
                      contract_duration="6 mois", weekly_hours=35.0,
                      contact_address=company.email)
        session.add(offer)
        session.flush()
        offers.append(offer)
        for partner in rng.sample(partners, 8):  # the offer was broadcast to these
            session.add(OutboxMessage(
                message_id=f"<b{offer.id}.{partner.id}@test>", role="partner/broadcast",
                envelope_from="clauses@exemple-emploi.fr", recipients=list(partner.emails),
                raw=b"", status=OutboxStatus.SENT, offer_id=offer.id, partner_id=partner.id))
    owner: dict[int, int] = {}
    people: list[Candidate] = []
    pairs: set[tuple[int, int]] = set()
    while len(owner) < REFERRALS:
        partner = rng.choice(partners)
        offer = rng.choice(offers)
        if people and rng.random() < 0.1:  # the same person again, for another offer
            person = rng.choice(people)
        else:
            index = len(people)
            person = Candidate(first_name=rng.choice(FIRST), last_name=_last_name(index),
                               email=f"p{index}@exemple-perso.example",
                               phone=f"06{index:08d}")
            session.add(person)
            session.flush()
            people.append(person)
        if (offer.id, person.id) in pairs:
            continue
        pairs.add((offer.id, person.id))
        row = Referral(offer_id=offer.id, candidate_id=person.id, partner_id=partner.id,
                       sender=partner.emails[0])
        session.add(row)
        session.flush()
        owner[row.id] = partner.id
    return owner


@pytest.mark.integration
def test_random_decisions_never_cross_partners(tmp_path) -> None:
    rng = random.Random(SEED)
    config = load_config(_config(tmp_path))
    engine = make_engine(config.database.url)
    migrate(engine)
    outdir = tmp_path / "sent"
    pipeline = make_pipeline(config, engine=engine, transport=FileTransport(outdir))
    with session_scope(engine) as session:
        owner = _seed(session, rng)
    actor = Actor(ActorKind.REFERENT, Channel.CLI, config.people.referent)
    ids = sorted(owner)
    changes_made: dict[int, int] = defaultdict(int)
    actions = [Action.REVIEW, Action.PRESENT, Action.PRESENT, Action.HIRE, Action.REJECT,
               Action.HOLD, Action.UNDO]
    for _batch in range(150):
        with session_scope(engine) as session:
            decisions = Decisions(session, actor, pipeline.composer, config)
            for rid in rng.sample(ids, rng.randint(5, 25)):
                action = rng.choice(actions)
                kwargs: dict = {}
                if action is Action.REJECT:
                    kwargs = {"reason": rng.choice(list(RefusalReason)),
                              "comment": rng.choice([None, "Bon contact", "RQTH à signaler"])}
                if action is Action.HIRE:
                    kwargs = {"terms": HireTerms(weekly_hours=rng.choice([None, 24.0, 35.0]))}
                try:
                    decisions.decide(rid, action, **kwargs)
                except DecisionError:
                    continue
                changes_made[rid] += 1
            if rng.random() < 0.05:
                open_offers = session.exec(select(Offer.ref).where(Offer.status == "open")).all()
                if open_offers:
                    decisions.close_offer(rng.choice(open_offers))
            decisions.finish()
    partner_ids = [p.id for p in Session(engine).exec(select(Partner))]
    for partner_id in rng.sample(partner_ids, 10):  # `mailbot feedback send --partner`
        with session_scope(engine) as session:
            notices.queue_full_feedback(session, pipeline.composer, config,
                                        session.get(Partner, partner_id))
    report = pipeline.send()
    assert report.failed == 0 and report.sent > 0

    with Session(engine) as session:
        partners = {p.id: p for p in session.exec(select(Partner))}
        address_of = {p.emails[0]: p.id for p in partners.values()}
        names = {}
        for rid, first, last in session.exec(
                select(Referral.id, Candidate.first_name, Candidate.last_name)
                .join(Candidate, Candidate.id == Referral.candidate_id)):
            names[rid] = f"{first} {last}"
        mine: dict[int, set[str]] = defaultdict(set)
        for rid, partner_id in owner.items():
            mine[partner_id].add(names[rid].split()[-1])
        every_last = {n.split()[-1] for n in names.values()}
        # every state change has exactly one audit row, and the trail replays to the state
        events = defaultdict(list)
        for event in session.exec(select(AuditEvent).where(AuditEvent.referral_id.is_not(None))
                                  .order_by(AuditEvent.id)):
            events[event.referral_id].append(event)
        for rid in ids:
            trail = [e for e in events[rid] if e.action in {a.value for a in Action}]
            assert len(trail) == changes_made[rid]
            state = "new"
            for event in trail:
                assert event.from_state == state
                state = event.to_state
            assert session.get(Referral, rid).status == state

    files = sorted(outdir.rglob("*.eml"))
    assert len(files) == report.sent
    roles = defaultdict(int)
    for path in files:
        msg = message_from_bytes(path.read_bytes(), policy=default_policy)
        roles[str(msg["X-Mailbot-Role"])] += 1
        text = msg.get_body(("plain",)).get_content() + msg.get_body(("html",)).get_content()
        assert not SENSITIVE.search(text), path.name
        to = [a.lower() for _n, a in getaddresses([str(msg["To"])])]
        partner_ids_to = {address_of[a] for a in to if a in address_of}
        if not partner_ids_to:
            continue
        [partner_id] = partner_ids_to
        named = {last for last in every_last if last in text}
        assert named <= mine[partner_id], (path.name, named - mine[partner_id])
    assert roles["partner/feedback"] > 50 and roles["company/presentation"] > 20
    assert roles["partner/offer_update"] > 0
