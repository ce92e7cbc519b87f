"""The Frictionless data package: conventions.csv, echeancier.csv and datapackage.json."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from delegations.core.tableurs import texte_csv

from .donnees import CHAMPS_CONVENTIONS, CHAMPS_ECHEANCIER, Champ, Tables, tables

NOM_PAQUET = "conventions-delegation-gestion"
FICHIERS = ("conventions.csv", "echeancier.csv", "datapackage.json")


def valeur_csv(valeur: Any) -> str:
    """ISO dates, '.' decimals with two places, empty for missing, texts that a spreadsheet
    could take for a formula prefixed with ``'``."""
    if valeur is None:
        return ""
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    if isinstance(valeur, Decimal):
        return f"{valeur.quantize(Decimal('0.01')):f}"
    if isinstance(valeur, str):
        return texte_csv(valeur)  # a text such as « =1+1 » is published as text
    return str(valeur)


def csv_texte(champs: list[Champ], lignes: list[dict[str, Any]]) -> str:
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    ecrivain.writerow([c.nom for c in champs])
    for ligne in lignes:
        ecrivain.writerow([valeur_csv(ligne.get(c.nom)) for c in champs])
    return tampon.getvalue()


def _ressource(
    nom: str,
    titre: str,
    description: str,
    champs: list[Champ],
    cle: list[str],
    cles_etrangeres: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "fields": [c.schema() for c in champs],
        "primaryKey": cle,
        "missingValues": [""],
    }
    if cles_etrangeres:
        schema["foreignKeys"] = cles_etrangeres
    return {
        "name": nom,
        "path": f"{nom}.csv",
        "title": titre,
        "description": description,
        "profile": "tabular-data-resource",
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "quoteChar": '"', "header": True},
        "schema": schema,
    }


def descripteur() -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": NOM_PAQUET,
        "title": "Conventions de délégation de gestion (DINUM, beta.gouv.fr)",
        "description": "Conventions de délégation de gestion publiées entre les administrations de l'État et la DINUM "
        "(incubateur beta.gouv.fr), leurs avenants et leur échéancier annuel d'autorisations "
        "d'engagement (AE) et de crédits de paiement (CP). Montants en euros, dates au format ISO 8601.",
        "homepage": settings.SITE_URL + reverse("opendata:conventions"),
        "licenses": [
            {
                "name": "etalab-2.0",
                "title": "Licence Ouverte / Open Licence version 2.0",
                "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
            }
        ],
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "keywords": ["délégation de gestion", "beta.gouv.fr", "DINUM", "budget", "AE", "CP"],
        "resources": [
            _ressource(
                "conventions",
                "Conventions et avenants",
                "Une ligne par convention publiée et par avenant d'une convention publiée.",
                CHAMPS_CONVENTIONS,
                ["identifiant"],
            ),
            _ressource(
                "echeancier",
                "Échéancier des crédits",
                "Une ligne par convention, année et imputation : AE et CP de l'échéancier consolidé.",
                CHAMPS_ECHEANCIER,
                ["convention", "annee"],
                [
                    {
                        "fields": "convention",
                        "reference": {"resource": "conventions", "fields": "identifiant"},
                    }
                ],
            ),
        ],
    }


def contenus(donnees: Tables | None = None) -> dict[str, bytes]:
    """The three files' bytes (UTF-8, no BOM)."""
    donnees = donnees if donnees is not None else tables()
    return {
        "conventions.csv": csv_texte(CHAMPS_CONVENTIONS, donnees.conventions).encode(),
        "echeancier.csv": csv_texte(CHAMPS_ECHEANCIER, donnees.echeancier).encode(),
        "datapackage.json": json.dumps(descripteur(), ensure_ascii=False, indent=2).encode(),
    }


def ecrire(dossier: Path, donnees: Tables | None = None) -> list[Path]:
    dossier.mkdir(parents=True, exist_ok=True)
    chemins = []
    for nom, contenu in contenus(donnees).items():
        chemin = dossier / nom
        chemin.write_bytes(contenu)
        chemins.append(chemin)
    return chemins


def archive(donnees: Tables | None = None) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as zf:
        for nom, contenu in contenus(donnees).items():
            zf.writestr(f"{NOM_PAQUET}/{nom}", contenu)
    return tampon.getvalue()
