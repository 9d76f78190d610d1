"""Import statistics gathered from the stage outputs (for the CLI, --json and the UI artifact)."""

from __future__ import annotations

from typing import Any

from core.stage import EVALUATE, GRAPH, PARSE, StageDir, read_json


def import_stats(stage: StageDir, match_rate: float | None) -> dict[str, Any]:
    """Counts from parse/graph/evaluate summaries plus the match rate (missing stages are left out)."""
    stats: dict[str, Any] = {}
    if stage.is_done(PARSE):
        stats.update(read_json(stage.path(PARSE, "workbook.json")).get("counts", {}))
    if stage.is_done(GRAPH):
        g = read_json(stage.path(GRAPH, "summary.json"))
        stats.update({f"graph_{k}": v for k, v in g.items() if isinstance(v, int | float)})
    if stage.is_done(EVALUATE):
        e = read_json(stage.path(EVALUATE, "summary.json"))
        stats.update({f"eval_{k}": v for k, v in e.get("counts", {}).items()})
    if match_rate is not None:
        stats["match_rate"] = match_rate
    return stats


def markdown_summary(outcome: dict[str, Any]) -> str:
    """The Prefect UI artifact for a finished import."""
    stats = outcome.get("stats", {})
    lines = [f"# Import of `{outcome['path']}`", "",
             f"- model **{outcome.get('model_id')}**, version **{outcome.get('version')}**"
             + (" (duplicate of an existing model)" if outcome.get("duplicate") else ""),
             f"- sha256 `{outcome.get('sha256')}`", "", "| stat | value |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in sorted(stats.items())]
    lines += ["", "| stage | seconds |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in outcome.get("stage_seconds", {}).items()]
    details = outcome.get("details", {})
    for warning in details.get("warnings", []):
        lines += ["", f"> **warning:** {warning}"]
    if details.get("validation_counts"):
        lines += ["", "| validation class | cells |", "|---|---|"]
        lines += [f"| {k} | {v} |" for k, v in details["validation_counts"].items()]
    if details.get("top_mismatches"):
        lines += ["", "## Top mismatches", "", "| cell | class | formula | Excel | ours | why |",
                  "|---|---|---|---|---|---|"]
        lines += [f"| {m['cell']} | {m['class']} | `{m['formula']}` | {m['expected']} | {m['calculated']} "
                  f"| {m['detail'] or ''} |" for m in details["top_mismatches"]]
    return "\n".join(lines) + "\n"
