"""Hardened XML parsing for workbook parts: no DTDs, no entity expansion, no network."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any, Protocol

from lxml import etree

from core.errors import WorkbookUnreadable

# How far into a part we look for a DOCTYPE before the root element; a prolog is tiny in practice,
# and a part whose prolog exceeds this is refused rather than trusted.
PROLOG_SCAN_BYTES = 64 * 1024
_ELEMENT_START = re.compile(rb"<[A-Za-z_]")
_DANGEROUS = re.compile(rb"<!(DOCTYPE|ENTITY)", re.IGNORECASE)


class Readable(Protocol):
    """Anything with read(size) -> bytes (a zip member stream)."""

    def read(self, size: int = -1, /) -> bytes: ...


def _ascii_view(head: bytes) -> bytes:
    """UTF-16 parts (legal, rare) are scanned as UTF-8 so the byte patterns still match."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if head.startswith(b"\xff\xfe") else "utf-16-be"
        return head[2:len(head) - (len(head) % 2)].decode(enc, "replace").encode("utf-8", "replace")
    return head


def check_prolog(head: bytes, filename: str, part: str) -> None:
    """Refuse a part whose prolog holds a DTD or entity declaration. Raises WorkbookUnreadable."""
    view = _ascii_view(head)
    start = _ELEMENT_START.search(view)
    prolog = view if start is None else view[:start.start()]
    if _DANGEROUS.search(prolog) or (start is None and len(head) >= PROLOG_SCAN_BYTES):
        raise WorkbookUnreadable(f"{filename}: part {part} contains an XML DTD/entity declaration, refused",
                                 path=filename)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=True, remove_comments=True)


def parse_bytes(data: bytes, filename: str, part: str) -> Any:
    """Parse a whole (small) part into an element. Raises WorkbookUnreadable on DTDs or bad XML."""
    check_prolog(data[:PROLOG_SCAN_BYTES], filename, part)
    try:
        root = etree.fromstring(data, parser=_parser())
    except etree.XMLSyntaxError as exc:
        raise WorkbookUnreadable(f"{filename}: part {part} is not well-formed XML: {exc}",
                                 path=filename) from exc
    if root.getroottree().docinfo.doctype:
        raise WorkbookUnreadable(f"{filename}: part {part} contains an XML DTD/entity declaration, refused",
                                 path=filename)
    return root


class _PrologCheckedStream:
    """A read()-able stream that checks the first chunk's prolog before handing bytes to lxml."""

    def __init__(self, raw: Readable, filename: str, part: str) -> None:
        self._raw = raw
        head = raw.read(PROLOG_SCAN_BYTES)
        check_prolog(head, filename, part)
        self._head: bytes | None = head

    def read(self, size: int = -1) -> bytes:
        if self._head is not None:
            head, self._head = self._head, None
            if head:
                return head
        return self._raw.read(size)


def iterparse_safe(raw: Readable, tags: Iterable[str], filename: str, part: str) -> Iterator[Any]:
    """Stream ('end') elements with the given tags. Raises WorkbookUnreadable on DTDs or bad XML."""
    stream = _PrologCheckedStream(raw, filename, part)
    events = etree.iterparse(stream, events=("end",), tag=tuple(tags), resolve_entities=False,
                             no_network=True, load_dtd=False, huge_tree=True, remove_comments=True)
    try:
        for _event, elem in events:
            yield elem
    except etree.XMLSyntaxError as exc:
        raise WorkbookUnreadable(f"{filename}: part {part} is not well-formed XML: {exc}",
                                 path=filename) from exc
