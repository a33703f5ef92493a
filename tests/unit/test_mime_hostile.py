"""Hostile structure and bytes: cleaned text where it can be read, the real cause where not."""

from __future__ import annotations

import pytest

from mailbot.mime import MAX_NESTING, STRUCTURE, read_message, structural_failure
from mailbot.parse import parse_email
from tests.helpers.hostile import EIGHT_BIT_FORM, _deep_nesting, hostile_messages

HOSTILE = dict(hostile_messages())
_CONTROLS = {chr(c) for c in range(32) if chr(c) not in "\t\n"} | {"\x7f"}


def _clean(value: str) -> bool:
    return not (set(value) & _CONTROLS) and not any("\ud800" <= c <= "\udfff" for c in value)


@pytest.mark.parametrize("name", ["nul_subject", "controls_from_name", "controls_raw_headers",
                                  "invalid_utf8", "latin1_headers", "controls_attachment_name"])
def test_headers_names_and_text_come_out_clean(name):
    msg = read_message(HOSTILE[name])
    for value in (msg.subject, msg.from_name, msg.from_address, msg.text,
                  *(a.filename for a in msg.attachments)):
        assert _clean(value), (name, value)
    assert msg.from_address.endswith(".example") or msg.from_address.endswith(".fr")


def test_raw_latin1_and_utf8_headers_are_decoded_not_replaced():
    assert read_message(HOSTILE["latin1_headers"]).subject == "Réponse à votre courrier du 3 février"
    assert read_message(HOSTILE["latin1_headers"]).from_name == "André Péron"
    msg = read_message(HOSTILE["controls_raw_headers"])
    assert msg.message_id == "<ctlid.42@hostile-c.example>"
    assert msg.subject == "Relance dossier]0;pwned mars"


def test_attachment_name_with_nul_and_escape_sequences():
    names = [a.filename for a in read_message(HOSTILE["controls_attachment_name"]).attachments]
    assert names == ["CVCandidate[0m.pdf"]


def test_a_real_form_with_an_8bit_subject_and_nul_in_its_values_is_read():
    parsed = parse_email(HOSTILE[EIGHT_BIT_FORM])
    assert parsed["kind"] == "liaison_form"
    assert parsed["subject"] == "Fiche de liaison – menuisier poseur (marché école)"
    company = parsed["forms"][0]["company"]
    assert company["legal_name"] == "MENUISERIE HÉNIN ET FILS"
    assert company["siret"] == "73282932000074"
    assert structural_failure(parsed) is None


def test_too_many_parts_is_a_structural_failure_with_its_cause():
    parsed = parse_email(HOSTILE["parts_1000"])
    reason = structural_failure(parsed)
    assert reason is not None and reason.startswith(STRUCTURE)
    assert "more than 200 MIME parts" in reason


def test_3000_nested_multiparts_give_the_headers_and_the_cause():
    parsed = parse_email(HOSTILE["nesting_3000"])
    assert "internal_error" not in parsed
    assert parsed["subject"] == "Fiche de liaison (imbriquee)"
    assert parsed["sender"]["address"] == "deep@hostile-h.example"
    assert "nested too deeply" in (structural_failure(parsed) or "")


def test_nesting_the_parser_survives_is_cut_before_anything_recurses_into_it():
    raw = _deep_nesting(300)
    msg = read_message(raw)
    assert any(p.startswith(STRUCTURE) and f"deeper than {MAX_NESTING}" in p for p in msg.problems)
    assert sum(1 for _ in msg.headers.walk()) <= MAX_NESTING + 2  # stdlib walk recurses: safe now
    parsed = parse_email(raw)
    assert "internal_error" not in parsed
    assert "deeper than" in (structural_failure(parsed) or "")


def test_damage_does_not_quarantine_a_form_or_an_automated_message():
    damaged = {"problems": [STRUCTURE + "more than 200 MIME parts"], "auto": False}
    assert structural_failure({**damaged, "forms": [{"company": {}}]}) is None
    assert structural_failure({**damaged, "candidates": [{"cv_filename": "a.pdf"}]}) is None
    assert structural_failure({**damaged, "auto": True}) is None
    assert structural_failure({"problems": ["a.pdf: corrupt"], "auto": False}) is None
