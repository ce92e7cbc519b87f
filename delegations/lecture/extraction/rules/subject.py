"""What the délégation is for: its object, the products (services numériques) and phases funded.

All three are read in the object article ("Objet", else article 1).
"""

from __future__ import annotations

import re

from ..textutil import squash
from .context import Context
from .structure import Article

I = re.IGNORECASE  # noqa: E741

PHASES: list[tuple[str, re.Pattern[str]]] = [
    ("investigation", re.compile(r"\binvestig(?:ation|uer|u[ée]e?s?)", I)),
    ("construction", re.compile(r"\bconstru(?:ction|ire)\b", I)),
    ("acceleration", re.compile(r"\bacc[ée]l[ée]r(?:ation|er)\b", I)),
    (
        "consolidation",
        re.compile(
            r"\bconsolid(?:ation|er)\b|\bp[ée]rennis(?:ation|er)\b|phase\s+de\s+transfert", I
        ),
    ),
]

# "le service numérique « X »", "la startup d'État X, qui …": a product named after its kind.
PRODUCT_NAMED = re.compile(
    r"\b(?:services?\s+num[ée]riques?|produits?\s+num[ée]riques?|produits?|startups?\s+d'[ÉE]tat"
    r"|plateformes?|outils?)\s+(?P<q>«\s*)?(?P<name>[^«»,.;:()]{2,120}?)\s*(?(q)»|(?=\s+(?:ayant|qui|dont|"
    r"afin|pour|en\s+suivant|visant|destin[ée]|d[ée]velopp[ée]|port[ée]|,|\.|;|\(|ainsi)|[,.;(]))",
    I,
)
# "la mission interministérielle Littoral Numérique", "le service Balise Ouverte", "le programme
# X": a service named as a mission, a service or a programme, by its capitalised words.
NAMED_AS = re.compile(
    r"\b(?:missions?(?:\s+interminist[ée]rielles?)?|services?|programmes?)\s+"
    r"(?P<name>[A-ZÀ-Ý][\w'’À-ÿ-]*(?:\s+(?:(?:de|du|des|d'|à|aux|en|la|le|pour)\s+)?"
    r"[A-ZÀ-Ý0-9][\w'’À-ÿ-]*)*)"
)
# Words after "produit"/"service" that start a phrase, not a name ("les produits de la DINUM").
NOT_A_NAME = re.compile(
    r"(?:de|du|des|d'|la|le|les|l'|vis[ée]s?|concern[ée]s?|suivants?|"
    r"existants?|en|[àa]|au|aux|et|num[ée]riques?)\b",
    I,
)


def object_article(ctx: Context) -> Article | None:
    """The article titled "Objet", else article 1."""
    return ctx.article(r"objet", 1)


def objet(ctx: Context) -> str | None:
    """The sentence "La présente convention a pour objet …" (or "vise à …") in the object
    article, else "a pour objet" anywhere."""
    art = object_article(ctx)
    s, e = ctx.span(art)
    m = re.search(r"a\s+pour\s+(?:objet|but|finalit[ée])|vise\s+[àa]", ctx.flat[s:e], I)
    if not m:
        m = re.search(r"a\s+pour\s+objet", ctx.flat, I)
        if not m:
            return None
        pos = m.start()
    else:
        pos = s + m.start()
    a, b = ctx.sentence_at(pos)
    if art is not None:
        body = ctx.text.find("\n", art.start)
        a = max(a, body + 1 if body >= 0 else art.start)
    ctx.src("objet", pos)
    return squash(ctx.flat[a:b])


def services(ctx: Context) -> list[str]:
    """Products funded: names after "service numérique", "produit", "startup d'État",
    "plateforme", "outil" (capitalised or in « »), services named as a mission, a service or a
    programme by capitalised words, and names in « » that follow those words."""
    art = object_article(ctx)
    if art is None:
        return []
    s, e = ctx.span(art)
    text = ctx.flat[s:e]
    found: list[tuple[int, str]] = []
    for m in PRODUCT_NAMED.finditer(text):
        name = m.group("name").strip()
        if not m.group("q") and (NOT_A_NAME.match(name) or not re.match(r"[A-ZÀ-Ý0-9«]", name)):
            continue
        for part in re.split(r"\s*,\s*|\s+et\s+", name):
            part = part.strip(" «»\"'")
            if part and part not in [f for _, f in found]:
                found.append((s + m.start("name"), part))
    for m in NAMED_AS.finditer(text):
        part = m.group("name").strip()
        # An acronym alone is an administration ("le service SG"), not a product.
        if part.isupper() or part in [f for _, f in found]:
            continue
        found.append((s + m.start("name"), part))
    for m in re.finditer(r"«\s*([^»]{2,80}?)\s*»", text):
        before = text[max(0, m.start() - 60) : m.start()]
        if re.search(r"service|produit|startup|plateforme|outil", before, I):
            part = m.group(1).strip()
            if part not in [f for _, f in found]:
                found.append((s + m.start(1), part))
    if found:
        ctx.src("services", found[0][0])
    return [f for _, f in found]


def phases(ctx: Context) -> list[str]:
    """Phases of a Startup d'État funded, named in the object article, in their life order."""
    art = object_article(ctx)
    if art is None:
        return []
    s, e = ctx.span(art)
    text = ctx.flat[s:e]
    out = []
    for name, rx in PHASES:
        m = rx.search(text)
        if m:
            out.append(name)
            ctx.src("phases", s + m.start())
    return out
