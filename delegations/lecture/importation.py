"""Import a document into the register: read, review, then (only on confirmation) save.

Before confirmation the upload waits on the default storage (local disk, or the S3 bucket that
every web and worker machine shares) as ``imports-en-attente/<sha256>.<ext>``, with what the
reader found beside it (``.json``): nothing is written to the database. Reading runs in a task
(``lecture/taches.py``) for the page and the API; the command line reads at once. Confirmation
goes through the API serializer (the register's single validation path), then stores the
original file with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q

from delegations.conventions.ecriture import creer_avenant
from delegations.conventions.models import Avenant, Convention
from delegations.conventions.serializers import ConventionSerializer
from delegations.core.errors import RegleMetierError
from delegations.core.fichiers import nom_affiche, type_reel
from delegations.core.models import User

from .extraction import ExtractionError, extract_file
from .models import Document

EXTENSIONS = {".pdf", ".docx", ".txt", ".md"}
SHA_RE = re.compile(r"^[0-9a-f]{64}$")
ATTENTE = "imports-en-attente"


@dataclass
class Depot:
    """An upload parked on the storage, not read yet."""

    sha256: str
    nom_original: str
    extension: str
    doublon: Document | None = None

    @property
    def jeton(self) -> str:
        return f"{self.sha256}{self.extension}"


@dataclass
class Lecture:
    """A read document waiting for confirmation."""

    sha256: str
    nom_original: str
    extension: str
    extraction: dict[str, Any]
    doublon: Document | None = None
    candidats: list[Convention] = field(default_factory=list)


def chemin_attente(sha256: str, extension: str) -> str:
    """Storage name of a parked upload; the client gives a token, never a path."""
    if not SHA_RE.match(sha256) or extension not in EXTENSIONS:
        raise RegleMetierError(
            "import_inconnu", "Import introuvable : recommencez le dépôt du fichier."
        )
    return f"{ATTENTE}/{sha256}{extension}"


def en_attente(sha256: str, extension: str) -> bool:
    """Whether a parked upload answers to this token (a malformed token answers to none)."""
    if not SHA_RE.match(sha256) or extension not in EXTENSIONS:
        return False
    return default_storage.exists(chemin_attente(sha256, extension))


def _chemin_lecture(sha256: str, extension: str) -> str:
    return chemin_attente(sha256, extension).rsplit(".", 1)[0] + ".json"


def verifier_extension(nom_original: str) -> str:
    extension = Path(nom_original).suffix.lower()
    if extension not in EXTENSIONS:
        raise ExtractionError(
            f"Format non pris en charge « {extension or nom_original} » : "
            "déposez un PDF, un DOCX, un TXT ou un Markdown."
        )
    return extension


def contenu_conforme(extension: str, flux: BinaryIO) -> bool:
    """The content proves the format the extension announces (``core.fichiers.type_reel``); a
    text may also be in Latin-1 (no NUL byte, no other format's signature)."""
    reel = type_reel(flux)
    if extension in (".txt", ".md"):
        if reel == ".txt":
            return True
        debut = flux.read(8192)
        flux.seek(0)
        return reel is None and b"\x00" not in debut
    return reel == extension


def deposer_fichier(flux: BinaryIO, nom_original: str) -> Depot:
    """Check, hash and park an upload, detect a re-import; fast (no reading). ExtractionError
    on a bad format or size."""
    extension = verifier_extension(nom_original)
    limite = settings.LECTURE_MAX_BYTES
    empreinte = hashlib.sha256()
    with tempfile.TemporaryFile() as copie:
        taille = 0
        while bloc := flux.read(1 << 20):
            taille += len(bloc)
            if taille > limite:
                raise ExtractionError(
                    f"Fichier trop volumineux : plus de {limite // 1_000_000} Mo (limite LECTURE_MAX_BYTES)."
                )
            empreinte.update(bloc)
            copie.write(bloc)
        if taille == 0:
            raise ExtractionError(f"Document vide : {Path(nom_original).name}")
        copie.seek(0)
        if not contenu_conforme(extension, copie):
            raise ExtractionError(
                f"Le contenu du fichier ne correspond pas à son extension « {extension} » : "
                "déposez un vrai PDF, DOCX, TXT ou Markdown."
            )
        sha256 = empreinte.hexdigest()
        doublon = Document.objects.select_related("convention").filter(sha256=sha256).first()
        if doublon is not None:
            return Depot(sha256, nom_original, extension, doublon=doublon)
        chemin = chemin_attente(sha256, extension)
        if not default_storage.exists(chemin):
            copie.seek(0)
            default_storage.save(chemin, copie)
    return Depot(sha256, nom_original, extension)


def lire_depot(depot: Depot, progression: Callable[[int, int], None] | None = None) -> Lecture:
    """Read a parked upload (in a worker, or at once for the command line). ExtractionError."""
    chemin = chemin_attente(depot.sha256, depot.extension)
    if not default_storage.exists(chemin):
        raise RegleMetierError(
            "import_expire", "Le fichier déposé n'est plus disponible : recommencez le dépôt."
        )
    with tempfile.TemporaryDirectory(prefix="lecture-") as dossier:
        # The reader needs a local file: the storage may be a bucket on another machine.
        local = Path(dossier) / f"document{depot.extension}"
        with default_storage.open(chemin, "rb") as source, local.open("wb") as sortie:
            while bloc := source.read(1 << 20):
                sortie.write(bloc)
        extraction = extract_file(
            local,
            max_bytes=settings.LECTURE_MAX_BYTES,
            progression=progression,
            processus=settings.LECTURE_PROCESSUS,
            max_pages=settings.LECTURE_MAX_PAGES,
        )
    lu = _chemin_lecture(depot.sha256, depot.extension)
    if default_storage.exists(lu):
        default_storage.delete(lu)
    default_storage.save(lu, ContentFile(json.dumps(extraction, ensure_ascii=False).encode()))
    lecture = Lecture(depot.sha256, depot.nom_original, depot.extension, extraction)
    if extraction.get("type") == "avenant":
        lecture.candidats = conventions_candidates(extraction)
    return lecture


def deposer(
    flux: BinaryIO, nom_original: str, progression: Callable[[int, int], None] | None = None
) -> Lecture:
    """Park and read at once (the command line). Raises ExtractionError on bad input."""
    depot = deposer_fichier(flux, nom_original)
    if depot.doublon is not None:
        return Lecture(depot.sha256, nom_original, depot.extension, {}, doublon=depot.doublon)
    try:
        return lire_depot(depot, progression=progression)
    except ExtractionError:
        default_storage.delete(chemin_attente(depot.sha256, depot.extension))
        raise


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
        with default_storage.open(_chemin_lecture(sha256, extension), "rb") as fichier:
            return dict(json.loads(fichier.read().decode("utf-8")))
    except (OSError, ValueError, RegleMetierError):
        return {}


def convention_identifiee(lecture: Lecture) -> Convention | None:
    return lecture.candidats[0] if len(lecture.candidats) == 1 else None


def _stocker(
    sha256: str,
    extension: str,
    nom_original: str,
    extraction: dict[str, Any],
    user: User,
    convention: Convention,
    avenant: Avenant | None = None,
) -> Document:
    chemin = chemin_attente(sha256, extension)
    if not default_storage.exists(chemin):
        raise RegleMetierError(
            "import_expire", "Le fichier déposé n'est plus disponible : recommencez le dépôt."
        )
    if Document.objects.filter(sha256=sha256).exists():
        raise RegleMetierError("document_deja_importe", "Ce document a déjà été importé.")
    lu = extraction_en_attente(sha256, extension) or extraction
    document = Document(
        convention=convention,
        avenant=avenant,
        # Shown only; the stored file is named by its SHA-256 and the deposit's checked type.
        nom_original=nom_affiche(nom_original, extension),
        sha256=sha256,
        taille=default_storage.size(chemin),
        extraction=lu,
        importe_par=user if getattr(user, "is_authenticated", False) else None,
    )
    with default_storage.open(chemin, "rb") as flux:
        document.fichier.save(f"{sha256}{extension}", flux, save=False)
    document.save()

    def nettoyer() -> None:
        default_storage.delete(chemin)
        default_storage.delete(_chemin_lecture(sha256, extension))

    transaction.on_commit(nettoyer)
    return document


def _montant(valeur: Any) -> Decimal | None:
    try:
        montant = Decimal(str(valeur))
    except (ArithmeticError, ValueError):
        return None
    return montant if montant.is_finite() and montant > 0 else None


def ligne_proposee(extraction: dict[str, Any]) -> dict[str, Any] | None:
    """A convention whose text gives one total amount and no yearly table: one schedule line
    is proposed, for the year the convention takes effect as far as the text tells (publication
    when it takes effect at publication and the date is known, else signature), to be confirmed
    by the user before import. None when the text has a table, no total or no date."""
    if extraction.get("type") == "avenant" or extraction.get("echeancier"):
        return None
    ae = _montant(extraction.get("montant_total_ae"))
    cp = _montant(extraction.get("montant_total_cp")) or ae
    if ae is None:
        return None
    quand = extraction.get("date_signature")
    if extraction.get("prise_effet") == "publication" and extraction.get("date_publication"):
        quand = extraction.get("date_publication")
    try:
        annee = _date(quand).year if quand else None  # type: ignore[union-attr]
    except RegleMetierError:
        annee = None
    if annee is None:
        return None
    return {"annee": annee, "ae": ae, "cp": cp}


def confirmer_convention(
    sha256: str, extension: str, nom_original: str, donnees: dict[str, Any], request: Any
) -> Convention:
    """Create the convention from the reviewed data (the contract's keys), then keep the file."""
    serializer = ConventionSerializer(data=pour_registre(donnees), context={"request": request})
    serializer.is_valid(raise_exception=True)
    with transaction.atomic():
        convention = serializer.save()
        _stocker(sha256, extension, nom_original, donnees, request.user, convention)
    return convention


def pour_registre(donnees: dict[str, Any]) -> dict[str, Any]:
    """The reading in the register's shape: earlier conventions kept as their texts."""
    from .forms import textes_precedents

    donnees = dict(donnees)
    if "conventions_precedentes" in donnees:
        donnees["conventions_precedentes"] = textes_precedents(donnees["conventions_precedentes"])
    return donnees


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
    user: User,
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
