"""Shared shapes of the parser: limits, the FORM field list, empty results.

The parser's output is plain JSON-ready dicts following the contract of `mailbot parse --json`
(see docs/parse-contract.md); these helpers build them.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FORM_FIELDS", "Limits", "dotted_fields", "empty_form"]

FORM_FIELDS: dict[str, tuple[str, ...]] = {
    "company": ("legal_name", "siret", "address", "contact_name", "phone", "email"),
    "job": (
        "title",
        "positions",
        "recruitment_date",
        "main_activities",
        "required_skills",
        "experience",
        "training",
        "special_requirements",
    ),
    "conditions": ("contract_type", "contract_duration", "weekly_hours", "gross_salary", "workplace"),
}


def dotted_fields() -> list[str]:
    """Every FORM field as 'section.field', in contract order."""
    return [f"{section}.{name}" for section, names in FORM_FIELDS.items() for name in names]


def empty_form() -> dict:
    """A FORM dict with every field None and empty missing/problems lists."""
    form: dict = {section: dict.fromkeys(names) for section, names in FORM_FIELDS.items()}
    form["missing"] = []
    form["problems"] = []
    return form


@dataclass(frozen=True)
class Limits:
    """Bounds that keep one bad input from hanging or swelling the parser (config `[limits]`)."""

    max_message_bytes: int = 60 * 1024 * 1024
    max_attachment_bytes: int = 25 * 1024 * 1024
    max_pdf_pages: int = 40
    max_pdf_stream_bytes: int = 64 * 1024 * 1024
    max_docx_uncompressed_bytes: int = 64 * 1024 * 1024
    max_seconds_per_document: float = 20.0
    max_mime_depth: int = 5
    max_mime_parts: int = 200
    ocr: bool = True
    ocr_max_pages: int = 4
