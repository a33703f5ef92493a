"""Third-party corpora through mailbot's parser (tests/fixtures/realworld/, see each SOURCE.md):
sisimai's delivery reports (sisimai's own classification is the denominator), auto-replies,
ARF/DMARC reports, and blank French CERFA forms (as files and attached to emails).

    .venv/bin/python benchmarks/realworld.py            # the full set
    .venv/bin/python benchmarks/realworld.py --every 3  # every third email (what a quick run uses)

Prints the figures; exits 1 when a target is missed (≥ 98 % of sisimai's bounces as `bounce`,
no liaison form, CV or referral claimed on any file).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.parse import parse_file  # noqa: E402
from mailbot.parse.email import parse_email  # noqa: E402

__all__ = ["CLAIMS", "REALWORLD", "Figures", "run"]

REALWORLD = ROOT / "tests" / "fixtures" / "realworld"
CLAIMS = ("liaison_form", "partner_referral", "cv")  # what mailbot must never claim here
BOUNCE_TARGET = 0.98


@dataclass
class Tally:
    """How many files of one group came out as wanted, and the others (file, kind, rule)."""

    want: str
    total: int = 0
    ok: int = 0
    misses: list[tuple[str, str, str | None]] = field(default_factory=list)

    def add(self, name: str, result: dict, ok: bool) -> None:
        self.total += 1
        if ok:
            self.ok += 1
        else:
            self.misses.append((name, str(result.get("kind")), result.get("rule")))

    @property
    def share(self) -> float:
        return self.ok / self.total if self.total else 1.0

    def line(self, label: str) -> str:
        return f"{label:<44} {self.ok:>4}/{self.total:<4} {100 * self.share:6.1f} %  ({self.want})"


@dataclass
class Figures:
    """Every group's tally, the claims found, and the time taken."""

    groups: dict[str, Tally] = field(default_factory=dict)
    claims: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def group(self, name: str, want: str) -> Tally:
        return self.groups.setdefault(name, Tally(want))

    @property
    def bounce_share(self) -> float:
        return self.groups["sisimai bsd: bounced"].share

    @property
    def passed(self) -> bool:
        return self.bounce_share >= BOUNCE_TARGET and not self.claims

    def report(self) -> str:
        lines = [tally.line(name) for name, tally in self.groups.items()]
        lines.append(f"{'claims (liaison form, CV, referral)':<44} {len(self.claims):>4}")
        for name, kind in self.claims:
            lines.append(f"    claimed: {name}: {kind}")
        for name, tally in self.groups.items():
            for file, kind, rule in tally.misses[:40]:
                lines.append(f"    miss [{name}] {file}: {kind} ({rule})")
        lines.append(f"time: {self.seconds:.1f} s")
        lines.append(f"targets: bounce share ≥ {100 * BOUNCE_TARGET:.0f} %, no claims: "
                     + ("met" if self.passed else "MISSED"))
        return "\n".join(lines)


def _claim(figures: Figures, name: str, result: dict) -> None:
    if result.get("kind") in CLAIMS or result.get("forms") or result.get("candidates"):
        figures.claims.append((name, str(result.get("kind"))))


def _email(figures: Figures, path: Path) -> dict:
    result = parse_email(path.read_bytes())
    _claim(figures, str(path.relative_to(REALWORLD)), result)
    return result


def _automated_unknown(result: dict) -> bool:
    return result.get("kind") == "unknown" and bool(result.get("auto"))


_SISIMAI_WANT = {
    "bounced": ("bounce", lambda r: r.get("kind") == "bounce"),
    "delivered": ("bounce (a delivery report)", lambda r: r.get("kind") == "bounce"),
    "feedback": ("unknown, auto", _automated_unknown),
    "vacation": ("auto_reply", lambda r: r.get("kind") == "auto_reply"),
    "not_bounce": ("anything but a claim", lambda r: True),
}


def _sisimai(figures: Figures, every: int) -> None:
    folder = REALWORLD / "sisimai"
    expected = json.loads((folder / "expected.json").read_text(encoding="utf-8"))
    for index, (name, entry) in enumerate(sorted(expected.items())):
        cls = entry["class"]
        if every > 1 and index % every and cls == "bounced":
            continue  # a quick run keeps every rarer class whole
        want, ok = _SISIMAI_WANT[cls]
        group = "sisimai bsd" if name.startswith("bsd/") else "sisimai not"
        result = _email(figures, folder / name)
        figures.group(f"{group}: {cls}", want).add(name, result, ok(result))


def _auto_replies(figures: Figures) -> None:
    for path in sorted((REALWORLD / "bounceparser" / "autoreply").glob("*.msg")):
        result = _email(figures, path)
        figures.group("BounceParser auto-replies: auto_reply", "auto_reply").add(
            path.name, result, result.get("kind") == "auto_reply")
        figures.group("BounceParser auto-replies: automated", "auto_reply or bounce, auto").add(
            path.name, result, result.get("kind") in ("auto_reply", "bounce")
            and bool(result.get("auto")))


def _reports(figures: Figures) -> None:
    for path in sorted((REALWORLD / "parsedmarc").glob("*.eml")):
        result = _email(figures, path)
        figures.group("parsedmarc DMARC/ARF/TLS reports", "unknown, auto").add(
            path.name, result, _automated_unknown(result))


def _attached(pdf: Path, subject: str) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Secrétariat <secretariat@mairie.example.fr>"
    msg["To"] = "clauses@agence.example.fr"
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{pdf.stem}.{len(subject)}@mairie.example.fr>"
    msg.set_content("Bonjour,\n\nVeuillez trouver le document ci-joint.\n\nCordialement")
    msg.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf", filename=pdf.name)
    return msg.as_bytes()


def _cerfas(figures: Figures) -> None:
    for pdf in sorted((REALWORLD / "cerfa").glob("*/*.pdf")):
        name = str(pdf.relative_to(REALWORLD))
        result = parse_file(pdf)
        _claim(figures, name, result)
        figures.group("CERFA PDFs (mailbot parse FILE)", "no claim").add(
            name, result, result.get("kind") not in CLAIMS and not result.get("forms"))
        for subject in ("Document", "Formulaire de recrutement"):
            attached = parse_email(_attached(pdf, subject))
            _claim(figures, f"{name} in an email «{subject}»", attached)
            figures.group("CERFA PDFs attached to an email", "no claim").add(
                f"{name} «{subject}»", attached, attached.get("kind") not in CLAIMS)


def run(every: int = 1) -> Figures:
    """Every group, `every`-th file of sisimai's bounces only (1: all)."""
    started = time.perf_counter()
    figures = Figures()
    _sisimai(figures, every)
    _auto_replies(figures)
    _reports(figures)
    _cerfas(figures)
    figures.seconds = time.perf_counter() - started
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--every", type=int, default=1, help="every Nth bounce (default: all)")
    args = parser.parse_args()
    figures = run(max(1, args.every))
    print(figures.report())
    return 0 if figures.passed else 1


if __name__ == "__main__":
    sys.exit(main())
