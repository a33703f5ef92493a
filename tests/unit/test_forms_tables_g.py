"""Table forms whose labels are short or indirect, through the real `mailbot parse FILE --json`.

Classes seen in forms written by other people: the company's name after an abbreviated label
('Éts', 'Ets.'), its address after a question ('Où se trouve votre entreprise ?') rather than its
name, the contract under 'Statut contractuel', and a merged contract answer whose type carries a
qualifier before its duration ('CDD d'usage de 4 mois', 'Contrat d'insertion de 9 mois').
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.parse.labels import load_rules
from mailbot.parse.normalise import split_duration
from tests.helpers.table_builders import Table, docx_tables, pdf_tables

COMPANY = [
    ["Éts", "Menuiseries Vimeu Atlantique"],
    ["N° SIRET", "732 829 320 00074"],
    ["Où se trouve votre entreprise ?", "4 place du Marché, 80130 Friville"],
    ["Personne à contacter", "M. Gaël Lenoir (gérant)"],
    ["Tél.", "03 22 11 22 33"],
    ["Mél", "g.lenoir@mva.example.net"],
]
JOB_ROWS = [
    ("Intitulé du poste", ["Menuisier poseur", "Agent de quai"]),
    ("Nombre de postes", ["2", "1"]),
    ("Date d'embauche", ["01/06/2027", "14/06/2027"]),
    ("Missions", ["Pose de fenêtres", "Chargement des camions"]),
    ("Compétences", ["Lecture de plans", "Rigueur"]),
    ("Exp. professionnelle", ["2 ans", "Débutant accepté"]),
    ("Formation", ["CAP Menuisier", "Aucune"]),
    ("Exigences particulières", ["Permis B", "Port de charges"]),
]
COND_ROWS = [
    ("Statut contractuel", ["CDD d'usage de 4 mois", "Contrat d'insertion de 9 mois"]),
    ("Horaires hebdomadaires", ["35 h", "26 h"]),
    ("Salaire brut", ["2 000 € brut mensuel", "SMIC horaire"]),
    ("Lieu de travail", ["Friville-Escarbotin", "Abbeville"]),
]
WANT = [
    ("CDD", "4 mois", "2 ans"),
    ("CDDI", "9 mois", "Débutant accepté"),
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


def _blocks() -> list:
    jobs = Table(
        [
            ["", "Poste 1", "Poste 2"],
            *([label, *values] for label, values in JOB_ROWS),
            ["MODALITÉS", None, None],
            *([label, *values] for label, values in COND_ROWS),
        ],
        [130.0, 170.0, 170.0],
    )
    return ["DEMANDE DE RECRUTEMENT", Table(COMPANY), jobs]


def _check(got: dict) -> None:
    assert got["kind"] == "liaison_form"
    assert len(got["forms"]) == 2
    for form, (code, duration, experience) in zip(got["forms"], WANT, strict=True):
        assert form["company"]["legal_name"] == "Menuiseries Vimeu Atlantique"
        assert form["company"]["address"] == "4 place du Marché, 80130 Friville"
        assert form["company"]["siret"] == "73282932000074"
        assert form["conditions"]["contract_type"] == code
        assert form["conditions"]["contract_duration"] == duration
        assert form["job"]["experience"] == experience
        assert not form.get("unrecognised_labels")
        assert not form["problems"], form["problems"]


def test_docx_job_columns_with_short_and_indirect_labels(tmp_path: Path) -> None:
    _check(_parse(tmp_path, "columns.docx", docx_tables(_blocks())))


def test_pdf_job_columns_with_short_and_indirect_labels(tmp_path: Path) -> None:
    _check(_parse(tmp_path, "columns.pdf", pdf_tables(_blocks(), style="grid")))


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Ets", "company.legal_name"),
        ("Éts.", "company.legal_name"),
        ("Où se trouve votre entreprise ?", "company.address"),
        ("Où est située la société ?", "company.address"),
        ("Où se trouve le chantier ?", "conditions.workplace"),
        ("Statut contractuel", "conditions.contract_type"),
        ("Exp. requise", "job.experience"),
    ],
)
def test_short_and_indirect_labels(label: str, field: str) -> None:
    rules = load_rules()
    found = rules.match(label)
    if found is None or found.kind != "field":
        found = rules.meaning(label)
    assert found is not None and found.key == field


@pytest.mark.parametrize(
    ("answer", "duration"),
    [
        ("CDD d'usage de 4 mois", "4 mois"),
        ("CDD d’insertion de 12 mois", "12 mois"),
        ("Mission intérimaire de 3 semaines", "3 semaines"),
        ("CDD de 6 mois renouvelable", "6 mois renouvelable"),
        ("CDD de jusqu'à la fin du chantier", "jusqu'à la fin du chantier"),
        ("Contrat à durée déterminée d'usage 5 mois", "5 mois"),
        ("CDD d'environ 6 mois", "environ 6 mois"),
        ("CDD de la saison 2027", "la saison 2027"),
    ],
)
def test_merged_contract_duration_skips_the_type_qualifier(answer: str, duration: str) -> None:
    assert split_duration(answer) == duration


# One column per job: the company's rows above the jobs, their answer spanning every job column,
# in the same table as the header 'Rubrique | Poste n°1 | Poste n°2'; or no header row at all,
# the first row naming the jobs ('Intitulé du poste | Menuisier poseur | Agent de quai').
SHARED_COMPANY = [
    ["Raison sociale", "Menuiseries Vimeu Atlantique"],
    ["N° SIRET", "732 829 320 00074"],
    ["Adresse", "4 place du Marché, 80130 Friville"],
    ["Personne à contacter", "M. Gaël Lenoir (gérant)"],
]
COLUMN_ROWS = [(label, values) for label, values in JOB_ROWS if label != "Exp. professionnelle"]
COLUMN_ROWS += [
    ("Type de contrat", ["CDD", "Intérim"]),
    ("Durée du contrat", ["4 mois", "9 mois"]),
    *COND_ROWS[1:],
]


def _check_columns(got: dict) -> None:
    assert got["kind"] == "liaison_form"
    titles = [f["job"]["title"] for f in got["forms"]]
    assert titles == ["Menuisier poseur", "Agent de quai"]
    for form, (code, duration, positions) in zip(
        got["forms"], [("CDD", "4 mois", 2), ("INTERIM", "9 mois", 1)], strict=True
    ):
        assert form["company"]["legal_name"] == "Menuiseries Vimeu Atlantique"
        assert form["company"]["siret"] == "73282932000074"
        assert form["company"]["contact_name"] == "M. Gaël Lenoir (gérant)"
        assert form["job"]["positions"] == positions
        assert (form["conditions"]["contract_type"], form["conditions"]["contract_duration"]) == (
            code,
            duration,
        )
    assert got["forms"][1]["conditions"]["workplace"] == "Abbeville"


def _company_in_the_job_table() -> list:
    rows: list[list[str | None]] = [["", "Poste n°1", "Poste n°2"], ["L'ENTREPRISE", None, None]]
    rows += [[label, value, None] for label, value in SHARED_COMPANY]
    rows += [["LES POSTES", None, None]]
    rows += [[label, *values] for label, values in COLUMN_ROWS]
    return [Table(rows, [130.0, 170.0, 170.0])]


def _no_header_row() -> list:
    rows = [[label, *values] for label, values in COLUMN_ROWS]
    return [Table(SHARED_COMPANY), Table(rows, [130.0, 170.0, 170.0])]


@pytest.mark.parametrize("blocks", [_company_in_the_job_table, _no_header_row])
def test_docx_job_columns_company_spanning_or_no_header(tmp_path: Path, blocks) -> None:
    _check_columns(_parse(tmp_path, "jobs.docx", docx_tables(blocks())))


@pytest.mark.parametrize("blocks", [_company_in_the_job_table, _no_header_row])
def test_pdf_job_columns_company_spanning_or_no_header(tmp_path: Path, blocks) -> None:
    _check_columns(_parse(tmp_path, "jobs.pdf", pdf_tables(blocks(), style="boxes")))


def test_three_column_table_with_a_comment_column_is_one_job(tmp_path: Path) -> None:
    """'Intitulé du poste | Maçon | (comment)': a third column mostly empty is no second job."""
    rows = [["Intitulé du poste", "Menuisier poseur", "à confirmer"]]
    rows += [[label, values[0], ""] for label, values in COLUMN_ROWS[1:]]
    blocks = [Table(SHARED_COMPANY), Table(rows, [130.0, 200.0, 140.0])]
    got = _parse(tmp_path, "one.docx", docx_tables(blocks))
    assert len(got["forms"]) == 1
    assert got["forms"][0]["job"]["title"].startswith("Menuisier poseur")
    assert got["forms"][0]["job"]["positions"] == 2


def _numbered_rows() -> list:
    """A first column of row numbers ('A', '1', '2.') beside the labels."""
    rows: list[list[str | None]] = [["A", "L'ENTREPRISE", None]]
    rows += [[str(n), label, value] for n, (label, value) in enumerate(SHARED_COMPANY, 1)]
    rows += [["B", "LE POSTE", None]]
    rows += [[f"{n}.", label, values[0]] for n, (label, values) in enumerate(COLUMN_ROWS, 5)]
    return [Table(rows, [30.0, 150.0, 290.0])]


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_a_column_of_row_numbers_is_no_answer(tmp_path: Path, kind: str) -> None:
    data = pdf_tables(_numbered_rows(), style="grid") if kind == "pdf" else docx_tables(_numbered_rows())
    got = _parse(tmp_path, f"numbered.{kind}", data)
    (form,) = got["forms"]
    assert form["company"]["legal_name"] == "Menuiseries Vimeu Atlantique"
    assert form["company"]["contact_name"] == "M. Gaël Lenoir (gérant)"
    assert form["job"]["title"] == "Menuisier poseur"
    assert form["job"]["positions"] == 2
    assert form["conditions"]["contract_duration"] == "4 mois"
    assert form["conditions"]["workplace"] == "Friville-Escarbotin"


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_job_titles_as_the_header_of_the_job_columns(tmp_path: Path, kind: str) -> None:
    """' | Menuisier poseur | Agent de quai' above 'Nombre de postes | 2 | 1', …"""
    titles, *body = COLUMN_ROWS
    rows = [["", *titles[1]], *([label, *values] for label, values in body)]
    blocks = [Table(SHARED_COMPANY), Table(rows, [130.0, 170.0, 170.0])]
    data = pdf_tables(blocks, style="rules") if kind == "pdf" else docx_tables(blocks)
    _check_columns(_parse(tmp_path, f"titles.{kind}", data))
