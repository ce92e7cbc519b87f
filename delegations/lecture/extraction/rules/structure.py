"""The layout of a convention: its numbered articles, where annexes and signatures begin."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..document import Doc

I = re.IGNORECASE  # noqa: E741

HEADING_RE = re.compile(
    # "1er" comes out of OCR as "ler" or "Ier".
    r"^\W{0,3}(?:Article|ARTICLE|Art\.)\s+(?P<num>\d{1,2}|[1lI]\s?er|1ᵉʳ|premier|[IVX]{1,5})(?:er)?\b"
    r"\s*(?:[:.\-–—)]\s*(?P<title>.*)|\s*$|\s+(?P<title2>[A-ZÉÈÀ].*))$"
)
ANNEX_RE = re.compile(r"^\W{0,3}(?:annexe|ANNEXE)\b", I)
SIGNATURE_START = re.compile(r"^\W{0,3}fait\s+(?:à|a)\s+|^\W{0,3}fait\s+le\b", I)
# "Pour le délégant", "Pour la Direction …", "Pour le ministre": a signature column's heading.
SIGNATORY = re.compile(
    r"^\W{0,3}(?:Pour|POUR)\s+(?:(?:le|la|LE|LA)\s+|[lL]['’]\s*)"
    r"(?:d[ée]l[ée]g(?:ant|ataire)|ministre|[A-ZÀ-Ý])[^.;:]*$"
)


@dataclass
class Article:
    num: int
    title: str
    start: int  # offset in doc.text
    end: int


@dataclass(frozen=True)
class Structure:
    articles: list[Article]
    annex_start: int  # offset of the first annex after the articles, else len(text)
    signature_start: int  # offset of "Fait à …" after the articles, else len(text)
    body_start: int  # offset of the first article, else 0


def article_number(raw: str) -> int:
    """An article's number as written: "1er" (or its OCR forms), digits or Roman numerals."""
    raw = raw.lower().replace(" ", "")
    if raw in ("1er", "ler", "ier", "1ᵉʳ", "premier"):
        return 1
    if raw.isdigit():
        return int(raw)
    romans = {"i": 1, "v": 5, "x": 10}
    total = 0
    prev = 0
    for ch in reversed(raw):
        v = romans.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


def find_structure(doc: Doc) -> Structure:
    """Articles run from their heading to the next one; the last one stops at the signature
    formula or the first annex, whichever comes first (only those after an article count)."""
    text = doc.text
    articles: list[Article] = []
    annex_start = len(text)
    signature_start = len(text)
    heads: list[tuple[int, int, str]] = []
    for index, line in enumerate(doc.lines):
        off = doc.line_offset(index)
        stripped = line.text.strip()
        if line.cells is None and len(stripped) < 140:
            m = HEADING_RE.match(stripped)
            if m:
                title = (m.group("title") or m.group("title2") or "").strip()
                heads.append((off, article_number(m.group("num")), title))
                continue
        if heads and ANNEX_RE.match(stripped) and off > heads[-1][0]:
            annex_start = min(annex_start, off)
        signs = SIGNATURE_START.match(stripped) or (
            len(stripped) < 120 and SIGNATORY.match(stripped.replace("\t", " "))
        )
        if heads and signs and off > heads[-1][0]:
            signature_start = min(signature_start, off)
    for i, (off, num, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else min(annex_start, len(text))
        if i + 1 == len(heads):
            end = min(end, signature_start, annex_start)
        articles.append(Article(num, title, off, end))
    body_start = articles[0].start if articles else 0
    return Structure(articles, annex_start, signature_start, body_start)
