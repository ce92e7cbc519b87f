"""Worker processes on PostgreSQL: several share one queue, a killed one loses nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django_tasks_db.models import DBTaskResult

from delegations.taches.models import Statut, Tache, Travailleur
from delegations.taches.registre import lancer

from .taches_essai import compter, ecrire_groupes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]
RACINE = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("processus de traitement concurrents : PostgreSQL seulement (DATABASE_URL)")


def _url_base() -> str:
    """The test database, for worker processes started by the test."""
    d = connection.settings_dict
    auth = d["USER"] + (f":{d['PASSWORD']}" if d.get("PASSWORD") else "")
    return f"postgres://{auth}@{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


@pytest.fixture
def demarrer() -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    processus: list[subprocess.Popen[bytes]] = []

    def lancer_travailleur(*options: str, **env: str) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(  # noqa: S603 - our own command
            [sys.executable, "-m", "delegations.manage", "worker", *options],
            cwd=RACINE,
            env={
                **os.environ,
                "DATABASE_URL": _url_base(),
                "TACHES_BATTEMENT": "1",
                **env,
            },
        )
        processus.append(proc)
        return proc

    yield lancer_travailleur
    for proc in processus:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _attendre(condition: Callable[[], bool], secondes: float, message: str) -> None:
    fin = time.monotonic() + secondes
    while time.monotonic() < fin:
        if condition():
            return
        time.sleep(0.2)
    pytest.fail(message)


def test_two_workers_share_fifty_tasks_and_run_each_exactly_once(finance, demarrer):
    a = demarrer("--intervalle", "0.1")
    b = demarrer("--intervalle", "0.1")
    _attendre(lambda: Travailleur.objects.count() == 2, 240, "les deux processus n'ont pas démarré")
    taches = [lancer(compter, finance, n, 0.05) for n in range(50)]
    _attendre(
        lambda: Tache.objects.filter(statut=Statut.TERMINEE).count() == 50,
        420,
        "les 50 traitements ne sont pas tous terminés",
    )
    for proc in (a, b):
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    assert Group.objects.filter(name__startswith="compte-").count() == 50
    resultats = DBTaskResult.objects.filter(pk__in=[t.pk for t in taches])
    assert {r.status for r in resultats} == {"SUCCESSFUL"}
    # Each task was claimed by one worker, once.
    assert all(len(r.worker_ids) == 1 for r in resultats)
    assert len({r.worker_ids[0] for r in resultats}) == 2
    assert set(Tache.objects.values_list("tentatives", flat=True)) == {1}
    assert not Travailleur.objects.exists()  # a stopped worker removes its heartbeat


def test_a_worker_killed_mid_task_leaves_nothing_applied_and_the_task_runs_again(
    finance, demarrer, tmp_path
):
    temoin = tmp_path / "au-milieu"
    tache = lancer(ecrire_groupes, finance, 3, str(temoin), 120.0)
    premier = demarrer("--intervalle", "0.1")
    _attendre(temoin.exists, 240, "le traitement n'a pas commencé")
    # Half-way through its one transaction: one row written, not committed.
    premier.send_signal(signal.SIGKILL)
    premier.wait()
    assert not Group.objects.filter(name__startswith="groupe-").exists()
    assert DBTaskResult.objects.get(pk=tache.pk).status == "RUNNING"
    # A new worker on the same machine sees the dead process and takes the task back.
    second = demarrer("--intervalle", "0.1", TACHES_DELAI_ABANDON="3600")
    _attendre(
        lambda: Tache.objects.get(pk=tache.pk).statut == Statut.TERMINEE,
        240,
        "le traitement n'a pas été repris",
    )
    second.send_signal(signal.SIGTERM)
    second.wait(timeout=60)
    assert sorted(Group.objects.values_list("name", flat=True)) == [
        "groupe-0",
        "groupe-1",
        "groupe-2",
    ]
    repris: Any = Tache.objects.get(pk=tache.pk)
    assert repris.tentatives == 2
    assert repris.resultat == {"groupes": 3}
    assert len(DBTaskResult.objects.get(pk=tache.pk).worker_ids) == 2


def _port_libre() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _repond(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as reponse:  # noqa: S310 - loopback
            return bool(reponse.status == 200)
    except OSError:
        return False


@pytest.mark.parametrize("sans_worker", [False, True])
def test_serve_starts_one_worker_beside_gunicorn_unless_told_not_to(finance, sans_worker, tmp_path):
    port = _port_libre()
    options = ["--sans-worker"] if sans_worker else []
    serveur = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "delegations.manage", "serve", "--port", str(port), *options],
        cwd=RACINE,
        env={
            **os.environ,
            "DATABASE_URL": _url_base(),
            "WEB_CONCURRENCY": "1",
            "STATIC_ROOT": str(tmp_path / "static"),
        },
    )
    try:
        _attendre(lambda: _repond(f"http://127.0.0.1:{port}/connexion/"), 240, "pas de réponse")
        tache = lancer(compter, finance, 7)
        if sans_worker:
            time.sleep(3)
            assert Tache.objects.get(pk=tache.pk).statut == Statut.EN_ATTENTE
            assert not Travailleur.objects.exists()
        else:
            _attendre(
                lambda: Tache.objects.get(pk=tache.pk).statut == Statut.TERMINEE,
                240,
                "le processus de traitement de « serve » n'a pas exécuté la tâche",
            )
    finally:
        serveur.send_signal(signal.SIGTERM)
        serveur.wait(timeout=60)
    # The worker stops with the server.
    _attendre(lambda: not Travailleur.objects.exists(), 90, "le processus de traitement survit")
