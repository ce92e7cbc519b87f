"""Uploaded files: their type read from their first bytes (never from the client's name), and
the name shown for them (never a path)."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from io import BytesIO
from pathlib import PurePosixPath
from typing import Any, BinaryIO

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
