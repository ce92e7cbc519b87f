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

CONFIRMED = 0.95  # OCR, the value read twice
SINGLE = 0.75  # OCR, the value read once
UNSETTLED = 0.5  # OCR, a code with a character its shape leaves ambiguous
LOW = 0.8  # below this, the review highlights the field


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
    if isinstance(value, dict):  # a party: its name and its representative's
        rep = value.get("representant") or {}
        return [str(v) for v in (value.get("nom"), rep.get("nom")) if v]
    if isinstance(value, list):
        return [str(v) for v in value if isinstance(v, str)]
    return [str(value)] if isinstance(value, str) else []


def _ocr_confidence(ctx: Context, field: str, result: dict[str, Any]) -> float:
    values = _values(field, result)
    if not values:
        return SINGLE
    _, _, code_field = field.partition(".")
    shape = SHAPES.get(code_field)
    if shape is not None and any(_unsettled(v, shape) for v in values):
        return UNSETTLED
    counts = [len(re.findall(re.escape(v), ctx.flat, re.IGNORECASE)) for v in values if len(v) >= 4]
    if counts and min(counts) >= 2:
        return CONFIRMED
    return SINGLE


def _unsettled(value: str, shape: re.Pattern[str]) -> bool:
    """Does ``value`` keep an OCR-ambiguous character that another reading would also fit?"""
    for i, ch in enumerate(value):
        for other in AMBIGUOUS.get(ch, ""):
            if shape.fullmatch(value[:i] + other + value[i + 1 :]):
                return True
    return False
