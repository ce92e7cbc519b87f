"""A signed copy comes back: check it is a PDF, read it, compare it with the register."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction

from delegations.conventions.models import Avenant, Convention
from delegations.core.errors import RegleMetierError
from delegations.core.models import User, journaliser
from delegations.lecture.extraction import ExtractionError, extract_file

from .comparaison import attendu_avenant, attendu_convention, comparer
from .models import CopieSignee
from .signatures import date_derniere_signature, verifier_signatures

SIGNATURE_PDF = b"%PDF-"


def lire_flux(flux: BinaryIO) -> bytes:
    limite = settings.LECTURE_MAX_BYTES
    contenu = flux.read(limite + 1)
    if len(contenu) > limite:
        raise RegleMetierError(
            "copie_trop_volumineuse",
            f"Fichier trop volumineux : plus de {limite // 1_000_000} Mo (limite LECTURE_MAX_BYTES).",
        )
    return contenu


def verifier_pdf(contenu: bytes) -> None:
    """The content decides, never the name or the type the browser sends."""
    if not contenu.startswith(SIGNATURE_PDF):
        raise RegleMetierError(
            "copie_pas_pdf",
            "Le fichier déposé n'est pas un PDF (son contenu ne commence pas par « %PDF- ») : "
            "déposez la copie signée au format PDF.",
        )


def deposer_copie(
    convention: Convention,
    avenant: Avenant | None,
    contenu: bytes,
    user: User,
    nom_affiche: str = "",
) -> CopieSignee:
    verifier_pdf(contenu)
    with tempfile.TemporaryDirectory(prefix="redaction-copie-") as dossier:
        chemin = Path(dossier) / "copie.pdf"
        chemin.write_bytes(contenu)
        try:
            extraction = extract_file(chemin, max_bytes=settings.LECTURE_MAX_BYTES)
        except ExtractionError as exc:
            raise RegleMetierError("copie_illisible", f"Copie illisible : {exc.message}") from exc
    signatures = verifier_signatures(contenu)
    date_pades = date_derniere_signature(signatures)
    date_texte = extraction.get("date_signature")
    if date_pades is not None:
        date_signature, source = date_pades, "signature électronique"
    elif date_texte:
        date_signature, source = dt.date.fromisoformat(date_texte), "texte du document"
    else:
        date_signature, source = None, ""
    attendu = attendu_avenant(avenant) if avenant else attendu_convention(convention)
    # The signature date is compared with the date read (electronic signature first).
    lu = {**extraction, "date_signature": date_signature.isoformat() if date_signature else None}
    if "date_signature" not in attendu:
        lu.pop("date_signature")
    champs = comparer(attendu, lu)
    conforme = all(c.ok for c in champs) and not any(s["modifie_depuis"] for s in signatures)
    copie = CopieSignee(
        convention=convention,
        avenant=avenant,
        nom_affiche=(nom_affiche or "")[:255],
        sha256=hashlib.sha256(contenu).hexdigest(),
        taille=len(contenu),
        extraction={k: v for k, v in extraction.items() if k != "sources"},
        champs=[c.as_dict() for c in champs],
        conforme=conforme,
        date_signature=date_signature,
        source_date=source,
        signatures=signatures,
        deposee_par=user if getattr(user, "is_authenticated", False) else None,
    )
    quoi = f"de l'avenant n° {avenant.numero}" if avenant else "de la convention"
    ecarts = [c.libelle for c in champs if not c.ok]
    with transaction.atomic():
        copie.fichier.save("copie.pdf", ContentFile(contenu), save=False)
        copie.save()
        journaliser(
            convention,
            user,
            "copie_signee",
            f"Copie signée {quoi} déposée : "
            + ("conforme au registre" if conforme else f"{len(ecarts)} écart(s)"),
            {"copie": copie.pk, "sha256": copie.sha256, "ecarts": ecarts},
        )
    return copie


def enregistrer_signature(copie: CopieSignee, user: User) -> Convention:
    """A draft convention (or draft avenant) whose signed copy is conforme takes the copy's
    signature date and is signed, through the register's own write functions."""
    from delegations.conventions.ecriture import (
        appliquer_transition,
        enregistrer_convention,
        signer_avenant,
    )
    from delegations.conventions.models import Statut, StatutAvenant

    convention = copie.convention
    if not copie.conforme or copie.date_signature is None:
        raise RegleMetierError(
            "copie_non_conforme",
            "Seule une copie conforme au registre, dont la date de signature est lue, peut "
            "enregistrer la signature.",
        )
    if copie.avenant is not None:
        if copie.avenant.statut != StatutAvenant.BROUILLON:
            raise RegleMetierError(
                "avenant_deja_signe", "L'avenant est déjà signé dans le registre."
            )
        signer_avenant(copie.avenant, user, copie.date_signature)
        convention.refresh_from_db()
        return convention
    if convention.statut != Statut.BROUILLON:
        raise RegleMetierError(
            "convention_deja_signee", "La convention est déjà signée dans le registre."
        )
    with transaction.atomic():
        convention = enregistrer_convention(
            {"date_signature": copie.date_signature}, user, convention
        )
        return appliquer_transition(convention, "signer", user)
