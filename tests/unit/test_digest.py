"""The référent's daily digest on a known scenario, frozen clock (Friday 15 January 2027, 8:00
Paris): each section's rows and numbers, the period since the previous digest, the empty digest
(one line, or none), once per period, a fixed number of queries, and a reply with command lines."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlalchemy import event
from sqlmodel import Session, select

from mailbot import journal
from mailbot.commands import looks_like_command
from mailbot.config import load_config
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import (
    Candidate,
    Company,
    FormRequest,
    InboundMessage,
    LabelSighting,
    Lot,
    Market,
    Offer,
    OutboxMessage,
    Partner,
    Referral,
    ReportRun,
)
from mailbot.pipeline import Pipeline
from mailbot.reports import digest as digest_module
from mailbot.reports.digest import collect, preview_digest, write_digest
from tests.helpers.decisions_data import REFERENT, fill_world, write_config

NOW = datetime(2027, 1, 15, 7, 0, tzinfo=UTC)  # Friday 8:00 in Paris
PREVIOUS = datetime(2027, 1, 14, 7, 0, tzinfo=UTC)  # yesterday's digest
IN = NOW - timedelta(hours=3)  # inside the period
BEFORE = PREVIOUS - timedelta(hours=1)  # before it


def _at(day: int, hour: int = 9) -> datetime:
    return datetime(2027, 1, day, hour, 0, tzinfo=UTC)


@pytest.fixture
def world(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'd.db'}"
    engine = make_engine(url)
    migrate(engine)
    ids: dict[str, int] = {}
    with session_scope(engine) as s:
        btp, alpha = Company(legal_name="BTP Picardie"), Company(legal_name="Alpha Voirie")
        ml = Partner(name="Mission Locale Amiens", emails=["conseil@ml-amiens.fr"])
        cap = Partner(name="Cap Emploi 80", emails=["cap@capemploi80.fr"])
        s.add_all([btp, alpha, ml, cap])
        s.flush()

        def offer(ref: str, status: str, created: datetime, **extra) -> Offer:
            row = Offer(ref=ref, status=status, created_at=created, company_id=btp.id, **extra)
            s.add(row)
            s.flush()
            return row

        a = offer("CS-2027-0001", "open", _at(5), title="Maçon VRD", published_at=_at(5),
                  recruitment_date=date(2027, 1, 20), positions=2)
        offer("CS-2027-0002", "open", _at(2), title="Coffreur", published_at=_at(2) - timedelta(
            days=30))  # open 43 days, no candidate
        offer("CS-2027-0003", "open", _at(3), title="Grutier", published_at=_at(3))  # 12 days
        c = offer("CS-2027-0004", "open", IN, title="Canalisateur")
        ids["offer_c"] = c.id
        offer("CS-2027-0005", "incomplete", IN, title="Enrobeur",
              missing=["job.positions", "conditions.contract_type"])
        offer("CS-2027-0006", "received", _at(10), title="Chef d'équipe")
        offer("CS-2027-0007", "closed", _at(4), title="Manœuvre", recruitment_date=date(2027, 1, 18))
        offer("CS-2027-0008", "open", BEFORE, title="Peintre", recruitment_date=date(2027, 1, 22))

        people = [Candidate(first_name=f, last_name=n) for f, n in (
            ("Alice", "Martin"), ("Bruno", "Petit"), ("Chloé", "Roux"), ("Driss", "Benali"),
            ("Emma", "Leroy"))]
        s.add_all(people)
        s.flush()

        def referral(key: str, offer_row: Offer | None, person: Candidate, partner: Partner,
                     created: datetime, **extra) -> None:
            row = Referral(offer_id=offer_row.id if offer_row else None, candidate_id=person.id,
                           partner_id=partner.id, created_at=created, **extra)
            s.add(row)
            s.flush()
            ids[key] = row.id

        referral("hired", a, people[0], ml, _at(6), status="hired", decided_at=_at(7))
        referral("waiting", a, people[1], cap, _at(6), status="presented", decided_at=_at(6))
        referral("recent", a, people[4], cap, _at(6), status="presented", decided_at=_at(12))
        referral("new_a", a, people[2], ml, IN, eligibility=["rqth"])
        referral("new_c", c, people[3], cap, IN)
        referral("lost", None, people[4], ml, IN, flagged=True, flag_reason="no offer")

        market = Market(name="Voirie Amiens", match_key="voirie amiens")
        s.add(market)
        s.flush()
        lot = Lot(market_id=market.id, number="2", label="Réseaux", company_id=alpha.id)
        s.add(lot)
        s.flush()
        s.add_all([
            FormRequest(company_id=alpha.id, lot_id=lot.id, address="rh@alpha.fr",
                        sent_at=_at(2), reminded_at=_at(12)),
            FormRequest(company_id=btp.id, lot_id=None, address="rh@btp.fr", sent_at=_at(2),
                        answered_at=_at(8)),
            FormRequest(company_id=btp.id, lot_id=lot.id, address="x@btp.fr"),  # not sent yet
        ])

        def inbound(n: int, received: datetime, **extra) -> None:
            s.add(InboundMessage(mailbox="t", dedupe_key=f"<{n}@t>", sha256=str(n), raw=b"x",
                                 received_at=received, from_address=f"p{n}@ex.fr",
                                 subject=f"Sujet {n}", **extra))

        inbound(1, IN, status="processed", flagged=True, reason="no offer reference")
        inbound(2, IN, status="quarantined", reason="internal error: boom")
        inbound(3, IN, status="processed")
        inbound(4, BEFORE, status="processed", flagged=True, reason="old")
        s.flush()

        def outbox(n: int, status: str, created: datetime) -> None:
            s.add(OutboxMessage(message_id=f"<o{n}@t>", role="company/ack", envelope_from="a@b.fr",
                                recipients=[f"dest{n}@ex.fr"], subject=f"Email {n}", raw=b"x",
                                status=status, created_at=created, next_attempt_at=created))

        outbox(1, "held", BEFORE - timedelta(days=3))
        outbox(2, "failed", IN)
        outbox(3, "failed", BEFORE)
        outbox(4, "sent", IN)
        s.add_all([LabelSighting(wording="Qualification visée", seen_at=IN),
                   LabelSighting(wording="Qualification visée", seen_at=IN),
                   LabelSighting(wording="Permis", seen_at=IN),
                   LabelSighting(wording="Ancien libellé", seen_at=BEFORE)])
        s.add(ReportRun(kind="digest", recipient=REFERENT, period_key="2027-01-14",
                        period_start=PREVIOUS - timedelta(days=1), period_end=PREVIOUS))
    config = load_config(write_config(tmp_path / "config.toml", url))
    yield engine, config, ids
    engine.dispose()


def _body(engine) -> tuple[str, str, str]:
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.role == "referent/digest")).one()
    message = message_from_bytes(row.raw, policy=default_policy)
    return (row.subject, message.get_body(("plain",)).get_content(),
            message.get_body(("html",)).get_content())


def test_sections_hold_exactly_the_scenario(world) -> None:
    engine, config, ids = world
    with Session(engine) as session:
        digest = collect(session, config, start=PREVIOUS, end=NOW)
    assert digest.counts == {"new_offers": 2, "complete": 1, "incomplete": 1, "to_review": 1,
                             "referrals": 3, "awaiting": 1, "stale": 1, "upcoming": 2,
                             "forms_out": 1, "messages": 2, "held": 1, "failed": 1, "labels": 2}
    assert [o["ref"] for o in digest.new_offers] == ["CS-2027-0004", "CS-2027-0005"]
    assert digest.new_offers[1]["missing"] == ["Nombre de postes", "Type de contrat"]
    assert [o["ref"] for o in digest.to_review] == ["CS-2027-0006"]
    assert [(g["offer"] and g["offer"]["ref"], [c["id"] for c in g["candidates"]])
            for g in digest.referrals] == [("CS-2027-0001", [ids["new_a"]]),
                                           ("CS-2027-0004", [ids["new_c"]]), (None, [ids["lost"]])]
    assert digest.referrals[0]["candidates"][0]["publics"] == ["RQTH"]
    assert [(r["id"], r["days"]) for r in digest.awaiting] == [(ids["waiting"], 9)]
    assert [(o["ref"], o["days"]) for o in digest.stale] == [("CS-2027-0002", 43)]
    assert [(o["ref"], o["days"], o["hired"], o["positions"]) for o in digest.upcoming] == [
        ("CS-2027-0001", 5, 1, 2), ("CS-2027-0008", 7, 0, None)]
    assert [f["company"] for f in digest.forms_out] == ["Alpha Voirie"]
    assert digest.forms_out[0]["market"] == "Voirie Amiens – lot 2 – Réseaux"
    assert [(m["id"], m["quarantined"]) for m in digest.messages] == [(1, False), (2, True)]
    assert [e["subject"] for e in digest.held] == ["Email 1"]
    assert [e["subject"] for e in digest.failed] == ["Email 2"]
    assert digest.labels == [{"wording": "Qualification visée", "count": 2},
                             {"wording": "Permis", "count": 1}]


def test_the_email_says_it_in_french_with_the_ids_last(world) -> None:
    engine, config, ids = world
    result = write_digest(engine, _composer(config, engine), config, due=NOW, now=NOW)
    assert (result.status, result.period_key) == ("written", "2027-01-15")
    subject, text, html = _body(engine)
    assert subject == ("Point du jour – vendredi 15 janvier 2027 : 2 nouvelles offres, "
                       "3 nouvelles candidatures, 1 décision attendue, 1 offre à valider, "
                       "2 messages à vérifier")
    assert "depuis le dernier point (jeudi 14 janvier 2027 à 08:00)" in text
    assert "NOUVELLES OFFRES (2 : 1 complète, 1 incomplète)" in text
    assert ("Offre CS-2027-0005 – Enrobeur (BTP Picardie) : incomplète (manque : Nombre de "
            "postes, Type de contrat)") in text
    assert f"  - Chloé Roux, proposée par Mission Locale Amiens (publics : RQTH) : R{ids['new_a']}" in text
    assert f"  - Driss Benali, proposée par Cap Emploi 80 : R{ids['new_c']}" in text
    assert (f"  - Emma Leroy, proposée par Mission Locale Amiens – aucune offre reconnue "
            f"(mailbot referrals attach) : R{ids['lost']}") in text
    assert (f"  - Bruno Petit (Cap Emploi 80), présentée le 6 janvier 2027 (9 jours) – Offre "
            f"CS-2027-0001 – Maçon VRD (BTP Picardie) : R{ids['waiting']}") in text
    assert ("Offre CS-2027-0002 – Coffreur (BTP Picardie) : ouverte depuis le 3 décembre 2026 "
            "(43 jours)") in text
    assert ("Offre CS-2027-0001 – Maçon VRD (BTP Picardie) : recrutement le mercredi 20 janvier "
            "2027 (dans 5 jours), 1 poste pourvu sur 2") in text
    assert ("Alpha Voirie (Voirie Amiens – lot 2 – Réseaux) : formulaire envoyé le 2 janvier "
            "2027, relancé le 12 janvier 2027") in text
    assert "en quarantaine (mailbot reprocess 2) – internal error: boom" in text
    assert "« Qualification visée » (2 fois)" in text
    assert "Manœuvre" not in text and "Ancien libellé" not in text and "Sujet 4" not in text
    assert f"<strong>R{ids['waiting']}</strong>" in html
    # nothing the digest says would be read as a command if pasted back unquoted
    assert not [line for line in text.splitlines() if looks_like_command(line)]
    with Session(engine) as session:
        run = session.exec(select(ReportRun).where(ReportRun.period_key == "2027-01-15")).one()
    assert run.period_start.replace(tzinfo=UTC) == PREVIOUS and run.outbox_id is not None


def test_once_per_period_and_a_constant_number_of_queries(world) -> None:
    engine, config, ids = world
    composer = _composer(config, engine)
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    with Session(engine) as session:
        collect(session, config, start=PREVIOUS, end=NOW)
    small = len(statements)
    with session_scope(engine) as s:  # twenty times the referrals, messages and labels
        people = [Candidate(first_name=f"P{n}") for n in range(60)]
        s.add_all(people)
        s.flush()
        for n, person in enumerate(people):
            s.add(Referral(offer_id=ids["offer_c"], candidate_id=person.id, partner_id=1,
                           created_at=IN))
            s.add(InboundMessage(mailbox="t", dedupe_key=f"<m{n}@t>", sha256=f"m{n}", raw=b"x",
                                 received_at=IN, flagged=True, reason="r"))
            s.add(LabelSighting(wording=f"Libellé {n}", seen_at=IN))
    statements.clear()
    with Session(engine) as session:
        bigger = collect(session, config, start=PREVIOUS, end=NOW)
    assert (bigger.counts["referrals"], bigger.counts["messages"], bigger.counts["labels"]) == (
        63, 62, 62)
    assert len(statements) == small <= 12
    assert write_digest(engine, composer, config, due=NOW, now=NOW).status == "written"
    assert write_digest(engine, composer, config, due=NOW, now=NOW + timedelta(hours=1)
                        ).status == "already"
    with Session(engine) as session:
        assert len(session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "referent/digest")).all()) == 1


def test_long_sections_list_their_first_lines_and_count_the_rest(world, monkeypatch) -> None:
    engine, config, ids = world
    monkeypatch.setattr(digest_module, "SECTION_LIMIT", 2)
    with session_scope(engine) as s:  # 4 more referrals of the period, 3 more labels
        people = [Candidate(first_name=f"Personne{n}", last_name="Test") for n in range(4)]
        s.add_all(people)
        s.flush()
        for person in people:
            s.add(Referral(offer_id=ids["offer_c"], candidate_id=person.id, partner_id=1,
                           created_at=IN))
        s.add_all([LabelSighting(wording=f"Libellé {n}", seen_at=IN) for n in range(3)])
    with Session(engine) as session:
        digest = collect(session, config, start=PREVIOUS, end=NOW)
    assert (digest.counts["referrals"], digest.counts["labels"]) == (7, 5)
    assert sum(len(g["candidates"]) for g in digest.referrals) == 2 and len(digest.labels) == 2
    assert [c["id"] for c in digest.referrals[0]["candidates"]] == [ids["new_a"]]
    assert digest.labels[0] == {"wording": "Qualification visée", "count": 2}
    assert (digest.more["referrals"], digest.more["labels"], digest.more["awaiting"]) == (5, 3, 0)
    assert write_digest(engine, _composer(config, engine), config, due=NOW, now=NOW
                        ).status == "written"
    subject, text, html = (part.replace("\u00a0", " ").replace("\u202f", " ")
                           for part in _body(engine))  # count_fr's non-breaking spaces
    assert "7 nouvelles candidatures" in subject and "NOUVELLES CANDIDATURES (7)" in text
    assert "  - … et 5 autres (liste complète : « mailbot referrals list »)" in text
    assert "  - … et 3 autres (liste complète : « mailbot labels unknown »)" in text
    assert "… et 5 autres" in html and "… et 3 autres" in html
    listed = [line for line in text.splitlines() if re.search(r" : R\d+$", line)]
    assert len(listed) == 2 + 1  # two new referrals listed, one decision awaited
    assert not [line for line in text.splitlines() if looks_like_command(line)]


@pytest.mark.parametrize("setting", ["send", "skip"])
def test_nothing_to_report(tmp_path: Path, setting: str) -> None:
    url = f"sqlite:///{tmp_path / 'e.db'}"
    engine = make_engine(url)
    migrate(engine)
    path = write_config(tmp_path / "c.toml", url)
    path.write_text(path.read_text() + f'\n[reports]\nempty_digest = "{setting}"\n')
    config = load_config(path)
    result = write_digest(engine, _composer(config, engine), config, due=NOW, now=NOW)
    assert result.status == "written"
    with Session(engine) as session:
        rows = session.exec(select(OutboxMessage)).all()
        assert session.exec(select(ReportRun)).one().outbox_id == result.outbox_id
    if setting == "skip":
        assert rows == [] and result.outbox_id is None
        return
    subject, text, _html = _body(engine)
    assert subject == "Point du jour – vendredi 15 janvier 2027 : rien à signaler"
    body = text.split("Cordialement")[0].strip().splitlines()
    assert body == ["Bonjour,", "", "Rien à signaler depuis le dernier point (jeudi 14 janvier "
                    "2027 à 08:00) : rien de nouveau, rien en attente."]


def test_preview_writes_the_parts_and_records_nothing(world, tmp_path: Path) -> None:
    engine, config, ids = world
    paths = preview_digest(engine, _composer(config, engine), config, now=NOW,
                           out_dir=tmp_path / "out")
    assert [p.name for p in paths] == ["digest.eml", "digest.txt", "digest.html"]
    assert f"R{ids['new_c']}" in paths[1].read_text(encoding="utf-8")
    parsed = message_from_bytes(paths[0].read_bytes(), policy=default_policy)
    assert parsed["To"] == REFERENT and parsed["X-Mailbot-Role"] == "referent/digest"
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "referent/digest")).all() == []
        assert len(session.exec(select(ReportRun)).all()) == 1  # the scenario's own


def _composer(config, engine):
    return Pipeline(config, engine, transport=None).composer


# -- replying to the digest with command lines ---------------------------------------------------

SERVER = "mx.exemple-emploi.fr"


def _reply(digest: EmailMessage, lines: list[str], *, outlook: bool) -> bytes:
    original = digest.get_body(("plain",)).get_content()
    msg = EmailMessage(policy=default_policy)
    msg["From"] = REFERENT
    msg["To"] = digest["From"]
    msg["Subject"] = "RE: " + digest["Subject"]
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    msg["In-Reply-To"] = msg["References"] = digest["Message-ID"]
    msg["Authentication-Results"] = f"{SERVER}; dmarc=pass header.from=exemple-emploi.fr"
    if outlook:  # the digest pasted below a header, unquoted
        quoted = (f"\n\nDe : {digest['From']}\nEnvoyé : vendredi 15 janvier 2027 08:00\n"
                  f"À : {REFERENT}\nObjet : {digest['Subject']}\n\n{original}")
    else:
        quoted = "\n\nLe 15 janv. 2027 à 08:00, mailbot a écrit :\n" + "\n".join(
            "> " + line for line in original.splitlines())
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nMerci" + quoted)
    return msg.as_bytes()


@pytest.mark.parametrize("outlook", [False, True], ids=["quoted", "outlook"])
def test_a_reply_to_the_digest_with_command_lines_is_obeyed(tmp_path: Path, outlook: bool) -> None:
    url = f"sqlite:///{tmp_path / 'r.db'}"
    w = fill_world(url)
    path = write_config(tmp_path / "config.toml", url)
    path.write_text(path.read_text() + f'\n[security]\nauthserv_id = "{SERVER}"\n'
                    "require_authentication = true\n")
    engine = make_engine(url)
    pipeline = Pipeline(load_config(path), engine, transport=None)
    now = datetime.now(UTC)
    write_digest(engine, pipeline.composer, pipeline.config, due=now, now=now)
    with Session(engine) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.role == "referent/digest")).one()
    digest = message_from_bytes(row.raw, policy=default_policy)
    assert f"R{w.r2}" in digest.get_body(("plain",)).get_content()
    typed = [f"R{w.r2} présenté", f"R{w.r3} non retenu motif: poste pourvu"]
    inbound_id = journal.journal_raw(engine, "test", _reply(digest, typed, outlook=outlook))
    pipeline.process_one(inbound_id)
    with Session(engine) as session:
        entry = session.get(InboundMessage, inbound_id)
        assert entry.kind == "referent_command" and not entry.flagged, entry.reason
        assert entry.reason == "email commands: 2 done"
        assert session.get(Referral, w.r2).status == "presented"
        assert session.get(Referral, w.r3).status == "not_hired"
        assert session.get(Referral, w.r1).status == "new"  # listed in the digest, untouched
    engine.dispose()
