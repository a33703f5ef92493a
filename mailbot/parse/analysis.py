"""Facts about an email's content, computed lazily for the classification rules: what each
attached document is (form, CV, unreadable), forms written in the body, the offer reference."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from functools import cached_property

from mailbot.errors import UnreadableDocument
from mailbot.mime import Attachment, MailMessage
from mailbot.parse.cv import looks_like_cv, not_a_cv_filename
from mailbot.parse.document import Document, load_document
from mailbot.parse.evidence import unjudged
from mailbot.parse.forms import parse_forms, parse_forms_in_text
from mailbot.parse.guard import time_limit
from mailbot.parse.referral import find_offer_ref
from mailbot.parse.trivial import is_trivial_text
from mailbot.parse.types import Limits

__all__ = ["DocFacts", "MailAnalysis", "read_document"]

_FORM_NAME = re.compile(r"formulaire|liaison|fiche[\s_\-]*(de[\s_\-]*)?poste|offre", re.I)
_CV_NAME = re.compile(r"(^|[^a-z])(cv|curriculum)([^a-z]|$)", re.I)
_FORWARD_SUBJECT = re.compile(r"^\s*(tr|fw|fwd|transf)\s*:", re.I)
# Words of a message that brings a form or a need (subject, text, file names)
_FORM_WORDS = re.compile(
    r"formulaire|fiche[\s_\-]*(de[\s_\-]*)?(liaison|poste|besoin)|\bliaison\b|\boffres?\b"
    r"|recrut|\bbesoins?\b|\bpostes?\b|embauch|clauses?[\s_\-]*sociales?|insertion"
    r"|\bcs-\d{4}-\d{3,}",
    re.I,
)


@dataclass
class DocFacts:
    """One attached PDF/DOCX: opened document or the reason it could not be read; its forms."""

    attachment: Attachment
    doc: Document | None = None
    error: str | None = None
    forms: list[dict] = field(default_factory=list)
    ocr: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def form_named(self) -> bool:
        """The file name says it is a liaison form / job offer."""
        return bool(_FORM_NAME.search(self.attachment.filename))

    @cached_property
    def is_cv(self) -> bool:
        """A CV: reads like one, or is named like one (a scanned CV has no text)."""
        if self.forms or not_a_cv_filename(self.attachment.filename):
            return False
        if _CV_NAME.search(self.attachment.filename):
            return True
        if self.doc is None:
            return False
        try:
            return looks_like_cv(self.doc)
        except Exception:
            return False


def read_document(attachment: Attachment, limits: Limits) -> DocFacts:
    """Open one attachment and parse its forms; nothing raises, failures land in `error`.

    Bounded in time: the readers' own deadline, and a hard backstop a few seconds later.
    """
    facts = DocFacts(attachment)
    if attachment.problem:
        facts.error = attachment.problem
        return facts
    try:
        with time_limit(limits.max_seconds_per_document + _GRACE_SECONDS):
            _read_into(facts, attachment, limits)
    except UnreadableDocument as exc:
        facts.error = str(exc)
    return facts


_GRACE_SECONDS = 5.0


def _read_into(facts: DocFacts, attachment: Attachment, limits: Limits) -> None:
    try:
        facts.doc = load_document(attachment.data, attachment.filename, limits)
    except UnreadableDocument:
        raise
    except Exception as exc:  # a library choking on hostile bytes
        facts.error = f"cannot be read ({type(exc).__name__})"
        return
    try:
        result = parse_forms(facts.doc, limits)
    except UnreadableDocument:
        raise
    except Exception as exc:
        facts.problems.append(f"form reader failed ({type(exc).__name__}: {exc})"[:200])
        return
    facts.forms = list(result.forms or [])
    facts.ocr = bool(result.ocr)
    facts.problems = list(result.problems or [])


class MailAnalysis:
    """Lazily computed content facts of one message (each computed at most once)."""

    def __init__(
        self,
        msg: MailMessage,
        limits: Limits,
        find_offer_by_message_id: Callable[[list[str]], str | None] | None = None,
        own_addresses: Iterable[str] = (),
        is_our_message_id: Callable[[list[str]], bool] | None = None,
        is_known_sender: Callable[[str], bool] | None = None,
    ) -> None:
        self.msg = msg
        self.limits = limits
        self.find_offer_by_message_id = find_offer_by_message_id
        self.own_addresses = [a.lower() for a in own_addresses if a]
        self.is_our_message_id = is_our_message_id
        self.is_known_sender = is_known_sender

    def _judging(self) -> AbstractContextManager[None]:
        """Forms need enough evidence (mailbot.parse.evidence), except in a reply to mailbot
        that names an offer: it is read for whatever fields it gives."""
        return unjudged() if self.in_reply_to_us and self.offer_ref else nullcontext()

    @cached_property
    def documents(self) -> list[DocFacts]:
        with self._judging():
            return [read_document(a, self.limits) for a in self.msg.documents]

    @cached_property
    def cv_documents(self) -> list[DocFacts]:
        return [d for d in self.documents if d.is_cv]

    @cached_property
    def referral_documents(self) -> list[DocFacts]:
        """The documents that stand for a candidate: CVs, and unreadable non-form files."""
        return [
            d for d in self.documents if not d.forms and (d.is_cv or (d.error and not d.form_named))
        ]

    @cached_property
    def body_forms(self) -> list[dict]:
        texts = [self.msg.text]
        if _FORWARD_SUBJECT.match(self.msg.subject or "") or not self.msg.text.strip():
            texts.append(self.msg.quoted)
        for text in texts:
            if not text or not text.strip():
                continue
            try:
                with self._judging():
                    forms = parse_forms_in_text(text)
            except Exception:
                forms = []
            if forms:
                return list(forms)
        return []

    @cached_property
    def plausibly_form(self) -> bool:
        """The message could be bringing a form: its words (subject, text, file names), a reply
        to mailbot, or a sender an offer came from before. An unreadable attachment earns
        "please resend" only then."""
        names = " ".join(a.filename or "" for a in self.msg.attachments)
        words = f"{self.msg.subject or ''}\n{names}\n{(self.msg.text or '')[:5000]}"
        if _FORM_WORDS.search(words) or self.in_reply_to_us:
            return True
        address = self.msg.sender_address
        if not address or self.is_known_sender is None:
            return False
        try:
            return bool(self.is_known_sender(address))
        except Exception:
            return False

    @cached_property
    def in_reply_to_us(self) -> bool:
        """In-Reply-To or References names a Message-ID mailbot sent."""
        ids = [*self.msg.in_reply_to, *self.msg.references]
        if not ids or self.is_our_message_id is None:
            return False
        try:
            return bool(self.is_our_message_id(ids))
        except Exception:
            return False

    @cached_property
    def brings_nothing_new(self) -> bool:
        """No document and no text beyond greetings, thanks, a signature or an automatic notice
        (mailbot's own text set apart first)."""
        if self.msg.attachments:
            return False
        return is_trivial_text(self.msg.text, self.msg.from_name)

    @cached_property
    def offer_ref(self) -> str | None:
        return find_offer_ref(self.msg, self.find_offer_by_message_id)
