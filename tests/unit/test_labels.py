"""Label rules: tolerant matching, synonyms as data, contract codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mailbot.parse.labels import LabelRules, label_key, load_rules
from mailbot.parse.text_form import match_label


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Raison sociale :", "company.legal_name"),
        ("DÉNOMINATION SOCIALE*", "company.legal_name"),
        ("Nom de l'entreprise", "company.legal_name"),
        ("N° SIRET", "company.siret"),
        ("Tél.", "company.phone"),
        ("Portable", "company.phone"),
        ("E-mail", "company.email"),
        ("Adresse électronique", "company.email"),
        ("Interlocuteur", "company.contact_name"),
        ("Personne à contacter", "company.contact_name"),
        ("Poste proposé", "job.title"),
        ("Nbre de postes", "job.positions"),
        ("Nb. de postes à pourvoir", "job.positions"),
        ("Date d'embauche", "job.recruitment_date"),
        ("Prise de poste", "job.recruitment_date"),
        (
            "Exigences particulières (permis, habilitation, travail en extérieur, etc.)",
            "job.special_requirements",
        ),
        ("Type et durée du contrat", "conditions.contract_type_duration"),
        ("Durée du contrat", "conditions.contract_duration"),
        ("Horaires hebdomadaires", "conditions.weekly_hours"),
        ("Temps de travail", "conditions.weekly_hours"),
        ("Salaire brut mensuel", "conditions.gross_salary"),
        ("Rémunération brute", "conditions.gross_salary"),
        ("Lieu d'exécution", "conditions.workplace"),
    ],
)
def test_labels_match_their_field(label: str, field: str) -> None:
    found = match_label(load_rules(), label)
    assert found is not None and found.kind == "field" and found.key == field


@pytest.mark.parametrize("name", ["raison_sociale", "RaisonSociale", "company.legal_name", "legal_name"])
def test_acroform_names_match(name: str) -> None:
    assert load_rules().field_for_name(name) == "company.legal_name"


def test_opaque_names_do_not_match() -> None:
    assert load_rules().field_for_name("Text1") is None


def test_headings_and_ignored_lines() -> None:
    rules = load_rules()
    assert match_label(rules, "CONDITIONS D'EMPLOI", whole_line=True).kind == "heading"
    assert match_label(rules, "L'ENTREPRISE", whole_line=True).kind == "heading"
    assert match_label(rules, "Fait à Amiens, le 28/11/2026", whole_line=True).kind == "ignore"
    # a value line that merely starts like a label is not a label
    assert match_label(rules, "Formation assurée en interne", whole_line=True) is None
    assert match_label(rules, "Date de fin selon chantier", whole_line=True) is None


def test_key_is_tolerant() -> None:
    abbreviations = {"nb": "nombre"}
    assert label_key("Nb de postes :", abbreviations) == label_key("NOMBRE DE POSTE*", abbreviations)


@pytest.mark.parametrize(
    ("answer", "code"),
    [
        ("Contrat à durée déterminée d'insertion (CDDI)", "CDDI"),
        ("CDD", "CDD"),
        ("Contrat à durée indéterminée", "CDI"),
        ("Mission d’intérim", "INTERIM"),
        ("Contrat de professionnalisation", "CONTRAT_PRO"),
        ("Apprentissage", "APPRENTISSAGE"),
        ("Stage", None),
    ],
)
def test_contract_codes(answer: str, code: str | None) -> None:
    assert load_rules().contract_code(answer) == code


def test_adding_a_synonym_is_one_line_of_data(tmp_path: Path) -> None:
    shipped = load_rules()
    assert match_label(shipped, "Blase de la boîte") is None
    text = (Path(__file__).resolve().parents[2] / "rules" / "labels.toml").read_text()
    text = text.replace("legal_name = [\n", 'legal_name = [\n  "Blase de la boîte",\n', 1)
    custom = tmp_path / "labels.toml"
    custom.write_text(text)
    rules = load_rules(custom)
    assert isinstance(rules, LabelRules)
    assert match_label(rules, "Blase de la boîte :").key == "company.legal_name"


def test_no_label_belongs_to_two_fields() -> None:
    owners: dict[tuple[str, ...], str] = {}
    for words, kind, key in load_rules()._entries:
        if kind != "field":
            continue
        assert owners.setdefault(words, key) == key, f"{' '.join(words)}: {owners[words]} and {key}"
