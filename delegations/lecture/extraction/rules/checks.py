"""Checks that raise alerts for the reviewer; they change no extracted value.

Each alert has a code and a French message quoting the text and saying where it is.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from ..legal import check_citation, find_citations
from ..textutil import (
    AMOUNT_RE,
    WORDS_AMOUNT_RE,
    find_dates,
    fix_ocr_digits,
    fmt_euros,
    parse_amount,
    squash,
    words_match_number,
    words_to_int,
)
from .chorus import CODE_UO
from .context import Context
from .imputation import Imputation
from .schedule import Row

I = re.IGNORECASE  # noqa: E741

BOP = re.compile(r"\bBOP\)?\s*(?:n°\s*)?[:\[(]?\s*([0-9OIl]{2,4})-([A-Z0-9]{2,8})\b")
PROGRAMME = re.compile(r"\bprogramme\s*(?:n°\s*)?:?\s*(\d{3})(?![\d\-/])|\bP\s?(\d{3})\b(?!\s*%)")

# Clauses a convention must contain (article 2 of décret n° 2004-1085): label, what shows it.
REQUIRED_CLAUSES = [
    ("l'objet de la délégation", r"\bobjet\b"),
    (
        "les modalités d'exécution financière",
        r"ex[ée]cution\s+financi[èe]re|modalit[ée]s\s+financi[èe]res|dispositions\s+financi[èe]res|cr[ée]dits|montant",
    ),
    ("les obligations des parties", r"obligations?|s'engage"),
    (
        "les modalités de compte rendu du délégataire",
        r"rend(?:re|ra)?\s+compte|compte[s]?[- ]rendus?|rapport|bilan|reporting",
    ),
    (
        "la durée de la délégation",
        r"dur[ée]e|prend(?:ra)?\s+effet|entre(?:ra)?\s+en\s+vigueur|jusqu'au|prend(?:ra)?\s+fin",
    ),
]


# ---------------------------------------------------------------------------- imputation
def check_imputation(ctx: Context, imp: Imputation) -> None:
    """``imputation_incoherente``: the UO, the CHORUS codes, the BOP and the programmes cited
    must all belong to the same programme (their first 4 digits), and a BOP or centre financier
    of UO shape must name the UO's BOP. The first reference is compared with the others."""
    uo = imp.uo
    refs: list[tuple[str, str, int | None]] = []  # (label, programme, offset)
    if uo:
        refs.append((f"l'UO {uo}", str(int(uo[:4])), imp.uo_offset))
    for field, label in (
        ("centre_financier", "le centre financier"),
        ("domaine_fonctionnel", "le domaine fonctionnel"),
        ("activite", "l'activité"),
    ):
        code = imp.codes.get(field)
        if code and code[:4].isdigit():
            refs.append((f"{label} {code}", str(int(code[:4])), imp.code_offsets.get(field)))
    for m in BOP.finditer(ctx.flat):
        prog = fix_ocr_digits(m.group(1))
        if prog.isdigit():
            refs.append((f"le BOP {m.group(1)}-{m.group(2)}", str(int(prog)), m.start()))
            if uo and m.group(2) != uo.split("-")[1]:
                refs.append((f"le BOP {m.group(1)}-{m.group(2)}", "?" + m.group(2), m.start()))
    for m in PROGRAMME.finditer(ctx.flat):
        number = m.group(1) or m.group(2)
        refs.append((f"le programme {number}", str(int(number)), m.start()))
    cf = imp.codes.get("centre_financier") or ""
    if uo and cf and CODE_UO.fullmatch(cf) and cf.split("-")[:2] != uo.split("-")[:2]:
        refs.append(
            (f"le centre financier {cf}", "?" + cf, imp.code_offsets.get("centre_financier"))
        )
    if not refs:
        return
    base_label, base_prog, base_off = refs[0]
    for label, prog, off in refs[1:]:
        if prog != base_prog and not prog.startswith("?"):
            _imputation_alert(
                ctx, base_label, base_off, label, off, f"programme {base_prog} ≠ programme {prog}"
            )
            return
        if prog.startswith("?"):
            _imputation_alert(ctx, base_label, base_off, label, off, "codes de BOP différents")
            return


def _imputation_alert(
    ctx: Context, a: str, a_off: int | None, b: str, b_off: int | None, why: str
) -> None:
    """The alert quoting the lines of both references (their labels when not located)."""
    qa = ctx.quote_line(a_off) if a_off is not None else a
    qb = ctx.quote_line(b_off) if b_off is not None else b
    ctx.alert(
        "imputation_incoherente",
        f"Imputation incohérente ({why}) : {a} (« {qa} ») et {b} (« {qb} ») se contredisent.",
    )


# ---------------------------------------------------------------------------- amounts
def check_words_vs_digits(ctx: Context) -> None:
    """``montant_incoherent``: an amount in words ("cent mille euros") next to the same amount
    in digits, in brackets before or after it, must be equal to it."""
    flat = ctx.flat
    for m in WORDS_AMOUNT_RE.finditer(flat):
        words = m.group(1)
        if words_to_int(words) is None or not re.search(r"[a-z]", words, I):
            continue
        # digits right before "(… euros)" or right after "… euros (…)"
        before = flat[max(0, m.start() - 40) : m.start()]
        after = flat[m.end() : m.end() + 40]
        digits = None
        bm = re.search(r"(" + AMOUNT_RE.pattern + r")\s*\(\s*$", before, I)
        am = re.match(r"\s*\(\s*(" + AMOUNT_RE.pattern + r")", after, I)
        if bm:
            digits = parse_amount(bm.group(1))
            off = m.start() - len(before) + bm.start()
        elif am:
            digits = parse_amount(am.group(1))
            off = m.start()
        if digits is None:
            continue
        if not words_match_number(words, digits):
            ctx.alert(
                "montant_incoherent",
                f"Montant incohérent : « {ctx.quote(off, m.end() + 1)} » ({ctx.where(off)}) : "
                f"le montant en chiffres ({fmt_euros(digits)}) ne correspond pas au montant "
                f"en lettres (« {squash(words)} euros » = {words_to_int(words)} €).",
            )


# ---------------------------------------------------------------------------- legal texts
def check_legal_refs(ctx: Context) -> None:
    """``reference_juridique_douteuse``: a cited décret, loi, règlement or circulaire whose
    number and date (or subject) do not match (see :mod:`..legal`)."""
    for cit in find_citations(ctx.flat):
        context = ctx.flat[cit.end : cit.end + 140]
        problem = check_citation(cit, context)
        if problem:
            ctx.alert(
                "reference_juridique_douteuse",
                f"Référence juridique douteuse : « {ctx.quote(cit.start, cit.end + 60)} » "
                f"({ctx.where(cit.start)}) : {problem}.",
            )


# ---------------------------------------------------------------------------- period
def check_schedule_period(
    ctx: Context,
    schedule: list[Row],
    *,
    doc_type: str,
    precedents: list[dict[str, Any]],
    date_signature: str | None,
    prise_effet: str | None,
    start: date | None,
    date_fin: str | None,
    duree_mois: int | None,
) -> None:
    """``echeancier_hors_periode``: every year of the schedule must fall within the
    convention's period, from the year it takes effect (the signature's when it takes effect at
    signature; an amendment's is the amended convention's) to its end date, or to the end of
    its duration."""
    if not schedule:
        return
    first_year = None
    if doc_type == "avenant":
        # The period is the amended convention's: it began with that convention, not with
        # the amendment's signature.
        years = [d.value.year for p in precedents for d in find_dates(p["texte"])]
        first_year = min(years) if years else None
    elif start is not None:
        first_year = start.year
    elif date_signature and prise_effet in ("signature", None):
        first_year = int(date_signature[:4])
    last_year = None
    if date_fin:
        last_year = int(date_fin[:4])
    elif duree_mois and first_year:
        last_year = first_year + (duree_mois - 1) // 12 + 1
    for row in schedule:
        year, off = row.year, row.offset
        if (first_year and year < first_year) or (last_year and year > last_year):
            period = f"{first_year or '…'}–{last_year or '…'}"
            bound = f"fin le {date_fin}" if date_fin else f"durée {duree_mois} mois"
            ctx.alert(
                "echeancier_hors_periode",
                f"Échéancier hors période : l'année {year} (« {ctx.quote_line(off)} », {ctx.where(off)}) "
                f"est en dehors de la période de la convention ({period} ; {bound}, "
                f"signature le {date_signature or 'inconnue'}).",
            )


# ---------------------------------------------------------------------------- clauses
def check_clauses(ctx: Context) -> None:
    """``clause_manquante``: a convention (not an amendment, which only carries its changes)
    must state the clauses required by article 2 of décret n° 2004-1085."""
    for label, rx in REQUIRED_CLAUSES:
        if not re.search(rx, ctx.flat, I):
            ctx.alert(
                "clause_manquante",
                f"Clause manquante : le texte ne précise pas {label}, exigée par l'article 2 du "
                "décret n° 2004-1085 du 14 octobre 2004.",
            )
