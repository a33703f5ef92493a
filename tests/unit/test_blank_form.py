"""The blank liaison form: the CLI writes a fillable PDF and a DOCX with the contract's field names,
the acknowledgement's labels, a French word on the clause sociale, and, for a lot, the company's
name and the market."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

from mailbot.blank_form import SECTIONS, blank_docx, blank_pdf, field_names
from mailbot.outbox.labels_fr import FIELD_LABELS
from mailbot.parse.types import FORM_FIELDS

COMPANY = "Gros Œuvre « Vallée » l’Amiénois"
MARKET = "Réaménagement des berges – Lot n° 4"
DOTTED = [f"{section}.{name}" for section, names in FORM_FIELDS.items() for name in names]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _docx_rows(data: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(data))
    return [(row.cells[0].text, row.cells[1].text) for table in document.tables for row in table.rows]


def _docx_text(data: bytes) -> str:
    return "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)


@pytest.fixture(scope="module")
def for_lot() -> tuple[bytes, bytes]:
    return blank_pdf(COMPANY, MARKET), blank_docx(COMPANY, MARKET)


@pytest.fixture(scope="module")
def plain() -> tuple[bytes, bytes]:
    return blank_pdf(), blank_docx()


def test_cli_writes_both_files(tmp_path: Path) -> None:
    out = tmp_path / "new" / "dir"
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "form-template", "--out", str(out),
         "--company", "Bâtiroute Picardie", "--market", MARKET],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    written = [Path(line) for line in done.stdout.splitlines()]
    assert [p.suffix for p in written] == [".pdf", ".docx"]
    assert all(p.parent == out and p.stat().st_size > 1000 for p in written)
    assert "Bâtiroute-Picardie" in written[0].name
    assert PdfReader(written[0]).get_fields()["company.legal_name"]["/V"] == "Bâtiroute Picardie"


def test_cli_names_an_unwritable_directory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = subprocess.run([sys.executable, "-m", "mailbot", "form-template", "--out", str(blocker)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert str(blocker) in done.stderr and "Traceback" not in done.stderr


def test_pdf_fields_are_the_contract_dotted_names(plain: tuple[bytes, bytes]) -> None:
    reader = PdfReader(io.BytesIO(plain[0]))
    texts = {name: f for name, f in reader.get_fields().items() if f.get("/FT") == "/Tx"}
    assert list(texts) == DOTTED == field_names()
    multiline = {f.name for s in SECTIONS for f in s.fields if f.multiline}
    assert "job.main_activities" in multiline
    for name, field in texts.items():
        assert not field.get("/V")
        assert "/MaxLen" not in field
        assert bool(int(field.get("/Ff", 0)) & (1 << 12)) == (name in multiline), name
    # a partial name holds no period: the dotted name is the field hierarchy
    for page in reader.pages:
        for annot in page["/Annots"]:
            widget = annot.get_object()
            assert "." not in widget["/T"]
            assert widget["/Parent"].get_object()["/T"] in FORM_FIELDS


def test_pdf_prints_labels_sections_and_the_clause(plain: tuple[bytes, bytes]) -> None:
    text = " ".join(_pdf_text(plain[0]).split())
    for name in DOTTED:
        assert FIELD_LABELS[name] in text
    for heading in ("1. L'entreprise", "2. Le poste", "3. Les conditions d'emploi"):
        assert heading in text
    assert "clause sociale" in text
    assert "Formulaire préparé pour" not in text and "Marché :" not in text


def test_pdf_for_a_lot_carries_company_and_market(for_lot: tuple[bytes, bytes]) -> None:
    text = " ".join(_pdf_text(for_lot[0]).split())
    assert f"Formulaire préparé pour l'entreprise {COMPANY}" in text
    assert f"Marché : {MARKET}" in text
    fields = PdfReader(io.BytesIO(for_lot[0])).get_fields()
    assert fields["company.legal_name"]["/V"] == COMPANY
    assert not any(fields[name].get("/V") for name in DOTTED if name != "company.legal_name")


def test_docx_has_the_same_labels_and_empty_cells(plain: tuple[bytes, bytes]) -> None:
    rows = _docx_rows(plain[1])
    assert [label for label, _ in rows] == [FIELD_LABELS[name] for name in DOTTED]
    assert all(answer == "" for _, answer in rows)
    document = docx.Document(io.BytesIO(plain[1]))
    assert len(document.tables) == 3
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["Formulaire de liaison – Clause sociale", "1. L'entreprise", "2. Le poste",
                        "3. Les conditions d'emploi"]
    assert "clause sociale" in _docx_text(plain[1])


def test_docx_for_a_lot_carries_company_and_market(for_lot: tuple[bytes, bytes]) -> None:
    text = _docx_text(for_lot[1])
    assert f"Formulaire préparé pour l'entreprise {COMPANY}" in text
    assert f"Marché : {MARKET}" in text
    rows = dict(_docx_rows(for_lot[1]))
    assert rows[FIELD_LABELS["company.legal_name"]] == COMPANY
    assert sum(1 for answer in rows.values() if answer) == 1


def test_intro_has_no_label_value_line(plain: tuple[bytes, bytes]) -> None:
    """A 'Label : value' sentence would be read as a field: the only colon line is the market."""
    for line in _docx_text(plain[1]).splitlines():
        assert ":" not in line, line
