"""Tasks used by the tests (importable by worker processes started by the tests)."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from django.contrib.auth.models import Group

from delegations.core.errors import RegleMetierError
from delegations.taches.registre import ErreurTache, Suivi, tache


@tache("Compter", atomique=True)
def compter(suivi: Suivi, numero: int, pause: float = 0.0) -> dict[str, Any]:
    """One unique row per task: a second run of the same task would break the constraint."""
    Group.objects.create(name=f"compte-{numero}")
    time.sleep(pause)
    return {"numero": numero, "pid": os.getpid()}


@tache("Écrire des groupes", atomique=True)
def ecrire_groupes(suivi: Suivi, n: int, temoin: str, pause: float) -> dict[str, Any]:
    """Its effect is one transaction; on the first attempt it stops half-way for a while."""
    for i in range(n):
        Group.objects.create(name=f"groupe-{i}")
        if i == 0 and suivi.tache.tentatives == 1:
            Path(temoin).write_text(str(os.getpid()))
            time.sleep(pause)
    return {"groupes": n}


@tache("Progresser", page_resultat="taches:detail")
def progresser(suivi: Suivi, total: int) -> dict[str, Any]:
    for fait in range(1, total + 1):
        suivi.progresser(fait, total, f"Étape {fait} sur {total}")
    suivi.enregistrer_fichier("compte-rendu.txt", b"contenu produit")
    return {"total": total}


@tache("Refuser")
def refuser(suivi: Suivi, genre: str) -> None:
    if genre == "metier":
        raise RegleMetierError("plafond", "Le plafond de 10 000,00 € est dépassé.")
    if genre == "tache":
        raise ErreurTache("Le fichier n'a pas la colonne « montant ».")
    raise ZeroDivisionError("détail technique à ne pas montrer")
