"""The project must not carry corpus text: no corpus line of 70+ characters in this app."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import CORPUS

APP = Path(__file__).resolve().parents[1]


def test_no_long_corpus_line_is_copied_into_the_reader() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"corpus absent : {CORPUS}")
    corpus_lines = set()
    for path in list(CORPUS.glob("*.txt")) + list(CORPUS.glob("*.md")):
        if path.name == "README.md":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            if len(line.strip()) >= 70:
                corpus_lines.add(line.strip())
    documents = [p for p in (APP / "tests" / "documents").glob("*") if p.is_file()]
    for source in list(APP.rglob("*.py")) + documents:
        text = source.read_text(encoding="utf-8")
        for line in corpus_lines:
            assert line not in text, f"{source.name} contient une ligne du corpus"
