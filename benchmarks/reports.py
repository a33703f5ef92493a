"""The scheduled reports on a big database: 10,000 offers, 100,000 referrals and their audit rows.

Builds the data with bulk inserts on SQLite (a temp file) and on a throwaway PostgreSQL cluster
(like tests/harness/postgres.py), then times, each a few times (best and median printed):
- the référent's daily digest (mailbot.reports.digest.write_digest: collected, rendered, queued);
- the partners' weekly feedback for every partner (mailbot.reports.partner_weekly.write_weekly)
  and the full feedback of every partner (mailbot.domain.notices.queue_full_feedback_all);
- the facilitateur's summary (figures, chart, XLSX, email queued: mailbot.reports.summary).
Targets on SQLite: digest <= 1 s, summary <= 3 s. It also counts the SQL statements each report
runs (SQLAlchemy "before_cursor_execute") with 1,000 and 10,000 offers: the count must not grow
with the data (no query per row). Usage:

    .venv/bin/python benchmarks/reports.py [--offers 10000] [--per-offer 10] [--runs 3]
                                           [--no-postgres] [--only REPORT ...]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import event, insert
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from mailbot.config import load_config  # noqa: E402
from mailbot.db import make_engine, migrate  # noqa: E402
from mailbot.domain.models import (  # noqa: E402
    AuditEvent,
    Candidate,
    Company,
    Lot,
    Market,
    Offer,
    Partner,
    Referral,
)
from mailbot.outbox.compose import Composer  # noqa: E402

NOW = datetime(2027, 10, 4, 7, 0, tzinfo=UTC)  # a Monday, 9:00 in Paris
PARTNERS = 12
STATUSES = (["new"] * 40 + ["under_review"] * 10 + ["presented"] * 15 + ["hired"] * 15
            + ["not_hired"] * 15 + ["on_hold"] * 5)
CONTRACTS = ["CDD", "CDD", "CDI", "CONTRAT_PRO", "INTERIM", "CDDI", "APPRENTISSAGE"]
PUBLICS = ["rsa", "deld", "rqth", "young", "qpv", "siae"]
TARGETS = {"digest": 1.0, "summary": 3.0}  # seconds, best run, SQLite, --offers


def _batches(engine, model, rows: list[dict], size: int = 5000) -> None:
    with engine.begin() as conn:
        for start in range(0, len(rows), size):
            conn.execute(insert(model), rows[start:start + size])


def build(url: str, offers: int, per_offer: int, seed: int = 7) -> None:
    """Migrate `url` and fill it: markets, lots, companies, partners, offers, candidates,
    referrals (status mix of STATUSES; hires with contracts) and one audit row per decision."""
    rng = random.Random(seed)
    engine = make_engine(url)
    migrate(engine)
    created = NOW - timedelta(days=90)
    n_markets, n_lots, n_companies = 20, 60, 300
    _batches(engine, Market, [{"id": i + 1, "reference": f"2027-BEN-{i + 1:03d}",
                               "name": f"Marché de travaux n° {i + 1}", "buyer": "Amiens Métropole",
                               "match_key": f"ben{i + 1}", "created_at": created,
                               "updated_at": created} for i in range(n_markets)])
    _batches(engine, Company, [{"id": i + 1, "legal_name": f"Entreprise {i + 1} BTP",
                                "siret": None, "created_at": created} for i in range(n_companies)])
    _batches(engine, Lot, [{"id": i + 1, "market_id": i % n_markets + 1, "number": str(i // n_markets + 1),
                            "label": f"Lot {i + 1}", "company_id": i + 1,
                            "insertion_hours": 500 + 50 * (i % 20),
                            "start_date": date(2027, 1 + i % 6, 1),
                            "end_date": date(2028, 1 + i % 12, 28), "created_at": created,
                            "updated_at": created} for i in range(n_lots)])
    _batches(engine, Partner, [{"id": i + 1, "name": f"Partenaire {i + 1}", "kind": "ML",
                                "emails": [f"p{i + 1}@partenaire.example"], "domains": [],
                                "active": True} for i in range(PARTNERS)])
    lot_of = [rng.randint(1, n_lots) if rng.random() < 0.9 else None for _ in range(offers)]

    def company(lot: int | None) -> int:
        """The lot's winner mostly, else one of the lot's three subcontractors."""
        if lot is None:
            return rng.randint(1, n_companies)
        return lot if rng.random() < 0.8 else n_lots + (lot * 3 + rng.randint(0, 2)) % (
            n_companies - n_lots) + 1

    _batches(engine, Offer, [{
        "id": i + 1, "ref": f"CS-2027-{i + 1:05d}", "company_id": company(lot_of[i]),
        "status": "open", "title": f"Poste {i % 50}", "positions": rng.randint(1, 4),
        "recruitment_date": (NOW + timedelta(days=rng.randint(-200, 30))).date(),
        "contract_type": rng.choice(CONTRACTS), "contract_duration": "6 mois", "weekly_hours": 35.0,
        "missing": [], "problems": [], "created_at": created + timedelta(minutes=i),
        "published_at": created + timedelta(minutes=i), "version": 1,
        "lot_id": lot_of[i],
        "contact_address": f"rh{i % n_companies}@entreprise.example",
    } for i in range(offers)])
    n_candidates = max(offers * per_offer * 6 // 10, per_offer * 2)
    _batches(engine, Candidate, [{"id": i + 1, "first_name": f"Prénom{i}", "last_name": f"Nom{i}",
                                  "email": f"c{i}@exemple.org", "created_at": created}
                                 for i in range(n_candidates)])
    referrals, audit = [], []
    rid = 0
    for offer in range(1, offers + 1):
        for candidate in rng.sample(range(1, n_candidates + 1), per_offer):
            rid += 1
            status = rng.choice(STATUSES)
            at = NOW - timedelta(days=rng.randint(0, 80), minutes=rng.randint(0, 1000))
            row = {"id": rid, "offer_id": offer, "candidate_id": candidate,
                   "partner_id": rng.randint(1, PARTNERS), "status": status,
                   "sender": f"p{rid % PARTNERS + 1}@partenaire.example",
                   "eligibility": rng.sample(PUBLICS, rng.randint(0, 2)), "flagged": False,
                   "created_at": at, "decided_at": None}
            if status != "new":
                decided = at + timedelta(days=rng.randint(0, 5))
                row["decided_at"] = decided
                if status == "not_hired":
                    row["refusal_reason"] = "position_filled"
                    if rng.random() < 0.5:
                        audit.append(_event(decided - timedelta(hours=1), "present", offer, rid,
                                            candidate, "new", "presented"))
                if status == "hired":
                    start = date(2027, 1, 1) + timedelta(days=rng.randint(0, 300))
                    row.update(contract_type=rng.choice(CONTRACTS), contract_start=start,
                               weekly_hours=rng.choice([24.0, 35.0]))
                    if rng.random() < 0.5:
                        row["contract_duration"] = rng.choice(["6 mois", "12 semaines", "1 an"])
                    else:
                        row["contract_end"] = start + timedelta(days=rng.randint(30, 400))
                audit.append(_event(decided, {"under_review": "review", "presented": "present",
                                              "hired": "hire", "not_hired": "reject",
                                              "on_hold": "hold"}[status], offer, rid, candidate,
                                    "new", status))
            referrals.append(row)
    for row in referrals:  # Core executemany needs the same keys in every row
        for key in ("refusal_reason", "contract_type", "contract_start", "contract_end",
                    "contract_duration", "weekly_hours"):
            row.setdefault(key, None)
    _batches(engine, Referral, referrals)
    _batches(engine, AuditEvent, audit)
    engine.dispose()


def _event(at: datetime, action: str, offer: int, referral: int, candidate: int, before: str,
           after: str) -> dict:
    return {"at": at, "actor": "referent", "channel": "cli", "action": action, "offer_id": offer,
            "referral_id": referral, "candidate_id": candidate, "from_state": before,
            "to_state": after, "details": {}}


def _config(directory: Path, url: str):
    partners = "".join(f'\n[[partners]]\nname = "Partenaire {i + 1}"\nemails = '
                       f'["p{i + 1}@partenaire.example"]\n' for i in range(PARTNERS))
    path = directory / "config.toml"
    path.write_text(f"""
[database]
url = "{url}"
[smtp]
host = "127.0.0.1"
from_address = "clauses.amiens@exemple-emploi.fr"
[people]
referent = "referente@exemple-emploi.fr"
facilitateur = "facilitatrice@exemple-metropole.fr"
{partners}""", encoding="utf-8")
    return load_config(path)


class Counter:
    """SQL statements run on an engine (SQLAlchemy before_cursor_execute)."""

    def __init__(self, engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_args) -> None:
        self.count += 1


def measure(url: str, workdir: Path, runs: int,
            only: set[str] | None = None) -> dict[str, tuple[list[float], int]]:
    """Each report's times over `runs` runs and its SQL statement count (the last run); `only`:
    the reports whose name holds one of these words (all when None)."""
    from mailbot import fingerprints
    from mailbot.domain import notices
    from mailbot.reports.digest import write_digest
    from mailbot.reports.partner_weekly import write_weekly
    from mailbot.reports.summary import queue_summary

    config = _config(workdir, url)
    composer = Composer(from_address=config.smtp.from_address, from_name="Clause sociale")
    composer.static_hashes()  # the templates' anchors, computed once per process as in the daemon
    engine = make_engine(url)
    counter = Counter(engine)
    out: dict[str, tuple[list[float], int]] = {}

    def timed(name: str, job: Callable[[int], object]) -> None:
        if only and not any(word in name for word in only):
            return
        times = []
        for run in range(runs):
            fingerprints._WRITTEN.clear()  # each run writes its fingerprints as a new process would
            counter.count = 0
            started = time.perf_counter()
            job(run)
            times.append(time.perf_counter() - started)
        out[name] = (times, counter.count)

    timed("digest", lambda run: write_digest(engine, composer, config, due=NOW, now=NOW,
                                             period_key=f"bench-{run}"))

    def summary(_run: int) -> None:
        with Session(engine) as session:
            queue_summary(session, composer, config, now=NOW)
            session.rollback()  # nothing kept: the next run writes it again

    timed("summary", summary)
    timed("partner weekly (all)", lambda run: write_weekly(
        engine, composer, config, due=NOW + timedelta(weeks=run + 1), now=NOW))

    def full_feedback(_run: int) -> None:
        with Session(engine) as session:
            notices.queue_full_feedback_all(session, composer, config,
                                            list(session.exec(select(Partner).order_by(Partner.id))))
            session.rollback()

    timed("full feedback (all)", full_feedback)
    engine.dispose()
    return out


def _print(label: str, results: dict[str, tuple[list[float], int]]) -> None:
    print(f"\n{label}")
    print(f"  {'report':<24} {'best':>8} {'median':>8} {'SQL statements':>15}")
    for name, (times, count) in results.items():
        print(f"  {name:<24} {min(times):>7.2f}s {statistics.median(times):>7.2f}s {count:>15}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=10000)
    parser.add_argument("--per-offer", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--only", action="append", metavar="WORD",
                        help="Time only the reports whose name holds WORD (repeatable: digest, "
                        "summary, weekly, feedback); default: all of them.")
    args = parser.parse_args()
    only = set(args.only) if args.only else None
    ZoneInfo("Europe/Paris")
    with tempfile.TemporaryDirectory(prefix="mailbot-bench-reports-") as tmp:
        work = Path(tmp)
        counts: dict[int, dict[str, int]] = {}
        for offers in sorted({1000, args.offers}):
            url = f"sqlite:///{work / f'reports-{offers}.db'}"
            started = time.perf_counter()
            build(url, offers, args.per_offer)
            built = time.perf_counter() - started
            results = measure(url, work, args.runs, only)
            _print(f"SQLite, {offers:,} offers, {offers * args.per_offer:,} referrals "
                   f"(built in {built:.1f}s)", results)
            counts[offers] = {name: count for name, (_t, count) in results.items()}
            if offers == args.offers:
                for name, target in TARGETS.items():
                    if name in results:
                        best = min(results[name][0])
                        print(f"  target {name} <= {target:.0f} s on SQLite: {best:.2f} s, "
                              + ("met" if best <= target else "NOT MET"))
        if not args.no_postgres:
            from tests.harness.postgres import PostgresCluster

            cluster = PostgresCluster(work / "pg").start()
            try:
                url = cluster.create_database("bench_reports")
                started = time.perf_counter()
                build(url, args.offers, args.per_offer)
                built = time.perf_counter() - started
                _print(f"PostgreSQL, {args.offers:,} offers, {args.offers * args.per_offer:,} "
                       f"referrals (built in {built:.1f}s)", measure(url, work, args.runs, only))
            finally:
                cluster.stop()
        print("\nSQL statements per report, 1,000 vs "
              f"{args.offers:,} offers (the same: no query per row):")
        for name in counts[1000]:
            print(f"  {name:<24} {counts[1000][name]:>6} {counts[args.offers][name]:>6}")
        sqlite = measure_targets(counts)
        print(sqlite)


def measure_targets(counts: dict[int, dict[str, int]]) -> str:
    """One line: does any report's statement count grow with the data?"""
    small, big = counts[min(counts)], counts[max(counts)]
    grew = [name for name in small if big[name] > small[name]]
    return "statement counts grow for: " + ", ".join(grew) if grew else \
        "statement counts: constant for every report"


if __name__ == "__main__":
    main()
