"""Report files produced off the request (PDF takes seconds): a task per download asked."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch

from delegations.conventions.models import Avenant, Convention
from delegations.taches.registre import ErreurTache, Suivi, tache

from . import exports
from .donnees import construire, lire_periode


@tache("Rapport au délégant")
def produire_rapport(
    suivi: Suivi, convention_id: int, nature: str, periode: str | None, format: str
) -> dict[str, Any]:
    # The perimeter of the user who asked, checked again when the file is made.
    convention = (
        Convention.objects.visibles_par(suivi.proprietaire)
        .select_related("delegant", "delegataire")
        .prefetch_related(
            "produits",
            "echeancier",
            Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
        )
        .filter(pk=convention_id)
        .first()
    )
    if convention is None:
        raise ErreurTache("Convention introuvable ou hors de votre périmètre.")
    suivi.progresser(0, 2, "Calcul du rapport")
    rapport = construire(convention, nature, lire_periode(periode))
    suivi.progresser(1, 2, f"Mise en forme ({exports.FORMATS[format]})")
    nom = f"{rapport.nom_fichier}.{format}"
    suivi.enregistrer_fichier(nom, exports.exporter(rapport, format))
    return {"fichier": nom, "convention": convention.pk, "nature": rapport.nature}
