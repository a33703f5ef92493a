"""Composer: headers, MIME structure, stable Message-ID, outbox rows."""

from __future__ import annotations

from email import message_from_bytes
from email.policy import default as default_policy
from email.utils import parsedate_to_datetime

import pytest
from sqlmodel import Session, SQLModel, create_engine, select

from mailbot.domain.models import OutboxMessage, OutboxStatus
from mailbot.errors import MailbotError
from mailbot.outbox.compose import Composer

FROM = "clauses@agence.example.fr"
UNREADABLE = {
    "attachments_problems": ["Fiche.pdf: PDF is password-protected"],
    "original_subject": "Fiche de liaison",
}
BROADCAST = {
    "partner": {"name": "Mission locale", "kind": "mission_locale"},
    "offer": {
        "ref": "CS-2027-0001",
        "title": "Maçon VRD",
        "company_name": "BTP Picard",
        "missing": [],
        "problems": [],
    },
}


@pytest.fixture
def composer() -> Composer:
    return Composer(from_address=FROM, from_name="Référent clauses sociales")


def reparse(msg) -> object:
    return message_from_bytes(msg.as_bytes(), policy=default_policy)


def test_headers_of_an_ack(composer):
    msg = reparse(
        composer.render(
            "company/unreadable",
            UNREADABLE,
            to=["boss@btp.example.com"],
            in_reply_to="<abc@btp.example.com>",
            references=["<root@x>", "<abc@btp.example.com>"],
        )
    )
    assert msg["From"].addresses[0].display_name == "Référent clauses sociales"
    assert msg["From"].addresses[0].addr_spec == FROM
    assert msg["To"] == "boss@btp.example.com"
    assert msg["Reply-To"] == FROM
    assert msg["Auto-Submitted"] == "auto-replied"
    assert msg["X-Mailer"] == "mailbot"
    assert msg["Content-Language"] == "fr"
    assert msg["In-Reply-To"] == "<abc@btp.example.com>"
    assert msg["References"] == "<root@x> <abc@btp.example.com>"
    assert msg["Message-ID"].endswith("@agence.example.fr>")
    assert parsedate_to_datetime(msg["Date"]).tzinfo is not None


def test_broadcast_is_auto_generated_with_custom_reply_to(composer):
    msg = reparse(
        composer.render(
            "partner/broadcast",
            BROADCAST,
            to=["a@ml.example.org", "b@ml.example.org"],
            reply_to="referent@agence.example.fr",
        )
    )
    assert msg["Auto-Submitted"] == "auto-generated"
    assert msg["Reply-To"] == "referent@agence.example.fr"
    assert [a.addr_spec for a in msg["To"].addresses] == ["a@ml.example.org", "b@ml.example.org"]
    assert "In-Reply-To" not in msg


def test_text_and_html_alternatives(composer):
    msg = reparse(composer.render("partner/broadcast", BROADCAST, to=["a@ml.example.org"]))
    assert msg.get_content_type() == "multipart/alternative"
    plain, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert "Maçon VRD" in plain.get_content()
    assert "<html" in html.get_content() and "Maçon VRD" in html.get_content()
    assert plain.get_content_charset() == "utf-8"


def test_message_ids_are_unique(composer):
    ids = {
        composer.render("partner/broadcast", BROADCAST, to=["a@x.fr"])["Message-ID"]
        for _ in range(20)
    }
    assert len(ids) == 20


def test_recipients_are_cleaned_and_required(composer):
    msg = composer.render(
        "partner/broadcast",
        BROADCAST,
        to=[" a@x.fr ", "A@X.FR", "", "not-an-address", "b@x.fr\nBcc: c@y.fr"],
    )
    assert msg["To"] == "a@x.fr"
    with pytest.raises(MailbotError):
        composer.render("partner/broadcast", BROADCAST, to=["", "nope"])


def test_subject_cannot_inject_headers(composer):
    ctx = {**BROADCAST, "offer": {**BROADCAST["offer"], "title": "Maçon\r\nBcc: evil@x.fr"}}
    msg = reparse(composer.render("partner/broadcast", ctx, to=["a@x.fr"]))
    assert "Bcc" not in msg
    assert "\n" not in msg["Subject"] and "Maçon Bcc: evil@x.fr" in msg["Subject"]


def test_queue_writes_a_pending_row_with_a_stable_message_id(composer):
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        row = composer.queue(
            session,
            "company/unreadable",
            UNREADABLE,
            to=["boss@btp.example.com"],
            inbound_id=None,
            in_reply_to="<abc@btp.example.com>",
        )
        session.commit()
        stored = session.exec(select(OutboxMessage)).one()
        assert stored is row
    assert stored.status == OutboxStatus.PENDING and stored.attempts == 0
    assert stored.role == "company/unreadable"
    assert stored.envelope_from == FROM
    assert stored.recipients == ["boss@btp.example.com"]
    assert stored.subject.startswith("Votre formulaire n'a pas pu être lu")
    parsed = message_from_bytes(stored.raw, policy=default_policy)
    assert parsed["Message-ID"] == stored.message_id
    assert parsed["In-Reply-To"] == "<abc@btp.example.com>"
    assert b"\r\n" in stored.raw  # SMTP line endings, ready to send as is


def test_queue_does_not_commit(composer):
    engine = create_engine("sqlite://")
    SQLModel.metadata.create_all(engine)
    with Session(engine) as session:
        composer.queue(session, "partner/broadcast", BROADCAST, to=["a@x.fr"])
        session.rollback()
        assert session.exec(select(OutboxMessage)).all() == []


def test_custom_templates_dir_and_signature(tmp_path):
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "hello.subject.j2").write_text("Bonjour {{ who }}\n")
    (tmp_path / "t" / "hello.txt.j2").write_text("Salut {{ who }} — {{ signature.name }}\n")
    (tmp_path / "t" / "hello.html.j2").write_text("<p>{{ who }}</p>\n")
    composer = Composer(
        from_address=FROM,
        from_name="X",
        templates_dir=tmp_path / "t",
        signature={"name": "Hélène Martin", "phone": None},
    )
    msg = reparse(composer.render("hello", {"who": "<Zoé>"}, to=["a@x.fr"]))
    assert msg["Subject"] == "Bonjour <Zoé>"
    assert msg.get_body(("plain",)).get_content().strip() == "Salut <Zoé> — Hélène Martin"
    assert "<p>&lt;Zoé&gt;</p>" in msg.get_body(("html",)).get_content()
    assert msg["Auto-Submitted"] == "auto-generated"  # unknown role: never auto-replied


def test_bad_from_address_is_refused():
    with pytest.raises(MailbotError):
        Composer(from_address="clauses", from_name="X")


def test_in_reply_to_alone_also_sets_references(composer):
    msg = composer.render("company/unreadable", UNREADABLE, to=["a@x.fr"], in_reply_to="<m@x.fr>")
    assert msg["References"] == "<m@x.fr>"
