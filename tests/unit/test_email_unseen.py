"""Held-out e-mails (tests/helpers/unseen_emails.py): forwards, replies, referrals, MIME oddities,
auto-replies, bounces and mail that must stay `unknown`. Scored as an outside examiner would:
each case is reported, and the whole corpus must reach the accuracy asserted at the end."""

from __future__ import annotations

import json

import pytest

from mailbot.parse import parse_email
from tests.helpers.compare import compare_result
from tests.helpers.unseen_emails import OWN, email_cases, find_offer
from tests.helpers.unseen_score import score_emails

CASES = email_cases()
KIND_ACCURACY = 1.0
FIELD_ACCURACY = 0.95


def test_corpus_is_large_and_varied():
    assert len(CASES) >= 25
    kinds = {case.truth["kind"] for case in CASES}
    assert kinds == {"liaison_form", "partner_referral", "auto_reply", "bounce", "unknown"}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_unseen_email(case):
    got = parse_email(case.raw, find_offer_by_message_id=find_offer, own_addresses=OWN)
    json.dumps(got, ensure_ascii=False)
    assert "internal_error" not in got
    assert got["kind"] == case.truth["kind"]
    assert compare_result(got, case.truth) == []


def test_unseen_email_accuracy():
    score = score_emails()
    print(f"kinds {score.kind_rate:.0%}, fields {score.field_rate:.1%}")
    assert score.kind_rate >= KIND_ACCURACY, score.mismatches
    assert score.field_rate >= FIELD_ACCURACY, score.mismatches


def test_machine_messages_are_never_answered():
    for case in CASES:
        if case.truth["kind"] in ("auto_reply", "bounce"):
            got = parse_email(case.raw, find_offer_by_message_id=find_offer, own_addresses=OWN)
            assert got["auto"] is True, case.name


@pytest.mark.parametrize(
    "text,ref",
    [
        ("[CS-2027-0012]", "CS-2027-0012"),
        ("offre CS 2027-0012 ci-dessous", "CS-2027-0012"),
        ("réf. cs–2027–0012.", "CS-2027-0012"),
        ("CS-2027-12345", "CS-2027-12345"),
        ("SIRET 12345678900012 – CS-27-12", None),
    ],
)
def test_offer_reference_as_people_write_it(text, ref):
    from mailbot.parse.referral import _ref

    assert _ref(text) == ref


def test_signature_starts_at_the_senders_name():
    from mailbot.parse.referral import body_without_signature

    text = "Bonjour,\nCV de M. Hugo PETIT ci-joint.\n\nMme Sophie MARTIN – PLIE\n06 12 00 00 01"
    body, signature = body_without_signature(text, "Sophie Martin")
    assert "Hugo" in body and "06 12" in signature
    assert body_without_signature(text)[1] == ""  # no sender name, no closing: all body


def _plain_mail(subject: str, text: str, sender: str = "Sophie <s@plie.fr>", **headers) -> bytes:
    from email.message import EmailMessage

    msg = EmailMessage()
    msg["From"], msg["To"], msg["Subject"] = sender, OWN[0], subject
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    msg.set_content(text)
    return msg.as_bytes()


def test_a_person_writing_non_remis_is_no_bounce():
    raw = _plain_mail("Non remis : le CV de Karim ?", "Bonjour, le CV n'a pas été remis ?")
    assert parse_email(raw)["kind"] == "unknown"
    raw = _plain_mail("Non remis : x", "…", "Postmaster <postmaster@plie.fr>")
    assert parse_email(raw)["kind"] == "bounce"


def test_absence_without_what_to_do_meanwhile_is_a_person():
    raw = _plain_mail("RE: offre", "Je suis absente demain, je vous appelle jeudi.")
    assert parse_email(raw)["kind"] == "unknown"
    raw = _plain_mail("RE: offre", "Je suis absente jusqu'au 3 mai. Pour toute urgence : accueil.")
    assert parse_email(raw)["kind"] == "auto_reply"
