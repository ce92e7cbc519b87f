"""Indicator trajectories across a product's committees, drawn as server-side inline SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from delegations.produits.models import Produit

from .models import Comite, Dimension, Indicateur, Releve, Resultat, StatutReleve


@dataclass
class Trajectoire:
    nom: str
    unite: str
    dimension: str
    cibles: list[tuple[dt.date, Decimal]] = field(default_factory=list)
    atteints: list[tuple[dt.date, Decimal, Decimal | None]] = field(default_factory=list)

    @property
    def libelle_dimension(self) -> str:
        return (
            Dimension(self.dimension).label
            if self.dimension in Dimension.values
            else self.dimension
        )

    @property
    def svg(self) -> SafeString:
        return svg_trajectoire(self)


def comites_du_produit(produit: Produit) -> list[Comite]:
    """The product's committees, oldest first, with records, indicators and results (4 queries)."""
    indicateurs = Indicateur.objects.prefetch_related(
        Prefetch("resultats", queryset=Resultat.objects.select_related("comite", "indicateur"))
    )
    return list(
        Comite.objects.filter(produit=produit)
        .order_by("date", "id")
        .prefetch_related(
            Prefetch(
                "releves",
                queryset=Releve.objects.prefetch_related(
                    Prefetch("indicateurs", queryset=indicateurs)
                ),
            )
        )
    )


def trajectoires(comites: list[Comite]) -> list[Trajectoire]:
    """Targets of the finalised records and the values reached later, per indicator (matrix order)."""
    par_cle: dict[tuple[str, str, str], Trajectoire] = {}
    for comite in comites:
        releve = comite.releve
        if releve is None or releve.statut != StatutReleve.FINALISE:
            continue
        for ind in releve.indicateurs.all():
            cle = (ind.dimension, ind.nom.strip().lower(), ind.unite.strip().lower())
            traj = par_cle.setdefault(cle, Trajectoire(ind.nom, ind.unite, ind.dimension))
            if ind.cible is not None:
                traj.cibles.append((ind.echeance or comite.date, ind.cible))
            for res in ind.resultats.all():
                traj.atteints.append((res.comite.date, res.valeur, res.pourcentage))
    ordre = {d: i for i, d in enumerate(Dimension.values)}
    resultat = sorted(par_cle.values(), key=lambda t: (ordre.get(t.dimension, 99), t.nom.lower()))
    for traj in resultat:
        traj.cibles.sort()
        traj.atteints.sort()
    return resultat


LARGEUR, HAUTEUR = 560, 200
MARGE_G, MARGE_D, MARGE_H, MARGE_B = 56, 16, 16, 32


def _nombre(valeur: Decimal) -> str:
    texte = f"{valeur:,.2f}".replace(",", "\u202f").replace(".", ",")
    return texte[:-3] if texte.endswith(",00") else texte


def svg_trajectoire(traj: Trajectoire) -> SafeString:
    """A small line chart: dashed line for targets, solid line and dots for values reached."""
    dates = [d for d, _ in traj.cibles] + [d for d, _, _ in traj.atteints]
    valeurs = [v for _, v in traj.cibles] + [v for _, v, _ in traj.atteints]
    titre = f"{traj.nom} ({traj.unite})" if traj.unite else traj.nom
    if not dates:
        return format_html('<p class="fr-text--sm">Aucune valeur pour « {} ».</p>', titre)
    d_min, d_max = min(dates), max(dates)
    etendue = max((d_max - d_min).days, 1)
    v_max = max(max(valeurs), Decimal("0")) or Decimal("1")
    v_min = min(min(valeurs), Decimal("0"))
    hauteur_v = (v_max - v_min) or Decimal("1")
    zone_l, zone_h = LARGEUR - MARGE_G - MARGE_D, HAUTEUR - MARGE_H - MARGE_B

    def x(date: dt.date) -> float:
        if d_min == d_max:
            return MARGE_G + zone_l / 2
        return MARGE_G + zone_l * (date - d_min).days / etendue

    def y(valeur: Decimal) -> float:
        return MARGE_H + zone_h * float((v_max - valeur) / hauteur_v)

    parties = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {LARGEUR} {HAUTEUR}" width="100%" '
        f'role="img" aria-labelledby="t-{id(traj)}" class="trajectoire">',
        f'<title id="t-{id(traj)}">{escape(titre)} : cibles en pointillés, valeurs atteintes en trait plein</title>',
        f'<line x1="{MARGE_G}" y1="{MARGE_H + zone_h}" x2="{LARGEUR - MARGE_D}" y2="{MARGE_H + zone_h}" stroke="#929292"/>',
        f'<line x1="{MARGE_G}" y1="{MARGE_H}" x2="{MARGE_G}" y2="{MARGE_H + zone_h}" stroke="#929292"/>',
        f'<text x="{MARGE_G - 4}" y="{MARGE_H + 4}" text-anchor="end" font-size="11">{escape(_nombre(v_max))}</text>',
        f'<text x="{MARGE_G - 4}" y="{MARGE_H + zone_h}" text-anchor="end" font-size="11">{escape(_nombre(v_min))}</text>',
        f'<text x="{MARGE_G}" y="{HAUTEUR - 8}" font-size="11">{d_min:%m/%Y}</text>',
        f'<text x="{LARGEUR - MARGE_D}" y="{HAUTEUR - 8}" text-anchor="end" font-size="11">{d_max:%m/%Y}</text>',
    ]
    if traj.cibles:
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in traj.cibles)
        parties.append(
            f'<polyline points="{points}" fill="none" stroke="#000091" stroke-width="2" stroke-dasharray="6 4"/>'
        )
        for d, v in traj.cibles:
            parties.append(
                f'<rect x="{x(d) - 4:.1f}" y="{y(v) - 4:.1f}" width="8" height="8" fill="#000091">'
                f"<title>Cible {escape(_nombre(v))} au {d:%d/%m/%Y}</title></rect>"
            )
    if traj.atteints:
        points = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v, _ in traj.atteints)
        parties.append(
            f'<polyline points="{points}" fill="none" stroke="#18753c" stroke-width="2"/>'
        )
        for d, v, pct in traj.atteints:
            detail = f" ({_nombre(pct)} % de la cible)" if pct is not None else ""
            parties.append(
                f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="5" fill="#18753c">'
                f"<title>Atteint {escape(_nombre(v))} au {d:%d/%m/%Y}{escape(detail)}</title></circle>"
            )
    parties.append("</svg>")
    return mark_safe("".join(parties))  # noqa: S308 - every interpolated text is escaped above
