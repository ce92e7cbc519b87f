"""Round trip: what the register writes, the reader reads back (DOCX and PDF), field by field."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from delegations.conventions.ecriture import ecriture_echeancier
from delegations.redaction.allerretour import aller_retour, toutes_les_cibles
from delegations.redaction.documents import soffice

from .strategies import cibles, creer, donnees_convention

pytestmark = pytest.mark.django_db
REGLAGES = {
    "deadline": None,
    "database": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


def _sans_ecart(bilan: Any) -> None:
    ecarts = [
        f"{nom} : {c.libelle} écrit « {c.attendu} », lu « {c.lu} »" for nom, c in bilan.ecarts
    ]
    assert ecarts == []
    assert bilan.retrouves == bilan.ecrits


def test_every_demo_convention_and_amendment_reads_back_from_docx_and_pdf() -> None:
    if soffice() is None:
        pytest.skip("LibreOffice absent (paquet Debian libreoffice-writer-nogui) : PDF non testé")
    call_command("demo", stdout=io.StringIO())
    demo = toutes_les_cibles()
    assert sum(1 for _, a in demo if a is not None) >= 3
    for format in ("docx", "pdf"):
        bilan = aller_retour(demo, format)
        _sans_ecart(bilan)
        assert bilan.documents == len(demo)
        assert bilan.ecrits > 20 * len(demo)
    assert bilan.moteur == "libreoffice"


def test_the_weasyprint_pdf_reads_back_too(convention_complete: Any, monkeypatch: Any) -> None:
    monkeypatch.setattr("delegations.redaction.documents.soffice", lambda: None)
    bilan = aller_retour(cibles(convention_complete), "pdf")
    assert bilan.moteur == "weasyprint"
    _sans_ecart(bilan)


@settings(max_examples=8, **REGLAGES)  # type: ignore[arg-type]
@given(st.lists(donnees_convention(), min_size=1, max_size=3))
def test_conventions_built_by_hypothesis_read_back_from_docx(
    finance: Any, lot: list[dict[str, Any]]
) -> None:
    documents = [c for donnees in lot for c in cibles(creer(donnees, finance))]
    _sans_ecart(aller_retour(documents, "docx"))


@settings(max_examples=2, **REGLAGES)  # type: ignore[arg-type]
@given(st.lists(donnees_convention(), min_size=3, max_size=3))
def test_conventions_built_by_hypothesis_read_back_from_pdf(
    finance: Any, lot: list[dict[str, Any]]
) -> None:
    if soffice() is None:
        pytest.skip("LibreOffice absent (paquet Debian libreoffice-writer-nogui)")
    documents = [c for donnees in lot for c in cibles(creer(donnees, finance))]
    _sans_ecart(aller_retour(documents, "pdf"))


def test_a_small_amount_beside_a_large_one_stays_in_its_column_in_the_pdf(
    convention_complete: Any,
) -> None:
    """Found by hypothesis: a short amount must be read in its own column, not the next one."""
    if soffice() is None:
        pytest.skip("LibreOffice absent (paquet Debian libreoffice-writer-nogui)")
    with ecriture_echeancier():  # the register's setting opens the schedule's guard
        convention_complete.echeancier.filter(annee=2024).update(ae="120.52", cp="75574.47")
    _sans_ecart(aller_retour([(convention_complete, None)], "pdf"))
