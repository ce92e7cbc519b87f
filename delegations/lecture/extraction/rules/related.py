"""Documents the convention refers to: the conventions and amendments it follows, its GDPR annex."""

from __future__ import annotations

import re

from ..textutil import squash
from .context import Context
from .structure import ANNEX_RE

I = re.IGNORECASE  # noqa: E741

PRECEDENT = re.compile(
    r"(?:faisant|fait)\s+suite\s+(?:[àa]|aux?)\s+(.{10,400}?)(?=,\s*il\s+a\s+[ée]t[ée]\s+convenu|\.\s|$)|"
    r"\bvu\s+(la\s+convention\b.{5,300}?)(?=[;,]\s|\.\s)|"
    r"(?<!pr[ée]sent\s)(?<!pr[ée]sente\s)\b((?:l'|le\s+)?avenant\s+n\s?°\s*\d+\s+(?:du|en\s+date\s+du)\s+\S+(?:\s+\S+){0,2}\s+\d{4})",
    I,
)
GDPR_TITLE = re.compile(
    r"rgpd|donn[ée]es\s+(?:personnelles|[àa]\s+caract[èe]re\s+personnel)|protection\s+des\s+donn[ée]es|"
    r"responsabilit[ée]s|traitement",
    I,
)


def precedents(ctx: Context) -> list[str]:
    """Earlier conventions and amendments: what the text "fait suite à", "Vu la convention …",
    and "l'avenant n° N du …" (not "le présent avenant")."""
    out: list[str] = []
    for m in PRECEDENT.finditer(ctx.flat):
        text = squash(m.group(1) or m.group(2) or m.group(3))
        if text and text not in out:
            out.append(text)
            ctx.src("conventions_precedentes", m.start())
    return out


def annexe_rgpd(ctx: Context) -> bool:
    """Is a personal-data annex (RGPD, responsibilities, processing) attached? An "Annexe"
    heading whose title (possibly on the next line) is about personal data."""
    for index, line in enumerate(ctx.doc.lines):
        t = line.text.strip()
        if index + 1 < len(ctx.doc.lines) and len(t) < 80:
            t = t + " " + ctx.doc.lines[index + 1].text.strip()
        if ANNEX_RE.match(t) and GDPR_TITLE.search(t):
            ctx.src("annexe_rgpd", ctx.doc.line_offset(index))
            return True
    return False
