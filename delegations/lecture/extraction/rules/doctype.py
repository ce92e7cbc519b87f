"""Convention or amendment (avenant): the document's title says which."""

from __future__ import annotations

import re

from .context import Context

I = re.IGNORECASE  # noqa: E741


def doc_type(ctx: Context) -> str:
    """An amendment's title starts with "Avenant" (or names "avenant n° N" in its first lines);
    anything else is a convention."""
    head = [ln.text.strip() for ln in ctx.doc.lines if ln.text.strip()][:8]
    for index, text in enumerate(head):
        if re.match(r"^\W*avenant\b", text, I) and not re.search(r"convenu", text, I):
            ctx.src("type", ctx.doc.line_offset(_line_of(ctx, text)))
            return "avenant"
        if index < 3 and re.search(r"\bavenant\s+(?:n\s?°|num[ée]ro)\s*\d+", text, I):
            return "avenant"
    for text in head:
        if re.search(r"convention", text, I):
            ctx.src("type", ctx.doc.line_offset(_line_of(ctx, text)))
            break
    return "convention"


def _line_of(ctx: Context, text: str) -> int:
    """Index of the first line reading ``text`` (stripped), else of the first line."""
    for index, line in enumerate(ctx.doc.lines):
        if line.text.strip() == text:
            return index
    return 0
