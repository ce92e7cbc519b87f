"""Bad input: every error case gives a clear French ExtractionError, never a traceback."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from delegations.lecture.extraction import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    ExtractionError,
    FileTooLargeError,
    TesseractMissingError,
    UnsupportedFormatError,
    ZipBombError,
    extract_file,
    extract_text,
    readers,
)

from .helpers import fictional

# A tiny PDF encrypted with the standard security handler (RC4 40 bits, user password "x").
ENCRYPTED_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"3 0 obj<</Filter/Standard/V 1/R 2/O<"
    + b"00" * 32
    + b"> /U<"
    + b"11" * 32
    + b">/P -4>>endobj\n"
    b"trailer<</Root 1 0 R/Encrypt 3 0 R/ID[<0123456789abcdef0123456789abcdef>"
    b"<0123456789abcdef0123456789abcdef>]>>\n%%EOF\n"
)


def test_unknown_file_type_raises_unsupported_format(tmp_path: Path) -> None:
    path = tmp_path / "convention.odp"
    path.write_text("bonjour")
    with pytest.raises(UnsupportedFormatError, match="non pris en charge"):
        extract_file(path)


def test_corrupt_pdf_raises_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "abime.pdf"
    path.write_bytes(b"%PDF-1.7\n garbage garbage \x00\x01\x02")
    with pytest.raises(CorruptFileError, match="corrompu"):
        extract_file(path)


def test_pdf_that_opens_but_whose_page_cannot_load_raises_corrupt_file(tmp_path: Path) -> None:
    # Found by `make fuzz`: a damaged file whose page tree points to a missing object.
    path = tmp_path / "page-manquante.pdf"
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    with pytest.raises(CorruptFileError, match="page 1"):
        extract_file(path)


def test_encrypted_pdf_raises_encrypted_file(tmp_path: Path) -> None:
    path = tmp_path / "chiffre.pdf"
    path.write_bytes(ENCRYPTED_PDF)
    with pytest.raises(EncryptedFileError, match="chiffré") as info:
        extract_file(path)
    assert isinstance(info.value, ExtractionError)


def test_empty_text_file_raises_empty_document(tmp_path: Path) -> None:
    path = tmp_path / "vide.txt"
    path.write_text("  \n\n ")
    with pytest.raises(EmptyDocumentError, match="vide"):
        extract_file(path)
    with pytest.raises(EmptyDocumentError):
        extract_text("   ")


def test_empty_docx_raises_empty_document(tmp_path: Path) -> None:
    import docx

    path = tmp_path / "vide.docx"
    docx.Document().save(str(path))
    with pytest.raises(EmptyDocumentError):
        extract_file(path)


def test_docx_zip_bomb_is_refused_before_decompression(tmp_path: Path) -> None:
    path = tmp_path / "bombe.docx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * 1_000_000
            for _ in range(260):  # 260 MB of zeros, a few hundred KB compressed
                member.write(chunk)
    assert path.stat().st_size < 2_000_000
    with pytest.raises(ZipBombError, match="bombe zip"):
        extract_file(path)


def test_not_a_zip_docx_raises_corrupt_file(tmp_path: Path) -> None:
    path = tmp_path / "faux.docx"
    path.write_bytes(b"ceci n'est pas un zip")
    with pytest.raises(CorruptFileError):
        extract_file(path)


def test_file_larger_than_limit_raises_file_too_large(tmp_path: Path) -> None:
    path = tmp_path / "gros.txt"
    path.write_text(fictional())
    with pytest.raises(FileTooLargeError, match="trop volumineux"):
        extract_file(path, max_bytes=100)


def test_missing_tesseract_names_the_debian_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    readers.tesseract_binary.cache_clear()
    monkeypatch.setattr(readers.shutil, "which", lambda name: None)
    try:
        with pytest.raises(TesseractMissingError) as info:
            readers.tesseract_binary()
    finally:
        readers.tesseract_binary.cache_clear()
    assert "tesseract-ocr" in info.value.message and "tesseract-ocr-fra" in info.value.message


def test_scanned_pdf_without_tesseract_raises_tesseract_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument.new()
    pdf.new_page(200, 200)
    buffer = io.BytesIO()
    pdf.save(buffer)
    path = tmp_path / "scan.pdf"
    path.write_bytes(buffer.getvalue())
    readers.tesseract_binary.cache_clear()
    monkeypatch.setattr(readers.shutil, "which", lambda name: None)
    try:
        with pytest.raises(TesseractMissingError):
            extract_file(path)
    finally:
        readers.tesseract_binary.cache_clear()


def test_valid_text_file_still_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.md"
    path.write_text(fictional())
    assert extract_file(path)["delegant"]["sigle"] == "MPB"
