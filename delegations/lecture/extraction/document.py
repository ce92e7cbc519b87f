"""A document as numbered lines (page, line) plus the tables found in it."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from .textutil import normalize_spaces


@dataclass
class Line:
    page: int
    no: int
    text: str
    cells: list[str] | None = None


@dataclass
class Table:
    page: int
    line: int
    rows: list[list[str]]


@dataclass
class Doc:
    lines: list[Line]
    tables: list[Table] = field(default_factory=list)
    ocr: bool = False

    def __post_init__(self) -> None:
        self.text = "\n".join(line.text for line in self.lines)
        # Same length as ``text``: regexes may span line breaks, offsets stay valid.
        self.flat = self.text.replace("\n", " ")
        self._starts: list[int] = []
        pos = 0
        for line in self.lines:
            self._starts.append(pos)
            pos += len(line.text) + 1

    def line_index(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self._starts, offset) - 1)

    def line_at(self, offset: int) -> Line:
        return self.lines[self.line_index(offset)]

    def line_offset(self, index: int) -> int:
        return self._starts[index]

    def source(self, offset: int, extrait: str | None = None) -> dict[str, object]:
        line = self.line_at(offset)
        text = extrait if extrait is not None else line.text
        text = re.sub(r"\s+", " ", text).strip()
        if len(text) > 160:
            text = text[:157] + "…"
        return {"page": line.page, "ligne": line.no, "extrait": text}


_MD_LINK = re.compile(r"\[([^\]]*)\]\((?:[^()]|\([^)]*\))*\)")
_HTML_TAG = re.compile(r"</?[a-zA-Z][^<>]{0,200}>")


def clean_markup(text: str) -> str:
    """Remove markdown / HTML decoration, keep the words."""
    text = normalize_spaces(text)
    text = text.replace("\ufffe", "-").replace("\u00ad", "")
    text = _MD_LINK.sub(r"\1", text)
    text = re.sub(r"<(https?://[^>\s]+)>", r"\1", text)
    text = _HTML_TAG.sub("", text)
    text = re.sub(r"\\([\[\]\\*_#()])", r"\1", text)
    text = re.sub(r"^\s{0,3}#{1,6}\s+", "", text)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])", r"\1", text)
    return text.rstrip()


def split_cells(raw: str) -> list[str] | None:
    """Table cells of a plain-text line: tab separated or markdown/OCR pipes."""
    if "\t" in raw:
        return [c.strip() for c in raw.split("\t")]
    if raw.count("|") >= 2 or (raw.count("|") == 1 and re.search(r"\S\s*\|\s*\S", raw)):
        cells = [c.strip() for c in raw.strip().strip("|").split("|")]
        return cells
    return None


def doc_from_plain(pages: list[str], *, ocr: bool = False) -> Doc:
    """Build a Doc from plain text pages (txt, md, OCR output)."""
    lines: list[Line] = []
    tables: list[Table] = []
    for pno, page in enumerate(pages, 1):
        current: list[list[str]] = []
        start = 0
        for lno, raw in enumerate(page.split("\n"), 1):
            raw = raw.rstrip("\r")
            if re.fullmatch(r"\s*\|?\s*:?-{3,}.*", raw) and "|" in raw:
                continue  # markdown table separator
            cells = split_cells(raw)
            if cells is not None:
                cells = [clean_markup(c) for c in cells]
                text = "\t".join(cells)
                if not current:
                    start = lno
                current.append(cells)
            else:
                text = clean_markup(raw)
                if current and text.strip():
                    tables.append(Table(pno, start, current))
                    current = []
            lines.append(Line(pno, lno, text, cells))
        if current:
            tables.append(Table(pno, start, current))
    return Doc(lines, tables, ocr=ocr)
