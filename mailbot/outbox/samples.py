"""Two sets of made-up data per email role. The runs of words that both renders share are the
templates' static wording: the anchors of `mailbot.fingerprints` (see `Composer.static_hashes`)."""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["sample_contexts"]

_VALUES = (
    {"name": "Alpha Bâtiment", "person": "Jeanne Arnaud", "ref": "CS-2001-0001", "title": "Maçon",
     "siret": "73282932000074", "phone": "+33322000001", "mail": "contact@alpha.example",
     "town": "Amiens", "date": "2001-02-03", "n": 2, "hours": 35, "partner": "Mission Locale"},
    {"name": "Omega Travaux", "person": "Paul Morel", "ref": "CS-2002-0002", "title": "Coffreur",
     "siret": "55210055400013", "phone": "+33144000002", "mail": "rh@omega.example",
     "town": "Beauvais", "date": "2002-11-12", "n": 3, "hours": 24, "partner": "Cap Emploi"},
)


def _offer(v: dict) -> dict:
    return {
        "ref": v["ref"], "title": v["title"], "positions": v["n"], "recruitment_date": v["date"],
        "contract_type": "CDD", "contract_duration": f"{v['n']} mois", "weekly_hours": v["hours"],
        "gross_salary": f"{v['n']} 000 €", "workplace": v["town"], "main_activities": v["title"],
        "required_skills": v["town"], "experience": v["title"], "training": v["town"],
        "special_requirements": v["title"], "market": v["town"], "company_name": v["name"],
        "missing": ["job.required_skills", "company.siret"],
        "problems": [f"{v['title']}.pdf: page 2 illisible"],
    }


def sample_contexts(role: str) -> list[dict]:
    """Two contexts for `role` with different values (empty list for an unknown role)."""
    out = []
    for v in _VALUES:
        company = {"legal_name": v["name"], "siret": v["siret"], "address": v["town"],
                   "contact_name": v["person"], "phone": v["phone"], "email": v["mail"]}
        person = {"first_name": v["person"].split()[0], "last_name": v["person"].split()[1]}
        contexts = {
            "company/ack": {"company": company, "offers": [_offer(v)], "original_subject": v["title"],
                            "received_at": datetime.fromisoformat(v["date"]).replace(tzinfo=UTC)},
            "company/unreadable": {"attachments_problems": [f"{v['title']}.pdf: PDF is encrypted"],
                                   "original_subject": v["title"]},
            "partner/broadcast": {"partner": {"name": v["partner"], "kind": "ML"}, "offer": _offer(v)},
            "partner/referral_ack": {"partner": {"name": v["partner"], "kind": "ML"},
                                     "candidates": [person], "offer": {"ref": v["ref"], "title": v["title"],
                                                                       "company_name": v["name"]},
                                     "original_subject": v["title"]},
        }
        if role in contexts:
            out.append(contexts[role])
    return out
