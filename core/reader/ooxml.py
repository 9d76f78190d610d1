"""OOXML namespaces, relationship types and small attribute helpers shared by the reader modules."""

from __future__ import annotations

import posixpath
from typing import Any

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
STRICT_MAIN_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
STRICT_REL_NS = "http://purl.oclc.org/ooxml/officeDocument/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

TRUE_VALUES = frozenset({"1", "true", "on"})


def as_bool(value: str | None, default: bool = False) -> bool:
    """An xsd:boolean attribute ('1'/'true'/'0'/'false'), or *default* when absent."""
    if value is None:
        return default
    return value.strip().lower() in TRUE_VALUES


def as_int(value: str | None, default: int) -> int:
    """An integer attribute, or *default* when absent or malformed."""
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def as_float(value: str | None, default: float) -> float:
    """A float attribute, or *default* when absent or malformed."""
    try:
        return float(value) if value is not None else default
    except ValueError:
        return default


def ns_of(elem: Any) -> str:
    """The namespace URI of an element's tag ('' when none)."""
    tag = elem.tag
    return tag[1:tag.index("}")] if tag.startswith("{") else ""


def rels_path(part: str) -> str:
    """'xl/workbook.xml' -> 'xl/_rels/workbook.xml.rels'."""
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", name + ".rels")


def resolve_target(source_part: str, target: str) -> str:
    """A relationship target resolved against its source part (absolute targets start with '/')."""
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    return posixpath.normpath(posixpath.join(posixpath.dirname(source_part), target))


def local(tag: str) -> str:
    """'{ns}name' -> 'name'."""
    return tag.rsplit("}", 1)[-1]
