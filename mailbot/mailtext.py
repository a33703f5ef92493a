"""Text of an email body: charset decoding, HTML to text, and the quoted reply set apart."""

from __future__ import annotations

import codecs
import re
from html.parser import HTMLParser

__all__ = ["decode_text", "html_to_text", "split_quoted"]

# Labels that, in French mail, are almost always really cp1252 (a superset for printable bytes).
_CP1252_ALIASES = {
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
    "iso8859-1",
    "iso_8859-1",
}


def decode_text(data: bytes, charset: str | None) -> str:
    """Decode body bytes: the declared charset, else cp1252, else latin-1 (which never fails)."""
    tried: list[str] = []
    declared = (charset or "").strip().strip('"').lower()
    if declared in _CP1252_ALIASES:
        declared = "cp1252"
    if declared:
        try:
            codecs.lookup(declared)
            tried.append(declared)
        except LookupError:
            pass
    if not tried:
        tried.append("utf-8")
    for name in (*tried, "cp1252"):
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "tr",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "table",
    "blockquote",
    "ul",
    "ol",
    "hr",
    "pre",
    "section",
    "article",
    "header",
    "footer",
    "dd",
    "dt",
}
_SKIP_TAGS = {"script", "style", "head", "title", "xml"}
_LIST_TAGS = {"li", "ul", "ol", "dd", "dt"}  # a list's items follow each other, no blank line
# One line each, as a mail client shows them (Outlook's <p class=MsoNormal>, Gmail's <div>): an
# empty one (<p>&nbsp;</p>, <div><br></div>) is the blank line.
_LINE_TAGS = {"p", "div"}


class _Table:
    """Rows of cells of one HTML table being read; a cell is (chunks, is_header)."""

    def __init__(self) -> None:
        self.rows: list[list[tuple[list[str], bool]]] = []
        self.cell: list[str] | None = None

    def render(self) -> str:
        """The table as text lines: 'label : value' for label|value rows, one block per column
        when a header row names several jobs ('Rubrique | Poste 1 | Poste 2')."""
        rows = [[(_cell_text(chunks), header) for chunks, header in row] for row in self.rows]
        rows = [row for row in rows if any(text for text, _ in row)]
        if not rows:
            return "\n"
        for index, head in enumerate(rows):  # the job header may follow the company's rows
            named = all(_JOB_COLUMN.match(t) for t, _ in head[1:])
            if len(head) >= 3 and (named or (index == 0 and all(h for _, h in head[1:]))):
                return (_render_rows(rows[:index]) if index else "") + _render_jobs(rows[index:])
        return _render_rows(rows)


def _render_jobs(rows: list[list[tuple[str, bool]]]) -> str:
    """'Rubrique | Poste 1 | Poste 2' then label rows: one block of 'label : value' per job."""
    head = rows[0]
    width = len(head)
    blocks: list[str] = []
    for col in range(1, width):
        blocks.append(head[col][0] or f"Poste {col}")
        for row in rows[1:]:
            if len(row) == width:
                blocks.append(_pair(row[0][0], row[col][0]))
            elif row:
                blocks.append(" ".join(t for t, _ in row))
        blocks.append("")
    return "\n" + "\n".join(blocks) + "\n"


def _render_rows(rows: list[list[tuple[str, bool]]]) -> str:
    """Label|value rows as 'label : value' lines; a row spanning the table is a heading."""
    lines: list[str] = []
    spanning = sum(1 for row in rows if len(row) >= 2) >= 2
    for row in rows:
        texts = [t for t, _ in row]
        if len(texts) == 1:
            # a row spanning a label|value table is a section heading: it ends the answer above
            lines.extend(["", texts[0], ""] if spanning else [texts[0]])
        elif len(texts) % 2 == 0:
            lines.extend(_pair(texts[i], texts[i + 1]) for i in range(0, len(texts), 2))
        else:
            lines.append(_pair(texts[0], "\n".join(t for t in texts[1:] if t)))
    return "\n" + "\n".join(lines) + "\n"


_JOB_COLUMN = re.compile(
    r"^\W*(?:[A-H1-9][.)–-]\s*)?(?:poste|offre|emploi|profil|m[ée]tier|besoin|recrutement)\b", re.I
)  # 'Poste 1', 'B. Poste 2', 'Offre n°3'


def _cell_text(chunks: list[str]) -> str:
    lines = [re.sub(r"[ \t\xa0]+", " ", x).strip() for x in "".join(chunks).split("\n")]
    return "\n".join(x for x in lines if x)


def _pair(label: str, value: str) -> str:
    """'label : value' (a value on several lines goes on below the first)."""
    if not label:
        return value
    label = label.replace("\n", " ").rstrip(" :：")
    if not value:
        return f"{label} :"  # a label left without answer is still a label
    return f"{label} : {value}"


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.tables: list[_Table] = []
        self._skip = 0
        self._pre = 0
        self._texts = 0  # pieces of text read so far
        self._lines: list[int] = []  # self._texts when each open <p>/<div> began

    def _sink(self) -> list[str] | None:
        if not self.tables:
            return self.chunks
        return self.tables[-1].cell  # text between cells is layout, not content

    def _emit(self, text: str) -> None:
        sink = self._sink()
        if sink is not None:
            sink.append(text)

    def _block(self) -> None:
        """A block's edge: a new line, unless one was just started (<br> always breaks)."""
        sink = self._sink()
        if sink is None:
            return
        for chunk in reversed(sink):
            rest = chunk.rstrip(" \t")
            if rest:
                if rest.endswith("\n"):
                    return
                break
        sink.append("\n")

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "pre":
            self._pre += 1
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "table":
            self.tables.append(_Table())
        elif tag == "tr" and self.tables:
            self.tables[-1].rows.append([])
            self.tables[-1].cell = None
        elif tag in ("td", "th") and self.tables:
            table = self.tables[-1]
            if not table.rows:
                table.rows.append([])
            table.cell = []
            table.rows[-1].append((table.cell, tag == "th"))
        elif tag in _LIST_TAGS:
            self._block()
            if tag == "li":
                self._emit("- ")  # an item keeps its bullet: it goes on the list above
        elif tag in _LINE_TAGS:
            self._block()
            self._lines.append(self._texts)
        elif tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        if tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self._pre = max(0, self._pre - 1)
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "table" and self.tables:
            text = self.tables.pop().render()
            self._emit(text)
        elif tag in ("td", "th") and self.tables:
            self.tables[-1].cell = None
        elif tag in _LIST_TAGS:
            self._block()
        elif tag in _LINE_TAGS:
            began = self._lines.pop() if self._lines else -1
            if began == self._texts:
                self._emit("\n\n")  # an empty paragraph: a blank line
            else:
                self._block()
        elif tag in _BLOCK_TAGS:
            self._emit("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            if data.strip():
                self._texts += 1
            # a line break in the HTML source is a space; only tags break lines (<pre> aside)
            self._emit(data if self._pre else re.sub(r"[ \t\r\n]+", " ", data))

    def close(self) -> None:
        super().close()
        while self.tables:  # an unclosed table still counts
            text = self.tables.pop().render()
            self._emit(text)


_NBSP_GAP = re.compile(r" *\xa0[\xa0 ]*\xa0 *")
_TAB_RUN = re.compile(r" *\t[\t ]*")


def html_to_text(html: str) -> str:
    """Readable plain text of an HTML body: blocks become lines, scripts and styles dropped,
    table rows 'label : value' lines (a table naming several jobs in its columns: one block per job)."""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; this is a last resort
        return re.sub(r"<[^>]*>", " ", html)
    text = "".join(parser.chunks).replace("\t", " ")
    # '<b>Poste</b>&nbsp;&nbsp;Maçon': two non-breaking spaces part a label from its answer
    text = _NBSP_GAP.sub("\t", text).replace("\xa0", " ")
    lines = [_TAB_RUN.sub("\t", re.sub(r" +", " ", line)).strip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


_SEPARATORS = [
    re.compile(
        r"^\s*-{2,}\s*(original message|message d'origine|forwarded message|"
        r"message transf[ée]r[ée]|mail original|message original)\s*-{2,}",
        re.I,
    ),
    re.compile(r"^\s*le\s.{4,300}\sa\s[ée]crit\s*:\s*$", re.I),
    re.compile(r"^\s*on\s.{4,300}\swrote\s*:\s*$", re.I),
]
_OUTLOOK_RULE = re.compile(r"^\s*_{8,}\s*$")
_HEADER_LINE = re.compile(r"^\s*\*?(de|from|envoy[ée]|sent|date|[àa]|to|objet|subject|cc)\s*\*?\s*:", re.I)
_FROM_LINE = re.compile(r"^\s*\*?(de|from)\s*\*?\s*:\s*\S", re.I)


def _is_quote_start(lines: list[str], i: int) -> bool:
    line = lines[i]
    if _OUTLOOK_RULE.match(line):
        after = [x for x in lines[i + 1 : i + 4] if x.strip()]
        return bool(after) and bool(_FROM_LINE.match(after[0]))
    if any(p.match(line) for p in _SEPARATORS):
        return True
    # "Le lun. 12 janv. 2027 à 10:00, Claire <c@x.fr>" wrapped onto the next line
    if i + 1 < len(lines):
        joined = f"{line.rstrip()} {lines[i + 1].strip()}"
        if any(p.match(joined) for p in _SEPARATORS[1:]):
            return True
    if _FROM_LINE.match(line):
        block = lines[i + 1 : i + 5]
        return sum(1 for x in block if _HEADER_LINE.match(x)) >= 2
    return False


_QUESTION_END = re.compile(r"[:：?]\s*$")
_NUMBERED_LABEL = re.compile(r"^\d{1,2}\s*[.)–-]\s*\S.{0,88}$")  # '7. Appellation'


def _answers_under_quotes(lines: list[str]) -> str:
    """A reply typed under each quoted question ('> N° SIRET :' then '703 825 585 70328'): the
    quoted questions, unquoted, each with the lines typed under it; '' unless at least three
    questions got an answer that way. The rest of the quoted message (its prose) is left out."""
    first = next((i for i, x in enumerate(lines) if x.lstrip().startswith(">")), len(lines))
    out: list[str] = []
    answered = 0
    question = False
    numbered: str | None = None  # '> 1. Société' with its answer typed right under it
    for line in lines[first:]:  # the quote header ('Le … a écrit :') stays out
        bare = line.lstrip()
        if bare.startswith(">"):
            text = re.sub(r"^(?:>\s?)+", "", bare).strip()
            question = bool(_QUESTION_END.search(text)) and len(text) <= 90
            numbered = text if not question and _NUMBERED_LABEL.match(text) else None
            out.append(text if question else "")
        elif bare:
            if numbered is not None and out and out[-1] == "":
                out[-1], question = numbered, True
            answered += question
            question, numbered = False, None
            out.append(line.strip())
        else:
            numbered = None
            out.append("")
    return "\n".join(out).strip() if answered >= 3 else ""


def split_quoted(text: str) -> tuple[str, str]:
    """(new text, quoted text): the quoted reply starts at an Outlook/Gmail/Apple quote header;
    lines starting with '>' are quoted wherever they are."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    cut = len(lines)
    for i in range(len(lines)):
        if _is_quote_start(lines, i):
            cut = i
            break
    if cut < len(lines):
        answered = _answers_under_quotes(lines[cut + 1 :])
        if answered:  # answers typed under the quoted questions: the questions go with them
            quoted_lines = [x.lstrip().lstrip(">").removeprefix(" ") for x in lines[cut + 1 :]
                            if x.lstrip().startswith(">")]  # fmt: skip
            new_text = "\n".join([*lines[:cut], "", answered]).strip()
            return new_text, "\n".join([lines[cut], *quoted_lines]).strip()
        end = cut + 1  # 'Le … a écrit :', its '>' block, then the sender's own text (bottom-posting)
        while end < len(lines) and (lines[end].lstrip().startswith(">") or not lines[end].strip()):
            end += 1
        block = lines[cut + 1 : end]
        if any(x.lstrip().startswith(">") for x in block) and any(x.strip() for x in lines[end:]):
            new_text, quoted_text = split_quoted("\n".join(lines[:cut] + lines[end:]))
            header = lines[cut]
            return new_text, "\n".join(
                [header, *(x.lstrip().lstrip(">").removeprefix(" ") for x in block), quoted_text]
            ).strip()
    else:  # no quote header kept: answers may still be typed under '>' questions
        first = next((i for i, x in enumerate(lines) if x.lstrip().startswith(">")), None)
        answered = _answers_under_quotes(lines[first:]) if first is not None else ""
        if first is not None and answered:
            # the quoted message's remaining header ('De : …' / 'Objet : …') and preamble go with it
            head = next((i for i in range(first - 1, -1, -1) if _FROM_LINE.match(lines[i])), first)
            quoted_lines = lines[head:first] + [x.lstrip().lstrip(">").removeprefix(" ") for x in
                                                lines[first:] if x.lstrip().startswith(">")]  # fmt: skip
            return "\n".join([*lines[:head], "", answered]).strip(), "\n".join(quoted_lines).strip()
    new: list[str] = []
    quoted: list[str] = []
    for line in lines[:cut]:
        if line.lstrip().startswith(">"):
            quoted.append(line.lstrip().lstrip(">").removeprefix(" "))
        else:
            new.append(line)
    for line in lines[cut:]:
        stripped = line.lstrip()
        quoted.append(stripped.lstrip(">").removeprefix(" ") if stripped.startswith(">") else line)
    return "\n".join(new).strip(), "\n".join(quoted).strip()
