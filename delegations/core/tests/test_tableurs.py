"""The one rule every export follows: a text a spreadsheet could take for a formula stays text."""

from __future__ import annotations

import pytest

from delegations.core.tableurs import formule_possible, texte_csv

CHARGES = [
    "=1+1",
    '=HYPERLINK("http://pirate.example","x")',
    "+33 1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


@pytest.mark.parametrize("charge", CHARGES)
def test_a_formula_start_is_written_as_text_in_csv(charge: str) -> None:
    assert formule_possible(charge)
    assert texte_csv(charge) == "'" + charge


@pytest.mark.parametrize("texte", ["Équipe produit", "BC-1", "1+1", " =1", ""])
def test_an_ordinary_text_is_left_alone(texte: str) -> None:
    assert texte_csv(texte) == texte
