"""The référent's decisions through the real CLI, on a SQLite database filled with the models."""

from __future__ import annotations

import email
import email.policy
import json
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine
from mailbot.domain import notices
from mailbot.domain.models import AuditEvent, Offer, OutboxMessage, Partner, Referral
from tests.helpers.decisions_data import REFERENT, World, fill_world, write_config

runner = CliRunner()


@pytest.fixture
def world(tmp_path: Path) -> tuple[Path, World, str]:
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    built = fill_world(url)
    return write_config(tmp_path / "config.toml", url), built, url


def cli(config: Path, *args: str):
    result = runner.invoke(app, [*args, "--config", str(config)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def rows(url: str, model, *where):
    engine = make_engine(url)
    with Session(engine) as session:
        found = list(session.exec(select(model).where(*where)))
    engine.dispose()
    return found


def referral(url: str, referral_id: int) -> Referral:
    return rows(url, Referral, Referral.id == referral_id)[0]


def audit_count(url: str) -> int:
    engine = make_engine(url)
    with Session(engine) as session:
        count = session.exec(select(func.count()).select_from(AuditEvent)).one()
    engine.dispose()
    return count


# -- referrals list -------------------------------------------------------------------------

def test_referrals_list_json_shape_and_filters(world):
    config, w, _ = world
    result = cli(config, "referrals", "list", "--json")
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [r["id"] for r in listed] == [w.r1, w.r2, w.r3, w.r4, w.r5]
    first = listed[0]
    assert {k: first[k] for k in ("id", "offer", "partner", "status", "first_name", "last_name",
                                  "duplicate_of")} == {
        "id": w.r1, "offer": "CS-2027-0001", "partner": "Mission Locale Amiens", "status": "new",
        "first_name": "Alice", "last_name": "Martin", "duplicate_of": None}
    assert listed[3]["duplicate_of"] == w.r1 and listed[3]["offer"] == "CS-2027-0002"
    assert listed[4]["offer"] is None and listed[4]["flagged"] is True

    only_b = json.loads(cli(config, "referrals", "list", "--offer", "cs-2027-0002",
                            "--json").stdout)
    assert [r["id"] for r in only_b] == [w.r4]
    cli(config, "referrals", "present", str(w.r2), "--no-send")
    presented = json.loads(cli(config, "referrals", "list", "--status", "presented",
                               "--json").stdout)
    assert [r["id"] for r in presented] == [w.r2]


def test_referrals_table_shows_r_ids_and_whole_refs(world):
    config, w, _ = world
    result = runner.invoke(app, ["referrals", "list", "--config", str(config)],
                           env={"COLUMNS": "60"})
    assert result.exit_code == 0, result.output
    assert f"R{w.r1} " in result.stdout and "CS-2027-0001" in result.stdout
    assert f"R{w.r1}" in result.stdout.split(f"R{w.r4} ")[1]  # R4's duplicate_of column


def test_referrals_list_unknown_offer_fails(world):
    config, _, _ = world
    result = cli(config, "referrals", "list", "--offer", "CS-2099-9999")
    assert result.exit_code == 1
    assert "no offer CS-2099-9999" in result.stderr


# -- decisions ------------------------------------------------------------------------------

def test_each_id_applied_refused_ones_reported(world):
    config, w, url = world
    result = cli(config, "referrals", "present", f"R{w.r1}", str(w.r2), "R999", "x12",
                 "--no-send")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"R{w.r1}: new -> presented",
        f"R{w.r2}: new -> presented",
        "R999: refused: no referral R999",
        "x12: refused: not a referral id (12 or R12): 'x12'",
    ]
    assert referral(url, w.r1).status == referral(url, w.r2).status == "presented"
    events = rows(url, AuditEvent)
    assert [(e.referral_id, e.action, e.actor, e.channel, e.actor_address, e.from_state,
             e.to_state) for e in events] == [
        (w.r1, "present", "referent", "cli", REFERENT, "new", "presented"),
        (w.r2, "present", "referent", "cli", REFERENT, "new", "presented"),
    ]


def test_refused_transition_changes_nothing(world):
    config, w, url = world
    assert cli(config, "referrals", "hire", str(w.r1), "--no-send").exit_code == 0
    before = audit_count(url)
    result = cli(config, "referrals", "review", str(w.r1), "--no-send")
    assert result.exit_code == 1
    assert result.stdout.strip() == (f"R{w.r1}: refused: cannot review a referral that is hired "
                                     "(allowed from: new, on_hold)")
    assert referral(url, w.r1).status == "hired" and audit_count(url) == before


def test_reject_needs_a_reason_from_the_list(world):
    config, w, url = world
    missing = cli(config, "referrals", "reject", str(w.r3), "--no-send")
    assert missing.exit_code == 2 and "--reason" in missing.stderr
    wrong = cli(config, "referrals", "reject", str(w.r3), "--reason", "too_old", "--no-send")
    assert wrong.exit_code == 2 and "position_filled" in wrong.stderr
    assert referral(url, w.r3).status == "new" and audit_count(url) == 0

    done = cli(config, "referrals", "reject", f"R{w.r3}", "--reason", "NOT_MOBILE",
               "--comment", "Pas de permis, chantier à 40 km", "--no-send")
    assert done.exit_code == 0, done.output
    assert done.stdout.strip() == f"R{w.r3}: new -> not_hired (not_mobile)"
    row = referral(url, w.r3)
    assert (row.status, row.refusal_reason, row.comment) == (
        "not_hired", "not_mobile", "Pas de permis, chantier à 40 km")
    event = rows(url, AuditEvent, AuditEvent.referral_id == w.r3)[0]
    assert (event.action, event.reason, event.comment) == (
        "reject", "not_mobile", "Pas de permis, chantier à 40 km")


def test_hire_terms_default_from_the_offer_and_fill_it(world):
    config, w, url = world
    first = cli(config, "referrals", "hire", f"R{w.r1}", "--start", "01/03/2027", "--hours",
                "24,5h", "--no-send")
    assert first.exit_code == 0, first.output
    assert first.stdout.strip() == (f"R{w.r1}: new -> hired "
                                    "(CDD, from 2027-03-01, 6 mois, 24.5 h/week)")
    row = referral(url, w.r1)
    assert (row.contract_type, str(row.contract_start), row.contract_duration,
            row.weekly_hours) == ("CDD", "2027-03-01", "6 mois", 24.5)
    second = cli(config, "referrals", "hire", str(w.r2), "--contract", "CDI", "--no-send")
    assert second.exit_code == 0
    assert rows(url, Offer, Offer.ref == w.offer_a)[0].status == "filled"
    audit = json.loads(cli(config, "audit", "--offer", w.offer_a, "--json").stdout)
    assert [e["action"] for e in audit] == ["hire", "hire", "offer_filled"]


def test_bad_hire_terms_refused_before_anything(world):
    config, w, url = world
    result = cli(config, "referrals", "hire", str(w.r1), "--start", "2027-13-01", "--no-send")
    assert result.exit_code == 2 and "not a date" in result.stderr
    ends_first = cli(config, "referrals", "hire", str(w.r1), "--end", "2027-01-15", "--no-send")
    assert ends_first.exit_code == 1
    assert "the contract ends before it starts" in ends_first.stdout
    row = referral(url, w.r1)
    assert (row.status, row.contract_type, row.contract_end) == ("new", None, None)
    assert audit_count(url) == 0


def test_one_refused_id_keeps_the_others(world):
    config, w, url = world
    cli(config, "referrals", "hire", str(w.r1), "--no-send")
    result = cli(config, "referrals", "hold", str(w.r1), str(w.r3), "--comment", "plus tard",
                 "--no-send")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[1] == f"R{w.r3}: new -> on_hold"
    assert referral(url, w.r3).status == "on_hold" and referral(url, w.r1).status == "hired"


def test_undo_restores_the_previous_state(world):
    config, w, url = world
    cli(config, "referrals", "review", str(w.r2), "--no-send")
    cli(config, "referrals", "present", str(w.r2), "--no-send")
    cli(config, "referrals", "hire", str(w.r1), str(w.r2), "--hours", "30", "--no-send")
    assert rows(url, Offer, Offer.ref == w.offer_a)[0].status == "filled"

    undone = cli(config, "referrals", "undo", f"R{w.r2}", "--no-send")
    assert undone.exit_code == 0, undone.output
    assert undone.stdout.strip() == f"R{w.r2}: undone (hired -> presented)"
    row = referral(url, w.r2)
    assert (row.status, row.contract_type, row.weekly_hours) == ("presented", None, None)
    assert rows(url, Offer, Offer.ref == w.offer_a)[0].status == "open"

    # two undos of one referral in one call walk back two decisions
    twice = cli(config, "referrals", "undo", str(w.r2), str(w.r2), "--no-send")
    assert twice.stdout.splitlines() == [f"R{w.r2}: undone (presented -> under_review)",
                                         f"R{w.r2}: undone (under_review -> new)"]
    assert referral(url, w.r2).status == "new"
    nothing = cli(config, "referrals", "undo", str(w.r2), "--no-send")
    assert nothing.exit_code == 1 and "no decision to undo" in nothing.stdout
    actions = [e.action for e in rows(url, AuditEvent, AuditEvent.referral_id == w.r2)]
    assert actions == ["review", "present", "hire", "undo", "undo", "undo"]


# -- offers ---------------------------------------------------------------------------------

def test_offers_edit_is_audited_with_old_and_new_values(world):
    config, w, url = world
    result = cli(config, "offers", "edit", w.offer_a, "weekly_hours", "28", )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"offer {w.offer_a}: weekly_hours: 35.0 -> 28.0"
    dated = cli(config, "offers", "edit", w.offer_b, "recruitment_date", "2027-04-06")
    assert dated.stdout.strip() == f'offer {w.offer_b}: recruitment_date: null -> "2027-04-06"'
    events = json.loads(cli(config, "audit", "--json").stdout)
    assert [(e["action"], e["offer"], e["actor"], e["channel"], e["details"]) for e in events] == [
        ("offer_edit", w.offer_a, "referent", "cli",
         {"field": "weekly_hours", "old": 35.0, "new": 28.0}),
        ("offer_edit", w.offer_b, "referent", "cli",
         {"field": "recruitment_date", "old": None, "new": "2027-04-06"}),
    ]
    bad = cli(config, "offers", "edit", w.offer_a, "positions", "trois")
    assert bad.exit_code == 1 and "not a valid int" in bad.stderr
    unknown = cli(config, "offers", "edit", w.offer_a, "siret", "1")
    assert unknown.exit_code == 2
    assert rows(url, Offer, Offer.ref == w.offer_a)[0].positions == 2


def test_offers_close(world):
    config, w, url = world
    result = cli(config, "offers", "close", w.offer_b, "--reason", "chantier reporté",
                 "--no-send")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"offer {w.offer_b}: open -> closed"
    offer = rows(url, Offer, Offer.ref == w.offer_b)[0]
    assert offer.status == "closed" and offer.closed_at is not None
    event = json.loads(cli(config, "audit", "--offer", w.offer_b, "--json").stdout)[-1]
    assert (event["action"], event["reason"], event["from_state"], event["to_state"]) == (
        "offer_close", "chantier reporté", "open", "closed")
    again = cli(config, "offers", "close", w.offer_b, "--no-send")
    assert again.exit_code == 1 and "closed already" in again.stderr


# -- attach, candidates, audit --------------------------------------------------------------

def test_referrals_attach(world):
    config, w, url = world
    result = cli(config, "referrals", "attach", f"R{w.r5}", w.offer_b.lower())
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"R{w.r5}: attached to {w.offer_b}"
    row = referral(url, w.r5)
    assert row.flagged is False
    assert rows(url, Offer, Offer.id == row.offer_id)[0].ref == w.offer_b
    event = json.loads(cli(config, "audit", "--candidate", f"C{w.driss}", "--json").stdout)[0]
    assert (event["action"], event["referral"], event["offer"], event["actor"]) == (
        "referral_attach", w.r5, w.offer_b, "referent")
    # the same person is referred for offer A already (R1): attaching R4 there is refused
    taken = cli(config, "referrals", "attach", str(w.r4), w.offer_a)
    assert taken.exit_code == 1 and f"(R{w.r1})" in taken.stderr
    assert rows(url, Offer, Offer.id == referral(url, w.r4).offer_id)[0].ref == w.offer_b


def test_candidate_parcours_across_offers_and_partners(world):
    config, w, _ = world
    cli(config, "referrals", "hire", str(w.r1), "--no-send")
    cli(config, "referrals", "reject", str(w.r4), "--reason", "hired_elsewhere", "--no-send")
    result = cli(config, "candidates", "show", f"C{w.alice}", "--json")
    assert result.exit_code == 0, result.output
    history = json.loads(result.stdout)
    assert history["candidate"]["first_name"] == "Alice"
    assert [(r["id"], r["offer"], r["partner"], r["status"]) for r in history["referrals"]] == [
        (w.r1, w.offer_a, "Mission Locale Amiens", "hired"),
        (w.r4, w.offer_b, "Cap Emploi 80", "not_hired"),
    ]
    assert [(c["offer"], c["contract_type"], c["contract_start"]) for c in history["contracts"]] \
        == [(w.offer_a, "CDD", "2027-02-01")]
    assert [(d["action"], d["referral"], d["reason"]) for d in history["decisions"]] == [
        ("hire", w.r1, None), ("reject", w.r4, "hired_elsewhere")]

    table = runner.invoke(app, ["candidates", "show", str(w.alice), "--config", str(config)],
                          env={"COLUMNS": "200"})
    assert table.exit_code == 0
    assert w.offer_a in table.stdout and w.offer_b in table.stdout
    assert "Cap Emploi 80" in table.stdout and "hired_elsewhere" in table.stdout
    assert cli(config, "candidates", "show", "999").exit_code == 1


def test_audit_json_shape_and_table(world):
    config, w, _ = world
    cli(config, "referrals", "reject", str(w.r2), "--reason", "absent_interview", "--comment",
        "ne s'est pas présenté", "--no-send")
    events = json.loads(cli(config, "audit", "--offer", w.offer_a, "--json").stdout)
    assert len(events) == 1
    event = events[0]
    assert {"at", "actor", "channel", "action", "offer", "referral", "reason", "from_state",
            "to_state", "comment", "details"} <= set(event)
    assert (event["actor"], event["channel"], event["action"], event["offer"], event["referral"],
            event["reason"], event["comment"]) == (
        "referent", "cli", "reject", w.offer_a, w.r2, "absent_interview", "ne s'est pas présenté")
    assert json.loads(cli(config, "audit", "--offer", w.offer_b, "--json").stdout) == []
    table = runner.invoke(app, ["audit", "--config", str(config)], env={"COLUMNS": "200"})
    assert "new -> not_hired" in table.stdout and f"R{w.r2}" in table.stdout


# -- emails ---------------------------------------------------------------------------------

def test_decisions_send_after_commit(world):
    """With sending on, what the call queued is sent (here the relay is down: deferred)."""
    config, w, url = world
    result = cli(config, "referrals", "present", str(w.r1))
    assert result.exit_code == 0, result.output
    queued = rows(url, OutboxMessage)
    assert "rh@btp-picardie.fr" in {m.recipients[0] for m in queued}  # the presentation
    assert result.stdout.splitlines()[-1] == (
        f"emails: 0 sent, {len(queued)} deferred, 0 failed")
    assert all(m.status == "pending" and m.attempts == 1 for m in queued)


def test_feedback_send_unknown_partner(world):
    config, _, url = world
    result = cli(config, "feedback", "send", "--partner", "Nobody", "--no-send")
    assert result.exit_code == 1 and "no partner named 'Nobody'" in result.stderr
    assert rows(url, OutboxMessage) == []


def test_feedback_send_one_partner_names_only_its_candidates(world):
    config, w, url = world
    assert hasattr(notices, "queue_full_feedback"), "notices.queue_full_feedback is missing"
    cli(config, "referrals", "reject", str(w.r2), "--reason", "position_filled", "--no-send")
    before = {m.id for m in rows(url, OutboxMessage)}
    result = cli(config, "feedback", "send", "--partner", "Mission Locale Amiens", "--no-send")
    assert result.exit_code == 0, result.output
    new = [m for m in rows(url, OutboxMessage) if m.id not in before]
    assert result.stdout.strip() == f"Mission Locale Amiens: {len(new)} feedback email(s) queued"
    assert len(new) == 1
    partner = rows(url, Partner, Partner.name == "Mission Locale Amiens")[0]
    assert new[0].recipients == ["conseil@ml-amiens.fr"] and new[0].partner_id == partner.id
    text = _text_of(new[0].raw)
    assert "Alice" in text and "Chloé" in text
    assert "Bruno" not in text and "Petit" not in text  # Cap Emploi's candidate


def test_feedback_send_every_partner(world):
    config, w, url = world
    assert hasattr(notices, "queue_full_feedback"), "notices.queue_full_feedback is missing"
    result = cli(config, "feedback", "send", "--no-send")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["Mission Locale Amiens: 1 feedback email(s) queued",
                                          "Cap Emploi 80: 1 feedback email(s) queued"]
    by_address = {m.recipients[0]: _text_of(m.raw) for m in rows(url, OutboxMessage)}
    assert set(by_address) == {"conseil@ml-amiens.fr", "cap@capemploi80.fr"}
    assert "Chloé" in by_address["conseil@ml-amiens.fr"]
    assert "Bruno" not in by_address["conseil@ml-amiens.fr"]
    assert "Bruno" in by_address["cap@capemploi80.fr"]
    assert "Chloé" not in by_address["cap@capemploi80.fr"]


def _text_of(raw: bytes) -> str:
    message = email.message_from_bytes(raw, policy=email.policy.default)
    return "\n".join(part.get_content() for part in message.walk()
                     if part.get_content_maintype() == "text")
