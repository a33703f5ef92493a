"""The facilitateur's confirmation: what each list did (created, updated, kept pending) and the
columns that matched nothing — role `facilitateur/import_confirmation`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from mailbot.domain.models import MarketImport, OutboxMessage

__all__ = ["ROLE", "import_view", "queue_confirmation"]

ROLE = "facilitateur/import_confirmation"


def import_view(entry: MarketImport) -> dict:
    """The dict the templates get for one import (see the template's header)."""
    summary = entry.summary or {}
    items = summary.get("items") or []
    return {
        "id": entry.id,
        "filename": entry.filename,
        "status": entry.status,
        "rows": summary.get("rows", len(entry.rows or [])),
        "created": [i["label"] for i in items if i["change"] == "created"],
        "updated": [{"label": i["label"], "fields": i["fields"]} for i in items
                    if i["change"] == "updated"],
        "unmatched": list(entry.unmatched or []),
        "repeated": list(summary.get("repeated") or []),
        "revisions": list(summary.get("revisions") or []),
        "problems": list(summary.get("problems") or []),
        "reason": entry.reason if entry.status == "refused" else None,
        "forms_sent": list((summary.get("forms") or {}).get("sent") or []),
        "no_email": list((summary.get("forms") or {}).get("no_email") or []),
    }


def queue_confirmation(session: Any, composer: Any, imports: list[MarketImport], *, to: str,
                       inbound_id: int | None = None, original_subject: str | None = None,
                       received_at: datetime | None = None, unverified: bool = False,
                       **headers: Any) -> OutboxMessage:
    """Queue one confirmation to the facilitateur for `imports` (the caller commits).
    `unverified`: the message could not be authenticated, so the lists wait for the référent."""
    return composer.queue(
        session,
        ROLE,
        {"imports": [import_view(entry) for entry in imports], "unverified": unverified,
         "original_subject": original_subject, "received_at": received_at},
        to=[to],
        inbound_id=inbound_id,
        **headers,
    )
