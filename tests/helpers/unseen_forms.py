"""Held-out liaison forms: layouts and wordings deliberately unlike the samples and the variant
generator (company templates, 4-column tables, checkboxes, abbreviations, prose e-mails, ...).

    .venv/bin/python -m tests.helpers.unseen_forms      # accuracy per form and in total
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

from mailbot.parse.document import load_document
from mailbot.parse.forms import parse_forms, parse_forms_in_text
from tests.helpers.compare import field_score
from tests.helpers.unseen_builders import Alt, docx_bytes, expect, pdf_lines

__all__ = ["CASES", "Case", "FieldScore", "parse_case", "score_case"]


@dataclass
class Case:
    """One held-out form: how to build it ('text' body, 'docx' or 'pdf' bytes) and its FORMs."""

    name: str
    kind: str
    build: Callable[[], str | bytes]
    forms: list[dict]


@dataclass
class FieldScore:
    right: int = 0
    missing: int = 0  # expected a value, got none
    missed: list[str] | None = None  # names of the missing fields
    wrong: list[str] | None = None  # 'field: got X, want Y'

    @property
    def total(self) -> int:
        return self.right + self.missing + len(self.wrong or [])


CASES: list[Case] = []


def case(name: str, kind: str, forms: list[dict]):
    def register(build: Callable[[], str | bytes]) -> Callable[[], str | bytes]:
        CASES.append(Case(name, kind, build, forms))
        return build

    return register


# --------------------------------------------------------------------------------------------
# DOCX: companies' own Word templates
# --------------------------------------------------------------------------------------------


@case(
    "d01_docx_four_columns_letterhead",
    "docx",
    [
        expect(
            legal_name="BATINORD Construction SAS",
            siret="33514171953640",
            address="14 avenue Foch 59000 Lille",
            contact_name="Mme Sandrine Leroy, Responsable RH",
            phone="+33612345678",
            email="s.leroy@batinord.fr",
            title="Maçon VRD",
            positions=2,
            recruitment_date="2027-03-01",
            main_activities="Pose de bordures, réseaux, petits ouvrages",
            required_skills="Lecture de plans",
            experience="2 ans minimum",
            training="CAP maçon",
            special_requirements="Permis B",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="1 900 € brut mensuel",
            workplace="Chantier de Roubaix",
        )
    ],
)
def _d01() -> bytes:
    return docx_bytes(
        [
            "BATINORD Construction",
            "14 avenue Foch – 59000 Lille",
            "Standard : 03 20 11 22 33 – contact@batinord.fr – www.batinord.fr",
            "FICHE DE POSTE – CLAUSE D'INSERTION",
            [
                ["Raison sociale", "BATINORD Construction SAS", "SIRET", "335 141 719 53640"],
                ["Adresse", "14 avenue Foch 59000 Lille", "Contact", "Mme Sandrine Leroy, Responsable RH"],
                ["Téléphone", "06 12 34 56 78", "Courriel", "s.leroy@batinord.fr"],
                ["Poste", "Maçon VRD", "Nombre de postes", "2 (deux)"],
                ["Date d'embauche", "à partir du 1er mars 2027", "Contrat", "CDD"],
                ["Durée", "6 mois", "Horaires", "35 heures/semaine"],
                ["Salaire", "1 900 € brut mensuel", "Lieu de travail", "Chantier de Roubaix"],
                ["Missions", "Pose de bordures, réseaux, petits ouvrages", "Compétences", "Lecture de plans"],
                ["Expérience", "2 ans minimum", "Formation", "CAP maçon"],
                ["Exigences particulières", "Permis B", "", ""],
            ],
        ]
    )


@case(
    "d02_docx_rubrique_reponse_numbered",
    "docx",
    [
        expect(
            legal_name="Nettoyage Picard SARL",
            siret="89386392876311",
            address="5 rue des Tanneurs 80000 Amiens",
            contact_name="M. Karim Benali",
            phone="+33322456789",
            email="k.benali@nettoyage-picard.fr",
            title="Agent de propreté",
            positions=3,
            recruitment_date="2027-04-12",
            main_activities="Nettoyage de bureaux et parties communes",
            required_skills="Rigueur, autonomie",
            experience="Débutant accepté",
            training="Aucune",
            special_requirements="Horaires décalés (6h-9h / 17h-20h)",
            contract_type="CDI",
            contract_duration=None,
            weekly_hours=24,
            gross_salary="SMIC horaire",
            workplace="Amiens centre",
        )
    ],
)
def _d02() -> bytes:
    return docx_bytes(
        [
            "Nettoyage Picard – Formulaire de recrutement",
            [
                ["Rubrique", "Réponse"],
                ["1. Raison sociale", "Nettoyage Picard SARL"],
                ["2. N° SIRET", "893.863.928.76311"],
                ["3. Adresse", "5 rue des Tanneurs\n80000 Amiens"],
                ["4. Personne à contacter", "M. Karim Benali"],
                ["5. Téléphone", "03.22.45.67.89"],
                ["6. Adresse mail", "K.BENALI@NETTOYAGE-PICARD.FR"],
                ["7. Intitulé du poste", "Agent de propreté"],
                ["8. Nombre de postes", "trois"],
                ["9. Date de début", "12/04/2027"],
                ["10. Missions principales", "Nettoyage de bureaux et parties communes"],
                ["11. Compétences", "Rigueur, autonomie"],
                ["12. Expérience", "Débutant accepté"],
                ["13. Formation", "Aucune"],
                ["14. Contraintes", "Horaires décalés (6h-9h / 17h-20h)"],
                ["15. Type de contrat", "CDI"],
                ["16. Durée hebdomadaire", "24 h"],
                ["17. Rémunération", "SMIC horaire"],
                ["18. Lieu de travail", "Amiens centre"],
            ],
        ]
    )


@case(
    "d03_docx_merged_cell_lines",
    "docx",
    [
        expect(
            legal_name="Espaces Verts du Littoral",
            siret="79988799797248",
            address="ZA du Port 62200 Boulogne-sur-Mer",
            contact_name="Julien Caron (chef d'équipe)",
            phone="+33698765432",
            email="jcaron@evl62.fr",
            title="Jardinier paysagiste",
            positions=1,
            recruitment_date="2027-05-03",
            main_activities="Tonte, taille, plantations",
            special_requirements="Permis B souhaité",
            contract_type="CDD",
            contract_duration="4 mois",
            weekly_hours=35,
            gross_salary="SMIC + 10 %",
            workplace="Boulogne-sur-Mer et alentours",
        )
    ],
)
def _d03() -> bytes:
    block = "\n".join(
        [
            "Dénomination sociale : Espaces Verts du Littoral",
            "Siret : 799 887 997 97248",
            "Adresse : ZA du Port 62200 Boulogne-sur-Mer",
            "Interlocuteur : Julien Caron (chef d'équipe)",
            "Portable : 06-98-76-54-32",
            "E-mail : jcaron@evl62.fr",
        ]
    )
    job = "\n".join(
        [
            "Emploi proposé : Jardinier paysagiste",
            "Nombre de postes : un poste",
            "Date de démarrage : 03/05/2027",
            "Activités : Tonte, taille, plantations",
            "Contraintes : Permis B souhaité",
            "Type de contrat : CDD de 4 mois",
            "Temps de travail : Temps plein (35h)",
            "Salaire : SMIC + 10 %",
            "Lieu : Boulogne-sur-Mer et alentours",
        ]
    )
    return docx_bytes(["DEMANDE DE RECRUTEMENT", [["L'ENTREPRISE"], [block]], [["LE POSTE"], [job]]])


@case(
    "d04_docx_checkboxes",
    "docx",
    [
        expect(
            legal_name="Transports Delattre",
            siret="35034903123584",
            address="2 chemin du Halage 60200 Compiègne",
            contact_name="Mme Delattre",
            phone="+33344201020",
            email="rh@transports-delattre.fr",
            title="Chauffeur poids lourd",
            positions=1,
            recruitment_date="2027-06-01",
            main_activities="Livraisons régionales",
            special_requirements=Alt(None, "Permis C exigé : Oui", "Permis C exigé"),
            contract_type="INTERIM",
            contract_duration="3 mois",
            weekly_hours=35,
            gross_salary="13,50 € de l'heure",
            workplace="Compiègne",
        )
    ],
)
def _d04() -> bytes:
    return docx_bytes(
        [
            [
                ["Entreprise", "Transports Delattre"],
                ["SIRET", "35034903123584"],
                ["Adresse", "2 chemin du Halage 60200 Compiègne"],
                ["Contact", "Mme Delattre"],
                ["Tél.", "03 44 20 10 20"],
                ["Mail", "rh@transports-delattre.fr"],
                ["Poste", "Chauffeur poids lourd"],
                ["Nombre", "1"],
                ["Date de prise de poste", "01.06.2027"],
                ["Missions", "Livraisons régionales"],
                ["Permis C exigé", "☒ Oui ☐ Non"],
                ["Type de contrat", "☐ CDI ☐ CDD ☒ Intérim"],
                ["Durée", "3 mois"],
                ["Temps de travail", "[X] Temps plein (35 h)  [ ] Temps partiel"],
                ["Salaire", "13,50 € de l'heure"],
                ["Lieu de travail", "Compiègne"],
            ]
        ]
    )


@case(
    "d05_docx_label_then_answer_paragraphs",
    "docx",
    [
        expect(
            legal_name="Menuiserie Vasseur",
            siret="66750810532367",
            address="8 rue du Moulin 02100 Saint-Quentin",
            contact_name="Pierre Vasseur, gérant",
            phone="+33323050607",
            email="contact@menuiserie-vasseur.fr",
            title="Menuisier poseur",
            positions=2,
            recruitment_date="2027-03-15",
            main_activities="Pose de fenêtres et portes",
            required_skills="Travail en hauteur",
            experience="1 an",
            training="CAP menuisier",
            contract_type="CDD",
            contract_duration="12 mois",
            weekly_hours=39,
            gross_salary="2 100 € brut",
            workplace="Saint-Quentin",
        )
    ],
)
def _d05() -> bytes:
    pairs = [
        ("Nom de l'entreprise", "Menuiserie Vasseur"),
        ("Numéro SIRET", "667 508 105 32367"),
        ("Adresse", "8 rue du Moulin 02100 Saint-Quentin"),
        ("Nom du contact", "Pierre Vasseur, gérant"),
        ("Téléphone", "03 23 05 06 07"),
        ("Adresse électronique", "contact@menuiserie-vasseur.fr"),
        ("Intitulé du poste", "Menuisier poseur"),
        ("Nombre de postes à pourvoir", "2"),
        ("Date d'embauche prévue", "15 mars 2027"),
        ("Description du poste", "Pose de fenêtres et portes"),
        ("Compétences requises", "Travail en hauteur"),
        ("Expérience souhaitée", "1 an"),
        ("Diplôme", "CAP menuisier"),
        ("Type de contrat", "Contrat à durée déterminée"),
        ("Durée du contrat", "12 mois"),
        ("Durée hebdomadaire de travail", "39 heures"),
        ("Salaire brut", "2 100 € brut"),
        ("Lieu de travail", "Saint-Quentin"),
    ]
    blocks: list = ["Menuiserie Vasseur – offre d'emploi"]
    for label, value in pairs:
        blocks += [label, value, ""]
    return docx_bytes(blocks)


@case(
    "d06_docx_two_jobs_company_once",
    "docx",
    [
        expect(
            legal_name="Façades Ouest",
            siret="32963687291733",
            address="1 rue Jean Jaurès 76600 Le Havre",
            contact_name="Mme Anne Morel",
            phone="+33235000102",
            email="a.morel@facades-ouest.fr",
            title="Façadier",
            positions=2,
            recruitment_date="2027-09-06",
            main_activities="Enduits et ravalement",
            contract_type="CDD",
            contract_duration="8 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Le Havre",
        ),
        expect(
            legal_name="Façades Ouest",
            siret="32963687291733",
            address="1 rue Jean Jaurès 76600 Le Havre",
            contact_name="Mme Anne Morel",
            phone="+33235000102",
            email="a.morel@facades-ouest.fr",
            title="Manœuvre",
            positions=1,
            recruitment_date="2027-09-13",
            main_activities="Approvisionnement du chantier, nettoyage",
            contract_type="CDDI",
            contract_duration="4 mois",
            weekly_hours=26,
            gross_salary="SMIC",
            workplace="Le Havre",
        ),
    ],
)
def _d06() -> bytes:
    return docx_bytes(
        [
            "Façades Ouest – Recrutements clause sociale",
            [
                ["Entreprise", "Façades Ouest"],
                ["SIRET", "329 636 872 91733"],
                ["Adresse", "1 rue Jean Jaurès 76600 Le Havre"],
                ["Interlocutrice", "Mme Anne Morel"],
                ["Tél", "02 35 00 01 02"],
                ["Mail", "a.morel@facades-ouest.fr"],
            ],
            "",
            "Poste 1",
            [
                ["Intitulé", "Façadier"],
                ["Nb de postes", "2"],
                ["Date de démarrage", "06/09/2027"],
                ["Missions", "Enduits et ravalement"],
                ["Type de contrat", "CDD"],
                ["Durée", "8 mois"],
                ["Horaires", "35h"],
                ["Salaire", "SMIC"],
                ["Lieu", "Le Havre"],
            ],
            "Poste 2",
            [
                ["Intitulé", "Manœuvre"],
                ["Nb de postes", "1"],
                ["Date de démarrage", "13/09/2027"],
                ["Missions", "Approvisionnement du chantier, nettoyage"],
                ["Type de contrat", "CDD d'insertion"],
                ["Durée", "4 mois"],
                ["Horaires", "26h"],
                ["Salaire", "SMIC"],
                ["Lieu", "Le Havre"],
            ],
        ]
    )


@case(
    "d07_docx_capitals_explanations",
    "docx",
    [
        expect(
            legal_name="SOLEC ÉNERGIES",
            siret="94161760719135",
            address="ZI Nord, 45 rue Ampère 51100 Reims",
            contact_name="M. Thomas Girard – Conducteur de travaux",
            phone="+33326778899",
            email="t.girard@solec.fr",
            title="Électricien",
            positions=1,
            recruitment_date="2027-02-01",
            main_activities="Câblage d'armoires, tirage de câbles",
            required_skills="Habilitation électrique",
            experience="Une première expérience",
            training="Bac pro MELEC",
            special_requirements="Déplacements fréquents",
            contract_type="CDI",
            weekly_hours=35,
            gross_salary="Selon grille conventionnelle",
            workplace="Reims",
        )
    ],
)
def _d07() -> bytes:
    return docx_bytes(
        [
            [
                ["RAISON SOCIALE (telle qu'inscrite au Kbis)", "SOLEC ÉNERGIES"],
                ["N° SIRET (14 chiffres)", "941 617 607 19135"],
                ["ADRESSE DU SIÈGE", "ZI Nord, 45 rue Ampère 51100 Reims"],
                ["NOM ET FONCTION DU CONTACT", "M. Thomas Girard – Conducteur de travaux"],
                ["TÉLÉPHONE (ligne directe)", "+33 (0)3 26 77 88 99"],
                ["COURRIEL", "T.Girard@Solec.fr"],
                ["INTITULÉ DU POSTE", "Électricien"],
                ["NOMBRE DE POSTES", "01"],
                ["DATE D'EMBAUCHE SOUHAITÉE", "lundi 1er février 2027"],
                ["MISSIONS PRINCIPALES (décrire brièvement)", "Câblage d'armoires, tirage de câbles"],
                ["COMPÉTENCES REQUISES", "Habilitation électrique"],
                ["EXPÉRIENCE", "Une première expérience"],
                ["DIPLÔME OU FORMATION", "Bac pro MELEC"],
                ["EXIGENCES PARTICULIÈRES (permis, déplacements…)", "Déplacements fréquents"],
                ["TYPE DE CONTRAT", "Contrat à durée indéterminée"],
                ["DURÉE HEBDOMADAIRE", "35"],
                ["RÉMUNÉRATION BRUTE", "Selon grille conventionnelle"],
                ["LIEU DE TRAVAIL", "Reims"],
            ]
        ]
    )


@case(
    "d08_docx_abbreviations_paragraphs",
    "docx",
    [
        expect(
            legal_name="Boulangeries Réunies",
            siret="52567226730823",
            address="3 place du Marché 80100 Abbeville",
            contact_name="Mme Lucie Petit",
            phone="+33322010203",
            email="lucie.petit@boulangeries-reunies.fr",
            title="Vendeuse en boulangerie",
            positions=2,
            recruitment_date="2027-07-01",
            main_activities="Vente, encaissement, mise en rayon",
            contract_type="CDD",
            contract_duration="2 mois",
            weekly_hours=30,
            gross_salary="11,88 € brut/heure",
            workplace="Abbeville",
        )
    ],
)
def _d08() -> bytes:
    return docx_bytes(
        [
            "Dén. sociale : Boulangeries Réunies",
            "N° Siret : 525 672 267 30823",
            "Adr. : 3 place du Marché 80100 Abbeville",
            "Pers. à contacter : Mme Lucie Petit",
            "Tél. : 03 22 01 02 03",
            "Mél. : lucie.petit [at] boulangeries-reunies.fr",
            "",
            "Job title : Vendeuse en boulangerie",
            "Nb postes : 2",
            "Date embauche : 01/07/2027",
            "Missions : Vente, encaissement, mise en rayon",
            "Contrat : CDD 2 mois",
            "Hres/sem. : 30",
            "Taux horaire : 11,88 € brut/heure",
            "Lieu : Abbeville",
        ]
    )


@case(
    "d09_docx_section_rows_four_columns",
    "docx",
    [
        expect(
            legal_name="Aide à Domicile Somme",
            siret="99819241302897",
            address="20 boulevard Carnot 80000 Amiens",
            contact_name="Nadia Haddad",
            phone="+33767891234",
            email="recrutement@ads80.fr",
            title="Auxiliaire de vie",
            positions=4,
            recruitment_date=Alt(None, "2027-03-01"),
            main_activities="Aide aux repas, à la toilette, courses",
            required_skills="Patience, discrétion",
            training="DEAES apprécié",
            special_requirements="Véhicule indispensable",
            contract_type="CDI",
            weekly_hours=28,
            gross_salary="Selon convention collective",
            workplace="Amiens et communes voisines",
        )
    ],
)
def _d09() -> bytes:
    return docx_bytes(
        [
            [
                ["IDENTIFICATION DE LA STRUCTURE", None, None, None],
                ["Nom de la structure", "Aide à Domicile Somme", "SIRET", "99819241302897"],
                ["Adresse", "20 boulevard Carnot 80000 Amiens", "", ""],
                ["Contact", "Nadia Haddad", "Tél.", "07 67 89 12 34"],
                ["Courriel", "recrutement@ads80.fr", "", ""],
                ["LE POSTE", None, None, None],
                ["Intitulé", "Auxiliaire de vie", "Nombre de postes", "4"],
                ["Date de démarrage", "mars 2027", "Type de contrat", "CDI"],
                ["Heures/semaine", "28 h", "Salaire", "Selon convention collective"],
                ["Lieu", "Amiens et communes voisines", "", ""],
                ["Tâches", "Aide aux repas, à la toilette, courses", None, None],
                ["Qualités requises", "Patience, discrétion", None, None],
                ["Formation", "DEAES apprécié", None, None],
                ["Contraintes", "Véhicule indispensable", None, None],
            ]
        ]
    )


@case(
    "d10_docx_label_colon_cells_salary_forms",
    "docx",
    [
        expect(
            legal_name="Logistique des Hauts",
            siret="02453129568894",
            address="Parc d'activités, 59810 Lesquin",
            contact_name="M. Éric Lambert",
            phone="+33320334455",
            email="e.lambert@logihauts.fr",
            title="Préparateur de commandes",
            positions=5,
            recruitment_date="2027-10-04",
            main_activities="Préparation et chargement des commandes",
            required_skills="CACES 1 souhaité",
            contract_type="INTERIM",
            contract_duration="18 mois",
            weekly_hours=35,
            gross_salary="1 850 € brut mensuel + primes",
            workplace="Lesquin",
        )
    ],
)
def _d10() -> bytes:
    return docx_bytes(
        [
            "LOGISTIQUE DES HAUTS",
            "Tél. standard : 03 20 00 00 00",
            [
                ["Société :", "Logistique des Hauts"],
                ["SIRET :", "024 531 295 68894"],
                ["Adresse :", "Parc d'activités, 59810 Lesquin"],
                ["Contact :", "M. Éric Lambert"],
                ["Téléphone :", "03 20 33 44 55"],
                ["Email :", "e.lambert@logihauts.fr"],
                ["Poste :", "Préparateur de commandes"],
                ["Nombre de postes :", "5 postes"],
                ["Date d'entrée :", "4 octobre 2027"],
                ["Missions :", "Préparation et chargement des commandes"],
                ["Compétences :", "CACES 1 souhaité"],
                ["Contrat :", "Mission d'intérim de 18 mois"],
                ["Horaires :", "151,67 h/mois"],
                ["Salaire :", "1 850 € brut mensuel + primes"],
                ["Lieu de travail :", "Lesquin"],
            ],
        ]
    )


# --------------------------------------------------------------------------------------------
# E-mail bodies
# --------------------------------------------------------------------------------------------


@case(
    "t01_mail_capitals_odd_values",
    "text",
    [
        expect(
            legal_name="GARAGE DUBOIS",
            siret="57700428614892",
            address="77 route de Paris 80480 Dury",
            contact_name="Franck Dubois",
            phone="+33612345678",
            email="garage.dubois@orange.fr",
            title="Mécanicien automobile",
            positions=1,
            recruitment_date=None,
            main_activities="Entretien et réparation de véhicules",
            experience="3 ans",
            contract_type="CDI",
            weekly_hours=39,
            gross_salary="À négocier selon profil",
            workplace="Dury",
        )
    ],
)
def _t01() -> str:
    return """Bonjour Madame,

Suite à notre échange téléphonique, voici notre besoin :

RAISON SOCIALE : GARAGE DUBOIS
SIRET : 577 004 286 14892
ADRESSE : 77 route de Paris 80480 Dury
CONTACT : Franck Dubois
TEL : +33 (0)6 12 34 56 78
MAIL : GARAGE.DUBOIS@ORANGE.FR
POSTE : Mécanicien automobile
NOMBRE DE POSTE : 1
DATE D'EMBAUCHE : dès que possible
MISSIONS : Entretien et réparation de véhicules
EXPERIENCE : 3 ans
CONTRAT : CDI
HORAIRES : 39 h hebdomadaires
SALAIRE : À négocier selon profil
LIEU : Dury

Cordialement,
Franck Dubois
Garage Dubois – 03 22 99 88 77
"""


@case(
    "t02_mail_prose",
    "text",
    [
        expect(
            legal_name=Alt(None, "Maçonnerie Lefèvre"),
            phone=Alt(None, "+33611223344"),
            title=Alt(None, "maçons"),
            positions=Alt(None, 2),
            recruitment_date=Alt(None, "2027-03-15"),
            contract_type=Alt(None, "CDD"),
            contract_duration=Alt(None, "6 mois"),
        )
    ],
)
def _t02() -> str:
    return """Bonjour,

Nous recherchons 2 maçons en CDD de 6 mois à partir du 15 mars 2027 pour le chantier du collège.
Pouvez-vous nous proposer des candidats ? Le permis B serait un plus.

Merci d'avance,
Jean Lefèvre
Maçonnerie Lefèvre
06 11 22 33 44
"""


@case(
    "t03_mail_dash_bullets_labels",
    "text",
    [
        expect(
            legal_name="Cuisines Collectives du Nord",
            siret="88849379801157",
            address="10 rue de Lens 62300 Lens",
            contact_name="Mme Sophie Martin, cheffe de cuisine",
            phone="+33321456789",
            email="s.martin@ccn.fr",
            title="Commis de cuisine",
            positions=2,
            recruitment_date="2027-01-04",
            main_activities="Préparations froides, plonge",
            required_skills="Hygiène HACCP",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Lens",
        )
    ],
)
def _t03() -> str:
    return """Bonjour,

Voici les éléments pour notre offre :

- Entreprise : Cuisines Collectives du Nord
- Siret : 888 493 798 01157
- Adresse : 10 rue de Lens 62300 Lens
- Contact : Mme Sophie Martin, cheffe de cuisine
- Tél : 03.21.45.67.89
- Mail : s.martin@ccn.fr
- Poste : Commis de cuisine
- Nombre de postes : 2
- Début : 04/01/2027
- Missions : Préparations froides, plonge
- Compétences : Hygiène HACCP
- Contrat : CDD
- Durée : 6 mois
- Temps de travail : 35h/semaine
- Rémunération : SMIC
- Lieu : Lens

Bien cordialement,
Sophie Martin
"""


@case(
    "t04_mail_obfuscated_contacts",
    "text",
    [
        expect(
            legal_name="Peinture Moderne",
            siret="33514171953640",
            address="4 impasse des Lilas 80090 Amiens",
            contact_name="Paul Roussel",
            phone="+33612345678",
            email="paul.roussel@peinture-moderne.fr",
            title="Peintre en bâtiment",
            positions=1,
            recruitment_date="2027-03-01",
            contract_type="CDD",
            contract_duration="3 mois",
            weekly_hours=35,
            gross_salary="12 € brut de l'heure",
            workplace="Amiens",
        )
    ],
)
def _t04() -> str:
    return """Bonjour,

Raison sociale : Peinture Moderne
N° SIRET : 335.141.719.53640
Adresse : 4 impasse des Lilas 80090 Amiens
Nom du contact : Paul Roussel
Téléphone : 06-12-34-56-78
Courriel : paul.roussel [at] peinture-moderne.fr
Intitulé du poste : Peintre en bâtiment
Nombre de postes : 1
Date de démarrage : 1er mars 2027
Type de contrat : CDD
Durée du contrat : 3 mois
Durée hebdomadaire : 35
Salaire : 12 € brut de l'heure
Lieu de travail : Amiens

Cordialement
"""


@case(
    "t05_mail_numbered_letters",
    "text",
    [
        expect(
            legal_name="Ateliers Métalliques Dupuis",
            siret="89386392876311",
            address="Rue de l'Industrie 60000 Beauvais",
            contact_name="M. Dupuis",
            phone="+33344556677",
            email="contact@amd60.fr",
            title="Soudeur",
            positions=2,
            recruitment_date="2027-02-15",
            main_activities="Soudure MIG/MAG de structures",
            required_skills="Lecture de plans",
            experience="Expérience exigée",
            training="CAP Soudure",
            contract_type="CDD",
            contract_duration="12 mois",
            weekly_hours=35,
            gross_salary="De 11,90 à 13 €/h selon expérience",
            workplace="Beauvais",
        )
    ],
)
def _t05() -> str:
    return """Madame, Monsieur,

Veuillez trouver ci-dessous notre demande.

a) Raison sociale : Ateliers Métalliques Dupuis
b) Siret : 89386392876311
c) Adresse : Rue de l'Industrie 60000 Beauvais
d) Contact : M. Dupuis
e) Téléphone : 03 44 55 66 77
f) Mail : contact@amd60.fr
g) Poste : Soudeur
h) Nombre de postes : 2 (deux)
i) Date d'embauche : 15/02/2027
j) Missions : Soudure MIG/MAG de structures
k) Compétences : Lecture de plans
l) Expérience : Expérience exigée
m) Formation : CAP Soudure
n) Contrat : CDD 12 mois
o) Horaires : 35 heures/semaine
p) Salaire : De 11,90 à 13 €/h selon expérience
q) Lieu : Beauvais

Salutations distinguées.
"""


@case(
    "t06_mail_tab_separated_paste",
    "text",
    [
        expect(
            legal_name="Voirie Services",
            siret="79988799797248",
            address="12 rue Nationale 59300 Valenciennes",
            contact_name="Mme Claire Noël",
            phone="+33327112233",
            email="c.noel@voirie-services.fr",
            title="Ouvrier de voirie",
            positions=3,
            recruitment_date="2027-04-05",
            contract_type="CDD",
            contract_duration="5 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Valenciennes",
        )
    ],
)
def _t06() -> str:
    rows = [
        ("Raison sociale", "Voirie Services"),
        ("SIRET", "799 887 997 97248"),
        ("Adresse", "12 rue Nationale 59300 Valenciennes"),
        ("Contact", "Mme Claire Noël"),
        ("Téléphone", "03 27 11 22 33"),
        ("Email", "c.noel@voirie-services.fr"),
        ("Poste", "Ouvrier de voirie"),
        ("Nombre de postes", "3"),
        ("Date de début", "05/04/2027"),
        ("Type de contrat", "CDD"),
        ("Durée", "5 mois"),
        ("Heures par semaine", "35"),
        ("Salaire", "SMIC"),
        ("Lieu de travail", "Valenciennes"),
    ]
    table = "\n".join(f"{label}\t{value}" for label, value in rows)
    return f"Bonjour,\n\nCi-dessous le tableau demandé :\n\n{table}\n\nCordialement,\nClaire Noël\n"


@case(
    "t07_mail_label_next_line",
    "text",
    [
        expect(
            legal_name="Bois et Charpente",
            siret="35034903123584",
            address="La Grange 80800 Corbie",
            contact_name="Hugo Bernard",
            phone="+33612131415",
            email="hugo@bois-charpente.fr",
            title="Charpentier",
            positions=1,
            recruitment_date="2027-05-10",
            main_activities="Fabrication et pose de charpentes",
            contract_type="CDI",
            weekly_hours=35,
            gross_salary="2 000 € brut",
            workplace="Corbie",
        )
    ],
)
def _t07() -> str:
    return """Bonjour,

Raison sociale
Bois et Charpente

SIRET
350 349 031 23584

Adresse
La Grange 80800 Corbie

Personne à contacter
Hugo Bernard

Téléphone
06 12 13 14 15

E-mail
hugo@bois-charpente.fr

Intitulé du poste
Charpentier

Nombre de postes
1

Date d'embauche
10/05/2027

Missions principales
Fabrication et pose de charpentes

Type de contrat
CDI

Durée hebdomadaire
35 h

Salaire brut
2 000 € brut

Lieu de travail
Corbie

Cordialement,
Hugo
"""


@case(
    "t08_mail_inline_pairs",
    "text",
    [
        expect(
            legal_name="Clean Pro Services",
            siret="66750810532367",
            address="6 rue Pasteur 80000 Amiens",
            contact_name="M. Yanis Saïdi",
            phone="+33611111111",
            email="y.saidi@cleanpro.fr",
            title="Laveur de vitres",
            positions=2,
            recruitment_date="2027-03-22",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Amiens",
        )
    ],
)
def _t08() -> str:
    return """Bonjour,

Entreprise : Clean Pro Services    SIRET : 667 508 105 32367
Adresse : 6 rue Pasteur 80000 Amiens
Contact : M. Yanis Saïdi    Tél. : 06 11 11 11 11    Mail : y.saidi@cleanpro.fr
Poste : Laveur de vitres    Nombre de postes : 2
Date de début : 22/03/2027
Contrat : CDD    Durée : 6 mois
Horaires : 35 h    Salaire : SMIC
Lieu de travail : Amiens

Merci,
Yanis Saïdi
"""


@case(
    "t09_mail_month_and_week_dates",
    "text",
    [
        expect(
            legal_name="Sécurité Picardie",
            siret="32963687291733",
            address="45 rue de Paris 80000 Amiens",
            contact_name="Mme Ines Faure",
            phone="+33322998877",
            email="ines.faure@securite-picardie.fr",
            title="Agent de sécurité",
            positions=Alt(None, 2),
            recruitment_date=Alt(None, "2027-03-01"),
            contract_type="CDD",
            contract_duration="1 an",
            weekly_hours=Alt(None, 35),
            gross_salary="1 800 € brut",
            workplace="Amiens",
        )
    ],
)
def _t09() -> str:
    return """Bonjour,

Société : Sécurité Picardie
Siret : 32963687291733
Adresse : 45 rue de Paris 80000 Amiens
Contact : Mme Ines Faure
Tél : 03 22 99 88 77
Mail : ines.faure@securite-picardie.fr
Poste : Agent de sécurité
Nombre de postes : 1 à 2 postes
Date d'embauche : mars 2027
Contrat : CDD d'un an
Durée : 1 an
Temps de travail : Temps plein
Salaire : 1 800 € brut
Lieu de travail : Amiens

Cordialement,
Ines Faure
Sécurité Picardie – Standard : 03 22 00 00 00
"""


@case(
    "t10_mail_english_mixed",
    "text",
    [
        expect(
            legal_name="Green Logistics France",
            siret="94161760719135",
            address="Zone Delta 80440 Boves",
            contact_name="Mr John Smith, HR manager",
            phone="+33612345678",
            email="john.smith@greenlog.com",
            title="Cariste",
            positions=2,
            recruitment_date="2027-03-15",
            contract_type="INTERIM",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="12 €/h",
            workplace="Boves",
        )
    ],
)
def _t10() -> str:
    return """Hello,

Company name: Green Logistics France
SIRET: 941 617 607 19135
Address: Zone Delta 80440 Boves
Contact person: Mr John Smith, HR manager
Phone: +33 6 12 34 56 78
Email: John.Smith@greenlog.com
Job title: Cariste
Number of positions: 2
Start date: 15/03/2027
Contract type: Intérim
Contract duration: 6 mois
Weekly hours: 35
Salary: 12 €/h
Workplace: Boves

Best regards,
John
"""


@case(
    "t11_mail_combined_short_labels",
    "text",
    [
        expect(
            legal_name="SARL Plâtrerie Moreau",
            siret="52567226730823",
            address="9 rue Victor Hugo 80300 Albert",
            contact_name="Luc Moreau",
            phone="+33322747576",
            email="platrerie.moreau@gmail.com",
            title="Plaquiste",
            positions=1,
            recruitment_date="2027-06-14",
            main_activities="Pose de cloisons et faux plafonds",
            contract_type="CDD",
            contract_duration="9 mois",
            weekly_hours=35,
            gross_salary="Selon profil",
            workplace="Chantiers de la Somme",
        )
    ],
)
def _t11() -> str:
    return """Bonjour Madame Durand,

comme convenu :

Nom de la société : SARL Plâtrerie Moreau
N° de Siret : 525 672 267 30823
Adresse de la société : 9 rue Victor Hugo 80300 Albert
Nom prénom : Luc Moreau
Tél. fixe : 03 22 74 75 76
Mail : platrerie.moreau@gmail.com
Poste recherché : Plaquiste
Nb de personnes : 1
Embauche prévue le : lun. 14/06/27
Tâches : Pose de cloisons et faux plafonds
Nature et durée du contrat : CDD 9 mois
Volume horaire : 35 heures
Salaire proposé : Selon profil
Lieu d'intervention : Chantiers de la Somme

Bonne journée
Luc Moreau
"""


# --------------------------------------------------------------------------------------------
# Text PDFs
# --------------------------------------------------------------------------------------------


@case(
    "p01_pdf_letterhead_two_columns",
    "pdf",
    [
        expect(
            legal_name="Couvreurs Associés",
            siret="99819241302897",
            address="3 rue de Beauvais 60100 Creil",
            contact_name="M. Olivier Lemaire",
            phone="+33612340000",
            email="o.lemaire@couvreurs-associes.fr",
            title="Couvreur zingueur",
            positions=2,
            recruitment_date="2027-04-01",
            main_activities="Pose de tuiles et d'ardoises, zinguerie",
            required_skills="Travail en hauteur",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="2 000 € brut mensuel",
            workplace="Creil",
        )
    ],
)
def _p01() -> bytes:
    return pdf_lines(
        [
            "COUVREURS ASSOCIÉS",
            "3 rue de Beauvais – 60100 Creil – Standard : 03 44 00 00 00",
            "",
            "FORMULAIRE DE LIAISON",
            "",
            "Raison sociale : Couvreurs Associés",
            [(60, "SIRET : 998 192 413 02897"), (320, "Adresse : 3 rue de Beauvais 60100 Creil")],
            [(60, "Contact : M. Olivier Lemaire"), (320, "Tél. : 06 12 34 00 00")],
            "Courriel : o.lemaire@couvreurs-associes.fr",
            "",
            [(60, "Poste : Couvreur zingueur"), (320, "Nombre de postes : 2")],
            "Date d'embauche : 01/04/2027",
            "Missions : Pose de tuiles et d'ardoises, zinguerie",
            "Compétences : Travail en hauteur",
            [(60, "Contrat : CDD"), (320, "Durée : 6 mois")],
            [(60, "Horaires : 35 h"), (320, "Salaire : 2 000 € brut mensuel")],
            "Lieu de travail : Creil",
            "",
            "Fait à Creil, le 10/03/2027",
        ]
    )


@case(
    "p02_pdf_four_column_table_rules",
    "pdf",
    [
        expect(
            legal_name="Isolation Confort",
            siret="02453129568894",
            address="Rue des Artisans 80450 Camon",
            contact_name="Mme Julie Roux",
            phone="+33322112211",
            email="j.roux@isolation-confort.fr",
            title="Poseur isolation",
            positions=2,
            recruitment_date="2027-05-17",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="SMIC + 5 %",
            workplace="Camon",
        )
    ],
)
def _p02() -> bytes:
    return pdf_lines(
        [
            "ISOLATION CONFORT – FICHE DE RECRUTEMENT",
            "",
            [(60, "Entreprise"), (150, "Isolation Confort"), (310, "SIRET"), (400, "024 531 295 68894")],
            [
                (60, "Adresse"),
                (150, "Rue des Artisans 80450 Camon"),
                (310, "Contact"),
                (400, "Mme Julie Roux"),
            ],
            [(60, "Téléphone"), (150, "03 22 11 22 11"), (310, "Mail"), (400, "j.roux@isolation-confort.fr")],
            [(60, "Poste"), (150, "Poseur isolation"), (310, "Nb de postes"), (400, "2")],
            [(60, "Date de début"), (150, "17/05/2027"), (310, "Contrat"), (400, "CDD")],
            [(60, "Durée"), (150, "6 mois"), (310, "Horaires"), (400, "35 h")],
            [(60, "Salaire"), (150, "SMIC + 5 %"), (310, "Lieu"), (400, "Camon")],
        ],
        size=9,
        rules=True,
        leading=18,
    )


@case(
    "p03_pdf_label_above_answer",
    "pdf",
    [
        expect(
            legal_name="Restaurant Le Beffroi",
            siret="57700428614892",
            address="1 place de l'Hôtel de Ville 80100 Abbeville",
            contact_name="M. Marc Lefort",
            phone="+33322242526",
            email="lebeffroi@restaurant.fr",
            title="Serveur",
            positions=1,
            recruitment_date="2027-06-01",
            main_activities="Service en salle, mise en place",
            contract_type="CDD",
            contract_duration="4 mois",
            weekly_hours=35,
            gross_salary="SMIC + pourboires",
            workplace="Abbeville",
        )
    ],
)
def _p03() -> bytes:
    rows: list = ["Restaurant Le Beffroi", ""]
    for label, value in [
        ("Raison sociale", "Restaurant Le Beffroi"),
        ("SIRET", "577 004 286 14892"),
        ("Adresse", "1 place de l'Hôtel de Ville 80100 Abbeville"),
        ("Personne à contacter", "M. Marc Lefort"),
        ("Téléphone", "03 22 24 25 26"),
        ("Courriel", "lebeffroi@restaurant.fr"),
        ("Intitulé du poste", "Serveur"),
        ("Nombre de postes", "1"),
        ("Date d'embauche", "01/06/2027"),
        ("Missions principales", "Service en salle, mise en place"),
        ("Type de contrat", "CDD"),
        ("Durée du contrat", "4 mois"),
        ("Durée hebdomadaire", "35 h"),
        ("Salaire brut", "SMIC + pourboires"),
        ("Lieu de travail", "Abbeville"),
    ]:
        rows += [label, [(80, value)], ""]
    return pdf_lines(rows)


@case(
    "p04_pdf_rubrique_reponse_table",
    "pdf",
    [
        expect(
            legal_name="Déménagements Rapides",
            siret="88849379801157",
            address="Route d'Arras 62000 Arras",
            contact_name="M. Bruno Lemoine",
            phone="+33321000111",
            email="b.lemoine@demrap.fr",
            title="Déménageur",
            positions=3,
            recruitment_date="2027-07-05",
            contract_type="CDD",
            contract_duration="2 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Arras",
        )
    ],
)
def _p04() -> bytes:
    rows: list = ["Déménagements Rapides – demande de personnel", "", [(60, "RUBRIQUE"), (230, "RÉPONSE")]]
    for label, value in [
        ("Raison sociale", "Déménagements Rapides"),
        ("Numéro SIRET", "888 493 798 01157"),
        ("Adresse", "Route d'Arras 62000 Arras"),
        ("Contact", "M. Bruno Lemoine"),
        ("Téléphone", "03 21 00 01 11"),
        ("Courriel", "b.lemoine@demrap.fr"),
        ("Poste", "Déménageur"),
        ("Nombre de postes", "3"),
        ("Date de prise de poste", "05/07/2027"),
        ("Type de contrat", "CDD"),
        ("Durée", "2 mois"),
        ("Horaires hebdomadaires", "35 heures"),
        ("Salaire", "SMIC"),
        ("Lieu de travail", "Arras"),
    ]:
        rows.append([(60, label), (230, value)])
    return pdf_lines(rows, size=9, rules=True, leading=18)


@case(
    "p05_pdf_two_jobs",
    "pdf",
    [
        expect(
            legal_name="Propreté Urbaine",
            siret="33514171953640",
            address="22 rue de la Gare 80000 Amiens",
            contact_name="Mme Fatima Benhamou",
            phone="+33322334455",
            email="f.benhamou@proprete-urbaine.fr",
            title="Agent d'entretien",
            positions=2,
            recruitment_date="2027-02-01",
            contract_type="CDI",
            weekly_hours=20,
            gross_salary="SMIC",
            workplace="Amiens",
        ),
        expect(
            legal_name="Propreté Urbaine",
            siret="33514171953640",
            address="22 rue de la Gare 80000 Amiens",
            contact_name="Mme Fatima Benhamou",
            phone="+33322334455",
            email="f.benhamou@proprete-urbaine.fr",
            title="Chef d'équipe",
            positions=1,
            recruitment_date="2027-02-15",
            contract_type="CDD",
            contract_duration="12 mois",
            weekly_hours=35,
            gross_salary="1 950 € brut",
            workplace="Amiens",
        ),
    ],
)
def _p05() -> bytes:
    return pdf_lines(
        [
            "PROPRETÉ URBAINE",
            "",
            "Entreprise : Propreté Urbaine",
            "SIRET : 335 141 719 53640",
            "Adresse : 22 rue de la Gare 80000 Amiens",
            "Contact : Mme Fatima Benhamou",
            "Téléphone : 03 22 33 44 55",
            "Courriel : f.benhamou@proprete-urbaine.fr",
            "",
            "POSTE N° 1",
            "Intitulé du poste : Agent d'entretien",
            "Nombre de postes : 2",
            "Date d'embauche : 01/02/2027",
            "Type de contrat : CDI",
            "Durée hebdomadaire : 20 h",
            "Salaire : SMIC",
            "Lieu de travail : Amiens",
            "",
            "POSTE N° 2",
            "Intitulé du poste : Chef d'équipe",
            "Nombre de postes : 1",
            "Date d'embauche : 15/02/2027",
            "Type de contrat : CDD",
            "Durée du contrat : 12 mois",
            "Durée hebdomadaire : 35 h",
            "Salaire : 1 950 € brut",
            "Lieu de travail : Amiens",
        ]
    )


@case(
    "p06_pdf_checkboxes_text",
    "pdf",
    [
        expect(
            legal_name="Ambulances Secours 80",
            siret="89386392876311",
            address="5 rue Saint-Fuscien 80000 Amiens",
            contact_name="M. Laurent Picard",
            phone="+33322667788",
            email="direction@ambulances80.fr",
            title="Auxiliaire ambulancier",
            positions=1,
            recruitment_date="2027-03-08",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="Grille conventionnelle",
            workplace="Amiens",
        )
    ],
)
def _p06() -> bytes:
    return pdf_lines(
        [
            "Raison sociale : Ambulances Secours 80",
            "SIRET : 893 863 928 76311",
            "Adresse : 5 rue Saint-Fuscien 80000 Amiens",
            "Interlocuteur : M. Laurent Picard",
            "Tél. : 03 22 66 77 88",
            "Courriel : direction@ambulances80.fr",
            "Intitulé du poste : Auxiliaire ambulancier",
            "Nombre de postes : 1",
            "Date d'embauche : 08/03/2027",
            "Type de contrat : [ ] CDI   [X] CDD   [ ] Intérim",
            "Durée du contrat : 6 mois",
            "Temps de travail : [X] Temps plein (35 h)   [ ] Temps partiel",
            "Salaire : Grille conventionnelle",
            "Lieu de travail : Amiens",
        ]
    )


@case(
    "p07_pdf_dot_leaders",
    "pdf",
    [
        expect(
            legal_name="Serrurerie Martel",
            siret="79988799797248",
            address="17 rue Gambetta 80000 Amiens",
            contact_name="Didier Martel",
            phone="+33322151617",
            email="martel.serrurerie@wanadoo.fr",
            title="Serrurier métallier",
            positions=1,
            recruitment_date="2027-09-01",
            contract_type="CDI",
            weekly_hours=35,
            gross_salary="1 900 €",
            workplace="Amiens",
        )
    ],
)
def _p07() -> bytes:
    return pdf_lines(
        [
            "Raison sociale ........................ Serrurerie Martel",
            "SIRET ...................................... 799 887 997 97248",
            "Adresse .................................. 17 rue Gambetta 80000 Amiens",
            "Contact .................................. Didier Martel",
            "Téléphone ............................. 03 22 15 16 17",
            "Courriel ................................. martel.serrurerie@wanadoo.fr",
            "Poste ..................................... Serrurier métallier",
            "Nombre de postes .................. 1",
            "Date d'embauche ................... 01/09/2027",
            "Type de contrat ..................... CDI",
            "Durée hebdomadaire ............. 35 h",
            "Salaire ................................... 1 900 €",
            "Lieu de travail ........................ Amiens",
        ]
    )


@case(
    "p08_pdf_plain_table_wide_gap",
    "pdf",
    [
        expect(
            legal_name="Recyclage Picard",
            siret="35034903123584",
            address="Chemin des Près 80330 Longueau",
            contact_name="Mme Emma Caron",
            phone="+33322445566",
            email="emma.caron@recyclage-picard.fr",
            title="Agent de tri",
            positions=4,
            recruitment_date="2027-01-18",
            main_activities="Tri des déchets sur chaîne",
            special_requirements="Port des EPI obligatoire",
            contract_type="CDDI",
            contract_duration="6 mois",
            weekly_hours=26,
            gross_salary="SMIC",
            workplace="Longueau",
        )
    ],
)
def _p08() -> bytes:
    rows: list = ["Recyclage Picard", "Chemin des Près – 80330 Longueau – Tél. 03 22 00 11 22", ""]
    for label, value in [
        ("Nom de l'entreprise", "Recyclage Picard"),
        ("SIRET", "35034903123584"),
        ("Adresse", "Chemin des Près 80330 Longueau"),
        ("Personne référente", "Mme Emma Caron"),
        ("Téléphone", "03 22 44 55 66"),
        ("Mail", "emma.caron@recyclage-picard.fr"),
        ("Emploi", "Agent de tri"),
        ("Nombre de postes", "4"),
        ("Date de démarrage", "18 janvier 2027"),
        ("Activités", "Tri des déchets sur chaîne"),
        ("Contraintes du poste", "Port des EPI obligatoire"),
        ("Contrat", "Contrat à durée déterminée d'insertion"),
        ("Durée", "6 mois"),
        ("Temps de travail", "26 h par semaine"),
        ("Salaire", "SMIC"),
        ("Lieu", "Longueau"),
    ]:
        rows.append([(60, label), (300, value)])
    return pdf_lines(rows, size=10)


@case(
    "p09_pdf_numbered_capitals",
    "pdf",
    [
        expect(
            legal_name="TP Somme",
            siret="66750810532367",
            address="Route de Rouen 80000 Amiens",
            contact_name="M. Alain Vidal",
            phone="+33322556677",
            email="a.vidal@tpsomme.fr",
            title="Conducteur d'engins",
            positions=1,
            recruitment_date="2027-03-29",
            main_activities="Terrassement",
            special_requirements="CACES R482",
            contract_type="CDD",
            contract_duration="10 mois",
            weekly_hours=39,
            gross_salary="15 € brut/heure",
            workplace="Amiens Nord",
        )
    ],
)
def _p09() -> bytes:
    return pdf_lines(
        [
            "1. IDENTIFICATION DE L'ENTREPRISE",
            "1.1 RAISON SOCIALE : TP Somme",
            "1.2 SIRET : 667 508 105 32367",
            "1.3 ADRESSE : Route de Rouen 80000 Amiens",
            "1.4 CONTACT : M. Alain Vidal",
            "1.5 TÉLÉPHONE : 03 22 55 66 77",
            "1.6 COURRIEL : a.vidal@tpsomme.fr",
            "2. LE POSTE",
            "2.1 INTITULÉ : Conducteur d'engins",
            "2.2 NOMBRE DE POSTES : 1",
            "2.3 DATE DE DÉBUT : 29/03/2027",
            "2.4 MISSIONS : Terrassement",
            "2.5 EXIGENCES PARTICULIÈRES : CACES R482",
            "3. CONDITIONS",
            "3.1 TYPE DE CONTRAT : CDD",
            "3.2 DURÉE : 10 mois",
            "3.3 DURÉE HEBDOMADAIRE : 39 h",
            "3.4 SALAIRE : 15 € brut/heure",
            "3.5 LIEU DE TRAVAIL : Amiens Nord",
        ]
    )


@case(
    "p10_pdf_wrapped_values_two_pages",
    "pdf",
    [
        expect(
            legal_name="Association Tremplin",
            siret="32963687291733",
            address="Maison des associations, 12 rue Frédéric Petit 80000 Amiens",
            contact_name="Mme Chloé Dumont – chargée d'insertion",
            phone="+33322909090",
            email="c.dumont@tremplin80.org",
            title="Agent d'entretien des espaces verts",
            positions=6,
            recruitment_date="2027-04-19",
            main_activities="Débroussaillage, tonte, entretien des sentiers et des berges, "
            "petits travaux de maçonnerie paysagère",
            required_skills="Goût du travail en extérieur, esprit d'équipe",
            training="Aucun diplôme requis",
            special_requirements="Travail par tous temps",
            contract_type="CDDI",
            contract_duration="6 mois renouvelable",
            weekly_hours=26,
            gross_salary="SMIC horaire",
            workplace="Vallée de la Somme",
        )
    ],
)
def _p10() -> bytes:
    rows: list = [
        "Association Tremplin – Atelier chantier d'insertion",
        "",
        "Structure : Association Tremplin",
        "SIRET : 329 636 872 91733",
        "Adresse : Maison des associations,",
        "12 rue Frédéric Petit 80000 Amiens",
        "Référent entreprise : Mme Chloé Dumont – chargée d'insertion",
        "Téléphone : 03 22 90 90 90",
        "Courriel : c.dumont@tremplin80.org",
        "",
        "Intitulé du poste : Agent d'entretien des espaces verts",
        "Nombre de postes : six (6)",
        "Date de début : 19/04/2027",
        "Missions principales : Débroussaillage, tonte, entretien des sentiers et des berges,",
        "petits travaux de maçonnerie paysagère",
        "Compétences : Goût du travail en extérieur, esprit d'équipe",
    ]
    rows += [""] * 40
    rows += [
        "Formation : Aucun diplôme requis",
        "Exigences particulières : Travail par tous temps",
        "Type de contrat : CDDI",
        "Durée du contrat : 6 mois renouvelable",
        "Durée hebdomadaire : 26 heures",
        "Rémunération : SMIC horaire",
        "Lieu de travail : Vallée de la Somme",
    ]
    return pdf_lines(rows)


@case(
    "t12_mail_signature_company_block",
    "text",
    [
        expect(
            legal_name="Électricité Générale Dumas",
            siret="94161760719135",
            address="28 rue d'Amiens 80200 Péronne",
            contact_name="Mme Laure Dumas",
            phone="+33678901234",
            email="laure.dumas@egd80.fr",
            title="Électricien du bâtiment",
            positions=1,
            recruitment_date="2027-02-22",
            experience="Débutant accepté",
            contract_type="APPRENTISSAGE",
            contract_duration="2 ans",
            weekly_hours=35,
            gross_salary="Selon l'âge (barème apprentissage)",
            workplace="Péronne",
        )
    ],
)
def _t12() -> str:
    return """Bonjour,

Entreprise : Électricité Générale Dumas
Siret : 941 617 607 19135
Adresse : 28 rue d'Amiens 80200 Péronne
Contact : Mme Laure Dumas
Portable : 06 78 90 12 34
Mail : laure.dumas@egd80.fr

Poste : Électricien du bâtiment
Nombre de postes : 1
Date de début : 22 février 2027
Expérience : Débutant accepté
Contrat : Contrat d'apprentissage
Durée : 2 ans
Horaires : 35 h
Salaire : Selon l'âge (barème apprentissage)
Lieu : Péronne

Cordialement,

Laure Dumas
Gérante
Électricité Générale Dumas
Tél. : 03 22 84 00 00 – Fax : 03 22 84 00 01
www.egd80.fr
"""


# --------------------------------------------------------------------------------------------
# Second round (written after the first fixes, before looking at the parser again)
# --------------------------------------------------------------------------------------------


@case(
    "r01_docx_label_and_value_in_one_cell",
    "docx",
    [
        expect(
            legal_name="Peintures du Vimeu",
            siret="88849379801157",
            address="2 rue du Vimeu 80130 Friville",
            contact_name="Mme Agnès Carpentier",
            phone="+33322303132",
            email="contact@peintures-vimeu.fr",
            title="Peintre (H/F)",
            positions=2,
            recruitment_date="2027-04-06",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="1 766,92 € brut",
            workplace="Friville-Escarbotin",
        )
    ],
)
def _r01() -> bytes:
    return docx_bytes(
        [
            "Peintures du Vimeu",
            [
                ["Raison sociale : Peintures du Vimeu", "SIRET : 888 493 798 01157"],
                ["Adresse : 2 rue du Vimeu 80130 Friville", "Contact : Mme Agnès Carpentier"],
                ["Tél : 03 22 30 31 32", "Mail : contact@peintures-vimeu.fr"],
                ["Intitulé du poste (H/F) : Peintre (H/F)", "Nombre de postes : 2"],
                ["Date d'embauche : 06/04/2027", "Type de contrat : CDD – 6 mois"],
                ["Durée hebdomadaire : 35h00", "Salaire : 1 766,92 € brut"],
                ["Lieu de travail : Friville-Escarbotin", ""],
            ],
        ]
    )


@case(
    "r02_docx_labels_above_answers_two_columns",
    "docx",
    [
        expect(
            legal_name="Jardins de Picardie",
            siret="33514171953640",
            address="La Hotoie 80000 Amiens",
            contact_name="M. Rémi Lenoir",
            phone="+33622334455",
            email="r.lenoir@jardins-picardie.fr",
            title="Ouvrier paysagiste",
            positions=3,
            recruitment_date="2027-03-15",
            contract_type="CDD",
            contract_duration="8 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Amiens",
        )
    ],
)
def _r02() -> bytes:
    return docx_bytes(
        [
            [
                ["Raison sociale", "SIRET"],
                ["Jardins de Picardie", "335 141 719 53640"],
                ["Adresse", "Contact"],
                ["La Hotoie 80000 Amiens", "M. Rémi Lenoir"],
                ["Téléphone", "Courriel"],
                ["06 22 33 44 55", "r.lenoir@jardins-picardie.fr"],
                ["Intitulé du poste", "Nombre de postes"],
                ["Ouvrier paysagiste", "3"],
                ["Date d'embauche", "Type de contrat"],
                ["15/03/2027", "CDD"],
                ["Durée du contrat", "Durée hebdomadaire"],
                ["8 mois", "35 h"],
                ["Salaire", "Lieu de travail"],
                ["SMIC", "Amiens"],
            ]
        ]
    )


@case(
    "r03_mail_outlook_bold_stars",
    "text",
    [
        expect(
            legal_name="Plomberie Leclerc",
            siret="89386392876311",
            address="7 rue des Jacobins 80000 Amiens",
            contact_name="Thierry Leclerc",
            phone="+33322919293",
            email="t.leclerc@plomberie-leclerc.fr",
            title="Plombier chauffagiste",
            positions=1,
            recruitment_date="2027-03-22",
            contract_type="CDI",
            weekly_hours=39,
            gross_salary="2 200 € brut",
            workplace="Amiens",
        )
    ],
)
def _r03() -> str:
    return """Bonjour,

*Raison sociale :* Plomberie Leclerc
*SIRET :* 893 863 928 76311
*Adresse :* 7 rue des Jacobins 80000 Amiens
*Contact :* Thierry Leclerc
*Téléphone :* 03 22 91 92 93 / 06 11 22 33 44
*Mail :* t.leclerc@plomberie-leclerc.fr
*Poste :* Plombier chauffagiste
*Nombre de postes :* 1
*Date d'embauche :* Semaine 12 (22 mars 2027)
*Type de contrat :* CDI
*Horaires :* 39h/sem
*Salaire :* 2 200 € brut
*Lieu de travail :* Amiens

Cordialement,
T. Leclerc
"""


@case(
    "r04_docx_two_jobs_side_by_side",
    "docx",
    [
        expect(
            legal_name="Entreprise Hamel",
            siret="79988799797248",
            address="3 rue de l'Église 80480 Saleux",
            contact_name="Mme Hamel",
            phone="+33322091011",
            email="hamel@hamel-btp.fr",
            title="Maçon",
            positions=2,
            recruitment_date="2027-05-03",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Saleux",
        ),
        expect(
            legal_name="Entreprise Hamel",
            siret="79988799797248",
            address="3 rue de l'Église 80480 Saleux",
            contact_name="Mme Hamel",
            phone="+33322091011",
            email="hamel@hamel-btp.fr",
            title="Coffreur",
            positions=1,
            recruitment_date="2027-05-10",
            contract_type="CDD",
            contract_duration="4 mois",
            weekly_hours=35,
            gross_salary="SMIC + 5 %",
            workplace="Saleux",
        ),
    ],
)
def _r04() -> bytes:
    return docx_bytes(
        [
            [
                ["Entreprise", "Entreprise Hamel"],
                ["SIRET", "799 887 997 97248"],
                ["Adresse", "3 rue de l'Église 80480 Saleux"],
                ["Contact", "Mme Hamel"],
                ["Tél.", "03 22 09 10 11"],
                ["Mail", "hamel@hamel-btp.fr"],
            ],
            "",
            [
                ["", "Poste 1", "Poste 2"],
                ["Intitulé du poste", "Maçon", "Coffreur"],
                ["Nombre de postes", "2", "1"],
                ["Date d'embauche", "03/05/2027", "10/05/2027"],
                ["Type de contrat", "CDD", "CDD"],
                ["Durée", "6 mois", "4 mois"],
                ["Durée hebdomadaire", "35 h", "35 h"],
                ["Salaire", "SMIC", "SMIC + 5 %"],
                ["Lieu de travail", "Saleux", "Saleux"],
            ],
        ]
    )


@case(
    "r05_pdf_agency_footer_no_company_phone",
    "pdf",
    [
        expect(
            legal_name="Traiteur Lemaire",
            siret="66750810532367",
            address="5 rue de Noyon 80000 Amiens",
            contact_name="M. Lemaire",
            phone=None,
            email="traiteur.lemaire@gmail.com",
            title="Aide cuisinier",
            positions=1,
            recruitment_date=Alt(None),
            contract_type="CDD",
            contract_duration=Alt("jusqu'au 31/12/2027", None),
            weekly_hours=24,
            gross_salary="SMIC",
            workplace="Amiens",
        )
    ],
)
def _r05() -> bytes:
    return pdf_lines(
        [
            "FORMULAIRE DE LIAISON – CLAUSE SOCIALE",
            "",
            "Raison sociale : Traiteur Lemaire",
            "SIRET : 667 508 105 32367",
            "Adresse : 5 rue de Noyon 80000 Amiens",
            "Contact : M. Lemaire",
            "Téléphone :",
            "Courriel : traiteur.lemaire@gmail.com",
            "Intitulé du poste : Aide cuisinier",
            "Nombre de postes : 1",
            "Date d'embauche : le 15 mars",
            "Type de contrat : CDD jusqu'au 31/12/2027",
            "Durée hebdomadaire : Temps partiel 24h",
            "Salaire : SMIC",
            "Lieu de travail : Amiens",
            "",
            "Formulaire à retourner à clauses@agence-emploi.fr – Tél. 03 22 71 50 00",
        ]
    )


@case(
    "r06_mail_contract_variants",
    "text",
    [
        expect(
            legal_name="Hôtel du Beffroi",
            siret="02453129568894",
            address="Place Gambetta 80000 Amiens",
            contact_name="Mme Sarah Klein – Gouvernante générale",
            phone="+33322505152",
            email="s.klein@hotel-beffroi.fr",
            title="Femme / valet de chambre",
            positions=2,
            recruitment_date="2027-04-01",
            main_activities="Nettoyage des chambres Réassort des produits d'accueil",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="11,88 €/h",
            workplace="Amiens",
        )
    ],
)
def _r06() -> str:
    return """Madame,

Nom de l'établissement : Hôtel du Beffroi
N° SIRET : 024 531 295 68894
Adresse : Place Gambetta 80000 Amiens
Interlocutrice : Mme Sarah Klein – Gouvernante générale
Tél. direct : 03 22 50 51 52
Adresse mail : S.Klein@hotel-beffroi.fr

Poste proposé : Femme / valet de chambre
Nombre de postes : 2 (un à temps plein, un à mi-temps)
Date de prise de poste : 01/04/2027
Missions :
  • Nettoyage des chambres
  • Réassort des produits d'accueil
Contrat : CDD (6 mois)
Temps de travail : 7h/jour
Salaire horaire : 11,88 €/h
Lieu de travail : Amiens

Je reste à votre disposition.
Sarah Klein
"""


@case(
    "r07_pdf_right_aligned_labels",
    "pdf",
    [
        expect(
            legal_name="Atelier Bois Création",
            siret="32963687291733",
            address="Zone artisanale 80470 Ailly-sur-Somme",
            contact_name="M. Noël Fontaine",
            phone="+33622446688",
            email="n.fontaine@abc-bois.fr",
            title="Ébéniste",
            positions=1,
            recruitment_date="2027-09-01",
            contract_type="CONTRAT_PRO",
            contract_duration="24 mois",
            weekly_hours=35,
            gross_salary="Selon barème",
            workplace="Ailly-sur-Somme",
        )
    ],
)
def _r07() -> bytes:
    pairs = [
        ("Raison sociale :", "Atelier Bois Création"),
        ("SIRET :", "32963687291733"),
        ("Adresse :", "Zone artisanale 80470 Ailly-sur-Somme"),
        ("Contact :", "M. Noël Fontaine"),
        ("Téléphone :", "06 22 44 66 88"),
        ("Courriel :", "n.fontaine@abc-bois.fr"),
        ("Poste :", "Ébéniste"),
        ("Nombre de postes :", "1"),
        ("Date d'embauche :", "1er septembre 2027"),
        ("Type de contrat :", "Contrat de professionnalisation"),
        ("Durée :", "24 mois"),
        ("Horaires :", "35 h"),
        ("Salaire :", "Selon barème"),
        ("Lieu de travail :", "Ailly-sur-Somme"),
    ]
    rows: list = ["Atelier Bois Création", ""]
    for label, value in pairs:
        rows.append([(200 - 5.2 * len(label), label), (215, value)])
    return pdf_lines(rows)


@case(
    "r08_docx_paragraphs_tabs",
    "docx",
    [
        expect(
            legal_name="Charpentes Lefebvre",
            siret="57700428614892",
            address="40 route d'Albert 80300 Méaulte",
            contact_name="Mme Lefebvre",
            phone="+33322757677",
            email="charpentes.lefebvre@orange.fr",
            title="Charpentier bois",
            positions=2,
            recruitment_date="2027-06-07",
            contract_type="INTERIM",
            contract_duration="3 mois",
            weekly_hours=35,
            gross_salary="14 €/h",
            workplace="Méaulte",
        )
    ],
)
def _r08() -> bytes:
    return docx_bytes(
        [
            "CHARPENTES LEFEBVRE",
            "Raison sociale\t\tCharpentes Lefebvre",
            "SIRET\t\t\t577 004 286 14892",
            "Adresse\t\t\t40 route d'Albert 80300 Méaulte",
            "Contact\t\t\tMme Lefebvre",
            "Téléphone\t\t03 22 75 76 77",
            "Courriel\t\tcharpentes.lefebvre@orange.fr",
            "Poste\t\t\tCharpentier bois",
            "Nombre de postes\t2",
            "Date d'embauche\t07/06/2027",
            "Type de contrat\tTravail temporaire",
            "Durée\t\t\t3 mois",
            "Horaires\t\t35 h",
            "Salaire\t\t\t14 €/h",
            "Lieu de travail\tMéaulte",
        ]
    )


@case(
    "r09_docx_letterhead_with_labels",
    "docx",
    [
        expect(
            legal_name="Batiroute SAS",
            siret="52567226730823",
            address="Rue des Forges 80700 Roye",
            contact_name="M. Hervé Colin",
            phone="+33633445566",
            email="h.colin@batiroute.fr",
            title="Manœuvre TP",
            positions=2,
            recruitment_date="2027-04-26",
            contract_type="CDD",
            contract_duration="3 mois",
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Roye",
        )
    ],
)
def _r09() -> bytes:
    return docx_bytes(
        [
            "BATIROUTE SAS – Travaux publics",
            "Rue des Forges – 80700 Roye",
            "Tél. : 03 22 87 00 00 – Mail : accueil@batiroute.fr",
            "",
            [
                ["Raison sociale", "Batiroute SAS"],
                ["SIRET", "525 672 267 30823"],
                ["Adresse", "Rue des Forges 80700 Roye"],
                ["Contact", "M. Hervé Colin"],
                ["Téléphone", "06 33 44 55 66"],
                ["Mail", "h.colin@batiroute.fr"],
                ["Poste", "Manœuvre TP"],
                ["Nombre de postes", "2"],
                ["Date d'embauche", "26/04/2027"],
                ["Type de contrat", "CDD"],
                ["Durée", "3 mois"],
                ["Horaires", "35 h"],
                ["Salaire", "SMIC"],
                ["Lieu de travail", "Roye"],
            ],
        ]
    )


@case(
    "r10_mail_pipe_table",
    "text",
    [
        expect(
            legal_name="Net Services 80",
            siret="94161760719135",
            address="15 rue Jules Barni 80000 Amiens",
            contact_name="Mme Léa Robert",
            phone="+33322121314",
            email="lea.robert@netservices80.fr",
            title="Agent de nettoyage",
            positions=2,
            recruitment_date="2027-02-08",
            contract_type="CDI",
            weekly_hours=25,
            gross_salary="SMIC",
            workplace="Amiens",
        )
    ],
)
def _r10() -> str:
    rows = [
        ("Raison sociale", "Net Services 80"),
        ("SIRET", "941 617 607 19135"),
        ("Adresse", "15 rue Jules Barni 80000 Amiens"),
        ("Contact", "Mme Léa Robert"),
        ("Téléphone", "03 22 12 13 14"),
        ("Courriel", "lea.robert@netservices80.fr"),
        ("Poste", "Agent de nettoyage"),
        ("Nombre de postes", "2"),
        ("Date d'embauche", "08/02/2027"),
        ("Type de contrat", "CDI"),
        ("Durée hebdomadaire", "25 h"),
        ("Salaire", "SMIC"),
        ("Lieu de travail", "Amiens"),
    ]
    table = "\n".join(f"| {label} | {value} |" for label, value in rows)
    return f"Bonjour,\n\nVoici notre fiche :\n\n| Rubrique | Réponse |\n|---|---|\n{table}\n\nCordialement\n"


@case(
    "r11_pdf_wrapped_labels_table",
    "pdf",
    [
        expect(
            legal_name="Métallerie Picarde",
            siret="99819241302897",
            address="ZI Est 80100 Abbeville",
            contact_name="M. Gilles Roger, responsable d'atelier",
            phone="+33322191817",
            email="g.roger@metallerie-picarde.fr",
            title="Soudeur",
            positions=2,
            recruitment_date="2027-03-01",
            special_requirements="Port de charges",
            contract_type="CDD",
            contract_duration="6 mois",
            weekly_hours=35,
            gross_salary="12,50 €/h",
            workplace="Abbeville",
        )
    ],
)
def _r11() -> bytes:
    return pdf_lines(
        [
            "Métallerie Picarde",
            "",
            [(60, "Raison sociale"), (230, "Métallerie Picarde")],
            [(60, "SIRET"), (230, "998 192 413 02897")],
            [(60, "Adresse"), (230, "ZI Est 80100 Abbeville")],
            [(60, "Nom et fonction de la"), (230, "M. Gilles Roger, responsable d'atelier")],
            [(60, "personne à contacter")],
            [(60, "Téléphone"), (230, "03 22 19 18 17")],
            [(60, "Courriel"), (230, "g.roger@metallerie-picarde.fr")],
            [(60, "Intitulé du poste"), (230, "Soudeur")],
            [(60, "Nombre de postes à"), (230, "2")],
            [(60, "pourvoir")],
            [(60, "Date d'embauche"), (230, "01/03/2027")],
            [(60, "Exigences particulières"), (230, "Port de charges")],
            [(60, "(permis, habilitations…)")],
            [(60, "Type de contrat"), (230, "CDD")],
            [(60, "Durée du contrat"), (230, "6 mois")],
            [(60, "Durée hebdomadaire"), (230, "35 h")],
            [(60, "Salaire brut"), (230, "12,50 €/h")],
            [(60, "Lieu de travail"), (230, "Abbeville")],
        ],
        size=9,
    )


@case(
    "r12_mail_dates_inside_contract",
    "text",
    [
        expect(
            legal_name="Animations Loisirs Somme",
            siret="02453129568894",
            address="Base de loisirs 80120 Rue",
            contact_name="Marion Petit",
            phone="+33678787878",
            email="marion@als80.fr",
            title="Animateur",
            positions=3,
            recruitment_date=Alt(None, "2027-07-01"),
            contract_type="CDD",
            contract_duration=Alt(None, "du 01/07/2027 au 31/08/2027"),
            weekly_hours=35,
            gross_salary="SMIC",
            workplace="Rue",
        )
    ],
)
def _r12() -> str:
    return """Bonjour,

Structure : Animations Loisirs Somme
SIRET : 024 531 295 68894
Adresse : Base de loisirs 80120 Rue
Contact : Marion Petit
Tél : 06 78 78 78 78
Mail : marion@als80.fr
Poste : Animateur
Nombre de postes : 3
Contrat : CDD du 01/07/2027 au 31/08/2027
Horaires : 35 h
Salaire : SMIC
Lieu : Rue

Marion Petit
Animations Loisirs Somme
"""


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------


def parse_case(item: Case) -> list[dict]:
    """The FORMs the parser finds in a case."""
    data = item.build()
    if item.kind == "text":
        assert isinstance(data, str)
        return parse_forms_in_text(data)
    assert isinstance(data, bytes)
    return parse_forms(load_document(data, f"{item.name}.{item.kind}")).forms


def _same(name: str, got, want) -> bool:
    section = "company"
    return field_score({"forms": [{section: {name: got}}]}, {"forms": [{section: {name: want}}]})[0] == 1


def score_case(item: Case, got: list[dict] | None = None) -> FieldScore:
    """Right, missing and wrong fields of a case (an Alt field is right for any of its values)."""
    got = parse_case(item) if got is None else got
    score = FieldScore(wrong=[], missed=[])
    for index, want in enumerate(item.forms):
        form = got[index] if index < len(got) else {}
        for section in ("company", "job", "conditions"):
            for name, expected in want[section].items():
                value = (form.get(section) or {}).get(name)
                options = expected.values if isinstance(expected, Alt) else (expected,)
                if any(_same(name, value, option) for option in options):
                    score.right += 1
                elif value is None:
                    score.missing += 1
                    score.missed.append(f"f{index}.{name}")  # type: ignore[union-attr]
                else:
                    assert score.wrong is not None
                    score.wrong.append(f"f{index}.{section}.{name}: got {value!r}, want {expected!r}")
    if len(got) > len(item.forms):
        score.wrong.append(f"{len(got)} forms found, {len(item.forms)} expected")  # type: ignore[union-attr]
    return score


def main() -> int:
    right = total = wrong = 0
    for item in CASES:
        score = score_case(item)
        right, total, wrong = right + score.right, total + score.total, wrong + len(score.wrong or [])
        missed = " ".join(score.missed or [])
        print(f"{item.name:45s} {score.right:3d}/{score.total:3d}  missing {score.missing:2d} {missed}")
        for line in score.wrong or []:
            print(f"    WRONG {line}")
    print(f"TOTAL {right}/{total} = {right / total:.1%}  wrong values: {wrong}  forms: {len(CASES)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
