"""Command line: thin — arguments in, calls into the modules, output out. Exit 0 only on success."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from mailbot.errors import MailbotError

__all__ = ["app", "main"]

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

ConfigOpt = Annotated[
    Path | None,
    typer.Option("--config", "-c", help="Config file (default: $MAILBOT_CONFIG, else ./config.toml)."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Machine-readable JSON output.")]


def _fail(message: str, code: int = 1) -> typer.Exit:
    print(f"mailbot: {message}", file=sys.stderr)
    return typer.Exit(code)


def _load(config_file: Path | None):
    from mailbot.config import load_config

    try:
        return load_config(config_file)
    except MailbotError as exc:
        raise _fail(str(exc)) from None


def _setup_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    for noisy in ("alembic", "pypdf", "pdfminer", "aiosmtplib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


@app.command()
def init(config_file: ConfigOpt = None) -> None:
    """Create the database or migrate it to the current schema."""
    from mailbot.app import open_engine

    config = _load(config_file)
    open_engine(config)
    console.print(f"database ready: {config.database.url}", markup=False, highlight=False)


@app.command()
def run(
    config_file: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="Fetch, process, send, then exit.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False,
) -> None:
    """Run the daemon: read the mailbox (IDLE or polling), handle each message, send emails."""
    from mailbot.app import make_pipeline, make_source
    from mailbot.daemon import Daemon

    config = _load(config_file)
    _setup_logging(verbose)
    try:
        pipeline = make_pipeline(config)
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


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help=".eml files or Maildir folders.")],
    config_file: ConfigOpt = None,
    send: Annotated[bool, typer.Option(help="Send the resulting emails now.")] = True,
) -> None:
    """Feed .eml files or a Maildir through the pipeline (no IMAP needed)."""
    from mailbot.app import make_pipeline
    from mailbot.ingest import ingest_paths

    config = _load(config_file)
    try:
        pipeline = make_pipeline(config)
        summary = ingest_paths(pipeline, paths, send=send, console=err)
    except (MailbotError, OSError) as exc:
        raise _fail(str(exc)) from None
    console.print(summary, markup=False, highlight=False)


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="A .pdf, .docx or .eml file.")],
    as_json: JsonOpt = False,
) -> None:
    """Parse one file and show what mailbot understands of it (no config needed)."""
    from mailbot.parse import main_parse

    raise typer.Exit(main_parse(str(file), as_json))


@offers_app.command("list")
def offers_list(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List offers with their reference, company, title, positions, status and referrals."""
    from mailbot.app import open_engine
    from mailbot.queries import list_offers

    offers = list_offers(open_engine(_load(config_file)))
    if as_json:
        print(json.dumps(offers, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("ref", "company", "title", "positions", "status", "referrals", "missing")
    for o in offers:
        table.add_row(o["ref"], o["company"] or "", o["title"] or "", str(o["positions"] or ""),
                      o["status"], str(o["referrals"]), str(len(o["missing"])))
    console.print(table)


@messages_app.command("list")
def messages_list(
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
    flagged: Annotated[bool, typer.Option("--flagged", help="Only those for the référent.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List received messages: kind, status, and why one was flagged or quarantined."""
    from mailbot.app import open_engine
    from mailbot.queries import list_messages

    rows = list_messages(open_engine(_load(config_file)), flagged_only=flagged, limit=limit)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("id", "received", "from", "kind", "status", "reason")
    for r in rows:
        table.add_row(str(r["id"]), str(r["received_at"])[:16], r["from"] or "", r["kind"] or "",
                      r["status"], r["reason"] or "")
    console.print(table)


@outbox_app.command("list")
def outbox_list(
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
    status: Annotated[
        str | None, typer.Option(help="Only this status: pending, sent or failed.")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
) -> None:
    """List outgoing emails: to whom, status, attempts, and the server's answer when refused."""
    from mailbot.app import open_engine
    from mailbot.queries import list_outbox

    rows = list_outbox(open_engine(_load(config_file)), status=status, limit=limit)
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = Table("id", "role", "to", "subject", "status", "attempts", "last error")
    for r in rows:
        table.add_row(str(r["id"]), r["role"], ", ".join(r["to"]), r["subject"], r["status"],
                      str(r["attempts"]), r["last_error"] or "")
    console.print(table)


@app.command()
def reprocess(
    inbound_id: Annotated[int, typer.Argument(help="Journal id (see `mailbot messages list`).")],
    config_file: ConfigOpt = None,
) -> None:
    """Handle a quarantined message again (after a parser fix), then send what it produced."""
    from mailbot.app import make_pipeline

    pipeline = make_pipeline(_load(config_file))
    try:
        outcome = pipeline.reprocess(inbound_id)
    except (LookupError, ValueError) as exc:
        raise _fail(str(exc)) from None
    pipeline.send()
    console.print(f"message {inbound_id}: {outcome.status} ({outcome.kind or '-'})"
                  + (f": {outcome.reason}" if outcome.reason else ""), markup=False)
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
        print(f"mailbot: internal error: {type(exc).__name__}: {exc} "
              "(set MAILBOT_DEBUG=1 for details)", file=sys.stderr)
        raise SystemExit(1) from None
