"""GET /api/models/{id}/cells (every filter) and one cell with lineage, on both backends."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from db.engine import make_engine
from db.models import ValidationRun
from tests.api.conftest import Backend
from tests.api.seed import CALC, INPUTS, ODD, Seeded


def _cells(client: TestClient, model_id: int, **params: object) -> dict:
    response = client.get(f"/api/models/{model_id}/cells", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def _refs(body: dict) -> list[str]:
    return [f"{c['sheet']}!{c['address']}" for c in body["items"]]


@pytest.mark.parametrize(("params", "expected"), [
    ({"sheet": INPUTS}, ["A1", "B1", "C1", "A2", "A3"]),                      # row, then column
    ({"sheet": CALC, "range": "B2:D4"}, ["B2", "C3", "D4"]),
    ({"sheet": CALC, "range": "D4:B2"}, ["B2", "C3", "D4"]),                  # reversed corners
    ({"sheet": INPUTS, "range": "$A$2"}, ["A2"]),
    ({"sheet": INPUTS, "cell_type": "value", "raw_type": "number"}, ["A1", "A2", "A3"]),
    ({"sheet": INPUTS, "raw_type": "error"}, ["C1"]),
    ({"sheet": CALC, "has_mismatch": "true"}, ["B2"]),
    ({"sheet": CALC, "has_mismatch": "false"}, ["A1", "C3", "D4", "E5", "E6"]),  # NULL counts as no
    ({"sheet": CALC, "is_circular": "true"}, ["E5", "E6"]),
    ({"sheet": CALC, "formula_contains": "inputs!a1"}, ["A1", "B2", "C3"]),
    ({"sheet": CALC, "formula_contains": "%"}, []),                           # a literal percent sign
    ({"sheet": CALC, "formula_contains": "_"}, ["D4"]),                       # a literal underscore
    ({"sheet": CALC, "function": "SUM"}, ["A1"]),                             # not DSUM(
    ({"sheet": CALC, "function": "dsum"}, ["C3"]),
    ({"sheet": CALC, "function": "vlookup"}, ["B2"]),
    ({"sheet": CALC, "function": "CONCAT"}, ["D4"]),                          # _xlfn.CONCAT(
    ({"sheet": CALC, "function": "LOOKUP"}, []),                              # not VLOOKUP(
    ({"sheet": CALC, "function": "S_M"}, []),                                 # '_' is no wildcard
    ({"sheet": CALC, "function": "SU"}, []),                                  # whole names only
    ({"function": "DSUM", "cell_type": "value"}, []),
])
def test_filters(client: TestClient, data: Seeded, params: dict, expected: list[str]) -> None:
    body = _cells(client, data.v2, **params)
    assert [c["address"] for c in body["items"]] == expected
    assert body["total"] == len(expected)


def test_without_sheet_filters_span_sheets(client: TestClient, data: Seeded) -> None:
    body = _cells(client, data.v2, range="A1:A1")
    assert sorted(_refs(body)) == sorted([f"{INPUTS}!A1", f"{CALC}!A1", f"{ODD}!A1"])
    assert _cells(client, data.v2, function="SUM")["total"] == 1
    assert _cells(client, data.v2)["total"] == 13


def test_pages_cover_every_cell_once(client: TestClient, data: Seeded) -> None:
    seen: list[str] = []
    for page in range(1, 6):
        body = _cells(client, data.v2, page=page, page_size=3)
        assert body["total"] == 13 and body["page"] == page and body["page_size"] == 3
        seen += _refs(body)
    assert len(seen) == 13 and len(set(seen)) == 13
    assert _cells(client, data.v2, page=99, page_size=3)["items"] == []


def test_cell_fields(client: TestClient, data: Seeded) -> None:
    (cell,) = _cells(client, data.v2, sheet=CALC, range="B2")["items"]
    assert cell == {
        "sheet": CALC, "address": "B2", "row": 2, "col": 2, "cell_type": "formula",
        "formula": "=VLOOKUP(A1,Inputs!A1:B3,2,FALSE)", "array_ref": None, "raw_type": "number",
        "raw_value": 20.0, "raw_text": None, "number_format": None, "calculated_type": "number",
        "calculated_value": 99.0, "calculated_text": None, "eval_status": "ok", "eval_detail": None,
        "is_circular": False, "circular_group": None, "has_dynamic_refs": False, "has_broken_ref": False,
        "parse_error": None, "has_mismatch": True}


def _cell(client: TestClient, model_id: int, sheet: str, address: str, **params: object) -> dict:
    response = client.get(f"/api/models/{model_id}/cells/{quote(sheet, safe='')}/{address}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_value_cell_feeds_formulas_across_sheets(client: TestClient, data: Seeded) -> None:
    cell = _cell(client, data.v2, INPUTS, "A1")
    assert cell["raw_value"] == 10.0 and cell["precedents"] == [] and cell["validation_class"] is None
    deps = [(d["sheet"], d["address"], d["via"], d["kind"]) for d in cell["dependents"]]
    # Ordered by the referenced range (A1, then A1:A3, then A1:B3); equal ranges in storage order.
    assert [d[2] for d in deps] == ["A1", "A1", "A1:A3", "A1:A3", "A1:B3"]
    assert sorted(deps) == sorted([(CALC, "A1", "A1:A3", "range"), (CALC, "B2", "A1:B3", "range"),
                                   (CALC, "C3", "A1:A3", "range"), (CALC, "C3", "A1", "cell"),
                                   (ODD, "A1", "A1", "cell")])
    assert cell["dependents_truncated"] is False


def test_dependents_of_a_cell_below_the_tallest_range(client: TestClient, data: Seeded) -> None:
    # A3 is fed only through the 3-row ranges starting at row 1: the first_row lower bound (row minus
    # the tallest range on the sheet) must still reach them.
    cell = _cell(client, data.v2, INPUTS, "A3")
    assert sorted((d["address"], d["via"]) for d in cell["dependents"]) == [
        ("A1", "A1:A3"), ("B2", "A1:B3"), ("C3", "A1:A3")]
    assert len(_cell(client, data.v2, INPUTS, "A2")["dependents"]) == 3


def test_formula_cell_precedents_dependents_and_class(client: TestClient, data: Seeded) -> None:
    cell = _cell(client, data.v2, CALC, "B2")
    assert [(p["sheet"], p["range"], p["kind"]) for p in cell["precedents"]] == [
        (CALC, "A1", "cell"), (INPUTS, "A1:B3", "range")]
    assert cell["precedents"][1] == {"sheet": INPUTS, "range": "A1:B3", "first_row": 1, "first_col": 1,
                                          "last_row": 3, "last_col": 2, "kind": "range"}
    assert cell["dependents"] == []
    assert (cell["validation_class"], cell["validation_run_id"]) == ("mismatch", data.new_run)
    assert _cell(client, data.v2, CALC, "A1")["validation_class"] == "match"  # mismatched only in the old run
    assert _cell(client, data.v2, CALC, "D4")["validation_class"] == "unsupported_function"


def test_lineage_limit_truncates(client: TestClient, data: Seeded) -> None:
    cell = _cell(client, data.v2, INPUTS, "A1", limit=2)
    assert [d["via"] for d in cell["dependents"]] == ["A1", "A1"] and cell["dependents_truncated"]
    cell = _cell(client, data.v2, CALC, "B2", limit=1)
    assert len(cell["precedents"]) == 1 and cell["precedents_truncated"]


@pytest.mark.parametrize(("sheet", "address"), [(CALC, "E5"), (CALC, "$E$5"), (CALC, "e5"), (ODD, "A1")])
def test_url_encoded_sheet_names_and_address_forms(client: TestClient, data: Seeded, sheet: str,
                                                   address: str) -> None:
    cell = _cell(client, data.v2, sheet, address)
    assert cell["sheet"] == sheet and cell["address"] == address.replace("$", "").upper()


def test_circular_cells_feed_each_other(client: TestClient, data: Seeded) -> None:
    cell = _cell(client, data.v2, CALC, "E5")
    assert cell["is_circular"] and cell["circular_group"] == 1
    assert [p["range"] for p in cell["precedents"]] == ["E6"]
    assert [d["address"] for d in cell["dependents"]] == ["E6"]


def test_empty_cell_is_404_unknown_sheet_422(client: TestClient, data: Seeded) -> None:
    response = client.get(f"/api/models/{data.v2}/cells/{INPUTS}/Z99")
    assert response.status_code == 404 and response.json()["parameter"] == "address"
    response = client.get(f"/api/models/{data.v2}/cells/Nope/A1")
    assert response.status_code == 422
    assert response.json()["message"] == f"sheet: model {data.v2} has no sheet named 'Nope'"


def test_validation_class_comes_from_the_models_own_latest_run(client: TestClient, backend: Backend,
                                                               data: Seeded) -> None:
    engine = make_engine(backend.url)
    try:
        with engine.begin() as conn:  # a newer run of another model must not hide this model's latest run
            newer = conn.execute(sa.insert(ValidationRun).values(
                model_id=data.other, engine="hyperformula", formula_cells=0, counts={}, summary={})
                .returning(ValidationRun.id)).scalar_one()
        assert newer > data.new_run
        cell = _cell(client, data.v2, CALC, "B2")
        assert (cell["validation_class"], cell["validation_run_id"]) == ("mismatch", data.new_run)
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(ValidationRun).where(ValidationRun.model_id == data.other))
        engine.dispose()
