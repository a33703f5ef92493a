"""The facilitateur's figures per market, lot and company, read with a few set-based queries.

A handful of GROUP BY queries (offers, referrals per lot and company), one query for the retained
contracts (their hours, publics and types are computed in Python) and the market list itself:
the number of queries does not grow with the data. No candidate is ever named: candidates are
only counted (a *parcours* is a candidate with several retained contracts).

Offers are tied to lots by `Offer.lot_id`; offers without a lot go under "Hors marché identifié".
"Presented" counts the referrals the company got to see: presented now, hired, or presented once
(an audit event to `presented`) before being refused or held.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import Date, String, and_, case, cast, func, type_coerce
from sqlmodel import Session, col, select

from mailbot.domain.models import AuditEvent, Company, Lot, Market, Offer, Referral, Worksite
from mailbot.domain.states import ReferralState

__all__ = [
    "CONTRACT_COLUMNS",
    "OUTSIDE_MARKET",
    "PUBLIC_COLUMNS",
    "CompanyRow",
    "Figures",
    "LotRow",
    "MarketReport",
    "Report",
    "contract_code",
    "end_of_duration",
    "presented_condition",
    "projected_hours",
    "read_report",
]

OUTSIDE_MARKET = "Hors marché identifié"
UNKNOWN_COMPANY = "Entreprise non renseignée"

# Contract codes shown as columns, in order (contrats de professionnalisation apart).
CONTRACT_COLUMNS: list[tuple[str, str]] = [
    ("CDI", "CDI"), ("CDD", "CDD"), ("CDDI", "CDDI"), ("INTERIM", "Intérim"),
    ("APPRENTISSAGE", "Apprentissage"), ("CONTRAT_PRO", "Contrats de professionnalisation"),
    ("AUTRE", "Autres ou non précisés"),
]
# Publics of the retained candidates (Referral.eligibility codes), in order.
PUBLIC_COLUMNS: list[tuple[str, str]] = [
    ("rsa", "Minima sociaux (RSA…)"), ("deld", "DELD"), ("rqth", "RQTH"),
    ("young", "Jeunes (moins de 26 ans)"), ("qpv", "Résidents QPV"),
]


@dataclass
class Figures:
    """Counts for one group (a lot, a company in a market, a market, everything)."""

    offers: int = 0
    positions: int = 0
    referrals: int = 0
    presented: int = 0
    retained: int = 0
    contracts: Counter = field(default_factory=Counter)  # contract code → retained contracts
    publics: Counter = field(default_factory=Counter)  # eligibility code → retained contracts
    hours_projected: float = 0.0
    hours_required: float | None = None  # the clause's hours (lots), None when none is known
    unprojected: int = 0  # retained contracts whose hours cannot be projected (no hours/dates)
    parcours_ids: set[int] = field(default_factory=set)  # candidates with several contracts

    @property
    def parcours(self) -> int:
        """Candidates on a parcours (several retained contracts), counted, never named."""
        return len(self.parcours_ids)

    @property
    def pro_contracts(self) -> int:
        return self.contracts.get("CONTRAT_PRO", 0)

    @property
    def gap(self) -> float | None:
        """Projected minus required hours (negative: hours still to find)."""
        if self.hours_required is None:
            return None
        return self.hours_projected - self.hours_required

    def share(self, code: str) -> float | None:
        """Share of the retained contracts whose candidate belongs to public `code`."""
        return self.publics.get(code, 0) / self.retained if self.retained else None

    def add(self, other: Figures, *, required: bool = True) -> None:
        """Add `other`'s counts to these (`required=False` leaves the required hours)."""
        self.offers += other.offers
        self.positions += other.positions
        self.referrals += other.referrals
        self.presented += other.presented
        self.retained += other.retained
        self.contracts.update(other.contracts)
        self.publics.update(other.publics)
        self.hours_projected += other.hours_projected
        self.unprojected += other.unprojected
        self.parcours_ids |= other.parcours_ids
        if required and other.hours_required is not None:
            self.hours_required = (self.hours_required or 0.0) + other.hours_required


@dataclass
class LotRow:
    """One lot (or, outside any market, the offers without a lot) and its figures."""

    lot_id: int | None
    number: str
    label: str
    company: str  # the lot's winning company
    worksites: list[str]
    start: date | None
    end: date | None
    figures: Figures


@dataclass
class CompanyRow:
    """One company's figures within a market (the company that sent the offers)."""

    name: str
    figures: Figures


@dataclass
class MarketReport:
    """A market: its lots, its companies and its total."""

    market_id: int | None
    reference: str
    name: str
    buyer: str
    lots: list[LotRow]
    companies: list[CompanyRow]
    figures: Figures

    @property
    def title(self) -> str:
        """'2027-AMI-014 – Réhabilitation…', or the name alone."""
        return " – ".join(part for part in (self.reference, self.name) if part) or "Marché"


@dataclass
class Report:
    """Every market (outside-market offers last), the totals, this period's news."""

    as_of: date
    period_start: datetime
    period_end: datetime
    markets: list[MarketReport]
    totals: Figures
    new_referrals: int = 0  # referrals received during the period
    new_hires: int = 0  # contracts retained during the period


# -- durations and hours -------------------------------------------------------------------------

_NUMBER_WORDS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6,
                 "sept": 7, "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12,
                 "quinze": 15, "dix-huit": 18, "vingt-quatre": 24}
_DURATION = re.compile(
    r"(?P<n>\d+(?:[.,]\d+)?|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
    r"\s*(?P<unit>mois|semaines?|sem\b|ans?\b|annees?|jours?|j\b)")


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    for day in (start.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(start)  # pragma: no cover - day 28 always exists


@lru_cache(maxsize=1024)
def _duration(text: str) -> tuple[float, str] | None:
    """'6 mois' → (6.0, 'mois'), 'un an' → (12.0, 'mois'), '12 semaines' → (12.0, 'semaines')."""
    match = _DURATION.search(_fold(text))
    if not match:
        return None
    raw = match["n"]
    amount = float(_NUMBER_WORDS.get(raw, 0) or raw.replace(",", "."))
    unit = match["unit"]
    if amount <= 0:
        return None
    if unit.startswith(("an", "annee")):
        return amount * 12, "mois"
    return amount, unit


def end_of_duration(start: date, text: str | None) -> date | None:
    """The day after a contract of `text` ('6 mois', '12 semaines', 'un an', '1,5 mois')
    starting `start` ends (exclusive end), or None when no duration is written."""
    parsed = _duration(text) if text else None
    if parsed is None:
        return None
    amount, unit = parsed
    if unit == "mois":
        if amount.is_integer():
            return _add_months(start, int(amount))
        return start + timedelta(days=round(amount * 365.25 / 12))
    if unit.startswith("sem"):
        return start + timedelta(days=round(amount * 7))
    return start + timedelta(days=round(amount))


def projected_hours(weekly_hours: float | None, start: date | None, end: date | None,
                    duration: str | None, contract: str, lot_start: date | None,
                    lot_end: date | None) -> float | None:
    """Insertion hours of one contract inside its lot's period: weekly hours × the weeks of
    [start, end] (end included; else start + duration; a CDI runs to the lot's end) that fall
    within [lot_start, lot_end]. None when it cannot be projected (no hours, no start, no end)."""
    if weekly_hours is None or start is None:
        return None
    if end is not None:
        stop = end + timedelta(days=1)
    else:
        stop = end_of_duration(start, duration)
        if stop is None and contract == "CDI" and lot_end is not None:
            stop = lot_end + timedelta(days=1)
    if stop is None:
        return None
    low = max(start, lot_start) if lot_start else start
    high = min(stop, lot_end + timedelta(days=1)) if lot_end else stop
    days = max((high - low).days, 0)
    return float(weekly_hours) * days / 7


def contract_code(value: str | None) -> str:
    """A stored contract type ('CDD', 'Contrat de professionnalisation', 'intérim') as one of
    the CONTRACT_COLUMNS codes."""
    text = _fold(value or "").strip().upper().replace(" ", "_")
    if not text:
        return "AUTRE"
    if "PROFESSIONNALISATION" in text or text in {"CONTRAT_PRO", "PRO", "CONTRAT-PRO"}:
        return "CONTRAT_PRO"
    if text.startswith("APPRENTI") or "ALTERNANCE" in text:
        return "APPRENTISSAGE"
    if "INTERIM" in text or text.startswith(("CTT", "MISSION")):
        return "INTERIM"
    for code in ("CDDI", "CDD", "CDI"):
        if text.startswith(code):
            return code
    return "AUTRE"


# -- the queries ---------------------------------------------------------------------------------


def presented_condition():
    """A referral the company saw: presented, hired, or presented before a refusal or a hold."""
    seen = select(AuditEvent.referral_id).where(AuditEvent.to_state == ReferralState.PRESENTED.value,
                                                col(AuditEvent.referral_id).is_not(None))
    return col(Referral.status).in_([ReferralState.PRESENTED.value, ReferralState.HIRED.value]) | \
        col(Referral.id).in_(seen)


def read_report(session: Session, *, as_of: date, period_start: datetime,
                period_end: datetime) -> Report:
    """Every market's figures as of `as_of` (a constant number of queries)."""
    markets = list(session.exec(select(Market)))
    lots = list(session.exec(select(Lot, Company.legal_name)
                             .join(Company, col(Lot.company_id) == col(Company.id), isouter=True)))
    sites: dict[int, list[str]] = {}
    for lot_id, name, commune in session.exec(select(Worksite.lot_id, Worksite.name,
                                                     Worksite.commune).order_by(Worksite.id)):
        sites.setdefault(lot_id, []).append(name or commune or "")

    cells: dict[tuple[int | None, int | None], Figures] = {}

    def cell(lot_id: int | None, company_id: int | None) -> Figures:
        return cells.setdefault((lot_id, company_id), Figures())

    for lot_id, company_id, offers, positions in session.exec(
            select(Offer.lot_id, Offer.company_id, func.count(Offer.id),
                   func.coalesce(func.sum(Offer.positions), 0))
            .group_by(Offer.lot_id, Offer.company_id)):
        figures = cell(lot_id, company_id)
        figures.offers, figures.positions = int(offers), int(positions or 0)

    presented = presented_condition()
    is_hired = col(Referral.status) == ReferralState.HIRED.value
    codes = cast(Referral.eligibility, String)  # '["rsa", "qpv"]' on every backend
    publics = [func.sum(case((and_(is_hired, codes.like(f'%"{code}"%')), 1), else_=0))
               for code, _label in PUBLIC_COLUMNS]
    for lot_id, company_id, referrals, seen, hired, *shares in session.exec(
            select(Offer.lot_id, Offer.company_id, func.count(Referral.id),
                   func.sum(case((presented, 1), else_=0)), func.sum(case((is_hired, 1), else_=0)),
                   *publics)
            .join(Offer, col(Referral.offer_id) == col(Offer.id))
            .group_by(Offer.lot_id, Offer.company_id)):
        figures = cell(lot_id, company_id)
        figures.referrals, figures.presented, figures.retained = (
            int(referrals), int(seen or 0), int(hired or 0))
        for (code, _label), count in zip(PUBLIC_COLUMNS, shares, strict=True):
            if count:
                figures.publics[code] = int(count)

    lot_by_id = {lot.id: lot for lot, _name in lots}
    # a contract without a start date starts the day it was decided
    start_day = type_coerce(func.coalesce(Referral.contract_start, func.date(Referral.decided_at)),
                            Date)
    retained = list(session.exec(
        select(Offer.lot_id, Offer.company_id, Referral.candidate_id, Referral.contract_type,
               start_day, Referral.contract_end, Referral.contract_duration,
               Referral.weekly_hours)
        .join(Offer, col(Referral.offer_id) == col(Offer.id))
        .where(is_hired)))
    contracts_of = Counter(row[2] for row in retained)
    codes_of: dict[str | None, str] = {}
    for lot_id, company_id, candidate_id, ctype, start, end, duration, weekly in retained:
        figures = cell(lot_id, company_id)
        code = codes_of.get(ctype) or codes_of.setdefault(ctype, contract_code(ctype))
        figures.contracts[code] += 1
        lot = lot_by_id.get(lot_id)
        hours = projected_hours(weekly, start, end, duration, code,
                                lot.start_date if lot else None, lot.end_date if lot else None)
        if hours is None:
            figures.unprojected += 1
        else:
            figures.hours_projected += hours
        if contracts_of[candidate_id] > 1:
            figures.parcours_ids.add(candidate_id)

    company_ids = {company_id for _lot, company_id in cells if company_id is not None}
    names: dict[int | None, str | None] = {}
    if company_ids:
        names = {cid: name for cid, name in session.exec(
            select(Company.id, Company.legal_name).where(col(Company.id).in_(company_ids))).all()}
    new_referrals = session.exec(select(func.count(Referral.id)).where(
        Referral.created_at >= period_start, Referral.created_at < period_end)).one()
    new_hires = session.exec(select(func.count(Referral.id)).where(
        Referral.status == ReferralState.HIRED.value, Referral.decided_at >= period_start,
        Referral.decided_at < period_end)).one()

    by_lot: dict[int | None, list[tuple[int | None, Figures]]] = {}
    for (lot_id, company_id), found in cells.items():
        by_lot.setdefault(lot_id, []).append((company_id, found))
    lots_of: dict[int, list[tuple[Lot, str | None]]] = {}
    for lot, name in lots:
        lots_of.setdefault(lot.market_id, []).append((lot, name))
    built = [_market(market, lots_of.get(market.id or 0, []), sites, by_lot, names)
             for market in markets]
    built.sort(key=lambda m: (m.reference or "", m.name or ""))
    outside = _outside(cells, names, set(lot_by_id))
    if outside is not None:
        built.append(outside)
    totals = Figures()
    for market in built:
        totals.add(market.figures)
    return Report(as_of=as_of, period_start=period_start, period_end=period_end, markets=built,
                  totals=totals, new_referrals=int(new_referrals), new_hires=int(new_hires))


def _companies(pairs: Iterable[tuple[int | None, Figures]], names: dict,
               required: dict[int | None, float]) -> list[CompanyRow]:
    """Figures summed per company (the offer's company), with the hours of the lots it won."""
    per: dict[int | None, Figures] = {}
    for company_id, figures in pairs:
        per.setdefault(company_id, Figures()).add(figures, required=False)
    for company_id, hours in required.items():
        per.setdefault(company_id, Figures()).hours_required = hours
    rows = [CompanyRow(names.get(company_id) or UNKNOWN_COMPANY, figures)
            for company_id, figures in per.items()]
    return sorted(rows, key=lambda row: row.name.lower())


def _market(market: Market, lots: list[tuple[Lot, str | None]], sites: dict[int, list[str]],
            by_lot: dict[int | None, list[tuple[int | None, Figures]]], names: dict) -> MarketReport:
    rows: list[LotRow] = []
    pairs: list[tuple[int | None, Figures]] = []
    required: dict[int | None, float] = {}
    total = Figures()
    for lot, winner in sorted(lots, key=lambda item: _natural(item[0].number)):
        figures = Figures(hours_required=lot.insertion_hours)
        for company_id, found in by_lot.get(lot.id, []):
            figures.add(found, required=False)
            pairs.append((company_id, found))
        if lot.insertion_hours is not None:
            required[lot.company_id] = required.get(lot.company_id, 0.0) + lot.insertion_hours
        rows.append(LotRow(lot.id, lot.number, lot.label or "", winner or UNKNOWN_COMPANY,
                           [s for s in sites.get(lot.id or 0, []) if s], lot.start_date,
                           lot.end_date, figures))
        total.add(figures)
    return MarketReport(market.id, market.reference or "", market.name or "", market.buyer or "",
                        rows, _companies(pairs, names, required), total)


def _outside(cells: dict[tuple[int | None, int | None], Figures], names: dict,
             known_lots: set[int | None]) -> MarketReport | None:
    """Offers tied to no (known) lot, as one pseudo-market with one row."""
    pairs = [(company_id, found) for (lot_id, company_id), found in cells.items()
             if lot_id is None or lot_id not in known_lots]
    if not pairs:
        return None
    figures = Figures()
    for _company, found in pairs:
        figures.add(found, required=False)
    row = LotRow(None, "", "Offres sans lot", "", [], None, None, figures)
    return MarketReport(None, "", OUTSIDE_MARKET, "", [row], _companies(pairs, names, {}), figures)


def _natural(number: str) -> tuple:
    """Lot numbers in their natural order: 2 before 10, 3 before 3B."""
    return tuple((0, int(part)) if part.isdigit() else (1, part)
                 for part in re.findall(r"\d+|\D+", number or ""))
