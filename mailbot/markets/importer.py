"""The facilitateur's list into rows: read it (header row found, columns mapped), then upsert
markets, lots, worksites and companies — an updated list updates rows, never duplicates them.

Markets are matched by reference (else name), lots by market and number, worksites by lot and
name (else address, else commune), companies by SIRET (else name) through
mailbot.domain.companies, whose rule keeps differing company details as a revision. Every
creation and change is audited (action "market_import").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from mailbot.domain.audit import record
from mailbot.domain.companies import fold_name, merge_company
from mailbot.domain.models import Company, Lot, Market, Worksite, utcnow
from mailbot.markets.columns import ColumnMap, ColumnRules, load_column_rules, map_headers
from mailbot.markets.reader import Cell, TableError, read_table
from mailbot.parse.normalise import normalise_date, normalise_email, normalise_phone, normalise_siret

__all__ = ["FIELD_FR", "ImportRead", "apply_rows", "find_header", "read_import"]

_HEADER_SCAN = 15  # rows looked at for the header row (title lines may come first)

#: How the confirmation email names a field.
FIELD_FR: dict[str, str] = {
    "market.reference": "référence du marché", "market.name": "intitulé du marché",
    "market.buyer": "acheteur", "market.start": "début du marché", "market.end": "fin du marché",
    "lot.number": "numéro de lot", "lot.label": "intitulé du lot",
    "lot.hours": "heures d'insertion", "lot.start": "date de début", "lot.end": "date de fin",
    "lot.company": "entreprise attributaire",
    "worksite.name": "chantier", "worksite.address": "adresse", "worksite.commune": "commune",
    "worksite.postcode": "code postal",
    "company.legal_name": "raison sociale", "company.siret": "SIRET", "company.address": "adresse",
    "company.contact_name": "contact", "company.email": "courriel", "company.phone": "téléphone",
}  # fmt: skip


@dataclass
class ImportRead:
    """A list as read: its columns, its rows (field → text, with "_line"), its problems."""

    filename: str
    columns: ColumnMap
    rows: list[dict[str, str]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def find_header(table: list[list[Cell]], rules: ColumnRules | None = None
                ) -> tuple[int, ColumnMap] | None:
    """(index, mapping) of the row naming the most known columns among the first rows, when it
    looks like a list of markets and companies."""
    rules = rules or load_column_rules()
    best: tuple[int, ColumnMap] | None = None
    for index, row in enumerate(table[:_HEADER_SCAN]):
        mapping = map_headers(list(row), rules)
        if best is None or mapping.score > best[1].score:
            best = (index, mapping)
    if best is None or not best[1].looks_like_market_list():
        return None
    return best


def _text(value: Cell) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = " ".join(str(value).split())
    return text or None


def read_import(data: bytes, filename: str, content_type: str = "",
                rules: ColumnRules | None = None) -> ImportRead:
    """Read a CSV/XLSX list; TableError when it is no table or names no market columns."""
    table = read_table(data, filename, content_type)
    found = find_header(table, rules)
    if found is None:
        raise TableError(f"{filename}: no header row naming markets, lots and companies")
    start, columns = found
    result = ImportRead(filename, columns)
    for offset, row in enumerate(table[start + 1:], start=start + 2):
        values = {name: _text(row[i]) if i < len(row) else None for name, i in columns.fields.items()}
        values = {k: v for k, v in values.items() if v}
        if values:
            result.rows.append({"_line": str(offset), **values})
    return result


# -- applying ---------------------------------------------------------------------------------


@dataclass
class _Run:
    session: Session
    actor: Any
    import_id: int | None
    inbound_id: int | None
    summary: dict = field(default_factory=lambda: {
        "rows": 0, "items": [], "revisions": [], "problems": [],
        "created": {"market": 0, "lot": 0, "worksite": 0, "company": 0},
        "updated": {"market": 0, "lot": 0, "worksite": 0, "company": 0},
    })
    seen: set = field(default_factory=set)  # (entity, id, change) already listed

    def problem(self, line: str, text: str) -> None:
        self.summary["problems"].append(f"ligne {line} : {text}")

    def note(self, entity: str, row_id: int, change: str, label: str, fields: dict,
             company_id: int | None = None) -> None:
        """Count, list and audit one creation or change (once per entity and change)."""
        record(self.session, self.actor, "market_import", company_id=company_id,
               details={"import": self.import_id, "entity": entity, "id": row_id, "change": change,
                        "fields": {k: [_json(a), _json(b)] for k, (a, b) in fields.items()}})
        if (entity, row_id, change) in self.seen:
            return
        self.seen.add((entity, row_id, change))
        self.summary[change][entity] += 1
        self.summary["items"].append({
            "entity": entity, "id": row_id, "change": change, "label": label,
            "fields": [FIELD_FR.get(f"{entity}.{k}", k) for k in fields],
        })


def _json(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


def apply_rows(session: Session, rows: list[dict[str, str]], actor: Any, *,
               import_id: int | None = None, inbound_id: int | None = None) -> dict:
    """Upsert every row; returns the summary (counts, items created/updated, company revisions
    kept, problems by line). Flushes; the caller commits."""
    run = _Run(session, actor, import_id, inbound_id)
    previous: dict[str, str] = {}
    for row in rows:
        line = row.get("_line", "?")
        row = _inherit(row, previous)
        previous = row
        market = _market(run, row, line)
        if market is None:
            continue
        run.summary["rows"] += 1
        company = _company(run, row, line)
        lot = _lot(run, market, company, row, line)
        if lot is not None:
            _worksite(run, lot, row)
            if lot.id not in run.summary.setdefault("lots", []):
                run.summary["lots"].append(lot.id)  # the lots the list names (blank forms)
    return run.summary


def _inherit(row: dict[str, str], previous: dict[str, str]) -> dict[str, str]:
    """A row without market cells belongs to the market above it (merged cells); a row with
    only worksite cells, to the lot above it."""
    row = dict(row)
    if not any(k.startswith("market.") for k in row):
        row.update({k: v for k, v in previous.items() if k.startswith("market.")})
        if not any(k.startswith(("lot.", "company.")) for k in row):
            row.update({k: v for k, v in previous.items() if k.startswith(("lot.", "company."))})
    return row


def _date(run: _Run, row: dict, key: str, line: str) -> date | None:
    text = row.get(key)
    if not text:
        return None
    value, _problem = normalise_date(text)
    if value is None:
        run.problem(line, f"{FIELD_FR[key]} illisible « {text} » (ignorée)")
        return None
    return date.fromisoformat(value)


def _hours(run: _Run, row: dict, line: str) -> float | None:
    text = row.get("lot.hours")
    if not text:
        return None
    compact = re.sub(r"[\s\u00a0\u202f']", "", text).replace(",", ".")
    match = re.match(r"^(\d+(?:\.\d+)?)(?:h|heures?)?$", compact, re.IGNORECASE)
    if not match:
        run.problem(line, f"heures d'insertion illisibles « {text} » (ignorées)")
        return None
    return float(match.group(1))


def _changes(obj: object, values: dict[str, object]) -> dict[str, tuple[object, object]]:
    """Set the given (non-empty) values that differ; return {field: (old, new)}."""
    changed = {}
    for key, value in values.items():
        if value is None or value == "":
            continue
        old = getattr(obj, key)
        if old != value:
            setattr(obj, key, value)
            changed[key] = (old, value)
    return changed


def _market(run: _Run, row: dict, line: str) -> Market | None:
    reference, name = row.get("market.reference"), row.get("market.name")
    key = f"ref:{fold_name(reference)}" if fold_name(reference) else (
        f"name:{fold_name(name)}" if fold_name(name) else "")
    if not key:
        run.problem(line, "ni intitulé ni référence de marché : ligne ignorée")
        return None
    market = _find_market(run.session, key, name)
    if market is not None and market.match_key != key and key.startswith("ref:"):
        market.match_key = key  # known by its name before its reference was given
    created = market is None
    market = market or Market(match_key=key)
    values = {"reference": reference, "name": name, "buyer": row.get("market.buyer"),
              "period_start": _date(run, row, "market.start", line),
              "period_end": _date(run, row, "market.end", line)}
    changed = _changes(market, values)
    if changed or created:
        market.updated_at = utcnow()
        run.session.add(market)
        run.session.flush()
        label = f"Marché « {market.name or market.reference} »" + (
            f" (réf. {market.reference})" if market.reference and market.name else "")
        run.note("market", market.id, "created" if created else "updated", label,
                 {} if created else _renamed(changed, {"period_start": "start", "period_end": "end"}))
    return market


def _find_market(session: Session, key: str, name: str | None) -> Market | None:
    """The market of `key`; else, by its name, one listed before with or without reference."""
    market = session.exec(select(Market).where(Market.match_key == key)).first()
    if market is not None or not fold_name(name):
        return market
    for candidate in session.exec(select(Market).where(Market.name.is_not(None)).order_by(Market.id)):
        if fold_name(candidate.name) == fold_name(name) and (
                key.startswith("name:") or candidate.match_key.startswith("name:")):
            return candidate
    return None


def _renamed(changed: dict, names: dict[str, str]) -> dict:
    return {names.get(k, k): v for k, v in changed.items()}


def _company(run: _Run, row: dict, line: str) -> Company | None:
    data: dict[str, object] = {k.removeprefix("company."): v for k, v in row.items()
                               if k.startswith("company.")}
    if not data.get("legal_name") and not data.get("siret"):
        return None
    if data.get("siret"):
        siret, problem = normalise_siret(str(data["siret"]))
        if problem:
            run.problem(line, f"SIRET « {data['siret']} » : {problem.split(': ', 1)[-1]}")
        data["siret"] = siret if not problem else None
    if data.get("email"):
        data["email"] = normalise_email(str(data["email"]))
    if data.get("phone"):
        data["phone"] = normalise_phone(str(data["phone"])) or data["phone"]
    merge = merge_company(run.session, data, inbound_id=run.inbound_id, match_name=True)
    company = merge.company
    label = f"Entreprise {company.legal_name or company.siret}" + (
        f" (SIRET {company.siret})" if company.siret and company.legal_name else "")
    if merge.created:
        run.note("company", company.id, "created", label, {}, company_id=company.id)
    elif merge.filled:
        run.note("company", company.id, "updated", label,
                 {k: (None, v) for k, v in merge.filled.items()}, company_id=company.id)
    if merge.revision is not None and merge.new_revision:
        record(run.session, run.actor, "market_import", company_id=company.id,
               details={"import": run.import_id, "entity": "company", "id": company.id,
                        "change": "revision", "revision": merge.revision.id,
                        "fields": merge.revision.changes})
    listed = {r["revision"] for r in run.summary["revisions"]}
    if merge.revision is not None and merge.revision.id not in listed:
        run.summary["revisions"].append({
            "company": company.legal_name or company.siret, "revision": merge.revision.id,
            "fields": [FIELD_FR.get(f"company.{k}", k) for k in merge.revision.changes],
        })
    return company


def _lot(run: _Run, market: Market, company: Company | None, row: dict, line: str) -> Lot | None:
    number = row.get("lot.number") or ""
    number = re.sub(r"^(?:lot\s*)?(?:n[°o]?\s*)?", "", number, flags=re.IGNORECASE).strip() or number
    if not number and not any(k.startswith(("lot.", "worksite.")) for k in row) and company is None:
        return None  # a market alone
    session = run.session
    lot = session.exec(select(Lot).where(Lot.market_id == market.id, Lot.number == number)).first()
    created = lot is None
    lot = lot or Lot(market_id=market.id, number=number)
    values = {"label": row.get("lot.label"), "insertion_hours": _hours(run, row, line),
              "start_date": _date(run, row, "lot.start", line),
              "end_date": _date(run, row, "lot.end", line),
              "company_id": company.id if company is not None else None}
    changed = _changes(lot, values)
    if changed or created:
        lot.updated_at = utcnow()
        session.add(lot)
        session.flush()
        label = (f"Lot {number} " if number else "Lot unique ") + (
            f"– {lot.label} " if lot.label else "") + f"du marché « {market.name or market.reference} »"
        names = {"insertion_hours": "hours", "start_date": "start", "end_date": "end",
                 "company_id": "company"}
        run.note("lot", lot.id, "created" if created else "updated", label,
                 {} if created else _renamed(changed, names), company_id=lot.company_id)
    return lot


def _worksite(run: _Run, lot: Lot, row: dict) -> Worksite | None:
    name, address, commune = row.get("worksite.name"), row.get("worksite.address"), \
        row.get("worksite.commune")
    key = fold_name(name) or fold_name(address) or fold_name(commune)
    if not key:
        return None
    session = run.session
    site = session.exec(select(Worksite).where(Worksite.lot_id == lot.id,
                                               Worksite.match_key == key)).first()
    created = site is None
    site = site or Worksite(lot_id=lot.id, match_key=key)
    postcode = row.get("worksite.postcode")
    if postcode and postcode.isdigit() and len(postcode) == 4:
        postcode = "0" + postcode  # a spreadsheet dropped the leading zero
    changed = _changes(site, {"name": name, "address": address, "commune": commune,
                              "postcode": postcode})
    if changed or created:
        session.add(site)
        session.flush()
        where = " ".join(v for v in (site.postcode, site.commune) if v)
        label = f"Chantier « {site.name or site.address or site.commune} »" + (
            f" ({where})" if where and (site.name or site.address) else "")
        run.note("worksite", site.id, "created" if created else "updated", label,
                 {} if created else changed)
    return site
