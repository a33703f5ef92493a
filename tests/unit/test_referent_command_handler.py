"""The référent's commands and people's replies through the real pipeline on SQLite (no servers):
who is obeyed, what one refused line leaves behind, who is told, what is forwarded."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot import journal
from mailbot.config import load_config
from mailbot.db import make_engine
from mailbot.domain.models import AuditEvent, InboundMessage, Offer, OutboxMessage, Referral
from mailbot.handlers.human_reply import says_something
from mailbot.pipeline import Pipeline
from tests.helpers.decisions_data import REFERENT, fill_world, write_config

SERVER = "mx.exemple-emploi.fr"
OURS = "clauses.amiens@exemple-emploi.fr"


@pytest.fixture
def setup(tmp_path: Path, request):
    url = f"sqlite:///{tmp_path / 'm.db'}"
    world = fill_world(url)
    required = getattr(request, "param", True)
    path = write_config(tmp_path / "config.toml", url)
    path.write_text(path.read_text(encoding="utf-8") + f"""
[security]
authserv_id = "{SERVER}"
require_authentication = {"true" if required else "false"}
""", encoding="utf-8")
    engine = make_engine(url)
    pipeline = Pipeline(load_config(path), engine, transport=None)
    yield pipeline, engine, world
    engine.dispose()


def mail(lines: list[str], *, sender: str = REFERENT, dmarc: str | None = "pass",
         in_reply_to: str | None = None, headers: dict | None = None) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = sender
    msg["To"] = OURS
    msg["Subject"] = "Décisions"
    msg["Message-ID"] = make_msgid(domain="exemple.test")
    if in_reply_to:
        msg["In-Reply-To"] = msg["References"] = in_reply_to
    if dmarc:
        domain = sender.rpartition("@")[2]
        msg["Authentication-Results"] = f"{SERVER}; dmarc={dmarc} header.from={domain}"
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement\n")
    return msg.as_bytes()


def run(pipeline: Pipeline, raw: bytes) -> InboundMessage:
    inbound_id = journal.journal_raw(pipeline.engine, "test", raw)
    pipeline.process_one(inbound_id)
    with Session(pipeline.engine) as session:
        return session.get(InboundMessage, inbound_id)


def outbox(engine, inbound_id: int) -> list[OutboxMessage]:
    with Session(engine) as session:
        return list(session.exec(select(OutboxMessage).where(OutboxMessage.inbound_id == inbound_id)))


def text(row: OutboxMessage) -> str:
    return message_from_bytes(row.raw, policy=default_policy).get_body(("plain",)).get_content()


def status(engine, referral_id: int) -> str:
    with Session(engine) as session:
        return session.get(Referral, referral_id).status


def audit(engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent)))


def test_a_refused_line_leaves_nothing_and_the_others_are_done(setup) -> None:
    pipeline, engine, w = setup
    # the offer starts on 1 Feb 2027: an end before it is refused after the state was set
    entry = run(pipeline, mail([f"R{w.r1} retenu fin 2027-01-15", f"R{w.r2} présentée",
                                f"R{w.r3} non retenu motif: absent", "CS-2027-0002 clore",
                                "CS-2027-0002 clore", "Pouvez-vous relancer ?"]))
    assert entry.kind == "referent_command" and entry.status == "processed"
    assert (status(engine, w.r1), status(engine, w.r2), status(engine, w.r3)) == (
        "new", "presented", "not_hired")
    events = audit(engine)
    assert sorted(e.action for e in events) == ["offer_close", "present", "reject"]
    assert all((e.actor, e.channel, e.inbound_id) == ("referent", "email", entry.id) for e in events)
    with Session(engine) as session:
        assert session.exec(select(Offer.status).where(Offer.ref == "CS-2027-0002")).one() == "closed"
    [confirmation] = [r for r in outbox(engine, entry.id) if r.role == "referent/confirmation"]
    assert confirmation.recipients == [REFERENT]
    body = text(confirmation)
    assert f"R{w.r1} : la fin du contrat précède son début" in body
    assert f"Fait : R{w.r2} – Bruno Petit, CS-2027-0001 : présentée à l'entreprise" in body
    assert "motif : absent à l'entretien" in body
    assert "CS-2027-0002 : l'offre est déjà clôturée" in body
    assert "« Pouvez-vous relancer ? »" in body and "Non comprise" in body
    assert entry.flagged and "3 refused or not understood" in entry.reason


def test_undo_and_a_transition_not_allowed_are_said_in_french(setup) -> None:
    pipeline, engine, w = setup
    run(pipeline, mail([f"R{w.r1} retenu CDI 35h"]))
    assert status(engine, w.r1) == "hired"
    entry = run(pipeline, mail([f"R{w.r1} à l'étude", f"R{w.r1} retenu", f"R{w.r1} annuler"]))
    assert status(engine, w.r1) == "new"
    body = text(next(r for r in outbox(engine, entry.id) if r.role == "referent/confirmation"))
    assert "impossible de la passer « à l'étude »" in body
    assert f"R{w.r1} : déjà retenue" in body
    assert "décision annulée, de nouveau nouvelle (était retenue)" in body


@pytest.mark.parametrize(("sender", "dmarc", "setup", "why", "told"), [
    (REFERENT, "fail", True, "not authenticated", True),
    (REFERENT, None, True, "not authenticated", True),
    (REFERENT, "pass", False, "require_authentication is off", True),
    ("jerome.tellier@exemple-emploi.fr", "pass", True, "not the référent", True),
    ("x@evil.example", "pass", True, "not the référent", False),
    ("orientation@exemple-ml.fr", "pass", True, "not the référent", False),
], indirect=["setup"], ids=["dmarc_fail", "no_auth", "auth_off", "colleague", "stranger", "partner"])
def test_commands_from_anyone_else_change_nothing(setup, sender, dmarc, why, told) -> None:
    pipeline, engine, w = setup
    entry = run(pipeline, mail([f"R{w.r1} présentée", "CS-2027-0001 clore"], sender=sender,
                               dmarc=dmarc))
    assert entry.kind == "referent_command"
    assert status(engine, w.r1) == "new" and audit(engine) == []
    assert entry.flagged and why in entry.reason
    rows = outbox(engine, entry.id)
    if told:  # the configured référent is told, never the From
        [row] = rows
        assert row.recipients == [REFERENT] and row.role == "referent/confirmation"
        assert "Aucune n'a été appliquée" in text(row) and f"« R{w.r1} présentée »" in text(row)
    else:
        assert rows == []


def _our_email(engine, offer_ref: str = "CS-2027-0001") -> str:
    """An acknowledgement mailbot sent to the company, as an outbox row; its Message-ID."""
    from mailbot.db import session_scope

    with session_scope(engine) as session:
        offer = session.exec(select(Offer).where(Offer.ref == offer_ref)).one()
        row = OutboxMessage(message_id=make_msgid(domain="exemple-emploi.fr"), role="company/ack",
                            envelope_from=OURS, recipients=["rh@btp-picardie.fr"],
                            subject=f"Accusé de réception [{offer_ref}]", raw=b"x",
                            status="sent", offer_id=offer.id, to_key="rh@btp-picardie.fr")
        session.add(row)
        return row.message_id


def test_a_company_answer_is_forwarded_with_the_original(setup) -> None:
    pipeline, engine, _w = setup
    ours = _our_email(engine)
    raw = mail(["Le chantier commence le 3 mars, merci de faire vite."], sender="rh@btp-picardie.fr",
               dmarc=None, in_reply_to=ours)
    entry = run(pipeline, raw)
    assert entry.kind == "reply" and not entry.flagged  # short: the chain says "reply"
    [row] = outbox(engine, entry.id)
    assert (row.role, row.recipients) == ("referent/forward", [REFERENT])
    message = message_from_bytes(row.raw, policy=default_policy)
    assert str(message["Reply-To"]) == "rh@btp-picardie.fr"
    body = message.get_body(("plain",)).get_content()
    assert "CS-2027-0001" in body and "BTP Picardie" in body and "accusé de réception" in body
    assert "3 mars" not in body  # the person's words travel only in the attachment
    [attached] = [p for p in message.iter_attachments() if p.get_content_type() == "message/rfc822"]
    assert attached.get_payload(0).as_bytes().count(b"3 mars") == 1


@pytest.mark.parametrize(("sender", "extra"), [
    (REFERENT, {}),  # the référent's own mail
    (OURS, {}),  # our own address
    ("rh@btp-picardie.fr", {"X-Mailbot-Role": "company/ack"}),  # one of our emails come back
    ("rh@btp-picardie.fr", {"Auto-Submitted": "auto-replied"}),  # automated
])
def test_never_forwarded(setup, sender, extra) -> None:
    pipeline, engine, _w = setup
    ours = _our_email(engine)
    entry = run(pipeline, mail(["Le chantier commence le 3 mars, merci de faire vite."], sender=sender,
                               in_reply_to=ours, headers=extra))
    assert [r.role for r in outbox(engine, entry.id)] == []


def test_not_a_reply_to_us_is_only_flagged(setup) -> None:
    pipeline, engine, _w = setup
    entry = run(pipeline, mail(["Le chantier commence le 3 mars, merci de faire vite."],
                               sender="rh@btp-picardie.fr", dmarc=None))
    assert entry.flagged and outbox(engine, entry.id) == []


def test_forwards_past_the_flood_limit_are_held(setup) -> None:
    pipeline, engine, _w = setup
    ours = _our_email(engine)
    limit = pipeline.config.limits.answers_per_sender_per_day
    statuses = []
    for n in range(limit + 1):
        entry = run(pipeline, mail([f"Question numéro {n} sur le chantier de mars."],
                                   sender="rh@btp-picardie.fr", dmarc=None, in_reply_to=ours))
        statuses.extend(r.status for r in outbox(engine, entry.id))
    assert statuses == ["pending"] * limit + ["held"]
    assert entry.flagged and "forward held" in entry.reason


@pytest.mark.parametrize(("body", "expected"), [
    ("Merci, bien reçu.", False),
    ("Bonjour,\nMerci pour votre retour.\nCordialement\nPaul Martin", False),
    ("Je suis absente jusqu'au 12 mars, pour toute urgence contactez Paul.", False),
    ("OK pour lundi 10h", True),
    ("Bonjour,\nLe candidat est-il disponible ?\nCordialement", True),
])
def test_says_something(body: str, expected: bool) -> None:
    assert says_something(body, "Paul Martin") is expected
