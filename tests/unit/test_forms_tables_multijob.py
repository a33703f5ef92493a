"""Issue 7, items 2 and 3 for tables, through the real `mailbot parse FILE --json`.

PDF tables drawn three ways (a rectangle per cell, one path for the grid, thin filled rules) and
DOCX tables: section rows spanning the table end the answer above and are never answers (even
invented headings), 4-column label|value|label|value rows with multi-line and empty cells, one
job per column ('Rubrique | Poste 1 | Poste 2 | Poste 3') with a cell spanning the jobs, and two
or three jobs in successive tables, each job with its own contract.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.table_builders import Table, docx_tables, pdf_tables

COMPANY = [
    ["Raison sociale", "Bâtiments Réunis de la Somme SAS"],
    ["N° SIRET", "732 829 320 00074"],
    ["Adresse", "12 rue des Forges\n80090 Amiens"],
    ["Personne à contacter", "Mme Claire Vasseur – Assistante RH"],
    ["Téléphone", "06 11 22 33 44"],
    ["Adresse électronique", "c.vasseur@brs80.fr"],
]
WANT_COMPANY = {
    "legal_name": "Bâtiments Réunis de la Somme SAS",
    "siret": "73282932000074",
    "address": "12 rue des Forges 80090 Amiens",
    "contact_name": "Mme Claire Vasseur – Assistante RH",
    "phone": "+33611223344",
    "email": "c.vasseur@brs80.fr",
}
JOBS = [
    {
        "title": "Maçon VRD",
        "positions": ("2", 2),
        "recruitment_date": ("15/03/2027", "2027-03-15"),
        "main_activities": (
            "- Pose de bordures\n- Réseaux d'assainissement",
            "Pose de bordures Réseaux d'assainissement",
        ),
        "required_skills": "Lecture de plans",
        "experience": "2 ans minimum",
        "training": "CAP Maçon",
        "special_requirements": "Permis B",
        "contract_type": ("CDD", "CDD"),
        "contract_duration": "6 mois",
        "weekly_hours": ("35 h", 35),
        "gross_salary": "1 900 € brut mensuel",
        "workplace": "Chantier de Longueau",
    },
    {
        "title": "Agent de propreté",
        "positions": ("1", 1),
        "recruitment_date": ("02/04/2027", "2027-04-02"),
        "main_activities": ("Nettoyage des bureaux", "Nettoyage des bureaux"),
        "required_skills": "Rigueur",
        "experience": "Débutant accepté",
        "training": "Aucun diplôme exigé",
        "special_requirements": "Horaires décalés",
        "contract_type": ("Contrat à durée indéterminée", "CDI"),
        "contract_duration": "",
        "weekly_hours": ("24 h", 24),
        "gross_salary": "SMIC horaire",
        "workplace": "Amiens centre",
    },
    {
        "title": "Cariste",
        "positions": ("3 postes", 3),
        "recruitment_date": ("10 mai 2027", "2027-05-10"),
        "main_activities": ("Chargement des camions", "Chargement des camions"),
        "required_skills": "Sens de la sécurité",
        "experience": "1 an",
        "training": "CACES R489 cat. 3",
        "special_requirements": "Travail en équipe du matin",
        "contract_type": ("Mission d'intérim", "INTERIM"),
        "contract_duration": "3 mois",
        "weekly_hours": ("39 h", 39),
        "gross_salary": "12,50 € brut de l'heure",
        "workplace": "Plateforme de Glisy",
    },
]
# Labels worded as companies do, several unlike any usual synonym's first words.
LABELS = {
    "title": "Intitulé du poste",
    "positions": "Nombre de postes",
    "recruitment_date": "Date d'embauche",
    "main_activities": "Descriptif des tâches",
    "required_skills": "Compétences attendues",
    "experience": "Expérience",
    "training": "Diplôme ou formation",
    "special_requirements": "Contraintes du poste",
    "contract_type": "Type de contrat",
    "contract_duration": "Durée du contrat",
    "weekly_hours": "Durée hebdomadaire",
    "gross_salary": "Salaire brut",
    "workplace": "Lieu de travail",
}
JOB_FIELDS = [
    "title", "positions", "recruitment_date", "main_activities", "required_skills", "experience",
    "training", "special_requirements",
]  # fmt: skip
COND_FIELDS = ["contract_type", "contract_duration", "weekly_hours", "gross_salary", "workplace"]
HEADINGS = ["§ 2 – CE QUE VOUS PROPOSEZ", "Partie C : les modalités"]  # invented, in no list


def _printed(job: dict, name: str) -> str:
    value = job[name]
    return value[0] if isinstance(value, tuple) else value


def _want(job: dict) -> dict:
    out: dict = {"company": dict(WANT_COMPANY), "job": {}, "conditions": {}}
    for name in JOB_FIELDS + COND_FIELDS:
        value = job[name]
        value = value[1] if isinstance(value, tuple) else value
        section = "job" if name in JOB_FIELDS else "conditions"
        out[section][name] = value or None
    return out


def _rows(job: dict, names: list[str]) -> list[list[str | None]]:
    return [[LABELS[n], _printed(job, n)] for n in names]


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
    assert "Traceback" not in done.stderr
    return json.loads(done.stdout)


def _check(got: dict, jobs: list[dict]) -> None:
    assert got["kind"] == "liaison_form"
    assert len(got["forms"]) == len(jobs), [f["job"]["title"] for f in got["forms"]]
    for form, job in zip(got["forms"], jobs, strict=True):
        want = _want(job)
        for section in ("company", "job", "conditions"):
            for name, value in want[section].items():
                assert form[section][name] == value, (section, name, form[section][name])
        text = json.dumps(form, ensure_ascii=False)
        for heading in HEADINGS + ["POSTE", "CONDITIONS PROPOSÉES"]:
            assert heading not in text  # a section row is never part of an answer


@pytest.mark.parametrize("style", ["boxes", "grid", "rules"])
def test_pdf_table_section_rows_end_the_answer_above(tmp_path: Path, style: str) -> None:
    job = JOBS[0]
    rows = [["QUI ÊTES-VOUS ?", None], *COMPANY, [HEADINGS[0], None], *_rows(job, JOB_FIELDS)]
    rows += [[HEADINGS[1], None], *_rows(job, COND_FIELDS)]
    data = pdf_tables(["FICHE DE LIAISON", Table(rows), "Fait à Amiens, le 12/01/2027"], style=style)
    _check(_parse(tmp_path, "table.pdf", data), [job])


def test_pdf_four_columns_multiline_and_empty_cells(tmp_path: Path) -> None:
    job = dict(JOBS[0], experience="", training="")
    widths = [80.0, 150.0, 80.0, 150.0]
    c = dict(COMPANY)
    rows = [
        ["1 – L'EMPLOYEUR", None, None, None],
        ["Raison sociale", c["Raison sociale"], "N° SIRET", c["N° SIRET"]],
        ["Adresse", c["Adresse"], "Personne à contacter", c["Personne à contacter"]],
        ["Téléphone", c["Téléphone"], "Adresse électronique", c["Adresse électronique"]],
        ["2 – L'EMPLOI", None, None, None],
        [LABELS["title"], job["title"], LABELS["positions"], "2"],
        [LABELS["recruitment_date"], "15/03/2027", LABELS["experience"], ""],
        [LABELS["main_activities"], _printed(job, "main_activities"), None, None],
        [LABELS["required_skills"], job["required_skills"], LABELS["training"], ""],
        [LABELS["special_requirements"], job["special_requirements"], "", ""],
        [HEADINGS[1], None, None, None],
        [LABELS["contract_type"], "CDD", LABELS["contract_duration"], "6 mois"],
        [LABELS["weekly_hours"], "35 h", LABELS["gross_salary"], job["gross_salary"]],
        [LABELS["workplace"], job["workplace"], None, None],
    ]
    got = _parse(tmp_path, "four.pdf", pdf_tables([Table(rows, widths)]))
    _check(got, [job])
    assert {"job.experience", "job.training"} <= set(got["forms"][0]["missing"])


def _job_columns(jobs: list[dict], shared_workplace: bool) -> Table:
    rows: list[list[str | None]] = [["Rubrique", *(f"Poste {i + 1}" for i in range(len(jobs)))]]
    rows += [[LABELS[n], *(_printed(j, n) for j in jobs)] for n in JOB_FIELDS]
    rows.append(["CONDITIONS PROPOSÉES", *([None] * len(jobs))])
    for name in COND_FIELDS:
        if name == "workplace" and shared_workplace:
            rows.append([LABELS[name], jobs[0]["workplace"], *([None] * (len(jobs) - 1))])
        else:
            rows.append([LABELS[name], *(_printed(j, name) for j in jobs)])
    return Table(rows, [130.0, *([340.0 / len(jobs)] * len(jobs))])


def test_pdf_one_job_per_column_with_a_shared_cell(tmp_path: Path) -> None:
    jobs = [JOBS[0], dict(JOBS[1], workplace=JOBS[0]["workplace"])]
    blocks = ["Fiche besoin", Table([["L'ENTREPRISE", None], *COMPANY]), _job_columns(jobs, True)]
    _check(_parse(tmp_path, "columns.pdf", pdf_tables(blocks, style="grid")), jobs)


def test_pdf_three_jobs_in_successive_tables(tmp_path: Path) -> None:
    blocks: list = ["DEMANDE DE RECRUTEMENT", Table([["Employeur", None], *COMPANY])]
    for number, job in enumerate(JOBS, 1):
        rows = [[f"POSTE {number}", None], *_rows(job, JOB_FIELDS), [HEADINGS[1], None]]
        blocks.append(Table(rows + _rows(job, COND_FIELDS)))
    _check(_parse(tmp_path, "three.pdf", pdf_tables(blocks, style="rules")), JOBS)


def test_docx_three_jobs_one_table_each(tmp_path: Path) -> None:
    blocks: list = ["DEMANDE DE RECRUTEMENT", Table([["L'ENTREPRISE", None], *COMPANY])]
    for number, job in enumerate(JOBS, 1):
        blocks.append(f"Poste {number}")
        blocks.append(Table([*_rows(job, JOB_FIELDS), [HEADINGS[1], None], *_rows(job, COND_FIELDS)]))
    _check(_parse(tmp_path, "three.docx", docx_tables(blocks)), JOBS)


def test_docx_three_jobs_as_columns(tmp_path: Path) -> None:
    blocks = [Table([["QUI ÊTES-VOUS ?", None], *COMPANY]), _job_columns(JOBS, False)]
    _check(_parse(tmp_path, "columns.docx", docx_tables(blocks)), JOBS)


def test_docx_merged_sections_four_columns_and_check_boxes(tmp_path: Path) -> None:
    job = dict(JOBS[2], special_requirements=("☒ Oui ☐ Non", "Permis B exigé"))
    c = dict(COMPANY)
    rows = [
        ["QUI ÊTES-VOUS ?", None, None, None],
        ["Raison sociale", c["Raison sociale"], "N° SIRET", c["N° SIRET"]],
        ["Adresse", c["Adresse"], "Personne à contacter", c["Personne à contacter"]],
        ["Téléphone", c["Téléphone"], "Adresse électronique", c["Adresse électronique"]],
        [HEADINGS[0], None, None, None],
        [LABELS["title"], job["title"], LABELS["positions"], "3 postes"],
        [LABELS["recruitment_date"], "10 mai 2027", LABELS["experience"], job["experience"]],
        [LABELS["main_activities"], _printed(job, "main_activities"), None, None],
        [LABELS["required_skills"], job["required_skills"], LABELS["training"], job["training"]],
        ["Permis B exigé", "☒ Oui ☐ Non", "", ""],
        [HEADINGS[1], None, None, None],
        [LABELS["contract_type"], "☐ CDI ☐ CDD ☒ Intérim", LABELS["contract_duration"], "3 mois"],
        [LABELS["weekly_hours"], "39 h", LABELS["gross_salary"], job["gross_salary"]],
        [LABELS["workplace"], job["workplace"], None, None],
    ]
    _check(_parse(tmp_path, "boxes.docx", docx_tables([Table(rows)])), [job])
