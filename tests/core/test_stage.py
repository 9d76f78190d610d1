"""Stage outputs appear atomically, also when two imports of the same bytes race or a stage is re-run."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from core.errors import StageOutputMissing
from core.stage import PARSE, StageDir


def test_output_appears_only_when_the_stage_succeeds(tmp_path: Path) -> None:
    stage = StageDir.for_hash(tmp_path, "f" * 64)
    with pytest.raises(RuntimeError), stage.writing(PARSE) as out:
        (out / "cells.arrow").write_text("half")
        raise RuntimeError("parse failed halfway")
    assert not stage.is_done(PARSE)
    assert list(stage.root.iterdir()) == []
    with pytest.raises(StageOutputMissing):
        stage.require(PARSE)


def test_rerun_replaces_the_previous_output(tmp_path: Path) -> None:
    stage = StageDir.for_hash(tmp_path, "a" * 64)
    for content in ("first", "second"):
        with stage.writing(PARSE) as out:
            (out / "x.txt").write_text(content)
    assert stage.path(PARSE, "x.txt").read_text() == "second"
    assert [p.name for p in stage.root.iterdir()] == [PARSE]


def test_concurrent_writers_of_the_same_stage_never_expose_a_missing_or_partial_output(tmp_path: Path) -> None:
    stage = StageDir.for_hash(tmp_path, "b" * 64)
    errors: list[BaseException] = []
    seen_missing: list[bool] = []

    def write(i: int) -> None:
        try:
            for _ in range(40):
                with stage.writing(PARSE) as out:
                    (out / "a.txt").write_text(str(i))
                    (out / "b.txt").write_text(str(i))
                seen_missing.append(not stage.path(PARSE, "b.txt").exists())
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert not any(seen_missing)
    assert [p.name for p in stage.root.iterdir()] == [PARSE]
