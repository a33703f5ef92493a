"""The référent's main decision path through the CLI on PostgreSQL, emails sent to a real SMTP
server: present, hire, reject, a refused transition, undo, then the audit and the parcours."""

from __future__ import annotations

import json
from pathlib import Path

from sqlmodel import Session, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine
from mailbot.domain.models import AuditEvent, Offer, Referral
from tests.helpers.decisions_data import fill_world, write_config

runner = CliRunner()


def _states(url: str) -> dict[int, str]:
    engine = make_engine(url)
    with Session(engine) as session:
        found = {r.id: r.status for r in session.exec(select(Referral))}
    engine.dispose()
    return found


def test_decision_path_on_postgresql(postgres_db_url: str, smtp_server, tmp_path: Path):
    world = fill_world(postgres_db_url)
    config = write_config(tmp_path / "config.toml", postgres_db_url, smtp_port=smtp_server.port)

    def cli(*args: str):
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            result.exception
        return result

    presented = cli("referrals", "present", f"R{world.r1}", f"R{world.r2}", f"R{world.r3}")
    assert presented.exit_code == 0, presented.output
    assert presented.stdout.splitlines()[:3] == [f"R{r}: new -> presented"
                                                 for r in (world.r1, world.r2, world.r3)]
    sent = smtp_server.messages
    assert presented.stdout.splitlines()[-1] == f"emails: {len(sent)} sent, 0 deferred, 0 failed"
    company = [m for m in sent if m.rcpt_tos == ["rh@btp-picardie.fr"]]
    assert len(company) == 1  # one presentation for the offer, three candidates in it
    partners = sorted(tuple(m.rcpt_tos) for m in sent if m not in company)
    assert partners == [("cap@capemploi80.fr",), ("conseil@ml-amiens.fr",)]

    hired = cli("referrals", "hire", str(world.r1), "--start", "2027-02-15", "--hours", "35")
    assert hired.exit_code == 0, hired.output
    rejected = cli("referrals", "reject", str(world.r2), str(world.r1), "--reason",
                   "position_filled", "--comment", "profil à revoir en juin")
    assert rejected.exit_code == 1
    assert rejected.stdout.splitlines()[:2] == [
        f"R{world.r2}: presented -> not_hired (position_filled)",
        f"R{world.r1}: refused: cannot reject a referral that is hired "
        "(allowed from: new, on_hold, presented, under_review)"]
    hired_too = cli("referrals", "hire", str(world.r3), "--no-send")
    assert hired_too.exit_code == 0
    engine = make_engine(postgres_db_url)
    with Session(engine) as session:
        assert session.exec(select(Offer.status).where(Offer.ref == world.offer_a)).one() == \
            "filled"
    undone = cli("referrals", "undo", str(world.r3), "--no-send")
    assert undone.stdout.splitlines()[0] == f"R{world.r3}: undone (hired -> presented)"
    with Session(engine) as session:
        assert session.exec(select(Offer.status).where(Offer.ref == world.offer_a)).one() == "open"
        decisions = session.exec(select(AuditEvent).where(AuditEvent.referral_id.is_not(None))
                                 .order_by(AuditEvent.id)).all()
    engine.dispose()
    assert _states(postgres_db_url)[world.r3] == "presented"
    assert {(e.actor, e.channel) for e in decisions} == {("referent", "cli")}

    audit = json.loads(cli("audit", "--offer", world.offer_a, "--json").stdout)
    assert [(e["action"], e["referral"], e["from_state"], e["to_state"]) for e in audit] == [
        ("present", world.r1, "new", "presented"),
        ("present", world.r2, "new", "presented"),
        ("present", world.r3, "new", "presented"),
        ("hire", world.r1, "presented", "hired"),
        ("reject", world.r2, "presented", "not_hired"),
        ("hire", world.r3, "presented", "hired"),
        ("offer_filled", None, "open", "filled"),
        ("undo", world.r3, "hired", "presented"),
        ("offer_reopen", None, "filled", "open"),
    ]
    assert audit[4]["reason"] == "position_filled"
    assert audit[4]["comment"] == "profil à revoir en juin"

    listed = json.loads(cli("referrals", "list", "--offer", world.offer_a, "--json").stdout)
    assert [(r["id"], r["status"]) for r in listed] == [
        (world.r1, "hired"), (world.r2, "not_hired"), (world.r3, "presented")]
    parcours = json.loads(cli("candidates", "show", str(world.alice), "--json").stdout)
    assert [(r["offer"], r["status"]) for r in parcours["referrals"]] == [
        (world.offer_a, "hired"), (world.offer_b, "new")]
    assert parcours["contracts"][0]["contract_start"] == "2027-02-15"
