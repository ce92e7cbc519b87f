"""What every rule reads and writes: the document, its structure, the sources and alerts found.

Rules are functions taking a :class:`Context`; what one rule hands to a later one (the schedule
to the totals, the CHORUS codes to their check) is returned as a value, never stored here.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from ..document import Doc
from ..textutil import squash
from .structure import Article, find_structure

I = re.IGNORECASE  # noqa: E741

SENTENCE_END = re.compile(r"\.(?=\s|$)|\n\s*\n")
# Every offset where a sentence may start after (". ", ".\n", "\n\n") or end: found once per
# document, so that finding the sentence around a value is a bisection, not a scan of the text
# (a 10 000-line text has thousands of amounts: scanning back for each was quadratic).
SENTENCE_STOP_AT = re.compile(r"(?=\. |\.\n|\n\n)")
SENTENCE_END_AT = re.compile(rf"(?={SENTENCE_END.pattern})")


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
    _stops: list[int] = field(init=False, repr=False)
    _ends: list[int] = field(init=False, repr=False)
    _article_starts: list[int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.text = self.doc.text
        self.flat = self.doc.flat
        self._stops = [m.start() for m in SENTENCE_STOP_AT.finditer(self.text)]
        self._ends = [m.start() for m in SENTENCE_END_AT.finditer(self.text)]
        structure = find_structure(self.doc)
        self.articles = structure.articles
        self._article_starts = [art.start for art in self.articles]
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

    def article_at(self, offset: int) -> Article | None:
        """The article holding ``offset`` (articles are in order and never overlap)."""
        k = bisect_right(self._article_starts, offset) - 1
        if k >= 0 and offset < self.articles[k].end:
            return self.articles[k]
        return None

    def span(self, art: Article | None) -> tuple[int, int]:
        """The article's offsets, or the whole document without one."""
        if art is None:
            return (0, len(self.text))
        return (art.start, art.end)

    def sentence_at(self, pos: int, end: int | None = None) -> tuple[int, int]:
        """The sentence (or paragraph) around [pos, end)."""
        end = pos if end is None else end
        # The last stop wholly before ``pos`` (as ``rfind(stop, 0, pos)`` would find it).
        k = bisect_right(self._stops, pos - 2) - 1
        s = self._stops[k] + 2 if k >= 0 else 0
        # The first end at or after ``end`` (as ``SENTENCE_END.search(text, end)`` would).
        j = bisect_left(self._ends, end)
        m = SENTENCE_END.match(self.text, self._ends[j]) if j < len(self._ends) else None
        e = m.end() if m else len(self.text)
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
