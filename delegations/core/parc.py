"""Uploads parked between the steps of a long work (a dry run, then its confirmation; a file
read by a task): stored on the default storage (local disk or the shared bucket) under a name
of ours in the caller's folder, never in the session, with a small JSON card (owner, the user's
file name — shown, never used to store —, nature, date). A parked file expires after
``IMPORT_DUREE_HEURES`` and is purged (``delegations purger-imports``)."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from .errors import RegleMetierError

if TYPE_CHECKING:
    from .models import User

RACINE = "imports"
"""Every parking folder is ``imports/<use>`` (``delegations purger-imports`` purges them all)."""


@dataclass(frozen=True)
class Parc:
    jeton: str
    nature: str
    nom: str
    proprietaire: int
    depose_le: str
    dossier: str = "imports/execution"

    @property
    def chemin(self) -> str:
        return f"{self.dossier}/{self.jeton}.donnees"

    @property
    def chemin_fiche(self) -> str:
        return f"{self.dossier}/{self.jeton}.json"


def parquer(
    dossier: str, contenu: bytes, nature: str, nom: str, user: User, max_octets: int | None = None
) -> Parc:
    """Park an upload of ``user``; refused beyond ``max_octets`` (``IMPORT_MAX_OCTETS``)."""
    limite = max_octets or settings.IMPORT_MAX_OCTETS
    if len(contenu) > limite:
        raise RegleMetierError(
            "fichier_trop_gros",
            f"Le fichier dépasse {limite // 1_000_000} Mo : découpez-le ({nom[:80]}).",
        )
    purger_expires(dossier)
    parc = Parc(
        uuid.uuid4().hex, nature, nom[:200], int(user.pk), timezone.now().isoformat(), dossier
    )
    default_storage.save(parc.chemin, ContentFile(contenu))
    fiche = {k: getattr(parc, k) for k in ("jeton", "nature", "nom", "proprietaire", "depose_le")}
    default_storage.save(parc.chemin_fiche, ContentFile(json.dumps(fiche).encode()))
    return parc


def _fiche(dossier: str, nom: str) -> Parc:
    with default_storage.open(f"{dossier}/{nom}", "rb") as flux:
        return Parc(**json.loads(flux.read()), dossier=dossier)


def retrouver(dossier: str, jeton: str, user: User) -> tuple[Parc, bytes]:
    """The parked upload of ``user`` (nobody else's), with its content, unless expired."""
    perdu = RegleMetierError(
        "import_expire",
        "Ce dépôt n'est plus disponible (il expire au bout de "
        f"{settings.IMPORT_DUREE_HEURES} heures) : déposez de nouveau le fichier.",
    )
    if not re.fullmatch(r"[0-9a-f]{32}", jeton or ""):
        raise perdu
    if not default_storage.exists(f"{dossier}/{jeton}.json"):
        raise perdu
    parc = _fiche(dossier, f"{jeton}.json")
    if parc.proprietaire != getattr(user, "pk", None) or _expire(parc):
        raise perdu
    with default_storage.open(parc.chemin, "rb") as flux:
        return parc, flux.read()


def _expire(parc: Parc, maintenant: dt.datetime | None = None) -> bool:
    limite = dt.datetime.fromisoformat(parc.depose_le) + dt.timedelta(
        hours=settings.IMPORT_DUREE_HEURES
    )
    return (maintenant or timezone.now()) >= limite


def oublier(parc: Parc) -> None:
    for chemin in (parc.chemin, parc.chemin_fiche):
        if default_storage.exists(chemin):
            default_storage.delete(chemin)


def purger_expires(dossier: str, maintenant: dt.datetime | None = None) -> int:
    """Delete the uploads parked in ``dossier`` for longer than IMPORT_DUREE_HEURES."""
    try:
        _, fichiers = default_storage.listdir(dossier)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    purges = 0
    for nom in fichiers:
        if not nom.endswith(".json"):
            continue
        try:
            parc = _fiche(dossier, nom)
        except (OSError, ValueError, TypeError):
            continue
        if _expire(parc, maintenant):
            oublier(parc)
            purges += 1
    return purges


def purger_tout(maintenant: dt.datetime | None = None) -> int:
    try:
        dossiers, _ = default_storage.listdir(RACINE)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    return sum(purger_expires(f"{RACINE}/{d}", maintenant) for d in dossiers)
