"""Benchmark of long work off the request (``make bench`` calls ``run()``; figures printed).

It never touches the development database: on PostgreSQL (BENCH_DATABASE_URL or DATABASE_URL)
it creates ``delegations_bench_taches``, runs a child process on it and drops it; otherwise a
temporary SQLite file. The child starts ``delegations serve`` (gunicorn + one worker, as
``make run``) and measures:

- the time from the upload of the corpus's 8-page scan to its review payload (API: 202, then
  polling the task), with LECTURE_PROCESSUS=2 (target ≤ 10 s);
- the answer time of ``POST /api/v1/conventions/import`` while that OCR runs (p95, target
  ≤ 200 ms);
- tasks per second through the queue with 4 worker processes (BENCH_TACHES tasks, 400).

BENCH_TACHES_SCAN=0 skips the scan. Workers run at TACHES_PRIORITE (nice 5 by default): on a
machine busy with other work, set TACHES_PRIORITE=0 to measure the queue rather than the
scheduler.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

NOM_BASE = os.environ.get("BENCH_BASE_TACHES", "delegations_bench_taches")
RACINE = Path(__file__).resolve().parents[2]
SCAN = RACINE.parent / "shared" / "corpus" / "rendered" / "2021-menjs-classe-a-12.scan.pdf"


def run() -> None:
    print("== Traitements longs (file de tâches) ==", flush=True)
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        print("PostgreSQL absent (BENCH_DATABASE_URL) : mesures sur SQLite.", flush=True)
        with tempfile.TemporaryDirectory() as dossier:
            _enfant(f"sqlite:///{dossier}/bench.sqlite3", dossier)
        return
    parties = urlsplit(url.replace("pgsql://", "postgresql://"))
    bench_url = urlunsplit(parties._replace(path=f"/{NOM_BASE}"))
    maintenance = urlunsplit(parties._replace(path="/postgres"))
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {NOM_BASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {NOM_BASE}")
    try:
        with tempfile.TemporaryDirectory() as dossier:
            _enfant(bench_url, dossier)
    finally:
        with psycopg.connect(maintenance, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {NOM_BASE} WITH (FORCE)")


def _enfant(database_url: str, dossier: str) -> None:
    env = dict(
        os.environ,
        DATABASE_URL=database_url,
        MEDIA_ROOT=f"{dossier}/media",
        STATIC_ROOT=f"{dossier}/static",
        LECTURE_PROCESSUS=os.environ.get("LECTURE_PROCESSUS", "2"),
    )
    env.pop("STOCKAGE_S3_BUCKET", None)
    subprocess.run([sys.executable, "-m", "delegations.taches.bench"], env=env, check=False)


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _p95(valeurs: list[float]) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(round(0.95 * (len(valeurs) - 1))))]


def _mesurer_lecture(jeton: str) -> None:
    import requests

    if not SCAN.exists():
        print(f"Corpus absent ({SCAN}) : lecture du scan non mesurée.", flush=True)
        return
    port = _port_libre()
    serveur = subprocess.Popen(  # noqa: S603 - our own command
        [sys.executable, "-m", "delegations.manage", "serve", "--port", str(port)],
        env=dict(os.environ, WEB_CONCURRENCY="2"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    entetes = {"Authorization": f"Token {jeton}"}
    try:
        for _ in range(240):
            try:
                if requests.get(f"{base}/connexion/", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        time.sleep(3)  # the worker beside gunicorn boots too

        def deposer_petit(n: int) -> float:
            contenu = f"Convention fictive de banc numéro {n} {time.time()}\n".encode()
            t0 = time.perf_counter()
            requests.post(
                f"{base}/api/v1/conventions/import",
                files={"fichier": (f"banc-{n}.txt", contenu, "text/plain")},
                headers=entetes,
                timeout=30,
            )
            return time.perf_counter() - t0

        repos = [deposer_petit(-n) for n in range(1, 21)]
        print(
            f"POST /api/v1/conventions/import sans OCR en cours : médiane "
            f"{statistics.median(repos) * 1000:.0f} ms, p95 {_p95(repos) * 1000:.0f} ms",
            flush=True,
        )
        debut = time.perf_counter()
        with SCAN.open("rb") as fichier:
            depot = requests.post(
                f"{base}/api/v1/conventions/import",
                files={"fichier": (SCAN.name, fichier, "application/pdf")},
                headers=entetes,
                timeout=30,
            )
        reponse_depot = time.perf_counter() - debut
        if depot.status_code != 202:
            print(f"Dépôt refusé ({depot.status_code}) : {depot.text[:200]}", flush=True)
            return
        suivi = depot.json()["tache"]
        temps_api: list[float] = []
        fini = threading.Event()

        def deposer_pendant_l_ocr() -> None:
            # Small documents posted while the scan is read: each answer must stay fast.
            n = 0
            while not fini.is_set():
                n += 1
                temps_api.append(deposer_petit(n))
                time.sleep(0.2)

        fil = threading.Thread(target=deposer_pendant_l_ocr, daemon=True)
        fil.start()
        etat: dict[str, Any] = {}
        etapes: list[str] = []
        while time.perf_counter() - debut < 900:
            etat = requests.get(suivi, headers=entetes, timeout=30).json()
            etape = etat["progression"]["etape"]
            if etape and (not etapes or etapes[-1] != etape):
                etapes.append(etape)
            if etat["statut"] in ("terminee", "echec"):
                break
            time.sleep(0.2)
        duree = time.perf_counter() - debut
        fini.set()
        fil.join(timeout=30)
        print(
            f"Scan de 8 pages ({SCAN.name}), LECTURE_PROCESSUS={os.environ['LECTURE_PROCESSUS']} : "
            f"réponse au dépôt {reponse_depot * 1000:.0f} ms, lecture complète (charge utile de "
            f"vérification) en {duree:.1f} s [objectif ≤ 10 s], statut {etat.get('statut')}",
            flush=True,
        )
        print(f"  étapes vues : {' · '.join(etapes[:12])}", flush=True)
        if temps_api:
            print(
                f"POST /api/v1/conventions/import pendant l'OCR : {len(temps_api)} dépôts, "
                f"médiane {statistics.median(temps_api) * 1000:.0f} ms, "
                f"p95 {_p95(temps_api) * 1000:.0f} ms [objectif ≤ 200 ms]",
                flush=True,
            )
    finally:
        serveur.terminate()
        try:
            serveur.wait(timeout=60)
        except subprocess.TimeoutExpired:
            serveur.kill()


def _mesurer_file(nombre: int, processus: int) -> None:
    from django_tasks_db.models import DBTaskResult

    from delegations.taches.banc import tache_vide as vide
    from delegations.taches.registre import lancer

    DBTaskResult.objects.all().delete()
    for n in range(nombre):
        lancer(vide, None, n)
    travailleurs = subprocess.Popen(  # noqa: S603 - our own command
        [
            sys.executable,
            "-m",
            "delegations.manage",
            "worker",
            "--processes",
            str(processus),
            "--intervalle",
            "0.05",
            "--lot",
        ],
        stdout=subprocess.DEVNULL,
    )
    try:
        travailleurs.wait(timeout=1800)
    except subprocess.TimeoutExpired:
        travailleurs.kill()
    faits = DBTaskResult.objects.filter(status="SUCCESSFUL")
    from django.db.models import Max, Min

    bornes = faits.aggregate(premier=Min("started_at"), dernier=Max("finished_at"))
    premier, dernier = bornes["premier"], bornes["dernier"]
    if not premier or not dernier:
        print("File : aucun traitement exécuté.", flush=True)
        return
    duree = (dernier - premier).total_seconds()
    print(
        f"File ({os.environ['DATABASE_URL'].split(':', 1)[0]}), {processus} processus : "
        f"{faits.count()}/{nombre} traitements en {duree:.1f} s, "
        f"{faits.count() / max(duree, 1e-6):.0f} traitements/s",
        flush=True,
    )


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delegations.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from delegations.core.models import JetonAPI, User

    call_command("migrate", verbosity=0)
    finance = User.objects.create_user(
        "banc-finance", email="banc-finance@example.org", password="banc", role="finance"
    )
    jeton = JetonAPI.creer(finance, "bench")[1]
    if os.environ.get("BENCH_TACHES_SCAN", "1") != "0":
        _mesurer_lecture(jeton)
    _mesurer_file(int(os.environ.get("BENCH_TACHES") or 400), 4)


if __name__ == "__main__":
    main()
