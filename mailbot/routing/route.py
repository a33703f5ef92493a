"""Route an offer: the first rule of routing.toml whose conditions hold decides which partners get
it; no rule matching, the default does. Each partner gets a Routed with the reason, in English,
as `mailbot offers show` prints it."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlmodel import Session, select

from mailbot.domain.models import Company, OfferRouting, utcnow
from mailbot.routing.places import Place, fold, mentions, read_place
from mailbot.routing.rules import ALL, Family, RoutingRules, Rule, Territory, load_routing

__all__ = ["OfferFacts", "Routed", "included", "offer_facts", "record_routing", "route",
           "route_offer"]

_ROME_CODE = re.compile(r"(?<![A-Za-z0-9])([A-N])\s?(\d{4})(?![0-9])")


class Routed(NamedTuple):
    """One partner's answer: does it get the offer, and why."""

    partner: Any  # a Partner (anything with name, kind; id when recorded)
    included: bool
    reason: str


@dataclass(frozen=True)
class OfferFacts:
    """What the rules look at: the place (from the workplace, else the company's address), the
    text it was read from, the job title folded and the ROME codes written on the form."""

    place: Place
    place_text: str
    place_source: str  # "workplace" | "company address" | ""
    title: str
    rome: tuple[str, ...]


def offer_facts(offer: Any, company: Any, rules: RoutingRules) -> OfferFacts:
    """The workplace says where when it holds a postcode, a département or a commune the rules
    name; otherwise the company's address does."""
    communes = rules.communes()
    source, text = "", ""
    workplace = getattr(offer, "workplace", None) or ""
    address = getattr(company, "address", None) or "" if company is not None else ""
    for label, candidate in (("workplace", workplace), ("company address", address)):
        if candidate and (read_place(candidate) or any(mentions(candidate, c) for c in communes)):
            source, text = label, candidate
            break
    title = getattr(offer, "title", None) or ""
    written = " ".join(filter(None, (title, getattr(offer, "main_activities", None))))
    rome = tuple(dict.fromkeys(a + b for a, b in _ROME_CODE.findall(written)))
    return OfferFacts(read_place(text), text, source, fold(title), rome)


def _family_match(family: Family, facts: OfferFacts) -> str | None:
    for code in facts.rome:
        if any(code.startswith(prefix) for prefix in family.rome):
            return f"job family {family.name} (ROME {code})"
    for word, pattern in family.patterns:
        if pattern.search(facts.title):
            return f"job family {family.name} (title word '{word}')"
    return None


def _territory_match(territory: Territory, facts: OfferFacts) -> str | None:
    place, where = facts.place, facts.place_source
    for prefix in territory.postcodes:
        if place.postcode and place.postcode.startswith(prefix):
            return f"{where} postcode {place.postcode}" + (f" {place.commune}" if place.commune else "")
        if not place.postcode and place.departement == prefix:
            return f"{where} département {place.departement}"
    for commune in territory.communes:
        if mentions(facts.place_text, commune):
            return f"{where} names {commune}"
    return None


def _rule_match(rule: Rule, facts: OfferFacts, rules: RoutingRules) -> str | None:
    """Why the rule's conditions hold ("job family BTP (…), territory Somme (…)"), else None."""
    why = []
    if rule.families:
        found = next(filter(None, (_family_match(rules.families[f], facts) for f in rule.families)),
                     None)
        if found is None:
            return None
        why.append(found)
    territories = [rules.territories[t] for t in rule.territories] + ([rule.own] if rule.own else [])
    if territories:
        for territory in territories:
            found = _territory_match(territory, facts)
            if found:
                why.append(found if territory is rule.own
                           else f"territory {territory.name} ({found})")
                break
        else:
            return None
    return ", ".join(why) or "every offer"


def _targets(partners: Sequence[Any], send_to: tuple[str, ...] | str, head: str,
             why: str) -> list[Routed]:
    """Each partner in or out of `send_to`; the reason: "HEAD: kind SIAE; WHY"."""
    tail = f"; {why}" if why else ""
    if send_to == ALL:
        return [Routed(p, True, f"{head}: every partner{tail}") for p in partners]
    wanted = {t.casefold() for t in send_to}
    listing = ", ".join(send_to)
    routed = []
    for partner in partners:
        if partner.name.casefold() in wanted:
            routed.append(Routed(partner, True, f"{head}: named{tail}"))
        elif partner.kind and partner.kind.casefold() in wanted:
            routed.append(Routed(partner, True, f"{head}: kind {partner.kind}{tail}"))
        else:
            out = f"not in send_to ({listing})" if listing else "sends to nobody"
            routed.append(Routed(partner, False, f"{head}: {out}{tail}"))
    return routed


def route(offer: Any, company: Any, partners: Sequence[Any],
          rules: RoutingRules | None = None) -> list[Routed]:
    """Which of `partners` get `offer`, in their order, each with the reason."""
    rules = rules or load_routing()
    facts = offer_facts(offer, company, rules)
    for rule in rules.rules:
        why = _rule_match(rule, facts, rules)
        if why is not None:
            return _targets(partners, rule.send_to, f"rule '{rule.name}'", why)
    return _targets(partners, rules.default, "no rule matched, default", "")


def included(routed: Sequence[Routed]) -> list[Any]:
    """The partners that get the offer."""
    return [r.partner for r in routed if r.included]


def record_routing(session: Session, offer: Any, routed: Sequence[Routed]) -> list[OfferRouting]:
    """One OfferRouting row per partner (updated when the offer is routed again)."""
    existing = {row.partner_id: row for row in
                session.exec(select(OfferRouting).where(OfferRouting.offer_id == offer.id))}
    rows = []
    for item in routed:
        row = existing.get(item.partner.id) or OfferRouting(offer_id=offer.id,
                                                            partner_id=item.partner.id)
        if row.id is not None and (row.included, row.reason) != (item.included, item.reason):
            row.created_at = utcnow()
        row.included, row.reason = item.included, item.reason[:500]
        session.add(row)
        rows.append(row)
    session.flush()
    return rows


def route_offer(session: Session, offer: Any, partners: Sequence[Any],
                rules: RoutingRules | None = None) -> list[Any]:
    """Route `offer` among `partners`, record why (OfferRouting), return the partners that get it:
    what a broadcast calls."""
    company = session.get(Company, offer.company_id) if offer.company_id else None
    routed = route(offer, company, partners, rules)
    record_routing(session, offer, routed)
    return included(routed)
