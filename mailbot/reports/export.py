"""`mailbot export`: offers, referrals, decisions (the audit) or insertion hours as CSV or XLSX.

Each table is read with a few set-based queries (never one per row). Exports name no
candidate: a candidate is its id (`mailbot candidates show ID` shows the person). CSV files are
UTF-8 with a BOM, `;`-separated (what a French Excel opens directly), dates in ISO 8601 and
numbers with a decimal point; XLSX cells are real numbers and dates, header frozen.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import case, func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from mailbot.domain.models import AuditEvent, Company, Lot, Market, Offer, Partner, Referral
from mailbot.domain.states import ReferralState
from mailbot.reports.figures import (
    contract_code,
    end_of_duration,
    presented_condition,
    projected_hours,
)

__all__ = ["WHAT", "Table", "export", "read_table", "write_csv", "write_xlsx"]

WHAT = ("offers", "referrals", "decisions", "hours")
_DATE, _DATETIME, _INT, _DEC = "DD/MM/YYYY", "DD/MM/YYYY HH:MM", "#,##0", "#,##0.00"


@dataclass(frozen=True)
class Table:
    """An export: its sheet title, headers, rows and the XLSX number format of each column."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    formats: list[str | None]


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """A stored datetime (UTC, naive on SQLite) as naive local time: what a spreadsheet shows."""
    if value is None:
        return None
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(tz).replace(tzinfo=None, microsecond=0)


def _offers(session: Session, tz: ZoneInfo) -> Table:
    counts = {offer_id: (n, seen, hired) for offer_id, n, seen, hired in session.exec(
        select(Referral.offer_id, func.count(Referral.id),
               func.sum(case((presented_condition(), 1), else_=0)),
               func.sum(case((col(Referral.status) == ReferralState.HIRED.value, 1), else_=0)))
        .where(col(Referral.offer_id).is_not(None)).group_by(Referral.offer_id))}
    rows = []
    for offer, company, lot_number, market_ref, market_name in session.exec(
            select(Offer, Company.legal_name, Lot.number, Market.reference, Market.name)
            .join(Company, col(Offer.company_id) == col(Company.id), isouter=True)
            .join(Lot, col(Offer.lot_id) == col(Lot.id), isouter=True)
            .join(Market, col(Lot.market_id) == col(Market.id), isouter=True)
            .order_by(Offer.id)):
        n, seen, hired = counts.get(offer.id, (0, 0, 0))
        rows.append([offer.ref, offer.status, company, offer.title, offer.positions,
                     offer.contract_type, offer.contract_duration, offer.weekly_hours,
                     offer.recruitment_date, offer.workplace, market_ref or market_name,
                     lot_number, _local(offer.created_at, tz), _local(offer.published_at, tz),
                     _local(offer.closed_at, tz), int(n), int(seen or 0), int(hired or 0)])
    headers = ["offer", "status", "company", "title", "positions", "contract_type",
               "contract_duration", "weekly_hours", "recruitment_date", "workplace", "market",
               "lot", "received_at", "published_at", "closed_at", "referrals",
               "presented", "hired"]
    formats = [None, None, None, None, _INT, None, None, _DEC, _DATE, None, None, None,
               _DATETIME, _DATETIME, _DATETIME, _INT, _INT, _INT]
    return Table("Offres", headers, rows, formats)


def _referrals(session: Session, tz: ZoneInfo) -> Table:
    rows = []
    for r, ref, partner in session.exec(
            select(Referral, Offer.ref, Partner.name)
            .join(Offer, col(Referral.offer_id) == col(Offer.id), isouter=True)
            .join(Partner, col(Referral.partner_id) == col(Partner.id), isouter=True)
            .order_by(Referral.id)):
        rows.append([f"R{r.id}", ref, partner, r.candidate_id, r.status,
                     ReferralState(r.status).french, r.refusal_reason,
                     " ".join(r.eligibility or []), r.contract_type, r.contract_start,
                     r.contract_end, r.contract_duration, r.weekly_hours,
                     f"R{r.duplicate_of}" if r.duplicate_of else None, r.flagged,
                     _local(r.created_at, tz), _local(r.decided_at, tz)])
    headers = ["referral", "offer", "partner", "candidate", "status", "status_fr",
               "refusal_reason", "eligibility", "contract_type", "contract_start", "contract_end",
               "contract_duration", "weekly_hours", "duplicate_of", "flagged", "received_at",
               "decided_at"]
    formats = [None, None, None, _INT, None, None, None, None, None, _DATE, _DATE, None, _DEC,
               None, None, _DATETIME, _DATETIME]
    return Table("Candidatures", headers, rows, formats)


def _decisions(session: Session, tz: ZoneInfo) -> Table:
    rows = []
    for event, ref in session.exec(
            select(AuditEvent, Offer.ref)
            .join(Offer, col(AuditEvent.offer_id) == col(Offer.id), isouter=True)
            .order_by(AuditEvent.id)):
        rows.append([_local(event.at, tz), event.actor, event.channel, event.action, ref,
                     f"R{event.referral_id}" if event.referral_id else None, event.candidate_id,
                     event.from_state, event.to_state, event.reason, event.comment])
    headers = ["at", "actor", "channel", "action", "offer", "referral", "candidate",
               "from_state", "to_state", "reason", "comment"]
    formats = [_DATETIME, None, None, None, None, None, _INT, None, None, None, None]
    return Table("Décisions", headers, rows, formats)


def _hours(session: Session, tz: ZoneInfo) -> Table:
    """One row per retained contract: its projected insertion hours within its lot's period."""
    lot = aliased(Lot)
    rows = []
    for (rid, ref, company, market_ref, lot_number, required, lot_start, lot_end, ctype, start,
         end, duration, weekly, decided) in session.exec(
            select(Referral.id, Offer.ref, Company.legal_name, Market.reference, lot.number,
                   lot.insertion_hours, lot.start_date, lot.end_date, Referral.contract_type,
                   Referral.contract_start, Referral.contract_end, Referral.contract_duration,
                   Referral.weekly_hours, Referral.decided_at)
            .join(Offer, col(Referral.offer_id) == col(Offer.id))
            .join(Company, col(Offer.company_id) == col(Company.id), isouter=True)
            .join(lot, col(Offer.lot_id) == lot.id, isouter=True)
            .join(Market, lot.market_id == col(Market.id), isouter=True)
            .where(Referral.status == ReferralState.HIRED.value).order_by(Referral.id)):
        code = contract_code(ctype)
        begin = start or (_local(decided, tz).date() if decided else None)
        hours = projected_hours(weekly, begin, end, duration, code, lot_start, lot_end)
        stop = end or (end_of_duration(begin, duration) if begin else None)
        rows.append([f"R{rid}", ref, company, market_ref, lot_number, code, begin, stop,
                     duration, weekly, lot_start, lot_end, required,
                     None if hours is None else round(hours, 2)])
    headers = ["referral", "offer", "company", "market", "lot", "contract_type", "start",
               "end_or_duration_end", "duration", "weekly_hours", "lot_start", "lot_end",
               "lot_insertion_hours", "projected_hours_in_lot"]
    formats = [None, None, None, None, None, None, _DATE, _DATE, None, _DEC, _DATE, _DATE, _DEC,
               _DEC]
    return Table("Heures", headers, rows, formats)


_READERS = {"offers": _offers, "referrals": _referrals, "decisions": _decisions, "hours": _hours}


def read_table(session: Session, what: str, tz: ZoneInfo) -> Table:
    """The export `what` (one of WHAT)."""
    if what not in _READERS:
        raise ValueError(f"unknown export {what!r}: one of {', '.join(WHAT)}")
    return _READERS[what](session, tz)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def write_csv(table: Table, out: Path) -> None:
    """`table` as a `;`-separated UTF-8 CSV file with a BOM."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(table.headers)
    for row in table.rows:
        writer.writerow([_csv_value(v) for v in row])
    out.write_bytes(buffer.getvalue().encode("utf-8-sig"))


def write_xlsx(table: Table, out: Path) -> None:
    """`table` as a one-sheet workbook: real numbers and dates, header frozen, widths set."""
    from openpyxl import Workbook

    from mailbot.reports.xlsx import write_rows

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.title
    write_rows(sheet, table.headers, table.rows, table.formats)
    workbook.save(out)


def export(session: Session, what: str, fmt: str, out: Path, tz: ZoneInfo) -> int:
    """Write export `what` as `fmt` (csv | xlsx) to `out`; return its number of rows."""
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"unknown format {fmt!r}: csv or xlsx")
    table = read_table(session, what, tz)
    (write_csv if fmt == "csv" else write_xlsx)(table, out)
    return len(table.rows)
