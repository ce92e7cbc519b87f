"""Obligations follow each convention: created with it, due dates filled once its dates are
known, the obligation to publish closed by the publication."""

from __future__ import annotations

from typing import Any

from .ecriture import completer_echeances, creer_obligations_standard, fermer_obligation_publication


def obligations_de_la_convention(
    sender: Any, instance: Any, created: bool, raw: bool = False, **kwargs: Any
) -> None:
    if raw:  # fixtures load rows as they are
        return
    if created:
        creer_obligations_standard(instance)
        return
    if instance.date_prise_effet:
        completer_echeances(instance)
    fermer_obligation_publication(instance)
