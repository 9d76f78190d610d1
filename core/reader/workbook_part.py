"""The workbook part and its relations: sheets, names, calculation settings, external links, tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from core.errors import WorkbookUnreadable
from core.reader.external import ExternalBook, read_external_book
from core.reader.ooxml import (
    MAIN_NS,
    PKG_REL_NS,
    REL_NS,
    STRICT_MAIN_NS,
    STRICT_REL_NS,
    as_bool,
    as_float,
    as_int,
    local,
    ns_of,
    rels_path,
    resolve_target,
)
from core.reader.safezip import SafeZip
from core.reader.xmlsafe import parse_bytes
from core.workbook import CalcSettings, DefinedName, ExternalLink, TableInfo

SHEET_KINDS = {
    "worksheet": "worksheet",
    "chartsheet": "chartsheet",
    "dialogsheet": "dialogsheet",
    "xlMacrosheet": "macrosheet",
    "xlIntlMacrosheet": "macrosheet",
}


@dataclass(frozen=True)
class Relationship:
    """One <Relationship>, its target resolved to a part name unless external."""

    rel_type: str  # the last path segment of the Type URI ('worksheet', 'sharedStrings', ...)
    target: str
    external: bool


@dataclass(frozen=True)
class SheetEntry:
    """A <sheet> of workbook.xml with its part."""

    name: str
    state: str
    kind: str
    part: str | None


@dataclass
class WorkbookPart:
    """Everything read from xl/workbook.xml and its relationships."""

    part: str
    ns: str
    sheets: list[SheetEntry]
    names: list[DefinedName]
    calc: CalcSettings
    date1904: bool
    external_links: list[ExternalLink]
    shared_strings_part: str | None
    styles_part: str | None
    rels: dict[str, Relationship] = field(default_factory=dict)
    external_books: list[tuple[int, ExternalBook]] = field(default_factory=list)  # cached external cells


def read_rels(zf: SafeZip, part: str) -> dict[str, Relationship]:
    """Relationships of *part* by id (empty when it has none). Raises WorkbookUnreadable."""
    path = rels_path(part)
    if not zf.has(path):
        return {}
    root = parse_bytes(zf.read(path), zf.filename, path)
    out: dict[str, Relationship] = {}
    for rel in root.iter(f"{{{PKG_REL_NS}}}Relationship"):
        external = (rel.get("TargetMode") or "").lower() == "external"
        target = rel.get("Target") or ""
        out[rel.get("Id") or ""] = Relationship(
            rel_type=(rel.get("Type") or "").rsplit("/", 1)[-1],
            target=target if external else resolve_target(part, target),
            external=external)
    return out


def find_workbook_part(zf: SafeZip) -> str:
    """The officeDocument part named by _rels/.rels. Raises WorkbookUnreadable when there is none."""
    for rel in read_rels(zf, "").values():
        if rel.rel_type == "officeDocument" and not rel.external:
            if zf.has(rel.target):
                return rel.target
    if zf.has("xl/workbook.xml"):
        return "xl/workbook.xml"
    raise WorkbookUnreadable(f"{zf.filename}: no workbook part (xl/workbook.xml) in the package",
                             path=zf.filename)


def _read_calc(root: Any, ns: str) -> CalcSettings:
    calc = root.find(f"{{{ns}}}calcPr")
    if calc is None:
        return CalcSettings()
    return CalcSettings(
        calc_mode=calc.get("calcMode") or "auto",
        full_calc_on_load=as_bool(calc.get("fullCalcOnLoad")),
        iterate=as_bool(calc.get("iterate")),
        iterate_count=as_int(calc.get("iterateCount"), 100),
        iterate_delta=as_float(calc.get("iterateDelta"), 0.001),
        calc_id=as_int(calc.get("calcId"), 0) if calc.get("calcId") is not None else None,
    )


def _read_names(root: Any, ns: str, sheet_names: list[str]) -> list[DefinedName]:
    names: list[DefinedName] = []
    block = root.find(f"{{{ns}}}definedNames")
    for dn in (block.iter(f"{{{ns}}}definedName") if block is not None else ()):
        local_id = dn.get("localSheetId")
        scope = None
        if local_id is not None:
            idx = as_int(local_id, -1)
            scope = sheet_names[idx] if 0 <= idx < len(sheet_names) else f"#{local_id}"
        names.append(DefinedName(name=dn.get("name") or "", refers_to=dn.text or "", scope=scope,
                                 hidden=as_bool(dn.get("hidden"))))
    return names


def _read_sheets(root: Any, ns: str, rel_ns: str, rels: dict[str, Relationship]) -> list[SheetEntry]:
    out: list[SheetEntry] = []
    block = root.find(f"{{{ns}}}sheets")
    for sh in (block.iter(f"{{{ns}}}sheet") if block is not None else ()):
        rel = rels.get(sh.get(f"{{{rel_ns}}}id") or "")
        # a <sheet> without a relationship (LibreOffice keeps lost Excel 5 modules so) has no part to read
        kind = SHEET_KINDS.get(rel.rel_type, rel.rel_type) if rel else "unlinked"
        out.append(SheetEntry(name=sh.get("name") or "", state=sh.get("state") or "visible", kind=kind,
                              part=rel.target if rel and not rel.external else None))
    return out


def _read_external_links(zf: SafeZip, root: Any, ns: str, rel_ns: str, rels: dict[str, Relationship],
                         books: list[tuple[int, ExternalBook]]) -> list[ExternalLink]:
    links: list[ExternalLink] = []
    block = root.find(f"{{{ns}}}externalReferences")
    for idx, ref in enumerate(block.iter(f"{{{ns}}}externalReference") if block is not None else (), 1):
        rel = rels.get(ref.get(f"{{{rel_ns}}}id") or "")
        target = None
        book = ExternalBook()
        if rel is not None and not rel.external:
            for link_rel in read_rels(zf, rel.target).values():
                if link_rel.rel_type in ("externalLinkPath", "xlExternalLinkPath") or link_rel.external:
                    target = link_rel.target  # verbatim: the path as Excel saved it
                    break
            if zf.has(rel.target):
                book = read_external_book(zf, rel.target)
        books.append((idx, book))
        links.append(ExternalLink(index=idx, target=target, sheet_names=tuple(book.sheet_names),
                                  defined_names=tuple(book.defined_names)))
    return links


def read_workbook_part(zf: SafeZip) -> WorkbookPart:
    """Parse xl/workbook.xml and its relationships. Raises WorkbookUnreadable."""
    part = find_workbook_part(zf)
    root = parse_bytes(zf.read(part), zf.filename, part)
    ns = ns_of(root)
    if ns not in (MAIN_NS, STRICT_MAIN_NS):
        raise WorkbookUnreadable(f"{zf.filename}: {part} is not a SpreadsheetML workbook ({local(root.tag)})",
                                 path=zf.filename)
    rel_ns = STRICT_REL_NS if ns == STRICT_MAIN_NS else REL_NS
    rels = read_rels(zf, part)
    sheets = _read_sheets(root, ns, rel_ns, rels)
    pr = root.find(f"{{{ns}}}workbookPr")
    by_type = {r.rel_type: r.target for r in rels.values() if not r.external}
    books: list[tuple[int, ExternalBook]] = []
    return WorkbookPart(
        part=part, ns=ns, sheets=sheets,
        names=_read_names(root, ns, [s.name for s in sheets]),
        calc=_read_calc(root, ns),
        date1904=as_bool(pr.get("date1904")) if pr is not None else False,
        external_links=_read_external_links(zf, root, ns, rel_ns, rels, books),
        shared_strings_part=by_type.get("sharedStrings"),
        styles_part=by_type.get("styles"),
        rels=rels,
        external_books=books,
    )


def read_tables(zf: SafeZip, sheet: SheetEntry, ns: str) -> list[TableInfo]:
    """The tables (ListObjects) of one worksheet. Raises WorkbookUnreadable."""
    if sheet.part is None:
        return []
    tables: list[TableInfo] = []
    for rel in read_rels(zf, sheet.part).values():
        if rel.rel_type != "table" or rel.external or not zf.has(rel.target):
            continue
        root = parse_bytes(zf.read(rel.target), zf.filename, rel.target)
        tns = ns_of(root) or ns
        cols = root.find(f"{{{tns}}}tableColumns")
        tables.append(TableInfo(
            name=root.get("name") or root.get("displayName") or "",
            display_name=root.get("displayName") or root.get("name") or "",
            sheet=sheet.name, ref=root.get("ref") or "",
            header_row_count=as_int(root.get("headerRowCount"), 1),
            totals_row_count=as_int(root.get("totalsRowCount"), 0),
            columns=tuple(c.get("name") or "" for c in
                          (cols.iter(f"{{{tns}}}tableColumn") if cols is not None else ())),
        ))
    return tables
