"""GET /api/models and a model's detail, versions, sheets, names and stats, on both backends."""

from __future__ import annotations

import zlib

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from db.engine import make_engine
from db.models import Cell
from tests.api.conftest import Backend
from tests.api.seed import CALC, INPUTS, ODD, Seeded


def _ids(body: dict) -> list[int]:
    return [item["id"] for item in body["items"]]


def test_list_is_paged_and_newest_first_by_default(client: TestClient, data: Seeded) -> None:
    body = client.get("/api/models", params={"q": data.tag}).json()
    assert body["total"] == 3 and body["page"] == 1 and body["page_size"] == 50
    assert _ids(body) == [data.other, data.v2, data.v1]


@pytest.mark.parametrize(("params", "expected"), [
    ({"q": "BUDGET-{tag}"}, ["v2", "v1"]),                 # case-insensitive name search
    ({"q": "forecast-{tag}"}, ["other"]),
    ({"q": "{tag}", "status": "failed"}, ["other"]),
    ({"q": "{tag}", "status": "validated", "sort": "uploaded_at"}, ["v1", "v2"]),
    ({"q": "{tag}", "sort": "name"}, ["v1", "v2", "other"]),  # name, then version
    ({"q": "{tag}", "sort": "-name"}, ["other", "v2", "v1"]),
    ({"q": "{tag}", "status": "nonexistent"}, []),
    ({"q": "%{tag}"}, []),                                 # LIKE wildcards are literal text
    ({"q": "budget_{tag}"}, []),
])
def test_search_filter_sort(client: TestClient, data: Seeded, params: dict, expected: list[str]) -> None:
    query = {k: v.format(tag=data.tag) for k, v in params.items()}
    body = client.get("/api/models", params=query).json()
    assert _ids(body) == [getattr(data, e) for e in expected]
    assert body["total"] == len(expected)


def test_pages_split_the_list(client: TestClient, data: Seeded) -> None:
    pages = [client.get("/api/models", params={"q": data.tag, "page": p, "page_size": 2}).json()
             for p in (1, 2, 3)]
    assert [_ids(p) for p in pages] == [[data.other, data.v2], [data.v1], []]
    assert all(p["total"] == 3 and p["page_size"] == 2 for p in pages)


def test_model_detail(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}").json()
    assert body["id"] == data.v2 and body["name"] == f"budget-{data.tag}" and body["version"] == 2
    assert body["status"] == "validated" and body["import_summary"]["cells"] == 13
    assert body["workbook_metadata"] == {"filename": f"budget-{data.tag}.xlsx"}
    assert body["uploaded_at"].startswith("2026-01-06T09:00:00")


def test_versions_with_changes(client: TestClient, data: Seeded) -> None:
    for model_id in (data.v1, data.v2):  # any version lists all versions of the name
        body = client.get(f"/api/models/{model_id}/versions").json()
        assert body["total"] == 2 and [v["id"] for v in body["items"]] == [data.v1, data.v2]
    v1, v2 = client.get(f"/api/models/{data.v2}/versions").json()["items"]
    # v1 has no import summary: counted from the tables; v2's come from its summary.
    assert v1["counts"] == {"cells": 2, "formula_cells": 0, "value_cells": 2, "sheets": 1,
                            "defined_names": 0, "circular_groups": 0}
    assert v1["changes"] is None and v1["match_rate"] is None
    assert v2["changes"] == {"cells": 11, "formula_cells": 7, "value_cells": 4, "sheets": 2,
                             "defined_names": 2, "circular_groups": 1}
    assert v2["match_rate"] == 0.75  # the latest run's


def test_versions_second_page_still_has_changes(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v1}/versions", params={"page": 2, "page_size": 1}).json()
    assert body["total"] == 2 and [v["id"] for v in body["items"]] == [data.v2]
    assert body["items"][0]["changes"]["cells"] == 11


def test_sheets_in_workbook_order(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/sheets").json()
    assert body["total"] == 3
    assert [(s["position"], s["name"]) for s in body["items"]] == [(0, INPUTS), (1, CALC), (2, ODD)]


def test_defined_names(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/names").json()
    assert body["total"] == 2
    assert body["items"] == [
        {"name": "Local", "scope": CALC, "refers_to": "'Calc Sheet'!$A$1", "hidden": True},
        {"name": "TaxRate", "scope": None, "refers_to": "Inputs!$A$1", "hidden": False}]


def test_stats(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/stats").json()
    assert body["total_cells"] == 13
    assert body["by_sheet"] == [
        {"sheet": INPUTS, "cells": 5, "formula_cells": 0, "value_cells": 5},
        {"sheet": CALC, "cells": 6, "formula_cells": 6, "value_cells": 0},
        {"sheet": ODD, "cells": 2, "formula_cells": 1, "value_cells": 1}]
    assert body["by_cell_type"] == {"formula": 7, "value": 6}
    assert body["by_raw_type"] == {"number": 10, "text": 2, "error": 1}
    assert body["by_eval_status"] == {"ok": 6, "unsupported_function": 1, "none": 6}
    assert body["by_function"] == [{"function": f, "cells": 1} for f in ("CONCAT", "DSUM", "SUM", "VLOOKUP")]


def test_stats_of_a_model_without_cells(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.other}/stats").json()
    assert body["total_cells"] == 0 and body["by_function"] == []
    assert body["by_sheet"] == [{"sheet": "Only", "cells": 0, "formula_cells": 0, "value_cells": 0}]


@pytest.mark.parametrize("suffix", ["", "/versions", "/sheets", "/names", "/stats", "/cells",
                                    "/validation", "/validation/mismatches", "/validation/unsupported",
                                    "/circular-groups", "/cells/Inputs/A1"])
def test_unknown_model_is_404(client: TestClient, suffix: str) -> None:
    response = client.get(f"/api/models/987654321{suffix}")
    assert response.status_code == 404
    assert response.json() == {"status": 404, "error": "not_found", "message": "no model with id 987654321",
                               "parameter": "model_id"}


@pytest.mark.parametrize(("functions", "expected"), [
    ([" SUM ", " SUM VLOOKUP ", "", None, " IF SUM "], [("SUM", 3), ("IF", 1), ("VLOOKUP", 1)]),
    (["", None], []),
    ([" _XLUDF.MY_FN ", " A "], [("A", 1), ("_XLUDF.MY_FN", 1)]),
])
def test_function_counts_come_from_the_functions_column(functions: list[str | None],
                                                        expected: list[tuple[str, int]],
                                                        backend: Backend) -> None:
    from api_readonly.queries import stats

    engine = make_engine(backend.url)
    mid = 2_000_000_000 + zlib.crc32(repr(functions).encode()) % 100_000_000  # no model row needed
    rows = [{**_FORMULA, "model_id": mid, "row_num": i + 1, "cell": f"A{i + 1}", "functions": f}
            for i, f in enumerate(functions)]
    try:
        with engine.begin() as conn:
            conn.execute(sa.delete(Cell).where(Cell.model_id == mid))
            conn.execute(sa.insert(Cell), rows)
        with engine.connect() as conn:
            assert stats._count_functions(conn, mid) == expected
    finally:
        with engine.begin() as conn:
            conn.execute(sa.delete(Cell).where(Cell.model_id == mid))
        engine.dispose()


_FORMULA = {"sheet_name": "S", "col_num": 1, "col_letter": "A", "cell_type": "formula", "formula": "=1",
            "raw_type": "number"}
