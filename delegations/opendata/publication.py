"""Public statistics and the open data package, produced off the request and served as files.

``publier`` reads the register once (the cost grows with it) and writes the data package, its
three files and the statistics' HTML to the default storage (local disk or the shared S3 bucket)
under a new version; the public URLs then only read the newest ``Publication`` row and a file,
with ``ETag``/``Last-Modified`` (304 when unchanged).

It runs as a task queued when the register changes (signals connected by
``OpendataConfig.ready``; one task waits at a time) and from ``delegations opendata --publier``
(every night: what is published depends on the day)."""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.template.loader import render_to_string
from django.utils import timezone

from . import paquet, stats
from .donnees import (
    CHAMPS_CONVENTIONS,
    CHAMPS_ECHEANCIER,
    Champ,
    Tables,
    annees_cherchees,
    tables,
    texte_cherche,
)
from .models import ConventionPubliee, Publication

FICHIER_STATS = "stats.html"
FICHIER_ZIP = f"{paquet.NOM_PAQUET}.zip"
GARDEES = 3  # versions kept on storage
CENTIME = Decimal("0.01")


def publier() -> Publication:
    """Produce every public file under a new version and record it."""
    donnees = tables()
    fichiers = dict(paquet.contenus(donnees))
    fichiers[FICHIER_ZIP] = paquet.archive(donnees)
    fichiers[FICHIER_STATS] = render_to_string(
        "opendata/_stats.html", stats.statistiques()
    ).encode()
    empreinte = hashlib.sha256()
    for nom in sorted(fichiers):
        empreinte.update(nom.encode() + b"\0" + fichiers[nom])
    version = empreinte.hexdigest()[:32]
    existante = Publication.objects.filter(version=version).first()
    if existante is not None:  # nothing changed: same files, same ETag
        if not existante.lignes.exists():  # published before the API read its rows
            _ecrire_lignes(existante, donnees)
        return existante
    publication = Publication(
        version=version, publiee_le=timezone.now(), conventions=len(donnees.conventions)
    )
    for nom, contenu in fichiers.items():
        chemin = publication.chemin(nom)
        if default_storage.exists(chemin):
            default_storage.delete(chemin)
        default_storage.save(chemin, ContentFile(contenu))
    publication.save()
    _ecrire_lignes(publication, donnees)
    for ancienne in Publication.objects.order_by("-publiee_le", "-id")[GARDEES:]:
        for nom in fichiers:
            default_storage.delete(ancienne.chemin(nom))
        ancienne.delete()
    return publication


def _valeur(valeur: Any) -> Any:
    """A value as the public API's serializer gives it (amounts with two decimals as text,
    ISO dates), without running a serializer per convention (10 000 at national scale)."""
    if isinstance(valeur, Decimal):
        return str(valeur.quantize(CENTIME))
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    return valeur


def _ligne(ligne: dict[str, Any], champs: list[Champ]) -> dict[str, Any]:
    return {c.nom: _valeur(ligne.get(c.nom)) for c in champs}


def representation_publique(
    ligne: dict[str, Any], avenants: list[dict[str, Any]], echeancier: list[dict[str, Any]]
) -> dict[str, Any]:
    """``GET /api/v1/public/conventions``'s item (same as ``api.ConventionPubliqueSerializer``)."""
    return {
        **_ligne(ligne, CHAMPS_CONVENTIONS),
        "avenants": [_ligne(a, CHAMPS_CONVENTIONS) for a in avenants],
        "echeancier": [_ligne(e, CHAMPS_ECHEANCIER) for e in echeancier],
    }


def _ecrire_lignes(publication: Publication, donnees: Tables) -> None:
    """The public API's rows of this publication (its representation, filter columns)."""
    ordre = sorted(
        donnees.par_convention,
        key=lambda d: (
            d[0].date_signature is None,
            -(d[0].date_signature.toordinal() if d[0].date_signature else 0),
            -d[0].pk,
        ),
    )
    ConventionPubliee.objects.bulk_create(
        (
            ConventionPubliee(
                publication=publication,
                convention_id=convention.pk,
                rang=rang,
                date_signature=convention.date_signature,
                statut=convention.statut,
                programme=convention.programme,
                delegant_nom=convention.delegant.nom,
                delegant_sigle=convention.delegant.sigle,
                annees=annees_cherchees(convention),
                texte=texte_cherche(convention),
                donnees=representation_publique(ligne, avenants, echeancier),
            )
            for rang, (convention, ligne, avenants, echeancier) in enumerate(ordre)
        ),
        batch_size=500,
    )


def derniere() -> Publication | None:
    return Publication.objects.order_by("-publiee_le", "-id").first()


def lire(publication: Publication, nom: str) -> bytes:
    with default_storage.open(publication.chemin(nom), "rb") as fichier:
        contenu: bytes = fichier.read()
    return contenu


# --- produced on change -----------------------------------------------------------------------
def demander() -> None:
    """Queue one publication task at commit (the same key is not queued twice while it waits)."""
    from delegations.echeances.stockage import au_commit

    au_commit(_lancer)


def _lancer() -> None:
    from delegations.taches.registre import lancer

    from .taches import publier_donnees

    lancer(publier_donnees, None, cle="opendata:publication")


def _sur_changement(sender: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        demander()


MODELES = (
    ("conventions", "Convention"),
    ("conventions", "Avenant"),
    ("conventions", "LigneEcheancier"),
    ("conventions", "LigneAvenant"),
    ("produits", "PhaseHistorique"),
    ("execution", "Engagement"),
    ("execution", "Paiement"),
    ("execution", "Reduction"),
    ("rapports", "Transmission"),
)


def connecter() -> None:
    from django.apps import apps

    for app, nom in MODELES:
        if not apps.is_installed(f"delegations.{app}"):
            continue
        modele = apps.get_model(app, nom)
        for signal in (post_save, post_delete):
            signal.connect(
                _sur_changement, sender=modele, dispatch_uid=f"opendata_{nom}_{id(signal)}"
            )
    convention = apps.get_model("conventions", "Convention")
    m2m_changed.connect(
        _sur_changement, sender=convention.produits.through, dispatch_uid="opendata_financement"
    )
    # A purchase order inserted by the database function (PostgreSQL) saves no model: its
    # action log entry is seen instead.
    post_save.connect(
        _sur_changement, sender=apps.get_model("core", "ActionLog"), dispatch_uid="opendata_log"
    )
