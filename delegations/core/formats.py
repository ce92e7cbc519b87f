"""French display of money and dates, at the edges only."""

from __future__ import annotations

from decimal import Decimal

from babel.numbers import format_decimal


def euros(value: Decimal | int | None) -> str:
    if value is None:
        return "—"
    text = format_decimal(Decimal(value), format="#,##0.00", locale="fr_FR")
    # babel uses a narrow no-break space as group separator; keep it and add the currency.
    return f"{text}\u00a0€"
