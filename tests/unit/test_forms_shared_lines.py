"""Two fields on one line, labels and answers in one cell, labels wrapped with their brackets,
through the real `mailbot parse FILE --json`.

Classes seen in forms written by other people: 'N° SIRET : …<TAB><TAB>Tél. (portable) : …';
a question and its answer before a second label on the line; 'N° d'établissement (SIRET)' (the
bracketed word decides); a SIRET written '501 526 107 / 00088'; numbered questions '7/ Poste : …'
with 'Offre A' jobs; a DOCX cell holding 'Question ? answer' or 'Label :' and its list; a label
broken before its bracket closes ('Contraintes (permis, port de' / 'charges…) : …'); a bulleted
question ('- Quand le poste démarre-t-il ? …'); 'Emploi 2 sur 3'; a list item whose first word
opens sections ('Présentation soignée'); a running footer under a signature line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
from tests.helpers.pdf_builder import PdfPage, build_pdf
from tests.helpers.table_builders import Table, docx_tables


def _parse(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _mail(body: str) -> bytes:
    headers = {"From": "Rémy Schaeffer <r.schaeffer@htt-tp.example>", "Subject": "Besoin de recrutement"}
    return message(headers, text_part(body))


PAIRED = """Bonjour,

Nom de l'entreprise : Métallerie du Sundgau SAS
N° d'établissement (SIRET) : 732 829 320 / 00074\t\tTél. (fixe ou portable) : 03 89 40 12 34
Qui suit le recrutement ? Madame Claire Becker (secrétaire)\t\tE-mail : c.becker@sundgau.example

Emploi 1 sur 2
- Métier : Soudeur
- Quand le poste démarre-t-il ? dès le 22 février 2027
- Type de contrat : CDI

Emploi 2 sur 2
- Métier : Serrurier
- Quand le poste démarre-t-il ? le 1er mars 2027
- Type de contrat : CDD de 6 mois

Cordialement,
Claire Becker
"""


def test_two_fields_on_one_line_bracketed_siret_and_bulleted_questions(tmp_path: Path) -> None:
    first, second = _parse(tmp_path, "paired.eml", _mail(PAIRED))["forms"]
    company = first["company"]
    assert company["siret"] == "73282932000074"  # '(SIRET)' decides, '… / 00074' is a SIRET
    assert company["phone"] == "+33389401234"
    assert company["contact_name"] == "Madame Claire Becker (secrétaire)"
    assert company["email"] == "c.becker@sundgau.example"
    assert (first["job"]["title"], second["job"]["title"]) == ("Soudeur", "Serrurier")
    assert first["job"]["recruitment_date"] == "2027-02-22"
    assert second["job"]["recruitment_date"] == "2027-03-01"
    assert second["conditions"]["contract_duration"] == "6 mois"


NUMBERED = """Bonjour,

1/ Quelle est votre entreprise ? EURL Saveurs du Doubs
2/ Siret (14 chiffres) : 732 829 320 00074
3/ Qui suit le recrutement ? Céline Haas

Offre A
4/ Poste : Agent de restauration
5/ Nombre de recrutements : 02

Offre B
6/ Poste : Plongeur
7/ Nombre de recrutements : Un (1)

Conditions communes aux postes
8/ Contrat : Contrat d'apprentissage (2 ans)
9/ Site : Restaurant inter-administratif, Besançon
"""


def test_slash_numbered_questions_with_lettered_jobs(tmp_path: Path) -> None:
    got = _parse(tmp_path, "numbered.eml", _mail(NUMBERED))
    assert got["kind"] == "liaison_form"
    first, second = got["forms"]
    assert first["company"]["legal_name"] == second["company"]["legal_name"] == "EURL Saveurs du Doubs"
    assert (first["job"]["title"], second["job"]["title"]) == ("Agent de restauration", "Plongeur")
    assert (first["job"]["positions"], second["job"]["positions"]) == (2, 1)
    for form in (first, second):  # conditions given once are every job's
        assert form["conditions"]["contract_type"] == "APPRENTISSAGE"
        assert form["conditions"]["workplace"] == "Restaurant inter-administratif, Besançon"


def test_docx_cells_holding_label_and_answer(tmp_path: Path) -> None:
    rows = [
        ["Quelle est votre entreprise ? HTT TP", "Siret (14 chiffres) : 580 748 432 00094"],
        ["Adresse du siège : 15 rue Saint-Nicolas, Vesoul", "Qui suit le recrutement ? Rémy Schaeffer"],
        ["Emploi proposé : Conducteur de pelle", "Combien de postes ? 01"],
        ["Qualités recherchées :\n• Lecture de plans\n• Vigilance", "Antériorité professionnelle : 3 ans"],
        ["Quel contrat ? CDD de 8 semaines", "Heures par semaine : 39 h"],
    ]
    (form,) = _parse(tmp_path, "cells.docx", docx_tables([Table(rows)]))["forms"]
    assert form["company"]["legal_name"] == "HTT TP"
    assert form["company"]["siret"] == "58074843200094"
    assert form["company"]["contact_name"] == "Rémy Schaeffer"
    assert form["job"]["title"] == "Conducteur de pelle"
    assert form["job"]["positions"] == 1
    assert form["job"]["required_skills"] == "Lecture de plans Vigilance"
    assert form["job"]["experience"] == "3 ans"
    conditions = form["conditions"]
    assert (conditions["contract_type"], conditions["contract_duration"]) == ("CDD", "8 semaines")


def _lines(page: PdfPage, lines: list[str], y: float = 780.0) -> float:
    for text in lines:
        page.texts.append((60, y, text, 10))
        y -= 14
    return y


def test_bracket_broken_label_first_item_and_footer_after_a_signature(tmp_path: Path) -> None:
    footer = "Document à retourner à l'Agence pour l'emploi de Metz – clauses.metz@exemple-emploi.fr"
    one, two = PdfPage(), PdfPage()
    _lines(one, [
        "Fiche de liaison", "Raison sociale :", "Becker Cloisons SAS", "Numéro SIRET :", "732 829 320 00074",
        "Emploi proposé :", "Plaquiste", "Ce que la personne doit savoir faire :", "Présentation soignée",
        "Calme et maîtrise de soi", "Contraintes particulières (permis, port de", "charges…) :",
        "Travail de nuit par roulement", "Description des activités :", "* Traitement des joints",
    ])  # fmt: skip
    one.texts.append((60, 60, footer, 7))
    _lines(two, [
        "* Pose de rails et de plaques", "Type de contrat :", "CDI", "Lieu de travail :", "Metz",
        "Fait à Metz, le 27/01/2027", "Le responsable (nom, signature) :",
    ])  # fmt: skip
    two.texts.append((60, 60, footer, 7))
    (form,) = _parse(tmp_path, "broken.pdf", build_pdf([one, two]))["forms"]
    assert form["job"]["required_skills"] == "Présentation soignée Calme et maîtrise de soi"
    assert form["job"]["special_requirements"] == "Travail de nuit par roulement"
    assert form["job"]["main_activities"] == "Traitement des joints Pose de rails et de plaques"
    assert form["conditions"]["workplace"] == "Metz"
