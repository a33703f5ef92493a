"""The French templates of every role, and the French labels behind them."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.policy import default as default_policy

import pytest

from mailbot.outbox.compose import Composer
from mailbot.outbox.labels_fr import (
    CONTRACT_LABELS,
    FIELD_LABELS,
    company_rows,
    contract_label,
    date_fr,
    datetime_fr,
    field_label,
    hours_fr,
    offer_rows,
    phone_fr,
    problem_fr,
)
from mailbot.parse.types import dotted_fields
from mailbot.resources import templates_dir

ROLES = ("company/ack", "company/unreadable", "partner/broadcast", "partner/referral_ack",
         "sender/received", "company/presentation", "partner/feedback", "partner/offer_update")
EVIL = 'BTP <script>alert("x")</script> & Fils'


def offer(**over) -> dict:
    base = {
        "ref": "CS-2027-0001",
        "title": "Maçon VRD",
        "positions": 2,
        "recruitment_date": "2027-01-15",
        "contract_type": "CONTRAT_PRO",
        "contract_duration": "12 mois",
        "weekly_hours": 24.5,
        "gross_salary": "SMIC + paniers",
        "workplace": "Amiens",
        "main_activities": "Pose de bordures",
        "required_skills": None,
        "experience": None,
        "training": "CAP maçon",
        "special_requirements": None,
        "market": "Marché A – Lot 2",
        "missing": ["company.siret", "job.required_skills"],
        "problems": [],
        "company_name": EVIL,
    }
    return {**base, **over}


CONTEXTS = {
    "company/ack": {
        "company": {
            "legal_name": EVIL,
            "contact_name": "Mme Dupré",
            "siret": "66691595400052",
            "phone": "+33612345678",
            "email": None,
        },
        "offers": [offer()],
        "original_subject": "Fiche de liaison",
        "received_at": datetime(2027, 1, 3, 9, 30, tzinfo=UTC),
    },
    "company/unreadable": {
        "attachments_problems": ["Fiche liaison.pdf: PDF is password-protected"],
        "original_subject": "Fiche de liaison",
    },
    "partner/broadcast": {"partner": {"name": "Mission locale", "kind": "ML"}, "offer": offer()},
    "partner/referral_ack": {
        "partner": {"name": "Cap emploi", "kind": "cap_emploi"},
        "candidates": [{"first_name": "Léa", "last_name": "Durand"}],
        "offer": {"ref": "CS-2027-0001", "title": "Maçon VRD", "company_name": EVIL},
        "original_subject": "Re: [CS-2027-0001] Offre",
    },
    "sender/received": {},
    "company/presentation": {
        "company": {"legal_name": EVIL, "contact_name": "Mme Dupré"},
        "offer": offer(company_name=None, main_activities="Pose de bordures\nCoffrage"),
        "candidates": [{"first_name": "Léa", "last_name": EVIL, "email": "lea@exemple.fr",
                        "phone": "+33612345678", "cv": "CV Léa.pdf"}],
        "contacts": "all",
    },
    "partner/feedback": {
        "partner": {"name": "Cap emploi", "kind": "cap_emploi"}, "full": False,
        "offers": [{"offer": {"ref": "CS-2027-0001", "title": "Maçon VRD", "company_name": EVIL},
                    "candidates": [{"first_name": "Léa", "last_name": "Durand", "status": "hired",
                                    "state": "retenue", "reason": None, "comment": EVIL,
                                    "comment_withheld": False,
                                    "contract": {"type": "CDD", "start": "2027-02-01",
                                                 "end": None, "duration": "6 mois",
                                                 "weekly_hours": 35}}]}],
    },
    "partner/offer_update": {"partner": {"name": "Cap emploi", "kind": "cap_emploi"},
                             "offer": {"ref": "CS-2027-0001", "title": "Maçon VRD",
                                       "company_name": EVIL},
                             "state": "closed"},
}


@pytest.fixture(scope="module")
def composer() -> Composer:
    return Composer(
        from_address="clauses@agence.example.fr",
        from_name="Référent clauses sociales",
        signature={"name": "Hélène Martin", "title": "Référente", "phone": "03 22 00 00 00"},
    )


def parts(composer: Composer, role: str, ctx: dict) -> tuple[str, str, str]:
    msg = composer.render(role, ctx, to=["dest@example.org"])
    parsed = message_from_bytes(msg.as_bytes(), policy=default_policy)
    return (
        str(parsed["Subject"]),
        parsed.get_body(("plain",)).get_content(),
        parsed.get_body(("html",)).get_content(),
    )


def test_every_role_has_its_three_parts_documented():
    for role in ROLES:
        for part in ("subject", "txt", "html"):
            source = (templates_dir() / f"{role}.{part}.j2").read_text(encoding="utf-8")
            assert source.startswith("{#"), f"{role}.{part}.j2 must document its context on top"


@pytest.mark.parametrize("role", ROLES)
def test_role_renders_french_text_and_html(composer, role):
    subject, text, html = parts(composer, role, CONTEXTS[role])
    assert "Bonjour" in text and "Cordialement" in text and "Hélène Martin" in text
    assert not re.search(r"<\s*/?\s*(p|br|div|table|strong|ul|li|html)\b", text)
    assert "None" not in text and "None" not in html and "Undefined" not in text
    assert "<script>" not in html  # escaped wherever a company name shows
    assert '<html lang="fr">' in html
    assert "\n" not in subject


def test_ack_content(composer):
    subject, text, html = parts(composer, "company/ack", CONTEXTS["company/ack"])
    assert subject == "Accusé de réception – [CS-2027-0001] Maçon VRD"
    assert "CS-2027-0001" in text and "CS-2027-0001" in html
    assert "Contrat de professionnalisation" in text
    assert "SIRET : 666 915 954 00052" in text and "Téléphone : 06 12 34 56 78" in text
    assert "15 janvier 2027" in text
    assert "24,5 h" in text
    assert "3 janvier 2027 à 10:30" in text  # Paris time
    assert "Informations manquantes" in text
    assert "SIRET" in text and "Compétences requises" in text
    assert "company.siret" not in text and "job.required_skills" not in html
    assert "en répondant simplement à ce message" in text
    assert "partenaires" in text
    assert "&lt;script&gt;" in html
    assert EVIL in text  # the text part is not escaped


def test_ack_with_several_offers_lists_every_ref(composer):
    ctx = {
        **CONTEXTS["company/ack"],
        "offers": [offer(), offer(ref="CS-2027-0002", title="Chef d'équipe", missing=[])],
    }
    subject, text, _ = parts(composer, "company/ack", ctx)
    assert subject == "Accusé de réception – [CS-2027-0001] [CS-2027-0002]"
    assert "vos 2 offres" in text and "Chef d'équipe" in text


def test_ack_complete_offer_does_not_ask_for_anything(composer):
    ctx = {**CONTEXTS["company/ack"], "offers": [offer(missing=[], problems=[])]}
    _, text, _ = parts(composer, "company/ack", ctx)
    assert "Informations manquantes" not in text
    assert "Si une information est inexacte" in text


def test_ack_problems_are_in_french(composer):
    ctx = {
        **CONTEXTS["company/ack"],
        "offers": [offer(missing=[], problems=["company.siret: invalid SIRET checksum"])],
    }
    _, text, _ = parts(composer, "company/ack", ctx)
    assert "Points à vérifier" in text and "SIRET : numéro SIRET invalide" in text
    assert "checksum" not in text


def test_ack_survives_an_empty_offer(composer):
    empty = dict.fromkeys(offer(), None) | {"ref": "CS-2027-0009", "missing": [], "problems": []}
    ctx = {"company": {}, "offers": [empty], "original_subject": None, "received_at": None}
    subject, text, html = parts(composer, "company/ack", ctx)
    assert subject == "Accusé de réception – [CS-2027-0009]"
    assert "None" not in text and "None" not in html


def test_unreadable_content(composer):
    subject, text, html = parts(composer, "company/unreadable", CONTEXTS["company/unreadable"])
    assert subject == "Votre formulaire n'a pas pu être lu – Fiche de liaison"
    assert "Fiche liaison.pdf : fichier PDF protégé par un mot de passe" in text
    assert "password" not in text and "password" not in html
    assert "PDF ou Word" in text and "en répondant simplement à ce message" in text
    assert "Raison sociale :" in text  # the fields to give in the body


def test_broadcast_content(composer):
    subject, text, html = parts(composer, "partner/broadcast", CONTEXTS["partner/broadcast"])
    assert subject.startswith("[CS-2027-0001] Offre clause sociale – Maçon VRD – BTP")
    assert "Entreprise : " + EVIL in text
    assert "&lt;script&gt;" in html
    assert "CV" in text and "[CS-2027-0001]" in text
    assert "publics" in text.lower() or "éloignées de l'emploi" in text
    assert "Compétences requises" in text  # not given by the company yet
    assert "SIRET" not in text  # the company's own gaps are not the partner's business


def test_referral_ack_known_offer(composer):
    subject, text, _ = parts(composer, "partner/referral_ack", CONTEXTS["partner/referral_ack"])
    assert "[CS-2027-0001]" in subject
    assert "Léa Durand" in text and "CS-2027-0001" in text
    assert "la candidature" in text


def test_referral_ack_unknown_offer_and_unnamed_candidates(composer):
    ctx = {
        "partner": None,
        "offer": None,
        "original_subject": "CV",
        "candidates": [
            {"first_name": "Léa", "last_name": None},
            {"first_name": None, "last_name": None},
        ],
    }
    subject, text, _ = parts(composer, "partner/referral_ack", ctx)
    assert subject == "Candidatures bien reçues – CV"
    assert "pas pu identifier l'offre" in text and "reviendra vers vous" in text
    assert "Léa" in text and "candidat n° 2" in text


# --- labels_fr -------------------------------------------------------------------------------


def test_every_form_field_has_a_french_label():
    for dotted in dotted_fields():
        assert dotted in FIELD_LABELS, dotted
    assert field_label("company.siret") == "SIRET"
    assert field_label("conditions.weekly_hours") == "Durée hebdomadaire de travail"
    assert field_label("company.legal_name") == "Raison sociale"


def test_contract_labels():
    assert set(CONTRACT_LABELS) == {
        "CDI",
        "CDD",
        "INTERIM",
        "CONTRAT_PRO",
        "APPRENTISSAGE",
        "CDDI",
        "AUTRE",
    }
    assert contract_label("INTERIM") == "Intérim"
    assert contract_label("contrat_pro") == "Contrat de professionnalisation"
    assert contract_label("CDDI").startswith("CDDI (contrat à durée déterminée d'insertion")
    assert contract_label("Saisonnier") == "Saisonnier"
    assert contract_label(None) == ""


@pytest.mark.parametrize(
    ("english", "french"),
    [
        (
            "Fiche.pdf: PDF is password-protected",
            "Fiche.pdf : fichier PDF protégé par un mot de passe",
        ),
        (
            "Fiche.pdf: corrupt or truncated PDF (Data format error)",
            "Fiche.pdf : fichier PDF endommagé ou incomplet",
        ),
        (
            "gros.pdf: file too large (30 MB > 25 MB limit)",
            "gros.pdf : fichier trop volumineux (30 Mo, maximum 25 Mo)",
        ),
        (
            "long.pdf: PDF has 50 pages (limit 40)",
            "long.pdf : document trop long (50 pages, maximum 40)",
        ),
        ("a.docx: corrupt or truncated DOCX", "a.docx : document Word endommagé ou incomplet"),
        (
            "image.png: not a PDF or DOCX document",
            "image.png : ce fichier n'est ni un PDF ni un document Word",
        ),
        ("PDF is password-protected", "fichier PDF protégé par un mot de passe"),
        ("x.pdf: some new English reason", "x.pdf : ce document n'a pas pu être lu"),
        (
            "company.siret: numéro SIRET invalide (clé de contrôle Luhn incorrecte)",
            "SIRET : numéro SIRET invalide (clé de contrôle Luhn incorrecte)",
        ),
    ],
)
def test_problem_fr(english, french):
    assert problem_fr(english) == french


def test_dates_and_numbers_in_french():
    assert date_fr("2027-01-15") == "15 janvier 2027"
    assert date_fr(date(2027, 8, 1)) == "1er août 2027"
    assert date_fr("bientôt") == "bientôt" and date_fr(None) == ""
    assert datetime_fr(datetime(2027, 7, 1, 12, 0, tzinfo=UTC)) == "1er juillet 2027 à 14:00"
    assert hours_fr(35.0) == "35 h" and hours_fr(24.5) == "24,5 h" and hours_fr(None) == ""


def test_offer_rows_skip_empty_fields_and_translate():
    rows = dict(offer_rows(offer(), company=True))
    assert rows["Type de contrat"] == "Contrat de professionnalisation"
    assert rows["Entreprise"] == EVIL
    assert "Compétences requises" not in rows
    assert "Entreprise" not in dict(offer_rows(offer()))
    assert offer_rows(None) == []


def test_company_rows_and_phones():
    rows = company_rows(
        {
            "legal_name": "X",
            "siret": "12345678901234",
            "phone": "+32470123456",
            "email": "",
            "address": None,
        }
    )
    assert rows == [
        ("Raison sociale", "X"),
        ("SIRET", "123 456 789 01234"),
        ("Téléphone", "+32 470 12 34 56"),
    ]
    assert phone_fr("+33322000000") == "03 22 00 00 00"
    assert phone_fr("pas de numéro") == "pas de numéro"
    assert company_rows(None) == []


def test_referral_ack_tells_the_truth_about_an_unknown_reference(composer):
    ctx = {**CONTEXTS["partner/referral_ack"], "offer": None, "unknown_ref": "CS-2027-0999"}
    _subject, text, html = parts(composer, "partner/referral_ack", ctx)
    for body in (text, html):
        assert "CS-2027-0999" in body and "ne correspond à aucune offre" in body
        assert "n'apparaît pas" not in body


def test_neutral_answer_to_an_unknown_sender_names_nothing(composer):
    subject, text, html = parts(composer, "sender/received", {})
    assert subject == "Votre message a bien été reçu"
    assert "bien reçu votre message" in text and "bien reçu votre message" in html
    for body in (subject, text, html):
        assert "CS-" not in body and "offre" not in body


@pytest.mark.parametrize("role", ["company/ack", "partner/broadcast", "company/presentation"])
def test_lines_people_wrote_are_shown_as_lists(composer, role):
    lines = offer(main_activities="- Pose de bordures\n- Coffrage\n\n• Finitions",
                  required_skills="Lecture de plans")
    context = dict(CONTEXTS[role])
    if role == "company/ack":
        context["offers"] = [lines]
    else:
        context["offer"] = lines
    _subject, text, html = parts(composer, role, context)
    assert ("  - Principales activités :\n      • Pose de bordures\n      • Coffrage\n"
            "      • Finitions\n") in text
    assert "<ul style=\"margin:0;padding-left:18px;\"><li>Pose de bordures</li><li>Coffrage</li>" \
           "<li>Finitions</li></ul>" in html
    assert "  - Compétences requises : Lecture de plans\n" in text  # one line stays one row
    assert dict(offer_rows(lines))["Principales activités"] == "Pose de bordures\nCoffrage\nFinitions"
