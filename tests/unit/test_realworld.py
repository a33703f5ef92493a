"""Real mail and documents from third-party corpora (tests/fixtures/realworld/, licences and
sources beside them): sisimai's delivery reports, auto-replies, ARF/DMARC reports, blank CERFA
forms. Also what a form needs to be one (evidence), "please resend" only for plausible forms,
DOCX found through its relationships, and PDF-library warnings kept off stderr.

The corpus run is benchmarks/realworld.py's (the same figures); it takes about 30 s.
"""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
import zipfile
from email.message import EmailMessage
from pathlib import Path
from types import SimpleNamespace

import docx
import pytest

from mailbot.handlers import ignored
from mailbot.parse.email import parse_email

ROOT = Path(__file__).resolve().parents[2]
REALWORLD = ROOT / "tests" / "fixtures" / "realworld"
MAILBOT = [sys.executable, "-m", "mailbot"]


def _benchmark():
    spec = importlib.util.spec_from_file_location("realworld_bench", ROOT / "benchmarks" / "realworld.py")
    module = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def figures():
    return _benchmark().run()


def test_sisimai_bounces_come_out_bounce(figures):
    bounced = figures.groups["sisimai bsd: bounced"]
    assert bounced.total == 602  # sisimai's own "bounced" class, every file
    assert bounced.share >= 0.98, figures.report()


def test_reports_are_automated_unknown_and_receipts_auto_replies(figures):
    for group in ("sisimai bsd: feedback", "parsedmarc DMARC/ARF/TLS reports",
                  "sisimai bsd: vacation", "sisimai bsd: delivered",
                  "BounceParser auto-replies: automated"):
        tally = figures.groups[group]
        assert tally.total and tally.ok == tally.total, (group, tally.misses)
    assert figures.groups["BounceParser auto-replies: auto_reply"].ok >= 4


def test_no_form_cv_or_referral_claimed_on_any_file(figures):
    assert not figures.claims, figures.claims
    assert figures.groups["CERFA PDFs (mailbot parse FILE)"].total == 6
    assert figures.groups["CERFA PDFs attached to an email"].ok == 12


def test_newborn_certificate_through_the_cli_no_form_and_quiet_stderr():
    pdf = REALWORLD / "cerfa" / "cerfaparse" / "sample-cerfa.pdf"
    done = subprocess.run([*MAILBOT, "parse", str(pdf), "--json"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # pypdf's "Ignoring wrong pointing object" goes to the log
    result = json.loads(done.stdout)
    assert result["kind"] == "unknown" and not result.get("forms")


def test_feedback_and_dmarc_reports_are_not_flagged():
    flags: list[str] = []
    for name in ("failure-linkedin.eml", "aggregate-google.eml"):
        parsed = parse_email((REALWORLD / "parsedmarc" / name).read_bytes())
        assert (parsed["kind"], parsed["auto"]) == ("unknown", True)
        ignored.handle_unknown(SimpleNamespace(parsed=parsed, flag=flags.append))
    assert flags == []
    ignored.handle_unknown(SimpleNamespace(parsed={"kind": "unknown", "auto": False},
                                           flag=flags.append))
    ignored.handle_unknown(SimpleNamespace(parsed={"kind": "unknown", "auto": True,
                                                   "rule": "bulk"}, flag=flags.append))
    assert len(flags) == 2  # a person's unknown mail and a newsletter are still shown


def _mail(subject: str, body: str = "Bonjour,\n\nCi-joint.\n", pdf: bytes | None = None,
          sender: str = "jean.martin@entreprise.example.fr", in_reply_to: str | None = None):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = "clauses@agence.example.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = "<m1@entreprise.example.fr>"
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    msg.set_content(body)
    if pdf is not None:
        msg.add_attachment(pdf, maintype="application", subtype="pdf", filename="test.pdf")
    return msg.as_bytes()


TRUNCATED = (REALWORLD / "cerfa" / "cerfaparse" / "sample-cerfa.pdf").read_bytes()[:4000]


def test_damaged_pdf_in_a_test_mail_is_unknown():
    parsed = parse_email(_mail("testing", "test", TRUNCATED))
    assert parsed["kind"] == "unknown"


@pytest.mark.parametrize("how", ["words", "reply_to_us", "known_sender"])
def test_damaged_pdf_of_a_plausible_form_asks_again(how):
    subject = "Formulaire de liaison" if how == "words" else "testing"
    raw = _mail(subject, "test", TRUNCATED, in_reply_to="<ours@agence.example.fr>")
    parsed = parse_email(
        raw,
        is_our_message_id=lambda ids: how == "reply_to_us",
        is_known_sender=lambda address: how == "known_sender"
        and address == "jean.martin@entreprise.example.fr",
    )
    assert (parsed["kind"], parsed["rule"], parsed["forms"]) == (
        "liaison_form", "unreadable_document", [])


SCATTERED = ("Raison sociale :\nSIRET :\nAdresse :\nContact :\nTéléphone :\n"
             "Intitulé du poste : Maçon\nNombre de postes : 2\nType de contrat : CDD\n"
             "Durée du contrat :\nDate de démarrage :\n")


def test_scattered_labels_are_not_a_form_but_a_reply_naming_an_offer_is_read():
    alone = parse_email(_mail("Maçon", SCATTERED))
    assert alone["kind"] != "liaison_form"
    reply = parse_email(_mail("Re: [CS-2026-0007] Maçon", SCATTERED,
                              in_reply_to="<ours@agence.example.fr>"),
                        is_our_message_id=lambda ids: True)
    assert reply["kind"] == "liaison_form"
    assert reply["forms"][0]["job"]["title"] == "Maçon"
    assert reply["forms"][0]["conditions"]["contract_type"] == "CDD"


def test_docx_main_part_found_through_relationships(tmp_path):
    document = docx.Document()
    for line in ("Fiche de liaison clause sociale", "Raison sociale : Bâtiments du Sud",
                 "SIRET : 73282932000074", "Intitulé du poste : Maçon", "Nombre de postes : 2",
                 "Type de contrat : CDD", "Activités principales : maçonnerie, coffrage"):
        document.add_paragraph(line)
    plain = io.BytesIO()
    document.save(plain)
    moved = io.BytesIO()
    renames = {"word/document.xml": "word/main.xml",
               "word/_rels/document.xml.rels": "word/_rels/main.xml.rels"}
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(moved, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename in ("_rels/.rels", "[Content_Types].xml"):
                data = data.replace(b"word/document.xml", b"word/main.xml")
            target.writestr(renames.get(info.filename, info.filename), data)
    path = tmp_path / "fiche.docx"
    path.write_bytes(moved.getvalue())
    assert "word/document.xml" not in zipfile.ZipFile(path).namelist()
    done = subprocess.run([*MAILBOT, "parse", str(path), "--json"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["kind"] == "liaison_form"
    assert result["forms"][0]["company"]["legal_name"] == "Bâtiments du Sud"
    assert result["forms"][0]["job"]["title"] == "Maçon"


def test_a_spreadsheet_package_is_not_a_word_document(tmp_path):
    path = tmp_path / "tableau.docx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("[Content_Types].xml", (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.spreadsheetml.sheet.main+xml"/></Types>'))
        package.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        package.writestr("xl/workbook.xml", "<workbook/>")
    done = subprocess.run([*MAILBOT, "parse", str(path), "--json"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 2
    assert "not a PDF or DOCX document" in done.stderr
