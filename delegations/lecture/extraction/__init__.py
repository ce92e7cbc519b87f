"""Pure-Python reader of conventions de délégation de gestion (no Django import here).

Public API: :func:`extract_file`, :func:`extract_text` and :class:`ExtractionError`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .document import doc_from_plain
from .errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    ExtractionError,
    FileTooLargeError,
    TesseractMissingError,
    UnsupportedFormatError,
    ZipBombError,
)
from .readers import Progression, read_file
from .rules import analyse

KEYS = (
    "type",
    "delegant",
    "delegataire",
    "objet",
    "services",
    "phases",
    "unite_operationnelle",
    "programme",
    "imputation",
    "echeancier",
    "montant_total_ae",
    "montant_total_cp",
    "date_signature",
    "prise_effet",
    "date_fin",
    "duree_mois",
    "preavis_mois",
    "compte_rendu",
    "conventions_precedentes",
    "bop",
    "cofinancements",
    "annexe_rgpd",
    "alertes",
    "sources",
)

__all__ = [
    "KEYS",
    "Progression",
    "CorruptFileError",
    "EmptyDocumentError",
    "EncryptedFileError",
    "ExtractionError",
    "FileTooLargeError",
    "TesseractMissingError",
    "UnsupportedFormatError",
    "ZipBombError",
    "extract_file",
    "extract_text",
]


def _ordered(result: dict[str, Any]) -> dict[str, Any]:
    return {key: result.get(key) for key in KEYS}


def extract_file(
    path: Path,
    *,
    max_bytes: int = 20_000_000,
    progression: Progression | None = None,
    processus: int | None = None,
    max_pages: int | None = None,
) -> dict[str, Any]:
    """Read a convention (.txt, .md, .docx, .pdf, scanned .pdf) into the contract dict.

    ``progression(fait, total)`` is called as PDF pages are read; scanned pages are read by
    ``processus`` processes (default LECTURE_PROCESSUS, else the CPU count); a PDF of more than
    ``max_pages`` pages (default LECTURE_MAX_PAGES, else 200) is refused.
    """
    doc = read_file(
        Path(path),
        max_bytes=max_bytes,
        progression=progression,
        processus=processus,
        max_pages=max_pages,
    )
    return _ordered(analyse(doc))


def extract_text(text: str, *, pages: list[str] | None = None) -> dict[str, Any]:
    """Read a convention given as text (or as a list of page texts)."""
    page_texts = pages if pages is not None else text.replace("\r\n", "\n").split("\f")
    doc = doc_from_plain(page_texts)
    if not any(line.text.strip() for line in doc.lines):
        raise EmptyDocumentError("Document vide : aucun texte à analyser.")
    return _ordered(analyse(doc))
