"""Forms that carry their own instructions, a company block in the page header, answers typed
under quoted questions, through the real `mailbot parse FILE --json`.

Classes seen in forms written by other people: '(nom, prénom, fonction)' or '(jj/mm/aaaa)' under a
label; a table of label rows above answer rows whose labels carry a bracketed hint and whose
answers read like other labels ('Déplacements entre sites', 'Mission d'intérim'); the company's
name alone at the top of a DOCX page header; a reply typed under each quoted question; an HTML
table of jobs headed 'A. Poste 1 | B. Poste 2'; 'Profil : compétences :'; 'Où êtes-vous situés ?';
'début mai 2027'; a closing sentence under the last answer.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
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


def _mail(body: str, subtype: str = "plain") -> bytes:
    headers = {"From": "Sophie Cros <s.cros@hst.example>", "Subject": "RE: Clause d'insertion"}
    return message(headers, text_part(body, subtype=subtype))


def test_bracketed_instructions_under_labels_above_answers(tmp_path: Path) -> None:
    paragraphs = [
        "FICHE DE LIAISON", "■ VOTRE STRUCTURE", "Nom de l'entreprise", "Restauration Arverne SAS",
        "Nom et fonction du contact", "(nom, prénom, fonction)", "M. Olivier Barthélémy",
        "Où êtes-vous situés ?", "4 ter boulevard des Alpes 63100 Clermont-Ferrand",
        "■ L'OFFRE", "Quel poste proposez-vous ?", "Commis de cuisine",
        "Date d'embauche souhaitée", "(jj/mm/aaaa)", "début mai 2027",
        "Salaire brut", "(indiquez la base)", "", "Lieu de travail", "Cuisine centrale de Thiers",
    ]  # fmt: skip
    (form,) = _parse(tmp_path, "instructions.docx", docx_tables(paragraphs))["forms"]
    assert form["company"]["contact_name"] == "M. Olivier Barthélémy"
    assert form["company"]["address"] == "4 ter boulevard des Alpes 63100 Clermont-Ferrand"
    assert form["job"]["recruitment_date"] == "2027-05-01"
    assert any("1er du mois" in p for p in form["problems"])
    assert form["conditions"]["gross_salary"] is None and "conditions.gross_salary" in form["missing"]
    assert form["conditions"]["workplace"] == "Cuisine centrale de Thiers"


def test_label_rows_above_answer_rows(tmp_path: Path) -> None:
    rows = [
        ["Raison sociale", "N° SIRET"], ["Réseaux Eaux Usées Lyonnais", "732 829 320 00074"],
        ["Emploi proposé", "Nb de postes\n(nombre de personnes)"], ["Agent d'assainissement", "Un (1)"],
        ["Prise de poste\n(même approximative)", None], ["08/03/27", None],
        ["Aptitudes", None], ["Pas de claustrophobie, travail en équipe, sens de l'observation", None],
        ["Contraintes du poste", None], ["Déplacements entre sites", None],
        ["Statut du contrat", "Période d'emploi"], ["Mission d'intérim", "2 mois"],
    ]  # fmt: skip
    (form,) = _parse(tmp_path, "above.docx", docx_tables([Table(rows)]))["forms"]
    assert form["job"]["title"] == "Agent d'assainissement"
    assert form["job"]["positions"] == 1
    assert form["job"]["recruitment_date"] == "2027-03-08"
    assert form["job"]["required_skills"] == "Pas de claustrophobie, travail en équipe, sens de l'observation"
    assert form["job"]["special_requirements"] == "Déplacements entre sites"
    conditions = form["conditions"]
    assert (conditions["contract_type"], conditions["contract_duration"]) == ("INTERIM", "2 mois")


def test_company_block_in_the_page_header(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    header = document.sections[0].header
    header.paragraphs[0].text = "Saveurs de Canebière SAS"
    for line in ["Siret de l'établissement : 732 829 320 00074", "Tel : 04 97 06 17 78",
                 "Mail : rh@saveurs.example"]:  # fmt: skip
        header.add_paragraph(line)
    for line in ["Offre d'emploi", "Poste proposé : Cuisinier", "Nombre de postes : 1",
                 "Type de contrat : CDI", "Lieu de travail : Marseille"]:  # fmt: skip
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    (form,) = _parse(tmp_path, "header.docx", out.getvalue())["forms"]
    assert form["company"]["legal_name"] == "Saveurs de Canebière SAS"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["email"] == "rh@saveurs.example"
    assert any("en-tête" in p for p in form["problems"])


ANSWERED_UNDER_QUOTES = """Bonjour Karine,

Vous trouverez mes réponses directement sous vos questions.

Le 08/01/2027 à 06:03, Karine Olivieri <clauses.toulon@exemple-emploi.fr> a écrit :
> Bonjour,
> Merci de nous indiquer :
>
> Nom / raison sociale de l'entreprise :
Hygiène Services Toulonnais
> N° SIRET :
732 829 320 00074
> Intitulé exact du poste :
Agent d'entretien polyvalent
> Nombre de postes :
4
> Type de contrat :
CDI
> Lieu de travail :
Toulon
>
> Bien cordialement,
> Karine Olivieri
"""


def test_answers_typed_under_quoted_questions(tmp_path: Path) -> None:
    got = _parse(tmp_path, "reply.eml", _mail(ANSWERED_UNDER_QUOTES))
    assert got["kind"] == "liaison_form"
    (form,) = got["forms"]
    assert form["company"]["legal_name"] == "Hygiène Services Toulonnais"
    assert form["job"]["title"] == "Agent d'entretien polyvalent"
    assert form["job"]["positions"] == 4
    assert form["conditions"]["workplace"] == "Toulon"


def test_html_job_columns_with_lettered_headers_and_compound_labels(tmp_path: Path) -> None:
    rows = [
        ("&nbsp;", "A. Poste 1", "B. Poste 2"), ("Qualification / poste", "Plongeur", "Commis de cuisine"),
        ("Nombre de personnes recherchées", "01", "Un (1)"), ("Profil : compétences", "Rigueur", "Rapidité"),
        ("Forme du contrat", "Mission d'intérim", "Apprentissage"),
    ]  # fmt: skip
    table = "".join(f"<tr>{''.join(f'<td><b>{c}</b></td>' for c in row)}</tr>" for row in rows)
    body = (
        "<html><body><p>Bonjour,</p><table border=1>"
        "<tr><td>Entreprise attributaire</td><td colspan=2>Les Toques Stéphanoises</td></tr>"
        "<tr><td>N° SIRET</td><td colspan=2>732 829 320 00074</td></tr></table>"
        f"<table border=1>{table}</table><p>N'hésitez pas à m'appeler pour en discuter.</p></body></html>"
    )
    first, second = _parse(tmp_path, "columns.eml", _mail(body, "html"))["forms"]
    assert (first["job"]["title"], second["job"]["title"]) == ("Plongeur", "Commis de cuisine")
    assert (first["job"]["required_skills"], second["job"]["required_skills"]) == ("Rigueur", "Rapidité")
    assert (first["conditions"]["contract_type"], second["conditions"]["contract_type"]) == (
        "INTERIM", "APPRENTISSAGE",
    )  # fmt: skip
    assert first["company"]["legal_name"] == "Les Toques Stéphanoises"
