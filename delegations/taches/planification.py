"""Daily tasks: each worker, at every heartbeat, queues the daily tasks whose time has come
today (Paris time) and that no worker has queued yet today. A unique row per (task, day) makes
it safe with several workers on several machines: one insert wins, the others give up.

An app declares a daily task with ``@tache(..., chaque_jour="SETTING")`` where the setting holds
the local time ("HH:MM"); an empty setting switches it off (``.env.example`` lists them)."""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import Planification
from .registre import DECLARATIONS, lancer

logger = logging.getLogger(__name__)


def heure(nom_reglage: str) -> dt.time | None:
    valeur = str(getattr(settings, nom_reglage, "") or "").strip()
    if not valeur:
        return None
    try:
        return dt.time.fromisoformat(valeur)
    except ValueError:
        logger.warning(
            "%s=%r n'est pas une heure HH:MM : tâche quotidienne ignorée.", nom_reglage, valeur
        )
        return None


def planifier(maintenant: dt.datetime | None = None) -> list[str]:
    """Queue today's due daily tasks not queued yet; returns their dotted paths."""
    local = timezone.localtime(maintenant or timezone.now())
    lancees = []
    for nom, declaration in sorted(DECLARATIONS.items()):
        if declaration.chaque_jour is None or declaration.tache is None:
            continue
        a = heure(declaration.chaque_jour)
        if a is None or local.time() < a:
            continue
        if Planification.objects.filter(nom=nom, jour=local.date()).exists():
            continue
        try:
            with transaction.atomic():
                planification = Planification.objects.create(nom=nom, jour=local.date())
                planification.tache = lancer(
                    declaration.tache,
                    None,
                    libelle=f"{declaration.libelle} du {local.date():%d/%m/%Y}",
                )
                planification.save(update_fields=["tache"])
        except IntegrityError:
            continue  # another worker queued it first
        lancees.append(nom)
    return lancees
