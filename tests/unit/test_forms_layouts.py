"""Layout rules of the form parser on small hand-written forms."""

from __future__ import annotations

from mailbot.parse.forms import parse_forms_in_text

COMPANY = """Raison sociale : Bâti Nord SAS
SIRET : 967 897 158 000 77
Adresse : 3 rue Haute
80000 Amiens
Personne à contacter : Mme Hélène Dupré – Responsable RH
Tél. : 06 12 34 56 78
Courriel : H.Dupre@Bati-Nord.fr
"""

JOB_1 = """Poste n° 1
Intitulé du poste : Maçon
Nombre de postes : Deux (2)
Date d'embauche : 1er mars 2027
Missions principales :
- Montage de murs
- Enduits
Type de contrat : CDD de 6 mois
Durée hebdomadaire : 35 h
Salaire brut : SMIC
Lieu de travail : Amiens
"""

JOB_2 = """Poste n° 2
Intitulé du poste : Coffreur
Nombre de postes : 1
Date d'embauche : 15/03/2027
Missions principales : Coffrage bois
Type et durée du contrat : Contrat à durée déterminée d'insertion 4 mois
Durée hebdomadaire : 24,5 h
Salaire brut : SMIC
Lieu de travail : Boves
"""


def test_two_jobs_give_two_forms_with_the_company_repeated() -> None:
    forms = parse_forms_in_text(COMPANY + JOB_1 + JOB_2)
    assert [f["job"]["title"] for f in forms] == ["Maçon", "Coffreur"]
    for form in forms:
        assert form["company"]["legal_name"] == "Bâti Nord SAS"
        assert form["company"]["email"] == "h.dupre@bati-nord.fr"
        assert form["company"]["phone"] == "+33612345678"
    first, second = forms
    assert first["job"]["positions"] == 2
    assert first["job"]["recruitment_date"] == "2027-03-01"
    assert first["job"]["main_activities"] == "Montage de murs Enduits"
    assert first["company"]["address"] == "3 rue Haute 80000 Amiens"
    assert first["company"]["contact_name"] == "Mme Hélène Dupré – Responsable RH"
    assert (first["conditions"]["contract_type"], first["conditions"]["contract_duration"]) == (
        "CDD",
        "6 mois",
    )
    assert first["conditions"]["workplace"] == "Amiens"
    assert (second["conditions"]["contract_type"], second["conditions"]["contract_duration"]) == (
        "CDDI",
        "4 mois",
    )
    assert second["conditions"]["weekly_hours"] == 24.5
    not_asked = {"job.required_skills", "job.experience", "job.training", "job.special_requirements"}
    assert set(first["missing"]) == set(second["missing"]) == not_asked


def test_dotted_leaders_and_blank_answers_are_missing() -> None:
    text = COMPANY.replace("06 12 34 56 78", "………………") + JOB_1.replace("SMIC", "")
    (form,) = parse_forms_in_text(text)
    assert form["company"]["phone"] is None
    assert set(form["missing"]) >= {"company.phone", "conditions.gross_salary"}
    assert form["problems"] == []


def test_cdi_duration_is_null_and_not_missing() -> None:
    text = COMPANY + JOB_1.replace("CDD de 6 mois", "Contrat à durée indéterminée")
    (form,) = parse_forms_in_text(text + "Durée du contrat : ....\n")
    assert form["conditions"]["contract_type"] == "CDI"
    assert form["conditions"]["contract_duration"] is None
    assert "conditions.contract_duration" not in form["missing"]


def test_value_problems_are_reported() -> None:
    text = (COMPANY + JOB_1).replace("967 897 158 000 77", "967 897 158 000 78")
    text = text.replace("1er mars 2027", "semaine du 10")
    (form,) = parse_forms_in_text(text)
    assert form["company"]["siret"] == "96789715800078"
    assert any("SIRET" in p for p in form["problems"])
    assert any("date" in p for p in form["problems"])
    assert "job.recruitment_date" not in form["missing"]


def test_signature_footer_and_made_at_lines_are_ignored() -> None:
    text = COMPANY + JOB_1 + "Fait à Amiens, le 12/01/2027\nSignature :\nJean Martin\n"
    (form,) = parse_forms_in_text(text)
    assert form["conditions"]["workplace"] == "Amiens"


def test_label_alone_then_value_lines() -> None:
    text = COMPANY + "Compétences\n• Rigueur\n• Ponctualité\n" + JOB_1
    (form,) = parse_forms_in_text(text)
    assert form["job"]["required_skills"] == "Rigueur Ponctualité"


def test_a_few_labels_are_not_a_form() -> None:
    text = "Bonjour,\nTél. : 06 12 34 56 78\nMail : a@b.fr\nFormation : CAP\nExpérience : 2 ans\n"
    assert parse_forms_in_text(text) == []


def test_two_labels_on_one_line_and_page_numbers() -> None:
    text = (
        "Raison sociale : ACME SAS      SIRET : 967 897 158 000 77\n"
        "Tél : 06 12 34 56 78    Mail : a@b.fr\n"
        "Intitulé du poste : Maçon   Nombre de postes : 2\n"
        "Exigences particulières : Permis B : exigé\n"
        "Type de contrat : CDD    Durée : 6 mois\n"
        "Missions principales : Montage\n"
        "Page 1/2\n"
        "de murs\n"
        "Lieu de travail : Amiens\n"
    )
    (form,) = parse_forms_in_text(text)
    assert form["company"]["legal_name"] == "ACME SAS"
    assert form["company"]["siret"] == "96789715800077"
    assert form["company"]["email"] == "a@b.fr"
    assert form["job"]["positions"] == 2
    assert form["job"]["special_requirements"] == "Permis B : exigé"
    assert form["job"]["main_activities"] == "Montage de murs"
    assert form["conditions"]["contract_duration"] == "6 mois"


def test_docx_table_with_labels_in_a_header_row() -> None:
    import io

    import docx

    from mailbot.parse.document import load_document
    from mailbot.parse.forms import parse_forms

    document = docx.Document()
    grid = document.add_table(rows=0, cols=3)
    for row in (
        ("Raison sociale", "SIRET", "Interlocuteur"),
        ("ACME SAS", "967 897 158 000 77", "M. Paul Roy"),
        ("Intitulé du poste", "Nb de postes", "Date d'embauche"),
        ("Maçon", "1", "03/05/2027"),
        ("Type de contrat", "Durée hebdomadaire", "Lieu de travail"),
        ("CDI", "35 h", "1"),
    ):
        cells = grid.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    (form,) = parse_forms(load_document(buffer.getvalue(), "grid.docx")).forms
    assert form["company"]["siret"] == "96789715800077"
    assert form["company"]["contact_name"] == "M. Paul Roy"
    assert form["job"]["positions"] == 1
    assert form["job"]["recruitment_date"] == "2027-05-03"
    assert form["conditions"]["weekly_hours"] == 35
    assert form["conditions"]["workplace"] == "1"


def test_text_pdf_over_two_pages_with_running_header() -> None:
    from mailbot.parse.document import load_document
    from mailbot.parse.forms import parse_forms
    from tests.helpers.pdf_builder import PdfPage, build_pdf

    header = "Bâti Nord SAS – 3 rue Haute 80000 Amiens – Standard : 03 22 00 00 00"
    first = [
        "Raison sociale : Bâti Nord SAS",
        "SIRET : 967 897 158 000 77",
        "Interlocuteur : M. Paul Roy",
        "Intitulé du poste : Maçon",
        "Nombre de postes : 2",
        "Missions principales : Montage de murs,",
    ]
    second = ["enduits et finitions", "Type de contrat : CDI", "Lieu de travail : Amiens"]
    pages = []
    for number, lines in enumerate((first, second), 1):
        page = PdfPage(texts=[(60, 800, header, 8), (280, 30, f"{number}/2", 8)])
        page.texts += [(60, 760 - 16 * i, line, 10) for i, line in enumerate(lines)]
        pages.append(page)
    data = build_pdf(pages)
    (form,) = parse_forms(load_document(data, "two-pages.pdf")).forms
    assert form["job"]["main_activities"] == "Montage de murs, enduits et finitions"
    assert form["company"]["phone"] is None
    assert form["conditions"]["workplace"] == "Amiens"
