"""The facilitateur's list of markets, lots, worksites and companies (CSV or XLSX attached).

Applied at once only when it comes from the `[people] facilitateur` address and that sender is
trusted (with `[security] require_authentication`: `dmarc=pass` from our own server). Otherwise
each list is stored as a pending import, the message is flagged, and `mailbot markets confirm
ID` applies it. The facilitateur (the configured address, never another From) gets a
confirmation either way, naming the columns that matched nothing; anyone else gets no answer.
"""

from __future__ import annotations

from mailbot.domain.services import Actor
from mailbot.domain.states import ActorKind, Channel
from mailbot.handlers.base import HandlerContext
from mailbot.markets import TableError, import_list, refuse_import
from mailbot.markets.blank_forms import send_blank_forms
from mailbot.markets.notify import queue_confirmation
from mailbot.markets.reader import is_table_file
from mailbot.mime import read_message

__all__ = ["handle"]


def _pending_reason(ctx: HandlerContext) -> str | None:
    """Why the list must wait for the référent (English, for the flag), or None to apply it."""
    sender = ctx.sender
    if sender.role != "facilitateur":
        return f"market list from {sender.address}, who is not the facilitateur"
    if not sender.trusted:
        return f"market list not authenticated: {sender.distrust_reason}"
    return None


def handle(ctx: HandlerContext) -> None:
    message = read_message(ctx.entry.raw, ctx.config.limits.to_limits())
    tables = [a for a in message.attachments
              if a.data and is_table_file(a.filename, a.content_type, a.data)]
    if not tables:
        ctx.flag("market list: no CSV or XLSX attachment could be read")
        return
    waiting = _pending_reason(ctx)
    actor = Actor(ActorKind.SYSTEM, Channel.EMAIL, address=ctx.sender_address,
                  inbound_id=ctx.entry.id)
    imports = []
    for attachment in tables:
        name = attachment.filename or "liste"
        try:
            entry = import_list(ctx.session, attachment.data, name, actor,
                                content_type=attachment.content_type, apply=waiting is None,
                                sender=ctx.sender_address, inbound_id=ctx.entry.id, reason=waiting)
        except TableError as exc:
            entry = refuse_import(ctx.session, name, str(exc), actor, sender=ctx.sender_address,
                                  inbound_id=ctx.entry.id)
            ctx.flag(f"market list {name!r} unreadable: {exc}")
        if entry.status == "applied":
            send_blank_forms(ctx.session, ctx.composer, entry)  # to each newly announced winner
        imports.append(entry)
        if entry.status == "pending":
            ctx.flag(f"{waiting}: import {entry.id} kept pending (mailbot markets confirm {entry.id})")
        for revision in (entry.summary or {}).get("revisions", []):
            ctx.flag(f"market list: company details differ for {revision['company']}: "
                     f"revision {revision['revision']} kept, not applied")
    facilitateur = ctx.config.people.facilitateur
    if not imports or not facilitateur:
        if imports:
            ctx.flag("no [people] facilitateur configured: no confirmation sent")
        return
    if ctx.sender.role != "facilitateur":
        return  # a stranger's list: the référent decides, nobody is answered
    queue_confirmation(
        ctx.session, ctx.composer, imports, to=facilitateur, inbound_id=ctx.entry.id,
        original_subject=ctx.parsed.get("subject"), received_at=ctx.entry.received_at,
        unverified=waiting is not None, **(ctx.reply_headers() if waiting is None else {}),
    )
