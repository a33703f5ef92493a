"""A shallow error hierarchy: every error mailbot raises on purpose is a MailbotError."""

__all__ = [
    "ConfigError",
    "MailbotError",
    "PermanentSendError",
    "TemporarySendError",
    "UnreadableDocument",
]


class MailbotError(Exception):
    """Base of every error mailbot raises on purpose."""


class ConfigError(MailbotError):
    """The configuration is missing, malformed, or has a bad or unknown key (named in the message)."""


class UnreadableDocument(MailbotError):
    """A document (PDF, DOCX, ...) cannot be read: corrupt, encrypted, too big, empty.

    The message is one short English line naming the reason; it is shown to the référent and
    printed by `mailbot parse`.
    """


class TemporarySendError(MailbotError, ConnectionError):
    """SMTP said 'try later' (4xx) or the connection failed: the email stays queued."""


class PermanentSendError(MailbotError):
    """SMTP refused the email for good (5xx): the outbox row ends `failed` with this answer."""
