"""Each signed amendment owes a copy to the CBCM: an obligation follows it (closed on sending)."""

from __future__ import annotations

from typing import Any

from delegations.comites.models import Obligation
from delegations.core.models import User


def code_obligation_cbcm(numero_avenant: int | None) -> str:
    """The convention's standard obligation, or the one of an amendment."""
    return "copie_cbcm" if numero_avenant is None else f"copie_cbcm_avenant_{numero_avenant}"


def obligation_copie_avenant(sender: Any, avenant: Any, user: User, **kwargs: Any) -> None:
    Obligation.objects.get_or_create(
        convention_id=avenant.convention_id,
        code=code_obligation_cbcm(avenant.numero),
        defaults={
            "libelle": f"Copie de l'avenant n° {avenant.numero} signé transmise au CBCM",
            "responsable": "DINUM",
            "ordre": 15,
        },
    )
