"""Form-parser speed: median and p95 per layout family over the samples, and the time and peak
memory of the bad inputs (each in a fresh process).

    .venv/bin/python benchmarks/parse.py            # text, table, AcroForm, DOCX samples
    .venv/bin/python benchmarks/parse.py --ocr      # also the scans (F7), 3 runs each, and the
                                                    # scanned renders of the text/table samples

The bad inputs include three 1 GB bombs: a PDF Flate stream, a DOCX whose zip index declares
the gigabyte, and a DOCX whose zip index under-states it (4 KB declared).
"""

from __future__ import annotations

import argparse
import io
import json
import resource
import statistics
import subprocess
import sys
import time
import zipfile
import zlib
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mailbot.errors import UnreadableDocument  # noqa: E402
from mailbot.parse.document import load_document  # noqa: E402
from mailbot.parse.forms import parse_forms  # noqa: E402
from tests.fixtures.scans.builders import docx_underdeclared_bomb, scan_pdf  # noqa: E402

FOLDERS = [ROOT / "tests" / "fixtures" / "samples" / "forms", ROOT / "tests" / "fixtures" / "forms_extra"]
TARGETS_MS = {"F1": 20, "F5": 20, "F6": 20, "F2": 60, "F3": 60, "F4": 60}


def _samples(ocr: bool) -> dict[str, list[Path]]:
    families: dict[str, list[Path]] = defaultdict(list)
    for folder in FOLDERS:
        for path in sorted(folder.glob("*.*")):
            if path.suffix not in (".pdf", ".docx"):
                continue
            truth = json.loads(path.with_suffix(".truth.json").read_text(encoding="utf-8"))
            family = truth.get("family", "?")
            if family == "F7" and not ocr:
                continue
            families[family].append(path)
    return families


def _time_one(path: Path) -> float:
    data = path.read_bytes()
    started = time.perf_counter()
    parse_forms(load_document(data, path.name))
    return (time.perf_counter() - started) * 1000


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench_samples(runs: int, ocr: bool) -> None:
    families = _samples(ocr)
    for paths in families.values():  # warm up imports and caches
        _time_one(paths[0])
    print(f"{'family':8} {'files':>5} {'runs':>5} {'median ms':>10} {'p95 ms':>8}  target")
    for family in sorted(families):
        count = 3 if family == "F7" else runs
        times = [_time_one(p) for p in families[family] for _ in range(count)]
        target = TARGETS_MS.get(family)
        verdict = (
            ""
            if target is None
            else f"≤ {target} ms " + ("ok" if statistics.median(times) <= target else "MISSED")
        )
        print(
            f"{family:8} {len(families[family]):>5} {len(times):>5} "
            f"{statistics.median(times):>10.1f} {_percentile(times, 0.95):>8.1f}  {verdict}"
        )


def _pdf_with_stream(body: bytes) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for number, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 5\n0000000000 65535 f \n" + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    return out + b"trailer\n<< /Size 5 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref


def _bad_input(name: str) -> tuple[bytes, str]:
    sample = (FOLDERS[0] / "f4_table_invalid_siret.pdf").read_bytes()
    if name == "pdf_stream_1GB":
        packer = zlib.compressobj(1)
        chunk = b"\0" * (1 << 20)
        body = b"".join(packer.compress(chunk) for _ in range(1024)) + packer.flush()
        return _pdf_with_stream(body), "bomb.pdf"
    if name == "docx_zip_bomb_1GB":
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
            with archive.open("word/document.xml", "w") as member:
                for _ in range(1024):
                    member.write(b" " * (1 << 20))
        return buffer.getvalue(), "bomb.docx"
    if name == "docx_underdeclared_1GB":
        return docx_underdeclared_bomb(1024), "bomb.docx"
    if name == "file_100MB":
        return b"%PDF-1.4\n" + b"0" * (100 << 20), "big.pdf"
    if name == "empty":
        return b"", "empty.pdf"
    if name == "truncated_pdf":
        return sample[: len(sample) // 2], "cut.pdf"
    if name == "encrypted_pdf":
        from pypdf import PdfReader, PdfWriter

        writer = PdfWriter()
        for page in PdfReader(io.BytesIO(sample)).pages:
            writer.add_page(page)
        writer.encrypt(user_password="secret")
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue(), "locked.pdf"
    raise KeyError(name)


BAD = [
    "pdf_stream_1GB",
    "docx_zip_bomb_1GB",
    "docx_underdeclared_1GB",
    "file_100MB",
    "empty",
    "truncated_pdf",
    "encrypted_pdf",
]


def run_one_bad(name: str) -> None:
    data, filename = _bad_input(name)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    outcome = "parsed"
    try:
        parse_forms(load_document(data, filename))
    except UnreadableDocument as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "input_mb": len(data) / 2**20,
                "seconds": seconds,
                "extra_peak_mb": (after - before) / 1024,
                "outcome": outcome,
            }
        )
    )


def bench_bad() -> None:
    print(f"\n{'bad input':24} {'size MB':>8} {'seconds':>8} {'+peak MB':>9}  outcome")
    for name in BAD:
        done = subprocess.run(
            [sys.executable, __file__, "--one-bad", name], capture_output=True, text=True, check=False
        )
        try:
            row = json.loads(done.stdout.strip().splitlines()[-1])
        except (IndexError, json.JSONDecodeError):
            print(f"{name:24} crashed: {done.stderr.strip()[-200:]}")
            continue
        print(
            f"{name:24} {row['input_mb']:>8.1f} {row['seconds']:>8.3f} "
            f"{row['extra_peak_mb']:>9.1f}  {row['outcome']}"
        )


SCANNED = ["f3_text_word_export.pdf", "f4_table_invalid_siret.pdf"]
RENDERS = {"grey 150 dpi": ("L", 150), "b&w 300 dpi": ("1", 300)}


def bench_scans() -> None:
    """Sample forms rendered as scans (one Flate image a page, with and without the end-of-line
    before `endstream`): the stream check's time and the whole parse (OCR) time."""
    print(f"\n{'scanned render':44} {'KB':>5} {'check ms':>9} {'parse s':>8}  fields")
    for sample in SCANNED:
        truth = json.loads((FOLDERS[0] / sample).with_suffix(".truth.json").read_text(encoding="utf-8"))
        want = truth["forms"][0]["company"]
        for render, (mode, dpi) in RENDERS.items():
            for eol in (True, False):
                data = scan_pdf(sample, mode, dpi, eol)
                started = time.perf_counter()
                doc = load_document(data, "scan.pdf")
                checked = time.perf_counter() - started
                forms = parse_forms(doc).forms
                parsed = time.perf_counter() - started
                got = forms[0]["company"] if forms else {}
                right = all(got.get(k) == want[k] for k in ("legal_name", "siret", "email"))
                label = f"{sample[:-4]} {render} {'EOL' if eol else 'no EOL'}"
                print(
                    f"{label:44} {len(data) // 1024:>5} {checked * 1000:>9.1f} {parsed:>8.2f}  "
                    + ("ok" if right else "WRONG")
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="runs per sample (default 20)")
    parser.add_argument("--ocr", action="store_true", help="include the scanned samples (slow)")
    parser.add_argument("--one-bad", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one_bad:
        run_one_bad(args.one_bad)
        return
    bench_samples(args.runs, args.ocr)
    bench_bad()
    if args.ocr:
        bench_scans()


if __name__ == "__main__":
    main()
