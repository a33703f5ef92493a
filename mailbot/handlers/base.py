"""What a handler gets: one journaled message, its parse, and a session (one unit of work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from mailbot.config import Config
from mailbot.domain.models import InboundMessage, Partner
from mailbot.senders import SenderCheck, own_domains

__all__ = ["HandlerContext"]


@dataclass
class HandlerContext:
    """Everything a handler may touch. Handlers write rows and queue emails; never SMTP or IMAP."""

    session: Session
    entry: InboundMessage
    parsed: dict[str, Any]
    config: Config
    composer: Any  # mailbot.outbox.compose.Composer
    partners: list[Partner]
    sender: SenderCheck = field(default_factory=lambda: SenderCheck(None, trusted=False))
    as_company: bool = False  # the référent said this partner's form is a company's need
    notes: list[str] = field(default_factory=list)

    @property
    def sender_address(self) -> str | None:
        """The checked From addr-spec (see mailbot.senders)."""
        return self.sender.address

    @property
    def is_correspondent(self) -> bool:
        """Neither the référent, the facilitateur, our domain nor a partner: flood limits apply."""
        return self.sender.role == "other"

    @property
    def own_domains(self) -> set[str]:
        """Our organisation's domains: the shared mailbox's and the référent's."""
        return own_domains(self.config)

    def _is_internal(self, address: str | None) -> bool:
        return bool(address) and address.rpartition("@")[2].lower() in self.own_domains

    @property
    def forwarded_by_colleague(self) -> bool:
        """A colleague (our own domain, trusted) forwarded someone's email to us: the form is the
        original sender's."""
        inner = (self.parsed.get("forwarded_from") or {}).get("address")
        colleague = self.sender.role in ("referent", "facilitateur", "own_domain")
        return (colleague and self.sender.usable and bool(inner)
                and not self._is_internal(inner))

    @property
    def answer_address(self) -> str | None:
        """Who an answer goes to: the From address (its Reply-To only within its own domain), or
        the original sender of a colleague's forward."""
        if self.forwarded_by_colleague:
            return (self.parsed["forwarded_from"]["address"] or "").strip().lower() or None
        return self.sender.answer_address

    @property
    def may_answer(self) -> bool:
        """Never answer automated mail, an unknown sender, or ourselves (loop guard)."""
        address = self.answer_address
        if not address or self.parsed.get("auto") or not self.sender.usable:
            return False
        own = {self.config.smtp.from_address.lower()}
        return address not in own

    def answer_held(self) -> bool:
        """Past `[limits] answers_per_sender_per_day` for a correspondent: the answer is queued
        `held` (flagged) instead of being sent."""
        from mailbot.flood import answers_in_window

        limit = self.config.limits.answers_per_sender_per_day
        address = self.answer_address
        if not self.is_correspondent or not address or answers_in_window(self.session, address) < limit:
            return False
        self.flag(f"answer held: more than {limit} answers to {address} in 24 h "
                  "(mailbot offers release REF, or mailbot outbox list --status held)")
        return True

    def flag(self, reason: str) -> None:
        """Mark the message for the référent's attention, keeping every reason."""
        self.entry.flagged = True
        self.notes.append(reason)
        self.entry.reason = "; ".join(self.notes)

    def reply_headers(self) -> dict[str, Any]:
        """Threading headers for an answer to this message (none to a forward's original sender,
        who never saw the forward)."""
        message_id = self.parsed.get("message_id")
        if not message_id or self.forwarded_by_colleague:
            return {}
        return {"in_reply_to": message_id, "references": [message_id]}
