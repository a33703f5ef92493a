"""Labels above their answers inside table cells, answers typed under quoted questions with no
quote header, a company block written as one run-on paragraph, the title given twice, through the
real `mailbot parse FILE --json`.

Classes seen in forms written by other people (corpus M): a DOCX table whose every cell holds
'Nom de l'entreprise' over 'Logistique BTP Antilles'; a reply that keeps only 'De :' and 'Objet :'
of the agency's e-mail and types each answer under its '>' question; 'Entreprise : Tri-Val
Recyclage – Votre numéro SIRET ? : 859 … – Adresse de' wrapped onto 'l'établissement : 15 rue …';
'POSTE 2 : Agent de logistique' followed by 'Appellation : Agent de logistique'.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
from tests.helpers.table_builders import Table, docx_tables


def _parse(tmp_path: Path, name: str, data: bytes) -> dict:
    path = tmp_path / name
    path.write_bytes(data)
    done = subprocess.run(
        [sys.executable, "-m", "mailbot", "parse", str(path), "--json"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _mail(body: str) -> bytes:
    headers = {"From": "Élodie Caron <elodie.caron@trival.example>", "Subject": "RE: Clause sociale"}
    return message(headers, text_part(body))


def test_docx_cells_holding_label_over_answer(tmp_path: Path) -> None:
    company = Table([
        ["Nom de l'entreprise\nLogistique BTP Antilles (LBA)", "SIRET\n732 829 320 000 74"],
        ["Adresse\nRue Ferdinand Forest, 97122 Baie-Mahault", "Nom du contact\nMme Stéphanie Lacroix"],
        ["Tél\nNéant", "Adresse électronique\ns.lacroix@lba.example"],
    ])  # fmt: skip
    job = Table([
        ["Poste proposé\nAgent de logistique de chantier", "Effectif recherché\n1 personne"],
        ["Date de début souhaitée\njeu. 27/05/27",
         "Activités principales du poste\n• Réception des livraisons\n• Nettoyage de la base vie"],
        ["Expérience\nExpérience en logistique appréciée", "Diplôme requis\nCACES R489 cat. 3 souhaité"],
        ["Forme du contrat\nContrat à durée déterminée", "Durée du contrat\n4 mois"],
    ])  # fmt: skip
    data = docx_tables(["FICHE DE LIAISON ENTREPRISE", company, "POSTE 1", job])
    form = _parse(tmp_path, "cellules.docx", data)["forms"][0]
    assert form["company"]["legal_name"] == "Logistique BTP Antilles (LBA)"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["email"] == "s.lacroix@lba.example"
    assert form["company"]["phone"] is None
    assert form["job"]["title"] == "Agent de logistique de chantier"
    assert form["job"]["recruitment_date"] == "2027-05-27"
    assert form["job"]["main_activities"] == "Réception des livraisons Nettoyage de la base vie"
    assert form["job"]["experience"] == "Expérience en logistique appréciée"
    assert (form["conditions"]["contract_type"], form["conditions"]["contract_duration"]) == ("CDD", "4 mois")


def test_docx_label_wrapped_in_its_cell_is_not_split(tmp_path: Path) -> None:
    """'Nombre de postes' / 'à pourvoir' in one cell is one label, its answer beside it."""
    table = Table([
        ["Raison sociale", "Menuiserie Val-d'Oise"], ["SIRET", "732 829 320 000 74"],
        ["Intitulé du poste", "Menuisier poseur"], ["Nombre de postes\nà pourvoir", "2"],
        ["Activités principales\ndu poste", "Pose de menuiseries"], ["Type de contrat", "CDI"],
    ])  # fmt: skip
    form = _parse(tmp_path, "enveloppe.docx", docx_tables([table]))["forms"][0]
    assert form["job"]["positions"] == 2
    assert form["job"]["main_activities"] == "Pose de menuiseries"


UNDER_QUESTIONS = """Bonjour,

Vous trouverez mes réponses sous chacune de vos questions.

Cordialement,
Fatoumata KEITA

De : Référente clauses sociales <clauses.idf@exemple-emploi.fr>
Objet : Clause sociale : vos besoins de recrutement

Bonjour, afin de diffuser votre offre, merci de répondre aux questions suivantes :

> 1) Quelle est la raison sociale de votre entreprise ?
Restauration Collective du Val-de-Marne SAS

> 2) Pouvez-vous nous indiquer votre numéro SIRET ?
732 829 320 000 74

> 3) Qui est la personne à contacter pour ce recrutement ?
Mme Fatoumata KEITA

> 4) À quel numéro peut-on la joindre ?
01 46 70 33 21

> 5) Quel est l'intitulé du poste ?
Agent de propreté et d'hygiène

> 6) Combien de postes sont à pourvoir ?
2 personnes

> 7) À quelle date souhaitez-vous recruter ?
09/06/2027

> 8) Quel type de contrat proposez-vous ?
CDI

> 9) Quel sera le lieu de travail ?
Ivry-sur-Seine
"""


def test_answers_under_quoted_questions_without_a_quote_header(tmp_path: Path) -> None:
    got = _parse(tmp_path, "sous_questions.eml", _mail(UNDER_QUESTIONS))
    assert got["kind"] == "liaison_form"
    form = got["forms"][0]
    assert form["company"]["legal_name"] == "Restauration Collective du Val-de-Marne SAS"
    assert form["job"]["title"] == "Agent de propreté et d'hygiène"
    assert form["job"]["positions"] == 2
    assert form["conditions"]["workplace"] == "Ivry-sur-Seine"


RUN_ON = """Bonjour,

Entreprise : Tri-Val Recyclage – Votre numéro SIRET ? : 732 829 320 000 74 – Adresse de
l'établissement : 15 rue de l'Industrie, 94400 Vitry-sur-Seine
Interlocuteur : Mme Élodie Caron – Téléphone : 01.45.73.66.09 – Adresse mail du contact :
elodie.caron@trival.example

POSTE 1 : Agent de tri
Appellation : Agent de tri
Nbre : 1
Type de contrat : CDI

POSTE 2 : Agent de logistique de chantier
Appellation : Agent de logistique de chantier
Nbre : 2
Type de contrat : CDD de 6 mois

Cordialement
"""


def test_company_block_as_one_paragraph_and_title_given_twice(tmp_path: Path) -> None:
    first, second = _parse(tmp_path, "paragraphe.eml", _mail(RUN_ON))["forms"]
    assert first["company"] == {
        "legal_name": "Tri-Val Recyclage", "siret": "73282932000074",
        "address": "15 rue de l'Industrie, 94400 Vitry-sur-Seine", "contact_name": "Mme Élodie Caron",
        "phone": "+33145736609", "email": "elodie.caron@trival.example",
    }  # fmt: skip
    assert (first["job"]["title"], first["job"]["positions"]) == ("Agent de tri", 1)
    assert (second["job"]["title"], second["job"]["positions"]) == ("Agent de logistique de chantier", 2)
    assert second["conditions"]["contract_duration"] == "6 mois"


NUMBERED = """Bonjour,

1. Entreprise ?
Menuiserie Bourguignonne Dufour & Fils
2. Votre numéro SIRET ?
732 829 320 000 74
3. Interlocuteur
Monsieur Paul DUFOUR (gérant)

Recrutement 1
4. Poste à pourvoir ?
Charpentier bois
5. Effectif recherché
1 personne
6. Missions
Taille et assemblage de charpentes
Levage et pose sur chantier
7. Autres exigences (permis, habilitations…)
Travail en hauteur
C/ Conditions de travail
8. Type de contrat envisagé ?
CDI
9. Lieu d'exécution
Dijon

Cordialement
"""


def test_numbered_questions_whose_answers_look_like_labels(tmp_path: Path) -> None:
    """'1. Entreprise ?' asks for the company's name (not a heading); 'Levage et pose sur
    chantier' under '6. Missions' is an answer's line (the form numbers its labels), not the
    workplace; 'C/ Conditions de travail' is a heading."""
    form = _parse(tmp_path, "numerote.eml", _mail(NUMBERED))["forms"][0]
    assert form["company"]["legal_name"] == "Menuiserie Bourguignonne Dufour & Fils"
    assert form["job"]["main_activities"] == "Taille et assemblage de charpentes Levage et pose sur chantier"
    assert form["job"]["special_requirements"] == "Travail en hauteur"
    assert form["conditions"]["workplace"] == "Dijon"


DOTTED = """Bonjour,

Raison sociale ............ Toitures Champenoises SARL
N° SIRET ............ 732 829 320 000 74
Fonction ............ Charpentier bois
Effectif recherché ............ un
Activités principales du poste ............
Taille et assemblage de charpentes
Levage et pose sur chantier
Compétences requises ............ Géométrie
Type de contrat ............ CDI

Cordialement
"""


def test_dotted_leaders_with_a_word_answer_and_a_list(tmp_path: Path) -> None:
    form = _parse(tmp_path, "pointilles.eml", _mail(DOTTED))["forms"][0]
    assert form["job"]["positions"] == 1  # 'un' is an answer, not a word of the label
    assert form["job"]["main_activities"] == "Taille et assemblage de charpentes Levage et pose sur chantier"
    assert form["conditions"]["workplace"] is None


def test_stacked_table_answer_with_figures_under_its_label(tmp_path: Path) -> None:
    """A one-column table of label rows above answer rows: 'Horaires de nuit (21h-5h)' under
    'Particularités du poste' is its answer, though 'Horaires' begins a label."""
    rows = [["Société"], ["Mâcon Nettoyage Industriel"], ["SIRET (14 chiffres)"], ["73282932000074"],
            ["Métier"], ["Agent de propreté industrielle"], ["Particularités du poste"],
            ["Horaires de nuit (21h-5h)"], ["Quel contrat proposez-vous ?"], ["CDI"]]
    form = _parse(tmp_path, "empile.docx", docx_tables([Table(rows, widths=[400.0])]))["forms"][0]
    assert form["job"]["special_requirements"] == "Horaires de nuit (21h-5h)"
    assert form["conditions"]["contract_type"] == "CDI"


EM_DASH = """Bonjour,

RAISON SOCIALE — Accueil & Services Limougeauds SARL
N° DE SIRET DE L'ÉTABLISSEMENT — 732 829 320 000 74
INTITULÉ DE L'EMPLOI — Agent d'accueil
EFFECTIF RECHERCHÉ — 5
Lieu(x) de travail ................ Dépôt : Route de Clermont, 19200 Ussel
Type et durée du contrat : CDD / 9 mois

Cordialement
"""


def test_em_dash_labels_colons_inside_answers_and_contract_in_the_duration(tmp_path: Path) -> None:
    """'RAISON SOCIALE — X': an em dash after a label is its colon; 'Dépôt : …' after a dotted
    leader is the answer, colon and all; 'CDD / 9 mois' under a label naming the duration gives
    the contract type and the duration."""
    form = _parse(tmp_path, "tirets.eml", _mail(EM_DASH))["forms"][0]
    assert form["company"]["legal_name"] == "Accueil & Services Limougeauds SARL"
    assert (form["job"]["title"], form["job"]["positions"]) == ("Agent d'accueil", 5)
    assert form["conditions"]["workplace"] == "Dépôt : Route de Clermont, 19200 Ussel"
    conditions = form["conditions"]
    assert (conditions["contract_type"], conditions["contract_duration"]) == ("CDD", "9 mois")


def test_conditions_in_columns_of_a_second_table_go_to_their_jobs(tmp_path: Path) -> None:
    jobs = Table([["", "Poste 1", "Poste 2"], ["Métier", "Ouvrier polyvalent", "Peintre en bâtiment"],
                  ["Postes à pourvoir", "quatre", "1 poste"],
                  ["Date de recrutement", "22/02/2027", "04/04/27"]],
                 widths=[150.0, 150.0, 150.0])  # fmt: skip
    conditions = Table([["", "Poste 1", "Poste 2"], ["Type de contrat proposé", "CDD", "Contrat pro"],
                        ["Durée", "12 mois", "24 mois"], ["Lieu d'exécution", "Châteauroux", "Déols"]],
                       widths=[150.0, 150.0, 150.0])  # fmt: skip
    company = Table([["Nom de l'entreprise", "Rénov'Écoles Centre SAS"], ["N° SIRET", "73282932000074"]])
    got = _parse(tmp_path, "colonnes.docx", docx_tables([company, "Profil", jobs, "Conditions", conditions]))
    first, second = got["forms"]
    assert (first["job"]["title"], first["conditions"]["contract_type"]) == ("Ouvrier polyvalent", "CDD")
    assert second["job"]["title"] == "Peintre en bâtiment"
    assert second["conditions"]["contract_type"] == "CONTRAT_PRO"
    assert (first["conditions"]["workplace"], second["conditions"]["workplace"]) == ("Châteauroux", "Déols")


DATE_WORDING = """Bonjour,

Raison sociale : Anjou Isolation Confort EURL
N° SIRET : 732 829 320 000 74
Intitulé du poste : Solier
Date prévue d'embauche : Lundi 12 avril 2027
Type de contrat : CDI

Fait à Trélazé, le 08/01/2027
"""


def test_a_date_label_that_names_the_hiring_is_no_signature_date(tmp_path: Path) -> None:
    """'Date prévue d'embauche' begins like the signature's 'Date', but its meaning words name
    the start date."""
    form = _parse(tmp_path, "date.eml", _mail(DATE_WORDING))["forms"][0]
    assert form["job"]["recruitment_date"] == "2027-04-12"
