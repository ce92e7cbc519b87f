"""Amounts are typed in French and refused when they could be read two ways."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django import forms

from delegations.core.formats import montant_en_lettres
from delegations.core.forms import MontantField


class _Form(forms.Form):
    montant = MontantField(label="Montant (€)")


def _lire(texte: str) -> Decimal:
    form = _Form({"montant": texte})
    assert form.is_valid(), form.errors
    return form.cleaned_data["montant"]


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("1 000,50", "1000.50"),
        ("1000,5", "1000.50"),
        ("1 000 €", "1000.00"),
        ("1 000€", "1000.00"),
        ("1\u00a0000,50", "1000.50"),
        ("1\u202f000,50\u00a0€", "1000.50"),
        ("12 345 678,09", "12345678.09"),
        ("1000.50", "1000.50"),
        ("0", "0.00"),
        ("  250  ", "250.00"),
    ],
)
def test_french_amount_is_read_as_typed(texte, attendu):
    assert _lire(texte) == Decimal(attendu)


def test_amount_with_thousands_space_is_not_multiplied_by_a_hundred():
    assert _lire("1 000,50") == Decimal("1000.50")


@pytest.mark.parametrize(
    "texte",
    [
        "1_000",
        "1.000,5",
        "1,000.50",
        "1.000",
        "\u0661\u0660\u0660\u0660",  # Arabic-Indic digits
        "１０００",  # full-width digits
        "1e3",
        "10 00",
        "1000,505",
        "mille",
        "1 000,50 $",
        "NaN",
        "Infinity",
    ],
)
def test_ambiguous_amount_is_refused_with_a_french_message(texte):
    form = _Form({"montant": texte})
    assert not form.is_valid()
    message = form.errors["montant"][0]
    assert "montant" in message.lower() or "virgule" in message


def test_more_than_two_decimals_says_so():
    form = _Form({"montant": "10,123"})
    assert not form.is_valid()
    assert form.errors["montant"] == [
        "Un montant en euros a au plus deux chiffres après la virgule (les centimes)."
    ]


def test_negative_amount_is_refused():
    form = _Form({"montant": "-5"})
    assert not form.is_valid()
    assert form.errors["montant"] == ["Le montant doit être positif ou nul."]


def test_amount_input_is_text_with_decimal_keypad():
    html = str(_Form()["montant"])
    assert 'type="text"' in html
    assert 'inputmode="decimal"' in html
    assert 'type="number"' not in html


def test_recorded_amount_is_shown_back_in_french_and_read_again():
    form = _Form(initial={"montant": Decimal("1234567.5")})
    assert 'value="1 234 567,50"' in str(form["montant"])
    assert _lire("1 234 567,50") == Decimal("1234567.50")


@pytest.mark.parametrize(
    ("montant", "lettres"),
    [
        ("1000.50", "mille euros et cinquante centimes"),
        ("1", "un euro"),
        ("2000000", "deux millions d'euros"),
        ("0.01", "zéro euro et un centime"),
        ("80", "quatre-vingts euros"),
    ],
)
def test_amount_in_words(montant, lettres):
    assert montant_en_lettres(Decimal(montant)) == lettres
