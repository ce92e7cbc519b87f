"""What every rule reads and writes: the document, its structure, the sources and alerts found.

Rules are functions taking a :class:`Context`; what one rule hands to a later one (the schedule
to the totals, the CHORUS codes to their check) is returned as a value, never stored here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Doc
from ..textutil import squash
from .structure import Article, find_structure

I = re.IGNORECASE  # noqa: E741

SENTENCE_END = re.compile(r"\.(?=\s|$)|\n\s*\n")


@dataclass(slots=True)
class Context:
    """Slotted: a rule cannot hang undeclared state on it for a later rule to read back."""

    doc: Doc
    articles: list[Article] = field(init=False)
    annex_start: int = field(init=False)
    signature_start: int = field(init=False)
    body_start: int = field(init=False)
    text: str = field(init=False)  # the lines joined by "\n"
    flat: str = field(init=False)  # ``text`` with "\n" as spaces: same offsets
    # Output: first source per field (in the order the rules found them), alerts without repeats.
    sources: dict[str, dict[str, object]] = field(default_factory=dict)
    alerts: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.flat = self.doc.flat
        structure = find_structure(self.doc)
        self.articles = structure.articles
        self.annex_start = structure.annex_start
        self.signature_start = structure.signature_start
        self.body_start = structure.body_start

    # ------------------------------------------------------------------ where things are
    def article(self, pattern: str, fallback_num: int | None = None) -> Article | None:
        """The first article whose title matches, else the article numbered ``fallback_num``."""
        for art in self.articles:
            if re.search(pattern, art.title, I):
                return art
        if fallback_num is not None:
            for art in self.articles:
                if art.num == fallback_num:
                    return art
        return None

    def span(self, art: Article | None) -> tuple[int, int]:
        """The article's offsets, or the whole document without one."""
        if art is None:
            return (0, len(self.text))
        return (art.start, art.end)

    def sentence_at(self, pos: int, end: int | None = None) -> tuple[int, int]:
        """The sentence (or paragraph) around [pos, end)."""
        end = pos if end is None else end
        text = self.text
        starts = [text.rfind(". ", 0, pos), text.rfind(".\n", 0, pos), text.rfind("\n\n", 0, pos)]
        s = max(starts)
        s = 0 if s < 0 else s + 2
        m = SENTENCE_END.search(text, end)
        e = m.end() if m else len(text)
        return s, e

    def where(self, offset: int) -> str:
        """ "page P, ligne L" for an alert message."""
        line = self.doc.line_at(offset)
        return f"page {line.page}, ligne {line.no}"

    def quote(self, start: int, end: int, limit: int = 200) -> str:
        """The text around [start, end) for an alert message, never cutting a word."""
        start, end = max(0, start), min(len(self.flat), end)
        while start > 0 and not self.flat[start - 1].isspace():
            start -= 1
        while end < len(self.flat) and not self.flat[end].isspace():
            end += 1
        q = squash(self.flat[start:end])
        return q if len(q) <= limit else q[: limit - 1].rsplit(" ", 1)[0] + " …"

    def quote_line(self, off: int) -> str:
        """The whole line at ``off`` when it is short enough to quote, else the text around."""
        index = self.doc.line_index(off)
        text = squash(self.doc.lines[index].text)
        if 0 < len(text) <= 160:
            return text
        return self.quote(off - 60, off + 80)

    # ------------------------------------------------------------------ output
    def src(self, field: str, offset: int, extrait: str | None = None) -> None:
        """Record where ``field`` was read, unless an earlier rule already did."""
        if field not in self.sources:
            self.sources[field] = self.doc.source(offset, extrait)

    def alert(self, code: str, message: str) -> None:
        """Add an alert (a French message for the reviewer), once."""
        if not any(a["code"] == code and a["message"] == message for a in self.alerts):
            self.alerts.append({"code": code, "message": message})
