"""Long documents: progress page by page, OCR in parallel processes, a limit on pages."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from delegations.lecture.extraction import FileTooLargeError, extract_file
from delegations.lecture.extraction.readers import read_pdf

from .render import render_scan

PAGE = (
    "<p>Convention de délégation de gestion fictive, page {n}. La présente convention a pour "
    "objet de construire un service numérique d'essai, sans rapport avec un document réel.</p>"
)


def _pdf(dest: Path, pages: int) -> Path:
    from weasyprint import HTML

    corps = '<div style="break-after: page"></div>'.join(
        PAGE.format(n=n) for n in range(1, pages + 1)
    )
    HTML(string=f'<html lang="fr"><body>{corps}</body></html>').write_pdf(str(dest))
    return dest


def test_a_pdf_beyond_the_page_limit_is_refused_with_a_french_message(tmp_path):
    pdf = _pdf(tmp_path / "long.pdf", 3)
    with pytest.raises(FileTooLargeError) as erreur:
        extract_file(pdf, max_pages=2)
    assert "Document trop long : 3 pages" in erreur.value.message
    assert "LECTURE_MAX_PAGES" in erreur.value.message


def test_the_page_limit_reads_its_default_from_lecture_max_pages(tmp_path, monkeypatch):
    monkeypatch.setenv("LECTURE_MAX_PAGES", "2")
    with pytest.raises(FileTooLargeError):
        read_pdf(_pdf(tmp_path / "long.pdf", 3))


def test_progress_is_reported_page_by_page_up_to_the_total(tmp_path):
    vus: list[tuple[int, int]] = []
    read_pdf(_pdf(tmp_path / "c.pdf", 3), progression=lambda fait, total: vus.append((fait, total)))
    assert vus == [(1, 3), (2, 3), (3, 3)]


@pytest.mark.scan
def test_scanned_pages_read_in_parallel_give_the_same_text_in_page_order(tmp_path):
    if not shutil.which("tesseract"):
        pytest.skip("tesseract absent : OCR non testé (paquets tesseract-ocr, tesseract-ocr-fra)")
    scan = render_scan(_pdf(tmp_path / "c.pdf", 2), tmp_path / "c.scan.pdf")
    vus: list[tuple[int, int]] = []
    parallele = read_pdf(scan, processus=2, progression=lambda f, t: vus.append((f, t)))
    sequentiel = read_pdf(scan, processus=1)
    assert [ligne.text for ligne in parallele.lines] == [ligne.text for ligne in sequentiel.lines]
    assert {ligne.page for ligne in parallele.lines if "page 2" in ligne.text} == {2}
    assert vus[-1] == (2, 2)
