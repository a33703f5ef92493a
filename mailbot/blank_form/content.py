"""What the blank liaison form says: its title, the clause sociale in a few words, its sections.

Field names are the dotted names of the parse contract (`mailbot.parse.types.FORM_FIELDS`) and
labels are the acknowledgement's labels (`mailbot.outbox.labels_fr.FIELD_LABELS`): one source for
each, shared by the PDF and the DOCX.
"""

from __future__ import annotations

from dataclasses import dataclass

from mailbot.outbox.labels_fr import FIELD_LABELS
from mailbot.parse.types import FORM_FIELDS

__all__ = [
    "HINTS",
    "INTRO",
    "MULTILINE",
    "SECTIONS",
    "TITLE",
    "FormField",
    "Section",
    "addressed_to",
    "market_line",
]

TITLE = "Formulaire de liaison – Clause sociale"

# No colon in these sentences: a 'Label : value' line would be read as a field of the form.
INTRO: tuple[str, ...] = (
    "Votre marché public comporte une clause sociale. Elle vous engage à réserver une partie des "
    "heures de travail à des personnes éloignées de l'emploi (demandeurs d'emploi de longue durée, "
    "bénéficiaires du RSA, jeunes peu qualifiés, travailleurs handicapés…).",
    "Le référent clauses sociales vous accompagne gratuitement. Décrivez ci-dessous le poste à "
    "pourvoir ; nous transmettrons votre offre aux partenaires de l'emploi (Mission Locale, "
    "Cap Emploi, PLIE, structures d'insertion), qui vous proposeront des candidats.",
    "Remplissez les cases qui vous concernent et renvoyez ce formulaire en réponse au courriel "
    "qui vous l'a apporté. Un formulaire par poste.",
)

# Fields whose answer often takes several lines (one activity, one skill per line).
MULTILINE = frozenset({
    "company.address", "job.main_activities", "job.required_skills", "job.experience",
    "job.training", "job.special_requirements", "conditions.workplace",
})

# Help shown as the PDF field's tooltip and printed under its label.
HINTS: dict[str, str] = {
    "company.siret": "14 chiffres",
    "job.positions": "un nombre",
    "job.recruitment_date": "JJ/MM/AAAA",
    "job.main_activities": "une activité par ligne",
    "conditions.contract_type": "CDI, CDD, intérim, CDDI, contrat de professionnalisation, "
                                "apprentissage…",
    "conditions.contract_duration": "sauf CDI, par exemple 6 mois",
    "conditions.weekly_hours": "en heures, par exemple 35",
    "conditions.gross_salary": "mensuel ou horaire",
}


@dataclass(frozen=True)
class FormField:
    """One fillable field: its dotted name, its French label, whether it takes several lines."""

    name: str
    label: str
    multiline: bool
    hint: str | None


@dataclass(frozen=True)
class Section:
    """A numbered heading and its fields."""

    heading: str
    fields: tuple[FormField, ...]


_HEADINGS = {"company": "1. L'entreprise", "job": "2. Le poste",
             "conditions": "3. Les conditions d'emploi"}

SECTIONS: tuple[Section, ...] = tuple(
    Section(
        _HEADINGS[section],
        tuple(
            FormField(f"{section}.{name}", FIELD_LABELS[f"{section}.{name}"],
                      f"{section}.{name}" in MULTILINE, HINTS.get(f"{section}.{name}"))
            for name in names
        ),
    )
    for section, names in FORM_FIELDS.items()
)


def addressed_to(company_name: str | None) -> str | None:
    """The line naming the company the form was prepared for (no colon: see INTRO)."""
    if not company_name or not company_name.strip():
        return None
    return f"Formulaire préparé pour l'entreprise {' '.join(company_name.split())}"


def market_line(market: str | None) -> str | None:
    """'Marché : …', the line the parser reads as the form's market."""
    if not market or not market.strip():
        return None
    return f"{FIELD_LABELS['market']} : {' '.join(market.split())}"
