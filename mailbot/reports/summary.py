"""The facilitateur's weekly summary: recruitment per market, lot and company, a chart inline in
the HTML part and the same figures as an XLSX attachment. It names no candidate.

`queue_summary` writes the email to the outbox with its `ReportRun` record (kind
`facilitateur_summary`, the facilitateur's address, the ISO week it is due) in the caller's
transaction: a second call for the same week finds the record and writes nothing; two daemons
racing get an IntegrityError on the record for the second, whose transaction rolls back.
`preview_summary` writes the .eml and its parts to a directory and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from mailbot.domain.models import OutboxMessage
from mailbot.errors import MailbotError
from mailbot.outbox.compose import Composer, InlineImage, OutAttachment
from mailbot.reports.figures import (
    CONTRACT_COLUMNS,
    OUTSIDE_MARKET,
    PUBLIC_COLUMNS,
    Figures,
    MarketReport,
    Report,
    read_report,
)

__all__ = ["KIND", "ROLE", "SummaryEmail", "build_summary", "preview_summary", "queue_summary",
           "sample_context", "summary_context", "week_period"]

KIND = "facilitateur_summary"
ROLE = "facilitateur/summary"
CHART_CID = "graphique-clause-sociale@mailbot"


@dataclass(frozen=True)
class SummaryEmail:
    """What goes into one summary: the figures, the template context, the chart and workbook."""

    report: Report
    context: dict
    png: bytes
    xlsx: bytes
    xlsx_name: str
    period_key: str

    @property
    def attachments(self) -> list[OutAttachment]:
        from mailbot.reports.xlsx import XLSX_TYPE

        return [OutAttachment(self.xlsx_name, XLSX_TYPE, self.xlsx)]

    @property
    def inline(self) -> list[InlineImage]:
        return [InlineImage(CHART_CID, "graphique.png", "image/png", self.png)]


def week_period(now: datetime, tz: ZoneInfo) -> tuple[str, datetime, datetime]:
    """(period key, start, end) of the week before `now`'s local week: the key is the ISO week
    the summary is due ('2027-W03', as `mailbot.reports.periods.week_key`), the period runs from
    the previous Monday 00:00 to this Monday 00:00, local time (returned in UTC)."""
    local = now.astimezone(tz)
    year, week, weekday = local.isocalendar()
    monday = local.date() - timedelta(days=weekday - 1)
    end = datetime.combine(monday, time(0, 0), tzinfo=tz)
    start = datetime.combine(monday - timedelta(days=7), time(0, 0), tzinfo=tz)
    return f"{year}-W{week:02d}", start.astimezone(UTC), end.astimezone(UTC)


def _figures(figures: Figures) -> dict:
    """A Figures as plain values for the templates."""
    return {
        "offers": figures.offers, "positions": figures.positions,
        "referrals": figures.referrals, "presented": figures.presented,
        "retained": figures.retained,
        "contracts": [(label, figures.contracts.get(code, 0)) for code, label in CONTRACT_COLUMNS
                      if figures.contracts.get(code, 0) and code != "CONTRAT_PRO"],
        "pro_contracts": figures.pro_contracts,
        "publics": [(label, figures.publics[code], figures.share(code))
                    for code, label in PUBLIC_COLUMNS if figures.publics.get(code)],
        "hours_required": figures.hours_required,
        "hours_projected": round(figures.hours_projected, 2),
        "gap": None if figures.gap is None else round(figures.gap, 2),
        "unprojected": figures.unprojected,
        "parcours": figures.parcours,
    }


def _market(market: MarketReport) -> dict:
    return {
        "title": market.title, "reference": market.reference, "name": market.name,
        "buyer": market.buyer, "outside": market.market_id is None,
        "figures": _figures(market.figures),
        "lots": [{"number": lot.number, "label": lot.label, "company": lot.company,
                  "worksites": lot.worksites, "start": lot.start, "end": lot.end,
                  "figures": _figures(lot.figures)} for lot in market.lots],
        "companies": [{"name": row.name, "figures": _figures(row.figures)}
                      for row in market.companies],
    }


def summary_context(report: Report, tz: ZoneInfo, *, xlsx_name: str, chart: bool = True) -> dict:
    """The template context of `report` (no candidate in it: counts only)."""
    last_day = (report.period_end.astimezone(tz) - timedelta(days=1)).date()
    return {
        "as_of": report.as_of,
        "period_first": report.period_start.astimezone(tz).date(),
        "period_last": last_day,
        "new_referrals": report.new_referrals,
        "new_hires": report.new_hires,
        "totals": _figures(report.totals),
        "markets": [_market(m) for m in report.markets],
        "outside_market": OUTSIDE_MARKET,
        "chart_cid": CHART_CID if chart else None,
        "xlsx_name": xlsx_name,
    }


def build_summary(session: Session, config: Any, *, now: datetime) -> SummaryEmail:
    """Read the figures and draw the chart and the workbook for the week before `now`."""
    from mailbot.reports.charts import summary_chart
    from mailbot.reports.xlsx import summary_workbook

    tz = ZoneInfo(config.schedule.timezone)
    key, start, end = week_period(now, tz)
    report = read_report(session, as_of=now.astimezone(tz).date(), period_start=start,
                         period_end=end)
    name = f"clause-sociale-point-{report.as_of.isoformat()}.xlsx"
    return SummaryEmail(report, summary_context(report, tz, xlsx_name=name), summary_chart(report),
                        summary_workbook(report), name, key)


def _recipient(config: Any) -> str:
    address = config.people.facilitateur
    if not address:
        raise MailbotError("no facilitateur address: set [people] facilitateur in the config")
    return address


def queue_summary(session: Session, composer: Composer, config: Any, *,
                  now: datetime) -> OutboxMessage | None:
    """Queue this week's summary to the facilitateur with its ReportRun record (the caller
    commits); None when the summary of this week was already written."""
    from mailbot.reports.periods import record_run, recorded

    recipient = _recipient(config)
    key, _start, _end = week_period(now, ZoneInfo(config.schedule.timezone))
    if recorded(session, KIND, recipient, key):
        return None
    summary = build_summary(session, config, now=now)
    row = composer.queue(session, ROLE, summary.context, to=[recipient],
                         attachments=summary.attachments, inline=summary.inline)
    session.flush()
    record_run(session, kind=KIND, recipient=recipient, period_key=summary.period_key,
               start=summary.report.period_start, end=summary.report.period_end,
               outbox_id=row.id, now=now)
    return row


def preview_summary(session: Session, composer: Composer, config: Any, out_dir: Path, *,
                    now: datetime) -> list[Path]:
    """Write this week's summary as `summary.eml` and its parts (`summary.html`, `summary.txt`,
    the chart's PNG, the XLSX) into `out_dir`; nothing is sent nor recorded."""
    recipient = _recipient(config)
    summary = build_summary(session, config, now=now)
    subject, text, html = composer.render_parts(ROLE, summary.context)
    raw = composer.build(ROLE, summary.context, to=[recipient], attachments=summary.attachments,
                         inline=summary.inline)
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {
        "summary.eml": raw,
        "summary.txt": f"{subject}\n\n{text}".encode(),
        "summary.html": html.replace(f"cid:{CHART_CID}", "graphique.png").encode(),
        "graphique.png": summary.png,
        summary.xlsx_name: summary.xlsx,
    }
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def sample_context(values: dict) -> dict:
    """A made-up summary context (mailbot.outbox.samples: the template's static wording)."""
    figures = Figures(offers=values["n"], positions=values["n"] + 1, referrals=values["n"] * 3,
                      presented=values["n"] * 2, retained=values["n"],
                      hours_projected=float(values["hours"] * 20),
                      hours_required=float(values["hours"] * 30))
    figures.contracts.update({"CDD": values["n"], "CONTRAT_PRO": 1})
    figures.publics.update({"rsa": 1, "young": values["n"]})
    from mailbot.reports.figures import CompanyRow, LotRow

    day = date.fromisoformat(values["date"])
    lot = LotRow(1, str(values["n"]), values["title"], values["name"], [values["town"]], day,
                 day + timedelta(days=300), figures)
    market = MarketReport(1, values["ref"], values["title"], values["town"], [lot],
                          [CompanyRow(values["name"], figures)], figures)
    start = datetime.combine(day, time(0, 0), tzinfo=UTC)
    report = Report(day + timedelta(days=7), start, start + timedelta(days=7), [market], figures,
                    values["n"], 1)
    return summary_context(report, ZoneInfo("Europe/Paris"), xlsx_name=f"{values['town']}.xlsx")
