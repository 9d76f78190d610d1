"""The workbook reader (parse stage): one streaming pass per sheet, formulas and cached values together.

Public API: sniff / check_format (format checks), read_workbook / read_cells_table / read_into (cells),
parse_to (the parse stage), ParsedCell, SharedFormula.
"""

from core.reader.columns import ParsedCell
from core.reader.shared_formulas import SharedFormula
from core.reader.sniff import check_format, sniff
from core.reader.workbook_reader import parse_to, read_cells_table, read_into, read_workbook

__all__ = ["ParsedCell", "SharedFormula", "check_format", "parse_to", "read_cells_table", "read_into",
           "read_workbook", "sniff"]
