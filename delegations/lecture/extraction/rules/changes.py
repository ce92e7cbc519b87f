"""Amendments state changes: the value they replace must not be read as the current one."""

from __future__ import annotations

import re

from .context import Context

I = re.IGNORECASE  # noqa: E741

# How an amendment states a change: the old value comes before the verb, the new one after.
CHANGE_VERB = re.compile(
    r"\b(?:est|sont)\s+(?:respectivement\s+)?(?:port[ée]e?s?(?!\s+[àa]\s+la\s+connaissance)|ramen[ée]e?s?|remplac[ée]e?s?|"
    r"modifi[ée]e?s?|report[ée]e?s?|prorog[ée]e?s?|substitu[ée]e?s?|d[ée]sormais)\b",
    I,
)
OLD_VALUE = re.compile(
    r"\b(?:initialement|pr[ée]c[ée]demment|auparavant|jusqu'alors|au\s+lieu\s+d[eu']?|"
    r"(?:montant|date|dur[ée]e)\s+(?:pr[ée]vue?|fix[ée]e?)\s+(?:par|dans|[àa])\s+(?:la\s+convention|l'article))",
    I,
)
CHANGE_FROM = re.compile(
    r"\b(?:port[ée]e?s?|pass(?:e|ent|ant)|ramen[ée]e?s?|prolong[ée]e?s?|report[ée]e?s?)\s+"
    r"(?:respectivement\s+)?(?:de|du)\s*$",
    I,
)


def superseded(ctx: Context, start: int, end: int) -> bool:
    """Is the value at [start, end) the old one that an amendment replaces?

    "initialement fixé à 300 000 €, est porté à 450 000 €", "porté de X à Y",
    "les mots « jusqu'au 31 décembre 2022 » sont remplacés par …": the old value
    is stated before the verb of change, the new one after it.
    """
    s, e = ctx.sentence_at(start, end)
    # A clause never runs across an article heading (DOCX and PDF lines carry no blank
    # line between paragraphs, so the sentence may reach back into the previous article).
    art = ctx.article_at(start)
    if art is not None:
        heading_end = ctx.text.find("\n", art.start)
        s = max(s, heading_end + 1 if heading_end >= 0 else art.start)
    before, after = ctx.flat[max(s, start - 200) : start], ctx.flat[end:e]
    if CHANGE_FROM.search(before):
        return True
    olds = list(OLD_VALUE.finditer(before))
    if olds and not CHANGE_VERB.search(before[olds[-1].end() :]):
        return True
    return bool(
        CHANGE_VERB.match(after) or re.match(rf"[^.;]{{0,80}}?{CHANGE_VERB.pattern}", after, I)
    ) and not CHANGE_VERB.search(before)
