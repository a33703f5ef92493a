"""Held-out CVs (tests/helpers/unseen_cvs.py): name layouts, labelled fields, headers, tables,
two columns, English headings, phone and e-mail spellings, CVs without contact data."""

from __future__ import annotations

import pytest

from mailbot.parse import parse_document
from tests.helpers.unseen_cvs import cv_cases
from tests.helpers.unseen_score import score_cvs

CASES = cv_cases()
KIND_ACCURACY = 1.0
FIELD_ACCURACY = 0.95


def test_corpus_is_large_enough():
    assert len(CASES) >= 15
    assert {c.filename.rsplit(".", 1)[1] for c in CASES} == {"pdf", "docx"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_unseen_cv(case):
    got = parse_document(case.data, case.filename)
    assert got["kind"] == "cv"
    assert got["candidate"] == case.candidate


def test_unseen_cv_accuracy():
    score = score_cvs()
    print(f"kinds {score.kind_rate:.0%}, fields {score.field_rate:.1%}")
    assert score.kind_rate >= KIND_ACCURACY, score.mismatches
    assert score.field_rate >= FIELD_ACCURACY, score.mismatches


@pytest.mark.parametrize(
    "filename,expected",
    [
        ("CV_Rachid_HAMMOUDI.pdf", ("Rachid", "Hammoudi")),
        ("CV - Marie DUPONT.docx", ("Marie", "Dupont")),
        ("cv-justine-lhomme.pdf", None),  # lowercase words: not reliable enough
        ("document.docx", None),
        ("CV 2027.pdf", None),
        ("Fiche de positionnement.pdf", None),
    ],
)
def test_name_from_filename(filename, expected):
    from mailbot.parse.cv import name_from_filename

    assert name_from_filename(filename) == expected


def test_other_candidate_documents_are_not_cvs_by_name():
    from mailbot.parse.cv import not_a_cv_filename

    assert not_a_cv_filename("Fiche de positionnement - DIALLO.pdf")
    assert not_a_cv_filename("Lettre de motivation.docx")
    assert not not_a_cv_filename("CV et lettre de motivation.pdf")
    assert not not_a_cv_filename("Karim BENALI.pdf")
