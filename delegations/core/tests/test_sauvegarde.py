"""Backups (``delegations sauvegarde`` / ``delegations restauration``): a backup restored into a
fresh database gives every convention the same situation and the same stored files; an altered
backup or a target holding data is refused before anything is written."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from delegations.core.tests.factories import ConventionFactory

JOUR = dt.date(2026, 11, 30)
SCRIPT = (
    "import os, json, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
    "'delegations.settings'); django.setup(); "
    "from delegations.core.tests.test_sauvegarde import etat; print(json.dumps(etat()))"
)


def etat() -> dict[str, Any]:
    """Every convention's situation (``execution.situation``: each year's balances with the
    service fait certified, envelope, burn rate, forecast) and the row count of every model."""
    from delegations.conventions.models import Convention
    from delegations.execution.situation import situation_annees, situation_convention

    situations = {
        conv.reference: {
            "situation": situation_convention(conv, JOUR),
            "annees": situation_annees(conv, certifie=True),
        }
        for conv in Convention.objects.order_by("reference")
    }
    lignes = {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.app_label not in ("sessions", "admin") and not m._meta.proxy
    }
    return json.loads(json.dumps({"situations": situations, "lignes": lignes}, default=str))


def _url_base(nom: str) -> str:
    reglages = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{nom}"
    identite = reglages["USER"] or "postgres"
    if reglages["PASSWORD"]:
        identite += f":{reglages['PASSWORD']}"
    return (
        f"postgres://{identite}@{reglages['HOST'] or '127.0.0.1'}:{reglages['PORT'] or 5432}/{nom}"
    )


def _admin_pg() -> psycopg.Connection[Any]:
    reglages = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=reglages["USER"] or "postgres",
        password=reglages["PASSWORD"] or None,
        host=reglages["HOST"] or "127.0.0.1",
        port=reglages["PORT"] or 5432,
        autocommit=True,
    )


@pytest.fixture
def base_neuve(tmp_path: Path) -> Any:
    """The URL of a new, empty database (a file on SQLite, a database on PostgreSQL)."""
    if connection.vendor == "sqlite":
        yield _url_base(str(tmp_path / "neuve.sqlite3"))
        return
    nom = f"{connection.settings_dict['NAME']}_restauration_{uuid.uuid4().hex[:6]}"
    with _admin_pg() as admin:
        admin.execute(f'CREATE DATABASE "{nom}"')
    try:
        yield _url_base(nom)
    finally:
        with _admin_pg() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{nom}" WITH (FORCE)')


def _delegations(url: str, media: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": url, "MEDIA_ROOT": str(media), "DELEGATIONS_DEV": "1"}
    resultat = subprocess.run(  # noqa: S603
        [sys.executable, *args], env=env, capture_output=True, text=True, timeout=300
    )
    assert resultat.returncode == 0, resultat.stderr
    return resultat.stdout


@pytest.mark.django_db(transaction=True)
def test_restauration_dans_une_base_neuve_retrouve_chaque_situation_et_chaque_fichier(
    tmp_path: Path, base_neuve: str
) -> None:
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    default_storage.save("documents/convention.pdf", ContentFile(b"%PDF-1.7\nconvention\n"))
    default_storage.save("livrables/2026/rapport.odt", ContentFile(b"PK\x03\x04 livrable"))
    avant = etat()
    assert len(avant["situations"]) >= 3
    assert any(a["ae_engage"] != "0.00" for s in avant["situations"].values() for a in s["annees"])
    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier), stdout=open(os.devnull, "w"))  # noqa: SIM115
    manifeste = json.loads((dossier / "manifeste.json").read_text())
    assert {f["nom"] for f in manifeste["fichiers"]} == {
        "documents/convention.pdf",
        "livrables/2026/rapport.odt",
    }

    # A fresh database made by migrate (what an operator prepares), then the restore.
    media = tmp_path / "media-restauree"
    manage = ["-m", "delegations.manage"]
    _delegations(base_neuve, media, *manage, "migrate", "--noinput", "-v0")
    sortie = _delegations(base_neuve, media, *manage, "restauration", str(dossier))
    assert "restaurée" in sortie
    assert json.loads(_delegations(base_neuve, media, "-c", SCRIPT)) == avant
    assert (media / "documents" / "convention.pdf").read_bytes() == b"%PDF-1.7\nconvention\n"
    assert (media / "livrables" / "2026" / "rapport.odt").read_bytes() == b"PK\x03\x04 livrable"

    # Again over the restored data: refused without --ecraser, the same state with it.
    env = {**os.environ, "DATABASE_URL": base_neuve, "MEDIA_ROOT": str(media)}
    refus = subprocess.run(  # noqa: S603
        [sys.executable, *manage, "restauration", str(dossier)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert refus.returncode == 1
    assert "La base cible n'est pas vide" in refus.stderr
    _delegations(base_neuve, media, *manage, "restauration", str(dossier), "--ecraser")
    assert json.loads(_delegations(base_neuve, media, "-c", SCRIPT)) == avant


@pytest.fixture
def sauvegarde(transactional_db: None, tmp_path: Path) -> Path:
    ConventionFactory(reference="CONV-SAUVEGARDE")
    default_storage.save("documents/a.pdf", ContentFile(b"%PDF-1.7\n"))
    dossier = tmp_path / "sauvegarde"
    call_command("sauvegarde", str(dossier), stdout=open(os.devnull, "w"))  # noqa: SIM115
    return dossier


def _base(dossier: Path) -> Path:
    return next(p for p in dossier.iterdir() if p.name.startswith("base."))


def test_restauration_refuse_une_base_alteree_sans_rien_ecrire(sauvegarde: Path) -> None:
    base = _base(sauvegarde)
    contenu = bytearray(base.read_bytes())
    contenu[len(contenu) // 2] ^= 0xFF
    base.write_bytes(bytes(contenu))
    with pytest.raises(CommandError, match=f"L'empreinte SHA-256 de {base.name} ne correspond"):
        call_command("restauration", str(sauvegarde), "--ecraser")
    from delegations.conventions.models import Convention

    assert Convention.objects.filter(reference="CONV-SAUVEGARDE").exists()


def test_restauration_refuse_un_fichier_stocke_altere(sauvegarde: Path) -> None:
    manifeste = json.loads((sauvegarde / "manifeste.json").read_text())
    manifeste["fichiers"][0]["sha256"] = "0" * 64
    (sauvegarde / "manifeste.json").write_text(json.dumps(manifeste))
    with pytest.raises(CommandError, match="Le fichier stocké « documents/a.pdf » ne correspond"):
        call_command("restauration", str(sauvegarde), "--ecraser")


def test_restauration_refuse_une_base_cible_qui_contient_des_donnees(sauvegarde: Path) -> None:
    with pytest.raises(CommandError, match="La base cible n'est pas vide .* --ecraser"):
        call_command("restauration", str(sauvegarde))


def test_restauration_refuse_un_fichier_different_sous_le_meme_nom(
    sauvegarde: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("delegations.core.sauvegarde.tables_non_vides", lambda alias: [])
    default_storage.delete("documents/a.pdf")
    default_storage.save("documents/a.pdf", ContentFile(b"%PDF-1.7\nautre\n"))
    with pytest.raises(CommandError, match="1 fichier\\(s\\) différent\\(s\\) .*documents/a.pdf"):
        call_command("restauration", str(sauvegarde))


def test_sauvegarde_refuse_un_dossier_qui_contient_deja_des_fichiers(
    sauvegarde: Path,
) -> None:
    with pytest.raises(CommandError, match="n'est pas vide : une sauvegarde s'écrit"):
        call_command("sauvegarde", str(sauvegarde))


def test_restauration_refuse_un_dossier_sans_manifeste(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Aucun manifeste manifeste.json"):
        call_command("restauration", str(tmp_path))
