"""Worker processes: claim queued tasks, keep a heartbeat, take back the tasks of dead workers.

Claiming is django-tasks-db's: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL (several
workers on several machines share the queue, each row is taken by one), an exclusive
transaction on SQLite. django-tasks-db leaves the task of a worker killed mid-run "running"
forever; here each worker writes a heartbeat (``Travailleur``) from a thread, and every worker
puts back in the queue the running tasks of workers whose heartbeat stopped (or, on the same
machine, whose process is gone). A task whose effect is one transaction (``atomique``) is then
run again from the start: its half-done work was rolled back with the killed connection.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from .models import Statut, Tache, Travailleur
from .planification import planifier

logger = logging.getLogger(__name__)
HOTE = socket.gethostname()[:255]


def processus_vivant(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reprendre_interrompues(delai: float | None = None) -> int:
    """Put back in the queue the running tasks of dead workers; returns how many were taken.

    A worker is dead when its heartbeat is older than ``delai`` seconds, or when it ran on this
    machine and its process is gone. A task already tried ``TACHES_TENTATIVES`` times fails
    with a French message instead of looping forever.
    """
    delai = settings.TACHES_DELAI_ABANDON if delai is None else delai
    limite = timezone.now() - dt.timedelta(seconds=delai)
    connus = {t.identifiant: t for t in Travailleur.objects.all()}
    morts = {
        t.identifiant
        for t in connus.values()
        if t.battement < limite or (t.hote == HOTE and not processus_vivant(t.pid))
    }
    reprises = 0
    with exclusive_transaction(DBTaskResult.objects.db):
        en_cours = DBTaskResult.objects.running().select_for_update(skip_locked=True)
        for resultat in en_cours:
            dernier = resultat.worker_ids[-1] if resultat.worker_ids else None
            abandonnee = dernier in morts or (
                dernier not in connus
                and (resultat.started_at is None or resultat.started_at < limite)
            )
            if not abandonnee:
                continue
            tache = Tache.objects.filter(pk=resultat.id).first()
            if tache is not None and tache.tentatives >= settings.TACHES_TENTATIVES:
                message = (
                    f"Le traitement a été interrompu {tache.tentatives} fois (arrêt d'un "
                    "processus de traitement) : il n'est plus relancé automatiquement. "
                    "Relancez-le, ou signalez-le à l'équipe technique s'il échoue encore."
                )
                resultat.set_failed(RuntimeError(message))
                Tache.objects.filter(pk=resultat.id).update(
                    statut=Statut.ECHEC, erreur=message, termine_le=timezone.now()
                )
            else:
                resultat.status = "READY"
                resultat.started_at = None
                resultat.save(update_fields=["status", "started_at"])
                Tache.objects.filter(pk=resultat.id).exclude(statut=Statut.TERMINEE).update(
                    statut=Statut.EN_ATTENTE,
                    fait=0,
                    etape="Reprise après l'arrêt d'un processus de traitement",
                )
            reprises += 1
        Travailleur.objects.filter(pk__in=morts).delete()
    if reprises:
        logger.warning("%d traitement(s) interrompu(s) remis dans la file", reprises)
    return reprises


class Battement(threading.Thread):
    """Writes the worker's heartbeat; stops the worker if its parent process is gone."""

    def __init__(self, identifiant: str, parent: int | None) -> None:
        super().__init__(name=f"battement-{identifiant}", daemon=True)
        self.identifiant = identifiant
        self.parent = parent
        self.arret = threading.Event()

    def run(self) -> None:
        try:
            while not self.arret.wait(settings.TACHES_BATTEMENT):
                if self.parent is not None and os.getppid() != self.parent:
                    logger.warning("Processus parent arrêté : arrêt du processus de traitement.")
                    os.kill(os.getpid(), signal.SIGTERM)
                    return
                try:
                    Travailleur.objects.update_or_create(
                        identifiant=self.identifiant,
                        defaults={"hote": HOTE, "pid": os.getpid(), "battement": timezone.now()},
                    )
                except Exception:  # noqa: BLE001 - a missed beat is retried at the next one
                    logger.warning("Signe de vie non écrit", exc_info=True)
                    close_old_connections()
        finally:
            connection.close()


class Travail(Worker):
    """django-tasks-db's worker, plus a heartbeat and the recovery of abandoned tasks."""

    def __init__(self, *, parent: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.parent = parent
        self._derniere_reprise = 0.0

    def run(self) -> None:
        # A worker keeps its database connection between tasks (one connection per process):
        # close_old_connections() then closes it only when it is broken.
        for alias in connections:
            connections[alias].settings_dict["CONN_MAX_AGE"] = None
        if settings.TACHES_PRIORITE:
            # Background work yields the CPU to web processes on a shared machine (the OCR
            # processes and tesseract inherit it).
            os.nice(settings.TACHES_PRIORITE)
        Travailleur.objects.update_or_create(
            identifiant=self.worker_id,
            defaults={"hote": HOTE, "pid": os.getpid(), "battement": timezone.now()},
        )
        battement = Battement(self.worker_id, self.parent)
        battement.start()
        try:
            self._boucle()
        finally:
            battement.arret.set()
            Travailleur.objects.filter(pk=self.worker_id).delete()

    def _reprendre(self) -> None:
        if time.monotonic() - self._derniere_reprise < settings.TACHES_BATTEMENT:
            return
        self._derniere_reprise = time.monotonic()
        try:
            reprendre_interrompues()
            planifier()
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise

    def _boucle(self) -> None:
        logger.info("Processus de traitement %s démarré (%s:%d)", self.worker_id, HOTE, os.getpid())
        while self.running:
            close_old_connections()
            self._reprendre()
            taches = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
            if not self.process_all_queues:
                taches = taches.filter(queue_name__in=self.queue_names)
            obtenue = True
            with exclusive_transaction(taches.db):
                try:
                    resultat = taches.get_locked()
                    if resultat is not None:
                        resultat.claim(self.worker_id)
                except OperationalError as exc:
                    if not is_locked_database_exception(exc):
                        raise
                    resultat, obtenue = None, False
            if resultat is not None:
                self.run_task(resultat)
            if self.batch and obtenue and resultat is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and resultat is None:
                time.sleep(self.interval)


def travailler(
    *,
    intervalle: float = 0.5,
    lot: bool = False,
    max_taches: int | None = None,
    parent: int | None = None,
    configurer_signaux: bool = True,
) -> None:
    travail = Travail(
        queue_names=["*"],
        interval=intervalle,
        batch=lot,
        backend_name="default",
        startup_delay=not lot,
        max_tasks=max_taches,
        worker_id=f"{HOTE[:20]}-{os.getpid()}-{get_random_string(12)}",
        excluded_queue_names=[],
        parent=parent,
    )
    if configurer_signaux:
        travail.configure_signals()
    travail.run()


def commande_travailleur(*options: str) -> list[str]:
    """The command line of one worker process (``delegations worker``)."""
    return [sys.executable, "-m", "delegations.manage", "worker", *options]


class Superviseur:
    """Runs N worker processes, restarts one that dies, stops them all on SIGTERM/SIGINT."""

    def __init__(self, nombre: int, options: list[str]) -> None:
        self.nombre = nombre
        self.options = options
        self.enfants: list[subprocess.Popen[bytes]] = []
        self.arret = False

    def _demarrer(self) -> subprocess.Popen[bytes]:
        return subprocess.Popen(  # noqa: S603 - our own command line
            commande_travailleur(
                "--processes", "1", "--suivre-parent", str(os.getpid()), *self.options
            )
        )

    def _arreter(self, signum: int, frame: Any) -> None:
        self.arret = True
        for enfant in self.enfants:
            if enfant.poll() is None:
                enfant.send_signal(signum)

    def run(self) -> None:
        signal.signal(signal.SIGTERM, self._arreter)
        signal.signal(signal.SIGINT, self._arreter)
        self.enfants = [self._demarrer() for _ in range(self.nombre)]
        while not self.arret and any(e.returncode != 0 for e in self.enfants):
            time.sleep(0.5)
            for i, enfant in enumerate(self.enfants):
                # A worker that ends with 0 has finished (--lot); any other end is a crash.
                if enfant.poll() not in (None, 0) and not self.arret:
                    logger.warning(
                        "Processus de traitement %d arrêté (code %s) : redémarrage.",
                        enfant.pid,
                        enfant.returncode,
                    )
                    time.sleep(1)
                    self.enfants[i] = self._demarrer()
        for enfant in self.enfants:
            try:
                enfant.wait(timeout=settings.TACHES_ARRET_GRACIEUX)
            except subprocess.TimeoutExpired:
                enfant.kill()
                enfant.wait()
