"""Eligibility as a partner states it in a referral email: the reader (phrasings, several
candidates, the référent's copy of the rules), through parse_email, and `referrals eligibility`."""

from __future__ import annotations

import io
import json
from email.message import EmailMessage
from pathlib import Path

import docx
import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine
from mailbot.domain.models import AuditEvent, OutboxMessage, Referral
from mailbot.parse import parse_email
from mailbot.parse.eligibility import add_eligibility, load_eligibility_rules, read_line
from mailbot.resources import rules_dir, use_rules_dir
from tests.helpers.decisions_data import fill_world, write_config


@pytest.mark.parametrize(("line", "codes"), [
    ("Public : RSA", ["rsa"]),
    ("Public : DELD, QPV", ["deld", "qpv"]),
    ("Éligibilité : jeune -26 ans", ["young"]),
    ("ELIGIBILITE: jeune de moins de 26 ans", ["young"]),
    ("Public cible : BRSA et résident QPV", ["rsa", "qpv"]),
    ("Critères d'éligibilité du candidat : SIAE/EPIDE/E2C", ["siae"]),
    ("Public éligible : demandeur d'emploi de longue durée + RQTH", ["deld", "rqth"]),
    ("- Public : travailleur handicapé ; bénéficiaire des minima sociaux", ["rsa", "rqth"]),
    ("Public : ancien détenu", ["other"]),
    ("M. Karim BENALI – Public : RSA – Tél : 06 12 34 56 78", ["rsa"]),
    ("Public : RQTH, tél : 06 12 34 56 78", ["rqth"]),
])
def test_phrasings(line, codes):
    assert [c.value for c in read_line(line, load_eligibility_rules())] == codes


@pytest.mark.parametrize("line", [
    "Bonjour,", "Objet : candidature public", "Situation familiale : mariée",
    "Je vous propose un candidat bénéficiaire du RSA",  # no label: not read
])
def test_lines_that_state_nothing(line):
    assert read_line(line, load_eligibility_rules()) is None


def test_single_candidate_gets_every_statement_and_a_list_below_a_label():
    body = "Bonjour,\nVoici Karim pour le poste.\nÉligibilité :\n- DELD\n- QPV\nPublic : RSA\n"
    people = [{"first_name": None, "last_name": None}]
    add_eligibility(body, people)
    assert people[0]["eligibility"] == ["deld", "rsa", "qpv"]


def test_several_candidates_each_their_own_lines():
    body = ("Bonjour,\nJe vous propose trois personnes.\n"
            "1) Karim BENALI (CV joint)\n   Public : RSA, QPV\n"
            "2) Julie MARTIN – Éligibilité : jeune -26 ans\n"
            "3) Paul ROUX\n   Disponible de suite.\n")
    people = [{"first_name": "Karim", "last_name": "BENALI"},
              {"first_name": "Julie", "last_name": "MARTIN"},
              {"first_name": "Paul", "last_name": "ROUX"}]
    add_eligibility(body, people)
    assert [p.get("eligibility") for p in people] == [["rsa", "qpv"], ["young"], None]


def test_a_line_above_every_name_counts_for_all():
    body = "Public : QPV pour les deux.\nM. Karim BENALI\nPublic : RQTH\nMme Julie MARTIN\n"
    people = [{"first_name": "Karim", "last_name": "BENALI"},
              {"first_name": "Julie", "last_name": "MARTIN"}]
    add_eligibility(body, people)
    assert [p["eligibility"] for p in people] == [["rqth", "qpv"], ["qpv"]]


def test_the_referents_copy_of_the_rules_is_read_after_it_changes(tmp_path):
    shipped = (rules_dir() / "eligibility.toml").read_text(encoding="utf-8")
    (tmp_path / "eligibility.toml").write_text(shipped, encoding="utf-8")
    line = "Statut administratif : RSA"
    try:
        use_rules_dir(tmp_path)
        assert read_line(line, load_eligibility_rules()) is None
        edited = shipped.replace('words = [\n', 'words = [\n  "Statut administratif",\n', 1)
        (tmp_path / "eligibility.toml").write_text(edited, encoding="utf-8")
        assert read_line(line, load_eligibility_rules()) == ["rsa"]
    finally:
        use_rules_dir(None)


def _cv(name: str) -> bytes:
    document = docx.Document()
    for line in (name, "Expériences", "Maçon", "Formation", "CAP"):
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def referral_email(body: str, names: list[str], ref: str = "CS-2027-0001",
                   sender: str = "conseil@ml-amiens.fr") -> bytes:
    """A partner's referral: `body`, one DOCX CV per name."""
    msg = EmailMessage()
    msg["From"] = f"Conseillère ML <{sender}>"
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = f"Candidatures [{ref}]"
    msg["Message-ID"] = f"<elig-{abs(hash(body))}@ml-amiens.fr>"
    msg.set_content(body)
    for name in names:
        msg.add_attachment(_cv(name), maintype="application",
                           subtype="vnd.openxmlformats-officedocument.wordprocessingml.document",
                           filename=f"CV {name}.docx")
    return msg.as_bytes()


def test_parse_email_gives_each_candidate_its_eligibility():
    raw = referral_email("Bonjour,\nKarim BENALI : Public : DELD\nLucie FONTAINE\n"
                         "Public : RQTH\n\nCordialement,\nSophie\n",
                         ["Karim BENALI", "Lucie FONTAINE"])
    got = parse_email(raw, own_addresses=["clauses.amiens@exemple-emploi.fr"])
    assert [(c["last_name"].upper(), c.get("eligibility")) for c in got["candidates"]] == [
        ("BENALI", ["deld"]), ("FONTAINE", ["rqth"])]


runner = CliRunner()


def cli(config: Path, *args: str):
    result = runner.invoke(app, [*args, "--config", str(config)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_referent_sets_and_clears_eligibility_audited_no_email(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    world = fill_world(url)
    config = write_config(tmp_path / "config.toml", url)
    done = cli(config, "referrals", "eligibility", f"R{world.r1}", "qpv", "RSA")
    assert done.exit_code == 0, done.output
    assert "rsa, qpv" in done.stdout
    assert cli(config, "referrals", "eligibility", str(world.r1), "martian").exit_code == 1
    assert cli(config, "referrals", "eligibility", str(world.r1)).exit_code == 2
    listed = json.loads(cli(config, "referrals", "list", "--json").stdout)
    assert listed[0]["eligibility"] == ["rsa", "qpv"] and listed[1]["eligibility"] == []
    shown = json.loads(cli(config, "candidates", "show", str(world.alice), "--json").stdout)
    assert shown["referrals"][0]["eligibility"] == ["rsa", "qpv"]
    assert cli(config, "referrals", "eligibility", str(world.r1), "--clear").exit_code == 0
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.get(Referral, world.r1).eligibility == []
        assert session.get(Referral, world.r1).status == "new"
        events = session.exec(select(AuditEvent).where(
            AuditEvent.action == "referral_eligibility")).all()
        assert [(e.referral_id, e.details) for e in events] == [
            (world.r1, {"old": [], "new": ["rsa", "qpv"]}),
            (world.r1, {"old": ["rsa", "qpv"], "new": []})]
        assert all(e.channel == "cli" and e.actor == "referent" for e in events)
        assert session.exec(select(OutboxMessage)).all() == []
    engine.dispose()
