"""Is there enough evidence that a form read from a document or an email is a liaison form?

A form is kept when its company block or its job block is recognisably there, not when a few
scattered labels happened to match (a blank CERFA, an administrative form): a plausible company
name, a SIRET or a contact reachable by phone or email; or a job title with at least two more
answers about the job. A value that is itself made of labels ("Nom : Prénom : Tél. :", "N° SIRET
de l'établissement :") is no answer.

A reply to mailbot's own email that names an offer is read for whatever fields it gives: the
caller says so with `unjudged()`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

__all__ = ["enough_evidence", "is_answer", "keep_evident", "unjudged"]

_JUDGED: ContextVar[bool] = ContextVar("mailbot_evidence_judged", default=True)

_LABEL_PART = re.compile(r"[^\s:][^:]{0,60}?\s?:(?=\s|$)")
_LETTERS = re.compile(r"[^\W\d_]", re.UNICODE)
_SIRET = re.compile(r"^\d{14}$")
_JOB_MORE = (
    ("job", "main_activities"), ("job", "required_skills"), ("job", "experience"),
    ("job", "training"), ("job", "recruitment_date"), ("job", "special_requirements"),
    ("conditions", "contract_type"), ("conditions", "contract_duration"),
    ("conditions", "weekly_hours"), ("conditions", "gross_salary"), ("conditions", "workplace"),
)


def is_answer(value: object, min_letters: int = 2) -> bool:
    """A written answer: not empty, a few letters at least, not itself a label or a string of
    labels (ends with ':' or holds two 'label :' parts)."""
    if value is None:
        return False
    if not isinstance(value, str):
        return True  # numbers, dates normalised by the form builder
    text = " ".join(value.split())
    if len(_LETTERS.findall(text)) < min_letters and not any(c.isdigit() for c in text):
        return False
    if text.endswith(":"):
        return False
    return len(_LABEL_PART.findall(text)) < 2


def _get(form: dict, block: str, key: str) -> object:
    part = form.get(block)
    return part.get(key) if isinstance(part, dict) else None


def enough_evidence(form: dict) -> bool:
    """The company block or the job block is recognisably there."""
    siret = str(_get(form, "company", "siret") or "").replace(" ", "")
    if _SIRET.match(siret):
        return True
    if is_answer(_get(form, "company", "legal_name"), 3):
        return True
    reachable = is_answer(_get(form, "company", "phone")) or is_answer(_get(form, "company", "email"))
    if reachable and is_answer(_get(form, "company", "contact_name"), 3):
        return True
    if not is_answer(_get(form, "job", "title"), 3):
        return False
    return sum(1 for block, key in _JOB_MORE if is_answer(_get(form, block, key))) >= 2


def keep_evident(forms: list[dict]) -> list[dict]:
    """The forms with enough evidence (all of them inside `unjudged()`)."""
    if not _JUDGED.get():
        return forms
    return [form for form in forms if enough_evidence(form)]


@contextmanager
def unjudged() -> Iterator[None]:
    """Within this block, forms are kept whatever their evidence (a reply to mailbot that
    names an offer: it completes that offer)."""
    token = _JUDGED.set(False)
    try:
        yield
    finally:
        _JUDGED.reset(token)
