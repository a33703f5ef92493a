"""Write the example facilitateur's list: docs/facilitateur-list-example.csv (UTF-8, ';') and
docs/facilitateur-list-example.xlsx. Run: .venv/bin/python scripts/facilitateur_example.py

The companies, SIRETs and addresses are made up (the SIRETs pass their check digit).
"""

from __future__ import annotations

import csv
import io
import sys
from datetime import date
from pathlib import Path

__all__ = ["HEADERS", "ROWS", "csv_bytes", "xlsx_bytes"]

HEADERS = [
    "Référence du marché", "Intitulé du marché", "Acheteur", "Lot", "Intitulé du lot",
    "Entreprise attributaire", "SIRET", "Contact", "Courriel", "Téléphone",
    "Heures d'insertion", "Date de début", "Date de fin", "Chantier", "Adresse du chantier",
    "Code postal", "Commune",
]

ROWS: list[list[object]] = [
    ["2027-AMI-014", "Réhabilitation du groupe scolaire Jules Ferry", "Ville d'Amiens", "1",
     "Gros œuvre – maçonnerie", "Bâtiments Picards", "81234567600017", "Jeanne Arnaud",
     "j.arnaud@batiments-picards.example", "03 22 00 00 01", 1200, date(2027, 3, 1),
     date(2027, 12, 17), "Groupe scolaire Jules Ferry", "12 rue Jules Ferry", "80000", "Amiens"],
    ["2027-AMI-014", "Réhabilitation du groupe scolaire Jules Ferry", "Ville d'Amiens", "4",
     "Menuiseries extérieures", "Menuiserie de la Somme", "90876543100014", "Paul Morel",
     "rh@menuiserie-somme.example", "03 22 00 00 02", 350, date(2027, 5, 3), date(2027, 9, 30),
     "Groupe scolaire Jules Ferry", "12 rue Jules Ferry", "80000", "Amiens"],
    ["2027-AMI-022", "Aménagement des berges de la Somme", "Amiens Métropole", "2",
     "Espaces verts", "Paysages du Nord", "79123456000013", "Inès Caron",
     "contact@paysages-nord.example", "06 12 34 56 78", 800, date(2027, 4, 12),
     date(2028, 3, 31), "Berges – quai de la Somme", "Quai Bélu", "80000", "Amiens"],
]


def csv_bytes(headers: list[str] = HEADERS, rows: list[list[object]] = ROWS, *,
              delimiter: str = ";", encoding: str = "utf-8-sig") -> bytes:
    """The list as CSV (dates written dd/mm/yyyy, as a French spreadsheet exports them)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for row in rows:
        writer.writerow([v.strftime("%d/%m/%Y") if isinstance(v, date) else v for v in row])
    return out.getvalue().encode(encoding)


def xlsx_bytes(headers: list[str] = HEADERS, rows: list[list[object]] = ROWS, *,
               title: str | None = "Marchés notifiés – clauses sociales") -> bytes:
    """The list as an XLSX workbook (a title line above the header row, real date cells)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Marchés"
    if title:
        sheet.append([title])
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    for cell in sheet[sheet.max_row - len(rows) + 1 : sheet.max_row]:
        for value in cell:
            if isinstance(value.value, date):
                value.number_format = "DD/MM/YYYY"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def main() -> int:
    docs = Path(__file__).resolve().parents[1] / "docs"
    (docs / "facilitateur-list-example.csv").write_bytes(csv_bytes())
    (docs / "facilitateur-list-example.xlsx").write_bytes(xlsx_bytes())
    print(f"wrote {docs / 'facilitateur-list-example.csv'} and .xlsx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
