from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from frictionless import validate

from delegations.conventions.ecriture import creer_avenant
from delegations.conventions.models import Statut
from delegations.core.tests.factories import ProduitFactory
from delegations.opendata import paquet
from delegations.opendata.donnees import conventions_publiees, tables
from delegations.opendata.publication import publier

from .factories import ConventionBrouillonFactory, ConventionPublieeFactory, ConventionSigneeFactory

pytestmark = pytest.mark.django_db


def _lire_csv(contenu: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(contenu.decode("utf-8"))))


def test_published_means_signed_with_a_publication_date_even_after_the_end() -> None:
    publiee = ConventionPublieeFactory()
    terminee = ConventionPublieeFactory(statut=Statut.TERMINEE)
    resiliee = ConventionPublieeFactory(statut=Statut.RESILIEE, date_preavis=dt.date(2024, 6, 1))
    ConventionSigneeFactory(statut=Statut.SIGNEE, date_publication=None)
    ConventionBrouillonFactory(date_publication=dt.date(2024, 2, 1))
    ConventionPublieeFactory(date_publication=dt.date.today() + dt.timedelta(days=10))
    assert set(conventions_publiees()) == {publiee, terminee, resiliee}


def test_drafts_never_appear_in_the_data_package() -> None:
    ConventionPublieeFactory(reference="PUB-1")
    ConventionBrouillonFactory(date_publication=dt.date(2024, 2, 1))
    ConventionSigneeFactory(reference="SIGNEE-NON-PUBLIEE")
    fichiers = paquet.contenus()
    texte = b"".join(fichiers.values()).decode()
    assert "PUB-1" in texte
    assert "BROUILLON-SECRET" not in texte and "confidentiel" not in texte
    assert "SIGNEE-NON-PUBLIEE" not in texte


def test_data_package_is_valid_frictionless(tmp_path: Path) -> None:
    produit = ProduitFactory(nom="Éco-Guichet", intrapreneur_email="secret.intra@exemple.gouv.fr")
    conv = ConventionPublieeFactory(reference="PUB-É1", produits=[produit], phases=["construction"])
    conv.delegant.siret = "11000000000017"
    conv.delegant.save()
    creer_avenant(
        conv,
        None,
        objet="Abondement 2025",
        date_signature=dt.date(2025, 1, 10),
        date_fin=None,
        lignes=[(2025, Decimal("250000.50"), Decimal("150000"))],
    )
    ConventionPublieeFactory(
        reference="", delegant=conv.delegant
    )  # no reference: identifier from the id
    paquet.ecrire(tmp_path)
    rapport = validate(str(tmp_path / "datapackage.json"))
    assert rapport.valid, rapport.flatten(["rowNumber", "fieldName", "type", "note"])
    descripteur = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    champs = {f["name"]: f for f in descripteur["resources"][0]["schema"]["fields"]}
    assert champs["date_signature"]["type"] == "date"
    assert champs["montant_total_ae"]["type"] == "number"
    assert "description" in champs["objet"] and champs["objet"]["description"]
    texte = (tmp_path / "conventions.csv").read_text(encoding="utf-8")
    assert "Éco-Guichet" in texte
    assert "secret.intra" not in texte  # no personal data beyond the published representatives
    assert "Claire Exemple" in texte


def test_amendment_is_a_row_with_its_parent_and_schedule_is_consolidated() -> None:
    conv = ConventionPublieeFactory(reference="PUB-2")
    creer_avenant(
        conv,
        None,
        objet="Abondement 2025",
        date_signature=dt.date(2025, 1, 10),
        date_fin=dt.date(2027, 6, 30),
        lignes=[(2025, Decimal("250000.50"), Decimal("150000"))],
    )
    fichiers = paquet.contenus()
    lignes = {ligne["identifiant"]: ligne for ligne in _lire_csv(fichiers["conventions.csv"])}
    assert lignes["PUB-2"]["type"] == "convention"
    avenant = lignes["PUB-2-avenant-1"]
    assert avenant["type"] == "avenant" and avenant["convention_parente"] == "PUB-2"
    assert avenant["date_signature"] == "2025-01-10" and avenant["date_fin"] == "2027-06-30"
    assert avenant["montant_total_ae"] == "450000.50"
    assert lignes["PUB-2"]["date_fin"] == "2027-06-30"
    echeancier = [e for e in _lire_csv(fichiers["echeancier.csv"]) if e["convention"] == "PUB-2"]
    assert [(e["annee"], e["ae"], e["source"]) for e in echeancier] == [
        ("2024", "100000.00", "convention"),
        ("2025", "250000.50", "avenant n° 1"),
        ("2026", "100000.00", "convention"),
    ]
    assert echeancier[0]["centre_financier"] == "0103-TEST-C001"


def test_package_rows_are_built_in_a_bounded_number_of_queries() -> None:
    ConventionPublieeFactory.create_batch(3)
    with CaptureQueriesContext(connection) as trois:
        tables()
    ConventionPublieeFactory.create_batch(27)
    with CaptureQueriesContext(connection) as trente:
        donnees = tables()
    assert len(donnees.conventions) == 30
    assert len(trente) == len(trois)


def test_command_writes_the_three_files(tmp_path: Path) -> None:
    ConventionPublieeFactory()
    sortie = io.StringIO()
    call_command("opendata", str(tmp_path / "od"), stdout=sortie)
    assert sorted(p.name for p in (tmp_path / "od").iterdir()) == [
        "conventions.csv",
        "datapackage.json",
        "echeancier.csv",
    ]
    assert "1 ligne(s) de conventions" in sortie.getvalue()


def test_zip_download_holds_the_package(client: object) -> None:
    ConventionPublieeFactory(reference="PUB-Z")
    assert client.get("/donnees/datapackage.zip").status_code == 503  # type: ignore[attr-defined]
    publier()  # the task queued by the change
    reponse = client.get("/donnees/datapackage.zip")  # type: ignore[attr-defined]
    assert reponse.status_code == 200
    assert reponse["Last-Modified"]
    inchange = client.get(  # type: ignore[attr-defined]
        "/donnees/datapackage.zip", HTTP_IF_NONE_MATCH=reponse["ETag"]
    )
    assert inchange.status_code == 304
    with zipfile.ZipFile(io.BytesIO(reponse.content)) as zf:
        noms = sorted(n.split("/")[-1] for n in zf.namelist())
        assert noms == ["conventions.csv", "datapackage.json", "echeancier.csv"]
    assert client.get("/donnees/conventions.csv").status_code == 200  # type: ignore[attr-defined]
    assert client.get("/donnees/secret.txt").status_code == 404  # type: ignore[attr-defined]
