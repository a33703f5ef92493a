"""`mailbot demo`: the whole loop on built-in examples, no servers.

A fresh workspace (SQLite, a Maildir seeded with example emails shipped in the package), the real
pipeline, outgoing emails written as .eml files into DIR/outbox/, then a partner answers one
broadcast with a CV and the loop runs again. Ends with a summary of what came in, what was
understood and what went out where.
"""

from __future__ import annotations

import mailbox
import shutil
import sys
from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import formataddr, make_msgid
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlmodel import Session, select

from mailbot.config import load_config
from mailbot.db import make_engine, migrate
from mailbot.domain.models import InboundMessage, OutboxMessage
from mailbot.errors import MailbotError
from mailbot.pipeline import Pipeline
from mailbot.queries import list_offers

__all__ = ["run_demo"]

_DATA = Path(__file__).resolve().parent / "demo_data"
_MARKER = ".mailbot-demo"
_FROM = "clauses.amiens@exemple-emploi.fr"
_PARTNER = ("AI Somme Emploi Services", "m.senechal@exemple-ai-somme.fr")

_CONFIG = f"""# Demo configuration written by `mailbot demo` (no servers: Maildir in, .eml files out).
[database]
url = "sqlite:///{{db}}"

[smtp]
host = "localhost"          # not used by the demo: emails go to outbox/ as .eml files
from_address = "{_FROM}"
from_name = "Référent clauses sociales"

[people]
referent = "claire.duhamel@exemple-emploi.fr"
referent_name = "Claire Duhamel"
facilitateur = "facilitatrice@exemple-amiens-metropole.fr"
organisation = "Agence pour l'emploi – Amiens Métropole"

[[partners]]
name = "Mission Locale du Grand Amiénois"
kind = "ML"
emails = ["orientation@exemple-ml-amiens.fr"]

[[partners]]
name = "Cap Emploi Somme"
kind = "CAP_EMPLOI"
emails = ["clauses@exemple-capemploi80.fr", "accueil@exemple-capemploi80.fr"]

[[partners]]
name = "{_PARTNER[0]}"
kind = "SIAE"
emails = ["{_PARTNER[1]}"]
domains = ["exemple-ai-somme.fr"]
"""


def _prepare(directory: Path) -> None:
    if directory.exists() and any(directory.iterdir()):
        if not (directory / _MARKER).exists():
            raise MailbotError(
                f"{directory} exists and is not a mailbot demo workspace: choose another --dir"
            )
        shutil.rmtree(directory)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / _MARKER).write_text("created by `mailbot demo`; safe to delete\n")


def _seed(maildir: Path) -> list[str]:
    box = mailbox.Maildir(maildir, create=True)
    names = []
    for eml in sorted(_DATA.glob("*.eml")):
        box.add(eml.read_bytes())
        names.append(eml.name)
    return names


def _partner_reply(engine, maildir: Path) -> str | None:
    """A partner answers the first broadcast it got, with a CV: the referral half of the loop."""
    with Session(engine) as session:
        broadcast = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.role == "partner/broadcast")
            .order_by(OutboxMessage.id)
        ).all()
    mine = [b for b in broadcast if _PARTNER[1] in b.recipients]
    if not mine:
        return None
    first = mine[0]
    reply = EmailMessage(policy=default_policy)
    reply["From"] = formataddr(("Mehdi Sénéchal", _PARTNER[1]))
    reply["To"] = _FROM
    reply["Subject"] = f"RE : {first.subject}"
    reply["Message-ID"] = make_msgid(domain="exemple-ai-somme.fr")
    reply["In-Reply-To"] = first.message_id
    reply["References"] = first.message_id
    reply.set_content(
        "Bonjour,\n\nJe vous propose la candidature d'une personne que nous accompagnons.\n"
        "Vous trouverez son CV en pièce jointe.\n\nCordialement,\n\nMehdi Sénéchal\n"
        "AI Somme Emploi Services\n"
    )
    reply.add_attachment(
        (_DATA / "cv_candidate.pdf").read_bytes(), maintype="application", subtype="pdf",
        filename="CV_candidat.pdf",
    )
    mailbox.Maildir(maildir).add(reply.as_bytes())
    return first.subject


def run_demo(directory: Path, console: Console) -> None:
    """Create the workspace, run the loop twice (forms, then a referral), print the summary."""
    from mailbot.outbox.transports import FileTransport
    from mailbot.sources.maildir import MaildirSource

    directory = directory.resolve()
    _prepare(directory)
    config_file = directory / "config.toml"
    config_file.write_text(_CONFIG.replace("{db}", str(directory / "mailbot.db")), encoding="utf-8")
    config = load_config(config_file)
    engine = make_engine(config.database.url)
    migrate(engine)
    maildir = directory / "maildir"
    seeded = _seed(maildir)
    _markets(engine)
    pipeline = Pipeline(config, engine, FileTransport(directory / "outbox"))
    console.rule("[bold]mailbot demo")
    console.print(f"Workspace: {directory}\nSeeded {len(seeded)} example emails into {maildir}\n")

    def cycle() -> None:
        source = MaildirSource(maildir)
        source.connect()
        try:
            pipeline.run_once(source)
        finally:
            source.close()

    cycle()
    answered = _partner_reply(engine, maildir)
    if answered:
        console.print(f"A partner answers the broadcast « {answered} » with a CV…\n")
        cycle()
        decided = _decide(pipeline)
        if decided:
            console.print(f"The référent presents the candidate {decided} to the company, then "
                          f"records the hire (`mailbot referrals present {decided}`, `mailbot "
                          f"referrals hire {decided}`): the company gets the presentation, the "
                          "partner its feedback…\n")
    _reports(pipeline, console)
    _summary(engine, directory, console)


def _markets(engine) -> None:
    """The facilitateur's list (demo_data/facilitateur_list.csv: three markets whose lots the
    demo's companies won), imported as `mailbot markets import` does: the forms that come in are
    tied to their lot, and the weekly summary has markets, lots and hours to report."""
    from mailbot.db import session_scope
    from mailbot.domain.services import Actor
    from mailbot.domain.states import ActorKind, Channel
    from mailbot.markets.service import import_list

    data = (_DATA / "facilitateur_list.csv").read_bytes()
    with session_scope(engine) as session:
        import_list(session, data, "liste-facilitateur.csv", Actor(ActorKind.REFERENT, Channel.CLI))


def _reports(pipeline: Pipeline, console: Console) -> None:
    """The scheduled reports, written now as `mailbot run` would at their [schedule] times."""
    from datetime import UTC, datetime

    from mailbot.db import session_scope
    from mailbot.reports.digest import write_digest
    from mailbot.reports.summary import queue_summary

    now = datetime.now(UTC)
    write_digest(pipeline.engine, pipeline.composer, pipeline.config, due=now, now=now)
    with session_scope(pipeline.engine) as session:
        queue_summary(session, pipeline.composer, pipeline.config, now=now)
    pipeline.send()
    console.print("The référent gets the daily digest (what needs them, with the R-ids the email "
                  "commands use); the facilitateur gets the weekly summary: figures per market "
                  "and lot, a chart and the same figures as an Excel file (`mailbot digest "
                  "preview` / `mailbot summary preview --out DIR` write their parts)…\n")


def _decide(pipeline: Pipeline) -> str | None:
    """The référent's decisions on the first referral, through the CLI's code path."""
    from mailbot.db import session_scope
    from mailbot.domain.models import Referral
    from mailbot.domain.services import Actor, Decisions
    from mailbot.domain.states import Action, ActorKind, Channel

    config = pipeline.config
    actor = Actor(ActorKind.REFERENT, Channel.CLI, config.people.referent)
    with session_scope(pipeline.engine) as session:
        referral = session.exec(select(Referral).where(Referral.offer_id.is_not(None))
                                .order_by(Referral.id)).first()
        if referral is None:
            return None
        for action in (Action.PRESENT, Action.HIRE):
            decisions = Decisions(session, actor, pipeline.composer, config)
            decisions.decide(referral.id, action)
            decisions.finish()
        name = f"R{referral.id}"
    pipeline.send()
    return name


def _summary(engine, directory: Path, console: Console) -> None:
    with Session(engine) as session:
        inbound = session.exec(select(InboundMessage).order_by(InboundMessage.id)).all()
        outbox = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    came = Table(title="What came in", show_lines=False)
    for col in ("#", "from", "kind", "status", "note"):
        came.add_column(col)
    for m in inbound:
        came.add_row(str(m.id), (m.from_address or "")[:48], m.kind or "-", m.status,
                     (m.reason or "")[:70])
    console.print(came)
    offers = Table(title="What was understood: offers")
    for col in ("ref", "company", "title", "positions", "contract", "missing", "referrals"):
        offers.add_column(col)
    for o in list_offers(engine):
        offers.add_row(o["ref"], o["company"] or "?", o["title"] or "?", str(o["positions"] or "?"),
                       o["contract_type"] or "?", ", ".join(o["missing"]) or "-", str(o["referrals"]))
    console.print(offers)
    from mailbot.domain.states import ReferralState
    from mailbot.queries import list_referrals

    decided = Table(title="Referrals and the référent's decisions")
    for col in ("referral", "offer", "partner", "status"):
        decided.add_column(col)
    for r in list_referrals(engine):
        decided.add_row(f"R{r['id']}", r["offer"] or "?", r["partner"] or "?",
                        f"{r['status']} ({ReferralState(r['status']).french})")
    console.print(decided)
    went = Table(title="What went out")
    for col in ("role", "to", "subject", "status"):
        went.add_column(col)
    broadcasts: dict[str, list[OutboxMessage]] = {}
    for row in outbox:
        if row.role == "partner/broadcast":
            broadcasts.setdefault(row.subject, []).append(row)
    shown: set[str] = set()
    for row in outbox:
        if row.role != "partner/broadcast":
            went.add_row(row.role, ", ".join(row.recipients), row.subject[:70], row.status)
        elif row.subject not in shown:
            shown.add(row.subject)
            group = broadcasts[row.subject]
            statuses = sorted({r.status for r in group})
            went.add_row(row.role, f"{len(group)} partners", row.subject[:70], ", ".join(statuses))
    console.print(went)
    command = shutil.which("mailbot") or str(Path(sys.executable).parent / "mailbot")
    console.print(
        f"\n{len(inbound)} emails in, {len(outbox)} emails out (as .eml files in "
        f"{directory / 'outbox'}).\nDatabase: {directory / 'mailbot.db'} — try "
        f"`{command} offers list --config {directory / 'config.toml'}`."
    )
