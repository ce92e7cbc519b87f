"""The round trip: documents written from the register, read back by the reader, compared.

Used by the tests (which require every field back) and by ``make bench`` (which prints the
figure: fields recovered / fields written).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from delegations.conventions.models import Avenant, Convention
from delegations.lecture.extraction import extract_file

from .comparaison import Champ, attendu_avenant, attendu_convention, comparer
from .documents import produire_lot


@dataclass
class Bilan:
    format: str
    documents: int = 0
    ecrits: int = 0
    retrouves: int = 0
    moteur: str = ""
    ecarts: list[tuple[str, Champ]] = field(default_factory=list)

    @property
    def taux(self) -> float:
        return 100.0 * self.retrouves / self.ecrits if self.ecrits else 100.0


def aller_retour(cibles: list[tuple[Convention, Avenant | None]], format: str) -> Bilan:
    bilan = Bilan(format)
    produits = produire_lot(cibles, format)
    with tempfile.TemporaryDirectory(prefix="redaction-aller-retour-") as dossier:
        for (convention, avenant), produit in zip(cibles, produits, strict=True):
            chemin = Path(dossier) / produit.nom_fichier
            chemin.write_bytes(produit.contenu)
            lu: dict[str, Any] = extract_file(chemin)
            attendu = attendu_avenant(avenant) if avenant else attendu_convention(convention)
            champs = comparer(attendu, lu)
            bilan.documents += 1
            bilan.ecrits += len(champs)
            bilan.retrouves += sum(c.ok for c in champs)
            bilan.moteur = produit.moteur or bilan.moteur
            bilan.ecarts += [(produit.nom_fichier, c) for c in champs if not c.ok]
    return bilan


def toutes_les_cibles() -> list[tuple[Convention, Avenant | None]]:
    cibles: list[tuple[Convention, Avenant | None]] = []
    qs = Convention.objects.select_related("delegant", "delegataire").prefetch_related(
        "produits", "echeancier", "avenants__lignes"
    )
    for convention in qs.order_by("pk"):
        cibles.append((convention, None))
        cibles += [(convention, a) for a in convention.avenants_ordonnes()]
    return cibles
