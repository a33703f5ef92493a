"""Read the facilitateur's table from CSV (`;` or `,`, UTF-8 or Windows-1252) or XLSX bytes.

Cells come back as text, numbers or dates (XLSX); nothing here knows what the columns mean.
Bounded: at most MAX_ROWS rows and MAX_COLUMNS columns; an XLSX whose parts inflate beyond
MAX_INFLATED bytes is refused before openpyxl reads it.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime

__all__ = [
    "MAX_COLUMNS",
    "MAX_INFLATED",
    "MAX_ROWS",
    "Cell",
    "TableError",
    "decode_text",
    "is_table_file",
    "read_table",
]

Cell = str | int | float | date | datetime | None

MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_INFLATED = 50 * 1024 * 1024
_XLSX_TYPES = {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
_CSV_TYPES = {"text/csv", "application/csv", "text/comma-separated-values", "application/vnd.ms-excel"}


class TableError(ValueError):
    """The bytes are no table mailbot can read (the message says why, in English)."""


def _kind(data: bytes, filename: str, content_type: str = "") -> str | None:
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04" and (name.endswith((".xlsx", ".xlsm")) or content_type in _XLSX_TYPES
                                      or b"xl/" in data[:4096]):
        return "xlsx"
    if name.endswith((".csv", ".txt")) or content_type in _CSV_TYPES:
        return "csv"
    return None


def is_table_file(filename: str, content_type: str = "", data: bytes = b"") -> bool:
    """A CSV or XLSX attachment, by its name, type or first bytes."""
    return _kind(data, filename, content_type.lower()) is not None


def read_table(data: bytes, filename: str, content_type: str = "") -> list[list[Cell]]:
    """The rows of the file (first sheet of an XLSX), trailing empty cells dropped."""
    kind = _kind(data, filename, content_type.lower())
    if kind == "xlsx":
        return _read_xlsx(data)
    if kind == "csv":
        return _read_csv(data)
    raise TableError(f"{filename}: not a CSV or XLSX file")


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (Excel's French CSV), else Latin-1."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _delimiter(text: str) -> str:
    sample = "\n".join(text.splitlines()[:20])
    try:
        return csv.Sniffer().sniff(sample, delimiters=";,\t").delimiter
    except csv.Error:
        counts = {d: sample.count(d) for d in (";", ",", "\t")}
        return max(counts, key=lambda d: counts[d]) if any(counts.values()) else ";"


def _read_csv(data: bytes) -> list[list[Cell]]:
    text = decode_text(data).replace("\x00", "")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    rows: list[list[Cell]] = []
    try:
        for row in reader:
            rows.append(_trim([cell.strip() or None for cell in row[:MAX_COLUMNS]]))
            if len(rows) >= MAX_ROWS:
                break
    except csv.Error as exc:
        raise TableError(f"CSV unreadable: {exc}") from None
    return rows


def _read_xlsx(data: bytes) -> list[list[Cell]]:
    from openpyxl import load_workbook

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            inflated = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise TableError("XLSX unreadable: not a zip archive") from None
    if inflated > MAX_INFLATED:
        raise TableError(f"XLSX too large once inflated ({inflated} bytes > {MAX_INFLATED})")
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a damaged file
        raise TableError(f"XLSX unreadable: {type(exc).__name__}") from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        rows: list[list[Cell]] = []
        for row in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS):
            rows.append(_trim([_cell(value) for value in row]))
            if len(rows) >= MAX_ROWS:
                break
        return rows
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, int | float | date | datetime):
        return value  # type: ignore[return-value]
    text = " ".join(str(value).split())
    return text or None


def _trim(row: list[Cell]) -> list[Cell]:
    while row and row[-1] is None:
        row.pop()
    return row
