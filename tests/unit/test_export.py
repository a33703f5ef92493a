"""`mailbot export` through the real CLI on the known reporting scenario: CSV and XLSX, the
values and their types, no candidate named; `mailbot summary preview|send` from the CLI."""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from mailbot.cli import app
from mailbot.db import make_engine
from mailbot.domain.models import OutboxMessage, ReportRun
from tests.helpers.report_data import (
    ALICE_CDD,
    ALICE_PRO,
    DRISS_CDI,
    EMMA_CDD,
    NAMES,
    scenario,
    write_config,
)

runner = CliRunner()


@pytest.fixture
def config(tmp_path: Path) -> Path:
    url = f"sqlite:///{tmp_path / 'export.db'}"
    scenario(url)
    return write_config(tmp_path / "config.toml", url)


def _export(config: Path, what: str, fmt: str, out: Path) -> str:
    result = runner.invoke(app, ["export", "--what", what, "--format", fmt, "--out", str(out),
                                 "--config", str(config)])
    assert result.exit_code == 0, result.output
    return result.output


def _csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: a French Excel opens it as UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))


def test_offers_csv(config, tmp_path):
    out = tmp_path / "offers.csv"
    assert "5 row(s) written" in _export(config, "offers", "csv", out)
    rows = {row["offer"]: row for row in _csv(out)}
    assert set(rows) == {f"CS-2027-000{n}" for n in range(1, 6)}
    first = rows["CS-2027-0001"]
    assert (first["company"], first["market"], first["lot"], first["positions"]) == (
        "Bâtiments Picards", "2027-AMI-014", "1", "2")
    # Bruno was presented, then refused: he counts as presented, like in the summary
    assert (first["referrals"], first["presented"], first["hired"]) == ("3", "2", "1")
    assert rows["CS-2027-0005"]["market"] == "" and rows["CS-2027-0005"]["lot"] == ""


def test_referrals_xlsx_types_and_no_names(config, tmp_path):
    out = tmp_path / "referrals.xlsx"
    assert "8 row(s) written" in _export(config, "referrals", "xlsx", out)
    workbook = load_workbook(out)
    sheet = workbook.active
    assert sheet.freeze_panes == "A2"
    headers = [cell.value for cell in sheet[1]]
    assert "first_name" not in headers and "last_name" not in headers
    rows = [dict(zip(headers, row, strict=True))
            for row in sheet.iter_rows(min_row=2, values_only=True)]
    hired = [row for row in rows if row["status"] == "hired"]
    assert len(hired) == 5
    driss = next(row for row in hired if row["contract_type"] == "CDI")
    assert driss["contract_start"] == datetime(2027, 6, 1)  # a real date cell
    assert driss["weekly_hours"] == 24 and isinstance(driss["weekly_hours"], int | float)
    assert isinstance(driss["candidate"], int) and driss["eligibility"] == "rqth deld"
    assert sheet.column_dimensions["A"].width >= 9
    text = " ".join(str(v) for row in rows for v in row.values() if v is not None)
    for name in NAMES:
        assert name not in text


def test_hours_csv_matches_the_hand_computed_hours(config, tmp_path):
    out = tmp_path / "hours.csv"
    _export(config, "hours", "csv", out)
    rows = _csv(out)
    hours = sorted(float(row["projected_hours_in_lot"]) for row in rows
                   if row["projected_hours_in_lot"])
    assert hours == pytest.approx(sorted([ALICE_CDD, ALICE_PRO, DRISS_CDI, EMMA_CDD]), abs=0.01)
    unprojected = [row for row in rows if not row["projected_hours_in_lot"]]
    assert len(unprojected) == 1 and unprojected[0]["market"] == ""
    emma = next(row for row in rows if row["duration"] == "12 semaines")
    assert (emma["start"], emma["end_or_duration_end"], emma["lot_start"]) == (
        "2027-03-15", "2027-06-07", "2027-04-12")


def test_decisions_xlsx(config, tmp_path):
    out = tmp_path / "decisions.xlsx"
    _export(config, "decisions", "xlsx", out)
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[3], row[7], row[8]) for row in rows] == [("present", "new", "presented"),
                                                         ("reject", "presented", "not_hired")]
    assert isinstance(rows[0][0], datetime)


def test_export_refuses_an_unknown_table(config, tmp_path):
    result = runner.invoke(app, ["export", "--what", "candidates", "--out",
                                 str(tmp_path / "x.csv"), "--config", str(config)])
    assert result.exit_code != 0 and not (tmp_path / "x.csv").exists()


def test_summary_preview_and_send_from_the_cli(config, tmp_path):
    out = tmp_path / "preview"
    result = runner.invoke(app, ["summary", "preview", "--out", str(out), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert {p.suffix for p in out.iterdir()} == {".eml", ".html", ".txt", ".png", ".xlsx"}
    first = runner.invoke(app, ["summary", "send", "--no-send", "--config", str(config)])
    again = runner.invoke(app, ["summary", "send", "--no-send", "--config", str(config)])
    assert "summary queued" in first.output, first.output
    assert "already sent" in again.output
    url = config.read_text().split('url = "')[1].split('"')[0]
    with Session(make_engine(url)) as session:
        assert len(session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "facilitateur/summary")).all()) == 1
        run = session.exec(select(ReportRun)).one()
    assert run.kind == "facilitateur_summary" and run.period_start < run.period_end
    assert re.fullmatch(r"\d{4}-W\d{2}", run.period_key)
