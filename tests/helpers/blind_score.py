"""Score `mailbot parse FILE --json` against a blind corpus (documents + NAME.truth.json).

    python -m tests.helpers.blind_score CORPUS_DIR [--mailbot CMD] [--json] [--timeout S] [--jobs N]

For every NAME.pdf / NAME.docx / NAME.eml that has a NAME.truth.json beside it, the real CLI is run
(`<CMD> parse FILE --json`, default CMD = `<this python> -m mailbot`, run from the current directory,
so scoring /work/baseline or /work/main means running this module from that checkout) and its JSON
output is compared with the truth, following /work/shared/samples/README.md ("How results are compared"):

* kind must match;
* FORM fields (company 6 + job 8 + conditions 5 = 19 per form): text fields are compared after
  Unicode NFKC, typographic apostrophes -> ', bullet stripping, whitespace collapsing and casefolding;
  siret, phone, recruitment_date, email and contract_type must be exactly equal; positions and
  weekly_hours are compared numerically (a JSON number is required); null == null;
* forms are matched in order; a truth form the parser did not return counts its 19 fields wrong;
  an extra form returned by the parser adds one wrong form to the "forms all right" denominator
  (it does not add fields);
* `missing` is compared as a set and `problems` only as empty vs non-empty (reported separately,
  not part of the 19 fields);
* truths with `expect_error_handled: true` only check the kind (the fields are not compared).

It measures and never judges: the exit status is always 0.  Standard library only.
"""

import argparse
import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

DOC_SUFFIXES = (".pdf", ".docx", ".eml")
SECTIONS = (
    ("company", ("legal_name", "siret", "address", "contact_name", "phone", "email")),
    (
        "job",
        (
            "title",
            "positions",
            "recruitment_date",
            "main_activities",
            "required_skills",
            "experience",
            "training",
            "special_requirements",
        ),
    ),
    ("conditions", ("contract_type", "contract_duration", "weekly_hours", "gross_salary", "workplace")),
)
FIELDS_PER_FORM = sum(len(f) for _, f in SECTIONS)
EXACT = {"siret", "phone", "recruitment_date", "email", "contract_type"}
NUMERIC = {"positions", "weekly_hours"}
APOSTROPHES = str.maketrans(
    {"\u2019": "'", "\u2018": "'", "\u201b": "'", "\u02bc": "'", "\u2032": "'", "\u00b4": "'", "`": "'"}
)
BULLET_RE = re.compile(r"^\s*[-\u2022\u2013\u2014*\u00b7\u25aa\u25cf]+\s+|^\s*[\u2022\u25aa\u25cf\u00b7]+\s*")


# ---------------------------------------------------------------------------------------------
# normalisation and comparison
# ---------------------------------------------------------------------------------------------
def norm_text(value):
    if value is None:
        return None
    if not isinstance(value, str):
        value = str(value)
    s = unicodedata.normalize("NFKC", value).translate(APOSTROPHES)
    lines = [BULLET_RE.sub("", ln) for ln in s.splitlines()]
    s = re.sub(r"\s+", " ", " ".join(lines)).strip()
    s = BULLET_RE.sub("", s).strip()
    return s.casefold() or None


def norm_exact(value):
    if value is None:
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    return value


def field_equal(field, got, want):
    if field in NUMERIC:
        if want is None:
            return got is None
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        return abs(float(got) - float(want)) < 1e-9
    if field in EXACT:
        return norm_exact(got) == norm_exact(want)
    return norm_text(got) == norm_text(want)


def short(value, limit=60):
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# running the CLI
# ---------------------------------------------------------------------------------------------
def run_parser(cmd, path, timeout):
    try:
        proc = subprocess.run(
            cmd + ["parse", str(path), "--json"], capture_output=True, timeout=timeout, cwd=os.getcwd()
        )
    except subprocess.TimeoutExpired:
        return None, f"timeout after {timeout}s"
    except OSError as exc:
        return None, f"cannot run {cmd!r}: {exc}"
    out = proc.stdout.decode("utf-8", "replace").strip()
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        first = err.splitlines()[-1] if err else ""
        return None, f"exit {proc.returncode}: {first[:160]}"
    try:
        data = json.loads(out)
    except ValueError:
        return None, f"stdout is not one JSON object: {out[:120]!r}"
    if not isinstance(data, dict):
        return None, "stdout JSON is not an object"
    return data, None


# ---------------------------------------------------------------------------------------------
# scoring one document
# ---------------------------------------------------------------------------------------------
def score_document(doc, truth, got, error):
    want_kind = truth.get("kind")
    got_kind = got.get("kind") if isinstance(got, dict) else None
    res = {
        "name": doc.name,
        "want_kind": want_kind,
        "got_kind": got_kind,
        "kind_ok": got_kind == want_kind,
        "error": error,
        "fields_right": 0,
        "fields_total": 0,
        "forms_want": 0,
        "forms_got": 0,
        "forms_all_right": 0,
        "forms_counted": 0,
        "missing_right": 0,
        "problems_right": 0,
        "wrong": [],
    }
    want_forms = truth.get("forms") or []
    got_forms = got.get("forms") if isinstance(got, dict) else None
    if not isinstance(got_forms, list):
        got_forms = []
    got_forms = [f for f in got_forms]
    res["forms_got"] = len(got_forms)
    if truth.get("expect_error_handled"):
        return res
    res["forms_want"] = len(want_forms)
    res["forms_counted"] = max(len(want_forms), len(got_forms))
    multi = len(want_forms) > 1
    for i, wf in enumerate(want_forms):
        gf = got_forms[i] if i < len(got_forms) and isinstance(got_forms[i], dict) else None
        all_right = True
        for sec, fields in SECTIONS:
            wsec = wf.get(sec) or {}
            gsec = (gf.get(sec) if gf else None) or {}
            if not isinstance(gsec, dict):
                gsec = {}
            for f in fields:
                res["fields_total"] += 1
                want = wsec.get(f)
                if gf is None:
                    all_right = False
                    res["wrong"].append(
                        (f"{'form' + str(i + 1) + '.' if multi else ''}{sec}.{f}", "<no form>", want)
                    )
                    continue
                got_v = gsec.get(f)
                if field_equal(f, got_v, want):
                    res["fields_right"] += 1
                else:
                    all_right = False
                    res["wrong"].append(
                        (f"{'form' + str(i + 1) + '.' if multi else ''}{sec}.{f}", got_v, want)
                    )
        if gf is not None:
            if set(gf.get("missing") or []) == set(wf.get("missing") or []):
                res["missing_right"] += 1
            if bool(gf.get("problems")) == bool(wf.get("problems")):
                res["problems_right"] += 1
        if all_right and gf is not None:
            res["forms_all_right"] += 1
    return res


def find_documents(corpus):
    docs = []
    for p in sorted(corpus.iterdir()):
        if p.suffix.lower() in DOC_SUFFIXES and p.with_name(p.stem + ".truth.json").exists():
            docs.append(p)
    return docs


def pct(a, b):
    return f"{100.0 * a / b:.1f} %" if b else "n/a"


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="python -m tests.helpers.blind_score", description=__doc__.split("\n")[0]
    )
    ap.add_argument("corpus", help="directory holding NAME.<pdf|docx|eml> + NAME.truth.json")
    ap.add_argument(
        "--mailbot",
        default=None,
        help="command that runs mailbot (default: '<python> -m mailbot' from the current directory)",
    )
    ap.add_argument("--json", action="store_true", help="print a JSON report instead of text")
    ap.add_argument("--timeout", type=float, default=180.0, help="seconds per document (default 180)")
    ap.add_argument("--jobs", type=int, default=1, help="documents parsed in parallel (default 1)")
    args = ap.parse_args(argv)

    corpus = Path(args.corpus)
    if not corpus.is_dir():
        print(f"blind_score: {corpus} is not a directory", file=sys.stderr)
        return 0
    cmd = shlex.split(args.mailbot) if args.mailbot else [sys.executable, "-m", "mailbot"]
    docs = find_documents(corpus)

    def work(doc):
        truth = json.loads(doc.with_name(doc.stem + ".truth.json").read_text(encoding="utf-8"))
        got, error = run_parser(cmd, doc.resolve(), args.timeout)
        return score_document(doc, truth, got, error)

    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        results = list(pool.map(work, docs))

    tot = {
        k: sum(r[k] for r in results)
        for k in (
            "fields_right",
            "fields_total",
            "forms_all_right",
            "forms_counted",
            "forms_want",
            "missing_right",
            "problems_right",
        )
    }
    kinds_ok = sum(r["kind_ok"] for r in results)
    non_forms = [r for r in results if r["want_kind"] != "liaison_form"]
    extra_forms = sum(max(0, r["forms_got"] - r["forms_want"]) for r in results)
    errors = sum(1 for r in results if r["error"])

    if args.json:
        report = {
            "corpus": str(corpus),
            "command": cmd,
            "documents": len(results),
            "fields": {"right": tot["fields_right"], "total": tot["fields_total"]},
            "forms_all_right": {"right": tot["forms_all_right"], "total": tot["forms_counted"]},
            "kinds": {"right": kinds_ok, "total": len(results)},
            "non_forms_kind": {"right": sum(r["kind_ok"] for r in non_forms), "total": len(non_forms)},
            "missing_sets": {"right": tot["missing_right"], "total": tot["forms_want"]},
            "problems_flags": {"right": tot["problems_right"], "total": tot["forms_want"]},
            "extra_forms": extra_forms,
            "errors": errors,
            "per_document": [
                {**r, "wrong": [{"field": f, "got": g, "want": w} for f, g, w in r["wrong"]]} for r in results
            ],
        }
        print(json.dumps(report, ensure_ascii=False, indent=2))
        return 0

    width = max([len(r["name"]) for r in results] + [10])
    for r in results:
        line = f"{r['name']:<{width}}  "
        if r["want_kind"] == "liaison_form":
            line += f"fields {r['fields_right']:>3}/{r['fields_total']:<3}"
            line += f" forms {r['forms_got']}/{r['forms_want']}"
        else:
            line += f"{'(' + str(r['want_kind']) + ')':<22}"
        line += "  kind " + ("ok" if r["kind_ok"] else f"WRONG (got {r['got_kind']}, want {r['want_kind']})")
        if r["error"]:
            line += f"  ERROR {r['error']}"
        if r["wrong"]:
            shown = "; ".join(
                f"{f}: got {short(g) if g != '<no form>' else g}, want {short(w)}"
                for f, g, w in r["wrong"][:3]
            )
            more = f" (+{len(r['wrong']) - 3} more)" if len(r["wrong"]) > 3 else ""
            line += "  | " + shown + more
        print(line)
    print()
    print(f"documents: {len(results)} ({errors} parser errors)")
    print(
        f"fields: {tot['fields_right']}/{tot['fields_total']} "
        f"({pct(tot['fields_right'], tot['fields_total'])})"
    )
    print(
        f"forms all right: {tot['forms_all_right']}/{tot['forms_counted']} "
        f"({pct(tot['forms_all_right'], tot['forms_counted'])})"
        + (f" [{extra_forms} extra forms]" if extra_forms else "")
    )
    print(f"kinds: {kinds_ok}/{len(results)}")
    print(f"non-forms kind right: {sum(r['kind_ok'] for r in non_forms)}/{len(non_forms)}")
    print(
        f"missing sets equal: {tot['missing_right']}/{tot['forms_want']}   "
        f"problems empty/non-empty equal: {tot['problems_right']}/{tot['forms_want']}"
    )
    return 0


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        main()
    sys.exit(0)
