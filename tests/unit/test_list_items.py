"""Multi-line answers keep their own lines for the emails (parse's extra `lines`), while the
contract's value stays the lines joined with spaces."""

from __future__ import annotations

from mailbot.parse.form_build import build_form
from mailbot.parse.normalise import clean_text, list_items
from mailbot.parse.text_form import RawForm


def test_bulleted_or_capitalised_items_are_a_list() -> None:
    text = "- Coffrage des voiles\n- Ferraillage\n• Coulage du béton"
    assert list_items(text) == ["Coffrage des voiles", "Ferraillage", "Coulage du béton"]
    assert clean_text(text) == "Coffrage des voiles Ferraillage Coulage du béton"
    assert list_items("Pose de cloisons\nTravaux de peinture\nNettoyage du chantier") == [
        "Pose de cloisons", "Travaux de peinture", "Nettoyage du chantier"]


def test_a_wrapped_paragraph_or_a_single_line_is_not_a_list() -> None:
    assert list_items("Petits travaux de maçonnerie et\nde carrelage sur chantier") is None
    assert list_items("Réalisation des enduits de façade,\nPose des échafaudages") is None
    assert list_items("Une seule ligne") is None
    assert list_items(None) is None
    assert list_items("  \n……\n") is None


def test_build_form_gives_lines_only_for_list_answers() -> None:
    raw = RawForm(values={
        "job.title": "Maçon",
        "job.main_activities": "• Coffrage\n• Ferraillage",
        "job.required_skills": "Lecture de plans et\nrespect des consignes",
    })
    form = build_form(raw)
    assert form["job"]["main_activities"] == "Coffrage Ferraillage"
    assert form["lines"] == {"job.main_activities": ["Coffrage", "Ferraillage"]}
