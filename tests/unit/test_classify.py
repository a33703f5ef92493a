"""The classification chain: each rule alone, the chain's order, and the TOML loader."""

from __future__ import annotations

from email.message import EmailMessage
from types import SimpleNamespace

import pytest

from mailbot.classify import (
    auto_submitted,
    autoreply_headers,
    autoreply_subject,
    bulk,
    classify,
    dsn_report,
    form_attached,
    load_chain,
    mailer_daemon,
    referral,
    unreadable_document,
)
from mailbot.errors import ConfigError
from mailbot.mime import read_message

PDF = b"%PDF-1.4\n%%EOF\n"


def _read(
    headers: dict[str, str] | None = None,
    body: str = "Bonjour",
    subject: str = "Objet",
    sender: str = "rh@entreprise.fr",
    pdf: bool = False,
):
    msg = EmailMessage()
    msg["From"] = sender
    msg["Subject"] = subject
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    if pdf:
        msg.add_attachment(PDF, maintype="application", subtype="pdf", filename="doc.pdf")
    return read_message(msg.as_bytes())


def _dsn(auto_submitted_too: bool = True):
    raw = (
        b"From: Mail Delivery System <MAILER-DAEMON@mx.example.fr>\r\n"
        + (b"Auto-Submitted: auto-replied\r\n" if auto_submitted_too else b"")
        + b"Subject: Undelivered\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        b"--R\r\nContent-Type: text/plain\r\n\r\nfailed\r\n"
        b"--R\r\nContent-Type: message/delivery-status\r\n\r\n"
        b"Reporting-MTA: dns; mx\r\n\r\nFinal-Recipient: rfc822; x@y.fr\r\nAction: failed\r\n"
        b"--R--\r\n"
    )
    return read_message(raw)


def test_dsn_report():
    assert dsn_report.check(_dsn())
    assert not dsn_report.check(_read())


def test_bounce_wins_over_auto_submitted():
    verdict = classify(_dsn(auto_submitted_too=True))
    assert (verdict.kind, verdict.rule, verdict.auto) == ("bounce", "dsn_report", True)


@pytest.mark.parametrize(
    "sender,expected",
    [
        ("MAILER-DAEMON@mx.example.fr", True),
        ("postmaster@example.fr", True),
        ("postmaster.rh@example.fr", False),
        ("rh@example.fr", False),
    ],
)
def test_mailer_daemon(sender, expected):
    assert mailer_daemon.check(_read(sender=sender)) is expected


@pytest.mark.parametrize(
    "value,expected",
    [
        ("auto-replied", True),
        ("auto-generated", True),
        ("auto-notified; owner-email=x", True),
        ("no", False),
        ("No", False),
        (None, False),
    ],
)
def test_auto_submitted(value, expected):
    headers = {"Auto-Submitted": value} if value is not None else {}
    assert auto_submitted.check(_read(headers)) is expected


def test_autoreply_headers():
    assert autoreply_headers.check(_read({"X-Autoreply": "yes"}))
    assert autoreply_headers.check(_read({"X-Autorespond": "Out of office"}))
    assert autoreply_headers.check(_read({"X-Auto-Response-Suppress": "All"}))
    # Exchange also stamps ordinary mail: a document attached is not lost as an auto-reply
    assert not autoreply_headers.check(_read({"X-Auto-Response-Suppress": "All"}, pdf=True))
    assert not autoreply_headers.check(_read())


@pytest.mark.parametrize(
    "subject,expected",
    [
        ("Réponse automatique : [CS-2027-0041] Agent", True),
        ("Absent du bureau : Formulaire", True),
        ("RE: Automatic reply: hello", True),
        ("Out of Office: back Monday", True),
        ("Réponse à votre offre automatique", False),
        ("Formulaire de liaison", False),
    ],
)
def test_autoreply_subject(subject, expected):
    assert autoreply_subject.check(_read(subject=subject)) is expected


def test_bulk():
    assert bulk.check(_read({"Precedence": "bulk"}))
    assert bulk.check(_read({"Precedence": "list"}))
    assert bulk.check(_read({"List-Unsubscribe": "<mailto:u@x.fr>"}))
    assert bulk.check(_read({"List-Id": "<news.x.fr>"}))
    assert not bulk.check(_read({"Precedence": "first-class"}))


def _facts(**kw):
    base = {"forms": [], "error": None, "form_named": False, "is_cv": False}
    base.update(kw)
    return SimpleNamespace(**base)


def _with_analysis(documents=(), body_forms=(), offer_ref=None, **headers):
    msg = _read(headers or None)
    docs = list(documents)
    msg.analysis = SimpleNamespace(
        documents=docs,
        cv_documents=[d for d in docs if d.is_cv],
        body_forms=list(body_forms),
        offer_ref=offer_ref,
    )
    return msg


def test_content_rules_need_the_analysis():
    plain = _read()
    assert plain.analysis is None
    for rule in (form_attached, referral, unreadable_document):
        assert rule.check(plain) is False


@pytest.mark.parametrize(
    "documents,body_forms,ref,kind",
    [
        ([_facts(forms=[{}])], [], None, "liaison_form"),
        ([_facts(is_cv=True)], [], None, "partner_referral"),
        ([_facts(is_cv=True), _facts(is_cv=True)], [], "CS-2027-0001", "partner_referral"),
        ([_facts()], [], "CS-2027-0001", "partner_referral"),  # ref + a non-form attachment
        ([_facts()], [], None, "unknown"),  # a PDF that is not a form
        ([], [{}], None, "liaison_form"),  # form in the body
        ([_facts(error="PDF is password-protected", form_named=True)], [], None, "liaison_form"),
        ([_facts(error="corrupt", form_named=True)], [], "CS-2027-0001", "liaison_form"),
        ([_facts(forms=[{}]), _facts(is_cv=True)], [], None, "liaison_form"),  # form first
        ([], [], None, "unknown"),
    ],
)
def test_chain_content_order(documents, body_forms, ref, kind):
    assert classify(_with_analysis(documents, body_forms, ref)).kind == kind


def test_header_rules_win_over_content():
    msg = _with_analysis([_facts(forms=[{}])], **{"Auto-Submitted": "auto-replied"})
    verdict = classify(msg)
    assert (verdict.kind, verdict.auto) == ("auto_reply", True)


def test_raising_rule_is_skipped(monkeypatch):
    def boom(msg):
        raise RuntimeError("bug")

    monkeypatch.setattr(bulk, "check", boom)
    assert classify(_read({"Precedence": "bulk"})).kind == "unknown"
    assert classify(_with_analysis([_facts(forms=[{}])])).kind == "liaison_form"


def test_shipped_chain_loads():
    entries, default = load_chain()
    names = [e.name for e in entries]
    assert default == "unknown"
    assert names.index("dsn_report") < names.index("auto_submitted")
    assert names.index("form_attached") < names.index("referral") < names.index("form_in_body")


def test_chain_file_errors(tmp_path):
    bad_rule = tmp_path / "a.toml"
    bad_rule.write_text('[[chain]]\nrule = "no_such_rule"\nkind = "bounce"\n')
    with pytest.raises(ConfigError, match="unknown rule"):
        load_chain(bad_rule)
    bad_kind = tmp_path / "b.toml"
    bad_kind.write_text('[[chain]]\nrule = "bulk"\nkind = "spam"\n')
    with pytest.raises(ConfigError, match="kind"):
        load_chain(bad_kind)
    custom = tmp_path / "c.toml"
    custom.write_text('default = "unknown"\n[[chain]]\nrule = "bulk"\nkind = "bounce"\n')
    assert classify(_read({"Precedence": "bulk"}), custom).kind == "bounce"


def test_read_receipt_is_automated_not_unknown():
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText

    from mailbot.parse.email import parse_email

    report = MIMEMultipart("report", report_type="disposition-notification")
    report["From"] = "Paul Martin <paul.martin@exemple-btp.fr>"
    report["To"] = "clauses.amiens@exemple-emploi.fr"
    report["Subject"] = "Lu : [CS-2027-0004] Offre clause sociale"
    report.attach(MIMEText("Votre message a été lu le 12/01/2027.", "plain", "utf-8"))
    notification = MIMEText("Final-Recipient: rfc822;paul.martin@exemple-btp.fr\n"
                            "Disposition: manual-action/MDN-sent-manually; displayed\n")
    notification.replace_header("Content-Type", "message/disposition-notification")
    report.attach(notification)
    result = parse_email(report.as_bytes())
    assert result["kind"] == "auto_reply"
    assert result["auto"] is True and result["rule"] == "read_receipt"
