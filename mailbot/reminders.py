"""The one reminder of a blank form not returned: `[workflow] reminder_days` after the blank form
went to a lot's winner with no form back (FormRequest.answered_at unset), one email (role
`company/reminder`, the blank form attached again) and `reminded_at` set — never twice. After it,
the company is listed by `mailbot companies waiting`.

`due_reminders` runs on every daemon cycle and `run --once` (`remind_due`: its own unit of work;
an error is logged and the cycle goes on). Each reminder is claimed by a conditional UPDATE
(`reminded_at IS NULL`), so two daemons on one database never send it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from mailbot.db import session_scope
from mailbot.domain.models import Company, FormRequest, Lot, Market, utcnow
from mailbot.logging_setup import safe_error
from mailbot.markets.blank_forms import blank_form_attachments, form_context

__all__ = ["REMINDER_ROLE", "due_reminders", "remind_due"]

REMINDER_ROLE = "company/reminder"

log = logging.getLogger("mailbot.reminders")


def due_reminders(session: Session, composer: Any, config: Any,
                  now: datetime | None = None) -> list[int]:
    """Queue the reminder of every request due at `now` (default: the current time); return the
    ids of the requests reminded. The caller commits."""
    now = now or utcnow()
    cutoff = now - timedelta(days=config.workflow.reminder_days)
    due = list(session.exec(select(FormRequest).where(
        FormRequest.answered_at.is_(None), FormRequest.reminded_at.is_(None),
        FormRequest.sent_at.is_not(None), FormRequest.sent_at <= cutoff).order_by(FormRequest.id)))
    reminded: list[int] = []
    for request in due:
        company = session.get(Company, request.company_id)
        lot = session.get(Lot, request.lot_id) if request.lot_id is not None else None
        if company is None or lot is None:
            continue
        claimed = session.execute(
            update(FormRequest)
            .where(FormRequest.id == request.id, FormRequest.reminded_at.is_(None),
                   FormRequest.answered_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue  # answered or reminded meanwhile (another daemon)
        market = session.get(Market, lot.market_id)
        context = {**form_context(company, market, lot), "sent_at": request.sent_at}
        composer.queue(session, REMINDER_ROLE, context, to=[request.address],
                       attachments=blank_form_attachments(company.legal_name,
                                                          context["market_line"]))
        reminded.append(request.id)
    session.flush()
    return reminded


def remind_due(engine: Engine, composer: Any, config: Any,
               clock: Callable[[], datetime] = utcnow) -> int:
    """`due_reminders` as its own unit of work; never raises (logs and returns 0)."""
    try:
        with session_scope(engine) as session:
            reminded = due_reminders(session, composer, config, clock())
    except Exception as exc:  # a reminder must never stop the cycle
        log.warning("reminders not sent this cycle: %s", safe_error(exc))
        return 0
    if reminded:
        log.info("reminders: %d queued (form requests %s)", len(reminded),
                 ", ".join(str(i) for i in reminded))
    return len(reminded)
