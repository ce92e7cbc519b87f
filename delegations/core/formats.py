"""French display of money and dates, at the edges only."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_compact_currency, format_decimal


def euros(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    text = format_decimal(Decimal(value), format="#,##0.00", locale="fr_FR")
    # babel uses a narrow no-break space as group separator; keep it and add the currency.
    return f"{text}\u00a0€"


def montant_court(value: Decimal | int | float) -> str:
    """Short French amount for chart axes and labels: « 900 € », « 350 k€ », « 1,2 M€ » (babel)."""
    return format_compact_currency(value, "EUR", locale="fr_FR", fraction_digits=1)


def nombre_fr(value: Decimal | int) -> str:
    """A number in French (narrow no-break space for thousands, decimal comma, no « ,00 »)."""
    text = format_decimal(Decimal(value), format="#,##0.00", locale="fr_FR")
    return text.removesuffix(",00")


def montant_en_lettres(value: Decimal) -> str:
    """An amount in French words, as a cheque says it: « mille euros et cinquante centimes »."""
    from num2words import num2words

    value = Decimal(value).quantize(Decimal("0.01"))
    signe = "moins " if value < 0 else ""
    value = abs(value)
    entier = int(value)
    centimes = int((value - entier) * 100)
    mots = num2words(entier, lang="fr")
    if entier in (0, 1):
        unite = "euro"
    elif mots.endswith(("million", "millions", "milliard", "milliards")):
        unite = "d'euros"
    else:
        unite = "euros"
    texte = f"{mots} {unite}"
    if centimes:
        texte += f" et {num2words(centimes, lang='fr')} centime{'s' if centimes > 1 else ''}"
    return signe + texte
