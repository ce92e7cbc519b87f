"""Never crash: the reader run on mutated documents (``make fuzz``).

Seeds are the corpus documents and their PDF/DOCX renderings (when ``../shared/corpus`` is
there) and the fictional conventions of the tests with their PDF/DOCX renderings. Each input is
one seed mutated at random: truncated or bit-flipped files, DOCX whose XML is broken, random
text, huge tables, 10 000-line texts, shuffled or duplicated lines. Every outcome must be a
result or one of the reader's French errors (:class:`ExtractionError`); anything else is a
crash, printed with the mutation that caused it and kept in ``--garder`` for replay.

Run with ``python -m delegations.lecture.fuzz --nombre 500 --graine 0``. Scanned renderings
are not seeds (OCR makes each input take seconds); image-only pages produced by a mutation are
still read by OCR.
"""

from __future__ import annotations

import argparse
import io
import random
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from delegations.lecture.extraction import ExtractionError, extract_file

APP = Path(__file__).resolve().parent
CORPUS = APP.parents[1].parent / "shared" / "corpus"
DOCUMENTS = APP / "tests" / "documents"


@dataclass
class Seed:
    name: str
    suffix: str  # ".txt", ".md", ".pdf", ".docx"
    data: bytes


@dataclass
class Outcome:
    results: int = 0
    errors: int = 0
    crashes: int = 0


def seeds(workdir: Path) -> list[Seed]:
    """The corpus (sources, PDF and DOCX renderings) and the fictional conventions, rendered."""
    found: list[Seed] = []
    if CORPUS.is_dir():
        for path in sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.md")):
            if path.name != "README.md":
                found.append(Seed(path.name, path.suffix, path.read_bytes()))
        for path in sorted((CORPUS / "rendered").glob("*")):
            if path.suffix in (".pdf", ".docx") and not path.name.endswith(".scan.pdf"):
                found.append(Seed(path.name, path.suffix, path.read_bytes()))
    fictional = sorted(p for p in DOCUMENTS.glob("*") if p.suffix in (".txt", ".md"))
    for path in fictional:
        found.append(Seed(path.name, path.suffix, path.read_bytes()))
    try:
        from delegations.lecture.tests.render import render_docx, render_pdf
    except ImportError:  # the renderers need the dev dependencies
        return found
    for path in fictional:
        for suffix, render in ((".pdf", render_pdf), (".docx", render_docx)):
            out = render(path, workdir / f"{path.stem}{suffix}")
            found.append(Seed(out.name, suffix, out.read_bytes()))
    return found


# ---------------------------------------------------------------------------- mutations
Mutation = Callable[[random.Random, Seed], tuple[str, bytes, str]]


def truncate(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    cut = rng.randrange(0, max(1, len(seed.data)))
    return f"tronqué à {cut} octets", seed.data[:cut], seed.suffix


def flip_bits(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    data = bytearray(seed.data)
    n = rng.choice((1, 4, 32, 256))
    for _ in range(n):
        if data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
    return f"{n} bits inversés", bytes(data), seed.suffix


def broken_docx_xml(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    """A DOCX whose document.xml is cut or has junk inserted (the zip itself is sound)."""
    if seed.suffix != ".docx":
        return flip_bits(rng, seed)
    source = zipfile.ZipFile(io.BytesIO(seed.data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "word/document.xml":
                at = rng.randrange(len(content))
                junk = rng.choice((b"", b"<w:p><w:r>", b"</w:body>", b"\xff\xfe", b"&bogus;"))
                content = content[:at] + junk + (content[at:] if junk else b"")
            target.writestr(item, content)
    return "XML du DOCX cassé", out.getvalue(), ".docx"


def random_text(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    alphabet = "abcdefghijklmnopqrstuvwxyzÉéèàç0123456789 \t\n€.,;:-–()«»|°/"
    size = rng.choice((10, 1000, 50_000))
    text = "".join(rng.choice(alphabet) for _ in range(size))
    return f"texte aléatoire de {size} caractères", text.encode("utf-8"), ".txt"


def _lines(seed: Seed) -> list[str] | None:
    if seed.suffix not in (".txt", ".md"):
        return None
    return seed.data.decode("utf-8", errors="replace").splitlines()


def huge_table(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    rows = rng.choice((500, 5000))
    table = ["Année\tAE\tCP"] + [
        f"{2000 + i % 99}\t{rng.randrange(10**9)} €\t{rng.randrange(10**9)} €" for i in range(rows)
    ]
    lines = _lines(seed) or []
    at = rng.randrange(len(lines) + 1)
    text = "\n".join(lines[:at] + table + lines[at:])
    return f"tableau de {rows} lignes inséré", text.encode("utf-8"), ".txt"


def ten_thousand_lines(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    lines = _lines(seed) or ["Article 1er – Objet", "Le montant est de 10 000 €."]
    out = [rng.choice(lines) for _ in range(10_000)]
    return "10 000 lignes", "\n".join(out).encode("utf-8"), ".txt"


def shuffle_lines(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    lines = _lines(seed)
    if lines is None:
        return truncate(rng, seed)
    rng.shuffle(lines)
    return "lignes mélangées", "\n".join(lines).encode("utf-8"), seed.suffix


def bad_encoding(rng: random.Random, seed: Seed) -> tuple[str, bytes, str]:
    text = seed.data.decode("utf-8", errors="replace")
    return "encodé en UTF-16", text.encode("utf-16"), seed.suffix


MUTATIONS: list[Mutation] = [
    truncate,
    flip_bits,
    broken_docx_xml,
    random_text,
    huge_table,
    ten_thousand_lines,
    shuffle_lines,
    bad_encoding,
]


def run(
    count: int,
    graine: int,
    keep: Path | None,
    out: Callable[[str], None] = print,
    pool: list[Seed] | None = None,
) -> Outcome:
    """Read ``count`` mutated inputs (of ``pool``, else of :func:`seeds`); print each crash and
    the counts."""
    rng = random.Random(graine)
    outcome = Outcome()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="lecture-fuzz-") as tmp:
        workdir = Path(tmp)
        pool = pool if pool is not None else seeds(workdir)
        for k in range(count):
            seed = rng.choice(pool)
            mutation = rng.choice(MUTATIONS)
            what, data, suffix = mutation(rng, seed)
            path = workdir / f"entree-{k}{suffix}"
            path.write_bytes(data)
            try:
                extract_file(path)
                outcome.results += 1
            except ExtractionError:
                outcome.errors += 1
            except Exception as exc:  # noqa: BLE001 - counting what must never happen
                outcome.crashes += 1
                out(f"PLANTAGE n° {k} : {seed.name}, {what} : {exc.__class__.__name__}: {exc}")
                out("".join(traceback.format_exception(exc)[-3:]))
                if keep is not None:
                    keep.mkdir(parents=True, exist_ok=True)
                    (keep / f"plantage-{k}-{seed.name}{suffix}").write_bytes(data)
            finally:
                path.unlink(missing_ok=True)
    elapsed = time.perf_counter() - started
    out(
        f"fuzz : {count} entrées ({len(pool)} documents de départ), {outcome.results} lus, "
        f"{outcome.errors} erreurs françaises, {outcome.crashes} plantages ({elapsed:.0f} s)"
    )
    return outcome


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nombre", type=int, default=500, help="entrées à lire (500)")
    parser.add_argument("--graine", type=int, default=0, help="graine du hasard (0)")
    parser.add_argument("--garder", type=Path, default=None, help="dossier des plantages")
    args = parser.parse_args()
    outcome = run(args.nombre, args.graine, args.garder)
    raise SystemExit(1 if outcome.crashes else 0)


if __name__ == "__main__":
    main()
