"""Backups: the database and the stored files in one folder, with a manifest of SHA-256 sums.

A backup folder holds
- ``base.dump`` (PostgreSQL, ``pg_dump`` custom format: schema, data, functions and triggers) or
  ``base.sqlite3`` (SQLite, a copy made by SQLite's online backup API);
- ``fichiers.tar``: every file of the default storage (local disk or S3 bucket), names kept;
- ``manifeste.json``: format, engine, date, last migrations, and the size and SHA-256 of each
  part and of each stored file.

A restore checks every sum before it touches anything, refuses a target database holding data
unless asked to replace it, then loads the whole database in one transaction. On PostgreSQL the
target's objects are dropped (never truncated: the journal's triggers forbid it) and the dump is
replayed into the empty schema: tables and rows first, then constraints and triggers, so rows are
inserted as they were and no trigger rewrites them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, BinaryIO

from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, default_storage
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from .errors import RegleMetierError

FORMAT = 1
MANIFESTE = "manifeste.json"
FICHIERS = "fichiers.tar"
BASE = {"postgresql": "base.dump", "sqlite": "base.sqlite3"}
# Tables that a fresh ``migrate`` fills, or that hold nothing of the register: a database whose
# other tables are empty is "empty" for a restore.
TABLES_DE_STRUCTURE = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "django_session",
    "sqlite_sequence",
}
BLOC = 1024 * 1024


class SauvegardeError(RegleMetierError):
    """A backup or a restore refused (French message), before anything was replaced."""


def _sha256(flux: BinaryIO | IO[bytes] | Any) -> str:
    empreinte = hashlib.sha256()
    for bloc in iter(lambda: flux.read(BLOC), b""):
        empreinte.update(bloc)
    return empreinte.hexdigest()


def _sha256_fichier(chemin: Path) -> str:
    with chemin.open("rb") as flux:
        return _sha256(flux)


def _moteur(alias: str) -> str:
    vendor = connections[alias].vendor
    if vendor not in BASE:
        raise SauvegardeError(
            "moteur_non_pris_en_charge", f"Moteur de base de données non pris en charge : {vendor}."
        )
    return vendor


def _env_pg(alias: str) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL client programs."""
    reglages = connections[alias].settings_dict
    arguments = ["--dbname", str(reglages["NAME"])]
    if reglages.get("HOST"):
        arguments += ["--host", str(reglages["HOST"])]
    if reglages.get("PORT"):
        arguments += ["--port", str(reglages["PORT"])]
    if reglages.get("USER"):
        arguments += ["--username", str(reglages["USER"])]
    env = {**os.environ}
    if reglages.get("PASSWORD"):
        env["PGPASSWORD"] = str(reglages["PASSWORD"])
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if reglages.get("OPTIONS", {}).get(option):
            env[variable] = str(reglages["OPTIONS"][option])
    return arguments, env


def _programme(nom: str) -> str:
    chemin = shutil.which(nom)
    if chemin is None:
        raise SauvegardeError(
            "programme_absent",
            f"Le programme « {nom} » est introuvable : installez le client PostgreSQL "
            "(paquet postgresql-client) de la même version majeure que le serveur.",
        )
    return chemin


def _lancer(commande: list[str], env: dict[str, str], action: str) -> None:
    resultat = subprocess.run(commande, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if resultat.returncode != 0:
        detail = (resultat.stderr or resultat.stdout).strip().splitlines()
        raise SauvegardeError(
            "commande_echouee",
            f"{action} a échoué : {detail[-1] if detail else f'code {resultat.returncode}'}",
        )


def _noms_stockes(stockage: Storage, dossier: str = "") -> Iterator[str]:
    try:
        sous_dossiers, fichiers = stockage.listdir(dossier)
    except FileNotFoundError:
        return
    for nom in sorted(fichiers):
        yield f"{dossier}/{nom}" if dossier else nom
    for sous in sorted(sous_dossiers):
        yield from _noms_stockes(stockage, f"{dossier}/{sous}" if dossier else sous)


def _migrations(alias: str) -> dict[str, str]:
    derniere: dict[str, str] = {}
    for app, nom in MigrationRecorder(connections[alias]).applied_migrations():
        derniere[app] = max(nom, derniere.get(app, ""))
    return dict(sorted(derniere.items()))


def sauvegarder(dossier: Path, *, alias: str = "default") -> dict[str, Any]:
    """Write the backup into ``dossier`` (created; refused if it already holds files)."""
    moteur = _moteur(alias)
    dossier.mkdir(parents=True, exist_ok=True)
    if any(dossier.iterdir()):
        raise SauvegardeError(
            "dossier_non_vide",
            f"Le dossier {dossier} n'est pas vide : une sauvegarde s'écrit dans un dossier neuf.",
        )
    base = dossier / BASE[moteur]
    if moteur == "postgresql":
        arguments, env = _env_pg(alias)
        _lancer(
            [_programme("pg_dump"), "--format=custom", "--no-owner", "--no-privileges"]
            + ["--file", str(base), *arguments],
            env,
            "La copie de la base (pg_dump)",
        )
    else:
        connexion = connections[alias]
        if connexion.in_atomic_block:
            # SQLite's backup waits for the writer's lock, which this transaction holds.
            raise SauvegardeError(
                "transaction_ouverte",
                "Une sauvegarde SQLite se fait hors de toute transaction.",
            )
        connexion.ensure_connection()
        cible = sqlite3.connect(base)
        try:
            connexion.connection.backup(cible)
        finally:
            cible.close()

    fichiers: list[dict[str, Any]] = []
    with tarfile.open(dossier / FICHIERS, "w") as archive:
        for nom in _noms_stockes(default_storage):
            with default_storage.open(nom, "rb") as flux:
                contenu = flux.read()
            fichiers.append(
                {"nom": nom, "octets": len(contenu), "sha256": hashlib.sha256(contenu).hexdigest()}
            )
            entree = tarfile.TarInfo(nom)
            entree.size = len(contenu)
            entree.mtime = int(timezone.now().timestamp())
            archive.addfile(entree, io.BytesIO(contenu))

    manifeste = {
        "format": FORMAT,
        "application": "delegations",
        "cree_le": timezone.now().isoformat(),
        "moteur": moteur,
        "migrations": _migrations(alias),
        "parties": {
            partie.name: {"octets": partie.stat().st_size, "sha256": _sha256_fichier(partie)}
            for partie in (base, dossier / FICHIERS)
        },
        "fichiers": fichiers,
    }
    (dossier / MANIFESTE).write_text(
        json.dumps(manifeste, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return manifeste


def lire_manifeste(dossier: Path, *, alias: str = "default") -> dict[str, Any]:
    """The manifest, once every part and every stored file matches its SHA-256."""
    chemin = dossier / MANIFESTE
    try:
        manifeste = json.loads(chemin.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SauvegardeError(
            "manifeste_absent", f"Aucun manifeste {MANIFESTE} dans {dossier}."
        ) from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise SauvegardeError(
            "manifeste_illisible", f"Le manifeste {chemin} est illisible (JSON invalide)."
        ) from exc
    if not isinstance(manifeste, dict) or manifeste.get("format") != FORMAT:
        raise SauvegardeError(
            "format_inconnu", f"Format de sauvegarde inconnu : ce programme lit le format {FORMAT}."
        )
    moteur = _moteur(alias)
    if manifeste.get("moteur") != moteur:
        raise SauvegardeError(
            "moteur_different",
            f"Cette sauvegarde vient d'une base {manifeste.get('moteur')} ; la base cible est "
            f"{moteur} : restaurez-la dans le même moteur.",
        )
    parties = manifeste.get("parties", {})
    for partie in (BASE[moteur], FICHIERS):
        attendu = parties.get(partie, {}).get("sha256")
        if not (dossier / partie).is_file():
            raise SauvegardeError("partie_absente", f"La partie {partie} manque dans {dossier}.")
        if attendu != _sha256_fichier(dossier / partie):
            raise SauvegardeError(
                "empreinte_differente",
                f"L'empreinte SHA-256 de {partie} ne correspond pas au manifeste : la sauvegarde "
                "est altérée ou incomplète, rien n'a été restauré.",
            )
    attendus = {f["nom"]: f["sha256"] for f in manifeste.get("fichiers", [])}
    trouves: dict[str, str] = {}
    with tarfile.open(dossier / FICHIERS) as archive:
        for entree in archive:
            flux = archive.extractfile(entree) if entree.isfile() else None
            if flux is None:
                continue
            trouves[entree.name] = _sha256(flux)
    if trouves != attendus:
        differents = sorted(set(trouves.items()) ^ set(attendus.items()))
        raise SauvegardeError(
            "empreinte_differente",
            f"Le fichier stocké « {differents[0][0]} » ne correspond pas au manifeste "
            "(empreinte SHA-256) : rien n'a été restauré.",
        )
    return manifeste


def tables_non_vides(alias: str = "default") -> list[str]:
    """The target's tables that hold rows, apart from what a fresh ``migrate`` writes."""
    connexion = connections[alias]
    caches = {
        str(c.get("LOCATION"))
        for c in settings.CACHES.values()
        if c.get("BACKEND", "").endswith("DatabaseCache")
    }
    ignorees = TABLES_DE_STRUCTURE | caches
    with connexion.cursor() as curseur:
        noms = connexion.introspection.table_names(curseur)
        pleines = []
        for nom in sorted(noms):
            if nom in ignorees:
                continue
            curseur.execute(f"SELECT 1 FROM {connexion.ops.quote_name(nom)} LIMIT 1")  # noqa: S608
            if curseur.fetchone() is not None:
                pleines.append(nom)
    return pleines


def _vider_schema_sql(alias: str) -> str:
    """DROP statements for every object of the current schema (tables, views, sequences,
    functions, types): dropping fires no TRUNCATE or DELETE trigger."""
    connexion = connections[alias]
    q = connexion.ops.quote_name
    instructions = []
    with connexion.cursor() as curseur:
        curseur.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = "
            "c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN "
            "('r', 'p', 'v', 'm', 'S', 'f') ORDER BY c.relname"
        )
        genre = {"r": "TABLE", "p": "TABLE", "v": "VIEW", "m": "MATERIALIZED VIEW"}
        genre |= {"S": "SEQUENCE", "f": "FOREIGN TABLE"}
        for nom, relkind in curseur.fetchall():
            instructions.append(f"DROP {genre[relkind]} IF EXISTS {q(nom)} CASCADE;")
        curseur.execute(
            "SELECT p.oid::regprocedure::text, p.prokind FROM pg_proc p JOIN pg_namespace n "
            "ON n.oid = p.pronamespace WHERE n.nspname = current_schema() ORDER BY 1"
        )
        for signature, prokind in curseur.fetchall():
            mot = {"p": "PROCEDURE", "a": "AGGREGATE"}.get(prokind, "FUNCTION")
            instructions.append(f"DROP {mot} IF EXISTS {signature} CASCADE;")
        curseur.execute(
            "SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
            "WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd') ORDER BY 1"
        )
        for (nom,) in curseur.fetchall():
            instructions.append(f"DROP TYPE IF EXISTS {q(nom)} CASCADE;")
    return "\n".join(instructions) + "\n"


def _conflits_fichiers(manifeste: dict[str, Any]) -> list[str]:
    conflits = []
    for fichier in manifeste.get("fichiers", []):
        if default_storage.exists(fichier["nom"]):
            with default_storage.open(fichier["nom"], "rb") as flux:
                if _sha256(flux) != fichier["sha256"]:
                    conflits.append(fichier["nom"])
    return conflits


def restaurer(dossier: Path, *, ecraser: bool = False, alias: str = "default") -> dict[str, Any]:
    """Restore the backup in ``dossier`` into the database ``alias`` and the default storage.
    Refused, before anything is written, if a sum differs, or if the target holds data (rows,
    or a different file under a stored name) and ``ecraser`` is false."""
    manifeste = lire_manifeste(dossier, alias=alias)
    moteur = manifeste["moteur"]
    pleines = tables_non_vides(alias)
    if pleines and not ecraser:
        raise SauvegardeError(
            "base_non_vide",
            f"La base cible n'est pas vide ({len(pleines)} table(s) avec des lignes, dont "
            f"{', '.join(pleines[:3])}) : la restauration remplace toute la base, relancez-la "
            "avec --ecraser pour l'accepter, ou restaurez dans une base neuve.",
        )
    conflits = _conflits_fichiers(manifeste)
    if conflits and not ecraser:
        raise SauvegardeError(
            "fichiers_differents",
            f"Le stockage cible contient déjà {len(conflits)} fichier(s) différent(s) sous le "
            f"même nom (dont « {conflits[0]} ») : relancez avec --ecraser pour les remplacer.",
        )

    connexion = connections[alias]
    if moteur == "postgresql":
        arguments, env = _env_pg(alias)
        with tempfile.TemporaryDirectory() as temporaire:
            vider = Path(temporaire) / "vider.sql"
            vider.write_text(_vider_schema_sql(alias), encoding="utf-8")
            script = Path(temporaire) / "base.sql"
            _lancer(
                [_programme("pg_restore"), "--no-owner", "--no-privileges"]
                + ["--file", str(script), str(dossier / BASE[moteur])],
                env,
                "La lecture de la copie de la base (pg_restore)",
            )
            connexion.close()
            # One transaction: the old objects dropped and the backup replayed, or nothing.
            _lancer(
                [_programme("psql"), "--no-psqlrc", "--quiet", "--single-transaction"]
                + ["--set", "ON_ERROR_STOP=1", *arguments, "--file", str(vider)]
                + ["--file", str(script)],
                env,
                "Le chargement de la base (psql)",
            )
    else:
        connexion.ensure_connection()
        source = sqlite3.connect(dossier / BASE[moteur])
        try:
            source.backup(connexion.connection)
        finally:
            source.close()
    connexion.close()

    with tarfile.open(dossier / FICHIERS) as archive:
        for entree in archive:
            flux = archive.extractfile(entree) if entree.isfile() else None
            if flux is None:
                continue
            if default_storage.exists(entree.name):
                if entree.name not in conflits:
                    continue
                default_storage.delete(entree.name)
            nom = default_storage.save(entree.name, File(flux, name=entree.name))
            if nom != entree.name:
                raise SauvegardeError(
                    "nom_modifie",
                    f"Le stockage a enregistré « {entree.name} » sous le nom « {nom} ».",
                )
    return manifeste


def migrations_en_attente(alias: str = "default") -> bool:
    """Whether the restored database lacks migrations this code has (run ``migrate``)."""
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))
