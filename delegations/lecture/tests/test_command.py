"""The ``extract`` management command (needs Django settings, not the database)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from .helpers import fictional


def run(*args: str) -> tuple[str, str, Exception | None]:
    out, err = StringIO(), StringIO()
    error: Exception | None = None
    try:
        call_command("extract", *args, stdout=out, stderr=err)
    except CommandError as exc:
        error = exc
    return out.getvalue(), err.getvalue(), error


def test_extract_one_file_prints_one_json_object(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(fictional())
    out, err, error = run(str(path))
    assert error is None and err == ""
    data = json.loads(out)
    assert data["delegant"]["nom"] == "Ministère des Phares et Balises"


def test_extract_several_files_with_one_bad_prints_others_and_fails(tmp_path: Path) -> None:
    good1, bad, good2 = tmp_path / "a.txt", tmp_path / "b.pdf", tmp_path / "c.md"
    good1.write_text(fictional())
    bad.write_bytes(b"%PDF-1.4 broken")
    good2.write_text(fictional(title="Avenant n° 1 à la convention"))
    out, err, error = run(str(good1), str(bad), str(good2))
    data = json.loads(out)
    assert [d["type"] for d in data] == ["convention", "avenant"]
    assert error is not None
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1 and "b.pdf" in lines[0] and "Traceback" not in err


def test_extract_table_format_prints_french_summary(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(fictional())
    out, _, error = run(str(path), "--format", "table")
    assert error is None
    assert "Délégant" in out and "Phares et Balises" in out


def test_extract_max_size_option_refuses_big_files(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text(fictional())
    out, err, error = run(str(path), "--max-size", "10")
    assert error is not None and "trop volumineux" in err


@pytest.mark.parametrize("name", ["x.xyz", "missing.txt"])
def test_extract_unreadable_file_gives_one_french_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    if name.endswith(".xyz"):
        path.write_text("?")
    out, err, error = run(str(path))
    assert error is not None and out == ""
    assert len(err.strip().splitlines()) == 1
