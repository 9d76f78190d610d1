"""Corpus conformance: parse + graph + evaluate every corpus workbook with ONE engine and compare the
recalculated values with the values Excel cached; regenerate docs/CONFORMANCE.md.

    .venv/bin/python scripts/conformance.py [--corpus DIR] [--out docs/CONFORMANCE.md]
        [--only SUBSTRING] [--dump mismatches.json]

Match rule: numbers |a - b| <= max(1e-9, 1e-9 * |b|) (b = Excel's cached value), text and booleans
exact, errors by code. Only formula cells with a cached value count.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from core.errors import PipelineError  # noqa: E402
from core.graph.build import build_to  # noqa: E402
from core.reader import parse_to  # noqa: E402
from core.stage import EVALUATE, PARSE, StageDir, read_table  # noqa: E402
from hf.client import NodeEngine  # noqa: E402
from hf.evaluate import evaluate_to  # noqa: E402

FUNC_RE = re.compile(r"(?<![A-Za-z0-9_.])((?:_xlfn\.|_xlws\.)*[A-Z][A-Z0-9.]*)\(")
VOLATILE = {"NOW", "TODAY", "RAND", "RANDBETWEEN", "RANDARRAY", "INFO", "CELL"}


@dataclass
class BookResult:
    """Conformance of one workbook."""

    path: str
    manifest_cached: int = 0     # MANIFEST.tsv formula_cells_with_cached_value
    formulas: int = 0
    cached_empty: int = 0        # formula cells whose cached value the reader stores as 'empty'
    compared: int = 0
    matched: int = 0
    seconds: float = 0.0
    failure: str | None = None
    classes: Counter[str] = field(default_factory=Counter)


def values_match(ctype: str | None, cval: float | None, ctext: str | None,
                 rtype: str, rval: float | None, rtext: str | None) -> bool:
    """The conformance rule: calculated (c*) against Excel's cached (r*)."""
    if rtype == "number":
        if ctype != "number" or cval is None or rval is None:
            return False
        return abs(cval - rval) <= max(1e-9, 1e-9 * abs(rval))
    if rtype == "bool":
        return ctype == "bool" and cval == rval
    if rtype in ("text", "error"):
        return ctype == rtype and (ctext or "") == (rtext or "")
    return False


def functions_of(formula: str) -> list[str]:
    """Function names called in a formula (without _xlfn. prefixes), deduplicated in order."""
    names = [re.sub(r"^(_xlfn\.|_xlws\.)+", "", m) for m in FUNC_RE.findall(formula or "")]
    return list(dict.fromkeys(names))


def classify(formula: str, ctype: str | None, ctext: str | None, status: str, detail: str | None,
             rtype: str, rtext: str | None) -> str:
    """A mismatch class: why this cell differs (roots are refined by hand in CONFORMANCE.md)."""
    funcs = set(functions_of(formula))
    if status != "ok":
        return f"{status}: {detail}"
    if funcs & VOLATILE:
        return "volatile function (" + ", ".join(sorted(funcs & VOLATILE)) + ")"
    if ctype == "error" and rtype != "error":
        return f"engine gives {ctext}" + (f" ({detail})" if detail else "")
    if rtype == "error" and ctype != "error":
        return f"Excel gives {rtext}, engine a value"
    if ctype != rtype:
        return f"type differs: engine {ctype}, Excel {rtype}"
    return "value differs"


def compare_book(stage: StageDir, result: BookResult, dump: list[dict[str, Any]] | None,
                 fn_counts: dict[str, Counter[str]]) -> None:
    """Compare evaluate/values.arrow with the cached values in parse/cells.arrow."""
    cells = read_table(stage.path(PARSE, "cells.arrow")).to_pydict()
    vals = read_table(stage.path(EVALUATE, "values.arrow")).to_pydict()
    for i, cell_type in enumerate(cells["cell_type"]):
        if cell_type != "formula":
            continue
        result.formulas += 1
        rtype = cells["raw_type"][i]
        if rtype in (None, "empty"):
            result.cached_empty += 1
            continue
        result.compared += 1
        formula = cells["formula"][i]
        args = (vals["calculated_type"][i], vals["calculated_value"][i], vals["calculated_text"][i])
        ok = values_match(*args, rtype, cells["raw_value"][i], cells["raw_text"][i])
        for fn in functions_of(formula):
            fn_counts[fn]["cells"] += 1
            fn_counts[fn]["mismatched"] += 0 if ok else 1
        if ok:
            result.matched += 1
            continue
        cls = classify(formula, args[0], args[2], vals["eval_status"][i], vals["eval_detail"][i],
                       rtype, cells["raw_text"][i])
        result.classes[cls] += 1
        if dump is not None:
            dump.append({"book": result.path, "cell": f"{cells['sheet'][i]}!{cells['col'][i]}:{cells['row'][i]}",
                         "formula": formula, "calc": args, "cached": (rtype, cells["raw_value"][i],
                         cells["raw_text"][i]), "class": cls})


def run_book(engine: NodeEngine, corpus: Path, rel: str, work: Path, dump: list[dict[str, Any]] | None,
             fn_counts: dict[str, Counter[str]], manifest_cached: int = 0) -> BookResult:
    """Parse, evaluate and compare one workbook; failures are recorded, never raised."""
    result = BookResult(path=rel, manifest_cached=manifest_cached)
    stage = StageDir.for_hash(work, re.sub(r"[^A-Za-z0-9]", "_", rel)[-120:])
    t0 = time.perf_counter()
    try:
        parse_to(stage, corpus / rel, max_uncompressed_bytes=1 << 30, max_compression_ratio=1000.0)
        build_to(stage)  # as the pipeline does: circular groups come from the graph stage
        evaluate_to(stage, engine)
        compare_book(stage, result, dump, fn_counts)
    except PipelineError as exc:
        result.failure = f"{exc.kind}: {str(exc)[:300]}"
    result.seconds = time.perf_counter() - t0
    return result


def manifest(corpus: Path) -> list[dict[str, str]]:
    """Rows of the corpus MANIFEST.tsv."""
    lines = (corpus / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split("\t")
    return [dict(zip(header, ln.split("\t"), strict=False)) for ln in lines[1:] if ln.strip()]


def run(corpus: Path, only: str | None, dump: list[dict[str, Any]] | None,
        timeout: float) -> tuple[list[BookResult], dict[str, Counter[str]], str]:
    """Run the whole corpus with one engine; returns per-book results, per-function counts, version."""
    results: list[BookResult] = []
    fn_counts: dict[str, Counter[str]] = defaultdict(Counter)
    with NodeEngine(call_timeout=timeout) as engine, tempfile.TemporaryDirectory() as tmp:
        for row in manifest(corpus):
            if only and only not in row["path"]:
                continue
            cached = int(row.get("formula_cells_with_cached_value") or 0)
            results.append(run_book(engine, corpus, row["path"], Path(tmp), dump, fn_counts, cached))
            r = results[-1]
            print(f"{r.matched:>7}/{r.compared:<7} {r.seconds:6.1f}s {r.path}"
                  + (f"  FAILED {r.failure}" if r.failure else ""), file=sys.stderr)
        version = engine.version
    return results, fn_counts, version


def _pct(a: int, b: int) -> str:
    return f"{100 * a / b:.2f} %" if b else "n/a"


def render(results: list[BookResult], fn_counts: dict[str, Counter[str]], version: str, seconds: float,
           partial: bool) -> str:
    """The Markdown of docs/CONFORMANCE.md."""
    compared = sum(r.compared for r in results)
    matched = sum(r.matched for r in results)
    failed = [r for r in results if r.failure]
    classes: Counter[str] = Counter()
    for r in results:
        classes.update(r.classes)
    out = ["# Corpus conformance", "",
           "Generated by `.venv/bin/python scripts/conformance.py` (do not edit by hand; the explanations",
           "come from `scripts/conformance.py`'s EXPLAINED table).", "",
           f"HyperFormula {version}; {len(results)} workbooks; run took {seconds:.0f} s" +
           (" (PARTIAL RUN)" if partial else "") + ".", "",
           f"**Overall: {matched:,} of {compared:,} formula cells with a cached value match Excel "
           f"({100 * matched / max(compared, 1):.3f} %).** Workbooks that failed to import: {len(failed)}.", "",
           *_irreducible_line(classes, matched, compared),
           "Match rule: numbers |a - b| <= max(1e-9, 1e-9 * |b|) with b Excel's cached value; text and "
           "booleans exact; errors by code.", "",
           "## Remaining mismatch classes", "", "| cells | class | explanation |", "|---:|---|---|"]
    for cls, n in classes.most_common():
        out.append(f"| {n:,} | {_md(cls)} | {_md(explain(cls))} |")
    out += denominator(results)
    out += ["", "## Per function (functions appearing in mismatched cells)", "",
            "| function | formula cells using it | mismatched | match |", "|---|---:|---:|---:|"]
    rows = sorted(((fn, c) for fn, c in fn_counts.items() if c["mismatched"]),
                  key=lambda x: -x[1]["mismatched"])
    for fn, c in rows:
        rate = _pct(c["cells"] - c["mismatched"], c["cells"])
        out.append(f"| {fn} | {c['cells']:,} | {c['mismatched']:,} | {rate} |")
    out += ["", "## Per workbook", "", "| workbook | compared | matched | match | seconds | note |",
            "|---|---:|---:|---:|---:|---|"]
    for r in sorted(results, key=lambda r: (r.matched - r.compared, r.path)):
        note = r.failure or "; ".join(f"{n} {c}" for c, n in r.classes.most_common(2))
        out.append(f"| {_md(r.path)} | {r.compared:,} | {r.matched:,} | {_pct(r.matched, r.compared)} | "
                   f"{r.seconds:.1f} | {_md(note[:160])} |")
    return "\n".join(out) + "\n"


def denominator(results: list[BookResult]) -> list[str]:
    """Markdown reconciling the compared cells with MANIFEST.tsv's cached-value count."""
    listed = sum(r.manifest_cached for r in results)
    compared = sum(r.compared for r in results)
    failed = sum(r.manifest_cached for r in results if r.failure)
    empty = sum(r.cached_empty for r in results if not r.failure)
    unseen = sum(r.manifest_cached - r.compared - r.cached_empty for r in results if not r.failure)
    out = ["", "## Denominator", "",
           f"MANIFEST.tsv lists {listed:,} formula cells with a cached value; {compared:,} are compared:", "",
           f"* {failed:,} in workbooks that failed to import (listed under Per workbook);",
           f"* {empty:,} whose cached value is the empty string (`<v></v>` on a `t=\"str\"` cell, e.g. "
           "`IF(..., \"\")`): the reader stores it as raw_type 'empty', which the match rule cannot tell "
           "from 'no cached value', so they are left out;",
           f"* {unseen:,} counted by the manifest in worksheet parts no sheet of the workbook uses (calamine's "
           "non_monotonic_si.xlsx carries xl/worksheets/sheet1_formatted.xml, an unreferenced pretty-printed "
           "copy of sheet1; the manifest counts every worksheet part, the reader reads the workbook's sheets).",
           ""]
    rows = [r for r in results if not r.failure and r.compared != r.manifest_cached]
    if rows:
        out += ["| workbook | manifest | compared | cached empty string | not parsed |", "|---|---:|---:|---:|---:|"]
        out += [f"| {_md(r.path)} | {r.manifest_cached:,} | {r.compared:,} | {r.cached_empty:,} | "
                f"{r.manifest_cached - r.compared - r.cached_empty:,} |" for r in rows]
    return out


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


EXPLAINED: list[tuple[str, str]] = [
    ("circular_not_converged: group", "Excel's iterative calculation had not settled either: a "
     "250-iteration stepping search (Wine_Bottle_Holder.xlsx) whose cached values come from several "
     "recalculations, each continuing from the last; ours is one solve with the saved settings. Flagged, "
     "not hidden (tests/hf/test_circular_pipeline.py KNOWN)."),
    ("circular_not_converged: depends on", "downstream of a circular group that did not converge (above)."),
    ("circular_no_iteration", "a live loop with iterative calculation off: Excel shows 0, as we do; a "
     "different cached value was saved before the loop was closed."),
    ("engine_error: circular reference not solved", "a #CYCLE! neither the graph's groups nor the "
     "ungrouped fallback (hf/cycles.py solve_ungrouped) solved."),
    ("engine_error: evaluation failed", "HyperFormula 3.5 threw a JavaScript exception inside this "
     "formula (array IF / LOOKUP / XLOOKUP over inline arrays of mismatched shape or mixed types: 'Value "
     "of the formula cell is not computed', 'Function returning array cannot be vectorized', 'Unknown "
     "array'); hf/lib/evalguard.js isolates the cell as #VALUE! engine_error, the rest of the workbook "
     "evaluates."),
    ("unsupported_function: range operator on a function result", "A1:INDEX(...) or "
     "INDIRECT(...):INDIRECT(...): a range whose corner is computed at run time, which the rewriter does "
     "not translate yet; the cell is #NAME?."),
    ("type differs: engine empty", "a cell inside an array or spill range whose anchor's result "
     "HyperFormula does not spill there (a range returned by the dynamic OFFSET/INDIRECT plugins, or a "
     "smaller array than Excel's): the cell reads empty."),
    ("type differs: engine number, Excel text", "XLOOKUP's approximate match modes (-1 / 1) return 0 "
     "where Excel returns the next smaller/larger item; references to cells of an unspilled range "
     "result (read as 0); IF(..., \"\") branches decided by a volatile date."),
    ("volatile function (RAND", "RAND/RANDBETWEEN draw new numbers on every recalculation: Excel's cached "
     "value is one draw, ours another, so these cells (and cells computed from them, usually listed as "
     "'value differs' in the same workbooks) cannot match; irreducible."),
    ("volatile function", "TODAY()/NOW() are evaluated at the workbook's save time (docProps/core.xml "
     "dcterms:modified, UTC; the volatile clock option), which reproduces Excel's cached dates. What is left: "
     "NOW() cached in the saving machine's local time while the file records UTC (offsets of hours), TODAY() "
     "where the local date differed from the UTC date, and files without a save time (wall clock used)."),
    *((f"unsupported_function: unknown function {fn}", "a VBA user-defined function of the workbook's macro "
       "project (xl/vbaProject.bin Module1: SRound, TRound, CRound...); we do not run VBA, so the cell is "
       "#NAME? (irreducible).") for fn in ("SROUND", "TROUND", "CROUND")),
    *((f"engine gives #NAME? (unknown function {fn}", "depends on a VBA user-defined function (above).")
      for fn in ("SROUND", "TROUND", "CROUND")),
    *((f"unsupported_function: unknown function {fn}", "an OLAP cube function: its value comes from the cube "
       "server the workbook was connected to (irreducible).") for fn in ("CUBEVALUE", "CUBEMEMBER")),
    ("unsupported_function: unknown function NUMFMT", "a VBA user-defined function of the workbook's macro "
     "project (xl/vbaProject.bin); we do not run VBA, so the cell is #NAME? (irreducible)."),
    ("unsupported_function: unknown function DOFMT", "a VBA user-defined function of the workbook's macro "
     "project (xl/vbaProject.bin); we do not run VBA, so the cell is #NAME? (irreducible)."),
    ("engine gives #NAME? (unknown function NUMFMT", "depends on a VBA user-defined function (above)."),
    ("engine gives #NAME? (unknown function DOFMT", "depends on a VBA user-defined function (above)."),
    ("unsupported_function: unknown function", "a function HyperFormula 3.5 lacks and we have no plugin for "
     "yet (the cell is #NAME?, never the cached value); see the per-function table."),
    ("engine gives #NAME? (unknown function", "propagated: depends on a cell using an unsupported function."),
    ("unsupported_function: external workbook reference", "[n]Sheet!A1 reads another workbook we do not "
     "have; the cell is #NAME? by design."),
    *((f"engine_error: parse error: Parsing error. {nth} argument to OFFSET", "HyperFormula's built-in "
       "OFFSET checks its offset/size arguments when parsing (literal integers only); the rewriter routes "
       "computed ones to the XLOFFSET plugin, these non-integer or out-of-range literals are refused.")
      for nth in ("Second", "Third", "Fourth", "Fifth")),
    ("engine_error: parse error", "HyperFormula cannot parse the (rewritten) formula: dynamic-array syntax "
     "(LAMBDA/LET, A1#), or a construct our rewriter does not yet translate."),
    ("engine gives #SPILL!", "a range used where legacy Excel applies implicit intersection (e.g. "
     "SUMIF(range, range_criteria)) or a dynamic-array result without room; HyperFormula spills instead."),
    ("engine gives #VALUE! (Cell range not allowed", "a bare range in a one-cell, non-array formula: Excel "
     "intersects it with the formula's row/column, HyperFormula refuses."),
    ("engine gives #CYCLE!", "circular reference left unsolved (see hf/circular.js results)."),
    ("type differs: engine text, Excel number", "usually an IF(..., \"\") branch taken differently "
     "because an input upstream differs (volatile or unsupported root)."),
    ("value differs", "numeric or text differences, mostly cells computed from a RAND/RANDBETWEEN draw or from "
     "NOW() (cached in local time, see above) in the same workbook; the rest are iteration end points "
     "(XIRR/IRR/RATE stop ~1e-8 from the root where Excel stops elsewhere), Excel's own approximations "
     "(BESSELJ/BESSELI last digits), summation order in the last binary digit (AGGREGATE VAR.P under "
     "ROUND(...,12)), and dynamic-array results computed from such cells."),
    ("engine gives #VALUE! (Value cannot be coerced to number", "text Excel's saving locale read as a number "
     "that en-US Excel (our rule) rejects: day-first dates such as \"29/02/1900\" (formulas test.xlsx: its "
     "cached GAMMA(\"13/01/1900\") is 12!, so that Excel was day-first, but the file records no locale) and "
     "\"€100\" (EXP_SIGN.xlsx); and cells computed from them."),
    ("engine gives", "an Excel-computed value where the engine produced an error: mostly propagated from "
     "a root listed above; per-function table shows where."),
    ("Excel gives", "Excel produced an error the engine did not (argument validation differences)."),
    ("type differs", "the engine's value has another type than Excel's: usually an IF(..., \"\") branch "
     "decided differently because an input upstream differs (volatile or unsupported root)."),
    ("unsupported_function:", "the formula uses something we cannot compute (the detail says what); the "
     "cell is #NAME?, never the cached value."),
    ("engine_error:", "HyperFormula could not parse or evaluate the formula (the detail says why)."),
]


# Classes no engine can match from the file alone: random draws, VBA user-defined functions (the macro
# project is not run), OLAP cube functions (need the cube server). Reported beside the overall rate, never
# taken out of it.
IRREDUCIBLE = ("volatile function (RAND",) + tuple(
    f"{prefix}unknown function {fn}" for fn in ("NUMFMT", "DOFMT", "SROUND", "TROUND", "CROUND", "CUBEVALUE",
                                                 "CUBEMEMBER")
    for prefix in ("unsupported_function: ", "engine gives #NAME? ("))


def _irreducible_line(classes: Counter[str], matched: int, compared: int) -> list[str]:
    n = sum(c for cls, c in classes.items() if cls.startswith(IRREDUCIBLE))
    if not n:
        return []
    return [f"Of these, {n:,} cells cannot match from the file alone (RAND/RANDBETWEEN draws; VBA user-defined "
            "functions NUMFMT, DOFMT, SROUND, TROUND, CROUND and cells using them; OLAP CUBE* functions). Without "
            f"them: {matched:,} of {compared - n:,} ({100 * matched / max(compared - n, 1):.3f} %). Cells "
            "computed from a random draw are not counted here.", ""]


def explain(cls: str) -> str:
    """The explanation of a mismatch class (first EXPLAINED prefix that matches)."""
    for prefix, text in EXPLAINED:
        if cls.startswith(prefix):
            return text
    return "not yet explained"


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit status."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=REPO.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=REPO / "docs" / "CONFORMANCE.md")
    ap.add_argument("--only", help="only workbooks whose path contains this")
    ap.add_argument("--dump", type=Path, help="write every mismatch as JSON here")
    ap.add_argument("--timeout", type=float, default=300.0)
    args = ap.parse_args(argv)
    dump: list[dict[str, Any]] | None = [] if args.dump else None
    t0 = time.perf_counter()
    results, fn_counts, version = run(args.corpus, args.only, dump, args.timeout)
    if args.dump:
        args.dump.write_text(json.dumps(dump, indent=0, default=str))
    text = render(results, fn_counts, version, time.perf_counter() - t0, partial=bool(args.only))
    if not args.only:
        args.out.write_text(text, encoding="utf-8")
    compared = sum(r.compared for r in results)
    matched = sum(r.matched for r in results)
    print(f"matched {matched}/{compared} = {100 * matched / max(1, compared):.3f} %", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
