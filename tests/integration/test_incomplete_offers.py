"""Issue 9, incomplete offers, review mode and revisions by email on real Dovecot + SMTP, SQLite
and PostgreSQL.

An incomplete form → one email asking for exactly the missing required fields, nothing to the
partners → the company's short answer completes it → broadcast, and the company is thanked.
Review mode → nothing to the partners until `CS-… publier` from the authenticated référent, or
`mailbot offers publish`. A corrected form → the same offer, `offers show --json` lists both
versions and who received it.
"""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

import pytest

from tests.integration.loop_helpers import (
    FROM_ADDRESS,
    PARTNERS,
    REF,
    REFERENT,
    auth_results,
    cli_json,
    mailbot,
    require_authentication,
    role,
    run_once_with,
    text_of,
    write_config,
)

pytestmark = pytest.mark.integration

COMPANY = "rh@durand-tp.example"
PARTNER_ADDRESSES = {p[2][0] for p in PARTNERS}
FORM = {
    "Raison sociale": "DURAND TRAVAUX PUBLICS",
    "SIRET": "552 100 554 00013",
    "Adresse de l'entreprise": "12 rue des Jacobins, 80000 Amiens",
    "Personne à contacter": "Claire Durand",
    "Téléphone": "03 22 11 22 33",
    "Courriel": COMPANY,
    "Intitulé du poste": "Canalisateur",
    "Nombre de postes": "2",
    "Date de recrutement": "01/03/2027",
    "Activités principales": "Pose de réseaux d'eau potable",
    "Type de contrat": "CDD",
    "Durée du contrat": "6 mois",
    "Durée hebdomadaire": "35 h",
    "Lieu de travail": "Amiens (80000)",
}


def config_for(tmp_path, db_url, imap, smtp, broadcast: str = "auto"):
    path = write_config(tmp_path / "config.toml", db_url=db_url, imap=imap, smtp=smtp)
    return require_authentication(path, f'[workflow]\nbroadcast = "{broadcast}"\n')


def form_mail(fields: dict, subject: str = "Formulaire de liaison") -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Claire Durand <{COMPANY}>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain="durand-tp.example")
    body = "\n".join(f"{label} : {value}" for label, value in fields.items())
    msg.set_content(f"Bonjour,\n\nVoici notre besoin :\n\n{body}\n\nCordialement,\nClaire Durand\n")
    return msg.as_bytes()


def answer(ours: EmailMessage, lines: list[str], sender: str = f"Claire Durand <{COMPANY}>") -> bytes:
    """The company answers our email above its quoted text, as a mail client does."""
    msg = EmailMessage(policy=default_policy)
    msg["From"] = sender
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "RE: " + str(ours["Subject"])
    msg["Message-ID"] = make_msgid(domain="durand-tp.example")
    msg["In-Reply-To"] = msg["References"] = str(ours["Message-ID"])
    quoted = "\n".join("> " + line for line in text_of(ours).splitlines())
    msg.set_content("Bonjour,\n\n" + "\n".join(lines) + "\n\nCordialement,\nClaire Durand\n\n"
                    f"Le 3 févr. 2027, {FROM_ADDRESS} a écrit :\n{quoted}\n")
    return msg.as_bytes()


def referent_says(line: str) -> bytes:
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Claire Duhamel <{REFERENT}>"
    msg["To"] = FROM_ADDRESS
    msg["Subject"] = "Publication"
    msg["Message-ID"] = make_msgid(domain="exemple-emploi.fr")
    msg.set_content(f"Bonjour,\n\n{line}\n\nCordialement,\nClaire\n")
    return (f"Authentication-Results: {auth_results('exemple-emploi.fr')}\r\n".encode()
            + msg.as_bytes())


def run_with(dovecot, account, smtp_server, config, *raws: bytes) -> list[EmailMessage]:
    """Deliver `raws`, run one cycle, return what was sent during it."""
    smtp_server.clear()
    run_once_with(dovecot, account, config, *raws)
    return [m.message for m in smtp_server.messages]


def broadcast_refs(sent: list[EmailMessage]) -> list[str]:
    return sorted(REF.search(str(m["Subject"])).group(1) for m in sent
                  if role(m) == "partner/broadcast")


def test_incomplete_form_asked_once_then_completed_by_the_answer(tmp_path, db_url, dovecot,
                                                                 imap_account, smtp_server):
    config = config_for(tmp_path, db_url, imap_account, smtp_server)
    partial = {k: v for k, v in FORM.items() if k not in ("Date de recrutement", "Type de contrat")}
    sent = run_with(dovecot, imap_account, smtp_server, config, form_mail(partial))
    [asked] = sent  # one email, to the company; nothing to the partners
    assert role(asked) == "company/incomplete" and COMPANY in str(asked["To"])
    body = text_of(asked)
    needed = body.split("Merci de nous indiquer :")[1].split("Ce que nous avons déjà lu")[0]
    assert [line.strip(" -") for line in needed.strip().splitlines()] == [
        "Date de recrutement souhaitée", "Type de contrat"]
    assert "répondre à ce message" in body
    [offer] = cli_json(config, "offers", "list")
    assert offer["status"] == "incomplete" and offer["ref"] in str(asked["Subject"])

    sent = run_with(dovecot, imap_account, smtp_server, config,
                    answer(asked, ["Date de recrutement souhaitée : 03/05/2027",
                                   "Type de contrat : CDD"]))
    assert broadcast_refs(sent) == [offer["ref"]] * len(PARTNERS)
    reached = {p for m in sent if role(m) == "partner/broadcast" for p in PARTNER_ADDRESSES
               if p in str(m["To"])}
    assert reached == PARTNER_ADDRESSES
    [thanks] = [m for m in sent if role(m) == "company/updated"]
    assert COMPANY in str(thanks["To"]) and "transmise à nos partenaires" in text_of(thanks)
    shown = cli_json(config, "offers", "show", offer["ref"])
    assert shown["status"] == "open" and shown["fields"]["contract_type"] == "CDD"
    assert shown["fields"]["recruitment_date"] == "2027-05-03"
    assert [(h["version"], h["source"]) for h in shown["history"]] == [(1, "form"), (2, "reply")]
    assert len(shown["recipients"]) == len(PARTNERS)
    # filed, nothing flagged, nothing forwarded to the référent
    assert not any(role(m) == "referent/forward" for m in sent)


def test_review_mode_waits_for_publier_or_offers_publish(tmp_path, db_url, dovecot, imap_account,
                                                         smtp_server):
    config = config_for(tmp_path, db_url, imap_account, smtp_server, broadcast="review")
    second = {**FORM, "Intitulé du poste": "Conducteur d'engins", "Raison sociale": "AUTRE TP",
              "SIRET": "732 829 320 00074", "Courriel": "rh@autre-tp.example"}
    sent = run_with(dovecot, imap_account, smtp_server, config, form_mail(FORM),
                    form_mail(second).replace(COMPANY.encode(), b"rh@autre-tp.example"))
    assert sorted(role(m) for m in sent) == ["company/ack", "company/ack"]
    assert all("après validation par le référent" in text_of(m) for m in sent)
    listed = {o["title"]: o for o in cli_json(config, "offers", "list")}
    assert {o["status"] for o in listed.values()} == {"received"}
    first_ref, second_ref = listed["Canalisateur"]["ref"], listed["Conducteur d'engins"]["ref"]

    # a line from someone else changes nothing
    forged = referent_says(f"{first_ref} publier").replace(b"dmarc=pass", b"dmarc=fail")
    sent = run_with(dovecot, imap_account, smtp_server, config, forged)
    assert broadcast_refs(sent) == []
    # the authenticated référent publishes the first by email
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    referent_says(f"{first_ref} publier"))
    assert broadcast_refs(sent) == [first_ref] * len(PARTNERS)
    [confirmation] = [m for m in sent if role(m) == "referent/confirmation"]
    assert f"{first_ref} (Canalisateur) : publiée" in text_of(confirmation)
    # the second with the CLI
    smtp_server.clear()
    done = mailbot("offers", "publish", second_ref, "--config", str(config))
    assert done.returncode == 0, done.stderr
    assert f"{second_ref}: received -> open" in done.stdout
    assert broadcast_refs([m.message for m in smtp_server.messages]) == [second_ref] * len(PARTNERS)
    assert {o["status"] for o in cli_json(config, "offers", "list")} == {"open"}
    again = mailbot("offers", "publish", second_ref, "--config", str(config))
    assert again.returncode == 1 and "open" in again.stderr
    audit = cli_json(config, "audit", "--offer", first_ref)
    assert any(e["action"] == "offer_publish" and e["channel"] == "email" for e in audit)


def test_corrected_form_is_a_second_version(tmp_path, db_url, dovecot, imap_account, smtp_server):
    config = config_for(tmp_path, db_url, imap_account, smtp_server)
    sent = run_with(dovecot, imap_account, smtp_server, config, form_mail(FORM))
    [ref] = {REF.search(str(m["Subject"])).group(1) for m in sent}
    corrected = {**FORM, "Durée hebdomadaire": "39 h", "Nombre de postes": "3"}
    sent = run_with(dovecot, imap_account, smtp_server, config,
                    form_mail(corrected, "Formulaire corrigé"))
    [updated] = sent  # the company is told; the partners are not sent the offer again
    assert role(updated) == "company/updated" and ref in str(updated["Subject"])
    assert "Nombre de postes : 3" in text_of(updated)
    [offer] = cli_json(config, "offers", "list")
    assert offer["ref"] == ref and offer["positions"] == 3
    shown = cli_json(config, "offers", "show", ref)
    assert [(h["version"], h["source"]) for h in shown["history"]] == [(1, "form"), (2, "form")]
    assert shown["history"][1]["changes"] == {"positions": [2, 3], "weekly_hours": [35.0, 39.0]}
    assert shown["version"] == 2 and len(shown["recipients"]) == len(PARTNERS)
    plain = mailbot("offers", "show", ref, "--config", str(config))
    assert plain.returncode == 0 and "v2" in plain.stdout and "positions: 2 -> 3" in plain.stdout
