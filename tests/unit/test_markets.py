"""The facilitateur's list: header matching, CSV/XLSX reading, idempotent upsert, the email
rule and the confirmation's wording."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import Workbook
from sqlmodel import Session, func, select

from mailbot.classify import classify
from mailbot.db import make_engine, migrate
from mailbot.domain.models import AuditEvent, Company, CompanyRevision, Lot, Market, Worksite
from mailbot.domain.services import Actor
from mailbot.domain.states import ActorKind, Channel
from mailbot.errors import ConfigError
from mailbot.markets import TableError, import_list, list_markets, map_headers, read_table
from mailbot.markets.columns import ColumnRules
from mailbot.markets.notify import ROLE, import_view
from mailbot.mime import read_message
from mailbot.outbox.compose import Composer
from tests.helpers.market_list import HEADERS, ROWS, csv_bytes, list_email, with_column, xlsx_bytes

ACTOR = Actor(ActorKind.REFERENT, Channel.CLI)


@pytest.fixture
def session(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'm.db'}")
    migrate(engine)
    with Session(engine) as session:
        yield session


def _count(session: Session, model) -> int:
    return session.exec(select(func.count()).select_from(model)).one()


# -- headers -------------------------------------------------------------------------------------


def test_headers_match_whatever_their_accents_case_punctuation_and_wording() -> None:
    mapping = map_headers(["MARCHE", "intitule du lot :", "N° de lot", "Nb d'heures",
                           "E-mail", "Raison Sociale*", "siret", "Date début", "CP", "Chantier(s)"])
    assert mapping.fields == {
        "market.name": 0, "lot.label": 1, "lot.number": 2, "lot.hours": 3, "company.email": 4,
        "company.legal_name": 5, "company.siret": 6, "lot.start": 7, "worksite.postcode": 8,
        "worksite.name": 9,
    }
    assert mapping.unmatched == []


def test_unknown_columns_are_reported_never_guessed_and_doubles_are_named() -> None:
    mapping = map_headers(["Marché", "Observations", None, "", "Entreprise attributaire",
                           "Raison sociale", "Montant HT"])
    assert mapping.unmatched == ["Observations", "Montant HT"]
    assert mapping.repeated == ["Raison sociale"]
    assert set(mapping.fields) == {"market.name", "company.legal_name"}


def test_a_header_beginning_with_a_synonym_is_that_column_the_longest_winning() -> None:
    mapping = map_headers(["Heures d'insertion prévues au marché", "Date de début des travaux TCE",
                           "Adresse mail du contact"])
    assert mapping.fields == {"lot.hours": 0, "lot.start": 1, "company.email": 2}


def test_a_wording_listed_for_two_columns_is_refused() -> None:
    with pytest.raises(ConfigError, match="both"):
        ColumnRules({"lot": {"number": ["Lot"]}, "market": {"name": ["LOT"]}})


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(("delimiter", "encoding"),
                         [(";", "utf-8-sig"), (",", "utf-8"), (";", "cp1252"), (",", "cp1252")])
def test_csv_is_read_with_either_delimiter_and_encoding(delimiter: str, encoding: str) -> None:
    table = read_table(csv_bytes(delimiter=delimiter, encoding=encoding), "liste.csv")
    assert table[0] == HEADERS
    assert table[1][4] == "Gros œuvre – maçonnerie"
    assert table[2][11] == "03/05/2027"
    assert len(table) == 1 + len(ROWS)


def test_xlsx_is_read_with_its_title_line_and_real_dates() -> None:
    table = read_table(xlsx_bytes(), "liste.xlsx")
    assert table[0] == ["Marchés notifiés – clauses sociales"]
    assert table[1] == HEADERS
    assert table[2][11].date() == date(2027, 3, 1)
    assert table[3][10] == 350


def test_what_is_no_table_is_refused() -> None:
    with pytest.raises(TableError):
        read_table(b"%PDF-1.4", "liste.pdf")
    with pytest.raises(TableError):
        read_table(b"PK\x03\x04broken", "liste.xlsx")
    with pytest.raises(TableError, match="no header row"):
        from mailbot.markets.importer import read_import

        read_import("Nom;Prénom\nDupont;Jean\n".encode(), "contacts.csv")


# -- upsert ----------------------------------------------------------------------------------------


def _counts(session: Session) -> tuple[int, ...]:
    return tuple(_count(session, m) for m in (Market, Lot, Worksite, Company, CompanyRevision))


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_importing_the_same_list_twice_gives_the_same_rows(session, kind: str) -> None:
    data = csv_bytes() if kind == "csv" else xlsx_bytes()
    first = import_list(session, data, f"liste.{kind}", ACTOR)
    session.commit()
    assert _counts(session) == (2, 3, 3, 3, 0)
    assert first.summary["created"] == {"market": 2, "lot": 3, "worksite": 3, "company": 3}
    assert first.unmatched == [] and first.summary["problems"] == []
    markets = list_markets(session)
    lot = markets[0]["lots"][0]
    assert (lot["number"], lot["insertion_hours"], lot["start_date"], lot["end_date"]) == (
        "1", 1200.0, "2027-03-01", "2027-12-17")
    assert lot["company"]["siret"] == "81234567600017"
    assert lot["company"]["phone"] == "+33322000001"
    assert lot["worksites"][0]["postcode"] == "80000"
    second = import_list(session, data, f"liste.{kind}", ACTOR)
    session.commit()
    assert _counts(session) == (2, 3, 3, 3, 0)
    assert second.summary["created"] == {"market": 0, "lot": 0, "worksite": 0, "company": 0}
    assert second.summary["updated"] == {"market": 0, "lot": 0, "worksite": 0, "company": 0}
    assert list_markets(session) == markets


def test_an_updated_list_updates_rows_and_keeps_company_differences_as_a_revision(session) -> None:
    import_list(session, csv_bytes(), "v1.csv", ACTOR)
    session.commit()
    rows = [list(row) for row in ROWS]
    rows[0][10] = "1 450 h"  # hours of lot 1 changed
    rows[1][8] = "nouveau.rh@menuiserie-somme.example"  # another email for a known SIRET
    rows.append([*rows[2][:3], "3", "Mobilier urbain", "Paysages du Nord", "", "", "", "", "120",
                 "02/05/2027", "", "Berges – quai de la Somme", "", "80000", "Amiens"])
    second = import_list(session, csv_bytes(HEADERS, rows), "v2.csv", ACTOR)
    session.commit()
    assert _counts(session) == (2, 4, 4, 3, 1)
    lot1 = session.exec(select(Lot).where(Lot.number == "1")).one()
    assert lot1.insertion_hours == 1450.0
    updated = [i for i in second.summary["items"] if i["change"] == "updated"]
    assert [(i["entity"], i["fields"]) for i in updated] == [("lot", ["heures d'insertion"])]
    menuiserie = session.exec(select(Company).where(Company.siret == "90876543100014")).one()
    assert menuiserie.email == "rh@menuiserie-somme.example"  # not overwritten silently
    revision = session.exec(select(CompanyRevision)).one()
    assert revision.changes == {"email": ["rh@menuiserie-somme.example",
                                          "nouveau.rh@menuiserie-somme.example"]}
    lot3 = session.exec(select(Lot).where(Lot.number == "3")).one()
    assert lot3.company_id == session.exec(
        select(Company.id).where(Company.legal_name == "Paysages du Nord")).one()  # by its name
    again = import_list(session, csv_bytes(HEADERS, rows), "v2.csv", ACTOR)
    session.commit()
    assert _counts(session) == (2, 4, 4, 3, 1)  # the same revision is not kept twice
    assert again.summary["revisions"][0]["revision"] == revision.id


def test_a_market_first_listed_by_name_keeps_its_row_when_its_reference_comes(session) -> None:
    headers = ["Marché", "Lot", "Entreprise", "Heures"]
    import_list(session, csv_bytes(headers, [["École Ferry", "2", "Durand BTP", "100"]]),
                "a.csv", ACTOR)
    import_list(session, csv_bytes(["Référence du marché", *headers],
                                   [["M-1", "ecole ferry", "2", "DURAND-BTP", "120"]]), "b.csv", ACTOR)
    session.commit()
    assert _counts(session)[:4] == (1, 1, 0, 1)
    market = session.exec(select(Market)).one()
    assert (market.reference, market.name) == ("M-1", "ecole ferry")
    assert session.exec(select(Lot)).one().insertion_hours == 120.0


def test_rows_with_merged_market_cells_belong_to_the_market_above(session) -> None:
    rows = [list(row) for row in ROWS[:2]]
    rows[1][0] = rows[1][1] = rows[1][2] = None
    imported = import_list(session, xlsx_bytes(HEADERS, rows, title=None), "m.xlsx", ACTOR)
    session.commit()
    assert _counts(session)[:2] == (1, 2)
    assert imported.summary["rows"] == 2


def test_unreadable_values_are_reported_by_line_and_ignored(session) -> None:
    rows = [list(ROWS[0])]
    rows[0][10], rows[0][11], rows[0][6] = "beaucoup", "bientôt", "123"
    imported = import_list(session, csv_bytes(HEADERS, rows), "p.csv", ACTOR)
    problems = imported.summary["problems"]
    assert any(p.startswith("ligne 2 : heures d'insertion illisibles « beaucoup »") for p in problems)
    assert any("date de début illisible « bientôt »" in p for p in problems)
    assert any("SIRET « 123 »" in p for p in problems)
    lot = session.exec(select(Lot)).one()
    assert lot.insertion_hours is None and lot.start_date is None
    assert session.exec(select(Company)).one().siret is None


def test_every_creation_and_change_is_audited(session) -> None:
    imported = import_list(session, csv_bytes(), "a.csv", ACTOR)
    session.commit()
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "market_import")).all()
    created = [e for e in events if e.details.get("change") == "created"]
    assert len(created) == 11  # 2 markets, 3 lots, 3 worksites, 3 companies
    assert {e.actor for e in events} == {"referent"} and {e.channel for e in events} == {"cli"}
    assert all(e.details["import"] == imported.id for e in events)


# -- email: rule and confirmation ------------------------------------------------------------------


def test_the_rule_takes_a_list_attachment_and_nothing_else() -> None:
    sender, to = "facilitatrice@amiens-metropole.example", "clauses@exemple-emploi.fr"
    for data, name in ((xlsx_bytes(), "marches.xlsx"), (csv_bytes(encoding="cp1252"), "m.csv")):
        assert classify(read_message(list_email(sender, to, data, name))).kind == "market_list"
    other = "Nom;Prénom;Téléphone\nDupont;Jean;0600000000\n".encode()
    assert classify(read_message(list_email(sender, to, other, "contacts.csv"))).kind != "market_list"


def test_the_confirmation_names_what_was_created_and_the_unmatched_column(session) -> None:
    headers, rows = with_column("Observations du maître d'ouvrage", ["RAS", "", "urgent"])
    imported = import_list(session, xlsx_bytes(headers, rows), "marches.xlsx", ACTOR)
    composer = Composer(from_address="clauses@exemple-emploi.fr", from_name="Clauses")
    subject, text, html = composer.render_parts(ROLE, {"imports": [import_view(imported)],
                                                       "unverified": False})
    assert subject == "Liste des marchés prise en compte"
    assert "« Observations du maître d'ouvrage »" in text
    assert "Observations du maître d&#39;ouvrage" in html or "Observations du maître d'ouvrage" in html
    assert ("Lot 4 – Menuiseries extérieures du marché « Réhabilitation du groupe scolaire "
            "Jules Ferry »") in text
    assert "Entreprise Paysages du Nord (SIRET 79123456000013)" in text
    pending = composer.render_parts(ROLE, {"imports": [{**import_view(imported), "status": "pending"}],
                                           "unverified": True})
    assert "en attente de validation" in pending[0]
    assert "Nouveaux éléments" not in pending[1]


def test_a_zip_that_inflates_too_much_is_refused(monkeypatch) -> None:
    from mailbot.markets import reader

    monkeypatch.setattr(reader, "MAX_INFLATED", 1000)
    book = Workbook()
    book.active.append(["x" * 5000])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TableError, match="too large"):
        read_table(buffer.getvalue(), "big.xlsx")
