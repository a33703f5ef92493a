"""The référent teaches the parser: `labels add` into a temporary rules_dir (copy, comments kept,
one field per wording, errors), `labels unknown` (grouping, order, known ones left out), and the
end to end story through the real pipeline (`mailbot ingest`, SQLite): an unknown wording is
flagged and listed, taught, and `reparse` reads it into the offer as a revision, sending nothing."""

from __future__ import annotations

import json
import tomllib
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlmodel import Session, func, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import (
    AuditEvent,
    InboundMessage,
    LabelSighting,
    Offer,
    OfferRevision,
    OutboxMessage,
)
from mailbot.parse.labels import LabelRules, load_rules
from mailbot.resources import rules_dir, use_rules_dir
from mailbot.teaching import TeachingError, add_label, unknown_labels

runner = CliRunner()


@pytest.fixture(autouse=True)
def _shipped_rules_after():
    yield
    use_rules_dir(None)  # the pipeline points the rules at a test's rules_dir: never leak it


def _rules(path: Path) -> LabelRules:
    return LabelRules(tomllib.loads(path.read_text(encoding="utf-8")))


# -- labels add ------------------------------------------------------------------------------

def test_add_copies_the_shipped_file_keeps_comments_and_teaches(tmp_path):
    folder = tmp_path / "rules"
    path, written = add_label(folder, "Au quotidien", "job.main_activities")
    assert written and path == folder / "labels.toml"
    shipped = (rules_dir() / "labels.toml").read_text(encoding="utf-8").splitlines()
    edited = path.read_text(encoding="utf-8").splitlines()
    assert [line for line in edited if line not in shipped] == ['  "Au quotidien",']
    assert len(edited) == len(shipped) + 1  # every comment and line kept
    assert _rules(path).match("AU QUOTIDIEN :").key == "job.main_activities"
    assert add_label(folder, "au quotidien", "job.main_activities") == (path, False)
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(edited)


def test_add_to_an_inline_list_a_missing_list_and_a_quote(tmp_path):
    (tmp_path / "labels.toml").write_text(
        '# mine\n[company]\nlegal_name = ["Raison sociale"] # inline\n[job]\n'
        'title = [\n  "Poste",\n  # a comment ]\n]\n', encoding="utf-8")
    add_label(tmp_path, 'Nom "commercial" du groupe', "company.legal_name")
    add_label(tmp_path, "Compétences clés", "job.required_skills")
    add_label(tmp_path, "Emploi visé", "job.title")
    text = (tmp_path / "labels.toml").read_text(encoding="utf-8")
    assert text.startswith("# mine\n") and "# inline" in text and "# a comment ]" in text
    data = tomllib.loads(text)
    assert data["company"]["legal_name"] == ["Raison sociale", 'Nom "commercial" du groupe']
    assert data["job"]["required_skills"] == ["Compétences clés"]
    assert data["job"]["title"] == ["Poste", "Emploi visé"]


def test_add_refuses_what_it_cannot_do(tmp_path):
    with pytest.raises(TeachingError, match=r"\[paths\] rules_dir"):
        add_label(None, "Au quotidien", "job.main_activities")
    with pytest.raises(TeachingError, match="unknown field 'job.tasks'"):
        add_label(tmp_path, "Au quotidien", "job.tasks")
    with pytest.raises(TeachingError, match="known already as company.legal_name"):
        add_label(tmp_path, "RAISON SOCIALE", "job.title")
    with pytest.raises(TeachingError, match="no word"):
        add_label(tmp_path, " : ", "job.title")
    before = (tmp_path / "labels.toml").read_text(encoding="utf-8")
    assert before == (rules_dir() / "labels.toml").read_text(encoding="utf-8")  # nothing added


def test_cli_add_names_the_missing_rules_dir(tmp_path):
    config = _config(tmp_path, rules=None)
    result = runner.invoke(app, ["labels", "add", "Au quotidien", "job.main_activities",
                                 "--config", str(config)])
    assert result.exit_code == 1 and "[paths] rules_dir" in result.stderr


# -- labels unknown ----------------------------------------------------------------------------

def test_unknown_groups_orders_and_leaves_known_ones_out(tmp_path):
    url = f"sqlite:///{tmp_path / 'db.sqlite'}"
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as session:
        for wording, inbound in [("Au quotidien", None), ("AU QUOTIDIEN :", None),
                                 ("Ce que vous ferez", None), ("Raison sociale", None),
                                 ("au quotidien", None)]:
            session.add(LabelSighting(wording=wording, inbound_id=inbound))
    listed = unknown_labels(engine)
    assert [(g["wording"], g["count"]) for g in listed] == [("Au quotidien", 3),
                                                            ("Ce que vous ferez", 1)]
    rules_copy = tmp_path / "rules"
    add_label(rules_copy, "Au quotidien", "job.main_activities")
    use_rules_dir(rules_copy)
    assert [g["wording"] for g in unknown_labels(engine)] == ["Ce que vous ferez"]
    engine.dispose()


# -- end to end ----------------------------------------------------------------------------------

FORM_BODY = """Bonjour,

Voici notre besoin pour le chantier de la médiathèque.

Raison sociale : Charpentes du Ponthieu
SIRET : 876 726 993 00044
Courriel : rh@charpentes-ponthieu.fr
Téléphone : 03 22 24 00 00
Intitulé du poste : Charpentier
Nombre de postes : 2
Date de recrutement : 01/03/2027
En pratique : Pose de fermettes et de liteaux sur chantiers de maisons individuelles
Type de contrat : CDD
Durée du contrat : 6 mois
Lieu de travail : Abbeville

Cordialement,
Julie Caron
"""


def _config(tmp_path: Path, rules: Path | None) -> Path:
    path = tmp_path / "config.toml"
    paths = f'[paths]\nrules_dir = "{rules}"\n' if rules else ""
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'db.sqlite'}"
[smtp]
host = "127.0.0.1"
port = 1
security = "none"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "referente@exemple-emploi.fr"
{paths}
[[partners]]
name = "Mission Locale"
emails = ["ml@exemple-ml.fr"]
""", encoding="utf-8")
    return path


def _form_email(path: Path) -> Path:
    msg = EmailMessage()
    msg["From"] = "Julie Caron <rh@charpentes-ponthieu.fr>"
    msg["To"] = "clauses.amiens@exemple-emploi.fr"
    msg["Subject"] = "Formulaire de liaison - Charpentier"
    msg["Message-ID"] = "<form-en-pratique@charpentes-ponthieu.fr>"
    msg.set_content(FORM_BODY)
    path.write_bytes(msg.as_bytes())
    return path


def test_a_wording_taught_is_read_by_reparse_and_nothing_is_sent(tmp_path):
    shipped = (rules_dir() / "labels.toml").read_bytes()
    (tmp_path / "my-rules").mkdir()  # the référent's folder, empty: labels.toml is copied in
    config = _config(tmp_path, tmp_path / "my-rules")

    def cli(*args: str):
        result = runner.invoke(app, [*args, "--config", str(config)])
        assert result.exit_code == 0, (args, result.output, result.stderr)
        return result

    cli("ingest", "--no-send", str(_form_email(tmp_path / "form.eml")))
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    with Session(engine) as session:
        entry = session.exec(select(InboundMessage)).one()
        offer = session.exec(select(Offer)).one()
        emails_before = session.exec(select(func.count()).select_from(OutboxMessage)).one()
    assert offer.main_activities is None
    assert "« En pratique »" in (entry.reason or "")  # flagged for the référent
    assert emails_before >= 1  # the acknowledgement (and broadcast) of the first reading

    unknown = json.loads(cli("labels", "unknown", "--json").stdout)
    assert unknown == [{"wording": "En pratique", "count": 1, "offers": [offer.ref],
                        "messages": [entry.id], "last_seen": unknown[0]["last_seen"]}]
    table = cli("labels", "unknown").stdout
    assert "En pratique" in table and offer.ref in table

    added = cli("labels", "add", "En pratique", "job.main_activities")
    assert "added to" in added.stdout
    assert (tmp_path / "my-rules" / "labels.toml").is_file()
    assert json.loads(cli("labels", "unknown", "--json").stdout) == []

    reparsed = cli("reparse", str(entry.id))
    assert f"{offer.ref}: version 2 (main_activities)" in reparsed.stdout
    with Session(engine) as session:
        after = session.get(Offer, offer.id)
        assert after.main_activities == ("Pose de fermettes et de liteaux sur chantiers de "
                                          "maisons individuelles")
        assert after.status == offer.status and after.version == 2
        revision = session.exec(select(OfferRevision).where(
            OfferRevision.offer_id == offer.id, OfferRevision.version == 2)).one()
        assert revision.source == "reparse" and revision.inbound_id == entry.id
        assert revision.changes["main_activities"][0] is None
        assert session.exec(select(func.count()).select_from(OutboxMessage)).one() == emails_before
        actions = [e.action for e in session.exec(select(AuditEvent).where(
            AuditEvent.offer_id == offer.id))]
        assert "offer_revise" in actions and "reparse" in actions
    assert "unchanged" in cli("reparse", str(entry.id)).stdout  # a second re-read changes nothing
    engine.dispose()
    assert (rules_dir() / "labels.toml").read_bytes() == shipped  # no code or shipped rule changed
    assert load_rules(rules_dir() / "labels.toml").match("En pratique") is None


def test_reparse_refuses_what_is_not_a_handled_form(tmp_path):
    config = _config(tmp_path, None)
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    migrate(engine)
    engine.dispose()
    result = runner.invoke(app, ["reparse", "999", "--config", str(config)])
    assert result.exit_code == 1 and "no message 999" in result.stderr
