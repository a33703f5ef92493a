"""Issue 6, sender authentication on real Dovecot + SMTP: forged senders change nothing and never
reach the attacker; only our own server's Authentication-Results count."""

from __future__ import annotations

import json
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from tests.integration.loop_helpers import (
    PARTNERS,
    broadcast_of_one_offer,
    mailbot,
    offers,
    partner_reply,
    sample,
    sender_of,
    write_config,
)

pytestmark = pytest.mark.integration

SERVER = "mx.exemple-emploi.fr"
PARTNER = PARTNERS[0][2][0]  # orientation@exemple-ml.fr
REFERENT = "claire.duhamel@exemple-emploi.fr"
ATTACKER = "x@evil.example"


def config_for(tmp_path, imap, smtp, *, required: bool):
    path = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                        imap=imap, smtp=smtp)
    path.write_text(path.read_text(encoding="utf-8") + f"""
[security]
authserv_id = "{SERVER}"
require_authentication = {"true" if required else "false"}
""", encoding="utf-8")
    return path


def with_headers(raw: bytes, *, drop=(), **headers: str) -> bytes:
    msg = message_from_bytes(raw, policy=default_policy)
    for name in (*drop, *[h.replace("_", "-") for h in headers]):
        del msg[name]
    for name, value in headers.items():
        msg[name.replace("_", "-")] = value
    del msg["Message-ID"]
    msg["Message-ID"] = make_msgid(domain="test.example")
    return msg.as_bytes()


def raw_from(raw: bytes, from_line: bytes) -> bytes:
    """Replace the From header with raw bytes (for headers the email package would fix)."""
    head, _, body = raw.partition(b"\n\n")
    lines = [line for line in head.split(b"\n") if not line.lower().startswith(b"from:")]
    return b"\n".join([b"From: " + from_line, *lines]) + b"\n\n" + body


def ar(result: str, server: str = SERVER, domain: str = "exemple-ml.fr") -> str:
    return f"{server}; spf={result} smtp.mailfrom={domain}; dmarc={result} header.from={domain}"


def messages(config):
    done = mailbot("messages", "list", "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture
def setup(tmp_path, dovecot, imap_account, smtp_server, request):
    """One offer broadcast; returns (config, broadcast to the first partner)."""
    config = config_for(tmp_path, imap_account, smtp_server, required=request.param)
    broadcast = broadcast_of_one_offer(dovecot, imap_account, smtp_server, config, PARTNER)
    smtp_server.clear()
    return config, broadcast


def attack_cases(broadcast: EmailMessage) -> dict[str, tuple[bytes, str]]:
    """name -> (raw message, words the flag reason must hold)."""
    referral = partner_reply(broadcast, PARTNER)
    forward = with_headers(sample("e04_forward_message_rfc822.eml"), From=f"Claire <{REFERENT}>")
    forward = forward.replace(b"berenicedupre@lefevre-et-fils-btp.fr", ATTACKER.encode())
    return {
        "forged_from": (referral, "not authenticated"),
        "reply_to_only": (with_headers(referral, From=f"Mehdi <{ATTACKER}>", Reply_To=PARTNER),
                          "Reply-To names"),
        "display_name": (raw_from(with_headers(referral), f"{PARTNER} <{ATTACKER}>".encode()),
                         "several addresses in From"),
        "quoted_display_name": (raw_from(with_headers(referral), f'"{PARTNER}" <{ATTACKER}>'.encode()),
                                "display name holds another address"),
        "dmarc_fail": (with_headers(referral, Authentication_Results=ar("fail")), "dmarc=fail"),
        "pass_from_other_server": (
            with_headers(referral, Authentication_Results=ar("pass", server="mx.evil.example")),
            "not authenticated"),
        "forged_referent": (forward, "not authenticated"),
    }


@pytest.mark.parametrize("setup", [True], indirect=True, ids=["required"])
def test_forged_senders_change_nothing_when_authentication_is_required(setup, dovecot,
                                                                       imap_account, smtp_server):
    config, broadcast = setup
    cases = attack_cases(broadcast)
    for raw, _why in cases.values():
        dovecot.append(imap_account.username, "INBOX", raw)
    before = offers(config)
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert offers(config) == before  # no referral counted, no offer made
    assert smtp_server.messages == []  # nobody answered, least of all the attacker
    listed = messages(config)[: len(cases)][::-1]
    for (name, (_raw, why)), row in zip(cases.items(), listed, strict=True):
        assert row["flagged"], name
        assert why in (row["reason"] or ""), (name, row["reason"])
    # the real partner, authenticated by our server, is counted and answered
    dovecot.append(imap_account.username, "INBOX",
                   with_headers(partner_reply(broadcast, PARTNER), Authentication_Results=ar("pass")))
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    assert offers(config)[0]["referrals"] == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [[PARTNER]]


@pytest.mark.parametrize("setup", [False], indirect=True, ids=["not_required"])
def test_what_holds_without_required_authentication(setup, dovecot, imap_account, smtp_server):
    """Without required authentication a forged From cannot be told apart, but display names
    and Reply-To never identify anyone, an explicit dmarc=fail from our server is believed,
    and answers never go to a foreign Reply-To."""
    config, broadcast = setup
    cases = attack_cases(broadcast)
    still_refused = ("reply_to_only", "display_name", "quoted_display_name", "dmarc_fail")
    for name in still_refused:
        dovecot.append(imap_account.username, "INBOX", cases[name][0])
    company_form = with_headers(sample("e06_form_in_body.eml"), Reply_To=ATTACKER)
    dovecot.append(imap_account.username, "INBOX", company_form)
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert offers(config)[0]["referrals"] == 0
    assert len(offers(config)) == 2  # the company's form is handled...
    recipients = [r for m in smtp_server.messages for r in m.rcpt_tos]
    assert ATTACKER not in recipients  # ...and acknowledged to its From, not the foreign Reply-To
    assert sender_of(sample("e06_form_in_body.eml")) in recipients
    listed = messages(config)[1 : 1 + len(still_refused)][::-1]
    for name, row in zip(still_refused, listed, strict=True):
        assert row["flagged"] and cases[name][1] in (row["reason"] or ""), (name, row["reason"])


def test_crlf_in_an_encoded_display_name_never_adds_a_recipient(tmp_path, dovecot, imap_account,
                                                                smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    company = sender_of(sample("e06_form_in_body.eml"))
    raw = raw_from(sample("e06_form_in_body.eml"),
                   b"=?utf-8?q?Soci=C3=A9t=C3=A9=0D=0ABcc=3A_attacker=40x=2Eexample?= <"
                   + company.encode() + b">")
    dovecot.append(imap_account.username, "INBOX", raw)
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    recipients = [r for m in smtp_server.messages for r in m.rcpt_tos]
    assert not any("attacker" in r for r in recipients)
    for m in smtp_server.messages:
        assert "attacker" not in str(m.message["To"]) and m.message["Bcc"] is None
    [row] = messages(config)
    # an address hidden in the display name is an impersonation attempt: flagged, not answered
    assert row["flagged"] and "display name holds another address" in row["reason"]
    assert recipients == []
