"""The total amounts (AE and CP) of the délégation, and their consistency with the schedule."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from ..textutil import AMOUNT_RE, fmt_euros, parse_amount
from .changes import superseded
from .context import Context
from .funding import cofunding_offsets
from .schedule import Schedule, cell_amount

I = re.IGNORECASE  # noqa: E741

MONEY_STATEMENT = re.compile(
    r"montant|hauteur\s+de|s'[ée]l[èe]ve|fix[ée]e?\s+[àa]|enveloppe|dotation|total|plafond", I
)
DELEGATAIRE_FUNDS = re.compile(
    r"(?:d[ée]l[ée]gataire|DINUM)\s+(?:co-?\s?)?financ|\bFAST\b|co-?financ\w*\s+par\s+la\s+DINUM", I
)
AE_WORDS = re.compile(r"autorisations?\s+d'engagement|\bAE\b", I)
CP_WORDS = re.compile(r"cr[ée]dits?\s+de\s+paiement|\bCP\b", I)


@dataclass
class Declared:
    """An amount stated in a sentence as the délégant's allocation."""

    value: Decimal
    start: int
    end: int
    sentence: str


def declared_amounts(ctx: Context, found: Schedule) -> list[Declared]:
    """Amounts of 1 000 € or more stated in prose (before the annexes) in a sentence about the
    amount of the délégation, except the délégataire's own funding, co-financings, unit prices ("par mois",
    HT/TTC), amounts an amendment replaces and amounts of the schedule itself."""
    out: list[Declared] = []
    limit = min(ctx.annex_start, len(ctx.flat))
    cofunded = cofunding_offsets(ctx)
    for m in AMOUNT_RE.finditer(ctx.flat[:limit]):
        if m.start() in cofunded:
            continue  # another funder's money, not the délégation's
        index = ctx.doc.line_index(m.start())
        if index in found.lines or ctx.doc.lines[index].cells is not None:
            continue
        s, e = ctx.sentence_at(m.start(), m.end())
        sentence = ctx.flat[s:e]
        if not MONEY_STATEMENT.search(sentence) or DELEGATAIRE_FUNDS.search(sentence):
            continue
        if re.search(r"\bpar\s+(?:mois|jour|an|personne)\b|\bHT\b.*\bTTC\b", sentence, I):
            continue
        value = parse_amount(m.group(0))
        if value is None or value < 1000 or superseded(ctx, m.start(), m.end()):
            continue
        if m.start() in found.prose_amounts:
            continue
        out.append(Declared(value, m.start(), m.end(), sentence))
    return out


def totals(ctx: Context, found: Schedule) -> tuple[Decimal | None, Decimal | None]:
    """(total AE, total CP): the sums of the schedule when there is one, else the amount
    declared in the financial article (else the first one declared)."""
    declared = declared_amounts(ctx, found)
    if found.rows:
        return _schedule_totals(ctx, found, declared)
    if not declared:
        return None, None
    return _declared_total(ctx, declared)


def _schedule_totals(
    ctx: Context, found: Schedule, declared: list[Declared]
) -> tuple[Decimal, Decimal]:
    """The sums of the schedule's years. An amount declared in the text must be one of the
    totals or of the years it names, and a "Total" row must equal the sums: else
    ``montant_incoherent``."""
    schedule = found.rows
    total_ae = sum((r.ae for r in schedule), Decimal("0"))
    total_cp = sum((r.cp for r in schedule), Decimal("0"))
    ctx.src("montant_total_ae", schedule[0].offset)
    ctx.src("montant_total_cp", schedule[0].offset)
    first = schedule[0]
    row_quote = ctx.quote_line(first.offset)
    for d in declared:
        years = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", d.sentence)}
        year_values = {v for r in schedule if r.year in years for v in (r.ae, r.cp)}
        if d.value in (total_ae, total_cp) or d.value in year_values:
            continue
        ctx.alert(
            "montant_incoherent",
            f"Montant incohérent : le texte indique « {ctx.quote(*_around(ctx, d.start, d.end))} » "
            f"({ctx.where(d.start)}), mais l'échéancier « {row_quote} » ({ctx.where(first.offset)}) "
            f"totalise {fmt_euros(total_ae)} en AE et {fmt_euros(total_cp)} en CP.",
        )
    if found.total_row is not None:
        row = found.total_row
        vals = [cell_amount(c) for c in row[1:] if parse_amount(c) is not None]
        for v in vals:
            if v not in (total_ae, total_cp):
                ctx.alert(
                    "montant_incoherent",
                    f"Montant incohérent : la ligne de total « {' '.join(row)} » ne correspond pas "
                    f"à la somme des années ({fmt_euros(total_ae)} en AE, {fmt_euros(total_cp)} en CP).",
                )
    return total_ae, total_cp


def _declared_total(
    ctx: Context, declared: list[Declared]
) -> tuple[Decimal | None, Decimal | None]:
    """Without a schedule: the amount declared in the financial article (else the first one),
    for AE and CP unless its sentence names only one kind of credit. Another declared amount
    that differs raises ``montant_incoherent``."""
    art = ctx.article(r"financ|montant|cr[ée]dits|budg")
    chosen = declared[0]
    if art:
        inside = [d for d in declared if art.start <= d.start < art.end]
        if inside:
            chosen = inside[0]
    for d in declared:
        if d.value != chosen.value:
            ctx.alert(
                "montant_incoherent",
                f"Montant incohérent : « {ctx.quote(chosen.start - 60, chosen.end + 40)} » ({ctx.where(chosen.start)}) "
                f"contre « {ctx.quote(d.start - 60, d.end + 40)} » ({ctx.where(d.start)}).",
            )
    ctx.src("montant_total_ae", chosen.start)
    ctx.src("montant_total_cp", chosen.start)
    only_ae = AE_WORDS.search(chosen.sentence) and not CP_WORDS.search(chosen.sentence)
    only_cp = CP_WORDS.search(chosen.sentence) and not AE_WORDS.search(chosen.sentence)
    return (None if only_cp else chosen.value), (None if only_ae else chosen.value)


def _around(ctx: Context, s: int, e: int) -> tuple[int, int]:
    """The sentence around [s, e), at most 90 characters before and 70 after."""
    a, b = ctx.sentence_at(s, e)
    return max(a, s - 90), min(b, e + 70)
