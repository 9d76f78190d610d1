"""Read a workbook file into WorkbookInfo plus Arrow cell tables, and the parse stage entry point."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.ipc as ipc
from openpyxl.utils.datetime import MAC_EPOCH, WINDOWS_EPOCH

from core.errors import WorkbookUnreadable
from core.reader.columns import ParsedCell, cells_from_table
from core.reader.doc_props import read_application, read_saved_at
from core.reader.external import external_table
from core.reader.safezip import SafeZip
from core.reader.sheets import SheetContext, SheetParser
from core.reader.sniff import check_format
from core.reader.text import read_number_formats, read_shared_strings
from core.reader.workbook_part import WorkbookPart, read_tables, read_workbook_part
from core.stage import CELLS_SCHEMA, PARSE, StageDir, write_json, write_table
from core.workbook import SheetInfo, TableInfo, WorkbookInfo

TableSink = Callable[[pa.Table], None]


def _count_chunk(counts: dict[str, int], table: pa.Table) -> None:
    """Add one chunk's cell tallies to *counts*."""
    counts["cells"] = counts.get("cells", 0) + table.num_rows
    for column, prefix in (("cell_type", ""), ("raw_type", "raw_")):
        for item in pc.value_counts(table.column(column)).to_pylist():
            key = prefix + str(item["values"])
            counts[key] = counts.get(key, 0) + int(item["counts"])


def _check_parts(zf: SafeZip, wb: WorkbookPart) -> None:
    """Every sheet must have its part before any cell is read."""
    for sheet in wb.sheets:
        if sheet.part is not None and not zf.has(sheet.part):
            raise WorkbookUnreadable(f"{zf.filename}: sheet {sheet.name!r} is missing its part {sheet.part}",
                                     path=zf.filename, sheet=sheet.name)


def _final_counts(raw: dict[str, int], wb: WorkbookPart, sheets: list[SheetInfo],
                  tables: list[TableInfo]) -> dict[str, int]:
    counts = {key: raw.get(key, 0) for key in ("cells", "shared_formula_cells", "array_formulas",
                                              "data_tables")}
    counts.update(
        sheets=len(sheets), worksheets=sum(s.kind == "worksheet" for s in sheets),
        formula_cells=raw.get("formula", 0), constants=raw.get("value", 0), errors=raw.get("raw_error", 0),
        numbers=raw.get("raw_number", 0), texts=raw.get("raw_text", 0), bools=raw.get("raw_bool", 0),
        formulas_without_cached_value=raw.get("raw_empty", 0),
        merged_ranges=sum(len(s.merged_ranges) for s in sheets), defined_names=len(wb.names),
        tables=len(tables), external_links=len(wb.external_links))
    return counts


def read_into(source: Path, sink: TableSink, *, max_uncompressed_bytes: int, max_compression_ratio: float,
              filename: str | None = None, external_sink: TableSink | None = None) -> WorkbookInfo:
    """Stream every worksheet's cells to *sink* (CELLS_SCHEMA tables, workbook then document order)
    and, when given, the cached external-link cells to *external_sink* (one EXTERNAL_SCHEMA table).
    Raises UnsupportedFormat / WorkbookUnreadable naming the file."""
    name = filename or source.name
    kind = check_format(source, name)
    with SafeZip(source, name, max_uncompressed_bytes=max_uncompressed_bytes,
                 max_compression_ratio=max_compression_ratio) as zf:
        wb = read_workbook_part(zf)
        _check_parts(zf, wb)
        if external_sink is not None and wb.external_books:
            external_sink(external_table(wb.external_books))
        raw: dict[str, int] = {}

        def counting_sink(table: pa.Table) -> None:
            _count_chunk(raw, table)
            sink(table)

        epoch = MAC_EPOCH if wb.date1904 else WINDOWS_EPOCH
        ctx = SheetContext(filename=name, ns=wb.ns, counts=raw, epoch=epoch,
                           shared_strings=read_shared_strings(zf, wb.shared_strings_part, wb.ns),
                           number_formats=read_number_formats(zf, wb.styles_part, wb.ns))
        sheets: list[SheetInfo] = []
        tables: list[TableInfo] = []
        for pos, entry in enumerate(wb.sheets):
            dimension: str | None = None
            merged: tuple[str, ...] = ()
            hidden: tuple[int, ...] = ()
            if entry.kind == "worksheet" and entry.part is not None:
                result = SheetParser(ctx, entry.name, counting_sink).run(zf, entry.part)
                dimension, merged, hidden = result.dimension, tuple(result.merged), tuple(result.hidden_rows)
                tables.extend(read_tables(zf, entry, wb.ns))
            sheets.append(SheetInfo(name=entry.name, position=pos, state=entry.state, dimension=dimension,
                                    merged_ranges=merged, kind=entry.kind, hidden_rows=hidden))
        saved_at = read_saved_at(zf)
        application = read_application(zf)
        has_macros = kind == "xlsm" or any(n.lower().endswith("vbaproject.bin") for n in zf.names()) \
            or any(s.kind == "macrosheet" for s in sheets)
    return WorkbookInfo(filename=name, sheets=tuple(sheets), defined_names=tuple(wb.names),
                        tables=tuple(tables), calc=wb.calc, date1904=wb.date1904,
                        external_links=tuple(wb.external_links), has_macros=has_macros,
                        counts=_final_counts(raw, wb, sheets, tables), saved_at=saved_at,
                        application=application)


def read_cells_table(source: Path, *, max_uncompressed_bytes: int, max_compression_ratio: float,
                     filename: str | None = None) -> tuple[WorkbookInfo, pa.Table]:
    """The workbook's facts and all its cells as one CELLS_SCHEMA table. Raises like read_into."""
    chunks: list[pa.Table] = []
    info = read_into(source, chunks.append, max_uncompressed_bytes=max_uncompressed_bytes,
                     max_compression_ratio=max_compression_ratio, filename=filename)
    table = pa.concat_tables(chunks) if chunks else CELLS_SCHEMA.empty_table()
    return info, table


def read_workbook(path: Path, *, max_uncompressed_bytes: int, max_compression_ratio: float,
                  filename: str | None = None) -> tuple[WorkbookInfo, Iterator[ParsedCell]]:
    """WorkbookInfo and an iterator of ParsedCell (built lazily from Arrow chunks). Raises like read_into."""
    chunks: list[pa.Table] = []
    info = read_into(path, chunks.append, max_uncompressed_bytes=max_uncompressed_bytes,
                     max_compression_ratio=max_compression_ratio, filename=filename)

    def cells() -> Iterator[ParsedCell]:
        for chunk in chunks:
            yield from cells_from_table(chunk)

    return info, cells()


def parse_to(stage: StageDir, source: Path, *, max_uncompressed_bytes: int, max_compression_ratio: float,
             filename: str | None = None) -> WorkbookInfo:
    """Write parse/cells.arrow, parse/workbook.json and, for a workbook with external links,
    parse/external.arrow (their cached cells) atomically; on any error nothing is left behind.
    Raises UnsupportedFormat / WorkbookUnreadable naming the file."""
    with stage.writing(PARSE) as tmp:
        def external_sink(table: pa.Table) -> None:
            write_table(tmp / "external.arrow", table)

        with pa.OSFile(str(tmp / "cells.arrow"), "wb") as out, ipc.new_file(out, CELLS_SCHEMA) as writer:
            info = read_into(source, writer.write_table, max_uncompressed_bytes=max_uncompressed_bytes,
                             max_compression_ratio=max_compression_ratio, filename=filename,
                             external_sink=external_sink)
        write_json(tmp / "workbook.json", info.to_json())
    return info
