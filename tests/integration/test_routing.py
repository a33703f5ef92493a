"""Routing on real Dovecot + SMTP (SQLite): with the référent's copy of routing.toml in
`[paths] rules_dir` sending BTP offers in the Somme to the SIAE and the Mission Locale only, a
coffreur's form from Boves (80) reaches those two partners only, a paysagiste's form reaches every
partner (no rule: default), and OfferRouting says why for each partner."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from mailbot.db import make_engine
from mailbot.domain.models import Offer, OfferRouting, Partner
from mailbot.resources import rules_dir
from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    SAMPLES,
    mailbot,
    offers,
    sample,
    write_config,
)

pytestmark = pytest.mark.integration

ML, CAP, SIAE = (p[0] for p in PARTNERS)
RULE = f"""
[[rules]]
name = "BTP Somme"
family = "BTP"
territory = "Somme"
send_to = ["SIAE", "{ML}"]
"""


@pytest.fixture
def config(tmp_path: Path, imap_account, smtp_server) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    shipped = (rules_dir() / "routing.toml").read_text(encoding="utf-8")
    (rules / "routing.toml").write_text(shipped + RULE, encoding="utf-8")
    path = write_config(tmp_path / "config.toml", db_url=f"sqlite:///{tmp_path / 'mailbot.db'}",
                        imap=imap_account, smtp=smtp_server)
    path.write_text(path.read_text(encoding="utf-8")
                    + f'\n[paths]\nrules_dir = "{rules}"\n'
                    + '\n[workflow]\nbroadcast = "auto"\nrequired_fields = []\n', encoding="utf-8")
    return path


def _paysagiste_form() -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = "Paysages de la Hotoie <contact@paysages-hotoie.fr>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "Formulaire de liaison - ouvrier paysagiste"
    msg["Message-ID"] = make_msgid(domain="paysages-hotoie.fr")
    msg.set_content("Bonjour,\n\nVeuillez trouver ci-joint notre formulaire de liaison.\n\n"
                    "Cordialement,\nPaysages de la Hotoie\n")
    msg.add_attachment((SAMPLES / "forms" / "f3_text_word_export.pdf").read_bytes(),
                       maintype="application", subtype="pdf", filename="formulaire_liaison.pdf")
    return msg.as_bytes()


def _emails_of(name: str) -> set[str]:
    return {e for p in PARTNERS if p[0] == name for e in p[2]}


def test_btp_offers_in_the_somme_go_to_the_siae_and_the_mission_locale_only(
        config, tmp_path, dovecot, imap_account, smtp_server):
    dovecot.append(imap_account.username, "INBOX", sample("e03_rfc2047_filename.eml"))
    dovecot.append(imap_account.username, "INBOX", _paysagiste_form())
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr

    listed = {o["title"]: o for o in offers(config)}
    coffreur, paysagiste = listed["Coffreur-bancheur"]["ref"], listed["Ouvrier paysagiste"]["ref"]
    broadcasts: dict[str, set[str]] = {coffreur: set(), paysagiste: set()}
    for sent in smtp_server.messages:
        if sent.message["X-Mailbot-Role"] == "partner/broadcast":
            ref = coffreur if coffreur in str(sent.message["Subject"]) else paysagiste
            assert ref in str(sent.message["Subject"])
            broadcasts[ref] |= {r.lower() for r in sent.rcpt_tos}
    assert broadcasts[coffreur] == _emails_of(ML) | _emails_of(SIAE)
    assert broadcasts[paysagiste] == _emails_of(ML) | _emails_of(SIAE) | _emails_of(CAP)

    engine = make_engine(f"sqlite:///{tmp_path / 'mailbot.db'}")
    with Session(engine) as session:
        names = {p.id: p.name for p in session.exec(select(Partner))}
        why = {}
        for row, ref in session.exec(select(OfferRouting, Offer.ref).join(Offer)):
            why[(ref, names[row.partner_id])] = (row.included, row.reason)
    engine.dispose()
    assert len(why) == 6  # one row per offer and partner
    assert why[(coffreur, SIAE)] == (True, (
        "rule 'BTP Somme': kind SIAE; job family BTP (title word 'coffreur*'), territory Somme "
        "(workplace names métropole amiénoise)"))
    assert why[(coffreur, ML)][0] is True and why[(coffreur, ML)][1].startswith("rule 'BTP Somme': named")
    assert why[(coffreur, CAP)] == (False, (
        f"rule 'BTP Somme': not in send_to (SIAE, {ML}); job family BTP (title word 'coffreur*'), "
        "territory Somme (workplace names métropole amiénoise)"))
    assert {why[(paysagiste, name)] for name in (ML, CAP, SIAE)} == {
        (True, "no rule matched, default: every partner")}

    # how the référent checks: offers show names who received the offer and why
    shown = mailbot("offers", "show", coffreur, "--config", str(config))
    assert shown.returncode == 0, shown.stderr
    assert f"  {CAP}: no (rule 'BTP Somme': not in send_to" in shown.stdout
    assert f"  {SIAE}: yes (rule 'BTP Somme': kind SIAE; job family BTP" in shown.stdout

    # the offers list is what it was: routing adds nothing to it
    assert set(listed) == {"Coffreur-bancheur", "Ouvrier paysagiste"}
    assert all("routing" not in o and "partners" not in o for o in listed.values())


def test_a_rule_naming_no_partner_stops_mailbot_naming_the_file_and_rule(config, tmp_path):
    routing = tmp_path / "rules" / "routing.toml"
    routing.write_text(routing.read_text(encoding="utf-8").replace(f'"{ML}"', '"Mision Locale"'),
                       encoding="utf-8")
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode != 0
    assert f"{routing}: rule 'BTP Somme': 'Mision Locale' is neither a partner's name" in done.stderr
    assert "Traceback" not in done.stderr
