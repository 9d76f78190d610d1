"""insert_workbook on SQLite and PostgreSQL: content round trip, defaults, duplicates, versions, atomicity."""

from __future__ import annotations

import threading
from pathlib import Path

import pyarrow as pa
import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from core.errors import PipelineError, StageOutputMissing
from core.stage import GRAPH, GRAPH_CELLS_SCHEMA, StageDir, write_table
from core.workbook import DefinedName, SheetInfo
from db import bulk, repo
from db.loader import InsertResult, insert_workbook
from db.models import Cell, CircularGroup, DefinedNameRow, Model, Sheet
from tests.db.conftest import cell_row, graph_row, unique_name, value_row, write_stage

# graph/cells.arrow `functions`: NULL for a value, '' for a formula calling none, space-delimited names.
FUNCTIONS = [None, "", " SUM VLOOKUP ", " FOO "]
TRICKY_TEXT = ['', 'a,b "quoted"\nsecond line', '\\.', 'naïve – ünïcødé 😀', 'NULL', '\\N']


def _insert(engine: Engine, stage: StageDir, name: str, **kw: object) -> InsertResult:
    return insert_workbook(engine, stage, name=name, original_filename="book.xlsx",
                           stored_path=f"/files/{stage.sha256}.xlsx", file_size=1234, **kw)  # type: ignore[arg-type]


def _cells(engine: Engine, model_id: int) -> dict[tuple[str, str], Cell]:
    return {(c.sheet_name, c.cell): c for c in repo.list_cells(engine, model_id)}


def test_parse_only_round_trip_with_defaults(db_engine: Engine, tmp_path: Path) -> None:
    rows = [cell_row("Inputs", 1, 1, "Revenue"), cell_row("Inputs", 1, 2, 1234.5678901234567),
            cell_row("Inputs", 2, 2, True), cell_row("Inputs", 3, 28, "#DIV/0!", formula="=1/0"),
            cell_row("Calc €", 7, 2, 2.5e-300, formula="=Inputs!B1*2", number_format="0.00%"),
            cell_row("Calc €", 8, 16384, None, formula='=""')]
    rows += [cell_row("Text", i + 1, 3, t) for i, t in enumerate(TRICKY_TEXT)]
    stage = write_stage(tmp_path, rows)
    result = _insert(db_engine, stage, unique_name())
    assert result.version == 1 and not result.duplicate
    got = _cells(db_engine, result.model_id)
    assert len(got) == len(rows)
    b1 = got[("Inputs", "B1")]
    assert (b1.raw_type, b1.raw_value, b1.cell_type, b1.formula) == (
        "number", 1234.5678901234567, "value", None)
    assert got[("Inputs", "B2")].raw_type == "bool" and got[("Inputs", "B2")].raw_value == 1.0
    ab3 = got[("Inputs", "AB3")]
    assert (ab3.col_letter, ab3.col_num, ab3.raw_text, ab3.formula) == ("AB", 28, "#DIV/0!", "=1/0")
    b7 = got[("Calc €", "B7")]
    assert (b7.raw_value, b7.number_format, b7.formula) == (2.5e-300, "0.00%", "=Inputs!B1*2")
    xfd = got[("Calc €", "XFD8")]
    assert (xfd.col_letter, xfd.raw_type, xfd.raw_value, xfd.raw_text) == ("XFD", "empty", None, None)
    assert [got[("Text", f"C{i + 1}")].raw_text for i in range(len(TRICKY_TEXT))] == TRICKY_TEXT
    for cell in got.values():  # graph/evaluate did not run: the documented defaults
        assert cell.is_circular is False and cell.circular_group is None
        assert cell.calculated_type is None and cell.calculated_value is None
        assert cell.eval_status is None and cell.has_mismatch is None and cell.functions is None


def test_graph_and_evaluate_outputs_are_stored(db_engine: Engine, tmp_path: Path) -> None:
    rows = [cell_row("S", 1, 1, 10), cell_row("S", 1, 2, 20.0, formula="=A1*2+C1"),
            cell_row("S", 1, 3, 0, formula="=B1/100"), cell_row("S", 2, 1, "#NAME?", formula="=FOO(1)")]
    graph = [graph_row(), graph_row(circular=True, group=0), graph_row(circular=True, group=0),
             graph_row(dynamic=True, broken=True, parse_error="unknown function")]
    for row, functions in zip(graph, FUNCTIONS, strict=True):
        row["functions"] = functions
    values = [value_row(), value_row("number", 20.2, status="ok"), value_row("number", 0.202, status="ok"),
              value_row("error", None, "#NAME?", "unsupported_function", "FOO")]
    lineage = [{"sheet": "S", "row": 1, "col": 2, "ref_sheet": "S", "first_row": 1, "first_col": 1,
                "last_row": 1, "last_col": 1, "kind": "cell"},
               {"sheet": "S", "row": 1, "col": 2, "ref_sheet": "S", "first_row": 1, "first_col": 3,
                "last_row": 1, "last_col": 3, "kind": "cell"},
               {"sheet": "S", "row": 1, "col": 3, "ref_sheet": "S", "first_row": 1, "first_col": 1,
                "last_row": 5, "last_col": 2, "kind": "range"}]
    groups = [{"group_id": 0, "size": 2, "members": ["S!B1", "S!C1"], "sheets": ["S"],
               "converged": True, "iterations": 7, "max_change": 0.0004}]
    stage = write_stage(tmp_path, rows, graph=graph, values=values, lineage=lineage, groups=groups,
                        names=[DefinedName("Rate", "S!$A$1"), DefinedName("Local", "S!$B$1", "S", True)])
    model_id = _insert(db_engine, stage, unique_name()).model_id
    got = _cells(db_engine, model_id)
    b1, c1, a2 = got[("S", "B1")], got[("S", "C1")], got[("S", "A2")]
    assert (b1.calculated_type, b1.calculated_value, b1.eval_status) == ("number", 20.2, "ok")
    assert (b1.is_circular, b1.circular_group, c1.circular_group) == (True, 0, 0)
    assert (a2.calculated_text, a2.eval_status, a2.eval_detail) == ("#NAME?", "unsupported_function", "FOO")
    assert (a2.has_dynamic_refs, a2.has_broken_ref, a2.parse_error) == (True, True, "unknown function")
    assert got[("S", "A1")].is_circular is False
    assert [got[("S", a)].functions for a in ("A1", "B1", "C1", "A2")] == FUNCTIONS
    assert [(p.first_col, p.kind) for p in repo.precedents(db_engine, model_id, "S", "B1")] == [
        (1, "cell"), (3, "cell")]
    feeds = repo.dependents(db_engine, model_id, "S", "$A$1")
    assert sorted((d.row_num, d.col_num) for d in feeds) == [(1, 2), (1, 3)]
    assert [(d.row_num, d.col_num) for d in repo.dependents(db_engine, model_id, "S", "B5")] == [(1, 3)]
    assert repo.dependents(db_engine, model_id, "S", "C5") == []
    with db_engine.connect() as conn:
        group = conn.execute(sa.select(CircularGroup).where(CircularGroup.model_id == model_id)).one()
        names = conn.execute(sa.select(DefinedNameRow.name, DefinedNameRow.scope, DefinedNameRow.hidden)
                             .where(DefinedNameRow.model_id == model_id)
                             .order_by(DefinedNameRow.name)).all()
    assert (group.size, group.members, group.sheets, group.converged, group.iterations) == (
        2, ["S!B1", "S!C1"], ["S"], True, 7)
    assert names == [("Local", "S", True), ("Rate", None, False)]
    summary = repo.get_model(db_engine, model_id).import_summary  # type: ignore[union-attr]
    assert (summary["cells"], summary["formula_cells"], summary["lineage_rows"]) == (4, 3, 3)
    assert summary["evaluate"] == {"counts": {"ok": 4}} and summary["graph"]["circular_groups"] == 1
    assert summary["stage_seconds"]["insert"] >= 0


def test_model_row_sheets_and_metadata(db_engine: Engine, tmp_path: Path) -> None:
    sheets = [SheetInfo("Visible", 0, dimension="A1:B2"), SheetInfo("Secret", 1, state="veryHidden"),
              SheetInfo("Chart", 2, kind="chartsheet")]
    stage = write_stage(tmp_path, [cell_row("Visible", 1, 1, 1)], sheets=sheets)
    name = unique_name()
    result = _insert(db_engine, stage, name)
    model = repo.get_model(db_engine, result.model_id)
    assert model is not None
    assert (model.name, model.version, model.file_hash, model.status, model.file_size) == (
        name, 1, stage.sha256, "imported", 1234)
    assert [s["name"] for s in model.workbook_metadata["sheets"]] == ["Visible", "Secret", "Chart"]
    assert model.uploaded_at is not None
    with db_engine.connect() as conn:
        got = conn.execute(sa.select(Sheet.position, Sheet.name, Sheet.state, Sheet.dimension, Sheet.kind)
                           .where(Sheet.model_id == result.model_id).order_by(Sheet.position)).all()
    assert got == [(0, "Visible", "visible", "A1:B2", "worksheet"),
                   (1, "Secret", "veryHidden", None, "worksheet"),
                   (2, "Chart", "visible", None, "chartsheet")]


def test_same_bytes_again_is_a_duplicate_and_inserts_nothing(db_engine: Engine, tmp_path: Path) -> None:
    stage = write_stage(tmp_path, [cell_row("S", 1, 1, 1), cell_row("S", 1, 2, 2, formula="=A1+1")])
    name = unique_name()
    first = _insert(db_engine, stage, name)
    cells_before = repo.count_rows(db_engine, "cells")
    again = _insert(db_engine, stage, unique_name("other-name"))
    assert again == InsertResult(first.model_id, 1, duplicate=True)
    assert repo.count_rows(db_engine, "cells") == cells_before
    assert [m.id for m in repo.list_models(db_engine, name=name)] == [first.model_id]


def test_new_bytes_under_an_existing_name_get_the_next_version(db_engine: Engine, tmp_path: Path) -> None:
    name = unique_name()
    ids = []
    for expected_version in (1, 2, 3):
        assert repo.next_version(db_engine, name) == expected_version
        stage = write_stage(tmp_path, [cell_row("S", 1, 1, expected_version)])
        result = _insert(db_engine, stage, name)
        assert (result.version, result.duplicate) == (expected_version, False)
        ids.append(result.model_id)
    assert [m.version for m in repo.list_models(db_engine, name=name)] == [3, 2, 1]
    assert repo.list_cells(db_engine, ids[1])[0].raw_value == 2.0


def test_concurrent_imports_of_one_name_get_distinct_versions(db_engine: Engine, tmp_path: Path) -> None:
    name = unique_name()
    stages = [write_stage(tmp_path, [cell_row("S", r, 1, i) for r in range(1, 2001)]) for i in range(3)]
    results: list[InsertResult] = []
    errors: list[BaseException] = []

    def run(stage: StageDir) -> None:
        try:
            results.append(_insert(db_engine, stage, name, batch_rows=500))
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in stages + stages[:1]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    assert sorted(r.version for r in results if not r.duplicate) == [1, 2, 3]
    assert sum(r.duplicate for r in results) == 1
    for model in repo.list_models(db_engine, name=name):
        assert repo.count_rows(db_engine, "cells", model.id) == 2000


def test_failure_halfway_through_the_cell_load_leaves_nothing(db_engine: Engine, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [cell_row("S", r, c, r * c) for r in range(1, 101) for c in range(1, 11)]
    stage = write_stage(tmp_path, rows)
    real_shape = bulk.CellShaper.shape
    calls = []

    def failing_shape(self: bulk.CellShaper, *args: object) -> pa.Table:
        calls.append(1)
        if len(calls) == 3:  # two batches have been written to the database already
            raise RuntimeError("injected failure")
        return real_shape(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(bulk.CellShaper, "shape", failing_shape)
    cells_before = repo.count_rows(db_engine, "cells")
    with pytest.raises(RuntimeError, match="injected failure"):
        _insert(db_engine, stage, unique_name(), batch_rows=100)
    assert len(calls) == 3
    assert repo.find_model_by_hash(db_engine, stage.sha256) is None
    assert repo.count_rows(db_engine, "cells") == cells_before
    monkeypatch.undo()
    result = _insert(db_engine, stage, unique_name(), batch_rows=100)  # and a retry then succeeds
    assert repo.count_rows(db_engine, "cells", result.model_id) == 1000


def test_duplicate_cell_rows_fail_without_residue(db_engine: Engine, tmp_path: Path) -> None:
    stage = write_stage(tmp_path, [cell_row("S", 1, 1, 1), cell_row("S", 1, 1, 2)])
    with pytest.raises(sa.exc.IntegrityError):
        _insert(db_engine, stage, unique_name())
    assert repo.find_model_by_hash(db_engine, stage.sha256) is None


def test_missing_and_misaligned_stage_outputs(db_engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(StageOutputMissing):
        _insert(db_engine, StageDir.for_hash(tmp_path, "0" * 64), unique_name())
    stage = write_stage(tmp_path, [cell_row("S", 1, 1, 1), cell_row("S", 1, 2, 2)])
    with stage.writing(GRAPH) as out:
        write_table(out / "cells.arrow", pa.Table.from_pylist([graph_row()], schema=GRAPH_CELLS_SCHEMA))
    with pytest.raises(PipelineError, match="not aligned"):
        _insert(db_engine, stage, unique_name())
    assert repo.find_model_by_hash(db_engine, stage.sha256) is None


def test_graph_output_without_functions_column_loads_null(db_engine: Engine, tmp_path: Path) -> None:
    rows = [cell_row("S", 1, 1, 1), cell_row("S", 1, 2, 2, formula="=SUM(A1)")]
    stage = write_stage(tmp_path, rows, graph=[graph_row(), {**graph_row(), "functions": " SUM "}])
    old_layout = GRAPH_CELLS_SCHEMA.remove(GRAPH_CELLS_SCHEMA.get_field_index("functions"))
    write_table(stage.path(GRAPH, "cells.arrow"),  # as written before the graph stage had the column
                pa.Table.from_pylist([graph_row(), graph_row()], schema=old_layout))
    got = _cells(db_engine, _insert(db_engine, stage, unique_name()).model_id)
    assert got[("S", "A1")].functions is None and got[("S", "B1")].functions is None
    assert got[("S", "B1")].cell_type == "formula"


def test_status_summary_and_cascade_delete(db_engine: Engine, tmp_path: Path) -> None:
    lineage = [{"sheet": "S", "row": 1, "col": 2, "ref_sheet": "S", "first_row": 1, "first_col": 1,
                "last_row": 1, "last_col": 1, "kind": "cell"}]
    stage = write_stage(tmp_path, [cell_row("S", 1, 1, 1), cell_row("S", 1, 2, 1, formula="=A1")],
                        graph=[graph_row(), graph_row()], lineage=lineage)
    model_id = _insert(db_engine, stage, unique_name()).model_id
    repo.set_status(db_engine, model_id, "validated")
    repo.update_import_summary(db_engine, model_id, {"stage_seconds": {"parse": 1.5}, "match_rate": 0.9})
    model = repo.get_model(db_engine, model_id)
    assert model is not None and model.status == "validated"
    assert model.import_summary["stage_seconds"]["parse"] == 1.5
    assert "insert" in model.import_summary["stage_seconds"] and model.import_summary["cells"] == 2
    with pytest.raises(LookupError):
        repo.set_status(db_engine, 10**9, "failed")
    assert repo.delete_model(db_engine, model_id)
    assert repo.count_rows(db_engine, "cells", model_id) == 0
    assert repo.count_rows(db_engine, "cell_precedents", model_id) == 0
    assert repo.count_rows(db_engine, "sheets", model_id) == 0


def test_cell_lookups(db_engine: Engine, tmp_path: Path) -> None:
    rows = [cell_row(s, r, c, r * 100 + c) for s in ("A", "B") for r in range(1, 4) for c in (1, 2, 30)]
    model_id = _insert(db_engine, write_stage(tmp_path, rows), unique_name()).model_id
    cell = repo.get_cell(db_engine, model_id, "B", "$AD$2")
    assert cell is not None and (cell.cell, cell.raw_value) == ("AD2", 230.0)
    assert repo.get_cell(db_engine, model_id, "B", "C2") is None
    assert [c.cell for c in repo.list_row(db_engine, model_id, "A", 3)] == ["A3", "B3", "AD3"]
    assert [c.cell for c in repo.list_cells(db_engine, model_id, sheet="B", limit=4)] == [
        "A1", "B1", "AD1", "A2"]
    assert len(repo.list_cells(db_engine, model_id)) == 18
    with db_engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(Model)
                            .where(Model.id == model_id)).scalar_one() == 1
