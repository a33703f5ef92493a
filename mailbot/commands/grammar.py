"""The référent's email commands, one per line, read into `Command`s (or `NotUnderstood`).

    R12 présenté                         R12 R13 présentés / R12, R13 présentées
    R13 retenu CDD 2027-02-01 35h        (contract, start, end or duration, hours: any order)
    R14 non retenu motif: poste pourvu   (a reason of the fixed list)
    R15 en attente    R16 à l'étude    R17 annuler    CS-2027-0004 clore    CS-2027-0004 publier
    … commentaire: free text             (on any line)

Accents, capitals, feminine and plural forms are tolerated. A pure function: the handler
applies the commands through mailbot.domain.services.Decisions.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import date

from mailbot.commands.lines import ID_RUN, fold, strip_bullet
from mailbot.domain.states import Action, RefusalReason

__all__ = ["ACTIONS_HELP", "CLOSE", "OFFER_ACTIONS", "PUBLISH", "REASONS_HELP", "Command",
           "NotUnderstood", "Sheet", "parse_line", "parse_lines"]

CLOSE = "close"  # an offer's commands (the referral actions are mailbot.domain.states.Action)
PUBLISH = "publish"
OFFER_ACTIONS = (CLOSE, PUBLISH)


@dataclass(frozen=True)
class Command:
    """One understood line: an action on referrals (or `close` on offers) and its details."""

    line: str
    action: str  # an Action value, or CLOSE
    referrals: tuple[int, ...] = ()
    offers: tuple[str, ...] = ()
    reason: RefusalReason | None = None
    comment: str | None = None
    contract_type: str | None = None
    start: date | None = None
    end: date | None = None
    duration: str | None = None
    weekly_hours: float | None = None


@dataclass(frozen=True)
class NotUnderstood:
    """A line that is no command, and why (in French: the référent reads it)."""

    line: str
    why: str


@dataclass(frozen=True)
class Sheet:
    """Every line of one email, understood or not, in order."""

    items: tuple[Command | NotUnderstood, ...] = field(default_factory=tuple)

    @property
    def commands(self) -> list[Command]:
        return [i for i in self.items if isinstance(i, Command)]

    @property
    def not_understood(self) -> list[NotUnderstood]:
        return [i for i in self.items if isinstance(i, NotUnderstood)]


_END = r"(?=$|[\s,.;:!?)])"
_FEM_PL = r"(?:e|es|s)?"
# Verbs, tried in this order (folded text): "non retenu" before "retenu".
_VERBS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"^(?:non|pas)[ -]retenu{_FEM_PL}{_END}|^refuse{_FEM_PL}{_END}|"
                rf"^ecarte{_FEM_PL}{_END}|^reject{_END}"), Action.REJECT.value),
    (re.compile(rf"^retenu{_FEM_PL}{_END}|^embauche{_FEM_PL}{_END}|^recrute{_FEM_PL}{_END}|"
                rf"^hire{_END}"), Action.HIRE.value),
    (re.compile(rf"^presente{_FEM_PL}{_END}|^presenter{_END}|^present{_END}"),
     Action.PRESENT.value),
    (re.compile(rf"^(?:a|en) ?l' ?etude{_END}|^a letude{_END}|^(?:en cours d')?etude{_END}|"
                rf"^a etudier{_END}|^review{_END}"), Action.REVIEW.value),
    (re.compile(rf"^(?:mis{_FEM_PL} )?en attente{_END}|^en suspens{_END}|^hold{_END}"),
     Action.HOLD.value),
    (re.compile(rf"^annule(?:r|e|es|s)?{_END}|^annulation{_END}|^defaire{_END}|^undo{_END}"),
     Action.UNDO.value),
    (re.compile(rf"^clore{_END}|^clos(?:e|es)?{_END}|^clotur(?:e|er|ee|ees){_END}|"
                rf"^ferme(?:r|e|ee)?{_END}|^close{_END}"), CLOSE),
    (re.compile(rf"^publi(?:er|e|ee|ez)?{_END}|^diffuse(?:r|e|ee|z)?{_END}|^valide(?:r|e|ee|z)?"
                rf"(?: et diffuse(?:r|e|ee)?)?{_END}|^publish{_END}"), PUBLISH),
]
_DONE_WORDS = {
    Action.PRESENT.value: "présentée", Action.HIRE.value: "retenue",
    Action.REJECT.value: "non retenue", Action.REVIEW.value: "à l'étude",
    Action.HOLD.value: "en attente", Action.UNDO.value: "annuler", CLOSE: "clore",
    PUBLISH: "publier",
}
ACTIONS_HELP = ("actions possibles : présentée, retenue, non retenue (avec un motif), en attente, "
                "à l'étude, annuler ; pour une offre : clore, publier")
_START_HELP = ("une commande commence par le numéro d'une candidature (R12) ou la référence "
               "d'une offre (CS-2027-0004), suivi de l'action")
_HIRE_HELP = ("après « retenu » : type de contrat (CDI, CDD, CDDI, intérim…), date de début, date "
              "de fin ou durée (6 mois), heures par semaine (35h), dans n'importe quel ordre")
# What may follow an action without meaning anything ("R12 présentée à l'entreprise").
_FILLER = re.compile(r"^(?:(?:a|par|aupres de|pour) l'? ?(?:entreprise|employeur|societe)|"
                     r"ce jour|aujourd'hui|merci|svp|stp)$")

_COMMENT = re.compile(r"\b(?:commentaires?|remarques?|comment)\s*:", re.I)
_REASON_KEY = re.compile(r"\b(?:motif|raison)\s*:?", re.I)

_REASONS: list[tuple[re.Pattern[str], RefusalReason]] = [
    (re.compile(r"^(?:absent|absente|absents|absentes)(?:\s+(?:a|au|de|lors de|a l')\s*"
                r"(?:l' ?)?entretiens?)?|^ne s'est pas presente(?:e)?(?: a l' ?entretien)?|"
                r"^absent_interview"), RefusalReason.ABSENT_INTERVIEW),
    (re.compile(r"^(?:embauche|recrute|engage|pris|parti)(?:e|s|es)? ailleurs|"
                r"^a trouve (?:un )?(?:emploi|travail|poste)(?: ailleurs)?|^ailleurs|"
                r"^hired_elsewhere"), RefusalReason.HIRED_ELSEWHERE),
    (re.compile(r"^competences? (?:insuffisantes?|pas suffisantes?)|^niveau insuffisant|"
                r"^manque de competences?|^insufficient_skills"),
     RefusalReason.INSUFFICIENT_SKILLS),
    (re.compile(r"^(?:candidat(?:e|s|es)? )?(?:non|pas|plus) interesse(?:e|s|es)?|"
                r"^desinteresse(?:e|s|es)?|^desist\w*|^not_interested"),
     RefusalReason.NOT_INTERESTED),
    (re.compile(r"^(?:le )?postes? (?:deja )?pourvus?|^offre pourvue|^pourvu(?:e|s|es)?|"
                r"^position_filled"), RefusalReason.POSITION_FILLED),
    (re.compile(r"^(?:candidat(?:e|s|es)? )?(?:non|pas) mobiles?|^mobilite(?: insuffisante)?|"
                r"^not_mobile"), RefusalReason.NOT_MOBILE),
    (re.compile(r"^autres?|^other"), RefusalReason.OTHER),
]
REASONS_HELP = "motifs possibles : " + ", ".join(r.french for r in RefusalReason)

_CONTRACTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^cddi\b|^cdd d'insertion\b|^cdd insertion\b"), "CDDI"),
    (re.compile(r"^cdd\b"), "CDD"),
    (re.compile(r"^cdi\b(?: de chantier\b)?"), "CDI"),
    (re.compile(r"^(?:mission d')?interim\b|^ctt\b|^travail temporaire\b"), "INTERIM"),
    (re.compile(r"^apprentissage\b|^alternance\b"), "APPRENTISSAGE"),
    (re.compile(r"^contrat (?:de )?pro(?:fessionnalisation)?\b|^professionnalisation\b"),
     "CONTRAT_PRO"),
]
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})\b")
_FR_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})\b")
_HOURS = re.compile(r"^(\d{1,2})(?:[.,](\d{1,2}))?\s*(?:h(\d{2})\b|h\b|heures?\b)"
                    r"(?:\s*(?:/|par)\s*(?:semaine|sem\.?)|\s*hebdo\w*)?")
_DURATION = re.compile(r"^(\d{1,3})\s*(mois|semaines?|jours?|ans?|annees?)\b")
_UNITS = {"mois": "mois", "semaine": "semaine", "jour": "jour", "an": "an", "annee": "année"}
_TO_START = re.compile(r"^(?:du|debut|a partir du|a compter du|a partir de|le|des le|start)\b")
_TO_END = re.compile(r"^(?:au|fin|jusqu'au|jusqu' au|jusqu'a|fin le|end|->|-)(?=\s|$|\d)")
_CONTRACT_WORD = re.compile(r"^(?:en|contrat|type|duree|de|d'|pour|un|une|embauche|horaires?|"
                            r"hebdo\w*|par semaine|debut|fin)\b")


def parse_lines(lines: list[str]) -> Sheet:
    """Every line read: a `Command` or a `NotUnderstood`, in order."""
    return Sheet(tuple(parse_line(line) for line in lines if line and line.strip()))


def parse_line(line: str) -> Command | NotUnderstood:
    """One line as a command, or why it is not one."""
    text = " ".join(strip_bullet(line).split())
    comment = None
    found = _COMMENT.search(text)
    if found:
        comment = text[found.end():].strip() or None
        text = text[:found.start()].rstrip(" ,;-")
    head = fold(text)
    ids = ID_RUN.match(head)
    if not ids:
        return NotUnderstood(line, _START_HELP)
    referrals, offers = _ids(ids.group(0))
    if referrals and offers:
        return NotUnderstood(line, "une ligne porte soit des candidatures (R12), soit une offre "
                                   "(CS-2027-0004), pas les deux")
    rest_folded = head[ids.end():].lstrip(" :=>-")
    rest_original = _original_words(text, rest_folded)
    if not rest_folded:
        return NotUnderstood(line, "action manquante ; " + ACTIONS_HELP)
    action, after = _verb(rest_folded)
    if action is None:
        word = rest_original.split()[0] if rest_original.split() else rest_folded.split()[0]
        return NotUnderstood(line, f"action « {word} » inconnue ; {ACTIONS_HELP}")
    if offers and action not in OFFER_ACTIONS:
        return NotUnderstood(line, f"une offre ne peut que se clore ou se publier (« {offers[0]} "
                                   f"clore », « {offers[0]} publier ») ; les décisions portent sur "
                                   "les candidatures (R12)")
    if referrals and action in OFFER_ACTIONS:
        return NotUnderstood(line, "seule une offre se clôt ou se publie (« CS-2027-0004 clore », "
                                   "« CS-2027-0004 publier ») ; pour une candidature : "
                                   + ACTIONS_HELP)
    base = Command(line=line, action=action, referrals=referrals, offers=offers, comment=comment)
    rest = after.strip(" ,;.:!-")
    if action == Action.REJECT.value:
        return _reject(base, rest, text)
    if _REASON_KEY.search(rest):
        return NotUnderstood(line, "un motif ne s'applique qu'à « non retenu »")
    if action == Action.HIRE.value:
        return _hire(base, rest)
    return _nothing_more(base, rest)


def _ids(run: str) -> tuple[tuple[int, ...], tuple[str, ...]]:
    referrals: list[int] = []
    offers: list[str] = []
    for match in re.finditer(r"r ?(\d{1,9})|cs[ -]?(\d{4})[ -](\d{4,})", run):
        if match.group(1):
            value = int(match.group(1))
            if value not in referrals:
                referrals.append(value)
        else:
            ref = f"CS-{match.group(2)}-{match.group(3)}"
            if ref not in offers:
                offers.append(ref)
    return tuple(referrals), tuple(offers)


def _verb(rest: str) -> tuple[str | None, str]:
    for pattern, action in _VERBS:
        match = pattern.match(rest)
        if match:
            return action, rest[match.end():]
    return None, rest


def _has_id(text: str) -> bool:
    return bool(re.search(r"(?:^|\s)(?:r ?\d+|cs[ -]?\d{4}[ -]\d{4,})\b", text))


def _nothing_more(base: Command, rest: str) -> Command | NotUnderstood:
    if not rest or _FILLER.match(rest):
        return base
    if _has_id(rest):
        return NotUnderstood(base.line, "une seule action par ligne (écrivez « R12 R13 "
                                        "présentés », ou une ligne par action)")
    word = _DONE_WORDS[base.action]
    return NotUnderstood(base.line, f"« {rest} » non compris après « {word} » (pour un "
                                    f"commentaire : « … {word} commentaire: votre texte »)")


def _reject(base: Command, rest: str, text: str) -> Command | NotUnderstood:
    """The reason: after "motif:" or right after the verb; words after it join the comment."""
    key = _REASON_KEY.search(rest)
    if key:
        if rest[:key.start()].strip(" ,;-"):
            return NotUnderstood(base.line, f"« {rest[:key.start()].strip()} » non compris "
                                            "avant le motif")
        reason_text = rest[key.end():].strip(" ,;:-")
    else:
        reason_text = rest
    if _has_id(reason_text):
        return NotUnderstood(base.line, "une seule action par ligne")
    if not reason_text:
        return NotUnderstood(base.line, "motif manquant (« R14 non retenu motif: poste pourvu ») ;"
                                        f" {REASONS_HELP}")
    reason, extra = _reason(reason_text)
    if reason is None:
        shown = _original_words(text, reason_text)
        return NotUnderstood(base.line, f"motif « {shown} » inconnu ; {REASONS_HELP}")
    comment = base.comment
    if extra:
        extra = _original_words(text, extra)
        comment = f"{extra} ; {comment}" if comment else extra
    return Command(**{**base.__dict__, "reason": reason, "comment": comment})


def _reason(text: str) -> tuple[RefusalReason | None, str]:
    """The reason `text` starts with, and what follows it."""
    for pattern, reason in _REASONS:
        match = pattern.match(text)
        if match:
            return reason, text[match.end():].strip(_PUNCT)
    words = text.split()
    french = {fold(r.french): r for r in RefusalReason}
    for size in (3, 2, 1):  # a typo: "competance insufisante"
        if len(words) < size:
            continue
        close = difflib.get_close_matches(" ".join(words[:size]), list(french), n=1, cutoff=0.8)
        if close:
            return french[close[0]], " ".join(words[size:]).strip(_PUNCT)
    return None, text


def _original_words(text: str, folded_tail: str) -> str:
    """The last words of `text` matching `folded_tail`, as the référent wrote them."""
    count = len(folded_tail.split())
    words = text.split()
    if count and count <= len(words):
        tail = " ".join(words[-count:]).strip(_PUNCT)
        if fold(tail).strip(_PUNCT) == folded_tail.strip(_PUNCT):
            return tail
    return folded_tail


_PUNCT = " ,;.:-()!?"


def _hire(base: Command, rest: str) -> Command | NotUnderstood:
    """Contract type, dates, duration and hours, in any order."""
    terms: dict = {}
    dates: list[tuple[date, str | None]] = []  # (date, "start" | "end" | None)
    side: str | None = None
    text = rest
    while text:
        text = text.lstrip(" ,;.")
        if not text:
            break
        for pattern, code in _CONTRACTS:
            match = pattern.match(text)
            if match:
                if "contract_type" in terms and terms["contract_type"] != code:
                    return NotUnderstood(base.line, "deux types de contrat")
                terms["contract_type"] = code
                break
        else:
            match = _ISO.match(text) or _FR_DATE.match(text)
            if match:
                day = _date(match)
                if day is None:
                    return NotUnderstood(base.line, f"date « {match.group(0)} » invalide")
                dates.append((day, side))
                side = None
            elif match := _DURATION.match(text):
                if "duration" in terms:
                    return NotUnderstood(base.line, "deux durées")
                terms["duration"] = _duration(match)
            elif match := _HOURS.match(text):
                hours = float(f"{match.group(1)}.{match.group(2) or 0}")
                if match.group(3):
                    hours = int(match.group(1)) + int(match.group(3)) / 60
                if not 0 < hours <= 60:
                    return NotUnderstood(base.line, f"« {match.group(0)} » : pas un nombre "
                                                    "d'heures par semaine")
                if "weekly_hours" in terms:
                    return NotUnderstood(base.line, "deux nombres d'heures")
                terms["weekly_hours"] = round(hours, 2)
            elif match := _TO_END.match(text):
                side = "end"
            elif match := _TO_START.match(text):
                side = "start"
            elif match := _CONTRACT_WORD.match(text):
                pass
            else:
                if _has_id(" " + text):
                    return NotUnderstood(base.line, "une seule action par ligne")
                word = text.split()[0]
                return NotUnderstood(base.line, f"« {word} » non compris ; {_HIRE_HELP}")
        text = text[match.end():]
    placed = _place_dates(dates)
    if isinstance(placed, str):
        return NotUnderstood(base.line, placed)
    start, end = placed
    if end and terms.get("duration"):
        return NotUnderstood(base.line, "une date de fin ou une durée, pas les deux")
    return Command(**{**base.__dict__, **terms, "start": start, "end": end})


def _place_dates(dates: list[tuple[date, str | None]]) -> tuple[date | None, date | None] | str:
    start = end = None
    for day, side in dates:
        if side == "end" or (side is None and start is not None):
            if end is not None:
                return "trop de dates (une date de début, une date de fin)"
            end = day
        else:
            if start is not None:
                return "deux dates de début"
            start = day
    if start and end and end < start:
        return "la date de fin précède la date de début"
    return start, end


def _date(match: re.Match[str]) -> date | None:
    a, b, c = (int(g) for g in match.groups())
    year, month, day = (a, b, c) if len(match.group(1)) == 4 else (c, b, a)
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _duration(match: re.Match[str]) -> str:
    count = int(match.group(1))
    unit = _UNITS[match.group(2).rstrip("s") if match.group(2) != "mois" else "mois"]
    if count > 1 and unit not in ("mois",):
        unit += "s"
    return f"{count} {unit}"
