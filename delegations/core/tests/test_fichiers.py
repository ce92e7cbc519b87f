"""A file's type comes from its content; the name shown for it is never a path."""

from __future__ import annotations

import io
import zipfile

import pytest

from delegations.core.fichiers import nom_affiche, type_reel


def zip_avec(**fichiers: bytes) -> bytes:
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w") as archive:
        for nom, contenu in fichiers.items():
            archive.writestr(nom.replace("__", "/"), contenu)
    return tampon.getvalue()


@pytest.mark.parametrize(
    ("contenu", "attendu"),
    [
        (b"%PDF-1.7\n", ".pdf"),
        (b"\x89PNG\r\n\x1a\n....", ".png"),
        (b"\xff\xd8\xff\xe0....", ".jpg"),
        (zip_avec(word__document_xml=b"<w/>"), None),
        (zip_avec(**{"word__document.xml": b"<w/>"}), ".docx"),
        (zip_avec(**{"xl__workbook.xml": b"<w/>"}), ".xlsx"),
        (zip_avec(mimetype=b"application/vnd.oasis.opendocument.text"), ".odt"),
        (zip_avec(mimetype=b"application/vnd.oasis.opendocument.spreadsheet"), ".ods"),
        (b"<script>alert(1)</script>", ".txt"),
        (b"\x00\x01binaire", None),
        (b"PK\x03\x04 pas une archive", None),
    ],
)
def test_the_type_is_read_from_the_first_bytes(contenu: bytes, attendu: str | None) -> None:
    flux = io.BytesIO(contenu)
    assert type_reel(flux) == attendu
    assert flux.tell() == 0


@pytest.mark.parametrize(
    ("nom", "attendu"),
    [
        ("a.pdf/../../../../tmp/x", "x.pdf"),
        ("..\\..\\windows\\avenant.pdf", "avenant.pdf"),
        ("avenant.html", "avenant.html.pdf"),
        ("convention.PDF", "convention.PDF"),
        ("", "document.pdf"),
        ("a\x00b\nc.pdf", "abc.pdf"),
    ],
)
def test_the_shown_name_is_never_a_path(nom: str, attendu: str) -> None:
    assert nom_affiche(nom, ".pdf") == attendu
