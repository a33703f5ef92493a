"""`mailbot ingest`, `init`, `offers list`, `messages list` through the real CLI, no servers."""

import json
import mailbox
import subprocess
import sys
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples" / "emails"


def run(*args):
    return subprocess.run([sys.executable, "-m", "mailbot", *args], capture_output=True, text=True,
                          timeout=300)


def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f"""
[database]
url = "sqlite:///{tmp_path / 'db.sqlite'}"
[smtp]
host = "127.0.0.1"
port = 1
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "ref@exemple-emploi.fr"
[[partners]]
name = "ML"
emails = ["ml@exemple-ml.fr"]
""")
    return path


def test_ingest_files_and_maildir(tmp_path):
    cfg = config(tmp_path)
    assert run("init", "--config", str(cfg)).returncode == 0
    maildir = mailbox.Maildir(tmp_path / "md", create=True)
    maildir.add((SAMPLES / "e05_docx_octet_stream.eml").read_bytes())
    maildir.add((SAMPLES / "e12_newsletter.eml").read_bytes())
    result = run("ingest", "--no-send", "--config", str(cfg),
                 str(SAMPLES / "e01_company_pdf_form.eml"), str(SAMPLES / "e10_auto_reply_rfc3834.eml"),
                 str(tmp_path / "md"))
    assert result.returncode == 0, result.stderr
    assert "4 new message(s), 4 handled" in result.stdout
    offers = json.loads(run("offers", "list", "--json", "--config", str(cfg)).stdout)
    assert len(offers) == 2
    for offer in offers:
        assert set(offer) >= {"ref", "company", "title", "positions", "status", "referrals"}
        assert offer["status"] == "open" and offer["referrals"] == 0
    messages = json.loads(run("messages", "list", "--json", "--config", str(cfg)).stdout)
    kinds = sorted(m["kind"] for m in messages)
    assert kinds == ["auto_reply", "liaison_form", "liaison_form", "unknown"]
    flagged = json.loads(run("messages", "list", "--flagged", "--json", "--config", str(cfg)).stdout)
    assert [m["kind"] for m in flagged] == ["unknown"]
    # the same files again: nothing new
    again = run("ingest", "--no-send", "--config", str(cfg),
                str(SAMPLES / "e01_company_pdf_form.eml"), str(tmp_path / "md"))
    assert again.returncode == 0 and "0 new message(s)" in again.stdout
    assert len(json.loads(run("offers", "list", "--json", "--config", str(cfg)).stdout)) == 2


def test_ingest_reports_a_missing_path(tmp_path):
    result = run("ingest", "--no-send", "--config", str(config(tmp_path)), str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "no such file" in result.stderr


def test_bad_config_is_a_one_line_error(tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('[smtp]\nhost = "h"\nfrom_address = "a@b.fr"\ncolour = "red"\n'
                   '[people]\nreferent="r@b.fr"\n')
    result = run("offers", "list", "--config", str(cfg))
    assert result.returncode == 1
    assert "unknown key [smtp] colour" in result.stderr
    assert "Traceback" not in result.stderr


def test_unrecognised_labels_are_flagged_for_the_referent(tmp_path):
    cfg = config(tmp_path)
    body = (
        "Bonjour,\n\nRaison sociale : Menuiserie Vasseur SARL\nSIRET : 732 829 320 00074\n"
        "Code APE retenu : 4332A\nAdresse : 12 rue des Forges 80000 Amiens\n"
        "Contact : Mme Vasseur\nTéléphone : 06 12 34 56 78\nCourriel : rh@vasseur.example\n"
        "Intitulé du poste : Menuisier poseur\nNombre de postes : 1\n"
        "Type de contrat : CDI\nDurée hebdomadaire : 35 h\n\nCordialement\n"
    )
    eml = tmp_path / "form.eml"
    eml.write_text(
        "From: Mme Vasseur <rh@vasseur.example>\nTo: clauses.amiens@exemple-emploi.fr\n"
        "Subject: Besoin menuisier\nMessage-ID: <f1@vasseur.example>\n"
        "Content-Type: text/plain; charset=utf-8\n\n" + body, encoding="utf-8")
    assert run("ingest", "--no-send", "--config", str(cfg), str(eml)).returncode == 0
    flagged = json.loads(run("messages", "list", "--flagged", "--json", "--config", str(cfg)).stdout)
    assert len(flagged) == 1 and "labels not recognised" in flagged[0]["reason"]
    assert "« Code APE retenu »" in flagged[0]["reason"]
