"""``make bench`` (opendata): every GET page and API URL at national scale, then a load test.

On a fresh database (PostgreSQL ``delegations_bench_pages`` next to ``BENCH_DATABASE_URL``, else
a temporary SQLite file), the child process loads ``delegations bench-data`` (size:
``BENCH_CONVENTIONS`` and ``BENCH_MOUVEMENTS``, 10 000 and 1 000 000 on PostgreSQL, 300 and
20 000 on SQLite), rebuilds the stored deadlines and the public files, then:

1. requests every GET URL pattern of the pages and the API, resolved with real ids, as finance,
   délégant and intrapreneur (``BENCH_REPETITIONS`` times each, 5, after a first request shown
   apart), and prints p50/p95 per URL, worst first (target: p95 ≤ 200 ms). One test client per
   persona for the whole run, as a server keeps its workers: a client builds its own middleware
   chain, and WhiteNoise's start (a scan of every collected static file) is a per-process cost;
2. starts ``delegations serve`` and a headless ``locust`` (``BENCH_UTILISATEURS`` users, 20,
   for ``BENCH_DUREE`` seconds, 60) browsing list, search, convention page, situation API,
   « À faire » and iCalendar; prints p50/p95 per name and the error rate (target: p95 ≤ 300 ms,
   no error). ``BENCH_LOCUST=0`` skips it.

``BENCH_GARDER=1`` keeps the PostgreSQL bench database (and does not reload it when it already
holds the data set): a second run measures the code, not the load (``BENCH_BASE`` names it,
``delegations_bench_pages`` by default; ``BENCH_RECALCULER=0`` then skips the rebuild of the
stored deadlines and public files). ``BENCH_PAGES`` (a regular
expression) limits the URLs requested; ``BENCH_PAGES=0`` skips them; ``BENCH_AVANT_APRES=0``
skips the before/after of the five URLs of issue 16 (the "before" recomputes the whole register).

Figures are printed, never asserted.
"""

from __future__ import annotations

import csv
import gc
import logging
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

NOM_BASE = os.environ.get("BENCH_BASE", "delegations_bench_pages")
CIBLE_PAGE_MS = 200
CIBLE_CHARGE_MS = 300


def _postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://", "pgsql://"))


def run() -> None:
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL", "")
    print("== Toutes les pages et l'API, à l'échelle nationale ==", flush=True)
    if not _postgres(url):
        print(
            "(SQLite : mesure réduite ; PostgreSQL via BENCH_DATABASE_URL pour l'échelle nationale)"
        )
        with tempfile.TemporaryDirectory() as dossier:
            env = dict(
                os.environ,
                DATABASE_URL=f"sqlite:///{dossier}/pages.sqlite3",
                BENCH_CONVENTIONS=os.environ.get("BENCH_CONVENTIONS", "300"),
                BENCH_MOUVEMENTS=os.environ.get("BENCH_MOUVEMENTS", "20000"),
                MEDIA_ROOT=f"{dossier}/media",
            )
            subprocess.run(
                [sys.executable, "-m", "delegations.opendata.bench"], env=env, check=False
            )
        return
    import psycopg

    parties = urlsplit(url)
    bench_url = urlunsplit(parties._replace(path=f"/{NOM_BASE}"))
    maintenance = urlunsplit(parties._replace(path="/postgres")).replace(
        "pgsql://", "postgresql://"
    )
    garder = os.environ.get("BENCH_GARDER", "0") == "1"
    with psycopg.connect(maintenance, autocommit=True) as conn:
        existe = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [NOM_BASE]).fetchone()
        if not (garder and existe):
            conn.execute(f"DROP DATABASE IF EXISTS {NOM_BASE} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {NOM_BASE}")
    try:
        with tempfile.TemporaryDirectory() as dossier:
            # A kept database keeps its files too (the served public files live in MEDIA_ROOT).
            media = (
                Path(tempfile.gettempdir()) / f"{NOM_BASE}-media"
                if garder
                else Path(dossier) / "media"
            )
            subprocess.run(
                [sys.executable, "-m", "delegations.opendata.bench"],
                env=dict(os.environ, DATABASE_URL=bench_url, MEDIA_ROOT=str(media)),
                check=False,
            )
    finally:
        if not garder:
            with psycopg.connect(maintenance, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {NOM_BASE} WITH (FORCE)")


# --- child process (runs on the bench database) -----------------------------------------------
def _charger() -> dict[str, Any]:
    from django.core.management import call_command

    from delegations.conventions.models import Convention
    from delegations.core.models import Administration, User
    from delegations.produits.models import Produit

    postgres = _postgres(os.environ.get("DATABASE_URL", ""))
    n_conv = int(os.environ.get("BENCH_CONVENTIONS", "10000" if postgres else "300"))
    n_mouv = int(os.environ.get("BENCH_MOUVEMENTS", "1000000" if postgres else "20000"))
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages need the manifest
    existant = Produit.objects.filter(slug="produit-du-banc").first()
    if existant is not None:
        print(f"données déjà chargées : {Convention.objects.count()} conventions (BENCH_GARDER)")
        return {
            "finance": User.objects.get(username="finance@bench.test"),
            "delegant": User.objects.get(username="delegant@bench.test"),
            "intrapreneur": User.objects.get(username="intra@bench.test"),
            "produit": existant,
        } | (_preparer_publics() if os.environ.get("BENCH_RECALCULER", "1") == "1" else {})
    call_command("bench-data", conventions=n_conv, mouvements=n_mouv, stdout=open(os.devnull, "w"))
    print(f"données : {n_conv} conventions, {n_mouv} mouvements ({time.perf_counter() - t0:.0f} s)")
    premiere = Convention.objects.order_by("pk").first()
    assert premiere is not None
    produit = Produit.objects.create(
        nom="Produit du banc", slug="produit-du-banc", intrapreneur_email="intra@bench.test"
    )
    for conv in Convention.objects.order_by("pk")[:20]:
        conv.produits.add(produit)
    finance = User.objects.create_user(
        username="finance@bench.test", email="finance@bench.test", password="x", role="finance"
    )
    delegant = User.objects.create_user(
        username="delegant@bench.test", email="delegant@bench.test", password="x", role="delegant"
    )
    delegant.administrations.add(Administration.objects.get(pk=premiere.delegant_id))
    intra = User.objects.create_user(
        username="intra@bench.test", email="intra@bench.test", password="x", role="intrapreneur"
    )
    return {"finance": finance, "delegant": delegant, "intrapreneur": intra, "produit": produit} | (
        _preparer_publics()
    )


def _preparer_publics() -> dict[str, Any]:
    """Rebuild the stored deadlines and the public files (timed: the nightly work)."""
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("echeances", "--recalculer", stdout=open(os.devnull, "w"))
    print(f"échéances stockées : {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    call_command("opendata", "--servir", stdout=open(os.devnull, "w"))
    print(f"données ouvertes produites : {time.perf_counter() - t0:.0f} s", flush=True)
    return {}


def _motifs() -> list[tuple[str, list[str]]]:
    """Every URL pattern as (route with <name> placeholders, names), from the resolver."""
    from django.urls import URLPattern, URLResolver, get_resolver

    resultat: list[tuple[str, list[str]]] = []

    def parcourir(motifs: Any, prefixe: str) -> None:
        for motif in motifs:
            route = str(motif.pattern)
            route = route.lstrip("^").rstrip("$").replace("/?", "/")
            if isinstance(motif, URLResolver):
                parcourir(motif.url_patterns, prefixe + route)
            elif isinstance(motif, URLPattern):
                complet = prefixe + route
                noms = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)", complet)
                resultat.append((complet, [a or b for a, b in noms]))

    parcourir(get_resolver().url_patterns, "/")
    return resultat


def _valeurs(donnees: dict[str, Any]) -> dict[str, str]:
    """A real id for each placeholder name."""
    from django.apps import apps

    from delegations.conventions.models import Convention

    conv = Convention.objects.order_by("pk").first()
    valeurs = {"produit": str(donnees["produit"].pk), "slug": "produit-du-banc", "annee": "2024"}

    def premier(app: str, modele: str) -> str:
        if not apps.is_installed(f"delegations.{app}"):
            return "1"
        objet = apps.get_model(app, modele).objects.order_by("pk").first()
        return str(objet.pk) if objet else "1"

    valeurs["convention"] = valeurs["convention_id"] = str(conv.pk if conv else 1)
    valeurs["engagement"] = premier("execution", "Engagement")
    valeurs["comite"] = premier("comites", "Comite")
    valeurs["titulaire"] = premier("execution", "Titulaire")
    return valeurs


def _url(route: str, noms: list[str], valeurs: dict[str, str], contexte: str) -> str | None:
    url = route
    for nom in noms:
        if nom in valeurs:
            valeur = valeurs[nom]
        elif nom in ("pk", "id"):
            valeur = valeurs.get(contexte, valeurs["convention"])
        else:
            return None  # tokens, file names, task ids: not a browsable page
        motif = r"<(?:\w+:)?" + nom + r">|\(\?P<" + nom + r">[^)]*\)"
        url = re.sub(motif, valeur, url, count=1)
    if re.search(r"[<>(\\]", url):
        return None
    return url


def _contexte(route: str) -> str:
    for mot in ("produit", "comite", "engagement", "titulaire"):
        if mot in route:
            return mot
    return "convention"


def _percentile(valeurs: list[float], p: float) -> float:
    valeurs = sorted(valeurs)
    return valeurs[min(len(valeurs) - 1, int(round(p * (len(valeurs) - 1))))]


def _pages(donnees: dict[str, Any]) -> None:
    from django.test import Client

    repetitions = int(os.environ.get("BENCH_REPETITIONS", "5"))
    valeurs = _valeurs(donnees)
    mesures: list[tuple[float, float, float, str, str, set[int]]] = []
    filtre = os.environ.get("BENCH_PAGES", "")
    if filtre == "0":
        return
    # One client per persona for the whole run, as a server keeps its workers: each new test
    # client builds its own request handler, whose middleware chain WhiteNoise starts by
    # scanning every collected static file (some 3 600 files, 1 to 4 s on this machine) — a
    # cost a server pays once per process, which a client per URL measured on every URL.
    clients = {}
    for persona in ("finance", "delegant", "intrapreneur"):
        # An exception is answered as the server would (a 500, counted), not raised here.
        clients[persona] = Client(
            HTTP_ACCEPT="text/html,application/json", raise_request_exception=False
        )
        clients[persona].force_login(donnees[persona])
        clients[persona].get("/")  # builds the handler (middleware chain) once
    for route, noms in _motifs():
        if route.startswith(("/admin", "/static", "/media", "/__")):
            continue
        url = _url(route, noms, valeurs, _contexte(route))
        if url is None or (filtre and not re.search(filtre, url)):
            continue
        for persona, client in clients.items():
            durees, statuts = [], set()
            for _ in range(repetitions + 1):
                t0 = time.perf_counter()
                reponse = client.get(url)
                durees.append((time.perf_counter() - t0) * 1000)
                statuts.add(reponse.status_code)
            premiere, suivantes = durees[0], durees[1:]
            mesures.append(
                (
                    _percentile(suivantes, 0.95),
                    statistics.median(suivantes),
                    premiere,
                    url,
                    persona,
                    statuts,
                )
            )
    mesures.sort(reverse=True)
    print(
        f"\n(p50/p95 sur {repetitions} requêtes après la première de chaque URL et profil, "
        "donnée à part : « 1re »)"
    )
    print(f"{'p95 ms':>8} {'p50 ms':>8} {'1re ms':>8}  {'statuts':<10} {'profil':<13} URL")
    for p95, p50, premiere, url, persona, statuts in mesures:
        marque = " ⚠" if p95 > CIBLE_PAGE_MS or any(s >= 500 for s in statuts) else ""
        codes = ",".join(str(s) for s in sorted(statuts))
        print(f"{p95:8.1f} {p50:8.1f} {premiere:8.1f}  {codes:<10} {persona:<13} {url}{marque}")
    depassees = sum(1 for m in mesures if m[0] > CIBLE_PAGE_MS)
    medianes = sum(1 for m in mesures if m[1] > CIBLE_PAGE_MS)
    erreurs = sum(1 for m in mesures if any(s >= 500 for s in m[5]))
    print(
        f"{len(mesures)} mesures ; {depassees} au-dessus de {CIBLE_PAGE_MS} ms (p95), "
        f"{medianes} en médiane ; {erreurs} avec une erreur 5xx",
        flush=True,
    )


def _avant_apres(donnees: dict[str, Any]) -> None:
    """The work the five slow URLs did per request before (computing from the whole register),
    next to what they do now (reading the stored table / the served files)."""
    from django.test import Client

    from delegations.echeances.calcul import calculer
    from delegations.echeances.ical import calendrier

    from . import paquet, stats

    if os.environ.get("BENCH_AVANT_APRES", "1") == "0":
        return

    def duree(fonction: Any) -> float:
        fonction()  # warm (imports, templates, caches)
        mesures = []
        for _ in range(3):
            t0 = time.perf_counter()
            fonction()
            mesures.append((time.perf_counter() - t0) * 1000)
        return statistics.median(mesures)

    client = Client()
    client.force_login(donnees["finance"])
    public = Client()  # one client: a new one would rebuild the middleware chain (see _pages)
    lignes = [
        ("/echeances/", lambda: calculer(donnees["finance"]), lambda: client.get("/echeances/")),
        (
            "/api/v1/echeances/",
            lambda: calculer(donnees["finance"]),
            lambda: client.get("/api/v1/echeances/"),
        ),
        (
            "/api/v1/echeances.ics",
            lambda: calendrier(calculer(donnees["finance"])),
            lambda: client.get("/api/v1/echeances.ics", HTTP_ACCEPT="text/calendar"),
        ),
        ("/stats/", stats.statistiques, lambda: public.get("/stats/")),
        (
            "/donnees/datapackage.zip",
            paquet.archive,
            lambda: public.get("/donnees/datapackage.zip"),
        ),
    ]
    print(
        f"\n{'avant ms':>9} {'après ms':>9}  URL (médianes ; avant : calcul sur tout le registre)"
    )
    for url, avant, apres in lignes:
        print(f"{duree(avant):9.0f} {duree(apres):9.0f}  {url}", flush=True)


def _charge(donnees: dict[str, Any]) -> None:
    if os.environ.get("BENCH_LOCUST", "1") == "0":
        return
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from delegations.core.models import JetonAPI

    finance = donnees["finance"]
    session = SessionStore()
    session[SESSION_KEY] = str(finance.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = finance.get_session_auth_hash()
    session.create()
    jeton = JetonAPI.creer(finance, "banc d'essai")[1]  # the API's own tokens (core.jetons)
    port = os.environ.get("BENCH_PORT", "8765")
    utilisateurs = os.environ.get("BENCH_UTILISATEURS", "20")
    duree = os.environ.get("BENCH_DUREE", "60")
    env = dict(os.environ, LIMITE_PUBLIQUE_PAR_MINUTE="0", WEB_CONCURRENCY="3")
    serveur = subprocess.Popen(
        [sys.executable, "-m", "delegations.manage", "serve", "--port", port, "--sans-worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(6)
        with tempfile.TemporaryDirectory() as dossier:
            from delegations.conventions.models import Convention

            env_locust = dict(
                os.environ,
                BENCH_SESSION=session.session_key or "",
                BENCH_SESSION_COOKIE=settings.SESSION_COOKIE_NAME,
                BENCH_JETON=jeton,
                BENCH_CONVENTION_IDS=",".join(
                    str(i) for i in Convention.objects.values_list("pk", flat=True)[:500]
                ),
            )
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "locust",
                    "-f",
                    str(Path(__file__).with_name("locustfile.py")),
                    "--headless",
                    "-u",
                    utilisateurs,
                    "-r",
                    "5",
                    "-t",
                    f"{duree}s",
                    "--host",
                    f"http://127.0.0.1:{port}",
                    "--csv",
                    f"{dossier}/charge",
                    "--only-summary",
                    "--loglevel",
                    "ERROR",
                ],
                env=env_locust,
                check=False,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            _imprimer_charge(Path(f"{dossier}/charge_stats.csv"), utilisateurs, duree)
    finally:
        serveur.terminate()
        serveur.wait(timeout=30)


def _imprimer_charge(chemin: Path, utilisateurs: str, duree: str) -> None:
    if not chemin.exists():
        print("locust n'a produit aucune mesure (est-il installé ? pip install -e '.[dev]').")
        return
    print(f"\nCharge : {utilisateurs} utilisateurs pendant {duree} s (locust, sans interface)")
    print(f"{'p50 ms':>8} {'p95 ms':>8} {'requêtes':>9} {'erreurs':>8}  nom")
    with chemin.open(encoding="utf-8") as fichier:
        for ligne in csv.DictReader(fichier):
            total = int(ligne["Request Count"] or 0)
            echecs = int(ligne["Failure Count"] or 0)
            p95 = float(ligne.get("95%") or 0)
            marque = " ⚠" if p95 > CIBLE_CHARGE_MS or echecs else ""
            print(
                f"{float(ligne.get('50%') or 0):8.0f} {p95:8.0f} {total:9d} "
                f"{echecs:8d}  {ligne['Name']}{marque}"
            )
            if ligne["Name"] == "Aggregated" and total:
                print(f"taux d'erreur : {100 * echecs / total:.2f} %")


def enfant() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delegations.settings")
    os.environ["LIMITE_PUBLIQUE_PAR_MINUTE"] = "0"
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    # Refusals (403, 404, 405) are expected answers here: only errors are worth a log line.
    logging.getLogger("django.request").setLevel(logging.ERROR)
    donnees = _charger()
    # The rebuild and the publication above leave a large heap in this process: freeze it, so
    # that the collector's full passes over it are not measured as page time (a server's
    # workers never hold it).
    gc.collect()
    gc.freeze()
    _avant_apres(donnees)
    _pages(donnees)
    _charge(donnees)


if __name__ == "__main__":
    enfant()
