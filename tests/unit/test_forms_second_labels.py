"""Second labels after an answer, headings above their real label, letterheads that are also
answers, through the real `mailbot parse FILE --json`.

Classes seen in forms written by other people: 'N° d'immatriculation SIRET : 207 187 287 000 41
Email de réponse : …' (a label read by its meaning words whose answer is followed by a second
label); 'Quand souhaitez-vous recruter ?'; 'Ce que fera la personne' above a list (a heading by
shape that names the field of the answer under it); 'Poste proposé' above 'Métier' above the
title; 'Conditions particulières d'exercice'; the company's name printed at the top of every page
and, once, as the answer at the bottom of a page.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers.mail_builder import message, text_part
from tests.helpers.pdf_builder import PdfPage, build_pdf


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
    headers = {"From": "Erwan Guillou <direction@guillou.example>", "Subject": "Demande de recrutement"}
    return message(headers, text_part(body))


TWO_COLUMNS = """Bonjour,

Structure : Déménagements Guillou Bretagne Numéro où vous joindre : 02 97 46 33 87
N° d'immatriculation SIRET : 732 829 320 000 74 Email de réponse : direction@guillou.example
Référent entreprise : M. Erwan Guillou – Directeur
Adresse postale : ZA du Prat, 11 rue Jean-Monnet, 56000 Vannes
Emploi proposé : Déménageur
Postes ouverts : un
Quand souhaitez-vous recruter ? : 8 juin 2027
Nature du contrat : CDI
Temps de travail : 35h/semaine

Cordialement,
Erwan Guillou
"""


def test_second_label_after_an_answer_read_by_meaning(tmp_path: Path) -> None:
    form = _parse(tmp_path, "deux_colonnes.eml", _mail(TWO_COLUMNS))["forms"][0]
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["email"] == "direction@guillou.example"
    assert form["company"]["phone"] == "+33297463387"
    assert form["job"]["recruitment_date"] == "2027-06-08"
    assert form["job"]["positions"] == 1


ABOVE = """Bonjour,

Nom de la société
Chaudronnerie Ligérienne SA
N° SIRET
732 829 320 000 74
Interlocuteur
Sandrine Bouvier (RH)
Téléphone
02 40 73 14 50
Poste proposé
Métier
Soudeur TIG/MIG
Nombre de postes
2
Date d'embauche souhaitée
26/07/2027
Ce que fera la personne
– Soudure de pièces inox et acier
– Contrôle visuel des cordons
Compétences
Maîtrise des procédés TIG et MIG
Conditions particulières d'exercice
Travail en espace confiné possible
Type de contrat
CDI
Lieu de travail
Nantes

Cordialement,
Sandrine Bouvier
"""


def test_headings_naming_the_field_above_answers(tmp_path: Path) -> None:
    form = _parse(tmp_path, "dessous.eml", _mail(ABOVE))["forms"][0]
    assert form["job"]["title"] == "Soudeur TIG/MIG"
    assert form["job"]["main_activities"] == (
        "Soudure de pièces inox et acier Contrôle visuel des cordons")
    assert form["job"]["special_requirements"] == "Travail en espace confiné possible"
    assert form["job"]["required_skills"] == "Maîtrise des procédés TIG et MIG"
    assert form["conditions"]["workplace"] == "Nantes"


def _page(lines: list[str], number: int) -> PdfPage:
    texts = [(50, 800, "TRIVALO Maine SCOP", 11), (50, 786, "Le Mans – Standard : 02 43 81 55 00", 9)]
    y = 750.0
    for line in lines:
        texts.append((50, y, line, 10))
        y -= 16
    texts += [(50, 40, "Maison de l'Emploi – 14 quai Duguay-Trouin, 35000 Rennes – Tél. 02 99 41 70 70", 7),
              (280, 25, f"Page {number}", 8)]
    return PdfPage(texts=texts)


def test_letterhead_name_is_still_the_answer_at_a_page_bottom(tmp_path: Path) -> None:
    first = ["Formulaire de liaison employeur", "1) Quel poste proposez-vous ?", "Agent de tri",
             "2) Effectif à recruter", "02", "3) Date de début", "le 14 avril 2027",
             "4) Type de contrat proposé", "CDDI", "5) Si CDD, durée", "4 mois",
             "6) Horaires hebdomadaires", "26", "7) Site d'intervention", "Centre de tri du Mans",
             "II – COORDONNÉES DE L'ENTREPRISE", "8) Entreprise attributaire", "TRIVALO Maine SCOP"]
    second = ["9) Localisation du siège", "Centre de tri, route de Laval, 72000 Le Mans",
              "10) Siret établissement", "732 829 320 000 74",
              "11) Qui suit le recrutement ?", "Mme Fatou Diallo – Chargée de recrutement",
              "12) Adresse mail", "f.diallo@trivalo.example", "Fait à Le Mans, le 16/01/2027"]
    data = build_pdf([_page(first, 1), _page(second, 2)])
    form = _parse(tmp_path, "trivalo.pdf", data)["forms"][0]
    assert form["company"]["legal_name"] == "TRIVALO Maine SCOP"
    assert form["company"]["siret"] == "73282932000074"
    assert form["conditions"]["workplace"] == "Centre de tri du Mans"
