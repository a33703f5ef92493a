"""Variant generator (tests/helpers/form_variants.py): forms rebuilt from the samples' answers.

- Listed synonyms, one job, six layouts (issue 5): at least 98 % of the fields parse right.
- Labels phrased around meaning words, invented headings, one to three jobs (issue 7): tables of
  every kind (DOCX table and job columns, PDF cell borders and job columns) at least 98 %; the
  other layouts (e-mail text and HTML, DOCX paragraphs, text PDF, PDF tables read on their text)
  each at least 97 % and together at least 98 % (figures printed by
  `python -m tests.helpers.form_variants`).
"""

from __future__ import annotations

import pytest

from tests.helpers.form_variants import LAYOUTS, score_layout

CLASSIC = ["text", "docx_paragraphs", "docx_table", "pdf_text", "pdf_table_rules", "pdf_table_plain"]
TABLES = ["docx_table", "docx_columns", "pdf_table_boxes", "pdf_columns"]


def _jobs(layout: str) -> tuple[int, ...]:
    return (2, 3) if layout.endswith("columns") else (1, 2, 3)


@pytest.mark.parametrize("layout", CLASSIC)
def test_variants_parse_at_least_98_percent(layout: str) -> None:
    right, total, _, _, failures = score_layout(layout, "synonyms", (1,), 40)
    print(f"{layout}: {right}/{total} fields = {right / total:.1%}")
    assert right / total >= 0.98, failures[:2]


@pytest.mark.parametrize("layout", TABLES)
def test_meaning_labels_invented_headings_several_jobs_in_tables(layout: str) -> None:
    right, total, forms_right, forms, failures = score_layout(layout, "meaning", _jobs(layout), 15)
    print(f"{layout}: {right}/{total} fields = {right / total:.1%}, forms {forms_right}/{forms}")
    assert right / total >= 0.98, failures[:2]
    assert forms_right / forms >= 0.85


def test_meaning_labels_every_layout() -> None:
    """Text layouts (e-mail text and HTML, DOCX paragraphs, text PDF, PDF tables read on their
    text): each at least 97 %, together at least 98 %."""
    right = total = 0
    weak = {}
    for layout in LAYOUTS:
        if layout in TABLES:
            continue  # scored above
        r, t, _, _, failures = score_layout(layout, "meaning", _jobs(layout), 15)
        print(f"{layout}: {r}/{t} fields = {r / t:.1%}")
        if r / t < 0.97:
            weak[layout] = failures[:1]
        right, total = right + r, total + t
    assert not weak
    assert right / total >= 0.98
