"""Second labels after an answer, headings above their real label, letterheads that are also
answers, through the real `mailbot parse FILE --json`.

Classes seen in forms written by other people (corpora K and L): 'N° d'immatriculation SIRET : 207
187 287 000 41 Email de réponse : …' (a label read by its meaning words whose answer is followed by
a second label); 'Quand souhaitez-vous recruter ?'; 'Ce que fera la personne' above a list (a
heading by shape that names the field of the answer under it); 'Poste proposé' above 'Métier' above
the title; 'Conditions particulières d'exercice'; the company's name printed at the top of every
page and, once, as the answer at the bottom of a page; a need written as a sentence ('Nous
recherchons trois (3) personnes pour le 2 mars 2027, en contrat d'apprentissage de 2 ans…');
'Qualification' under a known title; 'Où se situe votre établissement ?'; HTML bold labels parted
from their answers by non-breaking spaces, and list items under a label.
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


SENTENCES = """Bonjour,

Dans le cadre du marché « Réaménagement des quais – Lot n° 2 », nous avons un besoin de recrutement.

Poste n°1

Nous recherchons trois (3) personnes pour le 2 mars 2027, en contrat d'apprentissage de 2 ans, \
à raison de 39 heures par semaine.

Quel poste souhaitez-vous pourvoir ? Jardinier paysagiste
Missions : Tonte, taille des haies et débroussaillage
Qualités recherchées : Connaissance des végétaux
Salaire : Taux horaire 13,10 € brut

Poste n°2

Nous recherchons quatre (4) personnes pour le lundi 22 février 2027, en CDD de 3 mois renouvelable, \
à raison de 24 heures par semaine.

Quel poste souhaitez-vous pourvoir ? Manœuvre BTP
Missions : Nettoyage et rangement du chantier
Qualités recherchées : Motivation, ponctualité
Salaire : 11,88 €/h brut

Nos coordonnées :
Quel est le nom de votre entreprise ? Jardins et Paysages de l'Orne
N° SIRET : 732 829 320 000 74
Où se situe votre établissement ? 18 chemin du Val Fleuri 61000 Alençon
Téléphone : 02/33261245

Cordialement,
Nathalie Rousseau
"""


def test_a_need_written_as_a_sentence(tmp_path: Path) -> None:
    """Positions, start date, contract and weekly hours given in one sentence per job."""
    first, second = _parse(tmp_path, "phrases.eml", _mail(SENTENCES))["forms"]
    assert (first["job"]["positions"], first["job"]["recruitment_date"]) == (3, "2027-03-02")
    assert first["conditions"]["contract_type"] == "APPRENTISSAGE"
    assert first["conditions"]["contract_duration"] == "2 ans"
    assert first["conditions"]["weekly_hours"] == 39
    assert (second["job"]["positions"], second["job"]["recruitment_date"]) == (4, "2027-02-22")
    assert second["conditions"]["contract_type"] == "CDD"
    assert second["conditions"]["contract_duration"] == "3 mois renouvelable"
    assert second["conditions"]["weekly_hours"] == 24
    assert first["job"]["title"] == "Jardinier paysagiste"
    assert second["job"]["title"] == "Manœuvre BTP"
    assert any("lu comme Nombre de postes" in p for p in first["problems"])
    assert first["company"]["address"] == "18 chemin du Val Fleuri 61000 Alençon"  # 'Où se situe…'
    assert first["company"]["phone"] == "+33233261245"  # '02/33261245'


QUALIFICATION = """Bonjour,

Raison sociale : Manutention Portuaire du Havre SAS
Siret : 732 829 320 000 74
Intitulé du poste : Agent de quai
Combien de personnes recrutez-vous ? 2
Date souhaitée d'arrivée : 05/04/2027
Expérience souhaitée : Débutant accepté
Qualification : CACES R489 catégorie 3 souhaité
Autres exigences : Port des EPI obligatoire
Nature du contrat : CDI

Cordialement
"""


def test_qualification_under_a_known_title_is_the_training(tmp_path: Path) -> None:
    """A second wording of the title's field whose words also name the training is the
    training, not the next job (a next job repeats the same labels)."""
    forms = _parse(tmp_path, "qualification.eml", _mail(QUALIFICATION))["forms"]
    assert len(forms) == 1
    assert forms[0]["job"]["title"] == "Agent de quai"
    assert forms[0]["job"]["training"] == "CACES R489 catégorie 3 souhaité"


HTML = """<html><body><p>Bonjour,</p>
<h3><u>Coordonnées de l'entreprise</u></h3>
<p><b>Dénomination sociale</b>&nbsp;&nbsp;Démolition Somme Picardie SARL</p>
<p><b>N° de SIRET (14 chiffres)</b>&nbsp;&nbsp;732.829.320.00074</p>
<p><b>Interlocuteur</b>&nbsp;&nbsp;M. Thierry Caron – Gérant</p>
<p><b>Téléphone du contact</b>&nbsp;&nbsp;06.75.31.88.42</p>
<h3><u>Profil de poste</u></h3>
<p><b>Poste</b>&nbsp;&nbsp;Ouvrier de démolition</p>
<p><b>Effectif recherché</b>&nbsp;&nbsp;Quatre (4)</p>
<p><b>Tâches confiées</b></p><ul><li>Curage des bâtiments</li><li>Tri des déchets</li>\
<li>Découpe au chalumeau</li></ul>
<p><b>Type de contrat proposé</b>&nbsp;&nbsp;CDI temps plein</p>
<p><b>Localisation du poste</b>&nbsp;&nbsp;Rue de Poulainville, Amiens</p>
<p>Cordialement,<br>Thierry Caron</p></body></html>
"""


def test_html_bold_labels_parted_by_non_breaking_spaces(tmp_path: Path) -> None:
    data = message({"From": "Thierry Caron <t.caron@dsp.example>", "Subject": "Fiche de liaison"},
                   text_part(HTML, "html"))
    form = _parse(tmp_path, "gras.eml", data)["forms"][0]
    assert form["company"]["legal_name"] == "Démolition Somme Picardie SARL"
    assert form["job"]["positions"] == 4
    assert form["job"]["main_activities"] == "Curage des bâtiments Tri des déchets Découpe au chalumeau"
    assert form["conditions"]["workplace"] == "Rue de Poulainville, Amiens"


def _docx_with_content_controls() -> bytes:
    """A Word template whose answers sit in inline content controls (w:sdt), one of them still
    showing its placeholder."""
    import io

    from docx import Document
    from docx.oxml import parse_xml

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    document = Document()
    rows = [("Raison sociale", "Génie Civil Métro 15 Sud", False),
            ("Numéro SIRET", "732 829 320 000 74", False),
            ("Interlocuteur", "Mme Hélène Robert", False), ("Téléphone", "0692 14 86 02", False),
            ("Intitulé du poste", "Coffreur bancheur", False), ("Nombre de postes", "2", False),
            ("Type de contrat", "CDI", False), ("Lieu de travail", "Créteil", False),
            ("Courriel", "Cliquez ici pour entrer du texte.", True)]
    for label, answer, placeholder in rows:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label} : ").bold = True
        shown = "<w:showingPlcHdr/>" if placeholder else ""
        paragraph._p.append(parse_xml(
            f"<w:sdt {w}><w:sdtPr><w:alias w:val=\"{label}\"/>{shown}</w:sdtPr><w:sdtContent>"
            f"<w:r><w:t xml:space=\"preserve\">{answer}</w:t></w:r></w:sdtContent></w:sdt>"))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_docx_answers_in_content_controls(tmp_path: Path) -> None:
    form = _parse(tmp_path, "controles.docx", _docx_with_content_controls())["forms"][0]
    assert form["company"]["legal_name"] == "Génie Civil Métro 15 Sud"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["phone"] == "+262692148602"  # La Réunion
    assert form["job"]["title"] == "Coffreur bancheur"
    assert form["conditions"]["workplace"] == "Créteil"
    assert form["company"]["email"] is None  # the placeholder is no answer
