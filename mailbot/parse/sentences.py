"""A need written as a sentence: "Nous recherchons trois (3) personnes pour le 2 mars 2027, en
contrat d'apprentissage de 2 ans, à raison de 39 heures par semaine."

Companies answering by e-mail often give the number of positions, the start date, the contract
and the weekly hours in one sentence above their labelled lines. `sentence_fields` reads those
four things out of such a sentence, as the raw answers the labelled lines would have given (the
form builder normalises them as usual); the sentence must open with a recruiting verb.
"""

from __future__ import annotations

import re

__all__ = ["is_need_sentence", "sentence_fields"]

_DAY = r"(?:(?:lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche)\.?\s+)?"
_MONTHS = (r"janv(?:ier)?|f[ée]vr?(?:ier)?|mars|avr(?:il)?|mai|juin|juil(?:let)?|ao[uû]t|"
           r"sept(?:embre)?|oct(?:obre)?|nov(?:embre)?|d[ée]c(?:embre)?")
_DATE = rf"{_DAY}(?:\d{{1,2}}(?:er)?\s+(?:{_MONTHS})\.?\s+\d{{4}}|\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}})"
_NUMBER = (r"\d{1,3}|une?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt")

_VERB = re.compile(
    r"\b(?:nous|je|on)\s+(?:recherch(?:ons|e)|recrut(?:ons|e)|cherch(?:ons|e)|embauch(?:ons|e)|"
    r"(?:souhait|voudr|all|dev)\w*\s+(?:recruter|embaucher)|avons\s+besoin\s+d['’e]\s*)",
    re.IGNORECASE,
)
_POSITIONS = re.compile(
    rf"^\s*(?P<n>(?:{_NUMBER})(?:\s*\(\s*\d{{1,3}}\s*\))?)(?=\s+[^\W\d_])", re.IGNORECASE)
_START = re.compile(
    rf"\b(?:pour\s+le|pour\s+d[ée]but|[àa]\s+partir\s+du|d[èe]s\s+le|[àa]\s+compter\s+du|"
    rf"d[ée]but|le)\s+(?P<date>{_DATE})",
    re.IGNORECASE,
)
_CONTRACT = re.compile(
    r"\ben\s+(?P<contract>(?:CDDI|CDD|CDI|CTT|int[ée]rim|alternance|"
    r"contrat\s+(?:d['’]\s*apprentissage|de\s+professionnalisation|[àa]\s+dur[ée]e\s+(?:d[ée]termin[ée]e|"
    r"ind[ée]termin[ée]e)|d['’]\s*insertion|aid[ée]|de\s+travail\s+temporaire|PEC))"
    r"(?:\s+(?:de|d['’]une\s+dur[ée]e\s+de)\s+\d{1,2}\s+(?:mois|ans?|semaines?)(?:\s+renouvelables?)?)?)",
    re.IGNORECASE,
)
_HOURS = re.compile(
    r"\b(?P<hours>\d{1,2}(?:[,.]\d{1,2})?\s*(?:h|heures?)(?:\s*(?:par\s+semaine|hebdomadaires?|/\s*semaine)))",
    re.IGNORECASE,
)


def is_need_sentence(text: str) -> bool:
    """A line that states a need in words ('Nous recherchons deux maçons pour le …')."""
    return len(text) >= 30 and ":" not in text and bool(_VERB.search(text))


def sentence_fields(text: str) -> list[tuple[str, str]]:
    """(field, raw answer) pairs a need sentence gives, in the form's order; [] for none."""
    verb = _VERB.search(text)
    if verb is None or ":" in text:
        return []
    after = text[verb.end() :]
    found: list[tuple[str, str]] = []
    count = _POSITIONS.match(after)
    if count:
        found.append(("job.positions", count.group("n")))
    start = _START.search(after)
    if start:
        found.append(("job.recruitment_date", start.group("date")))
    contract = _CONTRACT.search(after)
    if contract:
        found.append(("conditions.contract_type", contract.group("contract")))
    hours = _HOURS.search(after)
    if hours:
        found.append(("conditions.weekly_hours", hours.group("hours")))
    return found
