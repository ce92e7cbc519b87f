"""Documents the convention refers to: the conventions and amendments it follows, its GDPR annex."""

from __future__ import annotations

import re
from typing import Any

from ..textutil import find_dates, squash
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


def precedents(ctx: Context) -> list[dict[str, Any]]:
    """Earlier conventions and amendments: what the text "fait suite à", "Vu la convention …",
    and "l'avenant n° N du …" (not "le présent avenant"); each as
    ``{"type", "numero", "date", "texte"}`` (see :func:`split_precedent`)."""
    out: list[dict[str, Any]] = []
    texts: list[str] = []
    for m in PRECEDENT.finditer(ctx.flat):
        text = squash(m.group(1) or m.group(2) or m.group(3))
        if text and text not in texts:
            texts.append(text)
            ctx.src("conventions_precedentes", m.start())
            for item in split_precedent(text):
                if item not in out:
                    out.append(item)
    return out


def split_precedent(text: str) -> list[dict[str, Any]]:
    """The documents one mention names: "la convention du 12 mai 2022" is a convention dated;
    "l'avenant n° 2 du 3 mars 2023" an amendment numbered; "la convention … et ses avenants du
    9 septembre 2022 et du 20 juin 2023" a convention (undated) and one amendment per date."""
    items: list[dict[str, Any]] = []
    amendments = re.search(r"\bavenants?\b", text, I)
    convention = re.search(r"\bconvention\b", text, I)
    head = text
    tail = ""
    if convention and amendments and convention.start() < amendments.start():
        head, tail = text[: amendments.start()], text[amendments.start() :]
    elif amendments and not convention:
        head, tail = "", text
    if convention and (head or not amendments):
        dates = find_dates(head)
        items.append(
            {
                "type": "convention",
                "numero": _number(head),
                "date": dates[0].value.isoformat() if dates else None,
                "texte": text,
            }
        )
    if tail:
        dates = find_dates(tail)
        numbers = [int(n) for n in re.findall(r"n\s?°\s*(\d{1,2})\b", tail, I)]
        if re.search(r"\bavenants\b", tail, I) and len(dates) > 1:
            for d in dates:
                items.append(
                    {"type": "avenant", "numero": None, "date": d.value.isoformat(), "texte": text}
                )
        else:
            items.append(
                {
                    "type": "avenant",
                    "numero": numbers[0] if numbers else None,
                    "date": dates[0].value.isoformat() if dates else None,
                    "texte": text,
                }
            )
    return items


def _number(text: str) -> int | None:
    """The number of a convention when it is a plain number ("convention n° 3")."""
    m = re.search(r"n\s?°\s*(\d{1,4})(?![\w-])", text, I)
    return int(m.group(1)) if m else None


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
