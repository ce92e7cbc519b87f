"""Uploaded files: their type read from their first bytes (never from the client's name), the
name shown for them (never a path), the name they are stored under (drawn here) and their
download (an attachment, typed from the allow-list)."""

from __future__ import annotations

import re
import unicodedata
import uuid
import zipfile
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any, BinaryIO

from django.conf import settings
from django.http import FileResponse, Http404

from .errors import RegleMetierError

TYPES_MIME = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".txt": "text/plain",
    ".md": "text/markdown",
}


def type_reel(flux: BinaryIO | Any) -> str | None:
    """The extension that the content proves (magic bytes), or None. The stream is rewound."""
    position = flux.tell()
    debut = flux.read(8192)
    flux.seek(position)
    if debut.startswith(b"%PDF-"):
        return ".pdf"
    if debut.startswith(b"\x89PNG\r\n\x1a\n"):
        return ".png"
    if debut.startswith(b"\xff\xd8\xff"):
        return ".jpg"
    if debut.startswith(b"PK\x03\x04"):
        contenu = flux.read()
        flux.seek(position)
        try:
            with zipfile.ZipFile(BytesIO(contenu)) as archive:
                noms = set(archive.namelist())
                if "mimetype" in noms:
                    mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                    return {TYPES_MIME[".odt"]: ".odt", TYPES_MIME[".ods"]: ".ods"}.get(mimetype)
                if "word/document.xml" in noms:
                    return ".docx"
                if "xl/workbook.xml" in noms:
                    return ".xlsx"
        except zipfile.BadZipFile:
            return None
        return None
    if b"\x00" in debut:
        return None
    try:
        debut.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut at the end of the sample is still text.
        if exc.start < len(debut) - 4:
            return None
    return ".txt"


def nom_affiche(nom_client: str, extension: str) -> str:
    """The name shown for a file: the last part of what the client sent, without control or
    path characters, ending with the extension its content proved (``a.html`` → ``a.html.txt``)."""
    base = PurePosixPath(nom_client.replace("\\", "/")).name
    base = "".join(c for c in base if unicodedata.category(c)[0] != "C")
    base = re.sub(r'[<>:"/\\|?*]', "_", base).strip(" .") or "document"
    if not base.lower().endswith(extension):
        base = f"{base}{extension}"
    return base[-120:]


# --- attached files (livrables, committee supports and records, proofs) ------------------------
# The types accepted for a file attached to a movement, a committee or an obligation, proved by
# the content (``type_reel``); the stored name is drawn here, never taken from the client.
TYPES_PIECES = (".pdf", ".docx", ".odt", ".xlsx", ".ods", ".png", ".jpg")
LIBELLES_TYPES = "PDF, DOCX, ODT, XLSX, ODS, PNG ou JPEG"


def verifier_piece(flux: BinaryIO | Any, libelle: str = "Le fichier") -> str:
    """The extension the content proves, if it is one of ``TYPES_PIECES`` and the file is not
    larger than ``LECTURE_MAX_BYTES``; else ``RegleMetierError`` with a French message."""
    taille = getattr(flux, "size", None)
    limite = settings.LECTURE_MAX_BYTES
    if taille is not None and taille > limite:
        raise RegleMetierError(
            "fichier_trop_gros",
            f"{libelle} dépasse la taille admise ({limite // 1_000_000} Mo).",
        )
    reel = type_reel(flux)
    if reel not in TYPES_PIECES:
        raise RegleMetierError(
            "type_fichier_refuse",
            f"{libelle} doit être un {LIBELLES_TYPES} : son contenu n'est d'aucun de ces types "
            "(le nom et l'extension du fichier ne comptent pas).",
        )
    return reel


def nom_stocke(extension: str) -> str:
    """A stored name drawn at random, with the extension the content proved."""
    return f"{uuid.uuid4().hex}{extension}"


def preparer_piece(fichier: Any, libelle: str = "Le fichier") -> None:
    """For a model's file field holding a new upload (not yet saved): check its content and
    replace the client's name by a drawn one, before the model is saved."""
    if not fichier or getattr(fichier, "_committed", True):
        return
    fichier.name = nom_stocke(verifier_piece(fichier.file, libelle))


def reponse_piece(fichier: Any, nom: str, types: tuple[str, ...] = TYPES_PIECES) -> FileResponse:
    """Download of a stored file: always an attachment, typed from its content when the type is
    allowed (else ``application/octet-stream``), never sniffed by the browser; 404 if absent."""
    if not fichier:
        raise Http404("Aucun fichier.")
    try:
        flux = fichier.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404("Fichier introuvable.") from exc
    reel = type_reel(flux)
    if reel in types:
        type_mime, extension = TYPES_MIME[reel], reel
    else:  # stored before the allow-list: served as bytes, never as a page
        type_mime, extension = "application/octet-stream", ".bin"
    reponse = FileResponse(
        flux, as_attachment=True, filename=f"{nom}{extension}", content_type=type_mime
    )
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse
