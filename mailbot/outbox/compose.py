"""Turn a template role and its context into a complete French email, and queue it as an outbox row.

Templates live in `templates/<role>.{subject,txt,html}.j2` (role like "company/ack"). The HTML part
is autoescaped, the text part is not. Message-ID and Date are fixed here, once, so that a resend
after a crash carries the same Message-ID.
"""

from __future__ import annotations

import re
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.errors import MailbotError
from mailbot.fingerprints import remember
from mailbot.mailtext import html_to_text
from mailbot.outbox.labels_fr import (
    FIELD_LABELS,
    TIMEZONE,
    company_rows,
    contract_label,
    date_fr,
    datetime_fr,
    field_label,
    hours_fr,
    number_fr,
    offer_rows,
    phone_fr,
    problem_fr,
)
from mailbot.resources import templates_dir as default_templates_dir

__all__ = ["AUTO_SUBMITTED", "ROLE_HEADER", "Composer"]

ROLE_HEADER = "X-Mailbot-Role"

# RFC 3834: answers to a received email are "auto-replied"; broadcasts are "auto-generated".
AUTO_SUBMITTED: dict[str, str] = {
    "company/ack": "auto-replied",
    "company/unreadable": "auto-replied",
    "partner/referral_ack": "auto-replied",
    "partner/broadcast": "auto-generated",
}

DEFAULT_SIGNATURE: dict[str, Any] = {
    "name": "Le référent clauses sociales",
    "title": None,
    "organisation": None,
    "phone": None,
    "email": None,
}


_ADDRESS = re.compile(r"^[^\s<>,;:\"()\[\]@]+@[^\s<>,;:\"()\[\]@]+$")


def _one_line(text: str) -> str:
    return " ".join(text.split())


class Composer:
    """Renders the French emails and writes them to the outbox (see module docstring)."""

    def __init__(
        self,
        *,
        from_address: str,
        from_name: str,
        templates_dir: Path | None = None,
        signature: dict | None = None,
    ) -> None:
        if "@" not in from_address:
            raise MailbotError(f"from_address {from_address!r} is not an email address")
        self.from_address = from_address.strip()
        self.from_name = from_name
        self.domain = self.from_address.rsplit("@", 1)[1]
        self.signature = {**DEFAULT_SIGNATURE, **{k: v for k, v in (signature or {}).items() if v}}
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir or default_templates_dir())),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.filters.update(
            date_fr=date_fr,
            datetime_fr=datetime_fr,
            number_fr=number_fr,
            hours_fr=hours_fr,
            contract_fr=contract_label,
            field_fr=field_label,
            problem_fr=problem_fr,
            offer_rows=offer_rows,
            company_rows=company_rows,
            phone_fr=phone_fr,
        )
        self.env.tests["company_field"] = lambda name: str(name).startswith("company.")
        self.env.globals["form_labels"] = [
            label for key, label in FIELD_LABELS.items() if key != "market"
        ]

    def _render_part(self, role: str, part: str, context: dict) -> str:
        return self.env.get_template(f"{role}.{part}.j2").render(context)

    def render(
        self,
        role: str,
        context: dict,
        *,
        to: list[str],
        reply_to: str | None = None,
        in_reply_to: str | None = None,
        references: list[str] | None = None,
    ) -> EmailMessage:
        """The complete email for `role`: subject, text part, HTML alternative, fixed headers."""
        return self._build(role, *self.render_parts(role, context), to=to, reply_to=reply_to,
                           in_reply_to=in_reply_to, references=references)

    def render_parts(self, role: str, context: dict) -> tuple[str, str, str]:
        """(subject, text, html) of `role` for `context`."""
        full = {
            **context,
            "signature": self.signature,
            "from_address": self.from_address,
            "from_name": self.from_name,
        }
        subject = _one_line(self._render_part(role, "subject", full))
        text = self._render_part(role, "txt", full)
        html = self._render_part(role, "html", full)
        return subject, text, html

    def _build(
        self,
        role: str,
        subject: str,
        text: str,
        html: str,
        *,
        to: list[str],
        reply_to: str | None = None,
        in_reply_to: str | None = None,
        references: list[str] | None = None,
    ) -> EmailMessage:
        recipients = _clean_recipients(to)

        msg = EmailMessage()
        msg["From"] = Address(display_name=self.from_name, addr_spec=self.from_address)
        msg["To"] = ", ".join(recipients)
        msg["Reply-To"] = reply_to or self.from_address
        msg["Subject"] = subject
        msg["Date"] = format_datetime(datetime.now(TIMEZONE))
        msg["Message-ID"] = make_msgid(domain=self.domain)
        if in_reply_to:
            msg["In-Reply-To"] = _one_line(in_reply_to)
        refs = [_one_line(r) for r in (references or []) if r and r.strip()]
        if in_reply_to and not refs:
            refs = [_one_line(in_reply_to)]
        if refs:
            msg["References"] = " ".join(refs)
        msg["Auto-Submitted"] = AUTO_SUBMITTED.get(role, "auto-generated")
        msg["X-Auto-Response-Suppress"] = "OOF, AutoReply"
        msg["X-Mailer"] = "mailbot"
        msg[ROLE_HEADER] = role
        msg.set_content(text, subtype="plain", charset="utf-8")
        msg.add_alternative(html, subtype="html", charset="utf-8")
        msg["Content-Language"] = "fr"  # after set_content, which drops Content-* headers
        return msg

    def queue(
        self,
        session: Any,
        role: str,
        context: dict,
        *,
        to: list[str],
        offer_id: int | None = None,
        partner_id: int | None = None,
        inbound_id: int | None = None,
        status: str = OutboxStatus.PENDING,
        **headers: Any,
    ) -> OutboxMessage:
        """Render and add a pending outbox row to `session` (the caller commits).

        The email's words are fingerprinted in the same transaction (`mailbot.fingerprints`), so
        its text quoted back to us is never read as data. `status="held"` queues it held."""
        subject, text, html = self.render_parts(role, context)
        msg = self._build(role, subject, text, html, to=to, **headers)
        remember(session, (subject, text, html_to_text(html)), context)
        row = OutboxMessage(
            message_id=str(msg["Message-ID"]),
            role=role,
            envelope_from=self.from_address,
            recipients=_clean_recipients(to),
            subject=str(msg["Subject"]),
            raw=msg.as_bytes(policy=SMTP),
            status=status,
            next_attempt_at=utcnow(),
            to_key=_clean_recipients(to)[0].lower(),
            offer_id=offer_id,
            partner_id=partner_id,
            inbound_id=inbound_id,
        )
        session.add(row)
        return row


def _clean_recipients(to: list[str]) -> list[str]:
    """Stripped, de-duplicated (case-insensitively) addresses; at least one is required."""
    seen: set[str] = set()
    out = []
    for address in to or []:
        address = (address or "").strip()
        if _ADDRESS.match(address) and address.lower() not in seen:
            seen.add(address.lower())
            out.append(address)
    if not out:
        raise MailbotError(f"no valid recipient address in {to!r}")
    return out
