"""Layout classes seen in blind corpora B and C, through the real `mailbot parse FILE --json` CLI.

Each fixture is built here (invented company, wordings and values): labels printed alone above
their answers in a text PDF, dotted leaders, a company footer and a letter's closing under the
last answer, a job-number section heading glued to the answer above, a DOCX table whose job
columns are headed 'Besoin 1 | Besoin 2', an HTML table holding the company's rows then one
column per job, and a DOCX company block drawn in a text box.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.pdf_builder import PdfPage, build_pdf
from tests.helpers.table_builders import Table, docx_tables

COMPANY = [
    ("Nom de la structure", "Menuiserie Vauchelle Frères SARL"),
    ("Numéro SIRET", "38012345600018"),
    ("Adresse postale", "4 impasse des Tilleuls, 80250 Ailly-sur-Noye"),
    ("Personne référente", "M. Bastien Vauchelle"),
    ("Téléphone", "06 21 43 65 87"),
    ("Courriel", "b.vauchelle@menuiserie-vauchelle.fr"),
]


def _parse(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _pdf_lines(lines: list[str], footer: str | None = None) -> bytes:
    pages = [PdfPage()]
    y = 800.0
    for text in lines:
        if y < 80:
            pages.append(PdfPage())
            y = 800.0
        if text:
            pages[-1].texts.append((60, y, text, 10))
        y -= 13
    if footer:
        for page in pages:
            page.texts.append((60, 40, footer, 8))
    return build_pdf(pages)


def test_labels_above_answers_in_a_text_pdf(tmp_path: Path) -> None:
    """A bare label's answer is the next line, even when it looks like a label or a heading
    ('Poste à pourvoir' above a title, 'Expérience souhaitée' above 'Expérience exigée…', a name
    in capitals); labels with extra words ('Compétences relationnelles') and an unknown one after
    a one-line answer are labels."""
    lines = ["FICHE DE RECRUTEMENT", "", "Raison sociale", "SEM AMÉNAGEMENT DU VAL", "Numéro SIRET"]
    lines += ["38012345600018", "Siège", "12 rue Haute", "80250 Ailly-sur-Noye", "Interlocuteur"]
    lines += ["Mme Odile Carpentier", "", "LE RECRUTEMENT", "Poste à pourvoir", "Agent de maintenance"]
    lines += ["Nombre de postes", "2", "Date de démarrage", "12/05/2027", "Compétences relationnelles"]
    lines += ["• Sens du service", "• Ponctualité", "Expérience souhaitée", "Expérience exigée (2 ans)"]
    lines += ["Permis / habilitations", "Habilitation électrique BR", "Salaire brut", "2 000 € brut mensuel"]
    result = _parse(tmp_path, "above.pdf", _pdf_lines(lines))
    assert result["kind"] == "liaison_form"
    (form,) = result["forms"]
    assert form["company"]["legal_name"] == "SEM AMÉNAGEMENT DU VAL"
    assert form["company"]["address"] == "12 rue Haute 80250 Ailly-sur-Noye"
    assert form["job"]["title"] == "Agent de maintenance"
    assert form["job"]["positions"] == 2
    assert form["job"]["recruitment_date"] == "2027-05-12"
    assert "Sens du service" in form["job"]["required_skills"]
    assert "Ponctualité" in form["job"]["required_skills"]
    assert form["job"]["experience"] == "Expérience exigée (2 ans)"
    assert form["job"]["special_requirements"] == "Habilitation électrique BR"
    assert any("« Siège » lu comme Adresse" in p for p in form["problems"]) or form["company"]["address"]


def test_dotted_leaders_footer_and_closing(tmp_path: Path) -> None:
    """'Label ...... answer' (also '..' and a colon inside the label), a company footer printed on
    every page and a letter's closing sentence are never glued to the last answer."""
    lines = [f"{label} {'.' * (42 - len(label))} {value}" for label, value in COMPANY]
    lines += ["", "Description du besoin – poste 1", "Métier visé ..................... Coffreur bancheur"]
    lines += ["Nombre de personnes à recruter .. 1", "Embauche prévue le ............ 02/06/2027"]
    lines += ["Précisions : salaire (obligatoire) ...... 1 900 € brut mensuel"]
    lines += ["Horaires hebdomadaires ............ 35 h", "Lieu de travail ..................... Amiens Nord"]
    lines += ["Dans l'attente de vos propositions de candidats, nous vous prions d'agréer nos salutations."]
    footer = "Menuiserie Vauchelle Frères SARL – Standard 03 22 41 00 00 – www.menuiserie-vauchelle.fr"
    result = _parse(tmp_path, "leaders.pdf", _pdf_lines(lines, footer))
    (form,) = result["forms"]
    assert form["company"]["siret"] == "38012345600018"
    assert form["company"]["email"] == "b.vauchelle@menuiserie-vauchelle.fr"
    assert form["job"]["title"] == "Coffreur bancheur"
    assert form["job"]["positions"] == 1
    assert form["job"]["recruitment_date"] == "2027-06-02"
    assert form["conditions"]["weekly_hours"] == 35
    assert form["conditions"]["gross_salary"] == "1 900 € brut mensuel"
    assert form["conditions"]["workplace"] == "Amiens Nord"


def test_job_section_heading_ends_the_answer_above(tmp_path: Path) -> None:
    """'Description du besoin – poste 2' and 'CONDITIONS DU BESOIN N°2' are headings of a job:
    never part of the answer above; a section of the same job number opens no new job."""
    lines = [f"{label} : {value}" for label, value in COMPANY]
    for n, (title, extra) in enumerate([("Menuisier poseur", "Aucune"), ("Aide menuisier", "Permis B")], 1):
        lines += [f"Description du besoin – poste {n}", f"Intitulé du poste : {title}", "Nombre : 1"]
        lines += [f"Contraintes particulières : {extra}", f"CONDITIONS DU BESOIN N°{n}", "Contrat : CDI"]
        lines += ["Lieu de travail : Ailly-sur-Noye"]
    result = _parse(tmp_path, "sections.pdf", _pdf_lines(lines))
    assert [f["job"]["title"] for f in result["forms"]] == ["Menuisier poseur", "Aide menuisier"]
    assert [f["job"]["special_requirements"] for f in result["forms"]] == ["Aucune", "Permis B"]
    assert [f["conditions"]["workplace"] for f in result["forms"]] == ["Ailly-sur-Noye"] * 2


def test_docx_job_columns_headed_besoin(tmp_path: Path) -> None:
    """'Intitulés | Besoin 1 | Besoin 2': the label-like first header cell does not hide the jobs."""
    rows = [["Intitulés", "Besoin 1", "Besoin 2"], ["Emploi proposé", "POSEUR DE SOLS", "Carreleur"]]
    rows += [["Nombre de personnes", "2", "1"], ["Date de démarrage", "01/07/2027", "15/07/2027"]]
    rows += [["Type de contrat", "CDD de 6 mois", "CDI"], ["Lieu", "Amiens", "Abbeville"]]
    data = docx_tables(["Fiche de liaison", Table([list(x) for x in COMPANY]), Table(rows)])
    result = _parse(tmp_path, "columns.docx", data)
    assert [f["job"]["title"] for f in result["forms"]] == ["POSEUR DE SOLS", "Carreleur"]
    assert [f["job"]["positions"] for f in result["forms"]] == [2, 1]
    assert [f["conditions"]["workplace"] for f in result["forms"]] == ["Amiens", "Abbeville"]
    assert all(f["company"]["siret"] == "38012345600018" for f in result["forms"])


def test_html_table_company_rows_then_job_columns(tmp_path: Path) -> None:
    """One HTML table: the company's rows, then a 'Poste 1 | Poste 2 | Poste 3' row, then a row per
    label with each job's answer (lines broken with <br>)."""
    company = "".join(f'<tr><td><b>{k}</b></td><td colspan="3">{v}</td></tr>' for k, v in COMPANY)
    jobs = [("Intitulé", "Menuisier", "Poseur", "Apprenti"), ("Nombre de postes", "1", "2", "1")]
    jobs += [("Tâches à effectuer", "Débit<br>Assemblage sur chantier", "Pose", "Aide à la pose")]
    jobs += [("Lieu de la mission", "Atelier", "Chantiers", "Atelier")]
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in jobs)
    html = (
        '<html><body><p>Bonjour,</p><table border="1"><tr><th colspan="4">ENTREPRISE</th></tr>'
        f"{company}<tr><th></th><th>Poste 1</th><th>Poste 2</th><th>Poste 3</th></tr>{body}</table>"
        "<p>Cordialement</p></body></html>"
    )
    message = (
        "From: b.vauchelle@menuiserie-vauchelle.fr\nTo: clauses@agence.fr\nSubject: Fiche de liaison\n"
        "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n" + html
    )
    result = _parse(tmp_path, "columns.eml", message.encode("utf-8"))
    assert result["kind"] == "liaison_form"
    assert [f["job"]["title"] for f in result["forms"]] == ["Menuisier", "Poseur", "Apprenti"]
    assert result["forms"][0]["job"]["main_activities"] == "Débit Assemblage sur chantier"
    assert [f["conditions"]["workplace"] for f in result["forms"]] == ["Atelier", "Chantiers", "Atelier"]


def test_docx_company_block_in_a_text_box(tmp_path: Path) -> None:
    """A company block drawn in a Word text box is read, once."""
    import docx
    from docx.oxml import parse_xml

    document = docx.Document()
    document.add_paragraph("FICHE DE LIAISON")
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    v = 'xmlns:v="urn:schemas-microsoft-com:vml"'
    paras = "".join(f"<w:p><w:r><w:t>{label} : {value}</w:t></w:r></w:p>" for label, value in COMPANY)
    run = parse_xml(
        f"<w:r {w} {v}><w:pict><v:shape><v:textbox><w:txbxContent>{paras}</w:txbxContent>"
        "</v:textbox></v:shape></w:pict></w:r>"
    )
    document.add_paragraph()._p.append(run)
    for line in ["Intitulé du poste : Menuisier", "Nombre de postes : 1", "Type de contrat : CDI"]:
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    result = _parse(tmp_path, "textbox.docx", buffer.getvalue())
    (form,) = result["forms"]
    assert form["company"]["legal_name"] == "Menuiserie Vauchelle Frères SARL"
    assert form["company"]["phone"] == "+33621436587"
    assert form["job"]["title"] == "Menuisier"
