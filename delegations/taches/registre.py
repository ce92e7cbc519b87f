"""How an app declares a task, starts it for a user, and reports progress.

An app declares its tasks in its own module with :func:`tache` and starts them with
:func:`lancer`; ``taches`` imports nothing of theirs (the task's dotted path is stored in the
queue and imported by the worker). Django's tasks API comes from the ``django_tasks`` backport:
on Django 6, ``django_tasks`` becomes ``django.tasks`` in this module only.

    @tache("Lecture d'un document", page_resultat="lecture:revue")
    def lire_document(suivi: Suivi, jeton: str) -> dict[str, Any]:
        suivi.progresser(3, 8, "Lecture de la page 3 sur 8")
        return {...}

    tache = lancer(lire_document, request.user, jeton, libelle="Lecture de c.pdf")
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks.base import Task

from delegations.core.errors import RegleMetierError
from delegations.core.models import User

from .models import Statut, Tache

logger = logging.getLogger(__name__)

MESSAGE_INATTENDU = (
    "Le traitement a échoué à cause d'une erreur inattendue (référence {id}). "
    "L'équipe technique peut la retrouver dans les journaux ; vous pouvez relancer le traitement."
)


class ErreurTache(Exception):
    """A failure whose French message is shown as is to the user who started the task."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Declaration:
    libelle: str
    page_resultat: str | None
    atomique: bool
    # The name of the setting holding the local time ("HH:MM", "" = never) at which the worker
    # queues this task once a day (``planification.planifier``); None: only started on demand.
    chaque_jour: str | None = None
    tache: Task | None = None


# Task dotted path -> what the app declared. Filled at import time of the app's module.
DECLARATIONS: dict[str, Declaration] = {}


def message_francais(exc: BaseException, tache_id: Any) -> str:
    """The message a user reads: business and reading errors carry one; others get a reference."""
    if isinstance(exc, ErreurTache | RegleMetierError):
        return exc.message
    return MESSAGE_INATTENDU.format(id=tache_id)


class Suivi:
    """Handed to the task's function: progress, result file. Progress writes are throttled."""

    INTERVALLE = 0.25  # seconds between two progress writes (the page polls every second)

    def __init__(self, tache: Tache) -> None:
        self.tache = tache
        self._dernier = 0.0

    @property
    def id(self) -> Any:
        return self.tache.pk

    @property
    def proprietaire(self) -> Any:
        return self.tache.proprietaire

    def progresser(self, fait: int, total: int, etape: str = "") -> None:
        maintenant = time.monotonic()
        if fait < total and maintenant - self._dernier < self.INTERVALLE:
            return
        self._dernier = maintenant
        fait = min(fait, total) if total else 0
        Tache.objects.filter(pk=self.tache.pk).update(fait=fait, total=total, etape=etape[:255])
        self.tache.fait, self.tache.total, self.tache.etape = fait, total, etape

    def etape(self, etape: str) -> None:
        Tache.objects.filter(pk=self.tache.pk).update(etape=etape[:255])
        self.tache.etape = etape

    def enregistrer_fichier(self, nom: str, contenu: bytes) -> None:
        """Keep a produced file (report, export) on the default storage, for the owner."""
        tache = self.tache
        tache.fichier.save(nom, ContentFile(contenu), save=False)
        tache.nom_fichier = nom[:255]
        Tache.objects.filter(pk=tache.pk).update(fichier=tache.fichier.name, nom_fichier=nom[:255])


def _executer(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
    """Run by the worker for every declared task: status, progress, result, French error."""
    chemin = context.task_result.task.module_path
    fonction = _FONCTIONS[chemin]
    declaration = DECLARATIONS[chemin]
    tache_id = context.task_result.id
    tache, _ = Tache.objects.select_related("proprietaire").get_or_create(
        pk=tache_id, defaults={"nom": chemin, "libelle": declaration.libelle}
    )
    if tache.statut == Statut.TERMINEE:
        # Its effect and its "terminée" were committed together: a retry changes nothing.
        return tache.resultat
    Tache.objects.filter(pk=tache_id).update(
        statut=Statut.EN_COURS, commence_le=timezone.now(), tentatives=F("tentatives") + 1
    )
    tache.tentatives += 1
    suivi = Suivi(tache)

    def terminer(resultat: Any) -> None:
        Tache.objects.filter(pk=tache_id).update(
            statut=Statut.TERMINEE,
            resultat=resultat,
            termine_le=timezone.now(),
            fait=F("total"),
            erreur="",
        )

    try:
        if declaration.atomique:
            # The effect and the "terminée" mark commit together, or neither does. The row
            # lock serialises two runs of one task (a worker wrongly presumed dead): the
            # second finds it "terminée" and applies nothing.
            with transaction.atomic():
                deja = Tache.objects.select_for_update().values_list("statut", "resultat")
                statut, resultat = deja.get(pk=tache_id)
                if statut == Statut.TERMINEE:
                    return resultat
                resultat = fonction(suivi, *args, **kwargs)
                terminer(resultat)
        else:
            resultat = fonction(suivi, *args, **kwargs)
            terminer(resultat)
    except Exception as exc:
        message = message_francais(exc, tache_id)
        if message.startswith("Le traitement a échoué à cause d'une erreur inattendue"):
            logger.exception("Tâche %s (%s) en échec", tache_id, chemin)
        Tache.objects.filter(pk=tache_id).update(
            statut=Statut.ECHEC, erreur=message, termine_le=timezone.now()
        )
        raise
    return resultat


# Task dotted path -> the app's function, called by _executer with a Suivi.
_FONCTIONS: dict[str, Callable[..., Any]] = {}


def tache(
    libelle: str,
    *,
    page_resultat: str | None = None,
    atomique: bool = False,
    priorite: int = 0,
    chaque_jour: str | None = None,
) -> Callable[[Callable[..., Any]], Task]:
    """Declare a task. ``page_resultat``: URL name taking the task id, where its result is shown.

    ``atomique=True``: the function's database effect commits in one transaction with the
    task's "terminée" mark, so a worker killed mid-way applies nothing and the retry applies
    it once. Long read-only work (OCR) should stay non-atomic and report progress.

    ``chaque_jour="RAPPELS_HEURE"``: the workers queue the task (without arguments, without
    owner) once a day at the local time that setting holds.
    """

    def declarer(fonction: Callable[..., Any]) -> Task:
        def execution(context: TaskContext, *args: Any, **kwargs: Any) -> Any:
            return _executer(context, *args, **kwargs)

        execution.__module__ = fonction.__module__
        execution.__qualname__ = fonction.__qualname__
        execution.__name__ = fonction.__name__
        execution.__doc__ = fonction.__doc__
        tache_django = task(takes_context=True, priority=priorite)(execution)
        DECLARATIONS[tache_django.module_path] = Declaration(
            libelle, page_resultat, atomique, chaque_jour, tache_django
        )
        _FONCTIONS[tache_django.module_path] = fonction
        return tache_django

    return declarer


def lancer(
    tache_django: Task,
    proprietaire: User | None,
    *args: Any,
    libelle: str | None = None,
    cle: str = "",
    **kwargs: Any,
) -> Tache:
    """Queue a task for ``proprietaire``. With a ``cle``, an unfinished task of the same owner
    and key is returned instead of queuing the same work twice (a form posted twice)."""
    declaration = DECLARATIONS[tache_django.module_path]
    with transaction.atomic():
        if cle:
            existante = (
                Tache.objects.actives()
                .filter(cle=cle, proprietaire=proprietaire)
                .order_by("cree_le")
                .first()
            )
            if existante is not None:
                return existante
        # Queued row and Tache commit together: a worker never sees one without the other.
        resultat = tache_django.enqueue(*args, **kwargs)
        return Tache.objects.create(
            pk=uuid.UUID(str(resultat.id)),
            proprietaire=proprietaire if getattr(proprietaire, "is_authenticated", False) else None,
            nom=tache_django.module_path,
            libelle=(libelle or declaration.libelle)[:255],
            cle=cle[:200],
        )


def declaration(tache: Tache) -> Declaration | None:
    return DECLARATIONS.get(tache.nom)
