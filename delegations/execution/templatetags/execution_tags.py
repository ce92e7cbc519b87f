"""The execution panel of the convention page: situation table, forecast and an inline SVG chart."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

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
    groupe = (LARGEUR - MARGE) / len(annees)
    barre = groupe / (len(SERIES) + 1)
    rects = []
    for i, a in enumerate(annees):
        for j, (cle, libelle, couleur) in enumerate(SERIES):
            h = float(a[cle] / maximum) * (HAUTEUR - 2 * MARGE)
            x = MARGE + i * groupe + j * barre
            rects.append(
                (
                    f"{x:.1f}",
                    f"{HAUTEUR - MARGE - h:.1f}",
                    f"{barre * 0.9:.1f}",
                    f"{h:.1f}",
                    couleur,
                    f"{libelle} {a['annee']} : {a[cle]:.2f} €",
                )
            )
    barres = format_html_join(
        "", '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"><title>{}</title></rect>', rects
    )
    etiquettes = format_html_join(
        "",
        '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>',
        (
            (f"{MARGE + (i + 0.5) * groupe - barre / 2:.1f}", HAUTEUR - 10, a["annee"])
            for i, a in enumerate(annees)
        ),
    )
    legende = format_html_join(
        "",
        '<rect x="{}" y="4" width="10" height="10" fill="{}"></rect>'
        '<text x="{}" y="13" font-size="11">{}</text>',
        ((MARGE + k * 130, c, MARGE + k * 130 + 14, lib) for k, (_, lib, c) in enumerate(SERIES)),
    )
    return format_html(
        '<svg role="img" aria-labelledby="graphique-execution-titre" viewBox="0 0 {} {}" '
        'width="100%" style="max-width:{}px"><title id="graphique-execution-titre">Consommation des '
        'AE et CP par année</title>{}{}{}<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666"></line></svg>',
        LARGEUR,
        HAUTEUR,
        LARGEUR,
        legende,
        barres,
        etiquettes,
        MARGE,
        HAUTEUR - MARGE,
        LARGEUR,
        HAUTEUR - MARGE,
    )


@register.simple_tag
def situation_execution(convention: Any) -> dict[str, Any]:
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
    return {
        **situation,
        "annees": annees,
        "totaux": totaux,
        "graphique": graphique(annees),
        "repartitions": [
            ("Produit", repartition(convention, "produit")),
            ("Titulaire", repartition(convention, "titulaire")),
        ],
    }


@register.simple_tag
def engagements_du_produit(produit: Any, user: Any, limite: int = 50) -> dict[str, Any]:
    """Orders charged to a product, within the user's perimeter, with their total."""
    from django.db.models import Sum

    from delegations.execution.models import Engagement
    from delegations.execution.perimetre import dans_le_perimetre

    qs = dans_le_perimetre(Engagement.objects.filter(produit=produit), user)
    total = qs.aggregate(s=Sum("montant"))["s"] or Decimal("0")
    lignes = list(qs.select_related("convention", "titulaire").order_by("-date", "-id")[:limite])
    return {"lignes": lignes, "total": total, "nombre": qs.count()}
