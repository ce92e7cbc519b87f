"""The execution panel of the convention page: situation table, forecast and an inline SVG chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.safestring import SafeString

from delegations.conventions.models import Statut
from delegations.core.acces import Utilisateur
from delegations.core.graphiques import (
    Echelle,
    EntreeLegende,
    SerieBarres,
    barres_groupees,
    legende,
    ligne,
    svg,
    texte,
)
from delegations.execution import cloture
from delegations.execution.situation import repartition, situation_convention, taux

register = template.Library()

LARGEUR, HAUTEUR, MARGE = 640, 220, 30
SERIES = [
    ("ae_prevu", "AE prévues", "#cacafb"),
    ("ae_engage", "AE engagées", "#000091"),
    ("cp_prevu", "CP prévus", "#fcc63a"),
    ("cp_paye", "CP payés", "#c3992a"),
]


def graphique(annees: list[dict[str, Any]]) -> SafeString:
    """Grouped bars per year (server-rendered SVG, no JavaScript)."""
    if not annees:
        return SafeString("")
    maximum = max((a[c] for a in annees for c, _, _ in SERIES), default=Decimal(0)) or Decimal(1)
    series = [
        SerieBarres(libelle, [a[cle] for a in annees], couleur) for cle, libelle, couleur in SERIES
    ]
    barres, centres = barres_groupees(
        len(annees),
        series,
        MARGE,
        LARGEUR - MARGE,
        Echelle(0, float(maximum), HAUTEUR - MARGE, MARGE),
        titre=lambda i, s, v: f"{s.libelle} {annees[i]['annee']} : {v:.2f} €",
        marge=0,
        largeur_barre=1 / (len(SERIES) + 1),
        remplissage=0.9,
    )
    legende_series = legende(
        [EntreeLegende(s.libelle, s.couleur) for s in series],
        MARGE,
        13,
        colonnes=len(series),
        pas_x=130,
        symbole="carre",
        couleur_texte=None,
    )
    etiquettes = [
        texte(x, HAUTEUR - 10, str(a["annee"]), taille=12, ancre="middle")
        for x, a in zip(centres, annees, strict=True)
    ]
    return svg(
        LARGEUR,
        HAUTEUR,
        "Consommation des AE et CP par année",
        [
            *legende_series,
            *(rect for groupe in barres for rect in groupe),
            *etiquettes,
            ligne(MARGE, HAUTEUR - MARGE, LARGEUR, HAUTEUR - MARGE, "#666"),
        ],
        identifiant="graphique-execution-titre",
        style=f"max-width:{LARGEUR}px",
    )


@register.simple_tag
def resume_execution(convention: Any) -> dict[str, Any]:
    """The convention's situation by year and its totals, without the breakdowns and the chart:
    what the summary tile at the top of the convention page shows (the panel, loaded on demand,
    adds the rest)."""
    situation = situation_convention(convention)
    annees = [
        dict(
            a,
            taux_ae=taux(a["ae_engage"], a["ae_prevu"]),
            taux_cp=taux(a["cp_paye"], a["cp_prevu"]),
        )
        for a in situation["annees"]
    ]
    totaux = {
        c: sum((a[c] for a in annees), Decimal("0.00"))
        for c in (
            "ae_prevu",
            "ae_disponible",
            "ae_engage",
            "ae_restant",
            "cp_prevu",
            "cp_disponible",
            "cp_paye",
            "cp_restant",
        )
    }
    totaux["taux_ae"] = taux(totaux["ae_engage"], totaux["ae_prevu"])
    totaux["taux_cp"] = taux(totaux["cp_paye"], totaux["cp_prevu"])
    return {**situation, "annees": annees, "totaux": totaux}


@register.simple_tag
def situation_execution(convention: Any) -> dict[str, Any]:
    """The convention's situation for its execution panel: the summary's figures, the chart and
    the breakdowns by product and by contractor."""
    resume = resume_execution(convention)
    return {
        **resume,
        "graphique": graphique(resume["annees"]),
        "repartitions": [
            ("Produit", repartition(convention, "produit")),
            ("Titulaire", repartition(convention, "titulaire")),
        ],
    }


@register.simple_tag
def engagements_du_produit(produit: Any, user: Utilisateur, limite: int = 50) -> dict[str, Any]:
    """Orders charged to a product, within the user's perimeter, with their total."""
    from django.db.models import Sum

    from delegations.execution.models import Engagement
    from delegations.execution.perimetre import dans_le_perimetre

    qs = dans_le_perimetre(Engagement.objects.filter(produit=produit), user)
    total = qs.aggregate(s=Sum("montant"))["s"] or Decimal("0")
    lignes = list(qs.select_related("convention", "titulaire").order_by("-date", "-id")[:limite])
    return {"lignes": lignes, "total": total, "nombre": qs.count()}


@register.simple_tag
def fin_de_convention(convention: Any) -> dict[str, Any]:
    """The end of the convention on its page: open orders once the end is reached (notice,
    « Terminer », period over), closing offered once the period is over, final balance after."""
    cloturee = convention.statut == Statut.CLOTUREE
    montrer = cloturee or cloture.fin_atteinte(convention)
    if not montrer:
        return {"montrer": False}
    return {
        "montrer": True,
        "cloturee": cloturee,
        "cloturable": not cloturee and convention.periode_terminee(),
        "ouvertes": cloture.commandes_ouvertes(convention),
        "bilan": cloture.bilan_final(convention) if cloturee else [],
    }
