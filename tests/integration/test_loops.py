"""Issue 6, loop safety on real Dovecot + SMTP: careless auto-responders and a second mailbot
never make mailbot read its own text as data again; flood limits hold a correspondent's excess."""

from __future__ import annotations

import json
import textwrap
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    REF,
    broadcast_of_one_offer,
    mailbot,
    offers,
    partner_reply,
    sample,
    sender_of,
    write_config,
)

pytestmark = pytest.mark.integration

ROUNDS = 5
AUTO_HEADERS = ("Auto-Submitted", "X-Auto-Response-Suppress", "X-Mailer", "X-Mailbot-Role",
                "Precedence", "List-Id", "List-Unsubscribe")


def text_of(msg: EmailMessage) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def quoted(text: str) -> str:
    return "\n".join("> " + line for line in text.splitlines())


STYLES = {
    "only_quotes": lambda t: quoted(t),
    "note_above": lambda t: "Je suis en congés, je vous réponds à mon retour.\n\n" + quoted(t),
    "le_a_ecrit": lambda t: f"Le 1 déc. 2026 à 10:02, Référent <{FROM_ADDRESS}> a écrit :\n" + quoted(t),
    "pasted": lambda t: "Bonjour, nous avons bien reçu votre message.\n\nVotre message :\n"
    + "\n\n".join(textwrap.fill(p, 60) for p in t.split("\n\n")),
}


def auto_answer(received: EmailMessage, me: str, style: str, *, threaded: bool) -> bytes:
    """A careless auto-responder's answer: no RFC 3834 header, our text quoted in `style`."""
    answer = EmailMessage(policy=default_policy)
    answer["From"] = me
    answer["To"] = FROM_ADDRESS
    answer["Subject"] = "RE: " + str(received["Subject"])
    answer["Message-ID"] = make_msgid(domain=me.split("@")[1])
    if threaded:
        answer["In-Reply-To"] = str(received["Message-ID"])
    answer.set_content(STYLES[style](text_of(received)))
    return answer.as_bytes()


def run_rounds(dovecot, account, smtp_server, config, responders: dict[str, str], style: str,
               *, threaded: bool) -> list[int]:
    """Run mailbot ROUNDS times; after each round every responder answers what it received."""
    sent_per_round = []
    for _ in range(ROUNDS):
        smtp_server.clear()
        done = mailbot("run", "--once", "--config", str(config))
        assert done.returncode == 0, done.stderr
        sent = list(smtp_server.messages)
        sent_per_round.append(len(sent))
        for envelope in sent:
            for rcpt in envelope.rcpt_tos:
                if rcpt in responders:
                    dovecot.append(account.username, "INBOX",
                                   auto_answer(envelope.message, rcpt, style, threaded=threaded))
    return sent_per_round


@pytest.mark.parametrize("style", list(STYLES))
@pytest.mark.parametrize("who", ["company", "partner"])
def test_auto_responders_quoting_mailbot_create_one_offer(who, style, tmp_path, dovecot,
                                                          imap_account, smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    raw = sample("e03_rfc2047_filename.eml")
    dovecot.append(imap_account.username, "INBOX", raw)
    responders = ({sender_of(raw): "company"} if who == "company"
                  else {email: "partner" for _n, _k, emails, _d in PARTNERS for email in emails})
    # threading headers kept on half the styles: the fingerprints alone must be enough
    threaded = style in ("note_above", "pasted")
    per_round = run_rounds(dovecot, imap_account, smtp_server, config, responders, style,
                           threaded=threaded)
    assert len(offers(config)) == 1
    assert per_round[0] == 1 + len(PARTNERS)
    assert max(per_round) <= per_round[0] and sum(per_round[1:]) == 0, per_round
    assert dovecot.list_uids(imap_account.username, "INBOX") == []


def test_partner_referral_quoting_the_broadcast_is_counted(tmp_path, dovecot, imap_account,
                                                          smtp_server):
    """The reference only in the quoted broadcast (subject changed, no In-Reply-To): still tied."""
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    partner = PARTNERS[0][2][0]
    broadcast = broadcast_of_one_offer(dovecot, imap_account, smtp_server, config, partner)
    reply = message_from_bytes(partner_reply(broadcast, partner, subject="Un candidat"),
                               policy=default_policy)
    del reply["In-Reply-To"], reply["References"]
    body = reply.get_body(preferencelist=("plain",))
    body.set_content("Bonjour,\nVoici un candidat motivé.\nMehdi\n\n" + quoted(text_of(broadcast)))
    smtp_server.clear()
    dovecot.append(imap_account.username, "INBOX", reply.as_bytes())
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    [offer] = offers(config)
    assert offer["referrals"] == 1
    assert [m.rcpt_tos for m in smtp_server.messages] == [[partner]]
    assert offer["ref"] in str(smtp_server.messages[0].message["Subject"])


def relay(msg: EmailMessage) -> bytes:
    """A relay that strips every automatic-mail header."""
    for name in AUTO_HEADERS:
        del msg[name]
    return msg.as_bytes()


def test_two_mailbots_with_auto_headers_stripped_stop(tmp_path, dovecot, smtp_server):
    """Bot A acknowledges a form to an address that another mailbot (B) reads; a relay strips
    the auto headers both ways. After five rounds: one offer in all, nothing more sent."""
    a_account, b_account = dovecot.new_account(), dovecot.new_account()
    a_config = write_config(tmp_path / "a.toml", db_url=f"sqlite:///{tmp_path / 'a.sqlite'}",
                            imap=a_account, smtp=smtp_server)
    b_address = "clauses@autre-agence.example"
    b_config = tmp_path / "b.toml"
    b_config.write_text(
        write_config(tmp_path / "b0.toml", db_url=f"sqlite:///{tmp_path / 'b.sqlite'}",
                     imap=b_account, smtp=smtp_server)
        .read_text(encoding="utf-8")
        .replace(FROM_ADDRESS, b_address)
        .replace("claire.duhamel@exemple-emploi.fr", "referent@autre-agence.example"),
        encoding="utf-8",
    )
    form = message_from_bytes(sample("e06_form_in_body.eml"), policy=default_policy)
    del form["From"]
    form["From"] = b_address  # the company's address is read by the other bot
    dovecot.append(a_account.username, "INBOX", form.as_bytes())
    per_round = []
    for _ in range(ROUNDS):
        smtp_server.clear()
        for config in (a_config, b_config):
            done = mailbot("run", "--once", "--config", str(config))
            assert done.returncode == 0, done.stderr
        sent = list(smtp_server.messages)
        per_round.append(len(sent))
        for envelope in sent:
            if b_address in envelope.rcpt_tos:
                dovecot.append(b_account.username, "INBOX", relay(envelope.message))
            if FROM_ADDRESS in envelope.rcpt_tos:
                dovecot.append(a_account.username, "INBOX", relay(envelope.message))
    assert len(offers(a_config)) + len(offers(b_config)) == 1
    assert per_round[0] == 1 + len(PARTNERS) and sum(per_round[1:]) == 0, per_round


def test_flood_from_one_sender_is_held_and_released(tmp_path, dovecot, imap_account, smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    template = message_from_bytes(sample("e06_form_in_body.eml"), policy=default_policy)
    company = sender_of(sample("e06_form_in_body.eml"))
    body = template.get_content()
    for number in range(30):  # thirty needs (the same job again would revise one offer)
        del template["Message-ID"]
        template["Message-ID"] = make_msgid(domain="flood.example")
        template.set_content(body.replace("PLOMBIER CHAUFFAGISTE", f"PLOMBIER N°{number + 1}"))
        dovecot.append(imap_account.username, "INBOX", template.as_bytes())
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    acks = [m for m in smtp_server.messages if company in m.rcpt_tos]
    assert len(acks) == 10
    assert len(smtp_server.messages) == 10 * (1 + len(PARTNERS))
    listed = offers(config)
    assert len(listed) == 30 and sum(o["status"] == "held" for o in listed) == 20
    held = json.loads(mailbot("outbox", "list", "--status", "held", "--json", "--limit", "500",
                              "--config", str(config)).stdout)
    assert len(held) == 20  # the acknowledgements; a held offer is sent to partners on release
    flagged = json.loads(mailbot("messages", "list", "--flagged", "--json", "--config",
                                 str(config)).stdout)
    assert sum("held" in (m["reason"] or "") for m in flagged) == 20
    # the référent releases one: its acknowledgement and broadcasts go out
    smtp_server.clear()
    ref = next(o["ref"] for o in listed if o["status"] == "held")
    released = mailbot("offers", "release", ref, "--config", str(config))
    assert released.returncode == 0, released.stderr
    assert len(smtp_server.messages) == 1 + len(PARTNERS)
    assert all(ref in str(m.message["Subject"]) for m in smtp_server.messages
               if company not in m.rcpt_tos)


def test_thirty_referrals_from_a_partner_are_all_acknowledged(tmp_path, dovecot, imap_account,
                                                              smtp_server):
    config = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
                          imap=imap_account, smtp=smtp_server)
    partner = PARTNERS[0][2][0]
    broadcast = broadcast_of_one_offer(dovecot, imap_account, smtp_server, config, partner)
    smtp_server.clear()
    for _ in range(30):
        dovecot.append(imap_account.username, "INBOX", partner_reply(broadcast, partner))
    assert mailbot("run", "--once", "--config", str(config)).returncode == 0
    assert len([m for m in smtp_server.messages if partner in m.rcpt_tos]) == 30
    [offer] = offers(config)
    # the same CV thirty times is one person for one offer: stored once, every message answered
    assert offer["referrals"] == 1
    assert REF.search(str(broadcast["Subject"])).group(1) == offer["ref"]
