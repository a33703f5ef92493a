"""`[paths] rules_dir`: the référent's edited copy of rules/ wins; one added line teaches a label."""

from mailbot.parse.forms import parse_forms_in_text
from mailbot.resources import rule_file, rules_dir, use_rules_dir

FORM = """Blaze de la boîte : Charpentes du Ponthieu
SIRET : 876 726 993 00044
Intitulé du poste : Charpentier
Nombre de postes : 2
Type de contrat : CDD
Durée du contrat : 6 mois
Lieu de travail : Abbeville
"""


def test_a_one_line_synonym_in_the_configured_copy_is_used(tmp_path):
    shipped = (rules_dir() / "labels.toml").read_text(encoding="utf-8")
    edited = shipped.replace('legal_name = [\n', 'legal_name = [\n  "Blaze de la boîte",\n', 1)
    assert edited != shipped
    (tmp_path / "labels.toml").write_text(edited, encoding="utf-8")

    before = parse_forms_in_text(FORM)
    assert not before or before[0]["company"]["legal_name"] is None
    try:
        use_rules_dir(tmp_path)
        assert rule_file("labels.toml") == tmp_path / "labels.toml"
        assert rule_file("classify.toml") == rules_dir() / "classify.toml"  # not copied: shipped
        forms = parse_forms_in_text(FORM)
        assert forms[0]["company"]["legal_name"] == "Charpentes du Ponthieu"
    finally:
        use_rules_dir(None)
    assert rule_file("labels.toml") == rules_dir() / "labels.toml"
