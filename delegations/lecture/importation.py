"""Import a document into the register: read, review, then (only on confirmation) save.

Before confirmation the upload waits in MEDIA_ROOT/imports-en-attente/<sha256>.<ext>: nothing is
written to the database. Confirmation goes through the API serializer (the register's single
validation path), then stores the original file with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q

from delegations.conventions.ecriture import creer_avenant
from delegations.conventions.models import Avenant, Convention
from delegations.conventions.serializers import ConventionSerializer
from delegations.core.errors import RegleMetierError

from .extraction import ExtractionError, extract_file
from .models import Document

EXTENSIONS = {".pdf", ".docx", ".txt", ".md"}
SHA_RE = re.compile(r"^[0-9a-f]{64}$")


@dataclass
class Lecture:
    """A read document waiting for confirmation."""

    sha256: str
    nom_original: str
    extension: str
    extraction: dict[str, Any]
    doublon: Document | None = None
    candidats: list[Convention] = field(default_factory=list)


def dossier_attente() -> Path:
    dossier = Path(settings.MEDIA_ROOT) / "imports-en-attente"
    dossier.mkdir(parents=True, exist_ok=True)
    return dossier


def chemin_attente(sha256: str, extension: str) -> Path:
    if not SHA_RE.match(sha256) or extension not in EXTENSIONS:
        raise RegleMetierError(
            "import_inconnu", "Import introuvable : recommencez le dépôt du fichier."
        )
    return dossier_attente() / f"{sha256}{extension}"


def deposer(flux: BinaryIO, nom_original: str) -> Lecture:
    """Hash and park the upload, detect a re-import, read it. Raises ExtractionError on bad input."""
    extension = Path(nom_original).suffix.lower()
    if extension not in EXTENSIONS:
        raise ExtractionError(
            f"Format non pris en charge « {extension or nom_original} » : "
            "déposez un PDF, un DOCX, un TXT ou un Markdown."
        )
    limite = settings.LECTURE_MAX_BYTES
    empreinte = hashlib.sha256()
    temporaire = dossier_attente() / f"depot-{id(flux)}{extension}"
    taille = 0
    with temporaire.open("wb") as sortie:
        while bloc := flux.read(1 << 20):
            taille += len(bloc)
            if taille > limite:
                sortie.close()
                temporaire.unlink(missing_ok=True)
                raise ExtractionError(
                    f"Fichier trop volumineux : plus de {limite // 1_000_000} Mo (limite LECTURE_MAX_BYTES)."
                )
            empreinte.update(bloc)
            sortie.write(bloc)
    sha256 = empreinte.hexdigest()
    doublon = Document.objects.select_related("convention").filter(sha256=sha256).first()
    chemin = chemin_attente(sha256, extension)
    temporaire.replace(chemin)
    if doublon is not None:
        chemin.unlink(missing_ok=True)
        return Lecture(sha256, nom_original, extension, {}, doublon=doublon)
    try:
        extraction = extract_file(chemin, max_bytes=limite)
    except ExtractionError:
        chemin.unlink(missing_ok=True)
        raise
    chemin.with_suffix(".json").write_text(
        json.dumps(extraction, ensure_ascii=False), encoding="utf-8"
    )
    lecture = Lecture(sha256, nom_original, extension, extraction)
    if extraction.get("type") == "avenant":
        lecture.candidats = conventions_candidates(extraction)
    return lecture


def conventions_candidates(extraction: dict[str, Any]) -> list[Convention]:
    """Conventions an amendment may belong to: same délégant, then same UO when known."""
    delegant = extraction.get("delegant") or {}
    filtre = Q()
    if delegant.get("sigle"):
        filtre |= Q(delegant__sigle__iexact=delegant["sigle"])
    if delegant.get("nom"):
        filtre |= Q(delegant__nom__iexact=delegant["nom"])
    if not filtre:
        return []
    qs = Convention.objects.filter(filtre).exclude(statut="brouillon").select_related("delegant")
    uo = extraction.get("unite_operationnelle")
    if uo and qs.filter(unite_operationnelle=uo).exists():
        qs = qs.filter(unite_operationnelle=uo)
    return list(qs.order_by("-date_signature")[:20])


def extraction_en_attente(sha256: str, extension: str) -> dict[str, Any]:
    """What the reader found, kept beside the parked file until confirmation."""
    try:
        chemin = chemin_attente(sha256, extension).with_suffix(".json")
        return dict(json.loads(chemin.read_text(encoding="utf-8")))
    except (OSError, ValueError, RegleMetierError):
        return {}


def convention_identifiee(lecture: Lecture) -> Convention | None:
    return lecture.candidats[0] if len(lecture.candidats) == 1 else None


def _stocker(
    sha256: str,
    extension: str,
    nom_original: str,
    extraction: dict[str, Any],
    user: Any,
    convention: Convention,
    avenant: Avenant | None = None,
) -> Document:
    chemin = chemin_attente(sha256, extension)
    if not chemin.exists():
        raise RegleMetierError(
            "import_expire", "Le fichier déposé n'est plus disponible : recommencez le dépôt."
        )
    if Document.objects.filter(sha256=sha256).exists():
        raise RegleMetierError("document_deja_importe", "Ce document a déjà été importé.")
    lu = extraction_en_attente(sha256, extension) or extraction
    document = Document(
        convention=convention,
        avenant=avenant,
        nom_original=nom_original[:255],
        sha256=sha256,
        taille=chemin.stat().st_size,
        extraction=lu,
        importe_par=user if getattr(user, "is_authenticated", False) else None,
    )
    with chemin.open("rb") as flux:
        document.fichier.save(nom_original, File(flux), save=False)
    document.save()

    def nettoyer() -> None:
        chemin.unlink(missing_ok=True)
        chemin.with_suffix(".json").unlink(missing_ok=True)

    transaction.on_commit(nettoyer)
    return document


def confirmer_convention(
    sha256: str, extension: str, nom_original: str, donnees: dict[str, Any], request: Any
) -> Convention:
    """Create the convention from the reviewed data (the contract's keys), then keep the file."""
    serializer = ConventionSerializer(data=donnees, context={"request": request})
    serializer.is_valid(raise_exception=True)
    with transaction.atomic():
        convention = serializer.save()
        _stocker(sha256, extension, nom_original, donnees, request.user, convention)
    return convention


def _date(valeur: Any) -> dt.date | None:
    if valeur is None or isinstance(valeur, dt.date):
        return valeur
    try:
        return dt.date.fromisoformat(str(valeur))
    except ValueError as exc:
        raise RegleMetierError(
            "date_invalide", f"Date invalide : « {valeur} » (attendu AAAA-MM-JJ)."
        ) from exc


def confirmer_avenant(
    sha256: str,
    extension: str,
    nom_original: str,
    donnees: dict[str, Any],
    convention: Convention,
    user: Any,
) -> Avenant:
    lignes = [
        (int(ligne["annee"]), Decimal(str(ligne["ae"])), Decimal(str(ligne["cp"])))
        for ligne in donnees.get("echeancier") or []
    ]
    objet = donnees.get("objet") or "Avenant importé"
    with transaction.atomic():
        avenant = creer_avenant(
            convention,
            user,
            objet=objet,
            date_signature=_date(donnees.get("date_signature")),
            date_fin=_date(donnees.get("date_fin")),
            lignes=lignes,
        )
        _stocker(sha256, extension, nom_original, donnees, user, convention, avenant)
    return avenant
