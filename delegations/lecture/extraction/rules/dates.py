"""Dates and duration: signature, taking effect (prise d'effet), end, duration, notice period."""

from __future__ import annotations

import re
from datetime import date

from ..textutil import find_dates, small_number
from .changes import superseded
from .context import Context
from .structure import Article

I = re.IGNORECASE  # noqa: E741

# Digital signature stamps: "2024-03-05 14:32:10".
STAMP = re.compile(r"(?<![\d.])((?:19|20)\d\d)[.\-/](\d\d)[.\-/](\d\d)\s+\d\d:\d\d(?::\d\d)?")
# What introduces a signature date: "Fait à Paris, le", "signé électroniquement le",
# "Paris, le", "Date de signature :".
SIGNED_ON = re.compile(
    r"fait\s+(?:[àa]\s+[^,\n]{1,40}?,?\s*)?le\b|sign[ée]e?\s+(?:[ée]lectroniquement\s+)?le\b|"
    r"(?:^|\s)[A-ZÀ-Ý][a-zà-ÿ\-]+,\s+le\b|\bdate\s+(?:de\s+signature\s*)?:",
    I,
)
TAKES_EFFECT = re.compile(
    r"prend(?:ra)?\s+effet|entre(?:ra)?\s+en\s+vigueur|[àa]\s+compter\s+d|applicable\s+[àa]\s+compter|"
    r"prend(?:ra)?\s+cours|court\s+[àa]\s+compter",
    I,
)
ENDS_ON = re.compile(
    r"jusqu'(?:au|à)\s|prend(?:ra)?\s+fin\s+le\s|expire(?:ra)?\s+le\s|au\s+plus\s+tard\s+le\s|"
    r"(?:termin|ach[èe]v)[ée]e?\s+le\s|\bau\s+(?=\d|1er)",
    I,
)
# The numbers a duration is written with, in digits or in words.
DURATION_NUMBER = (
    r"(\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|dix-huit"
    r"|vingt-quatre|trente-six)"
)
DURATION = re.compile(
    rf"(?:dur[ée]e|p[ée]riode)\s+(?:initiale\s+|totale\s+)?(?:de\s+|d'\s?){DURATION_NUMBER}\s+(ans?|ann[ée]es?|mois)\b|"
    rf"(?:conclue?|[ée]tablie?|valable|sign[ée]e)\s+pour\s+(?:une\s+p[ée]riode\s+d'|une\s+dur[ée]e\s+d'|)\s*{DURATION_NUMBER}\s+(ans?|ann[ée]es?|mois)\b",
    I,
)
NOTICE = re.compile(
    r"pr[ée]avis\s+(?:minimum\s+|minimal\s+)?(?:de\s+|d'\s?)(\d{1,2}|un|deux|trois|quatre|six|douze)\s+mois|"
    r"(\d{1,2}|un|deux|trois|quatre|six)\s+mois\s+de\s+pr[ée]avis",
    I,
)


def signature_date(ctx: Context) -> str | None:
    """The latest date among: signature stamps, dates after "Fait à …, le" / "signé le" /
    "Paris, le" / "Date :", and dates standing alone on a line of the signature block (each
    party signs on its own day: the convention is signed when the last one does)."""
    candidates: list[tuple[date, int]] = []
    flat = ctx.flat
    for m in STAMP.finditer(flat):
        try:
            candidates.append((date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start()))
        except ValueError:
            pass
    for m in SIGNED_ON.finditer(flat):
        window = flat[m.end() : m.end() + 60]
        dates = find_dates(window)
        if dates and dates[0].start < 6:
            candidates.append((dates[0].value, m.end() + dates[0].start))
    # Dates standing alone on a line after the signature formula (stamps, handwriting).
    if ctx.signature_start < len(ctx.text):
        end = ctx.annex_start if ctx.annex_start > ctx.signature_start else len(ctx.text)
        for index in range(
            ctx.doc.line_index(ctx.signature_start), ctx.doc.line_index(max(end - 1, 0)) + 1
        ):
            line = ctx.doc.lines[index].text.strip(" *_|")
            dates = find_dates(line)
            # One date per signature column ("Le 2 mars 2024 <tab> Le 5 mars 2024").
            if dates and len(line) - sum(len(d.text) for d in dates) < 12 * len(dates):
                candidates.extend((d.value, ctx.doc.line_offset(index)) for d in dates)
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[0], c[1]))
    ctx.src("date_signature", best[1])
    return best[0].isoformat()


def duration_article(ctx: Context) -> Article | None:
    """The article about duration / taking effect / validity."""
    return ctx.article(r"dur[ée]e|prise\s+d'effet|entr[ée]e\s+en\s+vigueur|validit[ée]|p[ée]riode")


def prise_effet(ctx: Context) -> tuple[str | None, date | None]:
    """When the convention takes effect: "signature", "publication" or "date" (with the date),
    whichever is named first after "prend effet" / "entre en vigueur" / "à compter de", in the
    duration article, else in the body."""
    art = duration_article(ctx)
    spans = [ctx.span(art)] if art else []
    spans.append((ctx.body_start, min(ctx.signature_start, len(ctx.flat))))
    for s, e in spans:
        found = _prise_effet_in(ctx, s, e)
        if found[0] is not None:
            return found
    return None, None


def _prise_effet_in(ctx: Context, s: int, e: int) -> tuple[str | None, date | None]:
    """The first "prend effet …" in [s, e) followed (in its sentence, before "jusqu'") by
    "signature", "publication" or a date."""
    text = ctx.flat[s:e]
    for m in TAKES_EFFECT.finditer(text):
        window = text[m.end() : m.end() + 120]
        window = re.split(r"\.\s|\bjusqu", window)[0]
        dates = find_dates(window)
        kinds = []
        for kind, rx in (("signature", r"signature"), ("publication", r"publication")):
            km = re.search(rx, window, I)
            if km:
                kinds.append((km.start(), kind))
        if dates:
            kinds.append((dates[0].start, "date"))
        if kinds:
            kinds.sort()
            ctx.src("prise_effet", s + m.start())
            kind = kinds[0][1]
            return kind, dates[0].value if kind == "date" else None
    return None, None


def date_fin(ctx: Context) -> str | None:
    """The date after "jusqu'au", "prend fin le", "expire le"… in the duration article, else in
    the body; an end date that an amendment replaces is skipped."""
    art = duration_article(ctx)
    for s, e in ([ctx.span(art)] if art else []) + [(ctx.body_start, len(ctx.flat))]:
        text = ctx.flat[s:e]
        for m in ENDS_ON.finditer(text):
            dates = find_dates(text[m.end() : m.end() + 60])
            if dates and dates[0].start < 3:
                at = s + m.end() + dates[0].start
                if superseded(ctx, at, at + len(dates[0].text)):
                    continue  # the end date an amendment replaces
                ctx.src("date_fin", s + m.start())
                return dates[0].value.isoformat()
        if art is None:
            break
    return None


def duree_mois(ctx: Context) -> int | None:
    """The duration in months: "pour une durée de trois ans", "période de 18 mois"… in the
    duration article; without one, only in a sentence about the convention. Skipped: a duration
    an amendment replaces, and "à N mois" said of something else than the convention."""
    art = duration_article(ctx)
    spans = [ctx.span(art)] if art else [(ctx.body_start, len(ctx.flat))]
    for s, e in spans:
        text = ctx.flat[s:e]
        for m in DURATION.finditer(text):
            n = small_number(m.group(1) or m.group(3))
            unit = (m.group(2) or m.group(4)).lower()
            if n is None or superseded(ctx, s + m.start(), s + m.end()):
                continue
            sentence = ctx.flat[slice(*ctx.sentence_at(s + m.start()))]
            if art is None and not re.search(r"convention|d[ée]l[ée]gation|avenant", sentence, I):
                continue
            if re.search(r"\bà\s+\d+\s+mois", sentence) and "convention" not in sentence:
                continue
            ctx.src("duree_mois", s + m.start())
            return n * 12 if unit.startswith("an") else n
    return None


def preavis(ctx: Context) -> int | None:
    """The notice period in months: "préavis de trois mois", "trois mois de préavis"."""
    m = NOTICE.search(ctx.flat)
    if not m:
        return None
    ctx.src("preavis_mois", m.start())
    return small_number(m.group(1) or m.group(2))
