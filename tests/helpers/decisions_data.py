"""A small decisions world for CLI tests: two offers, two partners, four candidates, five referrals.

Offer A (CS-2027-0001, 2 positions, CDD 35 h from 2027-02-01): R1 Alice (Mission Locale), R2 Bruno
(Cap Emploi), R3 Chloé (Mission Locale). Offer B (CS-2027-0002, no number of positions): R4 Alice
again (Cap Emploi, flagged as a duplicate of R1). R5 Driss (Cap Emploi) tied to no offer, flagged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import Candidate, Company, Offer, Partner, Referral

__all__ = ["PARTNERS", "REFERENT", "World", "fill_world", "write_config"]

REFERENT = "referente@exemple-emploi.fr"
PARTNERS = {"Mission Locale Amiens": "conseil@ml-amiens.fr", "Cap Emploi 80": "cap@capemploi80.fr"}


@dataclass(frozen=True)
class World:
    """Ids of what `fill_world` wrote."""

    offer_a: str
    offer_b: str
    alice: int
    driss: int
    r1: int
    r2: int
    r3: int
    r4: int
    r5: int


def write_config(path: Path, database_url: str, smtp_port: int = 1) -> Path:
    """A config for `database_url`; SMTP on a loopback port (1: nobody listens, emails defer)."""
    partners = "".join(f'\n[[partners]]\nname = "{name}"\nemails = ["{email}"]\n'
                       for name, email in PARTNERS.items())
    path.write_text(f"""
[database]
url = "{database_url}"
[smtp]
host = "127.0.0.1"
port = {smtp_port}
security = "none"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "{REFERENT}"
{partners}""", encoding="utf-8")
    return path


def fill_world(database_url: str) -> World:
    """Migrate the database and write the offers, partners, candidates and referrals."""
    engine = make_engine(database_url)
    migrate(engine)
    with session_scope(engine) as session:
        company = Company(legal_name="BTP Picardie", siret="73282932000074",
                          email="rh@btp-picardie.fr")
        session.add(company)
        session.flush()
        a = Offer(ref="CS-2027-0001", company_id=company.id, status="open", title="Maçon VRD",
                  positions=2, contract_type="CDD", contract_duration="6 mois",
                  weekly_hours=35.0, recruitment_date=date(2027, 2, 1),
                  contact_address="rh@btp-picardie.fr")
        b = Offer(ref="CS-2027-0002", company_id=company.id, status="open", title="Coffreur",
                  contact_address="rh@btp-picardie.fr")
        partners = [Partner(name=name, emails=[email]) for name, email in PARTNERS.items()]
        people = [Candidate(first_name=first, last_name=last, email=f"{first.lower()}@exemple.org")
                  for first, last in (("Alice", "Martin"), ("Bruno", "Petit"), ("Chloé", "Roux"),
                               ("Driss", "Benali"))]
        session.add_all([a, b, *partners, *people])
        session.flush()
        ml, cap = partners
        alice, bruno, chloe, driss = people

        def referral(offer: Offer | None, person: Candidate, partner: Partner, **extra) -> Referral:
            row = Referral(offer_id=offer.id if offer else None, candidate_id=person.id,
                           partner_id=partner.id, sender=partner.emails[0], **extra)
            session.add(row)
            session.flush()
            return row

        r1 = referral(a, alice, ml)
        r2 = referral(a, bruno, cap)
        r3 = referral(a, chloe, ml)
        r4 = referral(b, alice, cap, duplicate_of=r1.id, flagged=True,
                      flag_reason="already referred (R1)")
        r5 = referral(None, driss, cap, flagged=True, flag_reason="unknown offer reference")
        world = World(a.ref, b.ref, alice.id, driss.id, r1.id, r2.id, r3.id, r4.id, r5.id)
    engine.dispose()
    return world
