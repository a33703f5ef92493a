"""Offers and the lots of the facilitateur's markets: how a lot is named on a blank form
("market – Lot n"), and which lot a received form belongs to.

A form is tied to a lot through the blank form mailbot sent the company (a FormRequest): matched
by the company's SIRET, else its folded legal name, else the address the form came from (the one
the blank form went to); among several requests, the one whose "market – Lot n" the form carries
wins, an open one before an answered one. Without a request, a company winning exactly one lot
(or the one the form names) is tied to it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, select

from mailbot.domain.companies import fold_name
from mailbot.domain.models import Company, FormRequest, Lot, Market, Offer, utcnow

__all__ = ["LotTie", "lot_label", "lot_labels", "tie_offer_to_lot"]


def lot_label(market: Market | None, lot: Lot) -> str:
    """'Réhabilitation du groupe scolaire – Lot 4', as printed on the blank form ('Marché : …')."""
    name = (market.name or market.reference or "") if market is not None else ""
    if not lot.number:
        return name
    return f"{name} – Lot {lot.number}" if name else f"Lot {lot.number}"


def lot_labels(session: Session, lot_ids: set[int]) -> dict[int, str]:
    """lot id → its label, in two queries."""
    if not lot_ids:
        return {}
    lots = list(session.exec(select(Lot).where(Lot.id.in_(lot_ids))))
    markets = {m.id: m for m in session.exec(
        select(Market).where(Market.id.in_({lot.market_id for lot in lots})))}
    return {lot.id: lot_label(markets.get(lot.market_id), lot) for lot in lots}


@dataclass(frozen=True)
class LotTie:
    """What tying did: the lot (None when none was found), the request answered (None when the
    form answered none), and how the company was recognised (siret | name | address | winner)."""

    lot_id: int | None
    request: FormRequest | None = None
    matched_by: str | None = None


def _matches(request: FormRequest, requested: Company | None, company: Company | None,
             sender: str | None) -> str | None:
    """How the form's company is the requested one, or None."""
    if company is not None and requested is not None:
        if company.id == requested.id:
            return "siret" if company.siret else "name"
        if company.siret and requested.siret and company.siret == requested.siret:
            return "siret"
        if fold_name(company.legal_name) and fold_name(company.legal_name) == fold_name(
                requested.legal_name) and not (company.siret and requested.siret):
            return "name"
    if sender and request.address and sender.strip().lower() == request.address.strip().lower():
        return "address"
    return None


_RANK = {"siret": 0, "name": 1, "address": 2}


def tie_offer_to_lot(session: Session, offer: Offer, company: Company | None, sender: str | None,
                     *, now: datetime | None = None) -> LotTie:
    """Set `offer.lot_id` from the company's blank-form request (answering it: answered_at,
    offer_id) or from the lot it alone won. Flushes; the caller commits."""
    requests = list(session.exec(select(FormRequest).order_by(FormRequest.id)))
    companies = {c.id: c for c in session.exec(select(Company).where(
        Company.id.in_({r.company_id for r in requests})))} if requests else {}
    labels = lot_labels(session, {r.lot_id for r in requests if r.lot_id is not None})
    named = fold_name(offer.market)
    found: list[tuple[tuple, FormRequest, str]] = []
    for request in requests:
        how = _matches(request, companies.get(request.company_id), company, sender)
        if how is None:
            continue
        same_lot = bool(named) and fold_name(labels.get(request.lot_id)) == named
        found.append(((not same_lot, request.answered_at is not None, _RANK[how], request.id),
                      request, how))
    if found:
        _key, request, how = min(found, key=lambda item: item[0])
        if request.answered_at is None:
            request.answered_at = now or utcnow()
            request.offer_id = offer.id
            session.add(request)
        offer.lot_id = request.lot_id
        session.add(offer)
        session.flush()
        return LotTie(request.lot_id, request, how)
    lot_id = _won_lot(session, offer, company)
    if lot_id is not None:
        offer.lot_id = lot_id
        session.add(offer)
        session.flush()
        return LotTie(lot_id, None, "winner")
    return LotTie(None)


def _won_lot(session: Session, offer: Offer, company: Company | None) -> int | None:
    """The lot this company won, when it won one, or when the form names one of its lots."""
    if company is None or company.id is None:
        return None
    lots = list(session.exec(select(Lot).where(Lot.company_id == company.id)))
    if len(lots) == 1:
        return lots[0].id
    named = fold_name(offer.market)
    if not named or not lots:
        return None
    labels = lot_labels(session, {lot.id for lot in lots})
    same = [lot_id for lot_id, label in labels.items() if fold_name(label) == named]
    return same[0] if len(same) == 1 else None
