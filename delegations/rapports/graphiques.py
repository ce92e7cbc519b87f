"""Charts of the reports and stats, rendered on the server as inline SVG (page and PDF alike).

Pure functions: data in, SVG markup out (safe; every text is escaped by the primitives of
``delegations.core.graphiques``). Colours follow the State's palette (blue France, red Marianne,
grey).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from delegations.core.formats import montant_court
from delegations.core.graphiques import (
    BLEU,
    COULEURS,
    GRIS,
    ORANGE,
    ROUGE,
    TEXTE,
    VERT,
    Echelle,
    EchelleDates,
    EntreeLegende,
    Nombre,
    SerieBarres,
    Zone,
    graduations,
    grille_valeurs,
    intitule,
    legende,
    ligne,
    polyligne,
    rectangle,
    svg,
    svg_vide,
    texte,
)
from delegations.core.graphiques import barres_groupees as _barres

__all__ = [
    "BLEU",
    "COULEURS",
    "GRIS",
    "ORANGE",
    "ROUGE",
    "VERT",
    "Barre",
    "Nombre",
    "Serie",
    "barres_groupees",
    "barres_horizontales",
    "courbes",
    "vide",
]


@dataclass
class Serie:
    libelle: str
    points: Sequence[tuple[dt.date, Nombre]]
    couleur: str = BLEU
    pointilles: bool = False
    escalier: bool = False  # step line (a schedule changes at a date and stays)


@dataclass
class Barre:
    libelle: str
    valeurs: list[Nombre] = field(default_factory=list)


def _svg(
    largeur: int, hauteur: int, titre: str, description: str, parties: list[SafeString]
) -> SafeString:
    return svg(
        largeur,
        hauteur,
        titre,
        parties,
        description=description or titre,
        classe="graphique",
        style=f"max-width:{largeur}px;font-family:sans-serif",
    )


def _reperes(d0: dt.date, d1: dt.date) -> list[dt.date]:
    """One x tick per year (or per quarter on short spans)."""
    annees = list(range(d0.year, d1.year + 1))
    reperes = [dt.date(a, 1, 1) for a in annees if d0 <= dt.date(a, 1, 1) <= d1]
    if len(reperes) < 2:
        reperes = [
            dt.date(a, m, 1) for a in annees for m in (1, 4, 7, 10) if d0 <= dt.date(a, m, 1) <= d1
        ]
    return reperes


def courbes(
    series: Sequence[Serie],
    titre: str,
    description: str = "",
    largeur: int = 640,
    hauteur: int = 280,
) -> SafeString:
    """Lines over time (amounts on the y axis). Empty data gives an explicit message."""
    tous = [p for s in series for p in s.points]
    if not tous:
        return vide(titre, largeur)
    zone = Zone(largeur, hauteur, gauche=64, droite=16, haut=28, bas=56)
    dates = [d for d, _ in tous]
    d0, d1 = min(dates), max(dates)
    if d0 == d1:
        d1 = d0 + dt.timedelta(days=30)
    vmax = max(max((float(v) for _, v in tous), default=0.0), 1.0)
    ticks = graduations(vmax)
    vmax = max(vmax, ticks[-1])
    px = EchelleDates(d0, d1, zone.gauche, zone.x_fin)
    py = Echelle(0.0, vmax, zone.y_base, zone.haut)

    parties = [intitule(zone.gauche, 16, titre)]
    parties += grille_valeurs(ticks, py, zone.gauche, zone.x_fin)
    for d in _reperes(d0, d1):
        x = px(d)
        parties.append(ligne(x, zone.haut, x, zone.y_base, "#eee"))
        libelle = str(d.year) if d.month == 1 else f"{d.month:02d}/{d.year}"
        parties.append(texte(x, zone.y_base + 14, libelle, taille=10, ancre="middle", couleur=GRIS))
    parties.append(ligne(zone.gauche, zone.y_base, zone.x_fin, zone.y_base, "#999"))
    for s in series:
        if not s.points:
            continue
        pts = sorted(s.points, key=lambda p: p[0])
        coords: list[tuple[float, float]] = []
        for i, (d, v) in enumerate(pts):
            if s.escalier and i:
                coords.append((px(d), py(pts[i - 1][1])))
            coords.append((px(d), py(v)))
        parties.append(
            polyligne(
                coords,
                s.couleur,
                epaisseur=2.5,
                pointilles="6 4" if s.pointilles else None,
                titre=s.libelle,
            )
        )
    parties += legende(
        [EntreeLegende(s.libelle, s.couleur, s.pointilles) for s in series],
        zone.gauche,
        hauteur - 24,
    )
    return _svg(largeur, hauteur, titre, description, parties)


def barres_horizontales(
    elements: Sequence[tuple[str, Nombre]], titre: str, description: str = "", largeur: int = 640
) -> SafeString:
    """One bar per label (e.g. spending split by product)."""
    if not elements or all(float(v) == 0 for _, v in elements):
        return vide(titre, largeur)
    ligne_h, haut, gauche = 24, 30, 180
    hauteur = haut + ligne_h * len(elements) + 10
    vmax = max(float(v) for _, v in elements) or 1.0
    echelle = Echelle(0.0, vmax, gauche, largeur - 110)
    parties = [intitule(0, 16, titre)]
    for i, (libelle, v) in enumerate(elements):
        y = haut + i * ligne_h
        longueur = max(echelle.longueur(v), 1.0)
        court = libelle if len(libelle) <= 28 else libelle[:27] + "…"
        montant = montant_court(v)
        parties += [
            texte(gauche - 8, y + 14, court, taille=11, ancre="end", couleur=TEXTE),
            rectangle(
                gauche,
                y + 2,
                longueur,
                ligne_h - 8,
                COULEURS[i % len(COULEURS)],
                f"{libelle} : {montant}",
            ),
            texte(gauche + longueur + 6, y + 14, montant, taille=11, couleur=GRIS),
        ]
    return _svg(largeur, hauteur, titre, description, parties)


def barres_groupees(
    categories: Sequence[str],
    series: Sequence[tuple[str, Sequence[Nombre]]],
    titre: str,
    description: str = "",
    largeur: int = 640,
    hauteur: int = 260,
    unite: str = "euros",
) -> SafeString:
    """Vertical grouped bars (e.g. delegated vs consumed per year)."""
    if not categories or not series:
        return vide(titre, largeur)
    zone = Zone(largeur, hauteur, gauche=64, droite=16, haut=28, bas=48)
    vmax = max([float(v) for _, vs in series for v in vs] + [1.0])
    ticks = graduations(vmax)
    vmax = max(vmax, ticks[-1])
    py = Echelle(0.0, vmax, zone.y_base, zone.haut)

    def etiquette(v: float) -> str:
        return montant_court(v) if unite == "euros" else f"{v:.0f}"

    colorees = [
        SerieBarres(libelle, valeurs, COULEURS[j % len(COULEURS)])
        for j, (libelle, valeurs) in enumerate(series)
    ]
    barres, centres = _barres(
        len(categories),
        colorees,
        zone.gauche,
        zone.w,
        py,
        titre=lambda i, s, v: f"{s.libelle} {categories[i]} : {etiquette(float(v))}",
    )
    parties = [intitule(zone.gauche, 16, titre)]
    parties += grille_valeurs(ticks, py, zone.gauche, zone.x_fin, etiquette)
    for rects, x, categorie in zip(barres, centres, categories, strict=True):
        parties += rects
        parties.append(
            texte(x, zone.y_base + 14, categorie, taille=10, ancre="middle", couleur=GRIS)
        )
    parties.append(ligne(zone.gauche, zone.y_base, zone.x_fin, zone.y_base, "#999"))
    parties += legende(
        [EntreeLegende(s.libelle, s.couleur) for s in colorees], zone.gauche, hauteur - 12
    )
    return _svg(largeur, hauteur, titre, description, parties)


def vide(titre: str, largeur: int = 640) -> SafeString:
    return svg_vide(titre, largeur)
