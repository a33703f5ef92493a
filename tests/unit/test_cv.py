"""CVs: names in their usual French forms, contact data, and the is-it-a-CV decision."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest

from mailbot.parse.contacts import find_emails, find_phones, split_name, title_surname
from mailbot.parse.cv import looks_like_cv, parse_cv
from mailbot.parse.document import load_document

SAMPLES = Path(__file__).parent.parent / "fixtures" / "samples"


@pytest.mark.parametrize(
    "line,expected",
    [
        ("Jean DUPONT", ("Jean", "Dupont")),
        ("DUPONT Jean", ("Jean", "Dupont")),
        ("Mme Fatima El Amrani", ("Fatima", "El Amrani")),
        ("Jean-Baptiste VASSEUR", ("Jean-Baptiste", "Vasseur")),
        ("Cédric LE GOFF", ("Cédric", "Le Goff")),
        ("LE GOFF Cédric", ("Cédric", "Le Goff")),
        ("Monsieur Rémi MARÉCHAL", ("Rémi", "Maréchal")),
        ("M. Karim D'ALMEIDA", ("Karim", "D'Almeida")),
        ("Aïcha Roussel", ("Aïcha", "Roussel")),
    ],
)
def test_split_name(line, expected):
    assert split_name(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "Plombier chauffagiste",
        "Agent de maintenance des bâtiments",
        "COORDONNÉES",
        "Longueau",
        "Permis B – véhiculé",
        "Tél. : 07 18 09 18 86",
        "2021 – 2022 : Manutentionnaire",
        "Français : courant",
        "",
    ],
)
def test_not_a_name(line):
    assert split_name(line) is None


def test_title_surname_keeps_mixed_case():
    assert title_surname("DE LA FONTAINE") == "De La Fontaine"
    assert title_surname("McDonald") == "McDonald"


def test_contacts_found_and_normalised():
    text = (
        "Tél : 06 12 34 56 78 – Port. +33 (0)7.11.22.33.44 – fixe 0322715000\n"
        "Mail : Jean.Dupont@Exemple.FR ; né le 13/03/2004 ; SIRET 123 456 789 00012\n"
    )
    assert find_phones(text) == ["+33612345678", "+33711223344", "+33322715000"]
    assert find_emails(text) == ["jean.dupont@exemple.fr"]
    assert find_phones(text, exclude=["+33612345678"])[0] == "+33711223344"


CV_TEXT = """Jean DUPONT
Maçon
Tél. : 06 12 34 56 78
jean.dupont@exemple.fr
Expériences professionnelles
2020 – 2022 : Maçon – SARL Martin
Formation
CAP Maçon
Compétences
Lecture de plans
"""


def test_looks_like_cv():
    assert looks_like_cv(CV_TEXT)
    assert not looks_like_cv("Bonjour,\nveuillez trouver notre offre.\nTél. 06 12 34 56 78")
    form = (
        "Formulaire de liaison\nRaison sociale : X\nN° SIRET : 1\nExpérience\nFormation\n"
        "Compétences\nType de contrat : CDI\nMail : rh@x.fr"
    )
    assert not looks_like_cv(form)


def _docx(paragraphs: list[str]) -> bytes:
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_parse_cv_docx_built():
    data = _docx(CV_TEXT.splitlines())
    got = parse_cv(load_document(data, "cv.docx"))
    assert got == {
        "first_name": "Jean",
        "last_name": "Dupont",
        "email": "jean.dupont@exemple.fr",
        "phone": "+33612345678",
    }


def test_parse_cv_docx_reads_tables_and_excludes_addresses():
    document = docx.Document()
    document.add_paragraph("Curriculum vitae")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Sophie MARTIN"
    table.cell(0, 1).text = "rh@structure.fr\nsophie.martin@exemple.fr\n07 11 22 33 44"
    buffer = io.BytesIO()
    document.save(buffer)
    got = parse_cv(load_document(buffer.getvalue(), "cv.docx"), exclude_emails=["rh@structure.fr"])
    assert (got["first_name"], got["last_name"]) == ("Sophie", "Martin")
    assert got["email"] == "sophie.martin@exemple.fr"
    assert got["phone"] == "+33711223344"


def test_sidebar_pdf_name_is_not_a_sidebar_heading():
    doc = load_document((SAMPLES / "cvs/cv_pdf_sidebar.pdf").read_bytes(), "cv.pdf")
    got = parse_cv(doc)
    assert (got["first_name"], got["last_name"]) == ("Sébastien", "Benali")


def test_cv_without_contacts_gives_nones():
    got = parse_cv(load_document(_docx(["Paul LEROY", "Expérience", "Formation"]), "x.docx"))
    assert got == {"first_name": "Paul", "last_name": "Leroy", "email": None, "phone": None}
