"""Every corpus document, in every rendering, yields its expected JSON."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from delegations.lecture.extraction import KEYS, extract_file

from .helpers import CORPUS

STEMS = [
    "2021-menjs-classe-a-12",
    "2022-justice-incubateur",
    "2024-dgefp-mission-apprentissage",
]
RENDERINGS = ["source", "pdf", "docx", "scan.pdf"]
# Keys newer than ``expected/*.json``: their values as the corpus README gives them
# (co-financings compared by funder and amount).
README_VALUES: dict[str, dict[str, object]] = {
    "2021-menjs-classe-a-12": {
        "bop": "P 214 _ BOP SAAM",
        "cofinancements": [("DINUM", "50000.00")],
    },
    "2022-justice-incubateur": {"bop": None, "cofinancements": []},
    "2024-dgefp-mission-apprentissage": {"bop": "013-CEFP", "cofinancements": []},
}


def _path(stem: str, rendering: str) -> Path:
    if rendering == "source":
        for suffix in (".txt", ".md"):
            if (CORPUS / f"{stem}{suffix}").exists():
                return CORPUS / f"{stem}{suffix}"
        return CORPUS / f"{stem}.txt"
    return CORPUS / "rendered" / f"{stem}.{rendering}"


_cache: dict[Path, dict] = {}


def _extract(path: Path) -> dict:
    if path not in _cache:
        _cache[path] = extract_file(path)
    return _cache[path]


@pytest.mark.parametrize("rendering", RENDERINGS)
@pytest.mark.parametrize("stem", STEMS)
def test_corpus_document_matches_expected_json(stem: str, rendering: str) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus absent : {CORPUS} (tests du corpus ignorés)")
    path = _path(stem, rendering)
    if not path.exists():
        pytest.skip(f"rendu absent du corpus : {path.name}")
    if rendering == "scan.pdf" and shutil.which("tesseract") is None:
        pytest.skip("tesseract absent : installez tesseract-ocr et tesseract-ocr-fra pour l'OCR")
    expected = json.loads((CORPUS / "expected" / f"{stem}.json").read_text(encoding="utf-8"))
    got = _extract(path)
    assert list(got) == list(KEYS)
    for key, value in expected.items():
        if key == "alertes":
            assert {a["code"] for a in got[key]} == {a["code"] for a in value}, key
            assert all(a["message"] for a in got[key])
        else:
            assert got[key] == value, f"{path.name}: {key}"
    assert got["bop"] == README_VALUES[stem]["bop"], f"{path.name}: bop"
    assert [(c["financeur"], c["montant"]) for c in got["cofinancements"]] == README_VALUES[stem][
        "cofinancements"
    ], f"{path.name}: cofinancements"
    for item in got["conventions_precedentes"]:
        assert set(item) == {"type", "numero", "date", "texte"}
    for key in ("sources", "objet", "conventions_precedentes"):
        assert key in got
    assert got["objet"]
    assert isinstance(got["sources"], dict) and got["sources"]
    for where in got["sources"].values():
        assert set(where) == {"page", "ligne", "extrait", "confiance"}
        assert 0 <= where["confiance"] <= 1
        if rendering != "scan.pdf":
            assert where["confiance"] == 1.0  # read as typed
