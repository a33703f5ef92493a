"""Scanned (image-only) PDF pages read with the Tesseract CLI, as positioned text.

Pages are rendered with pypdfium2 (~300 dpi) and piped to `tesseract - - -l fra tsv` with a timeout;
words are grouped into lines and into segments (runs split at wide gaps) so that the same text
and table readers as for text PDFs apply.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import time
from collections import defaultdict

from mailbot.parse.pdf_layout import PageLayout, Segment

__all__ = ["OcrUnavailable", "ocr_pages", "tesseract_available"]

DPI = 300


class OcrUnavailable(RuntimeError):
    """Tesseract is not installed or failed."""


def tesseract_available() -> bool:
    return shutil.which("tesseract") is not None


def _tesseract_env() -> dict[str, str]:
    """The environment for tesseract: one OpenMP thread unless OMP_THREAD_LIMIT is already set.

    Its threads make one page about 3x slower on a busy 2-core host (measured 2.7 s against
    9-11 s, same output), and mailbot never needs one page faster than the host can give.
    """
    return {"OMP_THREAD_LIMIT": "1", **os.environ}


def _tsv_layout(tsv: str, width: float, height: float, scale: float) -> PageLayout:
    lines: dict[tuple[int, int, int], list[tuple[float, float, float, float, str]]] = defaultdict(list)
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        left, top, w, h = (int(v) / scale for v in cols[6:10])
        key = (int(cols[2]), int(cols[3]), int(cols[4]))
        lines[key].append((left, top, left + w, top + h, cols[11]))
    segments: list[Segment] = []
    text_lines: list[tuple[float, str]] = []
    for words in lines.values():
        words.sort()
        line_height = max(w[3] - w[1] for w in words)
        text_lines.append((min(w[1] for w in words), " ".join(w[4] for w in words)))
        run = [words[0]]
        for word in words[1:]:
            if word[0] - run[-1][2] > 1.8 * line_height:
                segments.append(_segment(run, height))
                run = []
            run.append(word)
        segments.append(_segment(run, height))
    segments.sort(key=lambda s: (-round(s.y1), s.x0))
    text_lines.sort()
    return PageLayout(width, height, segments, [], "\n".join(t for _, t in text_lines))


def _segment(words, height: float) -> Segment:
    return Segment(
        min(w[0] for w in words),
        height - max(w[3] for w in words),
        max(w[2] for w in words),
        height - min(w[1] for w in words),
        " ".join(w[4] for w in words).strip(" |[]{}_"),
    )


def remove_rules(image, span: int = 150):
    """The page image with long horizontal and vertical rules (table borders) painted white.

    A pixel is part of a rule when the `span` pixels around it along a row (or a column) are
    almost all dark; text strokes never are. Pure Pillow, ~0.5 s per A4 page at 300 dpi.
    """
    from PIL import Image, ImageChops, ImageFilter

    width, height = image.size
    dark = image.point(lambda v: 0 if v < 150 else 255)

    def mask(size: tuple[int, int]):
        small = dark.resize(size, Image.BOX).point(lambda v: 0 if v < 40 else 255)
        return small.resize((width, height), Image.NEAREST)

    rules = ImageChops.darker(mask((max(1, width // span), height)), mask((width, max(1, height // span))))
    return ImageChops.lighter(image, ImageChops.invert(rules.filter(ImageFilter.MinFilter(7))))


def ocr_pages(pdf, max_pages: int, deadline: float) -> tuple[list[PageLayout], str | None]:
    """OCR of the first pages of an open pypdfium2 document, until `deadline` (time.monotonic).

    Returns the pages read and, when it stopped early, why (the pages read are kept).
    Raises OcrUnavailable when not even the first page could be read.
    """
    if not tesseract_available():
        raise OcrUnavailable("tesseract is not installed")
    pages: list[PageLayout] = []
    scale = DPI / 72
    for index in range(min(len(pdf), max_pages)):
        remaining = deadline - time.monotonic()
        if remaining <= 0.5:
            if not pages:
                raise OcrUnavailable("no time left for OCR")
            return pages, f"temps dépassé : pages {index + 1} et suivantes non lues"
        page = pdf[index]
        try:
            width, height = page.get_size()
            image = page.render(scale=scale, grayscale=True).to_pil()
        finally:
            page.close()
        image = remove_rules(image, span=max(40, DPI // 2))
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        command = ["tesseract", "-", "-", "-l", "fra", "--psm", "4"]
        command += ["-c", "tessedit_do_invert=0", "tsv"]
        try:
            done = subprocess.run(
                command,
                input=buffer.getvalue(),
                capture_output=True,
                timeout=remaining,
                check=False,
                env=_tesseract_env(),
            )
        except subprocess.TimeoutExpired:
            if not pages:
                raise OcrUnavailable(f"OCR timed out on page {index + 1}") from None
            return pages, f"temps dépassé : pages {index + 1} et suivantes non lues"
        if done.returncode != 0:
            raise OcrUnavailable(f"tesseract failed on page {index + 1}")
        pages.append(_tsv_layout(done.stdout.decode("utf-8", "replace"), width, height, scale))
    return pages, None
