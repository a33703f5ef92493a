"""What every mail source gives the pipeline: raw messages with where they came from."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

from mailbot.errors import MailbotError

__all__ = ["FetchedMessage", "Source", "SourceError"]


class SourceError(MailbotError, ConnectionError):
    """The mail server cannot be reached, refused the login, or broke the connection."""


@dataclass(frozen=True)
class FetchedMessage:
    """One message as read from its folder, before anything is parsed."""

    mailbox: str  # stable name of the folder, e.g. "imap://clauses@127.0.0.1:1143/INBOX"
    uidvalidity: int
    uid: int
    raw: bytes


class Source(Protocol):
    """A mailbox folder the pipeline reads from and files messages into.

    Implementations: sources.imap.ImapSource, sources.maildir.MaildirSource.
    """

    mailbox: str

    def connect(self) -> None:
        """Open the connection; create the processed and quarantine folders if missing."""

    def close(self) -> None:
        """Close the connection; safe to call twice."""

    def uidvalidity(self) -> int:
        """The folder's current UIDVALIDITY."""

    def fetch_new(self, uidvalidity: int, last_uid: int, limit: int = 500) -> Iterator[FetchedMessage]:
        """Messages with UID > last_uid in UID order (all of them when `uidvalidity` changed).

        Never a `SEARCH ALL` on IMAP: `UID SEARCH UID last+1:*`, dropping UIDs <= last_uid.
        """

    def move(self, uidvalidity: int, uid: int, folder: str) -> bool:
        """Move one message to `folder`; False if it is no longer there (already moved)."""

    def wait_for_new(self, timeout: float, should_stop) -> None:
        """Block until new mail may be there, `timeout` seconds pass, or should_stop() is true.

        IMAP uses IDLE when the server offers it (checked every second), else sleeps in 1 s steps.
        """
