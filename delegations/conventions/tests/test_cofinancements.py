"""Co-financings: typed one per line in French, kept as the extraction contract's shape."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from delegations.conventions import cofinancements


def test_a_line_gives_funder_french_amount_and_object():
    assert cofinancements.depuis_texte("DINUM ; 50 000,50 € ; FAST ; phase 2\n\n") == [
        {"financeur": "DINUM", "montant": "50000.50", "objet": "FAST ; phase 2"}
    ]


@pytest.mark.parametrize("ligne", ["DINUM", " ; 100", "DINUM ; beaucoup", "DINUM ; -5"])
def test_a_line_that_does_not_read_is_refused_in_french(ligne):
    with pytest.raises(ValidationError) as refus:
        cofinancements.depuis_texte(ligne)
    assert refus.value.messages[0].startswith(("Ligne 1", "Cofinancement 1"))


def test_text_and_register_shape_round_trip():
    elements = [{"financeur": "FDE", "montant": "80000.00", "objet": "amorçage"}]
    assert cofinancements.depuis_texte(cofinancements.en_texte(elements)) == elements
    assert cofinancements.total(elements) == Decimal("80000.00")
