"""Drawing primitives for charts rendered on the server as inline SVG (page and PDF alike).

Shared by the apps that draw charts (execution panel, committee trajectories, reports, stats).
Pure functions, data in and markup out: every element is built with ``format_html``, so every
text and attribute is escaped here and the result is a ``SafeString`` without any ``mark_safe``.
Coordinates: an ``int`` is written as is, a ``float`` with one decimal.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from delegations.core.formats import montant_court

Nombre = Decimal | int | float

# The State's palette (blue France, red Marianne, grey) and the DSFR text colour.
BLEU = "#000091"
ROUGE = "#e1000f"
GRIS = "#666666"
VERT = "#18753c"
ORANGE = "#b34000"
TEXTE = "#161616"
COULEURS = [BLEU, ROUGE, VERT, ORANGE, "#6a6af4", GRIS, "#a558a0", "#009081"]

SVG_NS = "http://www.w3.org/2000/svg"
MESSAGE_VIDE = "Pas encore de données à représenter."

Attribut = str | int | float | None


# --- French labels --------------------------------------------------------------------------


# --- Scales and axes --------------------------------------------------------------------------


def graduations(maximum: float, n: int = 4) -> list[float]:
    """Round ticks from 0 covering ``maximum`` (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    if maximum <= 0:
        return [0.0]
    brut = maximum / n
    puissance = 10 ** len(str(int(brut))) / 10 if brut >= 1 else 1
    pas = next((m * puissance for m in (1, 2, 2.5, 5, 10) if m * puissance >= brut), brut)
    return [i * pas for i in range(int(maximum / pas) + 2) if i * pas <= maximum * 1.0001 + pas]


@dataclass(frozen=True)
class Zone:
    """The drawing area of a chart: the whole picture less its margins."""

    largeur: int
    hauteur: int
    gauche: int
    droite: int
    haut: int
    bas: int

    @property
    def w(self) -> int:
        """Width of the plot area."""
        return self.largeur - self.gauche - self.droite

    @property
    def h(self) -> int:
        """Height of the plot area."""
        return self.hauteur - self.haut - self.bas

    @property
    def x_fin(self) -> int:
        return self.largeur - self.droite

    @property
    def y_base(self) -> int:
        return self.haut + self.h


@dataclass(frozen=True)
class Echelle:
    """Linear scale from the values ``[minimum, maximum]`` to the pixels ``[debut, fin]``.

    For a y axis ``debut`` is the bottom (the value ``minimum``) and ``fin`` the top.
    """

    minimum: float
    maximum: float
    debut: float
    fin: float

    def longueur(self, v: Nombre) -> float:
        """Length in pixels from ``minimum`` to ``v`` (a bar's height)."""
        etendue = self.maximum - self.minimum
        if not etendue:
            return 0.0
        return abs(self.fin - self.debut) * (float(v) - self.minimum) / etendue

    def __call__(self, v: Nombre) -> float:
        etendue = self.maximum - self.minimum
        if not etendue:
            return (self.debut + self.fin) / 2
        return self.debut + (self.fin - self.debut) * (float(v) - self.minimum) / etendue


@dataclass(frozen=True)
class EchelleDates:
    """Linear time scale; a single date sits in the middle."""

    premiere: dt.date
    derniere: dt.date
    debut: float
    fin: float

    def __call__(self, d: dt.date) -> float:
        jours = (self.derniere - self.premiere).days
        if not jours:
            return self.debut + (self.fin - self.debut) / 2
        return self.debut + (self.fin - self.debut) * (d - self.premiere).days / jours


# --- Elements ---------------------------------------------------------------------------------


def _coordonnee(valeur: Attribut) -> str:
    if isinstance(valeur, float):
        return f"{valeur:.1f}"
    return str(valeur)


def element(nom: str, contenu: SafeString | str | None = None, **attributs: Attribut) -> SafeString:
    """``<nom a="…">contenu</nom>`` (or self-closing without content); ``None`` attributes are left
    out, ``font_size`` is written ``font-size``, ``classe`` ``class``."""
    attrs = format_html_join(
        "",
        ' {}="{}"',
        (
            ("class" if cle == "classe" else cle.replace("_", "-"), _coordonnee(valeur))
            for cle, valeur in attributs.items()
            if valeur is not None
        ),
    )
    if contenu is None:
        return format_html("<{}{}/>", nom, attrs)
    return format_html("<{}{}>{}</{}>", nom, attrs, contenu, nom)


def joindre(parties: Iterable[SafeString | str]) -> SafeString:
    """Concatenate markup; anything that is not already safe is escaped."""
    return format_html_join("", "{}", ((p,) for p in parties))


def infobulle(texte: str | None) -> SafeString | None:
    """The accessible ``<title>`` of a mark (shown as a tooltip)."""
    return None if texte is None else element("title", texte)


def texte(
    x: float,
    y: float,
    contenu: str,
    *,
    taille: int | None = None,
    ancre: Literal["start", "middle", "end"] | None = None,
    couleur: str | None = None,
    gras: bool = False,
) -> SafeString:
    return element(
        "text",
        contenu,
        x=x,
        y=y,
        font_size=taille,
        font_weight="bold" if gras else None,
        text_anchor=ancre,
        fill=couleur,
    )


def ligne(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    couleur: str,
    *,
    epaisseur: float | None = None,
    pointilles: str | None = None,
) -> SafeString:
    return element(
        "line",
        x1=x1,
        y1=y1,
        x2=x2,
        y2=y2,
        stroke=couleur,
        stroke_width=epaisseur,
        stroke_dasharray=pointilles,
    )


def rectangle(
    x: float, y: float, largeur: float, hauteur: float, couleur: str, titre: str | None = None
) -> SafeString:
    return element("rect", infobulle(titre), x=x, y=y, width=largeur, height=hauteur, fill=couleur)


def cercle(cx: float, cy: float, r: float, couleur: str, titre: str | None = None) -> SafeString:
    return element("circle", infobulle(titre), cx=cx, cy=cy, r=r, fill=couleur)


def polyligne(
    points: Iterable[tuple[float, float]],
    couleur: str,
    *,
    epaisseur: float = 2,
    pointilles: str | None = None,
    titre: str | None = None,
) -> SafeString:
    """A line through the points (no fill); ``pointilles`` is a dash pattern such as ``"6 4"``."""
    return element(
        "polyline",
        infobulle(titre),
        points=" ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        fill="none",
        stroke=couleur,
        stroke_width=epaisseur,
        stroke_dasharray=pointilles,
    )


# --- Picture, caption, axes, legend -----------------------------------------------------------


def svg(
    largeur: int,
    hauteur: int,
    titre: str,
    contenu: Iterable[SafeString],
    *,
    description: str | None = None,
    identifiant: str | None = None,
    classe: str | None = None,
    style: str | None = None,
) -> SafeString:
    """The ``<svg role="img">`` picture, named by its ``<title>`` (and ``<desc>``) for screen readers.

    ``identifiant`` is the title's id, referenced by ``aria-labelledby``.
    """
    accessible = element("title", titre, id=identifiant)
    if description is not None:
        accessible = joindre([accessible, element("desc", description)])
    return element(
        "svg",
        joindre([accessible, *contenu]),
        xmlns=SVG_NS,
        viewBox=f"0 0 {largeur} {hauteur}",
        width="100%",
        classe=classe,
        role="img",
        aria_labelledby=identifiant,
        style=style,
    )


def intitule(x: float, y: float, titre: str) -> SafeString:
    """The visible caption written above a chart."""
    return texte(x, y, titre, taille=13, couleur=TEXTE, gras=True)


def grille_valeurs(
    ticks: Sequence[float],
    echelle: Echelle,
    x1: float,
    x2: float,
    etiquette: Callable[[float], str] = montant_court,
) -> list[SafeString]:
    """Horizontal grid lines with their labels on the left of ``x1``."""
    parties = []
    for t in ticks:
        y = echelle(t)
        parties.append(ligne(x1, y, x2, y, "#ddd"))
        parties.append(texte(x1 - 6, y + 4, etiquette(t), taille=10, ancre="end", couleur=GRIS))
    return parties


@dataclass(frozen=True)
class EntreeLegende:
    libelle: str
    couleur: str
    pointilles: bool = False


def legende(
    entrees: Sequence[EntreeLegende],
    x: int,
    y: int,
    *,
    colonnes: int = 3,
    pas_x: int = 210,
    pas_y: int = 16,
    symbole: Literal["trait", "carre"] = "trait",
    couleur_texte: str | None = TEXTE,
) -> list[SafeString]:
    """One swatch and label per entry, on a grid of ``colonnes``; ``y`` is the text baseline."""
    parties = []
    for i, entree in enumerate(entrees):
        xi = x + (i % colonnes) * pas_x
        yi = y + (i // colonnes) * pas_y
        if symbole == "trait":
            parties.append(
                ligne(
                    xi,
                    yi - 4,
                    xi + 18,
                    yi - 4,
                    entree.couleur,
                    epaisseur=3,
                    pointilles="5 3" if entree.pointilles else None,
                )
            )
            decalage = 24
        else:
            parties.append(rectangle(xi, yi - 9, 10, 10, entree.couleur))
            decalage = 14
        parties.append(texte(xi + decalage, yi, entree.libelle, taille=11, couleur=couleur_texte))
    return parties


# --- Grouped bars -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SerieBarres:
    libelle: str
    valeurs: Sequence[Nombre]
    couleur: str


def barres_groupees(
    nombre: int,
    series: Sequence[SerieBarres],
    x: float,
    largeur: float,
    echelle: Echelle,
    *,
    titre: Callable[[int, SerieBarres, Nombre], str],
    marge: float = 0.1,
    largeur_barre: float | None = None,
    remplissage: float = 0.92,
) -> tuple[list[list[SafeString]], list[float]]:
    """Vertical bars, ``nombre`` groups side by side with one bar per series in each.

    Each group takes ``largeur / nombre``; its bars start after ``marge`` of it and each takes
    ``largeur_barre`` of it (by default ``1 - 2 * marge`` shared among the series) of which
    ``remplissage`` is drawn. A missing value draws nothing tall (0). Returns the bars of each
    group and the centre of each group's bars, where its label goes.
    """
    if not nombre or not series:
        return [[] for _ in range(nombre)], [
            x + (i + 0.5) * largeur / nombre for i in range(nombre)
        ]
    groupe = largeur / nombre
    barre = (
        groupe * largeur_barre
        if largeur_barre is not None
        else groupe * (1 - 2 * marge) / len(series)
    )
    base = echelle.debut
    groupes: list[list[SafeString]] = []
    centres = []
    for i in range(nombre):
        x0 = x + i * groupe + groupe * marge
        rects = []
        for j, serie in enumerate(series):
            v: Nombre = serie.valeurs[i] if i < len(serie.valeurs) else 0
            hb = echelle.longueur(v)
            rects.append(
                rectangle(
                    x0 + j * barre,
                    base - hb,
                    barre * remplissage,
                    hb,
                    serie.couleur,
                    titre(i, serie, v),
                )
            )
        groupes.append(rects)
        centres.append(x0 + barre * len(series) / 2)
    return groupes, centres


def svg_vide(titre: str, largeur: int = 640) -> SafeString:
    """A chart with nothing to draw: its caption and an explicit message."""
    return svg(
        largeur,
        60,
        titre,
        [intitule(0, 16, titre), texte(0, 42, MESSAGE_VIDE, taille=12, couleur=GRIS)],
        classe="graphique",
        style=f"max-width:{largeur}px;font-family:sans-serif",
    )
