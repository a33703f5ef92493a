"""Small label and answer shapes: a known word only in parentheses, acronyms written with dots."""

from mailbot.parse.forms import parse_forms_in_text

FORM = """Raison sociale : Menuiserie Vasseur SARL
N° d'immatriculation (SIRET) : 732 829 320 00074
Adresse : 12 rue des Forges 80000 Amiens
Interlocuteur : Mme Vasseur
Téléphone : 06 12 34 56 78
Courriel : rh@vasseur.example
Intitulé du poste : Menuisier poseur
Nombre de postes : 1
Nature du contrat : {contract}
Durée hebdomadaire : 35 h
"""


def test_a_label_known_only_by_its_parenthesis():
    (form,) = parse_forms_in_text(FORM.format(contract="CDI"))
    assert form["company"]["siret"] == "73282932000074"


def test_acronyms_with_dots():
    (form,) = parse_forms_in_text(FORM.format(contract="C.D.I."))
    assert form["conditions"]["contract_type"] == "CDI"
    assert form["conditions"]["contract_duration"] is None
    (form,) = parse_forms_in_text(FORM.format(contract="C.D.D. de 6 mois"))
    assert (form["conditions"]["contract_type"], form["conditions"]["contract_duration"]) == ("CDD", "6 mois")
