"""Issue 9, Done when 2: the blank PDF and DOCX, filled by code with the values of every sample form,
parse at 100 % through the real `mailbot parse FILE --json`."""

from __future__ import annotations

import functools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from mailbot.blank_form import blank_docx, blank_pdf
from tests.helpers.blank_fill import FORM_TRUTHS, expected, fill_docx, fill_pdf, typed_values
from tests.helpers.compare import compare_result, field_score

_FILL = {"pdf": fill_pdf, "docx": fill_docx}
_BLANK = {"pdf": functools.cache(blank_pdf), "docx": functools.cache(blank_docx)}


def _parse(path: Path) -> dict:
    done = subprocess.run([sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _filled(tmp_path: Path, kind: str, values: dict[str, str], **lot: str) -> Path:
    path = tmp_path / f"rempli.{kind}"
    path.write_bytes(_FILL[kind](_BLANK[kind](**lot), values))
    return path


def test_every_sample_form_is_covered() -> None:
    names = {sample.split("#")[0] for sample, _ in FORM_TRUTHS}
    assert len(FORM_TRUTHS) == 16
    assert {"f1_acroform_semantic", "f6_docx_paragraphs_incomplete", "e06_form_in_body"} <= names


@pytest.mark.parametrize("kind", ["pdf", "docx"])
@pytest.mark.parametrize(("sample", "form"), FORM_TRUTHS, ids=[s for s, _ in FORM_TRUTHS])
def test_filled_blank_form_parses_like_the_sample(tmp_path: Path, kind: str, sample: str,
                                                  form: dict) -> None:
    values = typed_values(form)
    got = _parse(_filled(tmp_path, kind, values))
    assert compare_result(got, expected(form)) == []
    right, total = field_score(got, expected(form))
    assert (right, total) == (19, 19)


_TYPOGRAPHIC = {
    "company.legal_name": "Œuvres « Solidaires » de l’Amiénois",
    "company.siret": "87672699300044",
    "company.address": "2 rue du 8 Mai 1945\n80480 DURY",
    "company.contact_name": "Mme Zoé L’Hôtellier – Responsable RH",
    "company.phone": "07 54 02 38 27",
    "company.email": "Zoe.LHotellier@oeuvres-solidaires.fr",
    "job.title": "Agent d’entretien « cœur de ville »",
    "job.positions": "2",
    "job.recruitment_date": "19/03/2027",
    "job.main_activities": "- Nettoyage des bureaux\n- Tri des déchets ; compostage\n"
                           "- Entretien du matériel d’œuvre",
    "job.required_skills": "Rigueur\nSens du contact",
    "job.experience": "Débutant accepté",
    "job.training": "Aucun diplôme exigé",
    "job.special_requirements": "Travail le samedi matin",
    "conditions.contract_type": "CDD",
    "conditions.contract_duration": "6 mois",
    "conditions.weekly_hours": "24,5",
    "conditions.gross_salary": "1 900 € bruts/mois « selon grille »",
    "conditions.workplace": "Chantier « Cœur de ville »\nAmiens",
}


@pytest.mark.parametrize("kind", ["pdf", "docx"])
def test_typographic_and_multiline_values_survive_on_a_lot_form(tmp_path: Path, kind: str) -> None:
    market = "Réhabilitation de l’îlot « Œuvre » – Lot n° 2"
    got = _parse(_filled(tmp_path, kind, _TYPOGRAPHIC, company_name="Nom prérempli",
                         market=market))
    [form] = got["forms"]
    assert form["market"] == market
    assert form["missing"] == [] and form["problems"] == []
    company, job, conditions = form["company"], form["job"], form["conditions"]
    assert company["legal_name"] == _TYPOGRAPHIC["company.legal_name"]
    assert company["contact_name"] == _TYPOGRAPHIC["company.contact_name"]
    assert company["address"] == "2 rue du 8 Mai 1945 80480 DURY"
    assert company["phone"] == "+33754023827"
    assert company["email"] == "zoe.lhotellier@oeuvres-solidaires.fr"
    assert job["title"] == _TYPOGRAPHIC["job.title"]
    assert (job["positions"], job["recruitment_date"]) == (2, "2027-03-19")
    assert job["main_activities"] == ("Nettoyage des bureaux Tri des déchets ; compostage "
                                      "Entretien du matériel d’œuvre")
    assert (conditions["contract_type"], conditions["contract_duration"]) == ("CDD", "6 mois")
    assert conditions["weekly_hours"] == 24.5
    assert conditions["gross_salary"] == _TYPOGRAPHIC["conditions.gross_salary"]
    assert conditions["workplace"] == "Chantier « Cœur de ville » Amiens"
