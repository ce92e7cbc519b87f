"""The task the queue benchmark runs (``bench.py``): importable by worker processes."""

from __future__ import annotations

from .registre import Suivi, tache


@tache("Banc : traitement vide")
def tache_vide(suivi: Suivi, numero: int) -> int:
    """The smallest task: measures the queue itself (claim, run, record, Tache row)."""
    return numero
