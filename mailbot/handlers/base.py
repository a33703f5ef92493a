"""What a handler gets: one journaled message, its parse, and a session (one unit of work)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from mailbot.config import Config
from mailbot.domain.models import InboundMessage, Partner

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
    notes: list[str] = field(default_factory=list)

    @property
    def sender_address(self) -> str | None:
        sender = self.parsed.get("sender") or {}
        address = (sender.get("address") or "").strip().lower()
        return address or None

    @property
    def may_answer(self) -> bool:
        """Never answer automated mail, an unknown sender, or ourselves (loop guard)."""
        address = self.sender_address
        if not address or self.parsed.get("auto"):
            return False
        own = {self.config.smtp.from_address.lower()}
        return address not in own

    def flag(self, reason: str) -> None:
        """Mark the message for the référent's attention, keeping every reason."""
        self.entry.flagged = True
        self.notes.append(reason)
        self.entry.reason = "; ".join(self.notes)

    def reply_headers(self) -> dict[str, Any]:
        """Threading headers for an answer to this message."""
        message_id = self.parsed.get("message_id")
        if not message_id:
            return {}
        return {"in_reply_to": message_id, "references": [message_id]}
