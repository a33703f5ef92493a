"""AcroForm reading on generated forms: opaque names with labels printed at the left or above,
and contract-type checkboxes."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    FloatObject,
    NameObject,
    TextStringObject,
)

from mailbot.parse.document import load_document
from mailbot.parse.forms import parse_forms
from tests.helpers.pdf_builder import PdfPage, build_pdf

ROWS = [
    ("Nom de l'entreprise", "Menuiserie Dubois SARL"),
    ("N° SIRET", "967 897 158 000 77"),
    ("Interlocuteur", "Mme Claire Dubois"),
    ("Portable", "06 12 34 56 78"),
    ("Poste proposé", "Menuisier poseur"),
    ("Nb de postes", "2"),
    ("Date d'embauche", "15/03/2027"),
    ("Salaire brut mensuel", "1 900 €"),
]


def _form(labels_above: bool, ticked: str | None) -> bytes:
    page = PdfPage()
    rects = []
    y = 760.0
    for label, _ in ROWS:
        if labels_above:
            page.texts.append((60, y + 14, label, 9))
            rects.append([60, y - 4, 400, y + 10])
        else:
            page.texts.append((60, y, label, 9))
            rects.append([220, y - 4, 540, y + 12])
        y -= 40
    page.texts.append((60, y, "Type de contrat", 9))
    boxes = []
    for offset, option in ((220, "CDI"), (300, "CDD"), (380, "Intérim")):
        page.texts.append((offset + 14, y, option, 9))
        boxes.append((option, [offset, y - 2, offset + 10, y + 8]))
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf([page]))))
    pdf_page = writer.pages[0]
    pdf_page[NameObject("/Annots")] = ArrayObject()
    fields = ArrayObject()

    def add(name: str, rect: list[float], extra: dict) -> None:
        widget = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Annot"),
                NameObject("/Subtype"): NameObject("/Widget"),
                NameObject("/T"): TextStringObject(name),
                NameObject("/Rect"): ArrayObject([FloatObject(v) for v in rect]),
                **extra,
            }
        )
        ref = writer._add_object(widget)
        pdf_page[NameObject("/Annots")].append(ref)
        fields.append(ref)

    for number, ((_, value), rect) in enumerate(zip(ROWS, rects, strict=True), 1):
        add(
            f"Texte{number}",
            rect,
            {NameObject("/FT"): NameObject("/Tx"), NameObject("/V"): TextStringObject(value)},
        )
    for number, (option, rect) in enumerate(boxes, 1):
        state = "/Oui" if option == ticked else "/Off"
        add(
            f"Case{number}",
            rect,
            {NameObject("/FT"): NameObject("/Btn"), NameObject("/AS"): NameObject(state)},
        )
    writer._root_object[NameObject("/AcroForm")] = DictionaryObject({NameObject("/Fields"): fields})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _parse(data: bytes) -> dict:
    (form,) = parse_forms(load_document(data, "form.pdf")).forms
    return form


def test_opaque_fields_named_by_labels_at_left_and_ticked_contract() -> None:
    form = _parse(_form(labels_above=False, ticked="CDD"))
    assert form["company"]["legal_name"] == "Menuiserie Dubois SARL"
    assert form["company"]["siret"] == "96789715800077"
    assert form["company"]["phone"] == "+33612345678"
    assert form["job"]["title"] == "Menuisier poseur"
    assert form["job"]["positions"] == 2
    assert form["job"]["recruitment_date"] == "2027-03-15"
    assert form["conditions"]["gross_salary"] == "1 900 €"
    assert form["conditions"]["contract_type"] == "CDD"


def test_labels_printed_above_the_fields() -> None:
    form = _parse(_form(labels_above=True, ticked="Intérim"))
    assert form["company"]["contact_name"] == "Mme Claire Dubois"
    assert form["job"]["title"] == "Menuisier poseur"
    assert form["conditions"]["contract_type"] == "INTERIM"


def test_no_box_ticked_leaves_the_contract_missing() -> None:
    form = _parse(_form(labels_above=False, ticked=None))
    assert form["conditions"]["contract_type"] is None
    assert "conditions.contract_type" in form["missing"]
