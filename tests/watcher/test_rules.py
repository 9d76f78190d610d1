"""Which names the watcher takes, ignores or refuses."""

from __future__ import annotations

from pathlib import Path

import pytest

from watcher.rules import Verdict, classify, unsupported_reason

INBOX = Path("/data/inbox")
RESERVED = (INBOX / ".processing", INBOX / "archive", INBOX / "failed")


@pytest.mark.parametrize(("rel", "recursive", "verdict"), [
    ("model.xlsx", True, Verdict.CANDIDATE),
    ("Model.XLSM", True, Verdict.CANDIDATE),
    ("template.xltx", True, Verdict.CANDIDATE),
    ("~$model.xlsx", True, Verdict.IGNORE),           # Excel lock file
    (".~lock.model.xlsx#", True, Verdict.IGNORE),     # LibreOffice lock file
    ("model.tmp", True, Verdict.IGNORE),
    ("MODEL.TMP", True, Verdict.IGNORE),
    (".hidden.xlsx", True, Verdict.IGNORE),
    ("model.xlsx.crdownload", True, Verdict.IGNORE),  # browser download in progress
    ("Thumbs.db", True, Verdict.IGNORE),
    ("model.xlsx.error.json", True, Verdict.IGNORE),
    ("notes.csv", True, Verdict.UNSUPPORTED),
    ("old.xls", True, Verdict.UNSUPPORTED),
    ("binary.xlsb", True, Verdict.UNSUPPORTED),
    ("README", True, Verdict.UNSUPPORTED),
    ("team/q3/model.xlsx", True, Verdict.CANDIDATE),
    ("team/q3/model.xlsx", False, Verdict.IGNORE),
    ("team/notes.txt", True, Verdict.UNSUPPORTED),
    (".git/model.xlsx", True, Verdict.IGNORE),       # hidden folder
    (".processing/ab12/model.xlsx", True, Verdict.IGNORE),
    ("archive/model.xlsx", True, Verdict.IGNORE),
    ("failed/notes.csv", True, Verdict.IGNORE),
])
def test_classify(rel: str, recursive: bool, verdict: Verdict) -> None:
    assert classify(INBOX / rel, INBOX, RESERVED, recursive) is verdict


def test_paths_outside_the_inbox_and_the_inbox_itself_are_ignored() -> None:
    assert classify(Path("/elsewhere/model.xlsx"), INBOX, RESERVED, True) is Verdict.IGNORE
    assert classify(INBOX, INBOX, RESERVED, True) is Verdict.IGNORE


@pytest.mark.parametrize(("name", "words"), [
    ("old.xls", ["old.xls", "save it as .xlsx"]),
    ("data.csv", ["data.csv", "CSV"]),
    ("picture.png", ["picture.png", "'.png'"]),
    ("README", ["README", "without an extension"]),
])
def test_unsupported_reason_names_the_file_and_says_why(name: str, words: list[str]) -> None:
    reason = unsupported_reason(Path(name))
    for w in words:
        assert w in reason
    assert ".xlsx" in reason
