"""Builds the parts named in the config: engine, IMAP source, SMTP transport, pipeline."""

from __future__ import annotations

from mailbot.config import Config
from mailbot.db import make_engine, migrate
from mailbot.pipeline import Pipeline

__all__ = ["make_pipeline", "make_source", "make_transport", "open_engine"]


def open_engine(config: Config, *, migrate_schema: bool = True):
    """The configured database, migrated to the current schema."""
    engine = make_engine(config.database.url)
    if migrate_schema:
        migrate(engine)
    return engine


def make_source(config: Config):
    """The configured IMAP folder as a Source."""
    from mailbot.sources.imap import ImapSource

    imap = config.require_imap()
    return ImapSource(
        host=imap.host,
        port=imap.port,
        security=imap.security,
        username=imap.username,
        password=imap.resolved_password() or "",
        folder=imap.folder,
        processed_folder=imap.processed_folder,
        quarantine_folder=imap.quarantine_folder,
        idle=imap.idle,
        timeout=imap.timeout,
        tls_verify=imap.tls_verify,
        ca_file=imap.ca_file,
    )


def make_transport(config: Config):
    """SMTP transport for the configured relay."""
    from mailbot.outbox.sender import SmtpSettings
    from mailbot.outbox.transports import SmtpTransport

    return SmtpTransport(SmtpSettings.from_config(config.smtp))


def make_pipeline(config: Config, engine=None, transport=None) -> Pipeline:
    return Pipeline(config, engine or open_engine(config), transport or make_transport(config))
