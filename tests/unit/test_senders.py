"""Who sent a message: From addr-spec only, our server's Authentication-Results only."""

from __future__ import annotations

import pytest

from mailbot.config import Config
from mailbot.domain.models import Partner
from mailbot.senders import check_sender

SERVER = "mx.agence.example"
PARTNERS = [
    Partner(id=1, name="Mission Locale", kind="ML", emails=["orientation@ml.example"],
            domains=["ml.example"]),
    Partner(id=2, name="Petite SIAE", kind="SIAE", emails=["contact@siae.example"], domains=[]),
]


def config(required: bool = True) -> Config:
    return Config.model_validate({
        "smtp": {"host": "127.0.0.1", "from_address": "clauses@agence.example"},
        "people": {"referent": "referente@agence.example", "facilitateur": "facil@metropole.example"},
        "partners": [
            {"name": "Mission Locale", "kind": "ML", "emails": ["orientation@ml.example"],
             "domains": ["ml.example"]},
            {"name": "Petite SIAE", "kind": "SIAE", "emails": ["contact@siae.example"],
             "authenticated_by": "spf"},
        ],
        "security": {"authserv_id": SERVER, "require_authentication": required},
    })


def raw(from_: str, *extra: str) -> bytes:
    return ("\r\n".join([f"From: {from_}", *extra, "Subject: x", "", "corps"]) + "\r\n").encode()


def check(message: bytes, required: bool = True):
    return check_sender(message, config(required), PARTNERS)


def test_partner_with_dmarc_pass_from_our_server_is_trusted():
    result = check(raw("ML <orientation@ml.example>",
                       f"Authentication-Results: {SERVER}; dmarc=pass header.from=ml.example"))
    assert (result.address, result.role, result.partner_id, result.usable) == (
        "orientation@ml.example", "partner", 1, True)
    assert result.auth == "dmarc=pass"


@pytest.mark.parametrize("header", [
    None,
    "mx.evil.example; dmarc=pass header.from=ml.example",  # someone else's server
    f"{SERVER}; dmarc=none header.from=ml.example",
])
def test_partner_without_our_dmarc_pass_is_not_trusted_when_required(header):
    extra = [f"Authentication-Results: {header}"] if header else []
    result = check(raw("orientation@ml.example", *extra))
    assert result.role == "partner" and not result.trusted and not result.usable
    assert "not authenticated" in result.distrust_reason
    assert check(raw("orientation@ml.example", *extra), required=False).usable


def test_explicit_dmarc_fail_from_our_server_is_never_believed():
    header = f"Authentication-Results: {SERVER}; dmarc=fail header.from=ml.example"
    for required in (True, False):
        result = check(raw("orientation@ml.example", header), required)
        assert not result.usable and "dmarc=fail" in result.distrust_reason


def test_topmost_trusted_header_wins_over_a_forged_one_below():
    result = check(raw("orientation@ml.example",
                       f"Authentication-Results: {SERVER}; dmarc=fail header.from=ml.example",
                       f"Authentication-Results: {SERVER}; dmarc=pass header.from=ml.example"))
    assert not result.usable


def test_spf_partner_needs_aligned_spf_pass():
    ok = f"Authentication-Results: {SERVER}; spf=pass smtp.mailfrom=bounce@siae.example"
    other = f"Authentication-Results: {SERVER}; spf=pass smtp.mailfrom=bounce@relay.example"
    assert check(raw("contact@siae.example", ok)).usable
    assert not check(raw("contact@siae.example", other)).usable
    # the ML partner is not allowed spf alone
    assert not check(raw("orientation@ml.example",
                         f"Authentication-Results: {SERVER}; spf=pass smtp.mailfrom=ml.example")).usable


@pytest.mark.parametrize("from_, why", [
    ("orientation@ml.example <x@evil.example>", "several addresses"),
    ('"orientation@ml.example" <x@evil.example>', "display name holds another address"),
    ("a@one.example, b@two.example", "several addresses"),
    ("Partenaires: a@one.example, b@two.example;", "group"),
    ("undisclosed-recipients:;", "group"),
    ("pas une adresse", "From"),
])
def test_unusable_from_is_a_problem(from_, why):
    result = check(raw(from_))
    assert result.problem and why in result.problem and not result.usable


def test_reply_to_is_used_only_within_the_from_domain():
    same = check(raw("dupont@btp.example", "Reply-To: rh@btp.example"), required=False)
    assert same.answer_address == "rh@btp.example" and same.problem is None
    foreign = check(raw("dupont@btp.example", "Reply-To: x@evil.example"), required=False)
    assert foreign.answer_address == "dupont@btp.example" and foreign.problem is None
    posing = check(raw("x@evil.example", "Reply-To: orientation@ml.example"), required=False)
    assert posing.problem and "Reply-To names" in posing.problem


def test_roles():
    assert check(raw("referente@agence.example"), False).role == "referent"
    assert check(raw("facil@metropole.example"), False).role == "facilitateur"
    assert check(raw("collegue@agence.example"), False).role == "own_domain"
    assert check(raw("conseil@antenne.ml.example"), False).role == "partner"
    assert check(raw("dupont@btp.example"), False).role == "other"
    # a company needs no authentication even when it is required for known parties
    assert check(raw("dupont@btp.example"), True).usable


def test_encoded_display_name_with_line_breaks_is_only_a_name():
    result = check(raw("=?utf-8?q?Soci=C3=A9t=C3=A9=0D=0ABcc=3A_quelqu_un?= <dupont@btp.example>"),
                   False)
    assert result.address == "dupont@btp.example" and result.usable
    assert "\n" not in result.name and "\r" not in result.name
