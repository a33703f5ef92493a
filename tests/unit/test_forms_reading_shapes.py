"""Reading by shape, through the real `mailbot parse FILE --json`: an unruled PDF table whose
answers and labels wrap (lines and rows spaced differently), a text PDF whose heading is only
larger and whose footer sits far below the last answer, a label qualified by an unknown word,
headings by their numbering or mark in DOCX paragraphs, an HTML table with section rows and a
label left without answer."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
from tests.helpers.pdf_builder import PdfPage, build_pdf
from tests.helpers.unseen_builders import docx_bytes

COMPANY = [
    ("Raison sociale", "Menuiserie Vasseur SARL"),
    ("SIRET", "967 897 158 000 77"),
    ("Adresse", "12 rue des Forges 80000 Amiens"),
    ("Personne à contacter", "M. Paul Vasseur"),
    ("Téléphone", "06 12 34 56 78"),
    ("Courriel", "p.vasseur@menuiserie-vasseur.fr"),
]
JOB = [
    ("Intitulé du poste", "Menuisier poseur"),
    ("Nombre de postes", "2"),
    ("Date d'embauche", "15/03/2027"),
]
CONDITIONS = [
    ("Type de contrat", "CDD"),
    ("Durée du contrat", "6 mois"),
    ("Durée hebdomadaire", "35 h"),
    ("Salaire brut", "SMIC"),
    ("Lieu de travail", "Amiens"),
]


def _cli(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_unruled_pdf_table_with_wrapped_labels_and_answers(tmp_path: Path) -> None:
    """Lines of one cell 12 pt apart, rows 16 pt: a capitalised label line level with the next
    line of an answer goes on with its label, and a label level with an answer's first line
    starts a row even right under a label broken over two lines."""
    rows: list[tuple[list[str], list[str]]] = [
        ([label], [value]) for label, value in [*COMPANY, JOB[0], JOB[2]]
    ]
    rows += [
        (
            ["ACTIVITÉS PRINCIPALES", "DU POSTE"],
            ["Pose de menuiseries intérieures ; réglage des", "ouvrants ; finitions", "et nettoyage"],
        ),
        (["EXIGENCES", "PARTICULIÈRES"], ["Permis B exigé ; travail en hauteur", "occasionnel"]),
        (["Number of positions"], ["2"]),
        (["Diplôme requis"], ["CAP Menuisier"]),
    ]  # fmt: skip
    rows += [([label], [value]) for label, value in CONDITIONS]
    page = PdfPage()
    page.texts.append((150, 790, "FORMULAIRE DE LIAISON", 14))
    y = 750.0
    for labels, values in rows:
        for index, text in enumerate(labels):
            page.texts.append((64, y - 12 * index, text, 9))
        for index, text in enumerate(values):
            page.texts.append((232, y - 12 * index, text, 9))
        y -= 12 * max(len(labels), len(values)) + 4
    got = _cli(tmp_path, "plain.pdf", build_pdf([page]))
    (form,) = got["forms"]
    assert form["job"]["main_activities"] == (
        "Pose de menuiseries intérieures ; réglage des ouvrants ; finitions et nettoyage"
    )
    assert form["job"]["special_requirements"] == "Permis B exigé ; travail en hauteur occasionnel"
    assert form["job"]["positions"] == 2
    assert form["job"]["training"] == "CAP Menuisier"
    assert form["job"]["title"] == "Menuisier poseur"
    assert form["company"]["siret"] == "96789715800077"


def test_text_pdf_larger_heading_and_far_footer_end_the_answer_above(tmp_path: Path) -> None:
    page = PdfPage()
    y = 780.0
    pairs = COMPANY + JOB + [("Compétences", "Lecture de plans, travail en équipe")]
    for label, value in pairs:
        page.texts.append((60, y, f"{label} : {value}", 9.5))
        y -= 13
    page.texts.append((60, y - 6, "Embauche et rémunération", 12))  # a heading only by its size
    y -= 28
    for label, value in CONDITIONS:
        page.texts.append((60, y, f"{label} : {value}", 9.5))
        y -= 13
    page.texts.append((60, 40, "Document interne – ne pas diffuser", 8))  # the page footer
    got = _cli(tmp_path, "footer.pdf", build_pdf([page]))
    (form,) = got["forms"]
    assert form["job"]["required_skills"] == "Lecture de plans, travail en équipe"
    assert form["conditions"]["workplace"] == "Amiens"
    assert form["conditions"]["contract_type"] == "CDD"


def test_label_qualified_by_an_unknown_word_in_an_email(tmp_path: Path) -> None:
    lines = [f"{label} : {value}" for label, value in COMPANY + JOB + CONDITIONS[:3]]
    lines += ["Précisions : salaire : 1 900 € brut mensuel", "Précisions : lieu : Amiens"]
    body = "Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nPaul Vasseur\n"
    mail = message(
        {"From": "Paul Vasseur <p.vasseur@menuiserie-vasseur.fr>", "Subject": "Fiche de liaison"},
        text_part(body),
    )
    got = _cli(tmp_path, "precisions.eml", mail)
    (form,) = got["forms"]
    assert form["conditions"]["gross_salary"] == "1 900 € brut mensuel"
    assert form["conditions"]["workplace"] == "Amiens"


def test_docx_headings_by_numbering_mark_or_question_end_the_answer(tmp_path: Path) -> None:
    blocks = ["§ 1 Vos coordonnées", *(f"{label} : {value}" for label, value in COMPANY)]
    blocks += ["II – Ce que vous recherchez", *(f"{label} : {value}" for label, value in JOB)]
    blocks += ["Compétences : Lecture de plans", "▶ Embauche et rémunération"]
    blocks += [f"{label} : {value}" for label, value in CONDITIONS[:4]]
    blocks += ["Lieu de travail : Amiens", "Partie 4 : Le suivi", "Observations : aucune"]
    got = _cli(tmp_path, "headings.docx", docx_bytes(blocks))
    (form,) = got["forms"]
    assert form["company"]["email"] == "p.vasseur@menuiserie-vasseur.fr"
    assert form["job"]["recruitment_date"] == "2027-03-15"
    assert form["job"]["required_skills"] == "Lecture de plans"
    assert form["conditions"]["workplace"] == "Amiens"


def test_html_table_section_rows_and_empty_answer_in_one_form(tmp_path: Path) -> None:
    def rows(pairs: list[tuple[str, str]]) -> str:
        cell = '<td><p class="MsoNormal">{}</p></td>'
        return "".join(f"<tr>{cell.format(f'<b>{lab}</b>')}{cell.format(val)}</tr>" for lab, val in pairs)

    section = '<tr><td colspan="2"><b>{}</b></td></tr>'
    html = (
        '<html><body><p class="MsoNormal">Bonjour,</p><table border="1">'
        + section.format("Votre structure")
        + rows([*COMPANY[:3], ("Personne à contacter", "M. Paul Vasseur"), ("Fax", ""), *COMPANY[4:]])
        + section.format("Ce que vous recherchez")
        + rows([*JOB, ("Compétences", "Lecture de plans")])
        + section.format("Embauche et rémunération")
        + rows(CONDITIONS)
        + "</table><p>Cordialement,<br>Paul Vasseur</p></body></html>"
    )
    mail = message(
        {"From": "Paul Vasseur <p.vasseur@menuiserie-vasseur.fr>", "Subject": "Besoin"},
        text_part(html, subtype="html"),
    )
    got = _cli(tmp_path, "table.eml", mail)
    assert got["kind"] == "liaison_form"
    (form,) = got["forms"]
    assert form["company"]["contact_name"] == "M. Paul Vasseur"
    assert form["job"]["required_skills"] == "Lecture de plans"
    assert form["conditions"]["workplace"] == "Amiens"
