"""Charts rendered on the server as inline SVG, so they show in the page and in the PDF alike.

Pure functions: data in, SVG markup out (marked safe; every text is escaped here).
Colours follow the State's palette (blue France, red Marianne, grey).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from html import escape

from django.utils.safestring import SafeString, mark_safe

BLEU = "#000091"
ROUGE = "#e1000f"
GRIS = "#666666"
VERT = "#18753c"
ORANGE = "#b34000"
COULEURS = [BLEU, ROUGE, VERT, ORANGE, "#6a6af4", GRIS, "#a558a0", "#009081"]

Nombre = Decimal | int | float


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


def _f(x: Nombre) -> float:
    return float(x)


def _montant_court(v: float) -> str:
    """Axis labels: 1,2 M€ / 350 k€ / 900 €."""
    a = abs(v)
    if a >= 1_000_000:
        texte = f"{v / 1_000_000:.1f}".rstrip("0").rstrip(".") + " M€"
    elif a >= 1_000:
        texte = f"{v / 1_000:.0f} k€"
    else:
        texte = f"{v:.0f} €"
    return texte.replace(".", ",")


def _graduations(maximum: float, n: int = 4) -> list[float]:
    if maximum <= 0:
        return [0.0]
    brut = maximum / n
    puissance = 10 ** len(str(int(brut))) / 10 if brut >= 1 else 1
    pas = next((m * puissance for m in (1, 2, 2.5, 5, 10) if m * puissance >= brut), brut)
    return [i * pas for i in range(int(maximum / pas) + 2) if i * pas <= maximum * 1.0001 + pas]


def _entete(largeur: int, hauteur: int, titre: str, description: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} {hauteur}" width="100%" '
        f'class="graphique" role="img" style="max-width:{largeur}px;font-family:sans-serif">',
        f"<title>{escape(titre)}</title><desc>{escape(description)}</desc>",
    ]


def _legende(series: Sequence[tuple[str, str, bool]], x: int, y: int) -> list[str]:
    parties = []
    for i, (libelle, couleur, pointilles) in enumerate(series):
        xi = x + (i % 3) * 210
        yi = y + (i // 3) * 16
        trait = ' stroke-dasharray="5 3"' if pointilles else ""
        parties.append(
            f'<line x1="{xi}" y1="{yi - 4}" x2="{xi + 18}" y2="{yi - 4}" stroke="{couleur}" stroke-width="3"{trait}/>'
            f'<text x="{xi + 24}" y="{yi}" font-size="11" fill="#161616">{escape(libelle)}</text>'
        )
    return parties


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
    gauche, droite, haut, bas = 64, 16, 28, 56
    dates = [d for d, _ in tous]
    d0, d1 = min(dates), max(dates)
    if d0 == d1:
        d1 = d0 + dt.timedelta(days=30)
    vmax = max(max((_f(v) for _, v in tous), default=0.0), 1.0)
    ticks = _graduations(vmax)
    vmax = max(vmax, ticks[-1])
    w, h = largeur - gauche - droite, hauteur - haut - bas

    def px(d: dt.date) -> float:
        return gauche + w * (d - d0).days / (d1 - d0).days

    def py(v: Nombre) -> float:
        return haut + h - h * _f(v) / vmax

    out = _entete(largeur, hauteur, titre, description or titre)
    out.append(
        f'<text x="{gauche}" y="16" font-size="13" font-weight="bold" fill="#161616">{escape(titre)}</text>'
    )
    for t in ticks:
        y = py(t)
        out.append(
            f'<line x1="{gauche}" y1="{y:.1f}" x2="{largeur - droite}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{gauche - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{GRIS}">{_montant_court(t)}</text>'
        )
    # One x tick per year (or per quarter on short spans).
    annees = list(range(d0.year, d1.year + 1))
    reperes = [dt.date(a, 1, 1) for a in annees if d0 <= dt.date(a, 1, 1) <= d1]
    if len(reperes) < 2:
        reperes = [
            dt.date(a, m, 1) for a in annees for m in (1, 4, 7, 10) if d0 <= dt.date(a, m, 1) <= d1
        ]
    for d in reperes:
        x = px(d)
        libelle = str(d.year) if d.month == 1 else f"{d.month:02d}/{d.year}"
        out.append(
            f'<line x1="{x:.1f}" y1="{haut}" x2="{x:.1f}" y2="{haut + h}" stroke="#eee"/>'
            f'<text x="{x:.1f}" y="{haut + h + 14}" font-size="10" text-anchor="middle" fill="{GRIS}">{libelle}</text>'
        )
    out.append(
        f'<line x1="{gauche}" y1="{haut + h}" x2="{largeur - droite}" y2="{haut + h}" stroke="#999"/>'
    )
    for s in series:
        if not s.points:
            continue
        pts = sorted(s.points, key=lambda p: p[0])
        coords: list[str] = []
        for i, (d, v) in enumerate(pts):
            if s.escalier and i:
                coords.append(f"{px(d):.1f},{py(pts[i - 1][1]):.1f}")
            coords.append(f"{px(d):.1f},{py(v):.1f}")
        trait = ' stroke-dasharray="6 4"' if s.pointilles else ""
        out.append(
            f'<polyline fill="none" stroke="{s.couleur}" stroke-width="2.5"{trait} points="{" ".join(coords)}">'
            f"<title>{escape(s.libelle)}</title></polyline>"
        )
    out.extend(
        _legende([(s.libelle, s.couleur, s.pointilles) for s in series], gauche, hauteur - 24)
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def barres_horizontales(
    elements: Sequence[tuple[str, Nombre]], titre: str, description: str = "", largeur: int = 640
) -> SafeString:
    """One bar per label (e.g. spending split by product)."""
    if not elements or all(_f(v) == 0 for _, v in elements):
        return vide(titre, largeur)
    ligne, haut, gauche = 24, 30, 180
    hauteur = haut + ligne * len(elements) + 10
    vmax = max(_f(v) for _, v in elements) or 1.0
    w = largeur - gauche - 110
    out = _entete(largeur, hauteur, titre, description or titre)
    out.append(
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#161616">{escape(titre)}</text>'
    )
    for i, (libelle, v) in enumerate(elements):
        y = haut + i * ligne
        longueur = max(w * _f(v) / vmax, 1.0)
        court = libelle if len(libelle) <= 28 else libelle[:27] + "…"
        out.append(
            f'<text x="{gauche - 8}" y="{y + 14}" font-size="11" text-anchor="end" fill="#161616">{escape(court)}</text>'
            f'<rect x="{gauche}" y="{y + 2}" width="{longueur:.1f}" height="{ligne - 8}" fill="{COULEURS[i % len(COULEURS)]}">'
            f"<title>{escape(libelle)} : {_montant_court(_f(v))}</title></rect>"
            f'<text x="{gauche + longueur + 6:.1f}" y="{y + 14}" font-size="11" fill="{GRIS}">{_montant_court(_f(v))}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


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
    gauche, droite, haut, bas = 64, 16, 28, 48
    w, h = largeur - gauche - droite, hauteur - haut - bas
    vmax = max([_f(v) for _, vs in series for v in vs] + [1.0])
    ticks = _graduations(vmax)
    vmax = max(vmax, ticks[-1])

    def etiquette(v: float) -> str:
        return _montant_court(v) if unite == "euros" else f"{v:.0f}"

    out = _entete(largeur, hauteur, titre, description or titre)
    out.append(
        f'<text x="{gauche}" y="16" font-size="13" font-weight="bold" fill="#161616">{escape(titre)}</text>'
    )
    for t in ticks:
        y = haut + h - h * t / vmax
        out.append(
            f'<line x1="{gauche}" y1="{y:.1f}" x2="{largeur - droite}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{gauche - 6}" y="{y + 4:.1f}" font-size="10" text-anchor="end" fill="{GRIS}">{etiquette(t)}</text>'
        )
    groupe = w / len(categories)
    barre = groupe * 0.8 / len(series)
    for i, categorie in enumerate(categories):
        x0 = gauche + i * groupe + groupe * 0.1
        for j, (libelle, valeurs) in enumerate(series):
            v = _f(valeurs[i]) if i < len(valeurs) else 0.0
            hb = h * v / vmax
            out.append(
                f'<rect x="{x0 + j * barre:.1f}" y="{haut + h - hb:.1f}" width="{barre * 0.92:.1f}" height="{hb:.1f}" '
                f'fill="{COULEURS[j % len(COULEURS)]}"><title>{escape(libelle)} {escape(categorie)} : {etiquette(v)}</title></rect>'
            )
        out.append(
            f'<text x="{x0 + groupe * 0.4:.1f}" y="{haut + h + 14}" font-size="10" text-anchor="middle" fill="{GRIS}">{escape(categorie)}</text>'
        )
    out.append(
        f'<line x1="{gauche}" y1="{haut + h}" x2="{largeur - droite}" y2="{haut + h}" stroke="#999"/>'
    )
    out.extend(
        _legende(
            [
                (libelle, COULEURS[j % len(COULEURS)], False)
                for j, (libelle, _) in enumerate(series)
            ],
            gauche,
            hauteur - 12,
        )
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def vide(titre: str, largeur: int = 640) -> SafeString:
    return mark_safe(  # noqa: S308 - escaped
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {largeur} 60" width="100%" class="graphique" role="img" '
        f'style="max-width:{largeur}px;font-family:sans-serif"><title>{escape(titre)}</title>'
        f'<text x="0" y="16" font-size="13" font-weight="bold" fill="#161616">{escape(titre)}</text>'
        f'<text x="0" y="42" font-size="12" fill="{GRIS}">Pas encore de données à représenter.</text></svg>'
    )
