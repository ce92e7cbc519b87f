"""Turn a file (txt, md, docx, pdf with or without text layer) into a :class:`Doc`."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .cleanup import clean_page
from .document import Doc, Line, Table, clean_markup, doc_from_plain
from .errors import (
    CorruptFileError,
    EmptyDocumentError,
    EncryptedFileError,
    FileTooLargeError,
    TesseractMissingError,
    UnsupportedFormatError,
    ZipBombError,
)
from .textutil import clean_ocr_text

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
MAX_UNCOMPRESSED = 200_000_000  # total uncompressed size allowed in a DOCX
MAX_RATIO = 200  # compression ratio beyond which a big member is a bomb
OCR_DPI = 300


# Called as pages are read: (pages read, pages in the document).
Progression = Callable[[int, int], None]


def _env_int(name: str, default: int) -> int:
    try:
        return max(1, int(os.environ.get(name, "") or default))
    except ValueError:
        return default


def read_file(
    path: Path,
    *,
    max_bytes: int = 20_000_000,
    progression: Progression | None = None,
    processus: int | None = None,
    max_pages: int | None = None,
) -> Doc:
    path = Path(path)
    if not path.is_file():
        raise UnsupportedFormatError(f"Fichier introuvable : {path.name}")
    size = path.stat().st_size
    if size > max_bytes:
        raise FileTooLargeError(
            f"Fichier trop volumineux : {path.name} ({size} octets, limite {max_bytes} octets)"
        )
    if size == 0:
        raise EmptyDocumentError(f"Document vide : {path.name}")
    suffix = path.suffix.lower()
    with path.open("rb") as fh:
        head = fh.read(1024)
    if suffix == ".pdf" or head.startswith(b"%PDF"):
        doc = read_pdf(path, progression=progression, processus=processus, max_pages=max_pages)
    elif suffix == ".docx":
        doc = read_docx(path, max_bytes=max_bytes)
    elif suffix in TEXT_SUFFIXES:
        doc = read_text(path)
    else:
        raise UnsupportedFormatError(
            f"Type de fichier non pris en charge : « {path.suffix or path.name} » "
            "(formats acceptés : .txt, .md, .docx, .pdf)"
        )
    if not any(line.text.strip() for line in doc.lines):
        raise EmptyDocumentError(f"Document vide : aucun texte lisible dans {path.name}")
    return doc


# ---------------------------------------------------------------------------
# Plain text
# ---------------------------------------------------------------------------


def read_text(path: Path) -> Doc:
    data = path.read_bytes()
    if b"\x00" in data[:4096]:
        raise CorruptFileError(f"Fichier texte illisible (contenu binaire) : {path.name}")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return doc_from_plain(text.split("\f"))


# ---------------------------------------------------------------------------
# DOCX
# ---------------------------------------------------------------------------


def check_zip(path: Path, *, max_bytes: int) -> None:
    """Refuse zip bombs by looking at the declared sizes before any decompression."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise CorruptFileError(f"Document Word illisible ou corrompu : {path.name}") from exc
    total = 0
    limit = max(MAX_UNCOMPRESSED, max_bytes)
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > limit or (info.file_size > 5_000_000 and ratio > MAX_RATIO):
            raise ZipBombError(
                f"Document Word refusé : contenu compressé suspect (bombe zip) dans {path.name}"
            )
    names = {i.filename for i in infos}
    if "word/document.xml" not in names:
        raise CorruptFileError(f"Document Word illisible ou corrompu : {path.name}")


def read_docx(path: Path, *, max_bytes: int = 20_000_000) -> Doc:
    check_zip(path, max_bytes=max_bytes)
    try:
        import docx
        from docx.table import Table as DocxTable

        document = docx.Document(str(path))
        blocks = list(document.iter_inner_content())
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds of errors
        raise CorruptFileError(f"Document Word illisible ou corrompu : {path.name}") from exc
    lines: list[Line] = []
    tables: list[Table] = []
    no = 0
    for block in blocks:
        if isinstance(block, DocxTable):
            rows: list[list[str]] = []
            start = no + 1
            for row in block.rows:
                seen: set[int] = set()
                cells: list[str] = []
                for cell in row.cells:
                    if id(cell._tc) in seen:
                        continue
                    seen.add(id(cell._tc))
                    cells.append(clean_markup(" ".join(p.text for p in cell.paragraphs)).strip())
                rows.append(cells)
                no += 1
                lines.append(Line(1, no, "\t".join(cells), cells))
            tables.append(Table(1, start, rows))
        else:
            for raw in block.text.split("\n"):
                no += 1
                lines.append(Line(1, no, clean_markup(raw)))
    return Doc(lines, tables)


# ---------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------

_TABLE_HINT = re.compile(
    r"^\s*(?:ann[ée]e\s+)?(?:AE\s+CP|CP\s+AE)\s*$|^\s*(?:19|20)\d\d\s+[\d ]{3,}",
    re.MULTILINE | re.IGNORECASE,
)


def _open_pdf(path: Path) -> Any:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        msg = str(exc).lower()
        if "password" in msg:
            raise EncryptedFileError(
                f"PDF chiffré ou protégé par mot de passe : {path.name}"
            ) from exc
        raise CorruptFileError(f"PDF illisible ou corrompu : {path.name}") from exc


def read_pdf(
    path: Path,
    *,
    progression: Progression | None = None,
    processus: int | None = None,
    max_pages: int | None = None,
) -> Doc:
    import pypdfium2 as pdfium
    from pypdfium2 import raw as pdfium_raw

    max_pages = max_pages or _env_int("LECTURE_MAX_PAGES", 200)
    pdf = _open_pdf(path)
    index = 0
    try:
        if len(pdf) == 0:
            raise EmptyDocumentError(f"Document vide : {path.name}")
        if len(pdf) > max_pages:
            raise FileTooLargeError(
                f"Document trop long : {len(pdf)} pages, au-delà de la limite de {max_pages} "
                "pages (LECTURE_MAX_PAGES). Importez la convention sans ses annexes volumineuses, "
                "ou demandez à l'administrateur de relever la limite."
            )
        page_texts: list[str] = []
        scanned: list[int] = []
        table_pages: list[int] = []
        rect_tables: list[Table] = []
        for index in range(len(pdf)):
            page = pdf[index]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if len(text.strip()) < 20:
                scanned.append(index)
            elif _TABLE_HINT.search(text):
                # Cheap layout from PDFium text rectangles; pdfplumber only if that fails.
                found = _rect_schedule(page, index + 1)
                if found is not None:
                    rect_tables.append(found)
                else:
                    paths = sum(
                        1 for o in page.get_objects() if o.type == pdfium_raw.FPDF_PAGEOBJ_PATH
                    )
                    if paths >= 4:
                        table_pages.append(index)
            page_texts.append(text)
            page.close()
            if progression is not None:
                # Pages with a text layer are read; scanned ones are counted once OCR'd.
                progression(index + 1 - len(scanned), len(pdf))
        ocr = False
        if scanned:
            lues = len(pdf) - len(scanned)

            def page_lue(fait: int) -> None:
                if progression is not None:
                    progression(lues + fait, len(pdf))

            ocr_texts = ocr_pages(
                pdf, scanned, path=path, processus=processus, progression=page_lue
            )
            for index, text in zip(scanned, ocr_texts, strict=True):
                page_texts[index] = clean_ocr_text(text)
            ocr = len(scanned) * 2 >= len(pdf)
    except pdfium.PdfiumError as exc:
        # A page whose objects PDFium cannot load (a damaged file that still opens).
        raise CorruptFileError(
            f"PDF illisible ou corrompu (page {index + 1}) : {path.name}"
        ) from exc
    finally:
        pdf.close()
    doc = doc_from_plain(page_texts, ocr=ocr)
    doc.tables.extend(rect_tables)
    if table_pages:
        doc.tables.extend(_plumber_tables(path, table_pages))
    return doc


_AE = re.compile(r"^\W*(?:AE|autorisations?\s+d'engagement)\b", re.IGNORECASE)
_CP = re.compile(r"^\W*(?:CP|cr[ée]dits?\s+de\s+paiement)\b", re.IGNORECASE)
_YEAR = re.compile(r"^\W*(?:ann[ée]e\s*)?((?:19|20)\d\d)\W*$", re.IGNORECASE)


def _rect_schedule(page: Any, pno: int) -> Table | None:
    """Rebuild a year × (AE, CP) schedule from PDFium text rectangles (keeps empty cells)."""
    textpage = page.get_textpage()
    try:
        rects = []
        for i in range(textpage.count_rects()):
            left, bottom, right, top = textpage.get_rect(i)
            text = textpage.get_text_bounded(left, bottom, right, top).strip()
            if text:
                rects.append((top, left, right, text))
    finally:
        textpage.close()
    ae = next((r for r in rects if _AE.match(r[3]) and len(r[3]) < 40), None)
    cp = next((r for r in rects if _CP.match(r[3]) and len(r[3]) < 40), None)
    if ae is None or cp is None or abs(ae[0] - cp[0]) > 3:
        return None
    header_top = ae[0]
    columns = sorted([("AE", ae[1]), ("CP", cp[1])], key=lambda c: c[1])
    first_col = columns[0][1]
    years = [
        r for r in rects if r[0] < header_top - 1 and r[1] < first_col - 2 and _YEAR.match(r[3])
    ]
    years.sort(key=lambda r: -r[0])
    if not years:
        return None
    # The table ends at the first full-width line of prose below the last year.
    below = [r for r in rects if r[0] < years[-1][0] - 1 and r[1] < first_col - 2]
    floor = max((r[0] for r in below), default=-1e9)
    rows: list[list[str]] = [["", *[name for name, _ in columns]]]
    for k, year in enumerate(years):
        lower = years[k + 1][0] if k + 1 < len(years) else floor
        cells: dict[str, list[str]] = {name: [] for name, _ in columns}
        for top, left, _right, text in sorted(rects, key=lambda r: (-r[0], r[1])):
            if not (lower + 1 < top <= year[0] + 1) or left < first_col - 2:
                continue
            name = min(columns, key=lambda c: abs(c[1] - left))[0]
            cells[name].append(text)
        year_match = _YEAR.match(year[3])
        label = year_match.group(1) if year_match else year[3]
        rows.append([label, *[" ".join(cells[n]) for n, _ in columns]])
    return Table(pno, 0, rows)


def _plumber_tables(path: Path, pages: list[int]) -> list[Table]:
    """Read real tables with pdfplumber, only on the pages that hold a schedule."""
    try:
        import pdfplumber
    except ImportError:  # pragma: no cover - declared dependency
        return []
    out: list[Table] = []
    try:
        with pdfplumber.open(str(path)) as pl:
            for index in pages:
                page = pl.pages[index]
                for table in page.find_tables():
                    rows = [
                        [clean_markup(re.sub(r"\s+", " ", c or "")).strip() for c in row]
                        for row in table.extract()
                    ]
                    out.append(Table(index + 1, 0, rows))
    except Exception:  # noqa: BLE001 - tables are a refinement, text is already read
        return out
    return out


# ---------------------------------------------------------------------------
# OCR
# ---------------------------------------------------------------------------


@functools.cache
def tesseract_binary() -> str:
    exe = shutil.which("tesseract")
    message = (
        "Document scanné sans couche texte : la reconnaissance de caractères nécessite "
        "tesseract. Installez les paquets Debian tesseract-ocr et tesseract-ocr-fra "
        "(apt-get install tesseract-ocr tesseract-ocr-fra)."
    )
    if not exe:
        raise TesseractMissingError(message)
    try:
        langs = subprocess.run(  # noqa: S603 - fixed argument list
            [exe, "--list-langs"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as exc:
        raise TesseractMissingError(message) from exc
    if "fra" not in (langs.stdout + langs.stderr).split():
        raise TesseractMissingError(message)
    return exe


def remove_rules(image: Any) -> Any:
    """Erase long horizontal and vertical rules (table borders) that derail OCR."""
    from PIL import Image

    def strip(img: Any) -> Any:
        w, h = img.size
        min_len = max(80, w // 15)
        raw = bytearray(img.tobytes())
        bits = bytes(raw).translate(bytes(49 if v < 160 else 48 for v in range(256)))
        for m in re.finditer(rb"1{%d,}" % min_len, bits):
            s, e = m.span()
            for r in range(s // w, (e - 1) // w + 1):
                a, b = max(s, r * w), min(e, (r + 1) * w)
                if b - a >= min_len:
                    raw[a:b] = b"\xff" * (b - a)
        return Image.frombytes("L", (w, h), bytes(raw))

    image = strip(image.convert("L"))
    rotated = strip(image.transpose(Image.Transpose.ROTATE_90))
    return rotated.transpose(Image.Transpose.ROTATE_270)


def prepare_page(image: Any) -> Any:
    """A rendered scan ready for OCR: levelled and binarised (:mod:`.cleanup`), table rules
    erased."""
    return remove_rules(clean_page(image))


def _ocr_image(exe: str, image: Any, png: Path) -> str:
    image.save(png)
    try:
        proc = subprocess.run(  # noqa: S603 - fixed argument list
            [exe, str(png), "-", "-l", "fra", "--psm", "6"],
            capture_output=True,
            text=True,
            env=dict(os.environ, OMP_THREAD_LIMIT="1"),
            timeout=300,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise CorruptFileError(
            "La reconnaissance de caractères d'une page a dépassé 5 minutes : le serveur est "
            "surchargé ou la page est illisible. Relancez l'import un peu plus tard."
        ) from exc
    if proc.returncode != 0:
        raise CorruptFileError(
            f"Échec de la reconnaissance de caractères (tesseract) : {proc.stderr.strip()[:200]}"
        )
    return proc.stdout


_PDF_OUVERTS: dict[str, Any] = {}


def _ocr_page_processus(path: str, index: int) -> str:
    """One scanned page, read in a pool process (the PDF is opened once per process)."""
    import pypdfium2 as pdfium

    exe = tesseract_binary()
    pdf = _PDF_OUVERTS.get(path)
    if pdf is None:
        _PDF_OUVERTS.clear()
        pdf = _PDF_OUVERTS[path] = pdfium.PdfDocument(path)
    page = pdf[index]
    image = prepare_page(page.render(scale=OCR_DPI / 72, grayscale=True).to_pil())
    page.close()
    with tempfile.TemporaryDirectory(prefix="lecture-ocr-") as tmp:
        return _ocr_image(exe, image, Path(tmp) / f"p{index}.png")


def ocr_pages(
    pdf: Any,
    indexes: list[int],
    *,
    path: Path | None = None,
    processus: int | None = None,
    progression: Callable[[int], None] | None = None,
) -> list[str]:
    """OCR the given pages; in parallel processes (LECTURE_PROCESSUS) when there are several."""
    exe = tesseract_binary()
    processus = processus or _env_int("LECTURE_PROCESSUS", os.cpu_count() or 1)
    if path is not None and processus > 1 and len(indexes) > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed

        # forkserver: no fork of a process holding threads or database connections.
        contexte = multiprocessing.get_context("forkserver")
        contexte.set_forkserver_preload([__name__])
        textes: dict[int, str] = {}
        with ProcessPoolExecutor(min(processus, len(indexes)), mp_context=contexte) as pool:
            futures = {pool.submit(_ocr_page_processus, str(path), i): i for i in indexes}
            for fait, future in enumerate(as_completed(futures), start=1):
                textes[futures[future]] = future.result()
                if progression is not None:
                    progression(fait)
        return [textes[i] for i in indexes]
    out: list[str] = []
    with tempfile.TemporaryDirectory(prefix="lecture-ocr-") as tmp:
        for fait, index in enumerate(indexes, start=1):
            page = pdf[index]
            bitmap = page.render(scale=OCR_DPI / 72, grayscale=True)
            image = prepare_page(bitmap.to_pil())
            page.close()
            out.append(_ocr_image(exe, image, Path(tmp) / f"p{index}.png"))
            if progression is not None:
                progression(fait)
    return out
