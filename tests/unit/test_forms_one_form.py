"""Corpus B classes: one form per job (no spurious second form), questions as labels, SIREN + NIC,
through the real `mailbot parse FILE --json`."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.unseen_builders import docx_bytes, pdf_lines
from tests.unit.test_forms_meaning import COMPANY, CONDITIONS, _cli


def test_a_date_under_a_positions_label_is_the_recruitment_date(tmp_path: Path) -> None:
    lines = COMPANY + [
        "Libellé du poste : Maçon coffreur",
        "Nb de postes : 2",
        "Poste à pourvoir le : 01/03/2027",
        "Activités principales : Coffrage",
    ] + CONDITIONS
    (form,) = _cli(tmp_path, "date.pdf", pdf_lines(lines))["forms"]
    assert form["job"]["positions"] == 2
    assert form["job"]["recruitment_date"] == "2027-03-01"
    assert form["job"]["main_activities"] == "Coffrage"


def test_a_meaning_label_of_an_answered_field_opens_no_second_form(tmp_path: Path) -> None:
    lines = COMPANY + [
        "Intitulé du poste : Agent de nettoyage",
        "Nombre de postes : 2",
        "Compétences : Rigueur",
        "Formation : Aucune",
        "À savoir : Travail de nuit",
        "Type d'embauche : CDI à temps partiel",
        "Durée hebdomadaire : 28 h",
        "Salaire brut : SMIC",
        "Lieu de travail : Amiens",
    ]
    (form,) = _cli(tmp_path, "savoir.pdf", pdf_lines(lines))["forms"]
    assert form["job"]["required_skills"] == "Rigueur"
    assert form["job"]["special_requirements"] == "Travail de nuit"
    assert form["conditions"]["contract_type"] == "CDI"
    assert "« À savoir » lu comme Exigences particulières" in form["problems"]


def test_questions_as_labels_with_two_jobs(tmp_path: Path) -> None:
    company = [
        "Quel est le nom de votre structure ?", "Aide Somme SAS",
        "Quel est votre numéro SIRET ?", "967 897 158 000 77",
        "Qui suit ce recrutement ?", "Mme Anne Roy",
        "À quel numéro vous joindre ?", "03 22 11 22 33",
    ]  # fmt: skip

    def job(n: int, title: str) -> list[str]:
        return [
            f"Votre besoin n° {n}",
            "Quel poste proposez-vous ?", title,
            "Combien de personnes recrutez-vous ?", str(n),
            "Quelles seront les missions ?", "Entretien du logement",
        ]  # fmt: skip

    lines = company + job(1, "Aide à domicile") + job(2, "Auxiliaire de vie")
    got = _cli(tmp_path, "questions.pdf", pdf_lines(lines))
    assert got["kind"] == "liaison_form"
    first, second = got["forms"]
    assert [first["job"]["title"], second["job"]["title"]] == ["Aide à domicile", "Auxiliaire de vie"]
    assert [first["job"]["positions"], second["job"]["positions"]] == [1, 2]
    for form in (first, second):
        assert form["company"]["legal_name"] == "Aide Somme SAS"
        assert form["company"]["siret"] == "96789715800077"
        assert form["job"]["main_activities"] == "Entretien du logement"


def test_siren_and_nic_on_tab_lines_make_the_siret(tmp_path: Path) -> None:
    lines = [
        "Employeur\tMenuiserie Vasseur SARL",
        "SIREN\t967 897 158",
        "NIC\t00077",
        "Appellation métier\tMenuisier",
        "Postes à pourvoir (nombre)\t1",
        "Type de contrat\tCDD",
        "Durée\t6 mois",
        "Heures hebdomadaires\t35",
        "Salaire brut\tSMIC",
        "Lieu de travail\tAmiens",
    ]
    (form,) = _cli(tmp_path, "siren.docx", docx_bytes(lines))["forms"]
    assert form["company"]["siret"] == "96789715800077"
    assert form["job"]["title"] == "Menuisier"
