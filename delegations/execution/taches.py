"""Tasks of the execution app: imports of orders and payments run off the request."""

from __future__ import annotations

from typing import Any

from delegations.core.errors import RegleMetierError
from delegations.core.models import User
from delegations.taches.models import Tache
from delegations.taches.registre import ErreurTache, Suivi, lancer, tache

from . import importation


def _progression(suivi: Suivi, verbe: str) -> Any:
    def progresser(fait: int, total: int) -> None:
        suivi.progresser(fait, total, f"{verbe} la ligne {fait + 1} sur {total}")

    return progresser


def _lire(suivi: Suivi, jeton: str) -> tuple[importation.Parc, list[dict[str, str]]]:
    suivi.etape("Lecture du fichier")
    try:
        parc, contenu = importation.retrouver(jeton, suivi.proprietaire)
        return parc, importation.lire(parc.nature, parc.nom, contenu)
    except RegleMetierError as exc:
        raise ErreurTache(exc.message) from exc


@tache("Simulation d'un import", page_resultat="execution:import_simulation")
def simuler_import(suivi: Suivi, jeton: str) -> dict[str, Any]:
    """Dry run: every row through the rules, everything rolled back; the report is the result."""
    parc, lignes = _lire(suivi, jeton)
    rapport = importation.traiter(
        parc.nature,
        lignes,
        suivi.proprietaire,
        appliquer=False,
        progression=_progression(suivi, "Vérification de"),
    )
    return {**importation.rapport_en_donnees(rapport), "jeton": jeton, "nom": parc.nom}


@tache("Import de bons de commande ou de paiements", page_resultat="execution:import_resultat",
       atomique=True)  # fmt: skip
def appliquer_import(suivi: Suivi, jeton: str, seulement_valides: bool) -> dict[str, Any]:
    """The real run: all or nothing (or the valid rows only), once, with the task's « terminée »."""
    parc, lignes = _lire(suivi, jeton)
    rapport = importation.traiter(
        parc.nature,
        lignes,
        suivi.proprietaire,
        appliquer=True,
        seulement_valides=seulement_valides,
        progression=_progression(suivi, "Enregistrement de"),
    )
    if rapport.ecrit:
        importation.oublier(parc)
    return {**importation.rapport_en_donnees(rapport), "jeton": jeton, "nom": parc.nom}


def lancer_simulation(parc: importation.Parc, user: User) -> Tache:
    return lancer(
        simuler_import, user, parc.jeton, libelle=f"Simulation de l'import de {parc.nom}"[:255]
    )


def lancer_import(jeton: str, seulement_valides: bool, user: User, nom: str) -> Tache:
    """Queue the real run (a confirmation posted twice queues it once)."""
    return lancer(
        appliquer_import,
        user,
        jeton,
        seulement_valides,
        libelle=f"Import de {nom}"[:255],
        cle=f"import-execution:{jeton}",
    )
