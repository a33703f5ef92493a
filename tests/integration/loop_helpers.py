"""Helpers for the whole-loop tests: a config for the private servers, the CLI as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import getaddresses, make_msgid
from pathlib import Path

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "samples"
REF = re.compile(r"\[(CS-\d{4}-\d{4,})\]")
FROM_ADDRESS = "clauses.amiens@exemple-emploi.fr"

# Company emails of the loop test: forms as text PDF, AcroForm PDF, DOCX (x2, one forwarded), body.
COMPANY_EMAILS = [
    "e01_company_pdf_form.eml",
    "e03_rfc2047_filename.eml",
    "e05_docx_octet_stream.eml",
    "e04_forward_message_rfc822.eml",
    "e06_form_in_body.eml",
]
AUTOMATED_EMAILS = ["e10_auto_reply_rfc3834.eml", "e11_bounce_dsn.eml"]
# e04 is a colleague (same domain as ours) forwarding a company's email: the company is answered.
FORWARDS = {"e04_forward_message_rfc822.eml": ("jerome.tellier@exemple-emploi.fr",
                                               "berenicedupre@lefevre-et-fils-btp.fr")}


def ack_recipient(name: str) -> str:
    """Who must get the acknowledgement of sample `name`."""
    return FORWARDS[name][1] if name in FORWARDS else sender_of(sample(name))

PARTNERS = [
    ("Mission Locale du Grand Amiénois", "ML", ["orientation@exemple-ml.fr"], []),
    ("Cap Emploi Somme", "CAP_EMPLOI", ["a@exemple-cap.fr", "b@exemple-cap.fr"], []),
    ("AI Somme Emploi Services", "SIAE", ["m.senechal@exemple-ai-somme.fr"],
     ["exemple-ai-somme.fr"]),
]


def sample(name: str) -> bytes:
    return (SAMPLES / "emails" / name).read_bytes()


def sender_of(raw: bytes) -> str:
    msg = message_from_bytes(raw, policy=default_policy)
    header = msg.get("Reply-To") or msg.get("From")
    return getaddresses([str(header)])[0][1].lower()


def write_config(path: Path, *, db_url: str, imap, smtp, idle: bool = True,
                 folder: str = "INBOX") -> Path:
    partners = "".join(
        f'\n[[partners]]\nname = "{name}"\nkind = "{kind}"\nemails = {json.dumps(emails)}\n'
        f"domains = {json.dumps(domains)}\n"
        for name, kind, emails, domains in PARTNERS
    )
    path.write_text(
        f"""
[database]
url = "{db_url}"
[imap]
host = "{imap.host}"
port = {imap.port}
security = "none"
username = "{imap.username}"
password = "{imap.password}"
folder = "{folder}"
idle = {"true" if idle else "false"}
poll_seconds = 5
timeout = 10
[smtp]
host = "{smtp.host}"
port = {smtp.port}
security = "none"
from_address = "{FROM_ADDRESS}"
timeout = 10
[people]
referent = "claire.duhamel@exemple-emploi.fr"
{partners}""",
        encoding="utf-8",
    )
    return path


SERVER = "mx.exemple-emploi.fr"  # our receiving server's authserv-id in the tests
REFERENT = "claire.duhamel@exemple-emploi.fr"  # [people] referent of write_config


def require_authentication(path: Path, extra: str = "") -> Path:
    """`path` (written by write_config) made to trust only SERVER's Authentication-Results and
    to require them, plus `extra` TOML sections."""
    path.write_text(path.read_text(encoding="utf-8") + f"""
[security]
authserv_id = "{SERVER}"
require_authentication = true
{extra}""", encoding="utf-8")
    return path


def auth_results(domain: str, result: str = "pass") -> str:
    """An Authentication-Results value from SERVER: spf and dmarc `result` for `domain`."""
    return f"{SERVER}; spf={result} smtp.mailfrom={domain}; dmarc={result} header.from={domain}"


def role(message: EmailMessage) -> str:
    """The template role of an email mailbot sent."""
    return str(message.get("X-Mailbot-Role", ""))


def text_of(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def cli_json(config: Path, *args: str):
    """The real CLI's `--json` output of `args`."""
    done = mailbot(*args, "--json", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def run_once_with(dovecot, account, config: Path, *raws: bytes) -> None:
    """Deliver `raws` to INBOX, then one `mailbot run --once`."""
    for raw in raws:
        dovecot.append(account.username, "INBOX", raw)
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr


def mailbot(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """Run the real CLI in a subprocess (as an operator would)."""
    full_env = {k: v for k, v in os.environ.items() if k != "MAILBOT_CRASH_AT"}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "mailbot", *args],
        capture_output=True, text=True, timeout=timeout, env=full_env,
    )


def offers(config: Path) -> list[dict]:
    result = mailbot("offers", "list", "--json", "--config", str(config))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def partner_reply(broadcast: EmailMessage, partner_address: str, cv_name: str = "cv_pdf_classic.pdf",
                  subject: str | None = None) -> bytes:
    """What a partner sends back: a reply to the broadcast with one CV attached."""
    reply = EmailMessage(policy=default_policy)
    reply["From"] = f"Mehdi Sénéchal <{partner_address}>"
    reply["To"] = FROM_ADDRESS
    reply["Subject"] = subject if subject is not None else "RE: " + str(broadcast["Subject"])
    reply["Message-ID"] = make_msgid(domain=partner_address.split("@")[1])
    reply["In-Reply-To"] = str(broadcast["Message-ID"])
    reply["References"] = str(broadcast["Message-ID"])
    reply.set_content("Bonjour,\n\nJe vous propose un candidat, CV joint.\n\nCordialement,\nMehdi\n")
    reply.add_attachment((SAMPLES / "cvs" / cv_name).read_bytes(), maintype="application",
                         subtype="pdf", filename="CV_LE_GOFF_Cedric.pdf")
    return reply.as_bytes()


def broadcast_of_one_offer(dovecot, account, smtp_server, config: Path,
                           partner: str = PARTNERS[0][2][0]) -> EmailMessage:
    """Put one company form (e03) in INBOX, run mailbot once, return the broadcast `partner` got."""
    dovecot.append(account.username, "INBOX", sample("e03_rfc2047_filename.eml"))
    done = mailbot("run", "--once", "--config", str(config))
    assert done.returncode == 0, done.stderr
    return next(m.message for m in smtp_server.messages if partner in m.rcpt_tos)
