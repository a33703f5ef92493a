"""Layout classes of forms written by other people, through the real `mailbot parse FILE --json`.

Numbered questions answered on the next line after 'Réponse :'; a marked heading that names a
field ('■ CONTRAT'); a label opened by a section word above its answer ('Modalité de
recrutement'); a label holding a colon ('Si contrat temporaire : durée'); '/' and 'Néant' as
empty answers; the signing line ('À Tarbes, le 3 mars 2027') ending the answer above it; ruled
job headings ('--- Offre B ---'); a table row whose answer is also a label wording; a letterhead
company name holding a field's meaning word; a merged contract 'CDD – quatre mois'.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mailbot.parse.normalise import split_duration
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
    headers = {"From": "Karine Dupouy <k.dupouy@toitures-bigorre.example>", "Subject": "Notre besoin"}
    return message(headers, text_part(body))


NUMBERED = """Bonjour,

Voici notre besoin :

A) LE POSTE

1. Libellé du poste
Réponse : Couvreur zingueur

2. Nombre de postes
Réponse : 02

3. À partir de quand ?
Réponse : 14/06/2027

4. Contenu du poste
– Pose d'ardoises et de tuiles
– Habillage zinc des rives

5. Compétences attendues
Réponse : ________________

6. Si contrat temporaire : durée
Réponse : 6 mois

B) L'ENTREPRISE

7. Nom de la société
Réponse : Toitures de Bigorre SARL

8. Numéro SIRET
Réponse : 732 829 320 00074

9. Qui suit ce recrutement ?
Réponse : Karine Dupouy

10. Joignable au
Réponse : 05 62 34 12 90

11. Type de contrat
Réponse : CDD

12. Où se déroulera le travail ?
Réponse : Tarbes (65)

Bien à vous,
Karine Dupouy
"""


def test_numbered_questions_answered_after_reponse(tmp_path: Path) -> None:
    (form,) = _parse(tmp_path, "numbered.eml", _mail(NUMBERED))["forms"]
    assert form["job"]["title"] == "Couvreur zingueur"
    assert form["job"]["positions"] == 2
    assert form["job"]["recruitment_date"] == "2027-06-14"
    assert form["job"]["main_activities"] == "Pose d'ardoises et de tuiles Habillage zinc des rives"
    assert form["job"]["required_skills"] is None
    assert "job.required_skills" in form["missing"]
    assert form["company"]["legal_name"] == "Toitures de Bigorre SARL"
    assert form["company"]["siret"] == "73282932000074"
    assert form["company"]["contact_name"] == "Karine Dupouy"
    assert form["company"]["phone"] == "+33562341290"
    assert form["conditions"]["contract_type"] == "CDD"
    assert form["conditions"]["contract_duration"] == "6 mois"
    assert form["conditions"]["workplace"] == "Tarbes (65)"


ANSWERS_BELOW = [
    "Fiche de liaison",
    "■ LE POSTE",
    "Métier",
    "Aide à domicile",
    "Nb de postes",
    "3",
    "Missions confiées",
    "Aide aux courses et aux repas",
    "Exigences particulières",
    "/",
    "■ CONTRAT",
    "Modalité de recrutement",
    "Contrat à durée déterminée d'insertion (CDDI)",
    "Durée",
    "4 mois",
    "Heures par semaine",
    "26 heures",
    "Lieu de travail",
    "Néant",
    "■ ENTREPRISE",
    "Raison sociale",
    "Association Aide et Vie Gascogne",
    "SIRET",
    "732 829 320 00074",
    "Interlocuteur",
    "Mme Inès Labarthe",
    "",
    "À Auch, le 3 mars 2027",
    "Signature :",
]


def test_marked_heading_section_word_label_and_empty_markers(tmp_path: Path) -> None:
    (form,) = _parse(tmp_path, "below.docx", docx_tables(ANSWERS_BELOW))["forms"]
    assert form["job"]["title"] == "Aide à domicile"
    assert form["conditions"]["contract_type"] == "CDDI"  # '■ CONTRAT' is the heading, not the label
    assert form["conditions"]["contract_duration"] == "4 mois"
    assert form["job"]["special_requirements"] is None  # '/'
    assert form["conditions"]["workplace"] is None  # 'Néant'
    assert {"job.special_requirements", "conditions.workplace"} <= set(form["missing"])
    assert form["company"]["legal_name"] == "Association Aide et Vie Gascogne"
    assert form["company"]["contact_name"] == "Mme Inès Labarthe"


RULED_JOBS = """Bonjour,

Raison sociale : Voirie Garonne SAS
N° SIRET : 732 829 320 00074
Qui suit ce recrutement ? Paul Ader

--- Offre A ---
Quel poste souhaitez-vous pourvoir ? Ouvrier VRD
Combien de personnes recherchez-vous ? Deux
Forme du contrat : CDD
Si contrat temporaire : durée : 6 mois
Lieu de travail : Agen (47)

--- Offre B ---
Quel poste souhaitez-vous pourvoir ? Chef d'équipe VRD
Combien de personnes recherchez-vous ? Un seul
Forme du contrat : CDD – quatre mois
Lieu de travail : Montauban (82)
À Agen, le 12 janvier 2027

Salutations distinguées,
Paul Ader
"""


def test_ruled_job_headings_and_a_label_holding_a_colon(tmp_path: Path) -> None:
    first, second = _parse(tmp_path, "ruled.eml", _mail(RULED_JOBS))["forms"]
    assert (first["job"]["title"], second["job"]["title"]) == ("Ouvrier VRD", "Chef d'équipe VRD")
    assert (first["job"]["positions"], second["job"]["positions"]) == (2, 1)
    assert first["conditions"]["contract_type"] == "CDD"
    assert first["conditions"]["contract_duration"] == "6 mois"  # 'Si contrat temporaire : durée : …'
    assert second["conditions"]["contract_duration"] == "quatre mois"
    assert second["conditions"]["workplace"] == "Montauban (82)"  # the signing line ends it
    assert first["company"]["contact_name"] == second["company"]["contact_name"] == "Paul Ader"


def test_table_row_whose_answer_is_a_label_wording_and_a_letterhead_name(tmp_path: Path) -> None:
    rows = [
        ["Structure", "Recyclerie du Lot SCOP"],
        ["Identifiant SIRET", "732 829 320 00074"],
        ["Localisation de l'entreprise", "12 rue des Carmes, 46000 Cahors"],
        ["Fonction", "Valoriste"],
        ["Nombre de postes", "1"],
        ["Contrat", "Alternance – contrat de professionnalisation"],
        ["Période d'emploi", "12 mois"],
        ["Localisation du poste", "Figeac (46)"],
    ]
    pdf = pdf_tables(["Travaux et Services du Quercy SASU", Table(rows)])
    (form,) = _parse(tmp_path, "table.pdf", pdf)["forms"]
    assert form["conditions"]["contract_type"] == "CONTRAT_PRO"
    assert form["conditions"]["contract_duration"] == "12 mois"
    assert form["company"]["address"] == "12 rue des Carmes, 46000 Cahors"
    assert form["conditions"]["workplace"] == "Figeac (46)"
    assert form["job"]["main_activities"] is None  # the letterhead's 'Travaux …' is no label


def test_merged_contract_with_a_dash() -> None:
    assert split_duration("CDD – quatre mois") == "quatre mois"
    assert split_duration("CDD d'insertion – 4 mois renouvelable") == "4 mois renouvelable"
    assert split_duration("CDI – temps plein") is None
