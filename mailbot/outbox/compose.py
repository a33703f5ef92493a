"""Turn a template role and its context into a complete French email, and queue it as an outbox row.

Templates live in `templates/<role>.{subject,txt,html}.j2` (role like "company/ack"). The HTML part
is autoescaped, the text part is not. Message-ID and Date are fixed here, once, so that a resend
after a crash carries the same Message-ID.
"""

from __future__ import annotations

import base64
import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import encode_rfc2231, format_datetime, formataddr, make_msgid
from pathlib import Path
from typing import Any

from jinja2 import ChainableUndefined, Environment, FileSystemLoader, select_autoescape

from mailbot.domain.models import OutboxMessage, OutboxStatus, utcnow
from mailbot.errors import MailbotError
from mailbot.fingerprints import html_words, remember
from mailbot.mailtext import html_to_text
from mailbot.outbox.labels_fr import (
    FIELD_LABELS,
    TIMEZONE,
    company_rows,
    contract_label,
    count_fr,
    date_fr,
    datetime_fr,
    day_fr,
    field_label,
    hours_fr,
    money_fr,
    number_fr,
    offer_rows,
    percent_fr,
    phone_fr,
    problem_fr,
)
from mailbot.resources import templates_dir as default_templates_dir

__all__ = ["AUTO_SUBMITTED", "ROLE_HEADER", "Composer", "InlineImage", "OutAttachment"]

ROLE_HEADER = "X-Mailbot-Role"

# RFC 3834: answers to a received email are "auto-replied"; broadcasts are "auto-generated".
AUTO_SUBMITTED: dict[str, str] = {
    "company/ack": "auto-replied",
    "company/unreadable": "auto-replied",
    "company/incomplete": "auto-replied",
    "company/updated": "auto-replied",
    "partner/referral_ack": "auto-replied",
    "partner/broadcast": "auto-generated",
    "sender/received": "auto-replied",
    "facilitateur/import_confirmation": "auto-replied",
    "company/presentation": "auto-generated",
    "partner/feedback": "auto-generated",
    "partner/offer_update": "auto-generated",
    "referent/confirmation": "auto-replied",
    "referent/forward": "auto-generated",
    "referent/digest": "auto-generated",
    "partner/weekly": "auto-generated",
    "facilitateur/summary": "auto-generated",
    "company/blank_form": "auto-generated",
    "company/reminder": "auto-generated",
}

DEFAULT_SIGNATURE: dict[str, Any] = {
    "name": "Le référent clauses sociales",
    "title": None,
    "organisation": None,
    "phone": None,
    "email": None,
}


@dataclass(frozen=True)
class OutAttachment:
    """A file attached to an outgoing email (a CV, a forwarded message as message/rfc822)."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class InlineImage:
    """An image shown inside the HTML part (`<img src="cid:{cid}">`), e.g. a report's chart:
    the HTML and its images travel together in a multipart/related."""

    cid: str  # without angle brackets, e.g. "chart@mailbot"
    filename: str
    content_type: str  # image/png
    data: bytes


_ADDRESS = re.compile(r"^[^\s<>,;:\"()\[\]@]+@[^\s<>,;:\"()\[\]@]+$")


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass(frozen=True)
class _Built:
    """A composed email: its Message-ID (with brackets), subject as given, bytes to send."""

    message_id: str
    subject: str
    raw: bytes
    recipients: list[str]


_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
_MAX_LINE = 78
_MAX_WORD = 900  # longer ASCII words are encoded (RFC 2047 splits them) to stay under 998


def _header_text(text: str) -> str:
    """One line, no control characters: a header value cannot carry another header."""
    return _one_line(_CONTROLS.sub(" ", text or ""))


def _unstructured(name: str, value: str) -> str:
    """`value` for header `name`, folded at spaces: ASCII words as they are, each run of other
    words as RFC 2047 encoded-words (UTF-8, Q), like the stdlib's SMTP policy writes it."""
    runs: list[tuple[bool, str]] = []  # (plain, text)
    for word in _header_text(value).split(" "):
        plain = word.isascii() and "=?" not in word and "?=" not in word and len(word) <= _MAX_WORD
        if runs and not plain and not runs[-1][0]:
            runs[-1] = (False, f"{runs[-1][1]} {word}")  # spaces between encoded-words vanish
        else:
            runs.append((plain, word))
    pieces: list[str] = []
    for plain, text in runs:
        pieces.extend([text] if plain else _encoded_words(text))
    return _fold(name, pieces, " ")


_Q_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!*+-/")
_Q_ROOM = 75 - len("=?utf-8?q??=")  # an encoded-word is at most 75 characters (RFC 2047 §2)


def _encoded_words(text: str) -> list[str]:
    """`text` as Q encoded-words, never splitting a character's UTF-8 bytes between two."""
    words: list[str] = []
    current = ""
    for char in text:
        if char in _Q_SAFE:
            piece = char
        elif char == " ":
            piece = "_"
        else:
            piece = "".join(f"={byte:02X}" for byte in char.encode("utf-8"))
        if len(current) + len(piece) > _Q_ROOM:
            words.append(f"=?utf-8?q?{current}?=")
            current = ""
        current += piece
    words.append(f"=?utf-8?q?{current}?=")
    return words


def _fold_list(name: str, items: list[str]) -> str:
    return _fold(name, [f"{item}," for item in items[:-1]] + items[-1:], " ")


def _fold(name: str, words: list[str], sep: str) -> str:
    lines: list[str] = []
    line = ""
    width = len(name) + 2
    for word in words:
        if line and width + len(line) + len(sep) + len(word) > _MAX_LINE:
            lines.append(line)
            line, width = word, 1
        else:
            line = f"{line}{sep}{word}" if line else word
    lines.append(line)
    return "\r\n ".join(lines)


def _text_part(boundary: str, subtype: str, text: str) -> bytes:
    """One UTF-8 text part of the multipart/alternative: base64 in 76-column lines (what the
    stdlib chose for these texts), so the decoded text keeps its own line ends."""
    encoded = base64.encodebytes((text or "").encode("utf-8")).replace(b"\n", b"\r\n")
    return b"".join((
        f"--{boundary}\r\nContent-Type: text/{subtype}; charset=\"utf-8\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii"),
        encoded,
    ))


def _related_part(boundary: str, html: str, images: tuple[InlineImage, ...] | list[InlineImage]) -> bytes:
    """The HTML part of the multipart/alternative with its inline images: a multipart/related
    (RFC 2387) holding the HTML first, then each image with its Content-ID."""
    related = "=_mailbot_" + secrets.token_hex(12)
    parts = [f"--{boundary}\r\nContent-Type: multipart/related;\r\n boundary=\"{related}\";"
             " type=\"text/html\"\r\n\r\n".encode("ascii"), _text_part(related, "html", html)]
    for image in images:
        cid = re.sub(r"[^A-Za-z0-9.@_-]", "", image.cid) or "image"
        name = encode_rfc2231(_header_text(image.filename) or "image", "utf-8")
        ctype = _header_text(image.content_type).lower() or "application/octet-stream"
        parts.append(f"--{related}\r\nContent-Type: {ctype}; name*={name}\r\n"
                     f"Content-ID: <{cid}>\r\nContent-Disposition: inline; filename*={name}\r\n"
                     "Content-Transfer-Encoding: base64\r\n\r\n".encode("ascii"))
        parts.append(base64.encodebytes(image.data).replace(b"\n", b"\r\n"))
    parts.append(f"--{related}--\r\n".encode("ascii"))
    return b"".join(parts)


def _attachment_part(boundary: str, item: OutAttachment) -> bytes:
    """One attachment of the multipart/mixed. A message/rfc822 travels as is (RFC 2046 §5.2.1
    forbids base64 for it) when its lines allow, else as a base64 .eml file."""
    name = _header_text(item.filename) or "piece-jointe"
    quoted = encode_rfc2231(name, "utf-8")
    ctype = _header_text(item.content_type).lower() or "application/octet-stream"
    data = item.data
    if ctype == "message/rfc822":
        lines = data.replace(b"\r\n", b"\n").split(b"\n")
        if all(len(line) <= 990 for line in lines) and b"\x00" not in data:
            encoding = "8bit" if any(byte > 127 for byte in data) else "7bit"
            body = b"\r\n".join(lines).rstrip(b"\r\n") + b"\r\n"
            head = (f"--{boundary}\r\nContent-Type: message/rfc822\r\n"
                    f"Content-Disposition: attachment; filename*={quoted}\r\n"
                    f"Content-Transfer-Encoding: {encoding}\r\n\r\n")
            return head.encode("ascii") + body
        ctype = "application/octet-stream"
    encoded = base64.encodebytes(data).replace(b"\n", b"\r\n")
    head = (f"--{boundary}\r\nContent-Type: {ctype}; name*={quoted}\r\n"
            f"Content-Disposition: attachment; filename*={quoted}\r\n"
            "Content-Transfer-Encoding: base64\r\n\r\n")
    return head.encode("ascii") + encoded


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
        self._static: frozenset[int] | None = None
        self.signature = {**DEFAULT_SIGNATURE, **{k: v for k, v in (signature or {}).items() if v}}
        self.env = Environment(
            loader=FileSystemLoader(str(templates_dir or default_templates_dir())),
            autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
            undefined=ChainableUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # read once: the anchors (static_hashes) are of these templates
        )
        self.env.filters.update({name: _memoised(function) for name, function in dict(
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
            day_fr=day_fr,
            money_fr=money_fr,
            count_fr=count_fr,
            percent_fr=percent_fr,
        ).items()})
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
        built = self._build(role, *self.render_parts(role, context), to=to, reply_to=reply_to,
                            in_reply_to=in_reply_to, references=references)
        return message_from_bytes(built.raw, policy=default_policy)  # type: ignore[return-value]

    def build(
        self,
        role: str,
        context: dict,
        *,
        to: list[str],
        attachments: tuple[OutAttachment, ...] | list[OutAttachment] = (),
        inline: tuple[InlineImage, ...] | list[InlineImage] = (),
    ) -> bytes:
        """The bytes of the email `queue` would write, attachments and inline images included,
        without writing anything (previews)."""
        return self._build(role, *self.render_parts(role, context), to=to,
                           attachments=attachments, inline=inline).raw

    def roles(self) -> list[str]:
        """Every email role the templates define (`company/ack`, ...)."""
        names = self.env.list_templates(filter_func=lambda n: n.endswith(".txt.j2"))
        return sorted(
            n.removesuffix(".txt.j2") for n in names
            if not any(part.startswith("_") for part in n.split("/"))
        )

    def static_hashes(self) -> frozenset[int]:
        """Fingerprints of `static_texts()` (computed once): the anchors of `remember`."""
        if self._static is None:
            from mailbot.fingerprints import template_hashes

            self._static = frozenset(template_hashes(self.static_texts()))
        return self._static

    def static_texts(self) -> list[str]:
        """The wording every email of each role carries whatever its data: each role rendered
        without data, and the lines two renders with different made-up data have in common."""
        from mailbot.outbox.samples import sample_contexts

        texts: list[str] = []
        for role in self.roles():
            renders = []
            for context in [{}, *sample_contexts(role)]:
                try:
                    _subject, text, html = self.render_parts(role, context)
                except Exception:  # a template that needs data: its sent copies still count
                    continue
                renders.append((text, html_to_text(html)))
            if renders:
                texts.extend(renders[0])
            if len(renders) == 3:
                for first, second in zip(renders[1], renders[2], strict=True):
                    common = set(second.splitlines())
                    texts.append("\n".join(line for line in first.splitlines() if line in common))
                    texts.extend(_common_runs(first, second))
        return texts

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
        attachments: tuple[OutAttachment, ...] | list[OutAttachment] = (),
        inline: tuple[InlineImage, ...] | list[InlineImage] = (),
    ) -> _Built:
        """The email's bytes, written directly (RFC 5322 + MIME, CRLF): the stdlib's
        EmailMessage and policy header folding cost more than the rest of composing."""
        recipients = _clean_recipients(to)
        reply = _one_line(reply_to or self.from_address)
        if not _ADDRESS.match(reply):
            raise MailbotError(f"Reply-To {reply_to!r} is not an email address")
        subject = _header_text(subject)
        message_id = make_msgid(domain=self.domain)
        headers = [
            ("From", formataddr((_header_text(self.from_name), self.from_address), "utf-8")),
            ("To", _fold_list("To", recipients)),
            ("Reply-To", reply),
            ("Subject", _unstructured("Subject", subject)),
            ("Date", format_datetime(datetime.now(TIMEZONE))),
            ("Message-ID", message_id),
        ]
        if in_reply_to and in_reply_to.strip():
            headers.append(("In-Reply-To", _unstructured("In-Reply-To", _one_line(in_reply_to))))
        refs = [_one_line(r) for r in (references or []) if r and r.strip()]
        if in_reply_to and in_reply_to.strip() and not refs:
            refs = [_one_line(in_reply_to)]
        if refs:
            headers.append(("References", _unstructured("References", " ".join(refs))))
        boundary = "=_mailbot_" + secrets.token_hex(12)  # "=_" never occurs in base64
        headers += [
            ("Auto-Submitted", AUTO_SUBMITTED.get(role, "auto-generated")),
            ("X-Auto-Response-Suppress", "OOF, AutoReply"),
            ("X-Mailer", "mailbot"),
            (ROLE_HEADER, role),
            ("MIME-Version", "1.0"),
            ("Content-Type", f'multipart/alternative;\r\n boundary="{boundary}"'),
            ("Content-Language", "fr"),
        ]
        alternative = b"".join((
            _text_part(boundary, "plain", text),
            _related_part(boundary, html, inline) if inline else _text_part(boundary, "html", html),
            f"--{boundary}--\r\n".encode("ascii"),
        ))
        if attachments:
            mixed = "=_mailbot_" + secrets.token_hex(12)
            headers[-2] = ("Content-Type", f'multipart/mixed;\r\n boundary="{mixed}"')
            alternative = b"".join((
                f"--{mixed}\r\nContent-Type: multipart/alternative;\r\n boundary=\"{boundary}\""
                "\r\n\r\n".encode("ascii"),
                alternative,
                *(_attachment_part(mixed, item) for item in attachments),
                f"--{mixed}--\r\n".encode("ascii"),
            ))
        head = "".join(f"{name}: {value}\r\n" for name, value in headers)
        raw = b"".join((head.encode("ascii"), b"\r\n", alternative))
        return _Built(message_id=message_id, subject=subject, raw=raw, recipients=recipients)

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
        attachments: tuple[OutAttachment, ...] | list[OutAttachment] = (),
        inline: tuple[InlineImage, ...] | list[InlineImage] = (),
        **headers: Any,
    ) -> OutboxMessage:
        """Render and add a pending outbox row to `session` (the caller commits).

        The email's words are fingerprinted in the same transaction (`mailbot.fingerprints`), so
        its text quoted back to us is never read as data. `status="held"` queues it held."""
        subject, text, html = self.render_parts(role, context)
        built = self._build(role, subject, text, html, to=to, attachments=attachments,
                            inline=inline, **headers)
        remember(session, (subject, text, html_words(html)), self.static_hashes())
        recipients = built.recipients
        row = OutboxMessage(
            message_id=built.message_id,
            role=role,
            envelope_from=self.from_address,
            recipients=recipients,
            subject=built.subject,
            raw=built.raw,
            status=status,
            next_attempt_at=utcnow(),
            to_key=recipients[0].lower(),
            offer_id=offer_id,
            partner_id=partner_id,
            inbound_id=inbound_id,
        )
        session.add(row)
        return row


def _frozen(value: Any) -> Any:
    """A hashable copy of a filter's argument, its types kept (1, 1.0 and True differ);
    TypeError when it holds something unhashable."""
    if isinstance(value, dict):
        return (dict, tuple(sorted((str(k), _frozen(v)) for k, v in value.items())))
    if isinstance(value, list | tuple):
        return (type(value), tuple(_frozen(v) for v in value))
    return (type(value), value, hash(value))


def _memoised(function: Any, size: int = 2048) -> Any:
    """`function` (a pure French formatting filter) remembering its results by argument value:
    an offer's rows are formatted once for its acknowledgement and every broadcast."""
    cache: dict = {}

    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            key = (_frozen(args), _frozen(kwargs))
        except TypeError:  # an unhashable argument: computed each time
            return function(*args, **kwargs)
        if key not in cache:
            if len(cache) >= size:
                cache.clear()
            cache[key] = function(*args, **kwargs)
        found = cache[key]
        return list(found) if isinstance(found, list) else found

    return call


def _common_runs(first: str, second: str) -> list[str]:
    """Stretches of words two renders share, in order (difflib on words)."""
    import difflib

    a, b = first.split(), second.split()
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [" ".join(a[m.a : m.a + m.size]) for m in matcher.get_matching_blocks() if m.size >= 5]


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
