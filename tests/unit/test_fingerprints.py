"""mailbot's own text is recognised however it comes back, and never read as a form again."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime

import pytest

from mailbot.fingerprints import hashes_of, split_own_text, template_hashes
from mailbot.mailtext import html_to_text, split_quoted
from mailbot.outbox.compose import Composer
from mailbot.parse.forms import parse_forms_in_text

COMPANY_FORM = """Bonjour,

Veuillez trouver notre besoin :

Raison sociale : Terrassements Picards SARL
SIRET : 732 829 320 00074
Adresse : 12 rue des Jacobins 80000 Amiens
Contact : Hélène Dupré
Téléphone : 03 22 11 22 33
Courriel : h.dupre@terrassements-picards.fr
Intitulé du poste : Maçon VRD
Nombre de postes : 2
Date de recrutement : 15/01/2027
Type de contrat : CDD
Durée du contrat : 6 mois
Durée hebdomadaire : 35 h
Salaire brut : 1 900 € mensuels
Lieu de travail : Amiens

Cordialement,
Hélène Dupré
"""


def composer() -> Composer:
    return Composer(from_address="clauses@exemple-emploi.fr", from_name="Référent clauses sociales")


def ack_context(form: dict) -> dict:
    job, cond = form["job"], form["conditions"]
    view = {**job, **cond, "ref": "CS-2026-0007", "missing": ["job.required_skills"],
            "problems": [], "market": None, "company_name": form["company"]["legal_name"]}
    return {"company": form["company"], "offers": [view], "original_subject": "Besoin maçon",
            "received_at": datetime(2026, 12, 1, 9, 0, tzinfo=UTC)}


@pytest.fixture(scope="module")
def sent():
    """The acknowledgement mailbot sent for COMPANY_FORM, and what its fingerprint table holds."""
    form = parse_forms_in_text(COMPANY_FORM)[0]
    context = ack_context(form)
    maker = composer()
    subject, text, html = maker.render_parts("company/ack", context)
    known: dict[int, bool] = {}
    for part in (subject, text, html_to_text(html)):
        for value, anchor in hashes_of(part, maker.static_hashes()).items():
            known[value] = known.get(value, False) or anchor
    return text, html, known


def lookup(table: dict[int, bool]):
    return lambda hashes: {h: table[h] for h in hashes if h in table}


def quoted(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines())


STYLES = {
    "only_quotes": lambda t: quoted(t),
    "note_above": lambda t: "Merci, je suis en déplacement, je réponds dès que possible.\n\n" + quoted(t),
    "le_a_ecrit": lambda t: "Le 1 déc. 2026 à 10:02, Référent <clauses@exemple-emploi.fr> a écrit :\n" + t,
    "pasted_rewrapped": lambda t: "Bonjour, votre message a bien été reçu.\n\nVotre message :\n"
    + "\n".join(textwrap.fill(p, 55) for p in t.split("\n\n")),
}


@pytest.mark.parametrize("style", STYLES)
def test_own_acknowledgement_coming_back_is_never_a_form(sent, style):
    text, _html, known = sent
    body = STYLES[style](text)
    new, old = split_quoted(body)
    rest = [split_own_text(part, lookup(known)) for part in (new, old)]
    assert any(r.found for r in rest)
    for part in rest:
        assert parse_forms_in_text(part.other) == []
    assert "CS-2026-0007" in "\n".join(r.own for r in rest)  # the reference still ties the thread


def test_html_paste_is_recognised(sent):
    _text, html, known = sent
    body = "Réponse automatique de la messagerie.\n" + html_to_text(html)
    split = split_own_text(body, lookup(known))
    assert split.found and parse_forms_in_text(split.other) == []
    assert "Réponse automatique" in split.other


def test_a_line_typed_among_quoted_lines_is_kept(sent):
    text, _html, known = sent
    lines = quoted(text).splitlines()
    lines.insert(len(lines) // 2, "Attention : le poste est finalement à Abbeville, pas Amiens.")
    split = split_own_text("\n".join(lines), lookup(known))
    assert "finalement à Abbeville" in split.other
    assert "Voici ce que nous avons compris" not in split.other


def test_the_companys_next_form_repeating_its_details_is_read_whole(sent):
    _text, _html, known = sent
    second = COMPANY_FORM.replace("Maçon VRD", "Canalisateur").replace("Nombre de postes : 2",
                                                                       "Nombre de postes : 1")
    split = split_own_text(second, lookup(known))
    forms = parse_forms_in_text(split.other)
    assert forms and forms[0]["company"]["siret"] == "73282932000074"
    assert forms[0]["company"]["legal_name"] == "Terrassements Picards SARL"
    assert forms[0]["job"]["title"] == "Canalisateur"


def test_another_mailbot_with_the_same_templates_is_recognised(sent):
    """A second mailbot knows only the templates' static wording, not this acknowledgement."""
    text, _html, _known = sent
    anchors = dict.fromkeys(template_hashes(composer().static_texts()), True)
    split = split_own_text(text, lookup(anchors))
    assert split.found
    assert parse_forms_in_text(split.other) == []


def test_unknown_text_is_untouched():
    split = split_own_text(COMPANY_FORM, lookup({}))
    assert not split.found and split.other == COMPANY_FORM


@pytest.mark.parametrize("role", ["company/ack", "company/unreadable", "partner/broadcast",
                                  "partner/referral_ack", "sender/received"])
def test_fast_html_words_match_html_to_text(role):
    """Fingerprints of sent HTML use the fast `html_words`; incoming HTML goes through
    `html_to_text`: both must give the same words, in the same order."""
    from mailbot.fingerprints import _words, html_words
    from mailbot.outbox.samples import sample_contexts

    maker = composer()
    for context in sample_contexts(role) or [{}]:
        _subject, _text, html = maker.render_parts(role, context)
        assert _words(html_words(html)) == _words(html_to_text(html))
