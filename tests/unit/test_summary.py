"""The facilitateur's weekly summary on a known scenario, with a frozen clock: the numbers (hours
computed by hand here), the email's parts, the chart decoded, the XLSX opened back, no name."""

from __future__ import annotations

import io
from datetime import date, datetime
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlmodel import Session, select

from mailbot.config import load_config
from mailbot.db import make_engine, session_scope
from mailbot.domain.models import (
    OutboxMessage,
    ReportRun,
)
from mailbot.outbox.compose import Composer
from mailbot.reports.charts import CHART_SIZE
from mailbot.reports.figures import (
    OUTSIDE_MARKET,
    contract_code,
    end_of_duration,
    projected_hours,
    read_report,
)
from mailbot.reports.summary import preview_summary, queue_summary, week_period
from mailbot.reports.xlsx import TOTALS_SHEET
from tests.helpers.report_data import (
    ALICE_CDD,
    ALICE_PRO,
    DRISS_CDI,
    EMMA_CDD,
    FACILITATEUR,
    NAMES,
    NOW,
    PARIS,
    scenario,
    write_config,
)


@pytest.fixture
def world(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'summary.db'}"
    scenario(url)
    config_file = write_config(tmp_path / "config.toml", url)
    config = load_config(config_file)
    composer = Composer(from_address=config.smtp.from_address, from_name="Clause sociale")
    return make_engine(url), config, composer


def test_durations_contract_codes_and_hours_by_hand():
    assert end_of_duration(date(2027, 3, 1), "6 mois") == date(2027, 9, 1)
    assert end_of_duration(date(2027, 1, 31), "1 mois") == date(2027, 2, 28)
    assert end_of_duration(date(2027, 3, 15), "12 semaines") == date(2027, 6, 7)
    assert end_of_duration(date(2027, 3, 1), "un an renouvelable") == date(2028, 3, 1)
    assert end_of_duration(date(2027, 3, 1), "six mois") == date(2027, 9, 1)
    assert end_of_duration(date(2027, 3, 1), "CDI") is None
    assert contract_code("Contrat de professionnalisation") == "CONTRAT_PRO"
    assert contract_code("CDDI") == "CDDI" and contract_code("intérim") == "INTERIM"
    assert contract_code(None) == "AUTRE"
    assert projected_hours(35, date(2027, 3, 1), None, "6 mois", "CDD", date(2027, 3, 1),
                           date(2027, 12, 17)) == pytest.approx(920.0)
    # a contract ending after the lot counts only up to the lot's last day
    assert projected_hours(35, date(2027, 9, 6), date(2028, 3, 5), None, "CONTRAT_PRO",
                           date(2027, 3, 1), date(2027, 12, 17)) == pytest.approx(515.0)
    assert projected_hours(24, date(2027, 6, 1), None, None, "CDI", None,
                           date(2027, 9, 30)) == pytest.approx(DRISS_CDI)
    assert projected_hours(None, date(2027, 6, 1), None, "6 mois", "CDD", None, None) is None
    assert projected_hours(35, date(2027, 6, 1), None, None, "CDD", None, None) is None
    # entirely outside the lot: no hours
    assert projected_hours(35, date(2026, 1, 1), date(2026, 6, 30), None, "CDD",
                           date(2027, 1, 1), None) == 0


def test_week_period_is_the_iso_week_before_the_due_monday():
    key, start, end = week_period(NOW, PARIS)
    assert key == "2027-W40"
    assert start == datetime(2027, 9, 27, 0, 0, tzinfo=PARIS)
    assert end == datetime(2027, 10, 4, 0, 0, tzinfo=PARIS)


def test_figures_per_market_lot_and_company(world):
    engine, _config, _composer = world
    _key, start, end = week_period(NOW, PARIS)
    with Session(engine) as session:
        report = read_report(session, as_of=NOW.date(), period_start=start, period_end=end)
    titles = [m.name for m in report.markets]
    assert titles == ["Réhabilitation du groupe scolaire Jules Ferry",
                      "Aménagement des berges de la Somme", OUTSIDE_MARKET]
    m1, m2, outside = report.markets
    lot1, lot4 = m1.lots
    assert (lot1.number, lot1.company, lot1.worksites) == ("1", "Bâtiments Picards",
                                                          ["Groupe scolaire Jules Ferry"])
    f = lot1.figures
    assert (f.offers, f.positions, f.referrals, f.presented, f.retained) == (2, 3, 4, 3, 2)
    assert f.contracts == {"CDD": 1, "CONTRAT_PRO": 1} and f.pro_contracts == 1
    assert f.publics == {"rsa": 2, "qpv": 1} and f.share("rsa") == 1.0
    assert f.hours_projected == pytest.approx(ALICE_CDD + ALICE_PRO)
    assert f.hours_required == 1200 and f.gap == pytest.approx(ALICE_CDD + ALICE_PRO - 1200)
    assert f.parcours == 1  # Alice: two successive contracts
    assert lot4.figures.hours_projected == pytest.approx(DRISS_CDI)
    assert lot4.figures.contracts == {"CDI": 1}
    assert m1.figures.hours_required == 1550
    assert m1.figures.hours_projected == pytest.approx(ALICE_CDD + ALICE_PRO + DRISS_CDI)
    assert [c.name for c in m1.companies] == ["Bâtiments Picards", "Menuiserie de la Somme"]
    assert m1.companies[0].figures.hours_required == 1200
    assert m1.companies[1].figures.retained == 1
    g = m2.figures
    assert (g.referrals, g.presented, g.retained) == (2, 2, 1)
    assert g.hours_projected == pytest.approx(EMMA_CDD) and g.gap == pytest.approx(EMMA_CDD - 800)
    assert g.publics == {"young": 1}
    o = outside.figures
    assert (o.offers, o.retained, o.unprojected, o.hours_projected) == (1, 1, 1, 0)
    assert o.hours_required is None and outside.companies[0].name == "Garage Dupont"
    t = report.totals
    assert (t.offers, t.positions, t.referrals, t.presented, t.retained) == (5, 7, 8, 7, 5)
    assert t.contracts == {"CDD": 3, "CONTRAT_PRO": 1, "CDI": 1}
    assert t.share("rsa") == pytest.approx(3 / 5) and t.publics["deld"] == 1
    assert t.hours_required == 2350
    assert t.hours_projected == pytest.approx(ALICE_CDD + ALICE_PRO + DRISS_CDI + EMMA_CDD)
    assert t.parcours == 1
    assert (report.new_referrals, report.new_hires) == (1, 1)  # Farid's referral, Driss's hire


def _parts(raw: bytes):
    message = message_from_bytes(raw, policy=default_policy)
    found = {}
    for part in message.walk():
        found.setdefault(part.get_content_type(), []).append(part)
    return message, found


def test_queued_summary_email_chart_and_workbook(world):
    engine, config, composer = world
    with session_scope(engine) as session:
        row = queue_summary(session, composer, config, now=NOW)
        assert row is not None
    with session_scope(engine) as session:  # the same week again: nothing more
        assert queue_summary(session, composer, config, now=NOW) is None
    with Session(engine) as session:
        outbox = session.exec(select(OutboxMessage)).all()
        runs = session.exec(select(ReportRun)).all()
    assert len(outbox) == 1 and outbox[0].recipients == [FACILITATEUR]
    assert [(r.kind, r.recipient, r.period_key, r.outbox_id) for r in runs] == [
        ("facilitateur_summary", FACILITATEUR, "2027-W40", outbox[0].id)]
    message, parts = _parts(outbox[0].raw)
    assert message["Subject"] == ("Clause sociale – point hebdomadaire des recrutements au "
                                  "lundi 4 octobre 2027")
    assert message["Auto-Submitted"] == "auto-generated"
    related = parts["multipart/related"][0]
    html = parts["text/html"][0].get_content()
    text = parts["text/plain"][0].get_content()
    png = parts["image/png"][0]
    assert png in related.iter_parts()
    cid = png["Content-ID"].strip("<>")
    assert f'src="cid:{cid}"' in html
    image = Image.open(io.BytesIO(png.get_content()))
    assert image.format == "PNG" and image.size == CHART_SIZE
    # the French figures, as the facilitateur reads them
    nb, nn = "\u00a0", "\u202f"
    assert f"Heures d'insertion : projetées 2{nn}133{nb}heures, requises 2{nn}350{nb}heures, " \
           f"écart -217{nb}heures" in text
    assert "Postes : 7 · candidatures : 8 · présentées : 7 · retenues : 5" in text
    assert f"Minima sociaux (RSA…) 3 (60{nb}%)" in text
    assert "contrats de professionnalisation : 1" in text
    assert "Candidats en parcours (plusieurs contrats successifs) : 1" in text
    assert f"Du 27 septembre 2027 au 3 octobre 2027 : 1{nb}candidature reçue, 1{nb}recrutement." in text
    assert "MARCHÉ 2027-AMI-014 – Réhabilitation du groupe scolaire Jules Ferry" in text
    assert "HORS MARCHÉ IDENTIFIÉ" in text
    assert f"Heures d'insertion : projetées 1{nn}435{nb}heures, requises 1{nn}200{nb}heures, " \
           f"écart +235{nb}heures" in text
    assert f"Heures d'insertion : projetées 0{nb}heure\n" in text  # outside any market
    xlsx = parts["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"][0]
    assert xlsx.get_filename() == "clause-sociale-point-2027-10-04.xlsx"
    workbook = load_workbook(io.BytesIO(xlsx.get_content()))
    _check_workbook(workbook)
    everything = outbox[0].raw.decode("ascii") + text + html + _workbook_text(workbook)
    for name in NAMES:
        assert name not in everything, name


def _workbook_text(workbook) -> str:
    return " ".join(str(cell.value) for sheet in workbook for row in sheet.iter_rows()
                    for cell in row if cell.value is not None)


def _check_workbook(workbook) -> None:
    assert workbook.sheetnames == [TOTALS_SHEET, "2027-AMI-014", "2027-AMI-022", OUTSIDE_MARKET]
    totals = workbook[TOTALS_SHEET]
    headers = [cell.value for cell in totals[1]]
    assert totals.freeze_panes == "A2"
    col = {header: index for index, header in enumerate(headers)}
    rows = list(totals.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["2027-AMI-014", "2027-AMI-022", None, "Total"]
    assert rows[2][1] == OUTSIDE_MARKET
    total = rows[-1]
    assert total[col["Candidatures"]] == 8 and isinstance(total[col["Candidatures"]], int)
    assert total[col["Retenues"]] == 5
    assert total[col["Contrats de professionnalisation"]] == 1
    assert total[col["Heures requises"]] == 2350
    assert total[col["Heures projetées"]] == pytest.approx(
        ALICE_CDD + ALICE_PRO + DRISS_CDI + EMMA_CDD, abs=0.01)
    assert total[col["Part Minima sociaux (RSA…)"]] == pytest.approx(0.6)
    assert total[col["Candidats en parcours"]] == 1
    share_cell = totals.cell(row=5, column=col["Part Minima sociaux (RSA…)"] + 1)
    assert share_cell.number_format == "0.0%" and isinstance(share_cell.value, float)
    for letter in ("A", "B", "D"):
        assert totals.column_dimensions[letter].width >= 9
    sheet = workbook["2027-AMI-014"]
    assert sheet.freeze_panes == "A2"
    head = [cell.value for cell in sheet[1]]
    lot_row = [cell for cell in sheet[2]]
    assert lot_row[0].value == "Lot" and lot_row[1].value == "1"
    start = lot_row[head.index("Début du lot")]
    assert isinstance(start.value, datetime) and start.value.date() == date(2027, 3, 1)
    assert start.is_date and start.number_format == "DD/MM/YYYY"
    assert lot_row[head.index("Heures projetées")].value == pytest.approx(1435.0)
    assert lot_row[head.index("Écart (projetées − requises)")].value == pytest.approx(235.0)
    assert sheet.column_dimensions["C"].width >= len("Gros œuvre – maçonnerie")
    kinds = [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert kinds == ["Lot", "Lot", "Entreprise", "Entreprise", "Total du marché"]


def test_preview_writes_the_eml_and_its_parts_and_sends_nothing(world, tmp_path):
    engine, config, composer = world
    out = tmp_path / "preview"
    with Session(engine) as session:
        written = preview_summary(session, composer, config, out, now=NOW)
    names = sorted(p.name for p in written)
    assert names == ["clause-sociale-point-2027-10-04.xlsx", "graphique.png", "summary.eml",
                     "summary.html", "summary.txt"]
    assert Image.open(out / "graphique.png").size == CHART_SIZE
    assert 'src="graphique.png"' in (out / "summary.html").read_text()
    assert (out / "summary.txt").read_text().startswith("Clause sociale – point hebdomadaire")
    _message, parts = _parts((out / "summary.eml").read_bytes())
    assert "image/png" in parts and "multipart/related" in parts
    with Session(engine) as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(ReportRun)).all() == []
