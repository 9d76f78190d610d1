"""Validation runs, mismatches, unsupported cells and circular groups, on both backends."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.seed import CALC, INPUTS, Seeded


def test_latest_run_and_history(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/validation").json()
    assert body["model_id"] == data.v2
    latest = body["latest"]
    assert latest["id"] == data.new_run and latest["match_rate"] == 0.75
    assert latest["summary"] == {"by_sheet": {CALC: {"mismatch": 1}}}
    assert latest["counts"] == {"match": 5, "mismatch": 1, "unsupported_function": 1}
    history = body["history"]
    assert history["total"] == 2 and [r["id"] for r in history["items"]] == [data.new_run, data.old_run]
    assert "summary" not in history["items"][0]


def test_model_never_validated(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v1}/validation").json()
    assert body["latest"] is None and body["history"]["total"] == 0
    assert client.get(f"/api/models/{data.v1}/validation/mismatches").json()["items"] == []


def test_mismatches_of_latest_run(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/validation/mismatches").json()
    assert body["total"] == 1
    (item,) = body["items"]
    assert item == {"run_id": data.new_run, "sheet": CALC, "address": "B2", "row": 2, "col": 2,
                    "class": "mismatch", "formula": "=VLOOKUP(A1,Inputs!A1:B3,2,FALSE)",
                    "expected_type": "number", "expected_value": 20.0, "expected_text": None,
                    "calculated_type": "number", "calculated_value": 99.0, "calculated_text": None,
                    "detail": "mismatch at B2"}


def test_mismatches_of_an_older_run_and_by_sheet(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/validation/mismatches", params={"run_id": data.old_run}).json()
    assert [i["address"] for i in body["items"]] == ["A1"]
    body = client.get(f"/api/models/{data.v2}/validation/mismatches", params={"sheet": INPUTS}).json()
    assert body["total"] == 0


def test_run_of_another_model_is_404(client: TestClient, data: Seeded) -> None:
    response = client.get(f"/api/models/{data.v1}/validation/mismatches", params={"run_id": data.new_run})
    assert response.status_code == 404 and response.json()["parameter"] == "run_id"


def test_unsupported(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/validation/unsupported").json()
    assert [(i["address"], i["class"]) for i in body["items"]] == [("D4", "unsupported_function")]


def test_circular_groups(client: TestClient, data: Seeded) -> None:
    body = client.get(f"/api/models/{data.v2}/circular-groups").json()
    assert body == {"total": 1, "page": 1, "page_size": 50, "items": [
        {"group_id": 1, "size": 2, "members": [f"{CALC}!E5", f"{CALC}!E6"], "sheets": [CALC],
         "converged": True, "iterations": 12, "max_change": 0.0005}]}
    assert client.get(f"/api/models/{data.v1}/circular-groups").json()["total"] == 0
