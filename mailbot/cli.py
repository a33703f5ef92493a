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
from mailbot.domain.services import OFFER_FIELDS
from mailbot.domain.states import ReferralState, RefusalReason
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
referrals_app = typer.Typer(
    help="Referrals (a candidate proposed by a partner for an offer) and the référent's "
    "decisions on them.", no_args_is_help=True)
candidates_app = typer.Typer(help="Candidates (persons) and their parcours.", no_args_is_help=True)
feedback_app = typer.Typer(help="Feedback emails to partners.", no_args_is_help=True)
app.add_typer(referrals_app, name="referrals")
app.add_typer(candidates_app, name="candidates")
app.add_typer(feedback_app, name="feedback")
markets_app = typer.Typer(help="Markets, lots, worksites and their winning companies (the "
                          "facilitateur's list).", no_args_is_help=True)
app.add_typer(markets_app, name="markets")
labels_app = typer.Typer(help="Form labels mailbot did not know, and teaching it new ones.",
                        no_args_is_help=True)
app.add_typer(labels_app, name="labels")
companies_app = typer.Typer(help="Companies announced by the facilitateur and their blank forms.",
                            no_args_is_help=True)
app.add_typer(companies_app, name="companies")

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
        daemon = Daemon(pipeline, lambda: make_source(config), config.require_imap().poll_seconds,
                        scheduler=_scheduler(config, pipeline))
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


# -- the référent's decisions (one unit of work per call: see mailbot.decide) -------------------

IdsArg = Annotated[list[str], typer.Argument(
    metavar="ID", help="Referral ids, 12 or R12 (see `mailbot referrals list`).")]
CommentOpt = Annotated[str | None, typer.Option(
    "--comment", help="A comment for the partner (sent in its feedback) and the audit.")]
ReferralStateChoice = enum.Enum(  # type: ignore[misc]
    "ReferralStateChoice", [(s.value, s.value) for s in ReferralState], type=str)
OfferFieldChoice = enum.Enum(  # type: ignore[misc]
    "OfferFieldChoice", [(name, name) for name in OFFER_FIELDS], type=str)
_DECISIONS_NOTE = (
    "\n\nEach ID is applied on its own: one line per ID says what was done or why not; the "
    "others are kept when one is refused (exit code 1 if any was). What was decided is committed "
    "together, then the partners' feedback is sent (one email per partner).")


def _shown(value: object) -> str:
    """A field's value on one line: dates in ISO, text quoted, nothing as null."""
    return json.dumps(value, ensure_ascii=False, default=str)


def _print_plain(line: object) -> None:
    print(_UNSAFE.sub("\ufffd", str(line)))


def _referent_call(config_file: Path | None, send: bool, act) -> None:
    """Run `act(decisions)` in one unit of work as the référent (CLI), print its lines, send
    the emails it queued; exit 1 when `act` refused something."""
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.decide import Line, referent_decisions
    from mailbot.domain.services import DecisionError

    config = _load(config_file)
    _setup_logging(quiet=True)
    try:
        pipeline = _pipeline(config)
        with referent_decisions(pipeline.engine, pipeline.composer, config) as decisions:
            lines = act(decisions)
    except DecisionError as exc:
        raise _fail(str(exc)) from None
    except MailbotError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    for line in lines:
        _print_plain(line)
    if send:
        report = pipeline.send()
        _print_plain(f"emails: {report.sent} sent, {report.deferred} deferred, "
                     f"{report.failed} failed")
    if any(isinstance(line, Line) and not line.done for line in lines):
        raise typer.Exit(1)


def _decide(action_code: str, ids: list[str], config_file: Path | None, send: bool,
            **options) -> None:
    from mailbot.decide import decide_many
    from mailbot.domain.states import Action

    _referent_call(config_file, send,
                   lambda decisions: decide_many(decisions, Action(action_code), ids, **options))


SendOpt = Annotated[bool, typer.Option(
    "--send/--no-send", help="Send the resulting emails now (else `mailbot run` sends them).")]




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


@offers_app.command("close")
def offers_close(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    reason: Annotated[str | None, typer.Option("--reason", help="Why (kept in the audit).")] = None,
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    """Close an open offer (filled or not); the partners it was sent to are told."""
    def act(decisions) -> list:
        offer = decisions.offer(ref)
        before = offer.status
        decisions.close_offer(ref, reason)
        return [f"offer {offer.ref}: {before} -> {offer.status}"]

    _referent_call(config_file, send, act)


@offers_app.command("publish")
def offers_publish(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    """Publish an offer waiting for review (`[workflow] broadcast = "review"`), or an incomplete
    one as it is: it opens and goes to its partners (email: `CS-2027-0042 publier`)."""
    def act(decisions) -> list:
        offer = decisions.offer(ref)
        before = offer.status
        decisions.publish_offer(ref)
        return [f"offer {offer.ref}: {before} -> {offer.status}"]

    _referent_call(config_file, send, act)


@offers_app.command("show")
def offers_show(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """An offer: its fields, status, history (every version: what changed, from what, when),
    who received it and why, how many candidates were referred."""
    from mailbot.queries import show_offer

    try:
        offer = show_offer(_engine(_load(config_file)), ref)
    except LookupError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(offer, ensure_ascii=False, indent=2, default=str))
        return
    _print_plain(f"{offer['ref']}  status: {offer['status']}  version: {offer['version']}  "
                 f"referrals: {offer['referrals']}")
    company = offer["company"] or {}
    _print_plain(f"company: {company.get('legal_name') or '-'} (SIRET {company.get('siret') or '-'})")
    for name, value in offer["fields"].items():
        _print_plain(f"  {name}: {' / '.join(str(value).splitlines())}")
    if offer["missing"]:
        _print_plain("missing: " + ", ".join(offer["missing"]))
    _print_plain(f"published: {offer['published_at'] or 'not yet'}")
    _print_plain("history:")
    for rev in offer["history"]:
        changes = "; ".join(f"{k}: {_shown(a)} -> {_shown(b)}" for k, (a, b) in rev["changes"].items())
        _print_plain(f"  v{rev['version']} {rev['at']} {rev['source']}"
                     + (f" (message {rev['inbound_id']})" if rev["inbound_id"] else "")
                     + (f": {changes}" if changes else ""))
    _print_plain("recipients:")
    for row in offer["recipients"]:
        _print_plain(f"  {row['partner'] or '-'}: {'yes' if row['included'] else 'no'} "
                     f"({row['reason']})")


@offers_app.command("edit")
def offers_edit(
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    field: Annotated[OfferFieldChoice, typer.Argument(  # type: ignore[valid-type]
        metavar="FIELD", help="The field to correct.", case_sensitive=False)],
    value: Annotated[str, typer.Argument(metavar="VALUE", help="Its right value ('' clears it).")],
    config_file: ConfigOpt = None,
) -> None:
    """Correct a misread field of an offer (audited with the old and new values)."""
    name = field.value

    def act(decisions) -> list:
        old = getattr(decisions.offer(ref), name)
        offer = decisions.edit_offer(ref, name, value)
        return [f"offer {offer.ref}: {name}: {_shown(old)} -> {_shown(getattr(offer, name))}"]

    _referent_call(config_file, False, act)


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


@referrals_app.command("list")
def referrals_list(
    offer: Annotated[str | None, typer.Option("--offer", metavar="REF",
                                              help="Only this offer's referrals.")] = None,
    status: Annotated[ReferralStateChoice | None, typer.Option(  # type: ignore[valid-type]
        help="Only this status.", case_sensitive=False)] = None,
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List referrals: id (R12), offer, partner, candidate, status, reason, duplicate, flag."""
    from mailbot.queries import list_referrals

    try:
        rows = list_referrals(_engine(_load(config_file)), offer=offer,
                              status=status.value if status else None)
    except LookupError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    table = _table("id", "offer", "partner", "cand.", "name", "status", "reason", "dup. of",
                   "flag", wide=("offer",))
    table.columns[0].no_wrap = True
    for r in rows:
        name = " ".join(p for p in (r["first_name"], r["last_name"]) if p)
        table.add_row(plain(r["ref"]), plain(r["offer"] or "-"), plain(r["partner"]),
                      plain(r["candidate"]), plain(name), plain(r["status"]),
                      plain(r["refusal_reason"]),
                      plain(f"R{r['duplicate_of']}" if r["duplicate_of"] else ""),
                      plain(r["flag_reason"] if r["flagged"] else ""))
    console.print(table)


@referrals_app.command("review", help="Put referrals under review (à l'étude)." + _DECISIONS_NOTE)
def referrals_review(ids: IdsArg, comment: CommentOpt = None, config_file: ConfigOpt = None,
                     send: SendOpt = True) -> None:
    _decide("review", ids, config_file, send, comment=comment)


@referrals_app.command(
    "present", help="Present referrals to the company (one presentation per offer, CVs attached)."
    + _DECISIONS_NOTE)
def referrals_present(ids: IdsArg, comment: CommentOpt = None, config_file: ConfigOpt = None,
                      send: SendOpt = True) -> None:
    _decide("present", ids, config_file, send, comment=comment)


@referrals_app.command(
    "hire", help="Record hires (retenue); contract terms not given come from the offer."
    + _DECISIONS_NOTE)
def referrals_hire(
    ids: IdsArg,
    contract: Annotated[str | None, typer.Option("--contract", help="Contract type: CDI, CDD…")] = None,
    start: Annotated[str | None, typer.Option("--start", metavar="DATE",
                                              help="Start date: 2027-02-01 or 01/02/2027.")] = None,
    end: Annotated[str | None, typer.Option("--end", metavar="DATE", help="End date.")] = None,
    duration: Annotated[str | None, typer.Option("--duration", help="Duration: 6 mois…")] = None,
    hours: Annotated[str | None, typer.Option("--hours", help="Weekly hours: 35, 24,5h.")] = None,
    comment: CommentOpt = None,
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    from mailbot.decide import parse_date, parse_hours
    from mailbot.domain.services import HireTerms

    try:
        terms = HireTerms(contract_type=contract.strip() if contract else None,
                          start=parse_date(start) if start else None,
                          end=parse_date(end) if end else None,
                          duration=duration.strip() if duration else None,
                          weekly_hours=parse_hours(hours) if hours else None)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None
    _decide("hire", ids, config_file, send, comment=comment, terms=terms)


@referrals_app.command(
    "reject", help="Record referrals as not hired (non retenue), with a reason from the list."
    + _DECISIONS_NOTE)
def referrals_reject(
    ids: IdsArg,
    reason: Annotated[RefusalReason, typer.Option(
        "--reason", help="Why (required).", case_sensitive=False)],
    comment: CommentOpt = None,
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    _decide("reject", ids, config_file, send, reason=RefusalReason(reason.value), comment=comment)


@referrals_app.command("hold", help="Keep referrals for a later need (en attente)."
                       + _DECISIONS_NOTE)
def referrals_hold(ids: IdsArg, comment: CommentOpt = None, config_file: ConfigOpt = None,
                   send: SendOpt = True) -> None:
    _decide("hold", ids, config_file, send, comment=comment)


@referrals_app.command(
    "undo", help="Revert each referral's last decision (audited, never erased)." + _DECISIONS_NOTE)
def referrals_undo(ids: IdsArg, config_file: ConfigOpt = None, send: SendOpt = True) -> None:
    _decide("undo", ids, config_file, send)


@referrals_app.command("attach")
def referrals_attach(
    referral: Annotated[str, typer.Argument(metavar="ID", help="Referral id: 12 or R12.")],
    ref: Annotated[str, typer.Argument(metavar="REF", help="Offer reference, e.g. CS-2027-0042.")],
    config_file: ConfigOpt = None,
) -> None:
    """Tie a flagged referral (unknown or missing offer reference) to its offer."""
    from mailbot.decide import parse_referral_id

    try:
        referral_id = parse_referral_id(referral)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None

    def act(decisions) -> list:
        row = decisions.attach(referral_id, ref)
        return [f"R{row.id}: attached to {decisions.offer(ref).ref}"]

    _referent_call(config_file, False, act)


@referrals_app.command("eligibility")
def referrals_eligibility(
    referral: Annotated[str, typer.Argument(metavar="ID", help="Referral id: 12 or R12.")],
    codes: Annotated[list[str] | None, typer.Argument(
        metavar="CODE...", help="deld, rsa, rqth, young, siae, qpv, other.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Record no eligibility.")] = False,
    config_file: ConfigOpt = None,
) -> None:
    """Set why a candidate is eligible to the clause (seen by the référent only; audited)."""
    from mailbot.decide import parse_referral_id

    if bool(codes) == clear:
        raise _fail("give the eligibility codes, or --clear", 2)
    try:
        referral_id = parse_referral_id(referral)
    except ValueError as exc:
        raise _fail(str(exc), 2) from None

    def act(decisions) -> list:
        row = decisions.set_eligibility(referral_id, [] if clear else list(codes or []))
        return [f"R{row.id}: eligibility {', '.join(row.eligibility) or 'cleared'}"]

    _referent_call(config_file, False, act)


@candidates_app.command("show")
def candidates_show(
    candidate: Annotated[str, typer.Argument(metavar="ID", help="Candidate id (12 or C12).")],
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """A person's parcours: referrals, decisions and contracts across offers and partners."""
    from mailbot.queries import candidate_history

    try:
        history = candidate_history(_engine(_load(config_file)), _candidate_id(candidate))
    except LookupError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(history, ensure_ascii=False, indent=2, default=str))
        return
    person = history["candidate"]
    head = Text(f"candidate C{person['id']}: ")
    head.append_text(plain(" ".join(p for p in (person["first_name"], person["last_name"]) if p)))
    console.print(head, highlight=False)
    referrals = _table("id", "offer", "company", "title", "partner", "status", "reason",
                       "comment", "contract", "eligibility", wide=("offer",))
    for r in history["referrals"]:
        contract = ", ".join(str(v) for v in (
            r["contract_type"], r["contract_start"], r["contract_end"] or r["contract_duration"],
            f"{r['weekly_hours']:g} h" if r["weekly_hours"] is not None else None) if v)
        referrals.add_row(plain(r["ref"]), plain(r["offer"] or "-"), plain(r["company"]),
                          plain(r["offer_title"]), plain(r["partner"]), plain(r["status"]),
                          plain(r["refusal_reason"]), plain(r["comment"]), plain(contract),
                          plain(", ".join(r["eligibility"])))
    console.print(referrals)
    console.print(_audit_table(history["decisions"]))


def _candidate_id(text: str) -> int:
    found = re.fullmatch(r"[Cc]?(\d{1,18})", text.strip())
    if not found:
        raise _fail(f"not a candidate id (12 or C12): {text!r}", 2)
    return int(found.group(1))


def _audit_table(rows: list[dict]) -> Table:
    table = _table("at", "actor", "channel", "action", "offer", "referral", "change", "reason",
                   "comment", wide=("offer",))
    for r in rows:
        change = f"{r['from_state']} -> {r['to_state']}" if r["from_state"] or r["to_state"] else ""
        if r["action"] == "offer_edit":
            d = r["details"]
            change = f"{d.get('field')}: {d.get('old')!r} -> {d.get('new')!r}"
        table.add_row(plain(r["at"]), plain(r["actor"]), plain(r["channel"]), plain(r["action"]),
                      plain(r["offer"] or ""), plain(f"R{r['referral']}" if r["referral"] else ""),
                      plain(change), plain(r["reason"]), plain(r["comment"]))
    return table


@app.command()
def audit(
    offer: Annotated[str | None, typer.Option("--offer", metavar="REF",
                                              help="Only this offer's events.")] = None,
    candidate: Annotated[str | None, typer.Option("--candidate", metavar="ID",
                                                  help="Only this candidate's events (12 or C12).")
                         ] = None,
    config_file: ConfigOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Every recorded change, oldest first: when, who (actor, channel), what, why."""
    from mailbot.queries import list_audit

    try:
        rows = list_audit(_engine(_load(config_file)), offer=offer,
                          candidate=_candidate_id(candidate) if candidate else None)
    except LookupError as exc:
        raise _fail(str(exc)) from None
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    console.print(_audit_table(rows))


@feedback_app.command("send")
def feedback_send(
    partner: Annotated[str | None, typer.Option("--partner", metavar="NAME",
                                                help="Only this partner (its [[partners]] name).")
                       ] = None,
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    """Send each partner (or one) the full state of all its candidates."""
    from sqlmodel import select

    from mailbot.domain import notices
    from mailbot.domain.models import Partner
    from mailbot.domain.services import DecisionError

    def act(decisions) -> list:
        query = select(Partner).where(Partner.active).order_by(Partner.id)
        if partner:
            query = select(Partner).where(Partner.name == partner)
        rows = list(decisions.session.exec(query))
        if partner and not rows:
            raise DecisionError(f"no partner named {partner!r} (see [[partners]] in the config)")
        queued = notices.queue_full_feedback_all(decisions.session, decisions.composer,
                                                 decisions.config, rows)
        return [f"{row.name}: {queued.get(row.id, 0)} feedback email(s) queued" for row in rows]

    _referent_call(config_file, send, act)


# -- markets, lots and worksites (the facilitateur's list; see mailbot.markets) ---------------


@markets_app.command("import")
def markets_import(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The list, .csv or .xlsx.")],
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    """Import the facilitateur's list: markets, lots, worksites, companies (applied at once).

    Headers are matched through rules/markets.toml; columns matching nothing are named and
    ignored. Importing an updated list updates the rows, never duplicates them. Each newly
    announced winner with an email gets the blank form (once per company and lot).
    """
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.markets import TableError
    from mailbot.markets.commands import import_file, summary_lines

    config = _load(config_file)
    if not file.is_file():
        raise _fail(f"no such file: {file}")
    _setup_logging(quiet=True)
    pipeline = _pipeline(config)
    try:
        view = import_file(pipeline.engine, file, pipeline.composer)
    except TableError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    for line in summary_lines(view):
        _print_plain(line)
    if send and view.get("forms_sent"):
        report = pipeline.send()
        _print_plain(f"emails: {report.sent} sent, {report.deferred} deferred, "
                     f"{report.failed} failed")


@markets_app.command("list")
def markets_list(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Markets with their lots (winning company, insertion hours, dates) and worksites."""
    from mailbot.markets.commands import listing

    markets, pending = listing(_engine(_load(config_file)))
    if as_json:
        print(json.dumps(markets, ensure_ascii=False, indent=2, default=str))
        return
    table = _table("market", "buyer", "lot", "company", "SIRET", "contact", "hours", "start",
                   "end", "worksites")
    for market in markets:
        name = " ".join(v for v in (market["reference"], market["name"]) if v)
        for lot in market["lots"] or [{}]:
            company = lot.get("company") or {}
            contact = " ".join(v for v in (company.get("contact_name"), company.get("email")) if v)
            sites = "; ".join(" ".join(v for v in (s["name"], s["address"], s["postcode"],
                                                    s["commune"]) if v)
                              for s in lot.get("worksites") or [])
            hours = lot.get("insertion_hours")
            table.add_row(plain(name), plain(market["buyer"]),
                          plain(" ".join(v for v in (lot.get("number"), lot.get("label")) if v)),
                          plain(company.get("legal_name")), plain(company.get("siret")),
                          plain(contact), plain(f"{hours:g}" if hours is not None else None),
                          plain(lot.get("start_date")), plain(lot.get("end_date")), plain(sites))
    console.print(table)
    for item in pending:
        _print_plain(f"import {item['id']} ({item['filename']}, {item['rows']} row(s)) waits: "
                     f"{item['reason']} (mailbot markets confirm {item['id']})")


@markets_app.command("confirm")
def markets_confirm(
    import_id: Annotated[int, typer.Argument(metavar="ID", help="The pending import's id.")],
    config_file: ConfigOpt = None,
    send: SendOpt = True,
) -> None:
    """Apply a list received by email that waits for the référent; the facilitateur is told.

    A list waits when its sender was not authenticated or is not the facilitateur.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.markets import MarketImportError
    from mailbot.markets.commands import confirm, summary_lines

    config = _load(config_file)
    _setup_logging(quiet=True)
    pipeline = _pipeline(config)
    try:
        view = confirm(pipeline.engine, pipeline.composer, config, import_id)
    except MarketImportError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    for line in summary_lines(view):
        _print_plain(line)
    if send:
        report = pipeline.send()
        _print_plain(f"emails: {report.sent} sent, {report.deferred} deferred, "
                     f"{report.failed} failed")


@companies_app.command("waiting")
def companies_waiting(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Companies sent the blank form that have not returned it: lot, email, sent, reminded, days.

    After `[workflow] reminder_days` each gets one reminder (stage "reminded"), then stays here.
    """
    from mailbot.queries import waiting_companies

    rows = waiting_companies(_engine(_load(config_file)))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = _table("company", "lot", "email", "sent", "reminded", "days", "stage")
    for row in rows:
        table.add_row(plain(row["company"] or row["siret"]), plain(row["lot"]), plain(row["email"]),
                      plain((row["sent_at"] or "")[:10]), plain((row["reminded_at"] or "")[:10]),
                      plain(row["days_waiting"]), plain(row["stage"]))
    console.print(table)


# -- scheduled jobs and the référent's digest (see mailbot.scheduler, mailbot.reports) --------

digest_app = typer.Typer(help="The référent's daily digest (sent by `mailbot run` at [schedule] "
                         "digest).", no_args_is_help=True)
app.add_typer(digest_app, name="digest")


def _scheduler(config, pipeline):
    from mailbot.scheduler import ReportScheduler

    return ReportScheduler(pipeline.engine, pipeline.composer, config)


def _paris(value, zone) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") if value else "-"


@app.command()
def jobs(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """List the scheduled jobs: cron ([schedule]), last run (from the reports' records) and next
    run, in [schedule] timezone."""
    from sqlalchemy.exc import SQLAlchemyError

    config = _load(config_file)
    try:
        scheduler = _scheduler(config, _pipeline(config))
        rows = scheduler.jobs()
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    zone = scheduler.timezone
    if as_json:
        print(json.dumps([{"name": r.name, "cron": r.cron, "last_run": r.last_run,
                           "last_period": r.last_period, "next_run": r.next_run} for r in rows],
                         default=str, indent=2))
        return
    table = _table("job", "cron", "last run", "period", "next run")
    for row in rows:
        table.add_row(row.name, row.cron or "off", _paris(row.last_run, zone),
                      plain(row.last_period or "-"), _paris(row.next_run, zone))
    console.print(table)


@digest_app.command("send")
def digest_send(config_file: ConfigOpt = None, send: SendOpt = True) -> None:
    """Write the digest now (since the previous digest), recorded like a scheduled one."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.reports.digest import write_digest

    config = _load(config_file)
    _setup_logging(quiet=True)
    try:
        pipeline = _pipeline(config)
        now = datetime.now(UTC)
        result = write_digest(pipeline.engine, pipeline.composer, config, due=now, now=now,
                              period_key="manual " + now.isoformat(timespec="seconds"))
    except MailbotError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    _print_plain("digest queued" if result.outbox_id else
                 "nothing to report: no digest ([reports] empty_digest = \"skip\")")
    if send and result.outbox_id:
        report = pipeline.send()
        _print_plain(f"emails: {report.sent} sent, {report.deferred} deferred, "
                     f"{report.failed} failed")


@digest_app.command("preview")
def digest_preview(
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write the .eml, "
                                      ".txt and .html.")] = Path("digest-preview"),
    config_file: ConfigOpt = None,
) -> None:
    """Write the digest as it would go now into DIR; nothing is sent nor recorded."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.reports.digest import preview_digest

    config = _load(config_file)
    try:
        pipeline = _pipeline(config)
        paths = preview_digest(pipeline.engine, pipeline.composer, config,
                               now=datetime.now(UTC), out_dir=out)
    except (MailbotError, OSError) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    for path in paths:
        _print_plain(path)


# -- the facilitateur's weekly summary and exports (see mailbot.reports.summary, .export) -------

summary_app = typer.Typer(help="The facilitateur's weekly summary (sent by `mailbot run` at "
                          "[schedule] facilitateur_summary).", no_args_is_help=True)
app.add_typer(summary_app, name="summary")


def _summary_call(config_file: Path | None, act) -> tuple:
    """Run `act(session, pipeline, config, now)` on the configured database, errors as exits."""
    from datetime import UTC, datetime

    from sqlalchemy.exc import SQLAlchemyError
    from sqlmodel import Session

    config = _load(config_file)
    _setup_logging(quiet=True)
    try:
        pipeline = _pipeline(config)
        with Session(pipeline.engine) as session:
            return pipeline, act(session, pipeline, config, datetime.now(UTC))
    except (MailbotError, OSError) as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None


@summary_app.command("send")
def summary_send(config_file: ConfigOpt = None, send: SendOpt = True) -> None:
    """Write this week's summary to [people] facilitateur now (chart and XLSX included),
    recorded like the scheduled one: once per week."""
    from mailbot.reports.summary import queue_summary

    def act(session, pipeline, config, now):
        row = queue_summary(session, pipeline.composer, config, now=now)
        session.commit()
        return row

    pipeline, row = _summary_call(config_file, act)
    _print_plain("summary queued" if row is not None else "this week's summary was already sent")
    if send and row is not None:
        report = pipeline.send()
        _print_plain(f"emails: {report.sent} sent, {report.deferred} deferred, "
                     f"{report.failed} failed")


@summary_app.command("preview")
def summary_preview(
    out: Annotated[Path, typer.Option("--out", metavar="DIR", help="Where to write the .eml and "
                                      "its parts (.html, .txt, .png, .xlsx).")] = Path("summary-preview"),
    config_file: ConfigOpt = None,
) -> None:
    """Write this week's summary into DIR as it would go now; nothing is sent nor recorded."""
    from mailbot.reports.summary import preview_summary

    _pipeline_, paths = _summary_call(config_file, lambda session, pipeline, config, now:
                                      preview_summary(session, pipeline.composer, config, out,
                                                      now=now))
    for path in paths:
        _print_plain(path)


class ExportWhat(enum.StrEnum):
    offers = "offers"
    referrals = "referrals"
    decisions = "decisions"
    hours = "hours"


class ExportFormat(enum.StrEnum):
    csv = "csv"
    xlsx = "xlsx"


@app.command("export")
def export_cmd(
    what: Annotated[ExportWhat, typer.Option("--what", help="offers, referrals, decisions (the "
                                             "audit) or hours (retained contracts' projected "
                                             "insertion hours).")],
    out: Annotated[Path, typer.Option("--out", metavar="FILE", help="The file to write.")],
    fmt: Annotated[ExportFormat, typer.Option("--format", help="csv (UTF-8, ';') or xlsx.")
                   ] = ExportFormat.csv,
    config_file: ConfigOpt = None,
) -> None:
    """Export a table as CSV or XLSX (candidates by id only, never named)."""
    from zoneinfo import ZoneInfo

    from mailbot.reports.export import export

    _pipeline_, count = _summary_call(config_file, lambda session, pipeline, config, now: export(
        session, what.value, fmt.value, out, ZoneInfo(config.schedule.timezone)))
    _print_plain(f"{count} row(s) written to {out}")


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


@app.command("form-template")
def form_template(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the two files into.")],
    company: Annotated[str | None, typer.Option(
        "--company", help="Company the form is for: printed and prefilled.")] = None,
    market: Annotated[str | None, typer.Option(
        "--market", help="Market (and lot) printed as 'Marché : …'.")] = None,
    lot: Annotated[int | None, typer.Option(
        "--lot", help="A lot's id (mailbot markets list --json): its winner and 'market – Lot n' "
        "(reads the config).")] = None,
    config_file: ConfigOpt = None,
) -> None:
    """Write the blank liaison form for companies: a fillable PDF and a Word file (no config
    unless --lot)."""
    from mailbot.blank_form import write_blank_forms

    if lot is not None:
        from sqlmodel import Session

        from mailbot.domain.lots import lot_label
        from mailbot.domain.models import Company, Lot, Market

        with Session(_engine(_load(config_file))) as session:
            row = session.get(Lot, lot)
            if row is None:
                raise _fail(f"no lot {lot}")
            winner = session.get(Company, row.company_id) if row.company_id else None
            company = company or (winner.legal_name if winner else None)
            market = market or lot_label(session.get(Market, row.market_id), row)
    try:
        written = write_blank_forms(out, company_name=company, market=market)
    except OSError as exc:
        raise _fail(f"cannot write into {out}: {exc.strerror or exc}") from None
    print(written.pdf)
    print(written.docx)


@labels_app.command("unknown")
def labels_unknown(config_file: ConfigOpt = None, as_json: JsonOpt = False) -> None:
    """Labels printed on received forms that no rule knows: how often, on which offers and
    messages, last seen; most frequent first (teach one with `mailbot labels add`)."""
    from mailbot.resources import use_rules_dir
    from mailbot.teaching import unknown_labels

    config = _load(config_file)
    use_rules_dir(config.paths.rules_dir)
    rows = unknown_labels(_engine(config))
    if as_json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = _table("wording", "count", "offers", "messages", "last seen", wide=("wording",))
    for row in rows:
        table.add_row(plain(row["wording"]), plain(row["count"]), plain(", ".join(row["offers"])),
                      plain(", ".join(str(m) for m in row["messages"])),
                      plain((row["last_seen"] or "")[:16]))
    console.print(table)


@labels_app.command("add")
def labels_add(
    wording: Annotated[str, typer.Argument(help="The label as printed, in quotes.")],
    field: Annotated[str, typer.Argument(
        metavar="FIELD", help="Dotted field name: company.legal_name, job.main_activities…")],
    config_file: ConfigOpt = None,
) -> None:
    """Teach a label: append WORDING to FIELD's list in your copy of labels.toml (the config's
    paths.rules_dir folder; the shipped file is copied there the first time)."""
    from mailbot.teaching import TeachingError, add_label

    config = _load(config_file)
    try:
        path, written = add_label(config.paths.rules_dir, wording, field)
    except TeachingError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"cannot write [paths] rules_dir ({config.paths.rules_dir}): "
                    f"{exc.strerror or exc}") from None
    _print_plain(f"{field}: {wording!r} " + (f"added to {path}" if written
                                              else f"already in {path}"))
    print("re-read a form with it: mailbot reparse ID (journal id, see mailbot labels unknown)")


@app.command()
def reparse(
    inbound_id: Annotated[int, typer.Argument(help="Journal id of a handled liaison form.")],
    config_file: ConfigOpt = None,
) -> None:
    """Read a handled liaison form again with the current rules and update its offer(s) as a
    revision (source "reparse"); sends nothing."""
    from sqlalchemy.exc import SQLAlchemyError

    from mailbot.domain.services import Actor
    from mailbot.domain.states import ActorKind, Channel
    from mailbot.reparse import ReparseError, reparse_message
    from mailbot.resources import use_rules_dir

    config = _load(config_file)
    _setup_logging(quiet=True)
    use_rules_dir(config.paths.rules_dir)
    actor = Actor(ActorKind.REFERENT, Channel.CLI, config.people.referent)
    try:
        lines = reparse_message(_engine(config), config, inbound_id, actor)
    except ReparseError as exc:
        raise _fail(str(exc)) from None
    except SQLAlchemyError as exc:
        raise _database_failure(config, exc) from None
    for line in lines:
        _print_plain(line)


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
