"""The summary as an Excel workbook (openpyxl): a totals sheet, then one sheet per market.

Cells hold real numbers, dates and shares (with number formats), never text for a number; the
header row is frozen and every column has a width. No candidate is named.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from typing import Any

from mailbot.reports.figures import CONTRACT_COLUMNS, PUBLIC_COLUMNS, Figures, MarketReport, Report

__all__ = ["FIGURE_HEADERS", "TOTALS_SHEET", "XLSX_TYPE", "summary_workbook", "write_rows"]

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOTALS_SHEET = "Synthèse"
_DATE = "DD/MM/YYYY"
_INT = None  # whole counts: Excel's General format shows them as they are
_HOURS = "#,##0"
_SHARE = "0.0%"


def _figure_columns() -> list[tuple[str, Callable[[Figures], Any], str | None]]:
    """(header, value of a Figures, number format) of the figure columns, in order."""
    columns: list[tuple[str, Callable[[Figures], Any], str | None]] = [
        ("Offres", lambda f: f.offers, _INT),
        ("Postes", lambda f: f.positions, _INT),
        ("Candidatures", lambda f: f.referrals, _INT),
        ("Présentées", lambda f: f.presented, _INT),
        ("Retenues", lambda f: f.retained, _INT),
    ]
    for code, label in CONTRACT_COLUMNS:
        columns.append((label, lambda f, code=code: f.contracts.get(code, 0), _INT))
    for code, label in PUBLIC_COLUMNS:
        columns.append((label, lambda f, code=code: f.publics.get(code, 0), _INT))
        columns.append((f"Part {label}", lambda f, code=code: f.share(code), _SHARE))
    columns += [
        ("Heures requises", lambda f: f.hours_required, _HOURS),
        ("Heures projetées", lambda f: round(f.hours_projected, 2), _HOURS),
        ("Écart (projetées − requises)", lambda f: None if f.gap is None else round(f.gap, 2), _HOURS),
        ("Contrats sans heures projetables", lambda f: f.unprojected, _INT),
        ("Candidats en parcours", lambda f: f.parcours, _INT),
    ]
    return columns


FIGURE_HEADERS = [header for header, _value, _fmt in _figure_columns()]


def _sheet_title(text: str, taken: set[str]) -> str:
    """A valid, unique sheet name (31 characters, none of []:*?/\\)."""
    base = re.sub(r"[\[\]:*?/\\]", "-", text).strip("' ") or "Marché"
    base = base[:31]
    title, n = base, 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(title.lower())
    return title


def write_rows(sheet: Any, headers: list[str], rows: list[list[Any]],
               formats: list[str | None]) -> None:
    """Header row (bold, wrapped, frozen), the rows with their number formats, column widths
    from the longest value (headers count at about half their length: they wrap)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    formatted = [(index, fmt) for index, fmt in enumerate(formats) if fmt]
    for number, row in enumerate(rows, start=2):
        sheet.append(row)
        for index, fmt in formatted:
            if row[index] is not None:
                sheet.cell(row=number, column=index + 1).number_format = fmt
    sheet.freeze_panes = "A2"
    for index, header in enumerate(headers, start=1):
        longest = max([len(_shown(row[index - 1])) for row in rows] or [0])
        width = max(longest + 2, min(len(header), 16) + 2, 9)
        sheet.column_dimensions[get_column_letter(index)].width = min(width, 48)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return "00/00/0000"
    if isinstance(value, float):
        return f"{value:,.0f}"
    return str(value)


def _figures(figures: Figures) -> list[Any]:
    return [value(figures) for _header, value, _fmt in _figure_columns()]


def _market_rows(market: MarketReport) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for lot in market.lots:
        rows.append(["Lot", lot.number, lot.label, lot.company, ", ".join(lot.worksites),
                     lot.start, lot.end, *_figures(lot.figures)])
    for company in market.companies:
        rows.append(["Entreprise", "", "", company.name, "", None, None, *_figures(company.figures)])
    rows.append(["Total du marché", "", "", "", "", None, None, *_figures(market.figures)])
    return rows


def summary_workbook(report: Report) -> bytes:
    """The .xlsx bytes: 'Synthèse' (one row per market and a total), then one sheet per market
    (its lots, its companies, its total)."""
    from openpyxl import Workbook

    workbook = Workbook()
    formats = [fmt for _h, _v, fmt in _figure_columns()]
    totals = workbook.active
    totals.title = TOTALS_SHEET
    taken = {TOTALS_SHEET.lower()}
    rows = [[m.reference, m.name, m.buyer, *_figures(m.figures)] for m in report.markets]
    rows.append(["Total", "", "", *_figures(report.totals)])
    write_rows(totals, ["Marché", "Intitulé", "Acheteur", *FIGURE_HEADERS], rows,
               [None, None, None, *formats])
    for market in report.markets:
        sheet = workbook.create_sheet(_sheet_title(market.reference or market.name, taken))
        write_rows(sheet, ["Ligne", "Lot", "Intitulé du lot", "Entreprise", "Chantiers",
                           "Début du lot", "Fin du lot", *FIGURE_HEADERS],
                   _market_rows(market), [None, None, None, None, None, _DATE, _DATE, *formats])
    workbook.properties.title = f"Clause sociale – point au {report.as_of.isoformat()}"
    workbook.properties.creator = "mailbot"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
