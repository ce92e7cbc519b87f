"""Fictional conventions in other templates than the corpus, in every rendering.

Each ``documents/*.txt|md`` holds a full-length fictional convention or amendment, with the
expected contract beside it (``*.json``, same keys as the corpus expectations). The PDF (with
a text layer) and DOCX renderings are produced at run time; the scanned rendering (OCR) is
marked ``scan`` (a few seconds per page).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from delegations.lecture.extraction import KEYS, extract_file

from .render import render_docx, render_pdf, render_scan

DOCUMENTS = Path(__file__).resolve().parent / "documents"
FIXTURES = sorted(p for p in DOCUMENTS.iterdir() if p.suffix in (".txt", ".md"))

_cache: dict[tuple[str, str], dict[str, Any]] = {}


def _read(source: Path, rendering: str, tmp: Path) -> dict[str, Any]:
    key = (source.name, rendering)
    if key not in _cache:
        if rendering == "source":
            path = source
        elif rendering == "pdf":
            path = render_pdf(source, tmp / f"{source.stem}.pdf")
        elif rendering == "docx":
            path = render_docx(source, tmp / f"{source.stem}.docx")
        else:
            pdf = render_pdf(source, tmp / f"{source.stem}.pdf")
            path = render_scan(pdf, tmp / f"{source.stem}.scan.pdf")
        _cache[key] = extract_file(path)
    return _cache[key]


def _check(source: Path, got: dict[str, Any], rendering: str) -> None:
    expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
    assert list(got) == list(KEYS)
    for key, value in expected.items():
        if key == "alertes":
            assert sorted(a["code"] for a in got[key]) == sorted(a["code"] for a in value), (
                f"{source.name} ({rendering}): {got[key]}"
            )
            assert all(a["message"] for a in got[key])
        elif key == "cofinancements":
            # Compared by funder and amount; the object is as written.
            assert [(c["financeur"], c["montant"]) for c in got[key]] == [
                (c["financeur"], c["montant"]) for c in value
            ], f"{source.name} ({rendering}): {key}"
            assert all(c["objet"] for c in got[key])
        else:
            assert got[key] == value, f"{source.name} ({rendering}): {key}"
    assert got["objet"]
    assert isinstance(got["sources"], dict) and got["sources"]
    for where in got["sources"].values():
        assert set(where) == {"page", "ligne", "extrait", "confiance"}
        assert 0 <= where["confiance"] <= 1
        if rendering != "scan.pdf":
            assert where["confiance"] == 1.0  # read as typed
    for item in got["conventions_precedentes"]:
        assert set(item) == {"type", "numero", "date", "texte"}
        assert item["type"] in ("convention", "avenant") and item["texte"]
    if got["type"] == "avenant":
        assert any(c["type"] == "convention" for c in got["conventions_precedentes"])


def test_every_fixture_has_its_expected_contract() -> None:
    assert len(FIXTURES) >= 4
    for source in FIXTURES:
        expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
        assert set(expected) <= set(KEYS)


def test_each_alert_code_fires_somewhere_in_the_fixtures() -> None:
    codes = set()
    for source in FIXTURES:
        expected = json.loads(source.with_suffix(".json").read_text(encoding="utf-8"))
        codes |= {a["code"] for a in expected["alertes"]}
    assert codes == {
        "montant_incoherent",
        "reference_juridique_douteuse",
        "imputation_incoherente",
        "echeancier_hors_periode",
        "clause_manquante",
    }


@pytest.mark.parametrize("rendering", ["source", "pdf", "docx"])
@pytest.mark.parametrize("source", FIXTURES, ids=lambda p: p.stem)
def test_fixture_matches_expected_json(source: Path, rendering: str, tmp_path: Path) -> None:
    _check(source, _read(source, rendering, tmp_path), rendering)


@pytest.mark.scan
@pytest.mark.parametrize("source", FIXTURES, ids=lambda p: p.stem)
def test_scanned_fixture_matches_expected_json(source: Path, tmp_path: Path) -> None:
    if shutil.which("tesseract") is None:
        pytest.skip("tesseract absent : installez tesseract-ocr et tesseract-ocr-fra pour l'OCR")
    _check(source, _read(source, "scan.pdf", tmp_path), "scan.pdf")
