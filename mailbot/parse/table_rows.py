"""Tables of any source (PDF cell grid, DOCX) turned into reading-order events.

A table is a list of rows of `Cell`s placed on the table's grid columns. The table's structure
decides, not only the label list:
- a row whose only text spans the table is a section heading: it ends the answer above it and is
  never an answer (unless it is a 'Label : value' line, or a label whose answer is the next
  spanning row);
- label columns are the grid columns where labels are recognised; every other cell of a row is
  the answer of the label cell at its left, so a label worded in an unknown way still gives a
  pair (the assembler decides what it means);
- a header row 'Rubrique | Poste 1 | Poste 2' above label rows gives one job per value column:
  each column is read as a whole form (a cell spanning several job columns answers for each);
  so does a first row 'Intitulé du poste | Maçon | Coffreur' with no header above it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from mailbot.parse.labels import FIELD_NAMES_FR, LabelRules
from mailbot.parse.normalise import checked_options
from mailbot.parse.text_form import (
    LEGAL_FORM,
    Event,
    is_heading,
    is_job_heading,
    match_label,
    split_label,
)

__all__ = ["Cell", "rows_events"]

_MAX_LABEL = 90  # characters: a longer cell is an answer, not a label
_MAX_JOB_HEAD = 60
_YES_NO = {"oui", "non", "yes", "no"}
#: A row number in a column of its own: '1', '2.', '3)', 'A', 'B –', 'IV', 'n° 5'.
_ROW_NUMBER = re.compile(r"(?:n°\s*)?(?:\d{1,3}|[A-Za-z]|[IVXivx]{1,5})\s*[.)°:–-]?", re.IGNORECASE)


@dataclass
class Cell:
    """One table cell: its text (lines joined by '\\n'), first grid column and columns spanned."""

    text: str
    col: int
    span: int = 1

    @property
    def end(self) -> int:
        return self.col + self.span


@lru_cache(maxsize=4096)
def _is_label(rules: LabelRules, text: str) -> bool:
    """A cell holding only a recognised field label (cached: every table asks several times)."""
    text = " ".join(text.split())
    if not text or len(text) > _MAX_LABEL or split_label(rules, text) is not None:
        return False  # empty, an answer, or 'Label : value'
    if LEGAL_FORM.search(text):
        return False  # 'LEMONNIER TRAVAUX MARITIMES SARL': a company's name
    found = match_label(rules, text)
    words = len(text.split())
    listing = bool(re.search(r"[,;]", text)) and words > 4
    if found is not None and found.by == "meaning" and (listing or words > 6):
        return False  # 'Pas de claustrophobie, travail en équipe, sens de l'observation': an answer
    return found is not None and found.kind == "field"


def _asks_field(rules: LabelRules, text: str) -> bool:
    """A short question whose words name a field ('Qui est la personne à contacter ?')."""
    text = " ".join(text.split())
    if not text.endswith("?") or len(text) > 90 or "\n" in text:
        return False
    found = match_label(rules, text.rstrip(" ?"))
    return found is not None and found.kind == "field"


def _label_field(rules: LabelRules, text: str) -> str | None:
    """The field of a cell holding only a label, else None."""
    if not _is_label(rules, text):
        return None
    found = match_label(rules, " ".join(text.split()))
    return found.key if found is not None else None


def _reads_as_answer(rules: LabelRules, label: str, below: str, *, hints: bool = True) -> bool:
    """Under a label, a row naming the same field, a contract under the contract's label, or
    (with `hints`) a row whose words only hint at a field ('Déplacements entre sites' under
    'Contraintes du poste') is its answer, unless it asks ('… ?')."""
    above, found = match_label(rules, " ".join(label.split())), match_label(rules, " ".join(below.split()))
    same = above is not None and found is not None and above.key == found.key  # 'Diplôme' / 'Formation…'
    if same and (hints or found.by == "meaning"):
        return True  # not 'Poste à pourvoir' above 'Nombre de postes' in a row of labels
    contract = above is not None and above.key == "conditions.contract_type" and rules.contract_code(below)
    if contract and (found is None or found.key in ("conditions.contract_type", "job.main_activities")):
        return True  # 'Statut du contrat' above 'Mission d'intérim', not above 'Durée (si CDD)'
    if not hints or above is None or found is None or below.rstrip().endswith(("?", ":")):
        return False
    if found.by == "meaning":
        return True  # a row whose words only hint at a field
    # 'Particularités du poste' above 'Horaires de nuit (21h-5h)': figures make an answer
    return not found.exact and bool(re.search(r"\d", below)) and not re.search(r"\d", label)


def _label_columns(rows: list[list[Cell]], rules: LabelRules, width: int) -> set[int]:
    """Grid columns holding labels: at least 2 recognised labels and 40 % of the column's texts."""
    labels: dict[int, int] = {}
    texts: dict[int, int] = {}
    for row in rows:
        filled = [c for c in row if c.text.strip()]
        if len(filled) < 2:
            continue
        previous: str | None = None  # the field of the label left of this cell
        for cell in filled:
            texts[cell.col] = texts.get(cell.col, 0) + 1
            field = _label_field(rules, cell.text)
            if field is not None and field != previous:  # not 'Temps de travail | 17,5 heures par semaine'
                labels[cell.col] = labels.get(cell.col, 0) + 1
            previous = field if field != previous else None
    # A value column may hold label-like answers ('Expérience en collectivité appréciée'): a
    # column right of the first needs most of its texts to be labels.
    first = min(texts, default=0)
    found = {
        c
        for c, n in labels.items()
        if n >= 2 and n >= (0.4 if c == first else 0.6) * texts[c] and c < width - 1
    }
    return found or ({0} if width >= 2 else set())


def _spanning(row: list[Cell], width: int) -> Cell | None:
    """The only filled cell of a row when it spans the table (or the table has one column)."""
    filled = [c for c in row if c.text.strip()]
    if len(filled) != 1:
        return None
    cell = filled[0]
    if len(row) == 1 or (cell.col == 0 and cell.end >= width):
        return cell
    return None


def _job_header(rows: list[list[Cell]], index: int, labels: set[int], rules: LabelRules) -> bool:
    """'Rubrique | Poste 1 | Poste 2' above rows of a label and one answer per job."""
    head = [c for c in rows[index] if c.text.strip() or c.col == 0]
    jobs = [c for c in head if c.col not in labels]
    if len(jobs) < 2 or len(head) < 3:
        return False
    numbered = all(is_job_heading(" ".join(c.text.split())) for c in jobs)  # 'Intitulés | Besoin 1 | …'
    if not numbered and any(_is_label(rules, c.text) for c in head if c.col in labels):
        return False  # 'Raison sociale | … | SIRET | …': a row of pairs
    for cell in jobs:
        text = " ".join(cell.text.split())
        if not text or len(text) > _MAX_JOB_HEAD or (_is_label(rules, text) and not is_job_heading(text)):
            return False
    columns = {c.col for c in jobs}
    body = 0
    for row in rows[index + 1 : index + 8]:
        if row and row[0].col in labels and _answers_each(row, columns):
            body += 1  # a cell spanning several jobs ('Raison sociale' above them) answers each
    return body >= 2


def _answers_each(row: list[Cell], columns: set[int], *, filled: bool = False) -> bool:
    """Whether every job column of a label row has an answer cell (filled, if asked)."""
    for col in columns:
        cell = _covering(row, col)
        if cell is None or cell is row[0] or (filled and not cell.text.strip()):
            return False
    return True


def _title_row(rows: list[list[Cell]], index: int, labels: set[int], rules: LabelRules) -> bool:
    """A table with no header row whose first job row names one job per column: 'Intitulé du
    poste | Maçon | Coffreur', then 'Nombre de postes | 2 | 1', … (each column is a job)."""
    row = rows[index]
    if len(row) < 3 or row[0].col not in labels or not _is_label(rules, row[0].text):
        return False
    found = match_label(rules, " ".join(row[0].text.split()))
    if found is None or found.key != "job.title":
        return False
    jobs = row[1:]
    if any(c.span != 1 or c.col in labels or not c.text.strip() or _is_label(rules, c.text) for c in jobs):
        return False
    columns = {c.col for c in jobs}
    body = [r for r in rows[index + 1 : index + 8] if r[0].col in labels and _is_label(rules, r[0].text)]
    answered = sum(_answers_each(r, columns, filled=True) for r in body)
    return answered >= 2 and answered * 2 >= len(body)


def _condition_columns_table(rows: list[list[Cell]], rules: LabelRules) -> bool:
    """A table with no header whose rows are each a condition's label and one answer per
    column ('Lieu de travail | Lycée Fesch | Lycée Fesch | Lycée Fesch'): the conditions of
    jobs given in columns above it, one column per job."""
    if len(rows) < 3 or any(r[0].col != 0 or r[0].span != 1 for r in rows):
        return False
    columns = {c.col for c in rows[0][1:]}
    if len(columns) < 2:
        return False
    for row in rows:
        found = match_label(rules, " ".join(row[0].text.split()))
        if found is None or found.kind != "field" or not found.key.startswith("conditions."):
            return False
        answers = row[1:]
        if {c.col for c in answers} != columns or any(c.span != 1 for c in answers):
            return False
    for col in columns:  # not 'Contrat | CDD | Durée | 6 mois': a row of pairs
        cells = [c for r in rows for c in r if c.col == col]
        if sum(_is_label(rules, c.text) for c in cells) * 2 >= len(cells):
            return False
    filled = sum(all(c.text.strip() for c in r[1:]) for r in rows)
    return filled * 2 >= len(rows)


def _covering(row: list[Cell], col: int) -> Cell | None:
    for cell in row:
        if cell.col <= col < cell.end:
            return cell
    return None


def _job_columns_events(
    rows: list[list[Cell]],
    header: list[Cell],
    labels: set[int],
    width: int,
    rules: LabelRules,
    *,
    titled: bool = True,
) -> list[Event]:
    """One block of events per job column: its header (unless the header row is the job titles'
    row, read as a label row), then each label with that column's answer. Rows first whose one
    answer spans every job (the company above the jobs) are read once, before the jobs."""
    jobs = [c for c in header if c.col not in labels and c.text.strip()]
    columns = {c.col for c in jobs}
    lead = 0
    while lead < len(rows) and (
        _spanning(rows[lead], width) is not None
        or (rows[lead][0].col in labels and len({id(_covering(rows[lead], c)) for c in columns}) == 1)
    ):
        lead += 1
    events: list[Event] = []
    if lead < len(rows) and any(_spanning(r, width) is None for r in rows[:lead]):
        events += _column_events(rows[:lead], jobs[0], labels, width)
        rows = rows[lead:]
    named = titled and _titles_header(rows, header, jobs, labels, rules)
    for job in jobs:
        events.append(Event("line", ""))
        if named:  # ' | Maçon | Coffreur': the header names each column's job
            events.append(_pair(FIELD_NAMES_FR["job.title"], job.text))
        elif titled:
            events.append(Event("line", job.text))
        events += _column_events(rows, job, labels, width)
    return events


def _titles_header(
    rows: list[list[Cell]], header: list[Cell], jobs: list[Cell], labels: set[int], rules: LabelRules
) -> bool:
    """Whether a header row with an empty first cell holds the jobs' titles (no 'Poste 1', no
    row labelled as the job's title below, and every job column mostly answered)."""
    if header[0].text.strip() or any(is_job_heading(_one_line(c.text)) for c in jobs):
        return False
    body = [r for r in rows if r and r[0].col in labels and _is_label(rules, r[0].text)]
    for row in body:
        found = match_label(rules, _one_line(row[0].text))
        if found is not None and found.key == "job.title":
            return False
    columns = {c.col for c in jobs}
    answered = sum(_answers_each(r, columns, filled=True) for r in body)
    return answered >= 2 and answered * 2 >= len(body)


def _column_events(rows: list[list[Cell]], job: Cell, labels: set[int], width: int) -> list[Event]:
    """Each label of `rows` with its answer in the column of `job`."""
    events: list[Event] = []
    for row in rows:
        spanning = _spanning(row, width)
        if spanning is not None or not row:
            events.append(Event("line", ""))  # a section row between label rows
            continue
        label = row[0] if row[0].col in labels else None
        if label is None:
            continue
        answer = _covering(row, job.col)
        value = answer.text if answer is not None and answer is not label else ""
        events.append(_pair(label.text, value))
    return events


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _pair(label: str, value: str) -> Event:
    """A label with its answer; a ticked 'Oui' box answers with the label itself ('Permis C exigé')."""
    label = _one_line(label)
    if value and checked_options(value) != value:
        options = value.replace("☐", " ").replace("☒", " ").split()
        if options and {o.strip(" :;,/").casefold() for o in options} <= _YES_NO:
            ticked = checked_options(value).strip().casefold()
            value = label if ticked in ("oui", "yes") else ""
    return Event("pair", label, value)


def _row_pairs(row: list[Cell], labels: set[int], rules: LabelRules, events: list[Event]) -> None:
    """Events of a label|value row (one or several pairs)."""
    label: Cell | None = None
    answer: list[str] = []

    def flush() -> None:
        if label is None:
            return
        if _field_block(rules, "\n".join(answer)):  # a heading cell beside 'Label : value' lines
            events.extend(_lines(answer))
            return
        events.append(_pair(label.text, "\n".join(answer)))

    for cell in row:
        text = cell.text.strip()
        if cell.col in labels:
            flush()
            label, answer = None, []
            if not text:
                continue
            if split_label(rules, text) is not None or len(text) > _MAX_LABEL:
                events.append(Event("line", text))  # 'Label : value' in one cell
                continue
            label = cell
        elif text:
            above = _LABEL_ABOVE.match(text)  # a cell read as 'Label :' over its answer
            if above and label is not None and not answer and _is_label(rules, above.group(1)):
                flush()  # 'Diplôme | (empty) | Spécificités / Permis B': the first left empty
                label, answer = None, []
                events.append(Event("line", text))
            elif split_label(rules, text) is not None and (label is None or answer):
                flush()  # 'Label : value' in a cell of its own
                label, answer = None, []
                events.append(Event("line", text))
            elif _is_label(rules, text) and (label is None or answer):
                flush()  # 'Durée | 6 mois' beside a pair: a label outside the label columns
                label, answer = cell, []
            elif label is None:
                _continue_previous(events, text)
            else:
                answer.append(text)
    flush()


def _field_block(rules: LabelRules, text: str) -> bool:
    """Whether a cell holds several 'Label : value' lines (a block of fields, not one answer)."""
    lines = [x for x in text.split("\n") if x.strip()]
    return sum(split_label(rules, x) is not None for x in lines) >= 2


def _lines(texts: list[str]) -> list[Event]:
    """Free lines between two blank lines (nothing glued to the answer before or after)."""
    lines = [x for t in texts for x in t.split("\n")]
    return [Event("line", ""), *(Event("line", x) for x in lines), Event("line", "")]


def _continue_previous(events: list[Event], text: str) -> None:
    """A value cell with no label at its left: the next part of the answer above (page break)."""
    if events and events[-1].kind == "pair":
        previous = events[-1]
        previous.value = f"{previous.value}\n{text}" if previous.value else text
    else:
        events.append(Event("line", text))


def _without_numbers(rows: list[list[Cell]]) -> list[list[Cell]]:
    """The table without a first column of row numbers ('1 | Raison sociale | …', 'A | L'ENTREPRISE'):
    its number cells are left out and every other cell moves one column left."""
    first = [r[0] for r in rows if r[0].col == 0 and r[0].span == 1 and r[0].text.strip()]
    if len(first) < 3 or any(not _ROW_NUMBER.fullmatch(c.text.strip()) for c in first):
        return rows
    if any(r[0].col == 0 and r[0].span == 1 and r[0].text.strip() and len(r) < 2 for r in rows):
        return rows  # a number alone on its row: no column of numbers beside labels
    out: list[list[Cell]] = []
    for row in rows:
        cells = []
        for cell in row:
            if cell.col == 0 and cell.span == 1:
                continue
            start = max(cell.col - 1, 0)
            cells.append(Cell(cell.text, start, cell.end - 1 - start))
        if any(c.text.strip() for c in cells):
            out.append(cells)
    return out or rows


_BRACKETED = re.compile(r"^\s*[(\[][^()\[\]]*[)\]]\s*$")


def _bracket_lines_joined(text: str) -> str:
    """A line wholly in brackets goes on the line above it: 'Prise de poste' / '(même
    approximative)' is one label, 'Chantiers de Lyon' / '(et environs)' one answer."""
    lines = text.split("\n")
    out: list[str] = []
    for line in lines:
        if out and out[-1].strip() and _BRACKETED.match(line):
            out[-1] = f"{out[-1].rstrip()} {line.strip()}"
        else:
            out.append(line)
    return "\n".join(out)


def rows_events(rows: list[list[Cell]], rules: LabelRules) -> list[Event]:
    """Events of one table (rows top to bottom, cells left to right)."""
    rows = [sorted(r, key=lambda c: c.col) for r in rows if any(c.text.strip() for c in r)]
    if not rows:
        return []
    rows = [[Cell(_bracket_lines_joined(c.text), c.col, c.span) for c in r] for r in rows]
    rows = _without_numbers(rows)
    rows = _labels_in_cells(rows, rules)
    width = max(c.end for r in rows for c in r)
    labels = _label_columns(rows, rules, width)
    events: list[Event] = []
    if _condition_columns_table(rows, rules):
        for number, column in enumerate(rows[0][1:], start=1):  # each column: a job's conditions
            events += [Event("line", ""), Event("line", f"Poste {number}"), Event("line", "")]
            events += _column_events(rows, column, {0}, width)
        return events
    index = 0
    while index < len(rows):
        row = rows[index]
        if _job_header(rows, index, {row[0].col}, rules):
            events.extend(_job_columns_events(rows[index + 1 :], row, {row[0].col}, width, rules))
            break
        if _title_row(rows, index, {row[0].col}, rules):
            events.append(Event("line", ""))
            events.extend(_job_columns_events(rows[index:], row, {row[0].col}, width, rules, titled=False))
            break
        spanning = _spanning(row, width)
        if spanning is not None:
            text = spanning.text.strip()
            below = _spanning(rows[index + 1], width) if index + 1 < len(rows) else None
            if "\n" in text or split_label(rules, text) is not None:
                events.extend(_lines([text]))
            elif is_job_heading(text):
                events += [Event("line", ""), Event("line", text), Event("line", "")]  # 'Poste 2'
            elif (
                below is not None
                and (_is_label(rules, text) or _asks_field(rules, text))  # 'Qui est … à contacter ?'
                and (not _is_label(rules, below.text) or _reads_as_answer(rules, text, below.text))
                and not _field_block(rules, below.text)
                and (not is_heading(rules, below.text) or LEGAL_FORM.search(below.text))  # 'X SARL'
            ):
                events.append(_pair(text, below.text))  # a label row above its answer row
                index += 1
            else:
                events.append(Event("line", ""))  # a section heading: never an answer
            index += 1
            continue
        if _stacked(rows, index, labels, rules):
            below = rows[index + 1]
            for cell in row:
                answer = _covering(below, cell.col)
                events.append(_pair(cell.text, answer.text if answer else ""))
            index += 2
            continue
        _row_pairs(row, labels, rules, events)
        index += 1
    return events


_LINKING_START = re.compile(
    r"^(?:[àa]|de|du|des|d['’]|en|au|aux|et|ou|pour|par|sur|le|la|les|l['’])(?:\s|(?<=['’]))")


def _label_first(rules: LabelRules, text: str) -> bool:
    """A cell holding its label on the first line and the answer under it ('SIRET' / '481 …')."""
    lines = [x.strip() for x in text.strip().split("\n")]
    if len(lines) < 2 or ":" in lines[0] or not lines[1]:
        return False
    if _BULLET_START.match(lines[0]):  # '- Rigueur'
        return False
    found = match_label(rules, lines[0].rstrip(" ?"))
    exact = found is not None and found.exact
    if _unclosed(lines[0]) or (_goes_on(lines[0]) and not exact):  # 'Siret (14' /
        return False  # 'chiffres)', 'Personne en' / 'charge du'; not 'À partir du' / 'sam. 06/03'
    if found is None or found.kind != "field":
        return False
    if lines[1].endswith(("?", ":")) or _LINKING_START.match(lines[1]):
        return False  # 'Nombre de salariés' / 'à recruter': one label
    second = match_label(rules, lines[1])
    if second is not None and second.exact:
        return False  # two labels
    joined = match_label(rules, f"{lines[0]} {lines[1]}")
    return joined is None or joined.by == "meaning" or joined.size <= found.size  # not one label wrapped


_BULLET_START = re.compile(r"^[-–•*·]\s")


def _unclosed(line: str) -> bool:
    """A line opening a bracket it does not close ('Siret (14')."""
    return line.count("(") > line.count(")") or line.count("[") > line.count("]")


def _goes_on(line: str) -> bool:
    """A label's first line that cannot end it: an open bracket, a linking word, a slash."""
    return _unclosed(line) or bool(_DANGLING_END.search(line)) or line.endswith(("/", "-", "–", "'", "’"))


def _label_lines(rules: LabelRules, text: str) -> int:
    """How many first lines of a cell are its label, with the answer under them: 1 ('SIRET' /
    '481 …'), 2 for a label wrapped after a linking word ('… dans le cadre de la' / 'clause
    sociale' / '3 (trois)'), 0 when the cell is no label above its answer."""
    if _label_first(rules, text):
        return 1
    lines = [x.strip() for x in text.strip().split("\n")]
    if len(lines) < 3 or ":" in lines[0] or not _DANGLING_END.search(lines[0]) or not lines[1][:1].islower():
        return 0
    found = match_label(rules, f"{lines[0]} {lines[1]}")
    return 2 if found is not None and found.kind == "field" and lines[2] else 0


_LABEL_ABOVE = re.compile(r"^([^\n:]{1,60}) :\n")
_DANGLING_END = re.compile(r"(?:^|\s)(?:de|du|des|d['’]|[àa]|au|aux|le|la|les|pour|sur|en)\s*$", re.I)


def _labels_in_cells(rows: list[list[Cell]], rules: LabelRules) -> list[list[Cell]]:
    """A table whose cells hold their label above their answer (several such cells, more than
    cells holding a label alone): each such cell is read as 'Label :' and its answer."""
    # 'Expérience | Expérience en milieu … / appréciée': a cell right of a label is its answer
    answers = {id(c) for r in rows for left, c in zip(r, r[1:], strict=False)
               if "\n" not in left.text.strip() and _is_label(rules, left.text)}
    cells = [c for r in rows for c in r if c.text.strip() and id(c) not in answers]
    inside = {id(c): n for c in cells if (n := _label_lines(rules, c.text))}
    alone = [c for c in cells if "\n" not in c.text.strip() and _is_label(rules, c.text)]
    if len(inside) < 3 or len(inside) <= len(alone):
        return rows

    def rewritten(cell: Cell) -> Cell:
        if id(cell) not in inside:
            return cell
        lines, count = cell.text.strip().split("\n"), inside[id(cell)]
        label, rest = " ".join(x.strip() for x in lines[:count]), "\n".join(lines[count:])
        return Cell(f"{label} :\n{rest.strip()}", cell.col, cell.span)

    return [[rewritten(c) for c in r] for r in rows]


def _stacked(rows: list[list[Cell]], index: int, labels: set[int], rules: LabelRules) -> bool:
    """A row of labels above a row of answers (column layout: 'SIRET | Téléphone' / '… | …')."""
    if index + 1 >= len(rows):
        return False
    row, below = rows[index], rows[index + 1]
    if len(row) < 2 or [c.col for c in row] != [c.col for c in below]:
        return False
    named = [c for c in row if _is_label(rules, c.text)]
    for left, right in zip(row, row[1:], strict=False):
        found = match_label(rules, " ".join(left.text.split()))
        if found is not None and found.key == "conditions.contract_type" and rules.contract_code(right.text):
            return False  # 'Contrat | Alternance – contrat de professionnalisation': a label and its answer
    if len(named) < max(len(row) - 1, 2):
        return False
    # an answer may read like its own label ('Contrat proposé' above 'Contrat à durée déterminée')
    pairs = zip(row, below, strict=True)
    return not any(
        _is_label(rules, c.text) and not _reads_as_answer(rules, a.text, c.text, hints=False)
        for a, c in pairs
    )
