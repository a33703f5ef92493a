"""The CLI's markets commands as units of work: one import, one confirmation, the listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from mailbot.db import session_scope
from mailbot.domain.models import InboundMessage
from mailbot.domain.services import Actor
from mailbot.domain.states import ActorKind, Channel
from mailbot.markets.blank_forms import send_blank_forms
from mailbot.markets.notify import import_view, queue_confirmation
from mailbot.markets.service import confirm_import, import_list, list_markets, pending_imports

__all__ = ["confirm", "import_file", "listing", "summary_lines"]

_REFERENT_CLI = Actor(ActorKind.REFERENT, Channel.CLI)


def import_file(engine: Engine, path: Path, composer: Any = None) -> dict:
    """Import a CSV/XLSX file as the référent (applied at once) and, given a composer, queue the
    blank form to each newly announced winner; its view (see notify)."""
    data = Path(path).read_bytes()
    with session_scope(engine) as session:
        entry = import_list(session, data, Path(path).name, _REFERENT_CLI)
        if composer is not None:
            send_blank_forms(session, composer, entry)
        return import_view(entry)


def confirm(engine: Engine, composer: Any, config: Any, import_id: int) -> dict:
    """Apply a pending import; when it came by email, the facilitateur gets the confirmation."""
    with session_scope(engine) as session:
        entry = confirm_import(session, import_id, _REFERENT_CLI)
        send_blank_forms(session, composer, entry)
        facilitateur = config.people.facilitateur
        if entry.inbound_id is not None and facilitateur:
            inbound = session.get(InboundMessage, entry.inbound_id)
            queue_confirmation(session, composer, [entry], to=facilitateur,
                               inbound_id=entry.inbound_id,
                               original_subject=inbound.subject if inbound else None,
                               received_at=inbound.received_at if inbound else None)
        return import_view(entry)


def listing(engine: Engine) -> tuple[list[dict], list[dict]]:
    """(markets with lots and worksites, pending imports as {id, filename, sender, reason})."""
    with Session(engine) as session:
        pending = [{"id": p.id, "filename": p.filename, "sender": p.sender, "reason": p.reason,
                    "rows": len(p.rows or [])} for p in pending_imports(session)]
        return list_markets(session), pending


def summary_lines(view: dict) -> list[str]:
    """What an import did, for the terminal (English; data as written)."""
    lines = [f"import {view['id']} ({view['filename']}): {view['status']}, {view['rows']} row(s)"]
    if view["created"]:
        lines.append(f"created ({len(view['created'])}):")
        lines += [f"  {label}" for label in view["created"]]
    if view["updated"]:
        lines.append(f"updated ({len(view['updated'])}):")
        lines += [f"  {item['label']} ({', '.join(item['fields'])})" for item in view["updated"]]
    if view["status"] == "applied" and not view["created"] and not view["updated"]:
        lines.append("nothing changed")
    for revision in view["revisions"]:
        lines.append(f"company details differ for {revision['company']} "
                     f"({', '.join(revision['fields'])}): revision {revision['revision']} kept, "
                     "not applied")
    lines += [f"not read: {problem}" for problem in view["problems"]]
    lines += [f"blank form sent to {label}" for label in view.get("forms_sent") or []]
    lines += [f"no email: form not sent to {label}" for label in view.get("no_email") or []]
    if view["unmatched"]:
        lines.append("columns matching nothing (ignored): "
                     + ", ".join(f"« {h} »" for h in view["unmatched"]))
    if view["repeated"]:
        lines.append("columns given twice (the first kept): "
                     + ", ".join(f"« {h} »" for h in view["repeated"]))
    return lines
