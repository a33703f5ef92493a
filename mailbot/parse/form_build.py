"""From raw answers to the contract's FORM dict: normalise values, list missing fields and problems."""

from __future__ import annotations

import re

from mailbot.parse.labels import COMBINED_CONTRACT, LabelRules, load_rules
from mailbot.parse.normalise import (
    checked_options,
    clean_text,
    list_items,
    normalise_date,
    normalise_email,
    normalise_hours,
    normalise_phone,
    normalise_positions,
    normalise_siret,
    split_duration,
)
from mailbot.parse.text_form import LETTERHEAD_NAME, RawForm
from mailbot.parse.types import empty_form

__all__ = ["LIST_FIELDS", "STRONG_FIELDS", "build_form", "looks_like_form"]

#: Free-text answers whose own lines (a list of activities, of skills…) are kept for the emails.
LIST_FIELDS = ("job.main_activities", "job.required_skills", "job.experience", "job.training",
               "job.special_requirements")

#: Labels a CV or a letter rarely has; a form needs several of them.
STRONG_FIELDS = frozenset(
    {
        "company.legal_name",
        "company.siret",
        "company.contact_name",
        "job.title",
        "job.positions",
        "job.recruitment_date",
        "job.main_activities",
        "job.special_requirements",
        "conditions.contract_type",
        "conditions.contract_duration",
        COMBINED_CONTRACT,
        "conditions.weekly_hours",
        "conditions.gross_salary",
        "conditions.workplace",
    }
)
MIN_LABELS = 5
MIN_STRONG = 3


def looks_like_form(labels: set[str]) -> bool:
    """Enough distinct form labels (and enough form-only ones) to call the document a liaison form."""
    return len(labels) >= MIN_LABELS and len(labels & STRONG_FIELDS) >= MIN_STRONG


def _set(form: dict, dotted: str, value: object) -> None:
    section, name = dotted.split(".")
    form[section][name] = value


def build_form(raw: RawForm, rules: LabelRules | None = None) -> dict:
    """The FORM dict of the contract for one raw form (plus `market`)."""
    rules = rules or load_rules()
    form = empty_form()
    problems: list[str] = form["problems"]
    present: set[str] = set()  # fields with a value written, even if unreadable
    values = dict(raw.values)
    letterhead = values.pop(LETTERHEAD_NAME, "").strip()
    if letterhead and not clean_text(values.get("company.legal_name")):
        values["company.legal_name"] = letterhead  # the page header's company name, no label given
        problems.append(f"« {letterhead} » lu dans l'en-tête comme Raison sociale")

    def text(key: str) -> str | None:
        value = clean_text(values.get(key))
        if value is not None:
            present.add(key)
        return value

    for key in (
        "company.legal_name", "company.address", "company.contact_name", "job.title",
        "job.main_activities", "job.required_skills", "job.experience", "job.training",
        "job.special_requirements", "conditions.gross_salary", "conditions.workplace",
    ):  # fmt: skip
        _set(form, key, text(key))
    items = {key: found for key in LIST_FIELDS if (found := list_items(values.get(key)))}
    if items:
        form["lines"] = items  # extra key: the answer's own lines, for emails (not the contract)

    siret = text("company.siret")
    if siret:
        value, problem = normalise_siret(siret)
        _set(form, "company.siret", value)
        if problem:
            problems.append(problem)
    phone = text("company.phone")
    if phone:
        _set(form, "company.phone", normalise_phone(phone))
        if form["company"]["phone"] is None:
            problems.append(f"company.phone: numéro de téléphone illisible « {phone} »")
    email = text("company.email")
    if not email and phone and "@" in phone:  # 'Téléphone / courriel : 06… / a@b.fr'
        email = phone
    if email:
        _set(form, "company.email", normalise_email(email))
        if form["company"]["email"] is None:
            problems.append(f"company.email: adresse e-mail illisible « {email} »")
    for key, reader in (
        ("job.recruitment_date", normalise_date),
        ("job.positions", normalise_positions),
        ("conditions.weekly_hours", normalise_hours),
    ):
        written = text(key)
        if written:
            value, problem = reader(written)
            _set(form, key, value)
            if problem:
                problems.append(problem)

    for key in ("conditions.contract_type", COMBINED_CONTRACT):
        if values.get(key):
            values[key] = checked_options(values[key])
    contract = _undotted(text("conditions.contract_type"))
    combined = _undotted(text(COMBINED_CONTRACT))
    duration = text("conditions.contract_duration")
    source = contract or combined
    code = None
    if source:
        code = rules.contract_code(source) or "AUTRE"
        if duration is None and code != "CDI":
            duration = split_duration(source)
        present.add("conditions.contract_type")
    elif duration:  # 'Type et durée du contrat : CDD / 9 mois' read as the duration's label
        code = rules.contract_code(_undotted(duration))
        if code is not None:
            present.add("conditions.contract_type")
            duration = split_duration(duration) if code != "CDI" else None
    if code == "CDI":
        duration = None
    if duration:
        present.add("conditions.contract_duration")
    form["conditions"]["contract_type"] = code
    form["conditions"]["contract_duration"] = duration

    for section in ("company", "job", "conditions"):
        for name, value in form[section].items():
            dotted = f"{section}.{name}"
            if value is not None or dotted in present:
                continue
            if dotted == "conditions.contract_duration" and code == "CDI":
                continue
            form["missing"].append(dotted)
    problems.extend(raw.notes)
    if raw.unrecognised:
        form["unrecognised_labels"] = list(raw.unrecognised)
    form["market"] = raw.market
    return form


_DOTTED_ACRONYM = re.compile(r"\b(?:[A-Za-z]\.\s?){2,}(?:[A-Za-z]\b\.?)?")


def _undotted(text: str | None) -> str | None:
    """Acronyms written with dots read as the acronym: 'C.D.I.' -> 'CDI', 'C.D.D. de 6 mois' ->
    'CDD de 6 mois'."""
    if not text:
        return text
    return _DOTTED_ACRONYM.sub(lambda m: re.sub(r"[.\s]", "", m.group(0)) + " ", text).strip()
