"""Issue 6, acceptance 5: the logs never hold a candidate's name, phone or email, a company
contact's phone or email, a subject, or a password: the whole loop, the hostile batch and forced
database errors, through the real CLI at INFO and with -v, on Dovecot, aiosmtpd, SQLite and
PostgreSQL."""

from __future__ import annotations

import json
import re
import sqlite3
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.helpers.hostile import hostile_messages
from tests.integration.loop_helpers import (
    COMPANY_EMAILS,
    PARTNERS,
    SAMPLES,
    mailbot,
    offers,
    partner_reply,
    sample,
    sender_of,
    write_config,
)

pytestmark = pytest.mark.integration

LOOP_EMAILS = [*COMPANY_EMAILS, "e02_outlook_rfc2231_filename.eml", "e10_auto_reply_rfc3834.eml",
               "e11_bounce_dsn.eml"]
CVS = ["cv_pdf_classic.pdf", "cv_pdf_sidebar.pdf", "cv_docx_paragraphs.docx"]
# What the hostile batch must never leak: senders' names and addresses, subjects, a form's values.
HOSTILE_SECRETS = [
    "Roussel", "p.roussel@hostile-a.example", "réunion", "Dupont", "j.dupont@hostile-b.example",
    "l.martin@hostile-c.example", "Relance", "pwned", "Lefort", "r.lefort@hostile-d.example",
    "Devis", "Péron", "a.peron@hostile-e.example", "courrier du 3", "Hénin", "HÉNIN",
    "a.henin@menuiserie-henin.example", "menuisier poseur", "MENUISIER", "03 22 91 45 60",
    "contact@bombe-btp.example", "pad@hostile-f.example", "xxxxxxxxxxxxxxxx",
]
_PHONE_LIKE = re.compile(r"\+?\d[\d .\-]{7,}\d")


def _truth(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _subject(raw: bytes) -> str:
    return str(message_from_bytes(raw, policy=default_policy)["Subject"] or "")


def loop_secrets() -> tuple[list[str], list[str]]:
    """(strings, phone numbers' last nine digits) that no log line may contain."""
    words: list[str] = []
    phones: list[str] = []
    for cv in CVS:
        person = _truth(SAMPLES / "cvs" / (cv.rsplit(".", 1)[0] + ".truth.json"))["candidate"]
        words += [person["first_name"], person["last_name"], person["email"]]
        phones.append(person["phone"])
    for name in LOOP_EMAILS:
        words.append(sender_of(sample(name)))
        subject = _subject(sample(name))
        words += [subject] if len(subject) > 8 else []
        truth = _truth(SAMPLES / "emails" / name.replace(".eml", ".truth.json"))
        for form in truth.get("forms") or []:
            company = form.get("company") or {}
            if company.get("email"):
                words.append(company["email"])
            if company.get("phone"):
                phones.append(company["phone"])
            if company.get("contact_name"):  # "M. Ousmane Vérité": the surname
                words.append(company["contact_name"].split()[-1])
    words += ["LE_GOFF", "Cedric"]  # the CV file name the partner sends
    return [w for w in words if w], [re.sub(r"\D", "", p)[-9:] for p in phones]


def assert_private(log: str, words: list[str], phones: list[str], passwords: list[str]) -> None:
    lowered = log.lower()
    for word in [*words, *passwords]:
        assert word.lower() not in lowered, f"{word!r} in the log:\n{log[-3000:]}"
    for match in _PHONE_LIKE.findall(log):
        digits = re.sub(r"\D", "", match)
        assert not any(digits.endswith(p) for p in phones), f"phone {match!r} in the log"
    for marker in ("DETAIL:", "Failing row", "[parameters:", "Key ("):
        assert marker not in log, f"{marker!r} in the log:\n{log[-3000:]}"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", log), "a control character in the log"


def _run(config: Path, *flags: str):
    result = mailbot("run", "--once", *flags, "--config", str(config))
    return result, result.stdout + result.stderr


def _broadcasts(smtp_server, partner_address: str) -> list:
    return [m.message for m in smtp_server.messages
            if partner_address in [r.lower() for r in m.rcpt_tos]]


def test_whole_loop_logs_nothing_personal(tmp_path, dovecot, imap_account, smtp_server, db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    words, phones = loop_secrets()
    passwords = [imap_account.password]
    for name in LOOP_EMAILS:
        dovecot.append(imap_account.username, "INBOX", sample(name))
    first, log = _run(config)
    assert first.returncode == 0, first.stderr
    assert " INFO mailbot." in first.stderr and " DEBUG " not in first.stderr
    assert_private(log, words, phones, passwords)

    partner = PARTNERS[2][2][0]
    broadcasts = _broadcasts(smtp_server, partner)
    assert len(broadcasts) >= len(CVS)
    for broadcast, cv in zip(broadcasts, CVS, strict=False):
        person = _truth(SAMPLES / "cvs" / (cv.rsplit(".", 1)[0] + ".truth.json"))["candidate"]
        raw = partner_reply(broadcast, partner, cv_name=cv,
                            subject=f"Candidature {person['first_name']} {person['last_name']} - "
                            + str(broadcast["Subject"]))
        dovecot.append(imap_account.username, "INBOX", raw)
    second, log = _run(config, "-v")
    assert second.returncode == 0, second.stderr
    assert " DEBUG mailbot." in second.stderr  # -v was on
    assert_private(log, words, phones, passwords)
    assert sum(o["referrals"] for o in offers(config)) == len(CVS)

    third, log = _run(config, "-v")
    assert third.returncode == 0 and "0 new" in third.stdout
    assert_private(log, words, phones, passwords)


def _force_failures(db_url: str) -> None:
    """Every new company or candidate row is refused by the database itself."""
    if db_url.startswith("sqlite"):
        with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
            for table in ("company", "candidate"):
                conn.execute(f"CREATE TRIGGER forced_{table} BEFORE INSERT ON {table} "
                             "BEGIN SELECT RAISE(ABORT, 'forced failure'); END")
        return
    engine = create_engine(db_url)
    with engine.begin() as conn:  # PostgreSQL's DETAIL would quote the whole refused row
        conn.execute(text("ALTER TABLE company ADD CONSTRAINT forced CHECK (email IS NULL "
                          "AND phone IS NULL AND contact_name IS NULL) NOT VALID"))
        conn.execute(text("ALTER TABLE candidate ADD CONSTRAINT forced CHECK (last_name IS NULL "
                          "AND email IS NULL) NOT VALID"))
    engine.dispose()


def _drop_outbox(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        cascade = " CASCADE" if engine.dialect.name == "postgresql" else ""  # reportrun's FK
        conn.execute(text("DROP TABLE outboxmessage" + cascade))
    engine.dispose()


def test_database_errors_log_no_row_values(tmp_path, dovecot, imap_account, smtp_server, db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    words, phones = loop_secrets()
    passwords = [imap_account.password]
    dovecot.append(imap_account.username, "INBOX", sample("e01_company_pdf_form.eml"))
    first, log = _run(config)
    assert first.returncode == 0, first.stderr
    assert_private(log, words, phones, passwords)

    _force_failures(db_url)
    partner = PARTNERS[2][2][0]
    dovecot.append(imap_account.username, "INBOX", sample("e03_rfc2047_filename.eml"))
    dovecot.append(imap_account.username, "INBOX",
                   partner_reply(_broadcasts(smtp_server, partner)[0], partner,
                                 cv_name="cv_pdf_sidebar.pdf", subject="Candidature Benali"))
    for flags in ((), ("-v",)):
        result, log = _run(config, *flags)
        assert result.returncode == 0, result.stderr
        assert_private(log, words, phones, passwords)
        if not flags:
            assert "2 quarantined" in result.stdout
            assert "ERROR mailbot." in result.stderr  # the failures were logged, redacted
    assert sum(o["referrals"] for o in offers(config)) == 0

    _drop_outbox(db_url)  # the next run fails in the middle: one line naming the key
    dovecot.append(imap_account.username, "INBOX", sample("e05_docx_octet_stream.eml"))
    broken, log = _run(config, "-v")
    assert broken.returncode == 1
    assert "[database] url" in broken.stderr and "internal error" not in broken.stderr
    assert_private(log, words, phones, passwords)


def test_refusing_database_names_the_key_not_the_password(tmp_path, imap_account, smtp_server,
                                                          postgres_url):
    password = "Pw-in-the-url-4242"
    url = postgres_url.replace("postgres@", f"postgres:{password}@").rsplit("/", 1)[0]
    for db_url in (f"{url}/no_such_database", "sqlite:///" + str(tmp_path / "no" / "db.sqlite")):
        config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                              smtp=smtp_server)
        for flags in ((), ("-v",)):
            result, log = _run(config, *flags)
            assert result.returncode == 1
            assert "[database] url" in result.stderr and "internal error" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1, result.stderr
            assert password not in log and imap_account.password not in log


def test_hostile_batch_logs_nothing_personal(tmp_path, dovecot, imap_account, smtp_server,
                                             db_url):
    config = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account,
                          smtp=smtp_server)
    words, phones = loop_secrets()
    for _name, raw in hostile_messages():
        dovecot.append(imap_account.username, "INBOX", raw)
    for flags in (("-v",), ()):
        result, log = _run(config, *flags)
        assert result.returncode == 0, result.stderr[-3000:]
        assert_private(log, [*words, *HOSTILE_SECRETS], [*phones, "322914560"],
                       [imap_account.password])
    assert dovecot.list_uids(imap_account.username, "INBOX") == []
