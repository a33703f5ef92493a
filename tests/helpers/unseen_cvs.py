"""A held-out corpus of CVs unlike the samples, each with the candidate the contract expects.

Built in code (names, numbers and domains invented). Used by tests/unit/test_cv_unseen.py and,
as attachments, by the held-out e-mails.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from tests.helpers.cv_builder import cv_docx, cv_pdf

__all__ = ["CvCase", "cv_cases", "cv_case"]


@dataclass(frozen=True)
class CvCase:
    name: str
    filename: str
    data: bytes
    candidate: dict


def _who(first, last, email, phone) -> dict:
    return {"first_name": first, "last_name": last, "email": email, "phone": phone}


@cache
def cv_cases() -> tuple[CvCase, ...]:
    cases = [
        CvCase(
            "jean_pierre_martin_pdf",
            "cv_jpm.pdf",
            cv_pdf(
                [
                    ("Jean-Pierre MARTIN", 18),
                    "Agent d'entretien polyvalent",
                    "12 rue des Coquelicots",
                    "80090 Amiens",
                    "Tél. : +33 6 12 34 56 78",
                    "Jean-Pierre.Martin@Exemple-Mail.FR",
                    "",
                    "PROFIL",
                    "Dix ans d'expérience dans l'entretien de locaux.",
                    "",
                    "EXPÉRIENCES PROFESSIONNELLES",
                    "2019 – 2024 : Agent d'entretien, Net Plus Amiens",
                    "2015 – 2019 : Plongeur, Brasserie du Beffroi",
                    "",
                    "FORMATION",
                    "2014 : CAP Propreté",
                    "",
                    "LANGUES",
                    "Français, arabe",
                ]
            ),
            _who("Jean-Pierre", "Martin", "jean-pierre.martin@exemple-mail.fr", "+33612345678"),
        ),
        CvCase(
            "surname_first_docx",
            "CV.docx",
            cv_docx(
                [
                    "MARTIN Jean-Pierre",
                    "Né le 04/05/1988 – Permis B",
                    "06.12.34.56.78 – jp.martin80@exemple-webmail.com",
                    "Expérience professionnelle",
                    "Maçon VRD – Entreprise Ducrocq (2016 – 2024)",
                    "Formation",
                    "CAP Maçon – CFA BTP Amiens",
                    "Compétences",
                    "Coffrage, ferraillage",
                ],
                headings=("Expérience professionnelle", "Formation", "Compétences"),
            ),
            _who("Jean-Pierre", "Martin", "jp.martin80@exemple-webmail.com", "+33612345678"),
        ),
        CvCase(
            "civility_no_phone_pdf",
            "cv-fatima.pdf",
            cv_pdf(
                [
                    ("Mme Fatima EL AMRANI", 16),
                    "fatima.elamrani@exemple-boite.net",
                    "Amiens (80000)",
                    "",
                    "Expériences",
                    "2021 – 2023 : Aide à domicile, ADMR Somme",
                    "Formations",
                    "2020 : Titre professionnel Assistante de vie aux familles",
                    "Centres d'intérêt",
                    "Cuisine, randonnée",
                ]
            ),
            _who("Fatima", "El Amrani", "fatima.elamrani@exemple-boite.net", None),
        ),
        CvCase(
            "labelled_nom_prenom_pdf",
            "CV_candidat.pdf",
            cv_pdf(
                [
                    ("CURRICULUM VITAE", 16),
                    "",
                    "Nom : Dupont",
                    "Prénom : Marie",
                    "Adresse : 3 place Gambetta, 80000 Amiens",
                    "Téléphone : 07 81 22 33 44",
                    "Courriel : marie.dupont.80@exemple-mail.fr",
                    "",
                    "Expérience professionnelle",
                    "2022 : Employée libre-service, Carrefour Market",
                    "Formation",
                    "Bac pro Commerce",
                    "Compétences",
                    "Mise en rayon, caisse",
                ]
            ),
            _who("Marie", "Dupont", "marie.dupont.80@exemple-mail.fr", "+33781223344"),
        ),
        CvCase(
            "two_columns_header_pdf",
            "cv_thomas.pdf",
            cv_pdf(
                [
                    "PROFIL",
                    "Cariste expérimenté, CACES 1-3-5.",
                    "",
                    "EXPÉRIENCES",
                    "2018 – 2024 : Cariste, Logistique Picardie",
                    "",
                    "FORMATION",
                    "2017 : CACES R489",
                ],
                side=[
                    "CONTACT",
                    "06 45 67 89 01",
                    "thomas.roux@exemple-mail.fr",
                    "Longueau",
                    "",
                    "COMPÉTENCES",
                    "Gestion de stock",
                    "Chargement",
                    "",
                    "LANGUES",
                    "Anglais",
                ],
                header=[("Thomas ROUX", 22), ("Cariste – Magasinier", 12)],
            ),
            _who("Thomas", "Roux", "thomas.roux@exemple-mail.fr", "+33645678901"),
        ),
        CvCase(
            "curriculum_first_line_docx",
            "cv_2027.docx",
            cv_docx(
                [
                    "Curriculum Vitae",
                    "Aïssatou DIALLO",
                    "Aide-soignante diplômée",
                    "Portable : 06 98 76 54 32",
                    "E-mail : aissatou.diallo@exemple-webmail.com",
                    "Diplômes",
                    "2019 : DEAS – IFAS Amiens",
                    "Expériences professionnelles",
                    "2019 – 2024 : Aide-soignante, EHPAD Les Tilleuls",
                    "Qualités",
                    "Patience, écoute",
                ]
            ),
            _who("Aïssatou", "Diallo", "aissatou.diallo@exemple-webmail.com", "+33698765432"),
        ),
        CvCase(
            "job_title_in_caps_above_name_pdf",
            "cv_kevin.pdf",
            cv_pdf(
                [
                    ("AGENT DE SÉCURITÉ", 12),
                    ("Kévin LEFÈVRE", 20),
                    "Tél : 07-61-22-33-44",
                    "kevin.lefevre@exemple-mail.fr",
                    "",
                    "Expériences",
                    "2020 – 2024 : Agent de sécurité incendie, Sécuritas",
                    "Formation",
                    "SSIAP 1",
                    "Permis",
                    "Permis B",
                ]
            ),
            _who("Kévin", "Lefèvre", "kevin.lefevre@exemple-mail.fr", "+33761223344"),
        ),
        CvCase(
            "references_person_pdf",
            "cv.pdf",
            cv_pdf(
                [
                    ("Nadia BOUZID", 18),
                    "nadia.bouzid@exemple-boite.net",
                    "06 22 33 44 55",
                    "",
                    "Expériences",
                    "2019 – 2024 : Agent de restauration, Collège Jules Verne",
                    "Formation",
                    "CAP Agent polyvalent de restauration",
                    "Références",
                    "M. Paul DURAND, chef de cuisine – 06 98 11 22 33",
                    "paul.durand@college-exemple.fr",
                ]
            ),
            _who("Nadia", "Bouzid", "nadia.bouzid@exemple-boite.net", "+33622334455"),
        ),
        CvCase(
            "english_headings_pdf",
            "resume_ngozi.pdf",
            cv_pdf(
                [
                    ("Ngozi OKAFOR", 18),
                    "Phone: +33 (0)7 55 44 33 22",
                    "Email: ngozi.okafor@exemple-mail.fr",
                    "",
                    "Work experience",
                    "2021 – 2024 : Warehouse operative, Amazon Boves",
                    "Education",
                    "2020 : BTEC Logistics",
                    "Skills",
                    "Forklift, inventory",
                    "Languages",
                    "English, French",
                ]
            ),
            _who("Ngozi", "Okafor", "ngozi.okafor@exemple-mail.fr", "+33755443322"),
        ),
        CvCase(
            "particle_surname_docx",
            "mon_cv.docx",
            cv_docx(
                [
                    "Anne-Sophie DE LA TOUR",
                    "Secrétaire administrative",
                    "anne-sophie.delatour@exemple-webmail.com",
                    "0322456789 / 0678901234",
                    "Parcours professionnel",
                    "2015 – 2024 : Secrétaire, Mairie de Camon",
                    "Formation",
                    "BTS Assistant de gestion",
                    "Compétences",
                    "Word, Excel, accueil",
                ]
            ),
            _who("Anne-Sophie", "De La Tour", "anne-sophie.delatour@exemple-webmail.com", "+33322456789"),
        ),
        CvCase(
            "name_in_docx_header",
            "CV_maj.docx",
            cv_docx(
                [
                    "Expériences",
                    "2022 – 2024 : Ouvrier paysagiste, Espaces Verts de l'Avre",
                    "Formation",
                    "CAPa Jardinier paysagiste",
                    "Compétences",
                    "Taille, tonte, plantation",
                ],
                header=["Yanis CHERIF – 06 33 44 55 66 – yanis.cherif@exemple-mail.fr"],
            ),
            _who("Yanis", "Cherif", "yanis.cherif@exemple-mail.fr", "+33633445566"),
        ),
        CvCase(
            "name_in_docx_table",
            "CV - candidature.docx",
            cv_docx(
                [
                    "Objectif professionnel",
                    "Intégrer une équipe de nettoyage industriel.",
                    "Expérience",
                    "2023 : Agent de propreté, Onet",
                    "Formation",
                    "CAP APH",
                ],
                table=[["Samuel BERNARD", "Tél. 07 12 12 34 34\nsamuel.bernard@exemple-boite.net"]],
            ),
            _who("Samuel", "Bernard", "samuel.bernard@exemple-boite.net", "+33712123434"),
        ),
        CvCase(
            "lowercase_mixed_names_pdf",
            "CV Lea.pdf",
            cv_pdf(
                [
                    ("Léa Vandenbroucke", 20),
                    "Serveuse",
                    "+33 6 71 82 93 04",
                    "lea.vdb@exemple-mail.fr",
                    "",
                    "Expérience",
                    "2022 – 2024 : Serveuse, Le Quai Amiens",
                    "Formation",
                    "Bac pro Cuisine et service",
                    "Loisirs",
                    "Danse",
                ]
            ),
            _who("Léa", "Vandenbroucke", "lea.vdb@exemple-mail.fr", "+33671829304"),
        ),
        CvCase(
            "nom_prenom_one_line_docx",
            "fichier.docx",
            cv_docx(
                [
                    "CV",
                    "Nom et prénom : BENSAÏD Karim",
                    "Adresse : 5 allée des Peupliers, 80080 Amiens",
                    "Tél. : 06 11 22 33 44",
                    "Mail : Karim.Bensaid@Exemple-Boite.NET",
                    "Expériences professionnelles",
                    "2020 – 2024 : Manutentionnaire, Leroy Merlin",
                    "Formation",
                    "CAP Opérateur logistique",
                ]
            ),
            _who("Karim", "Bensaïd", "karim.bensaid@exemple-boite.net", "+33611223344"),
        ),
        CvCase(
            "address_block_before_name_pdf",
            "cv_pdf_1.pdf",
            cv_pdf(
                [
                    "Rue de la République",
                    "80000 Amiens",
                    ("Sandrine COQUART", 18),
                    "Née le 12/03/1979",
                    "Tél. fixe : 03 22 11 22 33",
                    "Mobile : 06 77 88 99 00",
                    "Courriel : s.coquart@exemple-webmail.com",
                    "",
                    "Expériences professionnelles",
                    "2010 – 2024 : Agent de service hospitalier, CHU Amiens-Picardie",
                    "Formation",
                    "CAP Petite enfance",
                ]
            ),
            _who("Sandrine", "Coquart", "s.coquart@exemple-webmail.com", "+33322112233"),
        ),
        CvCase(
            "no_contact_at_all_docx",
            "CV_Ibrahima_SOW.docx",
            cv_docx(
                [
                    "Ibrahima SOW",
                    "Maçon coffreur",
                    "Expériences",
                    "2019 – 2024 : Maçon, Bâti Somme",
                    "Formation",
                    "Titre professionnel Maçon",
                    "Compétences",
                    "Lecture de plans",
                ]
            ),
            _who("Ibrahima", "Sow", None, None),
        ),
        CvCase(
            "mailto_and_dots_phone_pdf",
            "CV_AUDREY.pdf",
            cv_pdf(
                [
                    ("AUDREY LEMAIRE", 18),
                    "Assistante comptable",
                    "06.52.41.30.20 – mailto:Audrey.Lemaire@Exemple-Mail.fr",
                    "",
                    "Compétences clés",
                    "Saisie comptable, rapprochements bancaires",
                    "Expériences",
                    "2018 – 2024 : Assistante comptable, Cabinet Fidu80",
                    "Formation",
                    "BTS Comptabilité et gestion",
                ]
            ),
            _who("Audrey", "Lemaire", "audrey.lemaire@exemple-mail.fr", "+33652413020"),
        ),
        # second wave, written after the first fixes (to check they generalise)
        CvCase(
            "name_stacked_on_two_lines_pdf",
            "moncv.pdf",
            cv_pdf(
                [
                    ("Moussa", 24),
                    ("KONATÉ", 24),
                    "Préparateur de commandes",
                    "07 81 92 03 14",
                    "moussa.konate@exemple-webmail.com",
                    "",
                    "Expériences",
                    "2020 – 2024 : Préparateur, Lidl Amiens",
                    "Formation",
                    "CACES R489 cat. 1",
                    "Compétences",
                    "Picking, filmage",
                ]
            ),
            _who("Moussa", "Konaté", "moussa.konate@exemple-webmail.com", "+33781920314"),
        ),
        CvCase(
            "name_with_age_comma_docx",
            "CV_2.docx",
            cv_docx(
                [
                    "Inès FERREIRA, 24 ans",
                    "Vendeuse en boulangerie",
                    "Tél : 06 31 42 53 64",
                    "ines.ferreira@exemple-mail.fr",
                    "Expériences",
                    "Vendeuse, Boulangerie Paul",
                    "Formation",
                    "CAP Vendeuse",
                    "Qualités",
                    "Souriante, ponctuelle",
                ]
            ),
            _who("Inès", "Ferreira", "ines.ferreira@exemple-mail.fr", "+33631425364"),
        ),
        CvCase(
            "caps_job_title_first_docx",
            "cv_dylan.docx",
            cv_docx(
                [
                    "CARISTE – PRÉPARATEUR DE COMMANDES",
                    "Dylan Vasseur",
                    "Mob. 06 21 32 43 54",
                    "dylan.vasseur@exemple-boite.net",
                    "Expériences professionnelles",
                    "Cariste, Geodis",
                    "Formation",
                    "CACES 1, 3, 5",
                    "Loisirs",
                    "Football",
                ]
            ),
            _who("Dylan", "Vasseur", "dylan.vasseur@exemple-boite.net", "+33621324354"),
        ),
        CvCase(
            "civility_and_city_line_pdf",
            "CV_M_Lucas_GAUTHIER.pdf",
            cv_pdf(
                [
                    ("M. Lucas GAUTHIER", 18),
                    "Abbeville",
                    "lucas.gauthier@exemple-mail.fr",
                    "(+33) 6 44 55 66 77",
                    "",
                    "Expériences",
                    "Couvreur, Toitures de la Somme",
                    "Formation",
                    "CAP Couvreur",
                    "Compétences",
                    "Zinguerie",
                ]
            ),
            _who("Lucas", "Gauthier", "lucas.gauthier@exemple-mail.fr", "+33644556677"),
        ),
    ]
    return tuple(cases)


def cv_case(name: str) -> CvCase:
    return next(c for c in cv_cases() if c.name == name)
