"""Routing (rules/routing.toml): loading and its errors, places read from addresses, kind /
territory / job family matching, rule order, default, reasons, OfferRouting rows."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from mailbot.db import make_engine, migrate
from mailbot.domain.models import Company, Offer, OfferRouting, Partner
from mailbot.errors import ConfigError
from mailbot.resources import rule_file, rules_dir, use_rules_dir
from mailbot.routing import (
    check_partners,
    load_routing,
    parse_routing,
    read_place,
    record_routing,
    route,
    route_offer,
)
from mailbot.routing.places import mentions

ML = SimpleNamespace(id=1, name="Mission Locale du Grand Amiénois", kind="ML")
SIAE = SimpleNamespace(id=2, name="Chantier École Somme", kind="SIAE")
CAP = SimpleNamespace(id=3, name="Cap Emploi 80", kind="CAP_EMPLOI")
PLIE = SimpleNamespace(id=4, name="PLIE du Grand Amiénois", kind="PLIE")
PARTNERS = [ML, SIAE, CAP, PLIE]

RULES = """
default = ["PLIE"]

[families.BTP]
rome = ["F"]
words = ["maçon*", "coffreur", "électricien", "bâtiment", "travaux publics"]

[families."Espaces verts"]
rome = ["A1203"]
words = ["paysagiste"]

[territories.Somme]
postcodes = ["80"]
communes = ["Amiens", "métropole amiénoise"]

[[rules]]
name = "BTP Somme"
family = "BTP"
territory = "Somme"
send_to = ["SIAE", "Mission Locale du Grand Amiénois"]

[[rules]]
name = "Espaces verts Abbeville"
family = "Espaces verts"
communes = ["Abbeville"]
postcodes = ["80100"]
send_to = "all"

[[rules]]
name = "Oise"
postcodes = ["60"]
send_to = "none"
"""


def offer(title: str | None = "Maçon", workplace: str | None = None, activities: str | None = None):
    return SimpleNamespace(title=title, workplace=workplace, main_activities=activities)


def company(address: str | None = None):
    return SimpleNamespace(address=address)


def who(routed) -> list[str]:
    return [r.partner.name for r in routed if r.included]


@pytest.fixture
def rules():
    return parse_routing(RULES, "/etc/mailbot/rules/routing.toml")


# -- places ------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "postcode", "dept", "commune"), [
    ("80 000", "80000", "80", None),
    ("80000 Amiens", "80000", "80", "Amiens"),
    ("80 000 AMIENS", "80000", "80", "AMIENS"),
    ("Amiens (80)", None, "80", "Amiens"),
    ("ZI Nord, Amiens (80000)", "80000", "80", "Amiens"),
    ("2 rue du 8 Mai 1945, 80480 DURY", "80480", "80", "DURY"),
    ("80026 Amiens Cedex 1", "80026", "80", "Amiens"),
    ("F-80480 Dury", "80480", "80", "Dury"),
    ("137 rue de Verdun ZAC de la Croix de Fer 80100 ABBEVILLE", "80100", "80", "ABBEVILLE"),
    ("20090 Ajaccio", "20090", "2A", "Ajaccio"),
    ("Bastia (2B)", None, "2B", "Bastia"),
    ("97400 Saint-Denis", "97400", "974", "Saint-Denis"),
])
def test_postcodes_and_departements_are_read_as_companies_write_them(text, postcode, dept, commune):
    place = read_place(text)
    assert (place.postcode, place.departement, place.commune) == (postcode, dept, commune)


@pytest.mark.parametrize("text", [
    "Divers sites de la métropole amiénoise", "Tél. 03 22 00 00 00", "SIRET 876 726 993 00044",
    "rue du 8 Mai 1945", "", None,
])
def test_texts_without_a_postcode_give_no_place(text):
    assert not read_place(text)


def test_commune_names_are_whole_words_whatever_accents_case_and_saint():
    assert mentions("ZI Nord, AMIENS", "Amiens")
    assert mentions("Zone d'activités, St-Quentin", "Saint Quentin")
    assert mentions("Divers sites de la Métropole Amiénoise", "métropole amiénoise")
    assert not mentions("Divers sites de la métropole amiénoise", "Amiens")
    assert not mentions("Amiens-Nord", "Nord Pas")


# -- matching ----------------------------------------------------------------------------
def test_btp_in_the_somme_goes_to_the_siae_and_the_mission_locale_only(rules):
    routed = route(offer("Coffreur", "12 rue des Jacobins 80000 Amiens"), company(), PARTNERS, rules)
    assert who(routed) == [ML.name, SIAE.name]
    reasons = {r.partner.name: r.reason for r in routed}
    assert reasons[SIAE.name] == ("rule 'BTP Somme': kind SIAE; job family BTP (title word "
                                  "'coffreur'), territory Somme (workplace postcode 80000 Amiens)")
    assert reasons[ML.name].startswith("rule 'BTP Somme': named; ")
    assert reasons[CAP.name].startswith(
        "rule 'BTP Somme': not in send_to (SIAE, Mission Locale du Grand Amiénois); job family BTP")
    assert [r.partner for r in routed] == PARTNERS  # every partner answered, in order


def test_title_words_plural_prefix_accents_and_case(rules):
    somme = "80000 Amiens"
    assert who(route(offer("MAÇONS", somme), None, PARTNERS, rules)) == [ML.name, SIAE.name]
    assert who(route(offer("Chef d'équipe maçonnerie", somme), None, PARTNERS, rules)) == [
        ML.name, SIAE.name]
    assert who(route(offer("Electricien du batiment", somme), None, PARTNERS, rules)) == [
        ML.name, SIAE.name]
    assert who(route(offer("Agent de travaux publics", somme), None, PARTNERS, rules)) == [
        ML.name, SIAE.name]
    # "coffreur" is a whole word: a "coffre-fort" repairer is not BTP; "bâtiments" (plural) is
    assert who(route(offer("Réparateur de coffres-forts", somme), None, PARTNERS, rules)) == [
        PLIE.name]


def test_a_rome_code_on_the_form_names_the_family(rules):
    routed = route(offer("Ouvrier qualifié", "80000 Amiens", "Code ROME F1703 : maçonnerie"),
                   None, PARTNERS, rules)
    assert who(routed) == [ML.name, SIAE.name]
    assert "job family BTP (ROME F1703)" in routed[0].reason


def test_the_workplace_wins_over_the_company_address(rules):
    lille = route(offer("Maçon", "Chantier de Lille (59)"), company("80000 Amiens"), PARTNERS, rules)
    assert who(lille) == [PLIE.name]
    assert lille[3].reason == "no rule matched, default: kind PLIE"


def test_no_place_in_the_workplace_then_the_company_address(rules):
    routed = route(offer("Maçon", "Sur les chantiers du client"), company("5 rue X, 80440 Boves"),
                   PARTNERS, rules)
    assert who(routed) == [ML.name, SIAE.name]
    assert "territory Somme (company address postcode 80440 Boves)" in routed[0].reason


def test_a_commune_alone_matches_when_the_territory_lists_it(rules):
    routed = route(offer("Maçon", "ZI Nord, Amiens"), company("59000 Lille"), PARTNERS, rules)
    assert who(routed) == [ML.name, SIAE.name]
    assert "territory Somme (workplace names Amiens)" in routed[0].reason
    vague = route(offer("Maçon", "Divers sites de la métropole amiénoise"), company("59000 Lille"),
                  PARTNERS, rules)
    assert who(vague) == [ML.name, SIAE.name]
    unknown = route(offer("Maçon", "ZI Nord, Doullens"), company(None), PARTNERS, rules)
    assert who(unknown) == [PLIE.name]  # Doullens is listed nowhere and has no postcode


def test_a_departement_in_brackets_matches_a_postcode_prefix(rules):
    assert who(route(offer("Maçon", "Amiens (80)"), None, PARTNERS, rules)) == [ML.name, SIAE.name]


def test_rules_apply_in_order_first_match_decides_all_and_none(rules):
    paysagiste = route(offer("Ouvrier paysagiste", "Abbeville"), None, PARTNERS, rules)
    assert who(paysagiste) == [p.name for p in PARTNERS]
    assert paysagiste[0].reason.startswith(
        "rule 'Espaces verts Abbeville': every partner; job family Espaces verts")
    assert "workplace names Abbeville" in paysagiste[0].reason
    oise = route(offer("Cuisinier", "60000 Beauvais"), None, PARTNERS, rules)
    assert who(oise) == []
    assert oise[0].reason == "rule 'Oise': sends to nobody; workplace postcode 60000 Beauvais"


def test_the_shipped_file_sends_every_offer_to_every_partner():
    shipped = load_routing(rules_dir() / "routing.toml")
    assert shipped.rules == () and shipped.default == "all"
    assert "BTP" in shipped.families  # the vocabulary ships, for rules to use
    routed = route(offer("Maçon", "80000 Amiens"), None, PARTNERS, shipped)
    assert who(routed) == [p.name for p in PARTNERS]
    assert routed[0].reason == "no rule matched, default: every partner"


def test_the_commented_example_of_the_shipped_file_works_once_uncommented():
    text = (rules_dir() / "routing.toml").read_text(encoding="utf-8")
    start = text.index("# [[rules]]\n# name = \"BTP dans la Somme\"")
    example = "\n".join(line.removeprefix("# ") for line in text[start:].splitlines()[:5])
    rules = parse_routing(text + "\n" + example)
    check_partners(rules, PARTNERS)
    routed = route(offer("Coffreur-bancheur", "Divers sites de la métropole amiénoise"),
                   company("139 bis rue Gaston Vasseur 80440 Boves"), PARTNERS, rules)
    assert who(routed) == [ML.name, SIAE.name]


# -- loading and errors ------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ('[[rules]]\nname = "A"\nfamily = "BTP"\nsend_to = "all"',
     "rule 'A': family 'BTP' is not defined under [families]"),
    ('[[rules]]\nname = "A"\nterritory = "Oise"\nsend_to = "all"',
     "rule 'A': territory 'Oise' is not defined under [territories]"),
    ('[[rules]]\nname = "A"\nfamilly = "BTP"\nsend_to = "all"', "rule 'A': unknown key 'familly'"),
    ('[[rules]]\nname = "A"\npostcodes = ["80"]', "rule 'A': send_to is missing"),
    ('[[rules]]\npostcodes = ["80"]\nsend_to = "all"', "rule 1: give it a name"),
    ('[[rules]]\nname = "A"\npostcodes = ["Somme"]\nsend_to = "all"',
     "rule 'A': 'SOMME' is not a postcode"),
    ('[[rules]]\nname = "A"\nsend_to = 3', "rule 'A': send_to must be a text or a list"),
    ('[[rules]]\nname = "A"\nsend_to = "all"\n[[rules]]\nname = "A"\nsend_to = "all"',
     "rule 'A': two rules have this name"),
    ('[families.BTP]\nrome = ["X12"]', "family 'BTP': 'X12' is not a ROME code"),
    ('[families.BTP]\nlabel = "x"', "family 'BTP': give rome codes or words"),
    ('[territories.Somme]\ncommune = ["Amiens"]', "territory 'Somme': must be a table"),
    ('[rule]\nname = "A"', "unknown key 'rule'"),
    ('[[rules]\nname = "A"', "not valid TOML"),
])
def test_a_bad_file_is_refused_naming_the_file_and_the_rule(text, message):
    with pytest.raises(ConfigError) as caught:
        parse_routing(text, "/etc/mailbot/rules/routing.toml")
    assert str(caught.value).startswith("/etc/mailbot/rules/routing.toml: ")
    assert message in str(caught.value)


def test_a_name_that_is_no_partner_nor_kind_is_refused(rules):
    check_partners(rules, PARTNERS)  # names and kinds of configured partners: fine
    check_partners(parse_routing('default = ["EPIDE"]'), PARTNERS)  # a standard kind: fine
    typo = parse_routing('[[rules]]\nname = "BTP"\npostcodes = ["80"]\nsend_to = ["Mision Locale"]',
                         "routing.toml")
    with pytest.raises(ConfigError, match=r"routing.toml: rule 'BTP': 'Mision Locale' is neither "
                                          r"a partner's name nor a kind"):
        check_partners(typo, PARTNERS)


def test_the_referents_copy_in_rules_dir_is_used_and_reread_when_it_changes(tmp_path):
    (tmp_path / "routing.toml").write_text(RULES, encoding="utf-8")
    try:
        use_rules_dir(tmp_path)
        assert rule_file("routing.toml") == tmp_path / "routing.toml"
        assert [r.name for r in load_routing().rules][0] == "BTP Somme"
        (tmp_path / "routing.toml").write_text('default = "none"\n', encoding="utf-8")
        import os
        os.utime(tmp_path / "routing.toml", (1, 1))  # another mtime: re-read
        assert load_routing().rules == () and load_routing().default == ()
        (tmp_path / "routing.toml").write_text('[[rules]]\nname = "x"\n', encoding="utf-8")
        os.utime(tmp_path / "routing.toml", (2, 2))
        with pytest.raises(ConfigError, match=str(tmp_path / "routing.toml") + ": rule 'x'"):
            load_routing()
    finally:
        use_rules_dir(None)


# -- recording ---------------------------------------------------------------------------
def test_routing_is_recorded_once_per_partner_and_updated_when_routed_again(tmp_path, rules):
    engine = make_engine(f"sqlite:///{tmp_path / 'r.db'}")
    migrate(engine)
    with Session(engine) as session:
        partners = [Partner(name=p.name, kind=p.kind, emails=[f"p{p.id}@example.fr"])
                    for p in PARTNERS]
        firm = Company(legal_name="Bâti Somme", address="3 rue Y 80090 Amiens")
        session.add_all([*partners, firm])
        session.flush()
        job = Offer(ref="CS-2027-0001", company_id=firm.id, title="Coffreur", workplace=None)
        session.add(job)
        session.flush()
        got = route_offer(session, job, partners, rules)
        assert [p.name for p in got] == [ML.name, SIAE.name]
        job.title = "Cuisinier"  # revised: no longer BTP, default PLIE
        record_routing(session, job, route(job, firm, partners, rules))
        session.commit()
        rows = session.exec(select(OfferRouting).order_by(OfferRouting.partner_id)).all()
        assert [(r.included, r.reason.split(":")[0]) for r in rows] == [
            (False, "no rule matched, default"), (False, "no rule matched, default"),
            (False, "no rule matched, default"), (True, "no rule matched, default")]
        assert all(r.offer_id == job.id for r in rows) and len(rows) == 4
