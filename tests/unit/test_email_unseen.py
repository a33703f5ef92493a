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
