"""Indicator trajectories across a product's committees, drawn as server-side inline SVG."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.html import format_html
from django.utils.safestring import SafeString

from delegations.core.formats import nombre_fr
from delegations.core.graphiques import (
    BLEU,
    VERT,
    Echelle,
    EchelleDates,
    Zone,
    cercle,
    ligne,
    polyligne,
    rectangle,
    svg,
    texte,
)
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
GRIS_AXE = "#929292"


def svg_trajectoire(traj: Trajectoire) -> SafeString:
    """A small line chart: dashed line for targets, solid line and dots for values reached."""
    dates = [d for d, _ in traj.cibles] + [d for d, _, _ in traj.atteints]
    valeurs = [v for _, v in traj.cibles] + [v for _, v, _ in traj.atteints]
    titre = f"{traj.nom} ({traj.unite})" if traj.unite else traj.nom
    if not dates:
        return format_html('<p class="fr-text--sm">Aucune valeur pour « {} ».</p>', titre)
    d_min, d_max = min(dates), max(dates)
    v_max = max(max(valeurs), Decimal("0")) or Decimal("1")
    v_min = min(min(valeurs), Decimal("0"))
    zone = Zone(LARGEUR, HAUTEUR, MARGE_G, MARGE_D, MARGE_H, MARGE_B)
    x = EchelleDates(d_min, d_max, zone.gauche, zone.x_fin)
    y = Echelle(float(v_min), float(v_max), zone.y_base, zone.haut)

    parties = [
        ligne(zone.gauche, zone.y_base, zone.x_fin, zone.y_base, GRIS_AXE),
        ligne(zone.gauche, zone.haut, zone.gauche, zone.y_base, GRIS_AXE),
        texte(zone.gauche - 4, zone.haut + 4, nombre_fr(v_max), taille=11, ancre="end"),
        texte(zone.gauche - 4, zone.y_base, nombre_fr(v_min), taille=11, ancre="end"),
        texte(zone.gauche, HAUTEUR - 8, f"{d_min:%m/%Y}", taille=11),
        texte(zone.x_fin, HAUTEUR - 8, f"{d_max:%m/%Y}", taille=11, ancre="end"),
    ]
    if traj.cibles:
        parties.append(polyligne([(x(d), y(v)) for d, v in traj.cibles], BLEU, pointilles="6 4"))
        for d, v in traj.cibles:
            parties.append(
                rectangle(x(d) - 4, y(v) - 4, 8, 8, BLEU, f"Cible {nombre_fr(v)} au {d:%d/%m/%Y}")
            )
    if traj.atteints:
        parties.append(polyligne([(x(d), y(v)) for d, v, _ in traj.atteints], VERT))
        for d, v, pct in traj.atteints:
            detail = f" ({nombre_fr(pct)} % de la cible)" if pct is not None else ""
            parties.append(
                cercle(x(d), y(v), 5, VERT, f"Atteint {nombre_fr(v)} au {d:%d/%m/%Y}{detail}")
            )
    return svg(
        LARGEUR,
        HAUTEUR,
        f"{titre} : cibles en pointillés, valeurs atteintes en trait plein",
        parties,
        identifiant=f"t-{id(traj)}",
        classe="trajectoire",
    )
