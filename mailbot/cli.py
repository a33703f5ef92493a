"""Command line: thin — arguments in, calls into the modules, output out. Exit 0 only on success."""

from __future__ import annotations

import enum
import json
import re
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from mailbot.domain.models import InboundStatus, OutboxStatus
from mailbot.errors import MailbotError

__all__ = ["app", "main", "plain"]

app = typer.Typer(
    help="mailbot: reads the clause sociale mailbox, parses liaison forms and referrals, "
    "answers in French.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
offers_app = typer.Typer(help="Offers (job needs from liaison forms).", no_args_is_help=True)
messages_app = typer.Typer(help="Received messages (the journal).", no_args_is_help=True)
outbox_app = typer.Typer(help="Outgoing emails (the outbox).", no_args_is_help=True)
app.add_typer(offers_app, name="offers")
app.add_typer(messages_app, name="messages")
app.add_typer(outbox_app, name="outbox")

console = Console(soft_wrap=True)
err = Console(stderr=True)

_CONFIG_HELP = "Config file (default: $MAILBOT_CONFIG, else ./config.toml)."
ConfigOpt = Annotated[Path | None, typer.Option("--config", "-c", help=_CONFIG_HELP)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]
OutboxStatusChoice = enum.Enum(  # type: ignore[misc]
    "OutboxStatusChoice", [(s, s) for s in OutboxStatus.ALL], type=str)
InboundStatusChoice = enum.Enum(  # type: ignore[misc]
    "InboundStatusChoice", [(s, s) for s in InboundStatus.ALL], type=str)

# Options given before the command (set by the callback on every invocation).
_global_options: dict[str, Path | None] = {"config": None}
# C0/C1 controls (ESC, CR, BEL…) and bidirectional overrides: never sent to the terminal.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain(value: object) -> Text:
    """A table cell holding user data: no markup, no highlighting, control characters as U+FFFD."""
    text = "" if value is None else str(value)
    return Text(_UNSAFE.sub("\ufffd", text.replace("\t", " ")))


@app.callback()
def _options(config_file: ConfigOpt = None) -> None:
    """Options before the command; a command's own --config wins over this one."""
    _global_options["config"] = config_file


def _fail(message: str, code: int = 1) -> typer.Exit:
    print(f"mailbot: {message}", file=sys.stderr)
    return typer.Exit(code)


def _config_file(explicit: Path | None) -> Path | None:
    """The command's own --config, else the one given before the command."""
    return explicit if explicit is not None else _global_options["config"]


def _load(config_file: Path | None):
    from mailbot.config import load_config

    try:
        return load_config(_config_file(config_file))
    except MailbotError as exc:
        raise _fail(str(exc)) from None


def _database_failure(config, exc: Exception) -> typer.Exit:
    from mailbot.config import display_url
    from mailbot.logging_setup import safe_error

    return _fail(f"database error ([database] url = {display_url(config.database.url)}): "
                 f"{safe_error(exc)}")


def _engine(config):
    """The configured database, migrated; its errors name `[database] url`."""
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.app import open_engine

    try:
        return open_engine(config)
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None


def _pipeline(config):
    from mailbot.app import make_pipeline

    return make_pipeline(config, engine=_engine(config))


def _setup_logging(verbose: bool = False, trace_protocol: bool = False,
                   quiet: bool = False) -> None:
    from mailbot.logging_setup import setup_logging

    setup_logging(verbose, trace_protocol, quiet=quiet)


@app.command()
def init(config_file: ConfigOpt = None) -> None:
    """Create the database or migrate it to the current schema."""
    from mailbot.config import display_url

    config = _load(config_file)
    _engine(config)
    console.print(f"database ready: {display_url(config.database.url)}", markup=False,
                  highlight=False)


@app.command()
def run(
    config_file: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="Fetch, process, send, then exit.")] = False,
    verbose: Annotated[bool, typer.Option(
        "--verbose", "-v", help="mailbot's debug lines (never message content).")] = False,
    trace_protocol: Annotated[bool, typer.Option(
        "--trace-protocol",
        help="Also log the raw IMAP/SMTP conversation (or MAILBOT_TRACE_PROTOCOL=1). WARNING: "
        "it logs whole messages, names and addresses; for debugging on a test mailbox only.",
    )] = False,
) -> None:
    """Run the daemon: read the mailbox (IDLE or polling), handle each message, send emails."""
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.app import make_source
    from mailbot.daemon import Daemon

    config = _load(config_file)
    _setup_logging(verbose, trace_protocol)
    try:
        pipeline = _pipeline(config)
        daemon = Daemon(pipeline, lambda: make_source(config), config.require_imap().poll_seconds)
        daemon.install_signal_handlers()
        if once:
            report = daemon.run_once()
            quarantined = sum(o.status == "quarantined" for o in report.outcomes)
            sent = report.sent
            console.print(
                f"{report.journaled} new, {len(report.outcomes)} handled ({quarantined} quarantined), "
                f"{sent.sent if sent else 0} sent, {sent.deferred if sent else 0} deferred, "
                f"{sent.failed if sent else 0} failed, {report.moved} filed",
                markup=False, highlight=False,
            )
        else:
            daemon.run_forever()
    except MailbotError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=".eml files or Maildir folders.")],
    config_file: ConfigOpt = None,
    send: Annotated[bool, typer.Option(help="Send the resulting emails now.")] = True,
) -> None:
    """Feed .eml files or a Maildir through the pipeline (no IMAP needed)."""
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.ingest import ingest_paths

    config = _load(config_file)
    _setup_logging(quiet=True)
    try:
        pipeline = _pipeline(config)
        summary = ingest_paths(pipeline, paths, send=send, console=err)
    except (MailbotError, OSError) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    console.print(summary, markup=False, highlight=False)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A .pdf, .docx or .eml file.")],
    as_json: JsonOpt = False,
) -> None:
    """Parse one file and show what mailbot understands of it (no config needed)."""
    from mailbot.parse import main_parse

    raise typer.Exit(main_parse(str(file), as_json))


def _table(*columns: str, wide: tuple[str, ...] = ()) -> Table:
    table = Table()
    for name in columns:
        if name in wide:  # identifiers: never wrapped nor cut
            table.add_column(name, no_wrap=True, min_width=len("CS-0000-00000"), overflow="fold")
        else:
            table.add_column(name, overflow="fold")
    return table


@offers_app.command("list")
def offers_list(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List offers with their reference, company, title, positions, status and referrals.

    Status `held`: over a flood limit, not broadcast yet (see `mailbot offers release`).
    """
    from mailbot.queries import list_offers

    offers = list_offers(_engine(_load(config_file)))
    if as_json:
        print(json.dumps(offers, ensure_ascii=False, indent=2, default=str))
        return
    table = _table("ref", "company", "title", "positions", "status", "referrals", "missing",
                   wide=("ref",))
    width = max((len(o["ref"]) for o in offers), default=0)
    table.columns[0].min_width = max(table.columns[0].min_width or 0, width)
    for o in offers:
        table.add_row(plain(o["ref"]), plain(o["company"]), plain(o["title"]),
                      plain(o["positions"]), plain(o["status"]), plain(o["referrals"]),
                      plain(len(o["missing"])))
    console.print(table)


@offers_app.command("release")
def offers_release(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    config_file: ConfigOpt = None,
) -> None:
    """Release a held offer: its acknowledgement and broadcasts are sent now."""
    config = _load(config_file)
    _setup_logging(quiet=True)
    pipeline = _pipeline(config)
    try:
        result = pipeline.release_offer(ref)
    except (LookupError, ValueError) as exc:
        raise _fail(str(exc)) from None
    report = pipeline.send()
    console.print(f"offer {result['ref']}: {result['released']} email(s) released, "
                  f"{report.sent} sent, {report.deferred} deferred, {report.failed} failed",
                  markup=False, highlight=False)


@messages_app.command("list")
def messages_list(
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only those for the référent.")] = False,
    status: Annotated[InboundStatusChoice | None, typer.Option(  # type: ignore[valid-type]
        help="Only this status.", case_sensitive=False)] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
) -> None:
    """List received messages: kind, status, and why one was flagged or quarantined."""
    from mailbot.queries import list_messages

    rows = list_messages(_engine(_load(config_file)), flagged_only=flagged, limit=limit,
                         status=status.value if status else None)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = _table("id", "received", "from", "subject", "kind", "status", "reason")
    for r in rows:
        table.add_row(plain(r["id"]), plain(str(r["received_at"])[:16]), plain(r["from"]),
                      plain(r["subject"]), plain(r["kind"]), plain(r["status"]),
                      plain(r["reason"]))
    console.print(table)


@outbox_app.command("list")
def outbox_list(
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
    status: Annotated[OutboxStatusChoice | None, typer.Option(  # type: ignore[valid-type]
        help="Only this status.", case_sensitive=False)] = None,
    limit: Annotated[int, typer.Option(min=1, help="At most this many, newest first.")] = 100,
) -> None:
    """List outgoing emails: to whom, status, attempts, and the server's answer when refused."""
    from mailbot.queries import list_outbox

    rows = list_outbox(_engine(_load(config_file)), status=status.value if status else None,
                       limit=limit)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = _table("id", "role", "to", "subject", "status", "attempts", "last error")
    for r in rows:
        table.add_row(plain(r["id"]), plain(r["role"]), plain(", ".join(r["to"])),
                      plain(r["subject"]), plain(r["status"]), plain(r["attempts"]),
                      plain(r["last_error"]))
    console.print(table)


@app.command()
def reprocess(
    inbound_id: Annotated[int, typer.Argument(help="Journal id (see `mailbot messages list`).")],
    config_file: ConfigOpt = None,
    as_company: Annotated[bool, typer.Option(
        "--as-company",
        help="Handle it as a company's liaison form even though it comes from a partner "
        "(the référent's decision: a SIAE or a GEIQ also hires).",
    )] = False,
) -> None:
    """Handle a quarantined or flagged message again, then send what it produced."""
    config = _load(config_file)
    _setup_logging(quiet=True)
    pipeline = _pipeline(config)
    try:
        outcome = (pipeline.reprocess(inbound_id, as_company=True) if as_company
                   else pipeline.reprocess(inbound_id))
    except (LookupError, ValueError) as exc:
        raise _fail(str(exc)) from None
    pipeline.send()
    line = Text(f"message {inbound_id}: {outcome.status} ({outcome.kind or '-'})")
    if outcome.reason:
        line.append_text(plain(f": {outcome.reason}"))
    console.print(line, highlight=False)
    if outcome.status == "quarantined":
        raise typer.Exit(1)


@app.command()
def demo(
    directory: Annotated[Path, typer.Option("--dir", help="Workspace to create.")] = Path(
        "mailbot-demo"
    ),
) -> None:
    """Run the whole loop on built-in examples: no servers, emails written as .eml files."""
    from mailbot.demo import run_demo

    try:
        run_demo(directory, console)
    except MailbotError as exc:
        raise _fail(str(exc)) from None


def main() -> None:
    """Entry point: no Python traceback for operators unless MAILBOT_DEBUG is set."""
    import os

    if os.environ.get("MAILBOT_DEBUG"):
        app()
        return
    try:
        app()
    except Exception as exc:  # last resort: one line, and the journal keeps the message
        from mailbot.logging_setup import safe_error

        print(f"mailbot: internal error: {safe_error(exc)} (set MAILBOT_DEBUG=1 for details)",
              file=sys.stderr)
        raise SystemExit(1) from None
