"""The facilitateur's list by email on real Dovecot + SMTP, SQLite and PostgreSQL: applied when
authenticated (confirmation naming the column that matched nothing), else pending, flagged and
applied by `mailbot markets confirm`; a list sent again changes nothing."""

from __future__ import annotations

import json
import re

import pytest

from tests.helpers.market_list import csv_bytes, list_email, with_column, xlsx_bytes
from tests.integration.loop_helpers import FROM_ADDRESS, mailbot, write_config

pytestmark = pytest.mark.integration

SERVER = "mx.exemple-emploi.fr"
FACILITATEUR = "facilitatrice@amiens-metropole.fr"
UNKNOWN = "Observations du maître d'ouvrage"
PASS = (f"{SERVER}; spf=pass smtp.mailfrom=amiens-metropole.fr; "
        "dmarc=pass header.from=amiens-metropole.fr")


@pytest.fixture
def config(tmp_path, db_url, imap_account, smtp_server):
    path = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap_account, smtp=smtp_server)
    text = path.read_text(encoding="utf-8").replace(
        'referent = "claire.duhamel@exemple-emploi.fr"\n',
        f'referent = "claire.duhamel@exemple-emploi.fr"\nfacilitateur = "{FACILITATEUR}"\n')
    path.write_text(text + f'\n[security]\nauthserv_id = "{SERVER}"\nrequire_authentication = true\n',
                    encoding="utf-8")
    return path


def _list_xlsx() -> bytes:
    headers, rows = with_column(UNKNOWN, ["RAS", None, "accès par le quai"])
    return xlsx_bytes(headers, rows)


def _json(config, *args: str):
    done = mailbot(*args, "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _run_once(config) -> None:
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr


def _confirmations(smtp_server) -> list[tuple[str, str]]:
    """(subject, plain text) of every confirmation sent, each to the facilitateur alone (the
    blank forms to the winners are tests/integration/test_blank_forms_sent.py's)."""
    out = []
    for m in smtp_server.messages:
        if m.message["X-Mailbot-Role"] == "company/blank_form":
            continue
        assert m.rcpt_tos == [FACILITATEUR]
        assert m.message["X-Mailbot-Role"] == "facilitateur/import_confirmation"
        assert m.message["Auto-Submitted"] == "auto-replied"
        out.append((str(m.message["Subject"]),
                    m.message.get_body(preferencelist=("plain",)).get_content()))
    return out


def _shape(markets: list[dict]) -> list[tuple]:
    return sorted((m["reference"], lot["number"], lot["company"]["siret"], lot["insertion_hours"],
                   lot["start_date"], len(lot["worksites"])) for m in markets for lot in m["lots"])


EXPECTED = [("2027-AMI-014", "1", "81234567600017", 1200.0, "2027-03-01", 1),
            ("2027-AMI-014", "4", "90876543100014", 350.0, "2027-05-03", 1),
            ("2027-AMI-022", "2", "79123456000013", 800.0, "2027-04-12", 1)]


def test_authenticated_list_is_applied_and_its_unknown_column_named(config, dovecot, imap_account,
                                                                    smtp_server):
    dovecot.append(imap_account.username, "INBOX",
                   list_email(FACILITATEUR, FROM_ADDRESS, _list_xlsx(), authentication_results=PASS))
    _run_once(config)
    [(subject, text)] = _confirmations(smtp_server)
    assert subject == "Liste des marchés prise en compte"
    assert f"« {UNKNOWN} »" in text
    assert "Entreprise Menuiserie de la Somme (SIRET 90876543100014)" in text
    assert "3 ligne(s) prise(s) en compte" in text
    assert _shape(_json(config, "markets", "list")) == EXPECTED
    [row] = _json(config, "messages", "list")
    assert row["kind"] == "market_list" and not row["flagged"]
    # the same list again, as CSV, from the same authenticated sender: nothing duplicated
    smtp_server.clear()
    dovecot.append(imap_account.username, "INBOX",
                   list_email(FACILITATEUR, FROM_ADDRESS, csv_bytes(encoding="cp1252"), "liste.csv",
                              authentication_results=PASS))
    _run_once(config)
    [(_subject, text)] = _confirmations(smtp_server)
    assert "Aucun changement" in text and "Colonnes non reconnues" not in text
    assert _shape(_json(config, "markets", "list")) == EXPECTED


def test_unauthenticated_list_waits_for_markets_confirm(config, dovecot, imap_account, smtp_server):
    dovecot.append(imap_account.username, "INBOX",
                   list_email(FACILITATEUR, FROM_ADDRESS, _list_xlsx()))  # no Authentication-Results
    _run_once(config)
    assert _json(config, "markets", "list") == []
    [row] = _json(config, "messages", "list")
    assert row["flagged"] and "not authenticated" in row["reason"]
    found = re.search(r"mailbot markets confirm (\d+)", row["reason"])
    assert found, row["reason"]
    [(subject, text)] = _confirmations(smtp_server)
    assert "en attente de validation" in subject
    assert "pas pu vérifier" in text and f"« {UNKNOWN} »" in text
    assert "Nouveaux éléments" not in text
    listed = mailbot("markets", "list", "--config", str(config))
    assert f"import {found.group(1)} " in listed.stdout and "waits" in listed.stdout
    smtp_server.clear()
    done = mailbot("markets", "confirm", found.group(1), "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert "applied, 3 row(s)" in done.stdout and "4 sent" in done.stdout  # + 3 blank forms
    assert _shape(_json(config, "markets", "list")) == EXPECTED
    [(subject, text)] = _confirmations(smtp_server)
    assert subject == "Liste des marchés prise en compte" and "Lot 4 – Menuiseries" in text
    again = mailbot("markets", "confirm", found.group(1), "--config", str(config))
    assert again.returncode == 1 and "not pending" in again.stderr
    audit = _json(config, "audit")
    changes = [e for e in audit if e["action"] == "market_import"]
    assert {(e["actor"], e["channel"]) for e in changes} == {("system", "email"), ("referent", "cli")}
