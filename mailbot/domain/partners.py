"""Partners: kept in step with the config, and recognised by address, else by domain."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from mailbot.config import PartnerConfig
from mailbot.domain.models import Partner

__all__ = ["active_partners", "match_partner", "sync_partners"]


def sync_partners(session: Session, partners: Sequence[PartnerConfig]) -> None:
    """Upsert the config's partners by name; deactivate the ones no longer configured."""
    existing = {p.name: p for p in session.exec(select(Partner))}
    for conf in partners:
        row = existing.pop(conf.name, None) or Partner(name=conf.name)
        row.kind, row.emails, row.domains, row.active = conf.kind, conf.emails, conf.domains, True
        session.add(row)
    for gone in existing.values():
        gone.active = False
        session.add(gone)


def active_partners(session: Session) -> list[Partner]:
    return list(session.exec(select(Partner).where(Partner.active).order_by(Partner.id)))


def match_partner(partners: Sequence[Partner], address: str | None) -> Partner | None:
    """The partner whose emails hold `address`, else whose domains hold its domain (or a parent)."""
    if not address:
        return None
    address = address.strip().lower()
    for partner in partners:
        if address in partner.emails:
            return partner
    domain = address.rpartition("@")[2]
    for partner in partners:
        for allowed in partner.domains:
            if domain == allowed or domain.endswith("." + allowed):
                return partner
    return None
