"""Reader benchmark: median time per document and documents per second, per format.

Run with ``python -m delegations.lecture.bench`` (one process, one core).
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path

from delegations.lecture.extraction import ExtractionError, extract_file

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
FORMATS: dict[str, tuple[str, ...]] = {
    "txt/md": ("*.txt", "*.md"),
    "docx": ("rendered/*.docx",),
    "pdf": ("rendered/*.pdf",),
    "scan.pdf": ("rendered/*.scan.pdf",),
}


def _files(patterns: tuple[str, ...], fmt: str) -> list[Path]:
    files: list[Path] = []
    for pattern in patterns:
        files += sorted(CORPUS.glob(pattern))
    files = [f for f in files if f.name != "README.md"]
    if fmt == "pdf":
        files = [f for f in files if not f.name.endswith(".scan.pdf")]
    return files


def run() -> None:
    if not CORPUS.is_dir():
        print(f"Corpus absent ({CORPUS}) : banc d'essai ignoré.")
        return
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    except (AttributeError, OSError):
        pass
    print(f"Banc d'essai de lecture sur {CORPUS} (un cœur)")
    for fmt, patterns in FORMATS.items():
        files = _files(patterns, fmt)
        if not files:
            print(f"{fmt:9} : aucun document")
            continue
        repeat = 1 if fmt == "scan.pdf" else 5
        times: list[float] = []
        pages = 0
        try:
            extract_file(files[0])  # warm-up: imports
            for _ in range(repeat):
                for f in files:
                    start = time.perf_counter()
                    extract_file(f)
                    times.append(time.perf_counter() - start)
        except ExtractionError as exc:
            print(f"{fmt:9} : ignoré ({exc.message})")
            continue
        if fmt == "scan.pdf":
            import pypdfium2 as pdfium

            pages = sum(len(pdfium.PdfDocument(str(f))) for f in files)
        median = statistics.median(times)
        line = f"{fmt:9} : {len(files)} doc(s), médiane {median * 1000:8.1f} ms/doc, {1 / median:7.2f} doc/s"
        if pages:
            line += f", {sum(times) / pages:.2f} s/page"
        print(line)


if __name__ == "__main__":
    run()
