"""Workbook-level facts from the parse stage (``parse/workbook.json``), shared by every later stage."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# The character sets of CHAR and CODE (WorkbookInfo.charset; hf/lib/charset.js has their tables).
WINDOWS_1252 = "windows-1252"
MAC_ROMAN = "mac-roman"


@dataclass(frozen=True)
class SheetInfo:
    """One worksheet, in workbook order (position is 0-based)."""

    name: str
    position: int
    state: str = "visible"             # 'visible' | 'hidden' | 'veryHidden'
    dimension: str | None = None       # the <dimension ref> as saved, e.g. 'A1:F40'
    merged_ranges: tuple[str, ...] = ()
    hidden_rows: tuple[int, ...] = ()  # 1-based rows saved hidden (<row hidden="1">)
    kind: str = "worksheet"            # 'worksheet' | 'chartsheet' | 'dialogsheet' | 'macrosheet'


@dataclass(frozen=True)
class DefinedName:
    """A defined name; scope is None for workbook scope, else the sheet name."""

    name: str
    refers_to: str                     # verbatim from the file, without a leading '='
    scope: str | None = None
    hidden: bool = False


@dataclass(frozen=True)
class TableInfo:
    """An Excel table (ListObject), for structured references."""

    name: str
    display_name: str
    sheet: str
    ref: str                           # 'A1:D20' including header and totals rows
    header_row_count: int = 1
    totals_row_count: int = 0
    columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class CalcSettings:
    """<calcPr> as saved. Excel's defaults apply when an attribute is absent."""

    calc_mode: str = "auto"            # 'auto' | 'manual' | 'autoNoTable'
    full_calc_on_load: bool = False
    iterate: bool = False
    iterate_count: int = 100
    iterate_delta: float = 0.001
    calc_id: int | None = None


@dataclass(frozen=True)
class ExternalLink:
    """An external workbook referenced as [index] in formulas."""

    index: int
    target: str | None
    # What the link part caches of the external book (the inputs Excel computes with when the
    # source file is absent): its sheet names in order and its defined names (name, refersTo
    # without '=', '' when the link records none). The cached cell values are parse/external.arrow.
    sheet_names: tuple[str, ...] = ()
    defined_names: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class WorkbookInfo:
    """Everything about a workbook except its cells."""

    filename: str
    sheets: tuple[SheetInfo, ...]
    defined_names: tuple[DefinedName, ...] = ()
    tables: tuple[TableInfo, ...] = ()
    calc: CalcSettings = field(default_factory=CalcSettings)
    date1904: bool = False
    external_links: tuple[ExternalLink, ...] = ()
    has_macros: bool = False
    counts: dict[str, int] = field(default_factory=dict)  # sheets, cells, formula_cells, constants, errors...
    # When Excel last saved the file (docProps/core.xml dcterms:modified, ISO 8601 UTC), None when
    # unknown: the moment its cached TODAY()/NOW() values were computed.
    saved_at: str | None = None
    # The application that last saved the file (docProps/app.xml <Application>), None when unknown.
    application: str | None = None

    @property
    def charset(self) -> str:
        """The character set of CHAR/CODE in the cached values: "mac-roman" for a workbook saved by
        Excel for Mac ("Microsoft Macintosh Excel"), else "windows-1252" (Excel for Windows and the web)."""
        return MAC_ROMAN if self.application and "macintosh" in self.application.lower() else WINDOWS_1252

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready dict (what parse/workbook.json and models.workbook_metadata hold)."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> WorkbookInfo:
        """Rebuild from to_json() output."""
        return cls(
            filename=data["filename"],
            sheets=tuple(SheetInfo(**{**s, "merged_ranges": tuple(s.get("merged_ranges", ())),
                                       "hidden_rows": tuple(s.get("hidden_rows", ()))})
                         for s in data["sheets"]),
            defined_names=tuple(DefinedName(**d) for d in data.get("defined_names", ())),
            tables=tuple(TableInfo(**{**t, "columns": tuple(t.get("columns", ()))})
                         for t in data.get("tables", ())),
            calc=CalcSettings(**data.get("calc", {})),
            date1904=bool(data.get("date1904", False)),
            external_links=tuple(ExternalLink(**{**e, "sheet_names": tuple(e.get("sheet_names", ())),
                                                 "defined_names": tuple(tuple(d) for d in e.get("defined_names", ()))})
                                 for e in data.get("external_links", ())),
            has_macros=bool(data.get("has_macros", False)),
            counts=dict(data.get("counts", {})),
            saved_at=data.get("saved_at"),
            application=data.get("application"),
        )

    def sheet_names(self) -> list[str]:
        """Worksheet names in workbook order."""
        return [s.name for s in self.sheets]
