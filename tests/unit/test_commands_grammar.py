"""The référent's email commands: which lines are read, and what each line says."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.commands import (
    CLOSE,
    Command,
    NotUnderstood,
    command_lines,
    has_command_line,
    looks_like_command,
    parse_line,
    parse_lines,
)
from mailbot.domain.states import Action, RefusalReason


def command(line: str) -> Command:
    parsed = parse_line(line)
    assert isinstance(parsed, Command), parsed
    return parsed


def refused(line: str) -> str:
    parsed = parse_line(line)
    assert isinstance(parsed, NotUnderstood), parsed
    assert parsed.line == line
    return parsed.why


# -- the lines of the issue, exactly as written ------------------------------------------------

def test_the_issue_lines_work_exactly_as_written() -> None:
    assert command("R12 présenté") == Command("R12 présenté", Action.PRESENT.value, (12,))
    hire = command("R13 retenu CDD 2027-02-01 35h")
    assert (hire.action, hire.referrals, hire.contract_type, hire.start, hire.weekly_hours,
            hire.end, hire.duration) == ("hire", (13,), "CDD", date(2027, 2, 1), 35.0, None, None)
    reject = command("R14 non retenu motif: poste pourvu")
    assert (reject.action, reject.referrals, reject.reason, reject.comment) == (
        "reject", (14,), RefusalReason.POSITION_FILLED, None)
    assert command("R15 en attente").action == Action.HOLD.value
    assert command("R16 à l'étude").action == Action.REVIEW.value
    assert command("R17 annuler").action == Action.UNDO.value
    close = command("CS-2027-0004 clore")
    assert (close.action, close.offers, close.referrals) == (CLOSE, ("CS-2027-0004",), ())


# -- tolerance ---------------------------------------------------------------------------------

@pytest.mark.parametrize("line", [
    "R12 présentée", "R12 présentés", "R12 présentées", "r12 PRÉSENTÉ", "R12 presente", "R 12 présenté",
    "R12 : présentée", "R12 - présentée", "- R12 présentée", "• R12 présentée", "R12 présentée.",
    "R12 présentée à l'entreprise", "R12\u00a0présentée",
])
def test_present_tolerates_forms_accents_and_punctuation(line: str) -> None:
    assert (command(line).action, command(line).referrals) == ("present", (12,))


@pytest.mark.parametrize(("line", "action"), [
    ("R3 retenue", "hire"), ("R3 retenus", "hire"), ("R3 Retenues", "hire"), ("R3 embauché", "hire"),
    ("R3 Non retenue motif: autre", "reject"), ("R3 non retenus motif: autre", "reject"),
    ("R3 pas retenue motif: autre", "reject"), ("R3 refusé motif: autre", "reject"),
    ("R3 A L'ETUDE", "review"), ("R3 à l’étude", "review"), ("R3 a l'etude", "review"),
    ("R3 en attente", "hold"), ("R3 mise en attente", "hold"), ("R3 annulé", "undo"),
    ("R3 annulation", "undo"), ("cs-2027-0004 Clôturer", "close"), ("CS 2027-0004 clos", "close"),
    ("CS–2027–0004 clore", "close"),
])
def test_verbs_tolerate_gender_number_and_capitals(line: str, action: str) -> None:
    assert command(line).action == action


@pytest.mark.parametrize("line", ["R12 R13 présentés", "R12, R13 présentés", "R12 et R13 présentés",
                                  "R12 ; R13 présentées", "R12/R13 présentés", "R12 R13 R12 présentés"])
def test_several_ids_on_one_line(line: str) -> None:
    assert command(line).referrals == (12, 13)


def test_several_offers_close_together() -> None:
    assert command("CS-2027-0004, CS-2027-0005 clore").offers == ("CS-2027-0004", "CS-2027-0005")


# -- hires -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "expected"), [
    ("R1 retenu", (None, None, None, None, None)),
    ("R1 retenu 35h CDI 01/02/2027", ("CDI", date(2027, 2, 1), None, None, 35.0)),
    ("R1 retenu 01/02/2027 CDD 6 mois 24h", ("CDD", date(2027, 2, 1), None, "6 mois", 24.0)),
    ("R1 retenu CDD du 01/02/2027 au 31/07/2027", ("CDD", date(2027, 2, 1), date(2027, 7, 31), None,
                                                   None)),
    ("R1 retenu CDD 2027-02-01 2027-07-31 17h30", ("CDD", date(2027, 2, 1), date(2027, 7, 31), None,
                                                   17.5)),
    ("R1 retenu CDD fin 31/07/2027", ("CDD", None, date(2027, 7, 31), None, None)),
    ("R1 retenue en CDDI à partir du 1/3/2027, 26 heures par semaine",
     ("CDDI", date(2027, 3, 1), None, None, 26.0)),
    ("R1 retenu intérim 2 semaines", ("INTERIM", None, None, "2 semaines", None)),
    ("R1 retenu contrat de professionnalisation 12 mois",
     ("CONTRAT_PRO", None, None, "12 mois", None)),
    ("R1 retenu alternance 7,5h", ("APPRENTISSAGE", None, None, None, 7.5)),
    ("R1 retenu 20 h/semaine", (None, None, None, None, 20.0)),
])
def test_hire_terms_in_any_order(line: str, expected: tuple) -> None:
    hire = command(line)
    assert hire.action == "hire"
    assert (hire.contract_type, hire.start, hire.end, hire.duration, hire.weekly_hours) == expected


@pytest.mark.parametrize(("line", "words"), [
    ("R1 retenu 2027-02-30", "invalide"),
    ("R1 retenu 31/02/2027", "invalide"),
    ("R1 retenu 2027-03-01 2027-02-01", "précède"),
    ("R1 retenu 2027-03-01 au 2027-09-01 6 mois", "pas les deux"),
    ("R1 retenu CDD CDI", "deux types"),
    ("R1 retenu 35h 20h", "deux nombres"),
    ("R1 retenu 90h", "heures"),
    ("R1 retenu demain", "« demain » non compris"),
    ("R1 retenu 2027-01-01 2027-02-01 2027-03-01", "trop de dates"),
])
def test_bad_hire_terms_say_why(line: str, words: str) -> None:
    assert words in refused(line)


# -- rejections --------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "reason"), [
    ("absent à l'entretien", RefusalReason.ABSENT_INTERVIEW),
    ("absente", RefusalReason.ABSENT_INTERVIEW),
    ("ne s'est pas présentée", RefusalReason.ABSENT_INTERVIEW),
    ("embauché ailleurs", RefusalReason.HIRED_ELSEWHERE),
    ("embauchée ailleurs", RefusalReason.HIRED_ELSEWHERE),
    ("a trouvé un emploi", RefusalReason.HIRED_ELSEWHERE),
    ("compétences insuffisantes", RefusalReason.INSUFFICIENT_SKILLS),
    ("Compétence insuffisante", RefusalReason.INSUFFICIENT_SKILLS),
    ("competance insufisantes", RefusalReason.INSUFFICIENT_SKILLS),
    ("candidat non intéressé", RefusalReason.NOT_INTERESTED),
    ("candidate non intéressée", RefusalReason.NOT_INTERESTED),
    ("pas intéressé", RefusalReason.NOT_INTERESTED),
    ("poste pourvu", RefusalReason.POSITION_FILLED),
    ("Postes pourvus", RefusalReason.POSITION_FILLED),
    ("non mobile", RefusalReason.NOT_MOBILE),
    ("pas mobile", RefusalReason.NOT_MOBILE),
    ("autre", RefusalReason.OTHER),
    ("position_filled", RefusalReason.POSITION_FILLED),
])
def test_every_refusal_reason_in_french(text: str, reason: RefusalReason) -> None:
    assert command(f"R9 non retenu motif: {text}").reason is reason
    assert command(f"R9 non retenue {text}").reason is reason  # "motif:" may be left out
    assert command(f"R9 non retenue, motif : {text}").reason is reason


def test_every_french_word_of_the_reasons_is_understood() -> None:
    for reason in RefusalReason:
        assert command(f"R9 non retenu motif: {reason.french}").reason is reason


def test_rejection_comment_and_words_after_the_reason() -> None:
    line = "R14 non retenue motif: compétences insuffisantes commentaire: à revoir en juin"
    reject = command(line)
    assert (reject.reason, reject.comment) == (RefusalReason.INSUFFICIENT_SKILLS, "à revoir en juin")
    other = command("R14 non retenu motif: autre, a déménagé à Lille")
    assert (other.reason, other.comment) == (RefusalReason.OTHER, "a déménagé à Lille")
    both = command("R14 non retenu motif: autre (santé) commentaire: voir avec la ML")
    assert both.comment == "santé ; voir avec la ML"


@pytest.mark.parametrize(("line", "words"), [
    ("R14 non retenu", "motif manquant"),
    ("R14 non retenu motif:", "motif manquant"),
    ("R14 non retenu motif: trop grand", "motif « trop grand » inconnu"),
    ("R14 présenté motif: poste pourvu", "motif ne s'applique"),
])
def test_bad_reasons_say_why(line: str, words: str) -> None:
    why = refused(line)
    assert words in why
    if "motif manquant" in why or "inconnu" in why:
        assert "poste pourvu" in why and "absent à l'entretien" in why  # the list is given


# -- comments on any verb ------------------------------------------------------------------------

def test_comment_on_other_verbs_keeps_its_wording() -> None:
    assert command("R12 présentée commentaire: CV mis à jour").comment == "CV mis à jour"
    assert command("R12 R13 en attente Commentaire : besoin de mars").comment == "besoin de mars"
    assert command("CS-2027-0004 clore commentaire: chantier reporté").comment == "chantier reporté"
    assert command("R12 retenu CDD commentaire: 35h, à confirmer").weekly_hours is None


# -- not understood ------------------------------------------------------------------------------

@pytest.mark.parametrize(("line", "words"), [
    ("merci de rappeler l'entreprise", "commence par le numéro"),
    ("Présenter R12", "commence par le numéro"),
    ("R12", "action manquante"),
    ("R12 convoqué", "action « convoqué » inconnue"),
    ("R12 présenté R13 retenu", "une seule action par ligne"),
    ("R12 présentée demain", "« demain » non compris"),
    ("R12 CS-2027-0004 clore", "pas les deux"),
    ("CS-2027-0004 présentée", "ne peut que se clore"),
    ("R12 clore", "seule une offre se clôt"),
])
def test_not_understood_lines_say_why_in_french(line: str, words: str) -> None:
    assert words in refused(line)


def test_parse_lines_keeps_order_and_splits_the_two_kinds() -> None:
    sheet = parse_lines(["R1 présenté", "bla", "", "R2 en attente"])
    assert [type(i).__name__ for i in sheet.items] == ["Command", "NotUnderstood", "Command"]
    assert [c.referrals for c in sheet.commands] == [(1,), (2,)]
    assert [n.line for n in sheet.not_understood] == ["bla"]


# -- which lines are read ------------------------------------------------------------------------

def test_lines_skip_greetings_and_stop_at_the_closing() -> None:
    text = ("Bonjour,\n\nR12 présenté\n\nmerci de rappeler l'entreprise\nR13 retenu\n\n"
            "Cordialement,\nClaire\nR14 annuler\n")
    assert command_lines(text, "Claire Duhamel") == [
        "R12 présenté", "merci de rappeler l'entreprise", "R13 retenu"]


@pytest.mark.parametrize("closing", ["-- ", "--", "Cordialement", "Bien cordialement,", "Bien à vous",
                                     "Merci", "Merci !", "Merci d'avance.", "Merci beaucoup, Claire",
                                     "Bonne journée", "Envoyé de mon iPhone", "Claire Duhamel"])
def test_lines_after_a_signature_or_closing_are_not_read(closing: str) -> None:
    text = f"Bonjour Claire,\nR12 présenté\n{closing}\nR13 retenu\n06 12 34 56 78"
    assert command_lines(text, "Claire Duhamel") == ["R12 présenté"]


def test_quoted_text_is_never_read() -> None:
    text = ("R12 présenté\n\nLe lun. 4 janv. 2027 à 10:00, mailbot <c@x.fr> a écrit :\n"
            "> R13 retenu\n> R14 annuler\n")
    assert command_lines(text) == ["R12 présenté"]
    assert command_lines("R12 présenté\n> R13 retenu") == ["R12 présenté"]


def test_command_shape() -> None:
    for line in ("R12 présenté", "r 12 xyz", "CS-2027-0004 clore", "R1, R2 : ok", "- R3 annuler"):
        assert looks_like_command(line), line
    for line in ("Bonjour", "R12", "R12 (Jean, CS-2027-0004)", "« R12 présenté »",
                 "Regarde R12 présenté", "R2D2 est là", "CS-2027 clore", "12 présenté"):
        assert not looks_like_command(line), line
    assert has_command_line("Bonjour,\nR12 présenté\nCordialement")
    assert not has_command_line("Bonjour,\nMerci pour votre retour.\nCordialement")
    assert not has_command_line("Bonjour,\n> R12 présenté")
