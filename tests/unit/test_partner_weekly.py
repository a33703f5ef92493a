"""The partners' weekly feedback on a known week, frozen clock (Monday 18 January 2027, 9:00
Paris): each partner gets its own candidates only, what changed this week (audit rows of the
period, an undone decision is no change) and what is still pending; once per partner and week."""

from __future__ import annotations

from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.config import load_config
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import (
    AuditEvent,
    Candidate,
    Company,
    Offer,
    OutboxMessage,
    Partner,
    Referral,
    ReportRun,
)
from mailbot.pipeline import Pipeline
from mailbot.reports.partner_weekly import collect, write_weekly
from tests.helpers.decisions_data import write_config

NOW = datetime(2027, 1, 18, 8, 0, tzinfo=UTC)


def _at(day: int, hour: int = 10) -> datetime:
    return datetime(2027, 1, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'w.db'}"
    engine = make_engine(url)
    migrate(engine)
    ids: dict[str, int] = {}
    with session_scope(engine) as s:
        company = Company(legal_name="BTP Picardie")
        ml = Partner(name="Mission Locale Amiens", emails=["conseil@ml-amiens.fr"])
        cap = Partner(name="Cap Emploi 80", emails=["cap@capemploi80.fr"])
        plie = Partner(name="PLIE Amiens", emails=["plie@amiens.fr"])
        s.add_all([company, ml, cap, plie])
        s.flush()
        a = Offer(ref="CS-2027-0001", company_id=company.id, title="Maçon VRD", status="open")
        b = Offer(ref="CS-2027-0002", company_id=company.id, title="Coffreur", status="open")
        people = [Candidate(first_name=f, last_name=n) for f, n in (
            ("Alice", "Martin"), ("Chloé", "Roux"), ("Bruno", "Petit"), ("Driss", "Benali"),
            ("Emma", "Leroy"))]
        s.add_all([a, b, *people])
        s.flush()
        alice, chloe, bruno, driss, emma = people

        def referral(key, offer, person, partner, created, status, **extra):
            row = Referral(offer_id=offer.id, candidate_id=person.id, partner_id=partner.id,
                           created_at=created, status=status, **extra)
            s.add(row)
            s.flush()
            ids[key] = row.id
            return row

        def audit(row, at, before, after):
            s.add(AuditEvent(at=at, actor="referent", channel="cli", action="x",
                             referral_id=row.id, offer_id=row.offer_id, from_state=before,
                             to_state=after))

        r1 = referral("alice", a, alice, ml, _at(4), "hired", eligibility=["rqth"],
                      contract_type="CDD", contract_start=date(2027, 2, 1), weekly_hours=35.0)
        audit(r1, _at(12), "new", "presented")
        audit(r1, _at(14), "presented", "hired")
        r2 = referral("chloe", a, chloe, ml, _at(4), "presented")
        audit(r2, _at(5), "new", "presented")  # the week before
        r3 = referral("bruno", a, bruno, cap, _at(4), "not_hired",
                      refusal_reason="position_filled", comment="problème de santé signalé")
        audit(r3, _at(13), "presented", "not_hired")
        r4 = referral("driss", a, driss, cap, _at(4), "new")
        audit(r4, _at(13), "new", "under_review")
        audit(r4, _at(13, 11), "under_review", "new")  # undone the same week
        referral("emma", a, emma, ml, _at(15), "new")
        referral("alice_cap", b, alice, cap, _at(3), "on_hold")
    path = write_config(tmp_path / "config.toml", url)
    path.write_text(path.read_text() + '\n[[partners]]\nname = "PLIE Amiens"\nemails = ["plie@amiens.fr"]\n')
    config = load_config(path)
    yield engine, config, ids
    engine.dispose()


def _emails(engine) -> dict[str, tuple[str, str]]:
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage).where(OutboxMessage.role == "partner/weekly")).all()
    out = {}
    for row in rows:
        text = message_from_bytes(row.raw, policy=default_policy).get_body(("plain",)).get_content()
        out[row.recipients[0]] = (row.subject, text)
    return out


def test_each_partner_its_own_changes_and_pending(world) -> None:
    engine, _config, ids = world
    with Session(engine) as session:
        weeks = {w.name: w for w in collect(session, end=NOW)}
    ml, cap, plie = weeks["Mission Locale Amiens"], weeks["Cap Emploi 80"], weeks["PLIE Amiens"]
    assert [(v["id"], v["status"]) for v in ml.changed] == [(ids["alice"], "hired")]
    assert [(v["id"], v["status"], v["new"]) for v in ml.pending] == [
        (ids["chloe"], "presented", False), (ids["emma"], "new", True)]
    assert [(v["id"], v["status"]) for v in cap.changed] == [(ids["bruno"], "not_hired")]
    assert cap.changed[0]["comment_withheld"] and cap.changed[0]["comment"] is None
    assert [(v["id"], v["status"]) for v in cap.pending] == [(ids["driss"], "new"),
                                                              (ids["alice_cap"], "on_hold")]
    assert plie.empty


def test_the_emails_name_only_the_partners_own_candidates(world) -> None:
    engine, config, _ids = world
    composer = Pipeline(config, engine, transport=None).composer
    results = write_weekly(engine, composer, config, due=NOW, now=NOW)
    assert [(r.recipient, r.period_key, r.status, r.outbox_id is not None) for r in results] == [
        ("partner:1", "2027-W03", "written", True), ("partner:2", "2027-W03", "written", True),
        ("partner:3", "2027-W03", "written", False)]
    emails = _emails(engine)
    assert sorted(emails) == ["cap@capemploi80.fr", "conseil@ml-amiens.fr"]
    subject, ml = emails["conseil@ml-amiens.fr"]
    assert subject == "Point hebdomadaire sur vos candidatures : 1 nouvelle décision"
    assert "du lundi 11 janvier 2027 au lundi 18 janvier 2027" in ml
    assert "  - Alice Martin : retenue (le 14 janvier 2027)" in ml
    assert "Contrat : CDD, à partir du 1er février 2027, 35 h par semaine" in ml.replace("\u202f", " ")
    assert "  - Chloé Roux : présentée à l'entreprise (reçue le 4 janvier 2027)" in ml
    assert "  - Emma Leroy : nouvelle (reçue cette semaine)" in ml
    assert "EN COURS (2)" in ml
    for other in ("Bruno", "Driss", "Coffreur", "RQTH", "santé"):
        assert other not in ml
    _subject, cap = emails["cap@capemploi80.fr"]
    assert "  - Bruno Petit : non retenue (le 13 janvier 2027)" in cap
    assert "Motif : poste pourvu" in cap
    assert "commentaire transmis par le référent sur demande" in cap and "santé" not in cap
    assert "  - Driss Benali : nouvelle (reçue le 4 janvier 2027)" in cap
    assert "Offre CS-2027-0002 – Coffreur (BTP Picardie) :\n  - Alice Martin : en attente" in cap
    for other in ("Chloé", "Emma", "Alice Martin : retenue", "Maçon VRD (BTP Picardie) :\n  - Alice"):
        assert other not in cap
    # once per partner and week, whoever tries again
    again = write_weekly(engine, composer, config, due=NOW, now=NOW.replace(hour=9))
    assert {r.status for r in again} == {"already"}
    with Session(engine) as session:
        assert len(session.exec(select(ReportRun)).all()) == 3
    assert len(_emails(engine)) == 2


def test_next_week_starts_where_the_last_one_ended(world) -> None:
    engine, config, ids = world
    composer = Pipeline(config, engine, transport=None).composer
    write_weekly(engine, composer, config, due=NOW, now=NOW)
    with session_scope(engine) as s:
        row = s.get(Referral, ids["chloe"])
        row.status = "hired"
        s.add(AuditEvent(at=datetime(2027, 1, 20, 10, tzinfo=UTC), actor="referent",
                         channel="cli", action="hire", referral_id=row.id, from_state="presented",
                         to_state="hired"))
    later = datetime(2027, 1, 25, 8, 0, tzinfo=UTC)
    with Session(engine) as session:
        weeks = {w.name: w for w in collect(session, end=later)}
    ml = weeks["Mission Locale Amiens"]
    assert ml.start == NOW
    assert [v["id"] for v in ml.changed] == [ids["chloe"]]  # Alice's hire was last week's news
    assert [v["id"] for v in ml.pending] == [ids["emma"]]
