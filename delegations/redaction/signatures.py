"""Electronic signatures (PAdES) embedded in a PDF, checked with pyHanko.

For each signature: who signed (the certificate's subject), when (the time the signer
declares), whether the signed bytes are intact, and whether the document was modified after it
was signed (the signature must cover the whole file, or the later revisions must change nothing
but signature fields). Whether the certificate chains to a trusted authority is reported apart:
no trust list is configured here, so it is shown as not checked rather than as valid.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

logger = logging.getLogger(__name__)


def _signataire(status: Any) -> str:
    cert = getattr(status, "signing_cert", None)
    if cert is None:
        return ""
    sujet = cert.subject.native
    nom = sujet.get("common_name") or ""
    organisation = sujet.get("organization_name") or ""
    return f"{nom} ({organisation})" if nom and organisation else nom or organisation


def verifier_signatures(contenu: bytes) -> list[dict[str, Any]]:
    """One entry per embedded signature; [] when the PDF carries none."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    try:
        lecteur = PdfFileReader(io.BytesIO(contenu), strict=False)
        signatures = list(lecteur.embedded_signatures)
    except Exception as exc:  # noqa: BLE001 - a damaged PDF must not break the upload
        logger.info("Signatures illisibles : %s", exc)
        return []
    resultats: list[dict[str, Any]] = []
    for signature in signatures:
        entree: dict[str, Any] = {
            "champ": signature.field_name,
            "signataire": "",
            "date": None,
            "intact": False,
            "valide": False,
            "couvre_tout": False,
            "modifie_depuis": True,
            "confiance_verifiee": False,
            "erreur": "",
        }
        try:
            # No trust roots and no network: integrity and coverage are checked, trust is not.
            contexte = ValidationContext(trust_roots=[], allow_fetching=False)
            status = validate_pdf_signature(signature, signer_validation_context=contexte)
        except (SignatureValidationError, ValueError, KeyError, TypeError) as exc:
            entree["erreur"] = f"Signature illisible : {exc}"
            resultats.append(entree)
            continue
        date = status.signer_reported_dt
        couvre_tout = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        niveau = getattr(status, "modification_level", None)
        sans_modification = couvre_tout or (
            niveau is not None and niveau.name in ("NONE", "LTA_UPDATES")
        )
        entree.update(
            {
                "signataire": _signataire(status),
                "date": date.isoformat() if isinstance(date, dt.datetime) else None,
                "intact": bool(status.intact),
                "valide": bool(status.intact and status.valid),
                "couvre_tout": couvre_tout,
                "modifie_depuis": not (status.intact and sans_modification),
                "confiance_verifiee": bool(status.trusted),
            }
        )
        resultats.append(entree)
    return resultats


def date_derniere_signature(signatures: list[dict[str, Any]]) -> dt.date | None:
    """The date of the last electronic signature (the last signature dates the text)."""
    from django.utils import timezone

    dates = [dt.datetime.fromisoformat(s["date"]) for s in signatures if s.get("date")]
    if not dates:
        return None
    derniere = max(dates)
    if timezone.is_aware(derniere):
        derniere = timezone.localtime(derniere)
    return derniere.date()
