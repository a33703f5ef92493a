"""The facilitateur's list in tests: the docs example (scripts/facilitateur_example.py) as CSV or
XLSX bytes, variants of it, and the email that carries it."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default as default_policy
from email.utils import make_msgid

from scripts.facilitateur_example import HEADERS, ROWS, csv_bytes, xlsx_bytes

__all__ = ["HEADERS", "ROWS", "XLSX_TYPE", "csv_bytes", "list_email", "with_column", "xlsx_bytes"]

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")


def with_column(header: str, values: list[object], headers: list[str] = HEADERS,
                rows: list[list[object]] = ROWS) -> tuple[list[str], list[list[object]]]:
    """The list with one more column (e.g. one that matches nothing)."""
    return [*headers, header], [[*row, value] for row, value in zip(rows, values, strict=True)]


def list_email(sender: str, to: str, data: bytes, filename: str = "marches.xlsx", *,
               subject: str = "Marchés notifiés – entreprises attributaires",
               authentication_results: str | None = None) -> bytes:
    """The facilitateur's email with the list attached."""
    msg = EmailMessage(policy=default_policy)
    msg["From"] = f"Facilitatrice <{sender}>"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = make_msgid(domain=sender.split("@")[1])
    if authentication_results:
        msg["Authentication-Results"] = authentication_results
    msg.set_content("Bonjour,\n\nVoici la liste des marchés notifiés et des entreprises "
                    "attributaires.\n\nBien cordialement,\nLa facilitatrice\n")
    if filename.endswith(".csv"):
        msg.add_attachment(data, maintype="text", subtype="csv", filename=filename)
    else:
        msg.add_attachment(data, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=filename)
    return msg.as_bytes()
