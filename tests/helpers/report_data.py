"""A known reporting scenario (frozen clock NOW = Monday 4 October 2027, 9:00 Paris) for the
facilitateur's summary and the exports, with its insertion hours computed by hand.

Market 2027-AMI-014 (Ville d'Amiens): lot 1 (Bâtiments Picards, 1,200 h, 2027-03-01…12-17, one
worksite), lot 4 (Menuiserie de la Somme, 350 h, 2027-05-03…09-30). Market 2027-AMI-022: lot 2
(Paysages du Nord, 800 h, 2027-04-12…2028-03-31). Offers o1, o2 (lot 1), o3 (lot 4), o4 (lot 2),
o5 (no lot: Garage Dupont). Referrals: Alice hired on o1 (CDD 6 mois 35 h, RSA + QPV) and again on
o2 (contrat pro to 2028-03-05, RSA): a parcours; Bruno presented then refused (o1); Chloé new
(o1); Driss hired CDI 24 h on o3 (RQTH, DELD; decided in the week); Emma hired CDD 12 semaines on
o4 starting before the lot (young); Farid presented on o4 (received in the week); Gaëlle hired on
o5 without weekly hours (RSA): her hours cannot be projected.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from mailbot.db import make_engine, migrate, session_scope
from mailbot.domain.models import AuditEvent, Candidate, Company, Lot, Market, Offer, Referral, Worksite

__all__ = ["ALICE_CDD", "ALICE_PRO", "DRISS_CDI", "EMMA_CDD", "FACILITATEUR", "NAMES", "NOW", "PARIS",
           "scenario", "write_config"]

PARIS = ZoneInfo("Europe/Paris")
NOW = datetime(2027, 10, 4, 9, 0, tzinfo=PARIS)  # a Monday, 9:00: the summary is due
FACILITATEUR = "facilitatrice@exemple-metropole.fr"
NAMES = ["Alice", "Martin", "Bruno", "Petit", "Chloé", "Roux", "Driss", "Benali", "Emma", "Leroy",
         "Farid", "Haddad", "Gaëlle", "Fontaine"]

# Hours by hand (weekly hours × days inside the lot's period / 7):
ALICE_CDD = 35 * 184 / 7  # 2027-03-01 + 6 mois → 2027-09-01 (exclusive): 184 days = 920 h
ALICE_PRO = 35 * 103 / 7  # 2027-09-06 … 2028-03-05 cut at lot 1's end 2027-12-17: 103 days = 515 h
DRISS_CDI = 24 * 122 / 7  # CDI from 2027-06-01 to lot 4's end 2027-09-30: 122 days ≈ 418.29 h
EMMA_CDD = 35 * 56 / 7  # 2027-03-15 + 12 semaines → 2027-06-07, from lot 2's start 04-12: 56 days


def _at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def scenario(url: str) -> None:
    """Migrate `url` and write the scenario described in the module docstring."""
    engine = make_engine(url)
    migrate(engine)
    with session_scope(engine) as s:
        picards = Company(legal_name="Bâtiments Picards")
        menuiserie = Company(legal_name="Menuiserie de la Somme")
        paysages = Company(legal_name="Paysages du Nord")
        garage = Company(legal_name="Garage Dupont")
        m1 = Market(reference="2027-AMI-014", name="Réhabilitation du groupe scolaire Jules Ferry",
                    match_key="2027ami014", buyer="Ville d'Amiens")
        m2 = Market(reference="2027-AMI-022", name="Aménagement des berges de la Somme",
                    match_key="2027ami022", buyer="Amiens Métropole")
        s.add_all([picards, menuiserie, paysages, garage, m1, m2])
        s.flush()
        lot1 = Lot(market_id=m1.id, number="1", label="Gros œuvre – maçonnerie",
                   company_id=picards.id, insertion_hours=1200, start_date=date(2027, 3, 1),
                   end_date=date(2027, 12, 17))
        lot4 = Lot(market_id=m1.id, number="4", label="Menuiseries extérieures",
                   company_id=menuiserie.id, insertion_hours=350, start_date=date(2027, 5, 3),
                   end_date=date(2027, 9, 30))
        lot2 = Lot(market_id=m2.id, number="2", label="Espaces verts", company_id=paysages.id,
                   insertion_hours=800, start_date=date(2027, 4, 12), end_date=date(2028, 3, 31))
        s.add_all([lot1, lot4, lot2])
        s.flush()
        s.add(Worksite(lot_id=lot1.id, match_key="jules ferry", name="Groupe scolaire Jules Ferry"))
        offers = {
            "o1": Offer(ref="CS-2027-0001", company_id=picards.id, lot_id=lot1.id, positions=2,
                        title="Maçon", contract_type="CDD", contract_duration="6 mois",
                        weekly_hours=35),
            "o2": Offer(ref="CS-2027-0002", company_id=picards.id, lot_id=lot1.id, positions=1,
                        title="Coffreur", contract_type="CONTRAT_PRO"),
            "o3": Offer(ref="CS-2027-0003", company_id=menuiserie.id, lot_id=lot4.id, positions=1,
                        title="Poseur", contract_type="CDI"),
            "o4": Offer(ref="CS-2027-0004", company_id=paysages.id, lot_id=lot2.id, positions=2,
                        title="Ouvrier paysagiste"),
            "o5": Offer(ref="CS-2027-0005", company_id=garage.id, positions=1, title="Mécanicien"),
        }
        s.add_all(offers.values())
        people = {}
        for first, last in zip(NAMES[::2], NAMES[1::2], strict=True):
            people[first] = Candidate(first_name=first, last_name=last,
                                      email=f"{first.lower()}@exemple.org")
        s.add_all(people.values())
        s.flush()

        def referral(offer: str, who: str, status: str, created: str = "2027-03-01", **extra):
            row = Referral(offer_id=offers[offer].id, candidate_id=people[who].id, status=status,
                           created_at=_at(created), **extra)
            s.add(row)
            return row

        referral("o1", "Alice", "hired", contract_type="CDD", contract_start=date(2027, 3, 1),
                 contract_duration="6 mois", weekly_hours=35, eligibility=["rsa", "qpv"],
                 decided_at=_at("2027-02-25"))
        bruno = referral("o1", "Bruno", "not_hired", refusal_reason="absent_interview")
        referral("o1", "Chloé", "new")
        referral("o2", "Alice", "hired", contract_type="CONTRAT_PRO",
                 contract_start=date(2027, 9, 6), contract_end=date(2028, 3, 5), weekly_hours=35,
                 eligibility=["rsa"], decided_at=_at("2027-09-01"))
        referral("o3", "Driss", "hired", contract_type="CDI", contract_start=date(2027, 6, 1),
                 weekly_hours=24, eligibility=["rqth", "deld"], decided_at=_at("2027-09-29"))
        referral("o4", "Emma", "hired", contract_type="CDD", contract_start=date(2027, 3, 15),
                 contract_duration="12 semaines", weekly_hours=35, eligibility=["young"],
                 decided_at=_at("2027-03-10"))
        referral("o4", "Farid", "presented", created="2027-09-28")
        referral("o5", "Gaëlle", "hired", contract_type="CDD", contract_start=date(2027, 5, 2),
                 contract_duration="3 mois", eligibility=["rsa"], decided_at=_at("2027-04-30"))
        s.flush()
        s.add(AuditEvent(actor="referent", channel="cli", action="present", referral_id=bruno.id,
                         from_state="new", to_state="presented"))
        s.add(AuditEvent(actor="referent", channel="cli", action="reject", referral_id=bruno.id,
                         from_state="presented", to_state="not_hired"))


def write_config(path: Path, url: str) -> Path:
    """A config for `url` with a facilitateur (SMTP never reached in these tests)."""
    path.write_text(f"""
[database]
url = "{url}"
[smtp]
host = "127.0.0.1"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "referente@exemple-emploi.fr"
facilitateur = "{FACILITATEUR}"
""", encoding="utf-8")
    return path
