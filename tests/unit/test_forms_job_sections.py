"""Jobs and their sections in the shapes other people's forms use, through the real `mailbot
parse FILE --json`.

Classes seen in forms written by other people (corpora M, O and P): a label naming two fields
('Habilitations / diplômes') followed by a label naming one of them ('Conditions particulières');
jobs in columns, then their conditions in a table with no header row, one column per job;
conditions given per job under 'Poste 1' / 'Poste 2' again after the jobs; questions numbered
'Q7 –'; job headings that name the job ('Besoin 1 – PEINTRE EN BÂTIMENT') or count the jobs
('Poste et profil (2/2)'); list lines under 'Missions principales :' that read like a label by
their words; numbered labels giving two wordings ('1. Nom de la société / raison sociale');
a label wrapped after a linking word, in a cell above its answer; and a contract whose type is
explained in brackets before its duration.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
from tests.helpers.table_builders import Table, docx_tables, pdf_tables


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
    headers = {"From": "Thomas Girard <t.girard@mvo.example>", "Subject": "Fiche de liaison"}
    return message(headers, text_part(body))


def test_label_naming_two_fields_gives_way_to_a_clearer_one(tmp_path: Path) -> None:
    """'Habilitations / diplômes' is the training once 'Conditions particulières' follows."""
    table = Table([
        ["Raison sociale", "Paysages du Var SARL"], ["SIRET", "732 829 320 000 74"],
        ["Intitulé du poste", "Ouvrier paysagiste"], ["Nombre de postes", "2"],
        ["Expérience", "Débutant accepté"],
        ["Habilitations / diplômes", "CAPa Travaux paysagers apprécié"],
        ["Conditions particulières", "Travail en extérieur, permis B souhaité"],
        ["Type de contrat", "CDI"],
    ])  # fmt: skip
    form = _parse(tmp_path, "habilitations.docx", docx_tables([table]))["forms"][0]
    assert form["job"]["training"] == "CAPa Travaux paysagers apprécié"
    assert form["job"]["special_requirements"] == "Travail en extérieur, permis B souhaité"


def _job_columns_then_conditions() -> list:
    company = Table([
        ["Employeur", "Étanchéité Corse Toitures SAS"], ["N° SIRET", "732 829 320 000 74"],
        ["Courriel", "contact@etancheite.example"],
    ])  # fmt: skip
    jobs = Table([
        ["", "Poste 1", "Poste 2", "Poste 3"],
        ["Poste à pourvoir", "Étancheur", "Couvreur zingueur", "Plaquiste"],
        ["Nb de postes", "4", "2", "1"],
        ["Démarrage", "05/03/2027", "12/03/2027", "19/03/2027"],
        ["Expérience", "2 ans", "1 an", "Débutant accepté"],
    ], widths=[130.0, 120.0, 120.0, 120.0])  # fmt: skip
    conditions = Table([
        ["Forme du contrat", "CDI", "CDD", "Contrat à durée indéterminée"],
        ["Durée prévue", "/", "6 mois", "/"],
        ["Nombre d'heures par semaine", "35", "20h/semaine", "35 heures"],
        ["Lieu de travail", "Lycée Fesch, Ajaccio", "Lycée Fesch, Ajaccio", "Collège Laetitia, Ajaccio"],
    ], widths=[130.0, 120.0, 120.0, 120.0])  # fmt: skip
    return ["FICHE DE LIAISON", company, "Les postes", jobs, "Conditions", conditions]


def test_conditions_table_without_header_gives_each_job_its_column_docx(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "colonnes.docx", docx_tables(_job_columns_then_conditions()))["forms"]
    assert [f["job"]["title"] for f in forms] == ["Étancheur", "Couvreur zingueur", "Plaquiste"]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CDD", "CDI"]
    assert [f["conditions"]["contract_duration"] for f in forms] == [None, "6 mois", None]
    assert [f["conditions"]["weekly_hours"] for f in forms] == [35, 20, 35]
    assert [f["conditions"]["workplace"] for f in forms] == [
        "Lycée Fesch, Ajaccio", "Lycée Fesch, Ajaccio", "Collège Laetitia, Ajaccio"]


def test_conditions_table_without_header_gives_each_job_its_column_pdf(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "colonnes.pdf", pdf_tables(_job_columns_then_conditions()))["forms"]
    assert [f["job"]["title"] for f in forms] == ["Étancheur", "Couvreur zingueur", "Plaquiste"]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CDD", "CDI"]
    assert [f["conditions"]["workplace"] for f in forms][2] == "Collège Laetitia, Ajaccio"


PER_JOB_CONDITIONS = """Bonjour,

Entreprise : Soleil Azur Énergies SAS
SIRET : 732 829 320 000 74

Poste 1
Métier : Installateur de panneaux photovoltaïques
Nb postes : 3

Poste 2
Métier : Électricien du bâtiment
Nb postes : 1

Conditions proposées

Poste 1
Contrat envisagé et durée : C.D.I.
Temps de travail : 35 heures

Poste 2
Contrat envisagé et durée : CDD de 6 mois
Temps de travail : 28 h

Cordialement
"""


def test_conditions_per_job_under_repeated_job_headings(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "par_poste.eml", _mail(PER_JOB_CONDITIONS))["forms"]
    assert [f["job"]["title"] for f in forms] == [
        "Installateur de panneaux photovoltaïques", "Électricien du bâtiment"]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CDD"]
    assert [f["conditions"]["contract_duration"] for f in forms] == [None, "6 mois"]
    assert [f["conditions"]["weekly_hours"] for f in forms] == [35, 28]


Q_NUMBERED = """FICHE DE LIAISON – BESOIN EN RECRUTEMENT
1. L'ENTREPRISE
Q1 – Employeur : Logistique Portuaire Toulonnaise SAS
Q2 – Votre numéro SIRET ? 732.829.320.00074
Q3 – Adresse de l'entreprise : Port de commerce 83000 Toulon
2. LE POSTE
Q7 – Poste à pourvoir : Cariste portuaire
Q8 – Nb postes : 4
Q9 – Démarrage : le 04/04/2027
3. CONDITIONS D'EMPLOI
Q15 – Contrat envisagé : Travail temporaire (intérim)
Q16 – Durée du contrat : 2 mois renouvelable
Q17 – Temps de travail : 35 heures
"""


def test_questions_numbered_q1(tmp_path: Path) -> None:
    result = _parse(tmp_path, "q_numeros.eml", _mail(Q_NUMBERED))
    assert result["kind"] == "liaison_form"
    form = result["forms"][0]
    assert form["company"]["legal_name"] == "Logistique Portuaire Toulonnaise SAS"
    assert form["company"]["siret"] == "73282932000074"
    assert form["job"]["title"] == "Cariste portuaire"
    assert form["job"]["positions"] == 4
    assert form["conditions"]["contract_type"] == "INTERIM"
    assert form["conditions"]["contract_duration"] == "2 mois renouvelable"


NAMED_JOB_HEADINGS = """Bonjour,

Entreprise : Menuiserie Val-d'Oise Agencement
SIRET : 732 829 320 000 74

Besoin 1 – PEINTRE EN BÂTIMENT
Nombre de postes : 2
Date d'embauche : 01/03/2027
Type de contrat : CDI

Besoin 2 – PLAQUISTE
Nombre de postes : 1
Date d'embauche : 01/04/2027
Type de contrat : CDD

Cordialement
"""


def test_job_heading_naming_its_job(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "besoins.eml", _mail(NAMED_JOB_HEADINGS))["forms"]
    assert [f["job"]["title"] for f in forms] == ["PEINTRE EN BÂTIMENT", "PLAQUISTE"]
    assert [f["job"]["positions"] for f in forms] == [2, 1]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CDD"]


def test_job_heading_naming_a_section_names_no_job(tmp_path: Path) -> None:
    body = NAMED_JOB_HEADINGS.replace("Besoin 1 – PEINTRE EN BÂTIMENT", "Besoin 1 – Conditions")
    body = body.replace("Besoin 2 – PLAQUISTE", "Besoin 2 – Conditions")
    forms = _parse(tmp_path, "sections.eml", _mail(body))["forms"]
    assert [f["job"]["title"] for f in forms] == [None, None]


PARTED_JOBS = """Bonjour,

Employeur : Plâtrerie Moderne de Seine-Saint-Denis
N° SIRET : 732 829 320 000 74
Poste et profil (1/2)
Fonction : Plaquiste
Effectif recherché : 1
Missions principales :
Tri manuel des déchets sur chaîne
Contrôle qualité des balles
Nettoyage du poste de travail
Savoir-faire / savoir-être : Rapidité, Autonomie
Exigences particulières : Travail en hauteur (PIRL)
Poste et profil (2/2)
Fonction : Peintre en bâtiment
Effectif recherché : deux
Exigences particulières : Néant
"""


def test_parted_job_headings_and_list_lines_that_look_like_labels(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "profils.eml", _mail(PARTED_JOBS))["forms"]
    assert [f["job"]["title"] for f in forms] == ["Plaquiste", "Peintre en bâtiment"]
    first = forms[0]["job"]
    assert first["special_requirements"] == "Travail en hauteur (PIRL)"  # not '… Poste et profil (2/2)'
    assert first["main_activities"] == (
        "Tri manuel des déchets sur chaîne Contrôle qualité des balles Nettoyage du poste de travail")
    assert first["required_skills"] == "Rapidité, Autonomie"


NUMBERED_ABOVE = """Informations sur l'entreprise
1. Nom de la société / raison sociale
Restauration Collective du Val-de-Marne (RCVM) SAS
2. SIRET
732 829 320 000 74
3. Adresse de l'entreprise
61 rue Gabriel Péri, 94200 Ivry-sur-Seine
4. Intitulé du poste
Cuisinier
5. Nombre de postes
2
"""


def test_numbered_label_with_two_wordings_above_its_answer(tmp_path: Path) -> None:
    form = _parse(tmp_path, "numerote.eml", _mail(NUMBERED_ABOVE))["forms"][0]
    assert form["company"]["legal_name"] == "Restauration Collective du Val-de-Marne (RCVM) SAS"
    assert form["job"]["title"] == "Cuisinier"


def test_label_wrapped_after_a_linking_word_above_its_answer_in_a_cell(tmp_path: Path) -> None:
    table = Table([
        ["Entreprise\nSécurité Runnaise Protection", "SIRET\n732 829 320 000 74"],
        ["Poste\nAgent de signalisation temporaire",
         "Nombre de postes à pourvoir dans le cadre de la\nclause sociale\n3 (trois)"],
        ["Date de prise de poste\n23/02/2027", "Expérience\nDébutant accepté"],
    ])  # fmt: skip
    form = _parse(tmp_path, "cellules.pdf", pdf_tables([table]))["forms"][0]
    assert form["job"]["title"] == "Agent de signalisation temporaire"
    assert form["job"]["positions"] == 3
    assert form["job"]["recruitment_date"] == "2027-02-23"


def test_contract_type_explained_in_brackets_before_its_duration(tmp_path: Path) -> None:
    body = ("Raison sociale : Bâtiment Vellave SARL\nSIRET : 732 829 320 000 74\n"
            "Intitulé du poste : Manœuvre\nNombre de postes : 2\nDate d'embauche : 01/03/2027\n"
            "Contrat (type / durée) : Travail temporaire (intérim) – durée du chantier (environ 4 mois)\n")
    form = _parse(tmp_path, "interim.eml", _mail(body))["forms"][0]
    assert form["conditions"]["contract_type"] == "INTERIM"
    assert form["conditions"]["contract_duration"] == "durée du chantier (environ 4 mois)"


def test_nested_brackets_and_a_question_before_a_dotted_leader(tmp_path: Path) -> None:
    body = ("Quel est le nom de votre entreprise ? ... Montluçon Peinture Décoration SARL\n"
            "SIRET : 732 829 320 000 74\nIntitulé du poste : Peintre\nNombre de postes : 2\n"
            "Date d'embauche : 01/03/2027\nContrat : CDD (6 mois (renouvelable))\n")
    form = _parse(tmp_path, "questions.eml", _mail(body))["forms"][0]
    assert form["company"]["legal_name"] == "Montluçon Peinture Décoration SARL"
    assert form["conditions"]["contract_type"] == "CDD"
    assert form["conditions"]["contract_duration"] == "6 mois (renouvelable)"


def test_conditions_given_once_before_numbered_jobs_open_no_form(tmp_path: Path) -> None:
    body = ("Entreprise : Couleurs du Santerre\nSIRET : 732 829 320 000 74\n"
            "Type de contrat : CDI\nDurée hebdomadaire : 35 h\n\n"
            "Besoin n°1\nEmploi à pourvoir : Aide-peintre\nNombre de postes : 1\n\n"
            "Besoin n°2\nEmploi à pourvoir : Peintre en bâtiment\nNombre de postes : 2\n")
    forms = _parse(tmp_path, "conditions_d_abord.eml", _mail(body))["forms"]
    assert [f["job"]["title"] for f in forms] == ["Aide-peintre", "Peintre en bâtiment"]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CDI"]


# Classes of corpus R (seen after its one untuned score).


def test_jobs_in_columns_headed_emploi_propose_n(tmp_path: Path) -> None:
    """'Rubrique | Emploi proposé n° 1 | Emploi proposé n° 2': one job per column; an empty
    'Tél.' keeps the letterhead's 'Standard' number out of the form."""
    company = Table([
        ["Nom de la société (raison sociale)", "Bardage Isolation Lorraine"],
        ["SIRET de l'établissement", "732 829 320 000 74"], ["Tél.", ""],
        ["Mail", "m.haddad@bil.example"],
    ])  # fmt: skip
    jobs = Table([
        ["Rubrique", "Emploi proposé n° 1", "Emploi proposé n° 2"],
        ["Poste à pourvoir", "Aide bardeur", "Plaquiste"],
        ["Effectif recherché", "3", "2 postes"],
        ["Expérience requise", "Débutant accepté", "6 mois minimum"],
        ["Type de contrat envisagé", "CDI", "Contrat de professionnalisation"],
    ], widths=[150.0, 160.0, 160.0])  # fmt: skip
    data = docx_tables(["Bardage Isolation Lorraine – Standard : 03 29 70 07 45", company, jobs])
    forms = _parse(tmp_path, "emplois.docx", data)["forms"]
    assert [f["job"]["title"] for f in forms] == ["Aide bardeur", "Plaquiste"]
    assert [f["job"]["positions"] for f in forms] == [3, 2]
    assert [f["conditions"]["contract_type"] for f in forms] == ["CDI", "CONTRAT_PRO"]
    assert [f["company"]["phone"] for f in forms] == [None, None]


QUOTED_NUMBERED = """Bonjour,

Vous trouverez mes réponses sous chacune de vos questions.

Cordialement,
François Bonnet

Le lun. 18 janv. 2027 à 09:12, Pôle clauses sociales <clauses@agence.example> a écrit :
> Merci de répondre aux questions ci-dessous :
>
> 1. Société
Languedoc Réseaux Thermiques
> 2. Immatriculation (SIRET)
732 829 320 000 74
> 3. Quelle adresse e-mail ?
francois.bonnet@lrt.example
> 4. Appellation
Aide-monteur réseaux thermiques
> 5. Combien de personnes recrutez-vous ?
2 postes
> 6. Missions
- Préparation des canalisations
- Raccordement des sous-stations
"""


def test_answers_typed_under_quoted_numbered_labels(tmp_path: Path) -> None:
    form = _parse(tmp_path, "sous_questions.eml", _mail(QUOTED_NUMBERED))["forms"][0]
    assert form["company"]["legal_name"] == "Languedoc Réseaux Thermiques"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["email"] == "francois.bonnet@lrt.example"
    assert form["job"]["title"] == "Aide-monteur réseaux thermiques"
    assert form["job"]["main_activities"] == "Préparation des canalisations Raccordement des sous-stations"


PARTS_AND_LISTS = """Partie 1 / Coordonnées de l'employeur
Raison sociale : Pierres et Patrimoine Nîmois
SIRET : 732 829 320 000 74
Partie 2 / Le besoin
Intitulé du poste : Tailleur de pierre
Nombre de postes : 1
Exigences particulières : Travail en hauteur sur échafaudage
Partie 3 / Modalités d'embauche
Type de contrat : CDI
"""


def test_partie_n_slash_heading_ends_the_value_above(tmp_path: Path) -> None:
    form = _parse(tmp_path, "parties.eml", _mail(PARTS_AND_LISTS))["forms"][0]
    assert form["job"]["special_requirements"] == "Travail en hauteur sur échafaudage"
    assert form["conditions"]["contract_type"] == "CDI"


ABOVE_WITH_GAPS = """Nom de la société (raison sociale)
Voirie Thermique Nîmoise
N° de SIRET
732 829 320 000 74
Appellation
CANALISATEUR
Date de démarrage

Contenu du poste
- Pose de réseaux d'assainissement
- Pose de bordures et de caniveaux
Expérience professionnelle souhaitée
Débutant accepté
Diplômes, titres, certifications
Aucun diplôme exigé
Contrat
CDI
"""


def test_labels_above_answers_list_named_after_an_empty_label_and_listed_wordings(tmp_path: Path) -> None:
    form = _parse(tmp_path, "dessus.eml", _mail(ABOVE_WITH_GAPS))["forms"][0]
    assert form["job"]["recruitment_date"] is None
    assert form["job"]["main_activities"] == (
        "Pose de réseaux d'assainissement Pose de bordures et de caniveaux")
    assert form["job"]["experience"] == "Débutant accepté"
    assert form["job"]["training"] == "Aucun diplôme exigé"


def test_label_left_empty_after_a_tab(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    for line in ["Raison sociale\tVoies Ferrées du Lez SAS", "SIRET\t732 829 320 000 74",
                 "Intitulé du poste\tPoseur de voies", "Nombre de postes\t2",
                 "Contrat proposé\tCDI", "Si CDD / intérim, durée\t", "Horaire hebdo\t35 heures"]:
        document.add_paragraph(line)
    path = tmp_path / "tabs.docx"
    document.save(str(path))
    form = _parse(tmp_path, "tabs.docx", path.read_bytes())["forms"][0]
    assert form["conditions"]["contract_type"] == "CDI"
    assert form["conditions"]["contract_duration"] is None
    assert form["conditions"]["weekly_hours"] == 35


# Classes of corpus S (seen after its one untuned score).


def test_sub_label_of_the_same_field_stays_in_the_answer(tmp_path: Path) -> None:
    """'Adresse du chantier :' then 'Sur site : atelier de Reims' is the workplace as written;
    'Raison soc.' is the legal name."""
    body = ("Raison soc. : Ets Lebrun et Fils\nSIRET : 732 829 320 000 74\n"
            "Intitulé du poste : Chaudronnier\nNombre de postes : 1\n"
            "Adresse du chantier :\nSur site : atelier de Reims\n")
    form = _parse(tmp_path, "sur_site.eml", _mail(body))["forms"][0]
    assert form["company"]["legal_name"] == "Ets Lebrun et Fils"
    assert form["conditions"]["workplace"] == "Sur site : atelier de Reims"


def test_four_column_table_whose_answers_read_like_their_labels(tmp_path: Path) -> None:
    company = Table([
        ["Raison sociale", "Jouan Menuiseries", "SIRET", "732 829 320 000 74"],
        ["Intitulé du poste", "Menuisier poseur", "Nombre de postes", "1"],
    ], widths=[110.0, 130.0, 110.0, 130.0])  # fmt: skip
    conditions = Table([
        ["Nature du contrat", "Contrat de professionnalisation en alternance",
         "Durée de la mission", "24 mois"],
        ["Temps de travail", "17,5 heures par semaine", "Quelle rémunération ?", "Selon profil"],
        ["Lieu de travail", "Divers chantiers du secteur d'Alençon", "", ""],
    ], widths=[110.0, 130.0, 110.0, 130.0])  # fmt: skip
    form = _parse(tmp_path, "quatre.docx", docx_tables([company, "Modalités", conditions]))["forms"][0]
    assert form["conditions"]["contract_type"] == "CONTRAT_PRO"
    assert form["conditions"]["weekly_hours"] == 17.5
    assert form["conditions"]["workplace"] == "Divers chantiers du secteur d'Alençon"


JOB_IN_QUESTION_HEADING = """Quel est le nom de votre entreprise ? Services Urbains Guillemin SARL
SIRET de l'établissement : 732 829 320 000 74

Où se situe votre établissement ? 72 chemin des Crayères, 08000 Charleville-Mézières
Courriel : contact@guillemin.example

Volet B — Pour quel poste ? – Recrutement 1
Fonction : Agent de propreté urbaine
Effectif recherché : 1 personne
Date prévisionnelle d'embauche : 18-08-2027
Forme du contrat : CDDI

Volet B — Pour quel poste ? – Recrutement 2
Fonction : Balayeur
Effectif recherché : 2
Date prévisionnelle d'embauche : 01-09-2027
Forme du contrat : CDI
"""


def test_question_heading_ending_with_a_job_number(tmp_path: Path) -> None:
    forms = _parse(tmp_path, "volets.eml", _mail(JOB_IN_QUESTION_HEADING))["forms"]
    assert [f["job"]["title"] for f in forms] == ["Agent de propreté urbaine", "Balayeur"]
    assert [f["job"]["positions"] for f in forms] == [1, 2]


def test_docx_bold_labels_without_colon(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    for label, value in [("Nom / Raison sociale de l'employeur", "SARL Anticorrosion Champagne"),
                         ("SIRET de l'établissement", "732 829 320 000 74"),
                         ("Quel poste proposez-vous ?", "Peintre en ouvrages d'art"),
                         ("Postes (nombre)", "2"), ("Type de contrat", "CDI")]:
        paragraph = document.add_paragraph()
        paragraph.add_run(label).bold = True
        paragraph.add_run(" " + value)
    path = tmp_path / "gras.docx"
    document.save(str(path))
    form = _parse(tmp_path, "gras.docx", path.read_bytes())["forms"][0]
    assert form["company"]["legal_name"] == "SARL Anticorrosion Champagne"
    assert form["company"]["siret"] == "73282932000074"
    assert form["job"]["title"] == "Peintre en ouvrages d'art"
    assert form["job"]["positions"] == 2


NUMBERED_UNDER_SECTIONS = """Entreprise
1) Entreprise
BOULANGER PAYSAGES SCOP
2) Numéro SIRET
732 829 320 000 74
3) Où se situe votre établissement ?
63, rue des Forges – 14000 CAEN
Poste
7) Métier / intitulé
Ouvrier paysagiste
8) Postes (nombre)
2 personnes
9) Date d'embauche
17/06/2027
"""


def test_numbered_labels_under_section_words(tmp_path: Path) -> None:
    form = _parse(tmp_path, "sections.eml", _mail(NUMBERED_UNDER_SECTIONS))["forms"][0]
    assert form["company"]["legal_name"] == "BOULANGER PAYSAGES SCOP"
    assert form["job"]["title"] == "Ouvrier paysagiste"
    assert form["job"]["positions"] == 2


def test_one_column_table_with_a_question_above_its_answer(tmp_path: Path) -> None:
    table = Table([
        ["Société (raison sociale)"], ["Tanguy Dépôts et Flottes SA"],
        ["Siret (14 chiffres)"], ["732 829 320 000 74"],
        ["Qui est la personne à contacter ?"], ["Ludovic Quéré – Conducteur de travaux"],
        ["Fonction"], ["Agent de maintenance"], ["Nombre de postes"], ["2"],
    ], widths=[400.0])  # fmt: skip
    form = _parse(tmp_path, "colonne.docx", docx_tables([table]))["forms"][0]
    assert form["company"]["contact_name"] == "Ludovic Quéré – Conducteur de travaux"
    assert form["job"]["title"] == "Agent de maintenance"


def test_pdf_four_columns_with_labels_wrapped_in_their_cells(tmp_path: Path) -> None:
    """'Siret (14' / 'chiffres)' and 'Personne en' / 'charge du' / 'recrutement' are labels
    wrapped in their cells, not labels above answers; a cell right of a label is its answer."""
    company = Table([
        ["Société (raison\nsociale)", "Féron Haies et Bocages SARL",
         "Siret (14\nchiffres)", "732 829 320 000 74"],
        ["Coordonnées\npostales", "113 quai de Caligny 35000 Rennes", "Personne en\ncharge du\nrecrutement",
         "Jérôme Cordier"],
        ["E-mail", "j.cordier@feron.example", "N° de\ntéléphone", "0242729378"],
    ], widths=[80.0, 160.0, 80.0, 160.0])  # fmt: skip
    job = Table([
        ["Emploi\nproposé", "Ouvrier paysagiste", "Postes\n(nombre)", "1 (un)"],
        ["Date de\nrecrutement\nsouhaitée", "31 mai 2027",
         "Expérience", "Expérience en milieu portuaire\nappréciée"],
    ], widths=[80.0, 160.0, 80.0, 160.0])  # fmt: skip
    form = _parse(tmp_path, "quatre.pdf", pdf_tables([company, job]))["forms"][0]
    assert form["company"]["legal_name"] == "Féron Haies et Bocages SARL"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["contact_name"] == "Jérôme Cordier"
    assert form["job"]["recruitment_date"] == "2027-05-31"
    assert form["job"]["experience"] == "Expérience en milieu portuaire appréciée"


def test_one_column_table_with_a_company_name_in_capitals(tmp_path: Path) -> None:
    table = Table([
        ["Société (raison sociale)"], ["LEMONNIER TRAVAUX MARITIMES SARL"],
        ["N° d'immatriculation (SIRET)"], ["732 829 320 000 74"],
        ["Quel poste proposez-vous ?"], ["Maçon en confortement de digues"],
        ["Effectif recherché"], ["4 personnes"], ["Date de prise de poste"], ["03/06/2027"],
        ["Quel type de contrat ?"], ["Contrat de mission (intérim)"],
    ], widths=[400.0])  # fmt: skip
    form = _parse(tmp_path, "majuscules.docx", docx_tables([table]))["forms"][0]
    assert form["company"]["legal_name"] == "LEMONNIER TRAVAUX MARITIMES SARL"
    assert form["company"]["siret"] == "73282932000074"
