"""Which files in the inbox the watcher takes, ignores, or refuses at once (by name only)."""

from __future__ import annotations

import fnmatch
from enum import Enum
from pathlib import Path

# Formats the reader imports. Anything else is refused without trying an import.
WORKBOOK_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xltx", ".xltm"})

# Lock files of Excel / LibreOffice, editors' and downloaders' temporaries, OS droppings: these are
# never ours to move (a lock file vanishes when its workbook closes; a partial download is renamed
# to its real name when complete, which reaches us as a Moved event).
IGNORED_PATTERNS = ("~$*", ".~lock*", "*.tmp", "*.temp", "*.part", "*.partial", "*.crdownload",
                    "*.download", "*.swp", "*~", "thumbs.db", "desktop.ini", "*.error.json")

# Why a known spreadsheet format we do not read is refused: say what to do about it.
_ADVICE = {".xls": "legacy Excel 97-2003 format; save it as .xlsx",
           ".xlsb": "binary Excel format; save it as .xlsx",
           ".ods": "OpenDocument spreadsheet; save it as .xlsx",
           ".csv": "CSV holds no formulas; save the workbook as .xlsx"}


class Verdict(Enum):
    """What the watcher does with a file it sees."""

    IGNORE = "ignore"
    UNSUPPORTED = "unsupported"
    CANDIDATE = "candidate"


def is_ignored_name(name: str) -> bool:
    """True for hidden, lock and temporary file names."""
    low = name.lower()
    return low.startswith(".") or any(fnmatch.fnmatchcase(low, pat) for pat in IGNORED_PATTERNS)


def classify(path: Path, inbox: Path, reserved: tuple[Path, ...], recursive: bool) -> Verdict:
    """The verdict for *path* (absolute, normally inside *inbox*); never touches the disk."""
    try:
        rel = path.relative_to(inbox)
    except ValueError:
        return Verdict.IGNORE
    if not rel.parts or any(path == r or r in path.parents for r in reserved):
        return Verdict.IGNORE
    if len(rel.parts) > 1 and (not recursive or any(p.startswith(".") for p in rel.parts[:-1])):
        return Verdict.IGNORE
    if is_ignored_name(path.name):
        return Verdict.IGNORE
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        return Verdict.CANDIDATE
    return Verdict.UNSUPPORTED


def unsupported_reason(path: Path) -> str:
    """A one-line reason naming the file, for its error JSON."""
    suffix = path.suffix.lower()
    what = _ADVICE.get(suffix, f"'{suffix}' is not a workbook type we import" if suffix
                       else "a file without an extension is not a workbook")
    expected = ", ".join(sorted(WORKBOOK_SUFFIXES))
    return f"{path.name}: unsupported file type ({what}); expected one of {expected}"
