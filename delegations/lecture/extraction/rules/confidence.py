"""How far each field can be trusted: ``"confiance"`` (0–1) beside its source.

Text layers and Word documents are read as typed: 1. A scan is read by OCR, where a misread
character changes a name or a code without warning; a field read by OCR is trusted more when
its value is confirmed elsewhere in the text (a representative's name again in the signature
block, a code repeated), less when a code keeps a character its shape cannot settle.
"""

from __future__ import annotations

import re
from typing import Any

from .chorus import AMBIGUOUS, SHAPES
from .context import Context

PLAIN = 0.85  # OCR, a field without a code or a name to weigh
CONFIRMED = 0.95  # OCR, the value read twice
SINGLE = 0.75  # OCR, the value read once
UNSETTLED = 0.5  # OCR, a code with a character its shape leaves ambiguous
# Fields whose value is a code or a person's or body's name.
WEIGHED = {"delegant", "delegataire", "imputation", "unite_operationnelle", "bop"}


def annotate(ctx: Context, result: dict[str, Any]) -> None:
    """Add ``"confiance"`` to every source of ``result``."""
    for field, where in list(ctx.sources.items()):
        # A copy: two fields may share one source (the programme is read in the UO).
        confiance = 1.0 if not ctx.doc.ocr else _ocr_confidence(ctx, field, result)
        ctx.sources[field] = {**where, "confiance": confiance}


def _values(field: str, result: dict[str, Any]) -> list[str]:
    """The strings read for a source's field ("imputation.activite", "delegant"…)."""
    head, _, tail = field.partition(".")
    value: Any = result.get(head)
    if tail and isinstance(value, dict):
        value = value.get(tail)
    if isinstance(value, dict):  # a party: its representative's name (the one OCR garbles)
        rep = value.get("representant") or {}
        return [str(rep["nom"])] if rep.get("nom") else []
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str)]
    return [str(value)] if isinstance(value, str) else []


def _ocr_confidence(ctx: Context, field: str, result: dict[str, Any]) -> float:
    """Codes and names, where one misread character changes the value unnoticed, are weighed;
    other fields read by OCR get :data:`PLAIN`."""
    head, _, code_field = field.partition(".")
    if head not in WEIGHED:
        return PLAIN
    values = [v for v in _values(field, result) if len(v) >= 4]
    if not values:
        return PLAIN
    counts = [len(re.findall(re.escape(v), ctx.flat, re.IGNORECASE)) for v in values]
    if min(counts) >= 2:
        return CONFIRMED
    shape = SHAPES.get(code_field)
    if shape is not None and any(_unsettled(v, shape) for v in values):
        return UNSETTLED
    return SINGLE


def _unsettled(value: str, shape: re.Pattern[str]) -> bool:
    """Does ``value`` keep an OCR-ambiguous character that another reading would also fit?"""
    for i, ch in enumerate(value):
        for other in AMBIGUOUS.get(ch, ""):
            if shape.fullmatch(value[:i] + other + value[i + 1 :]):
                return True
    return False
