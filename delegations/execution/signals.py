"""Execution follows the register: an amendment resumes an execution suspended for lack of credits."""

from __future__ import annotations

from typing import Any

from delegations.core.models import User

from .mouvements import reprendre_si_suspendue_faute_de_credits


def reprise_apres_avenant(sender: Any, avenant: Any, user: User, **kwargs: Any) -> None:
    reprendre_si_suspendue_faute_de_credits(
        avenant.convention, user, f"l'avenant n° {avenant.numero}"
    )
