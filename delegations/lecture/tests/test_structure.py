"""The reader's shape: pure Python, rules over a context whose state is all declared."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from delegations.lecture.extraction.document import doc_from_plain
from delegations.lecture.extraction.rules.context import Context

from .helpers import fictional

ROOT = Path(__file__).resolve().parents[3]


def test_the_reader_runs_without_importing_django() -> None:
    code = (
        "import sys\n"
        "from delegations.lecture.extraction import extract_text\n"
        "extract_text(sys.stdin.read())\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=fictional(),
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    assert done.stdout.strip() == "[]"


def test_a_rule_cannot_store_undeclared_state_on_the_context() -> None:
    ctx = Context(doc_from_plain([fictional()]))
    with pytest.raises(AttributeError):
        ctx.uo_offset = 12  # type: ignore[attr-defined]
