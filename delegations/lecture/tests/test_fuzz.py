"""A small sample of ``make fuzz``: mutated fictional conventions never crash the reader."""

from __future__ import annotations

from pathlib import Path

from delegations.lecture import fuzz

from .render import render_docx


def test_mutated_documents_give_a_result_or_a_french_error(tmp_path: Path) -> None:
    sources = sorted(p for p in fuzz.DOCUMENTS.glob("*") if p.suffix in (".txt", ".md"))
    pool = [fuzz.Seed(p.name, p.suffix, p.read_bytes()) for p in sources]
    docx = render_docx(sources[0], tmp_path / "fictive.docx")
    pool.append(fuzz.Seed(docx.name, ".docx", docx.read_bytes()))
    printed: list[str] = []
    outcome = fuzz.run(12, graine=7, keep=None, out=printed.append, pool=pool)
    assert outcome.crashes == 0, printed
    assert outcome.results + outcome.errors == 12
    assert outcome.results > 0 and outcome.errors > 0
    assert "0 plantages" in printed[-1]
