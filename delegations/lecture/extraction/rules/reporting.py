"""How the délégataire reports to the délégant (compte rendu): monthly, at the end, or both."""

from __future__ import annotations

import re

from .context import Context

I = re.IGNORECASE  # noqa: E741

REPORT = re.compile(
    r"rend(?:re|ra)?\s+compte|compte[s]?[- ]rendus?|rapports?\s+(?:d'ex[ée]cution|financier)|bilans?\b|reporting",
    I,
)
MONTHLY = re.compile(r"mensuel|chaque\s+mois|tous\s+les\s+mois|par\s+mois", I)
AT_THE_END = re.compile(
    r"\bau\s+terme|[àa]\s+l'issue|[àa]\s+la\s+fin|en\s+fin\s+de\s+(?:convention|d[ée]l[ée]gation)|\bfinal",
    I,
)


def compte_rendu(ctx: Context) -> list[str]:
    """ "mensuel" and/or "terme": a sentence about reporting ("rend compte", "compte rendu",
    "rapport d'exécution", "bilan") says monthly, or at the end of the délégation."""
    found: set[str] = set()
    for m in REPORT.finditer(ctx.flat):
        s, e = ctx.sentence_at(m.start())
        sentence = ctx.flat[s:e]
        if MONTHLY.search(sentence):
            found.add("mensuel")
            ctx.src("compte_rendu", m.start())
        if AT_THE_END.search(sentence):
            found.add("terme")
            ctx.src("compte_rendu", m.start())
    return [k for k in ("mensuel", "terme") if k in found]
