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
        # every value differs between the two samples (a value shared by both would make a
        # company's own "Type de contrat : CDD" line look like our wording)
        "contract_type": "CDD" if v["n"] == 2 else "INTERIM", "contract_duration": f"{v['n']} mois",
        "weekly_hours": v["hours"],
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
            **_decision_contexts(v, company, person),
            **_referent_contexts(v, person),
            **_facilitateur_contexts(v),
            **_blank_form_contexts(v, company),
            **_offer_lifecycle_contexts(v, company),
            **_report_contexts(v, person),
            **_summary_contexts(v),
        }
        if role in contexts:
            out.append(contexts[role])
    return out


def _decision_contexts(v: dict, company: dict, person: dict) -> dict:
    """Samples of the emails the référent's decisions send (see mailbot.domain.notices)."""
    contract = {"type": "CDD", "start": v["date"], "end": None, "duration": f"{v['n']} mois",
                "weekly_hours": v["hours"]}
    first, last = person["first_name"], person["last_name"]
    feedback_people = [
        {"first_name": first, "last_name": last, "status": "hired", "state": "retenue",
         "reason": None, "comment": None, "comment_withheld": False, "contract": contract},
        {"first_name": last, "last_name": first, "status": "not_hired", "state": "non retenue",
         "reason": "poste pourvu", "comment": f"{v['title']} {v['town']}",
         "comment_withheld": False, "contract": None},
        {"first_name": v["partner"], "last_name": last, "status": "not_hired",
         "state": "non retenue", "reason": "autre", "comment": None, "comment_withheld": True,
         "contract": None},
        {"first_name": v["town"], "last_name": first, "status": "presented",
         "state": "présentée à l'entreprise", "reason": None, "comment": None,
         "comment_withheld": False, "contract": None},
    ]
    return {
        "company/presentation": {
            "company": {"legal_name": company["legal_name"], "contact_name": company["contact_name"]},
            "offer": {**_offer(v), "company_name": None},
            "candidates": [{**person, "email": v["mail"], "phone": v["phone"],
                            "cv": f"CV {first} {last}.pdf"},
                           {"first_name": last, "last_name": first, "email": None, "phone": None,
                            "cv": None}],
            "contacts": "all",
        },
        "partner/feedback": {
            "partner": {"name": v["partner"], "kind": "ML"}, "full": False,
            "offers": [{"offer": {"ref": v["ref"], "title": v["title"], "company_name": v["name"]},
                        "candidates": feedback_people}],
        },
        "partner/offer_update": {"partner": {"name": v["partner"], "kind": "ML"},
                                 "offer": {"ref": v["ref"], "title": v["title"],
                                           "company_name": v["name"]},
                                 "state": "filled"},
    }


def _facilitateur_contexts(v: dict) -> dict:
    """Samples of the facilitateur's confirmation (mailbot.markets.notify): every status."""
    market = f"Marché « {v['title']} {v['town']} »"
    applied = {"id": v["n"], "filename": f"{v['town']}.xlsx", "status": "applied", "rows": v["n"],
               "created": [market, f"Lot {v['n']} – {v['title']} du {market.lower()}",
                           f"Entreprise {v['name']} (SIRET {v['siret']})"],
               "updated": [{"label": f"Chantier « {v['person']} » ({v['town']})",
                            "fields": ["adresse", "code postal"]}],
               "unmatched": [v["partner"]], "repeated": [v["title"]],
               "revisions": [{"company": v["name"], "revision": v["n"], "fields": ["courriel"]}],
               "problems": [f"ligne {v['n']} : heures d'insertion illisibles « {v['town']} »"],
               "reason": None, "forms_sent": [f"{v['name']} ({v['title']} – Lot {v['n']})"],
               "no_email": [f"{v['person']} ({v['town']} – Lot {v['n']})"]}
    pending = {**applied, "status": "pending", "created": [], "updated": [], "revisions": [],
               "problems": [], "filename": f"{v['name']}.csv"}
    refused = {**pending, "status": "refused", "filename": f"{v['person']}.csv", "unmatched": [],
               "repeated": [], "reason": v["title"]}
    unchanged = {**applied, "created": [], "updated": [], "filename": f"{v['title']}.csv"}
    return {"facilitateur/import_confirmation": {
        "imports": [applied, pending, refused, unchanged], "unverified": True,
        "original_subject": v["title"],
        "received_at": datetime.fromisoformat(v["date"]).replace(tzinfo=UTC),
    }}


def _blank_form_contexts(v: dict, company: dict) -> dict:
    """Samples of the blank form sent to a lot's winner and its reminder (mailbot.reminders)."""
    context = {
        "company": {"legal_name": company["legal_name"], "contact_name": company["contact_name"]},
        "market": {"name": f"{v['title']} {v['town']}", "reference": v["ref"], "buyer": v["partner"]},
        "lot": {"number": str(v["n"]), "label": v["title"], "insertion_hours": v["hours"] * 10,
                "start_date": v["date"]},
        "market_line": f"{v['title']} {v['town']} – Lot {v['n']}",
    }
    sent = datetime.fromisoformat(v["date"]).replace(tzinfo=UTC)
    return {"company/blank_form": context, "company/reminder": {**context, "sent_at": sent}}


def _referent_contexts(v: dict, person: dict) -> dict:
    """Samples of the emails to the référent (mailbot.handlers.referent_command, human_reply)."""
    name = f"{person['first_name']} {person['last_name']}"
    received = datetime.fromisoformat(v["date"]).replace(tzinfo=UTC)
    done = f"R{v['n']} – {name}, {v['ref']} : présentée à l'entreprise"
    return {
        "referent/confirmation": {
            "results": [{"line": f"R{v['n']} {v['title']}", "done": [done],
                         "refused": [f"R{v['hours']} : déjà {v['town']}"], "why": None},
                        {"line": v["person"], "done": [], "refused": [], "why": v["name"]}],
            "done": 1, "not_done": v["n"], "refused": None, "sender": v["mail"],
            "original_subject": v["title"], "received_at": received,
        },
        "referent/forward": {
            "who": {"name": v["person"], "address": v["mail"], "partner": None,
                    "company": v["name"]},
            "subject": v["title"], "received_at": received,
            "answered": {"role": v["town"], "subject": v["ref"]},
            "offer": {"ref": v["ref"], "title": v["title"], "status": "open",
                      "company_name": v["name"]},
            "note": None,
        },
    }


def _offer_lifecycle_contexts(v: dict, company: dict) -> dict:
    """Samples of the incomplete-offer request and the update notice (mailbot.handlers.offer_reply)."""
    received = datetime.fromisoformat(v["date"]).replace(tzinfo=UTC)
    needed = ["Date de recrutement souhaitée", "Adresse e-mail ou Téléphone"]
    # the example line differs between the two samples: its words are never an anchor, so a
    # company answering with the same label and a value of its own is still read
    example = f"Lieu de travail : {v['town']}" if v["n"] == 2 else f"Nombre de postes : {v['n']}"
    return {
        "company/incomplete": {"company": company, "offers": [{**_offer(v), "needed": needed}],
                               "example": example, "review": False,
                               "original_subject": v["title"], "received_at": received},
        "company/updated": {"offer": _offer(v), "changes": [("Lieu de travail", v["town"]),
                                                            ("Intitulé du poste", v["title"])],
                            "needed": needed, "example": example, "state": "incomplete",
                            "original_subject": v["title"], "received_at": received},
    }


def _report_contexts(v: dict, person: dict) -> dict:
    """Samples of the scheduled reports (mailbot.reports.digest, partner_weekly)."""
    name = f"{person['first_name']} {person['last_name']}"
    offer = {"ref": v["ref"], "title": v["title"], "company": v["name"]}
    candidate = {"id": v["n"], "name": name, "partner": v["partner"], "publics": [v["town"]],
                 "notes": [v["title"]]}
    counts = {"new_offers": 2, "complete": 1, "incomplete": 1, "to_review": 1, "referrals": 1,
              "awaiting": 1, "stale": 1, "upcoming": 1, "forms_out": 1, "messages": 2, "held": 1,
              "failed": 1, "labels": 1}
    email = {"id": v["n"], "to": v["mail"], "subject": v["title"], "queued": v["date"],
             "error": v["town"]}
    view = {"first_name": person["first_name"], "last_name": person["last_name"],
            "status": "hired", "state": "retenue", "reason": None, "comment": v["town"],
            "comment_withheld": False, "received": v["date"], "changed_on": v["date"],
            "new": True, "contract": {"type": "CDD", "start": v["date"], "end": None,
                                      "duration": f"{v['n']} mois", "weekly_hours": v["hours"]}}
    group = {"offer": {"ref": v["ref"], "title": v["title"], "company_name": v["name"]},
             "candidates": [view, {**view, "status": "new", "state": "nouvelle", "new": False,
                                   "contract": None, "comment": None, "comment_withheld": True}]}
    return {
        "referent/digest": {
            "day": v["date"], "since": v["date"], "empty": False, "counts": counts,
            "decision_wait_days": v["n"], "stale_days": v["hours"], "upcoming_days": 7,
            "new_offers": [{**offer, "complete": True, "state": "ouverte", "missing": []},
                           {**offer, "complete": False, "state": "incomplète",
                            "missing": [v["title"]]}],
            "to_review": [{**offer, "received": v["date"]}],
            "referrals": [{"offer": offer, "candidates": [candidate]},
                          {"offer": None, "candidates": [candidate]}],
            "awaiting": [{**candidate, "offer": offer, "since": v["date"], "days": v["hours"]}],
            "stale": [{**offer, "since": v["date"], "days": v["hours"]}],
            "upcoming": [{**offer, "date": v["date"], "days": v["n"], "positions": v["n"],
                          "hired": 1, "state": "ouverte"}],
            "forms_out": [{"company": v["name"], "market": v["town"], "sent": v["date"],
                           "reminded": v["date"]}],
            "messages": [{"id": v["n"], "from": v["mail"], "subject": v["title"],
                          "quarantined": True, "reason": v["town"], "received": v["date"]},
                         {"id": v["hours"], "from": v["mail"], "subject": v["title"],
                          "quarantined": False, "reason": v["town"], "received": v["date"]}],
            "held": [email], "failed": [email],
            "labels": [{"wording": v["title"], "count": v["n"]}],
        },
        "partner/weekly": {
            "partner": {"name": v["partner"], "kind": "ML"}, "since": v["date"],
            "until": v["date"], "counts": {"changed": 2, "pending": 2, "new": 1},
            "changed": [group], "pending": [group],
        },
    }


def _summary_contexts(v: dict) -> dict:
    """A sample of the facilitateur's weekly summary (mailbot.reports.summary)."""
    from mailbot.reports.summary import sample_context

    return {"facilitateur/summary": sample_context(v)}
