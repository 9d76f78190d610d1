"""Import failures. Cell-level problems (#DIV/0!, unparsable formulas, ...) are values, never these."""

from __future__ import annotations


class PipelineError(Exception):
    """Any failure that stops the import of one workbook. The message names the file."""

    kind = "pipeline_error"

    def __init__(self, message: str, *, path: str | None = None, sheet: str | None = None,
                 cell: str | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.sheet = sheet
        self.cell = cell

    def as_dict(self) -> dict[str, str | None]:
        """A JSON-ready description (for --json output, error files and flow artifacts)."""
        return {"kind": self.kind, "message": str(self), "path": self.path,
                "sheet": self.sheet, "cell": self.cell}


class WorkbookUnreadable(PipelineError):
    """The file is not a readable workbook (corrupt zip, missing part, bad XML, zip bomb...)."""

    kind = "workbook_unreadable"


class UnsupportedFormat(PipelineError):
    """A real file of a format we do not read (.xls, .xlsb, .ods, csv, encrypted OLE...)."""

    kind = "unsupported_format"


class EngineError(PipelineError):
    """The formula engine rejected the workbook as a whole (not retried)."""

    kind = "engine_error"


class StageOutputMissing(PipelineError):
    """A stage was asked to run before the stage it reads from produced its output."""

    kind = "stage_output_missing"


class TransientError(PipelineError):
    """A fault worth retrying: database connection lost, Node process died or timed out, file locked."""

    kind = "transient"
