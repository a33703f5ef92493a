"""STUB (being written): liaison forms from documents and from text."""

from __future__ import annotations

from dataclasses import dataclass, field

from mailbot.parse.document import Document
from mailbot.parse.types import Limits

__all__ = ["FormsResult", "parse_forms", "parse_forms_in_text"]


@dataclass
class FormsResult:
    forms: list[dict] = field(default_factory=list)
    ocr: bool = False
    problems: list[str] = field(default_factory=list)


def parse_forms(doc: Document, limits: Limits | None = None) -> FormsResult:
    return FormsResult()


def parse_forms_in_text(text: str) -> list[dict]:
    return []
