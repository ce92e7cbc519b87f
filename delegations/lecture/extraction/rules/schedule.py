"""The schedule (échéancier): per year, the commitment authorisations (AE) and payment
credits (CP) the délégant makes available.

It is read from the first layout that yields rows: a table (years as rows or as columns), a
table flowed into text lines (years as columns, or one line per year), else sentences
("en 2024, 90 000 € en AE et 60 000 € en CP ; en 2025, …").
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from ..document import Line, Table
from ..textutil import AMOUNT_RE, NUMBER_RE, find_amounts, parse_amount, parse_number
from .changes import superseded
from .context import Context

I = re.IGNORECASE  # noqa: E741

# A schedule laid out with years as columns, once flowed into text lines.
YEAR_TOKEN = re.compile(r"(?<![\d/.,-])((?:19|20)\d\d)(?![\d/.,-])")
AE_LABEL = re.compile(r"^[\W_]*(?:AE\b|autorisations?\s+d'engagement)(?:\s*\(AE\))?", I)
CP_LABEL = re.compile(r"^[\W_]*(?:CP\b|cr[ée]dits?\s+de\s+paiement)(?:\s*\(CP\))?", I)

# "en 2024", "pour 2025", "au titre de l'exercice 2024", "année 2025": a year opening a clause.
PROSE_YEAR = re.compile(
    r"\b(?:en|pour|au\s+titre\s+de(?:\s+l'(?:exercice|ann[ée]e))?|(?:l'|d'|de\s+l')?(?:ann[ée]e|exercice))"
    r"\s+((?:19|20)\d\d)\b(?![./-]\d)",
    I,
)
CREDIT_KIND = r"AE|CP|autorisations?\s+d'engagement|cr[ée]dits?\s+de\s+paiement"
# What follows an amount in such a clause: "en AE", "de crédits de paiement", "en AE et en CP".
PROSE_KINDS = re.compile(
    rf"\s*(?:en|d'|de)?\s*({CREDIT_KIND})(?:\s+(?:et|comme)\s+(?:en\s+)?({CREDIT_KIND}))?", I
)


# A part of a year standing for a row: "1er semestre 2024", "S2 2025", "T3 2024",
# "second semestre de l'année 2024". Its amounts add up into the year's row.
PERIOD = (
    r"(?:(?:1\s?er|1\s?re|2\s?n?de?|[1-4]\s?(?:e|[èe]me)|premier|premi[èe]re?|second|seconde|"
    r"deuxi[èe]me|troisi[èe]me|quatri[èe]me)\s+(?:semestre|trimestre)|[ST][1-4])"
    r"(?:\s+(?:de\s+l'ann[ée]e|de|d'))?\s+"
)
PERIOD_CELL = re.compile(rf"^\W*{PERIOD}((?:19|20)\d\d)\W*$", I)
PERIOD_LINE = re.compile(rf"^[\W_]*{PERIOD}((?:19|20)\d\d)\b(?![./-]\d)(.*)$", I)


class Row(NamedTuple):
    year: int
    ae: Decimal
    cp: Decimal
    offset: int  # where the year's row starts in the text


@dataclass
class Schedule:
    """The rows read and what the totals must not count again."""

    rows: list[Row] = field(default_factory=list)
    # Lines holding the schedule: their amounts are not declared totals.
    lines: set[int] = field(default_factory=set)
    # The "Total" row of a schedule table, checked against the sum of the years.
    total_row: list[str] | None = None
    # Offsets of the amounts read as a schedule in sentences.
    prose_amounts: set[int] = field(default_factory=set)


def schedule(ctx: Context) -> Schedule:
    """The schedule from the first layout that yields rows (see the module's docstring)."""
    found = Schedule()
    rows = _from_tables(ctx, found)
    if not rows:
        rows = _from_transposed_text(ctx, found)
    if not rows:
        rows = _from_text_lines(ctx, found)
    if not rows:
        rows = _from_prose(ctx, found)
    if rows:
        ctx.src("echeancier", rows[0].offset)
    found.rows = rows
    return found


# ---------------------------------------------------------------------------- amounts in cells
def segment_amounts(seg: str) -> list[Decimal]:
    """The amounts in a cell or a line segment: with a currency when some have one, else the
    bare numbers of 100 or more (two equal cells glued by the text layer are split again)."""
    seg = re.sub(r"\([^)\d]*\)?", " ", seg).replace("|", " ")
    found = find_amounts(seg, require_currency=True)
    if found:
        return [f.value for f in found]
    # A bare number is an amount from 100 up, or whatever its size when it has cents ("1,17"):
    # the text layer may leave the euro sign of a small amount in the next cell.
    values = [
        f.value
        for f in find_amounts(seg, require_currency=False)
        if f.value >= 100 or re.search(r",\d{2}\b", f.text)
    ]
    if len(values) == 1:
        # "150 000 150 000": two cells glued by the text layer.
        first = NUMBER_RE.search(seg)
        groups = re.findall(r"\d+", first.group(0)) if first else []
        if len(groups) >= 4 and len(groups) % 2 == 0:
            half = len(groups) // 2
            a = parse_number(" ".join(groups[:half]))
            b = parse_number(" ".join(groups[half:]))
            if a is not None and b is not None and a == b:
                return [a, b]
    return values


def cell_amount(cell: str) -> Decimal:
    """The first amount of a cell, 0 for an empty one."""
    values = segment_amounts(cell or "")
    return values[0] if values else Decimal("0")


def _assign(
    values: list[Decimal], order: tuple[str, str], previous: list[Row]
) -> tuple[Decimal, Decimal]:
    """(AE, CP) of a year from its amounts in the columns' ``order``. A lone amount is payment
    catching up with earlier commitments when it fits under them, else a commitment."""
    if len(values) >= 2:
        first, second = values[0], values[1]
        return (first, second) if order[0] == "ae" else (second, first)
    value = values[0]
    cum_ae = sum((r.ae for r in previous), Decimal("0"))
    cum_cp = sum((r.cp for r in previous), Decimal("0"))
    if previous and cum_cp + value <= cum_ae:
        return Decimal("0"), value
    return value, Decimal("0")


def _per_year(values: list[Decimal], n: int) -> list[Decimal] | None:
    """One amount per year, dropping a trailing total column; None when cells are missing."""
    if len(values) == n or (len(values) == n + 1 and sum(values[:n]) == values[n]):
        return values[:n]
    return None


# ---------------------------------------------------------------------------- tables
def _header_columns(row: list[str]) -> tuple[int, int] | None:
    """Indexes of the AE and CP columns of a header row."""
    ae = cp = None
    for i, cell in enumerate(row):
        c = cell.strip()
        if ae is None and re.search(r"^\W*AE\b|autorisations?\s+d'engagement", c, I):
            ae = i
        elif cp is None and re.search(r"^\W*CP\b|cr[ée]dits?\s+de\s+paiement", c, I):
            cp = i
    return (ae, cp) if ae is not None and cp is not None else None


def _table_offset(ctx: Context, table: Table, row: list[str]) -> int:
    """Offset of the text line holding a table row (found by its year)."""
    year = next((c for c in row if re.search(r"(?:19|20)\d\d", c)), None)
    for index, line in enumerate(ctx.doc.lines):
        if line.page == table.page and year and year.strip() in line.text:
            if line.no >= table.line:
                return ctx.doc.line_offset(index)
    return 0


def _add_period(out: list[Row], row: Row) -> None:
    """Append the row of a part of a year, adding it to the previous part of the same year."""
    if out and out[-1].year == row.year:
        last = out[-1]
        out[-1] = Row(last.year, last.ae + row.ae, last.cp + row.cp, last.offset)
    else:
        out.append(row)


def _mark_lines(ctx: Context, found: Schedule, rows: list[Row]) -> None:
    """Record the lines of the rows read: their amounts are not declared totals."""
    for row in rows:
        found.lines.add(ctx.doc.line_index(row.offset))


def _from_tables(ctx: Context, found: Schedule) -> list[Row]:
    """The first table with years as rows under AE/CP headers, or years as columns."""
    for table in ctx.doc.tables:
        rows = _years_as_rows(ctx, table, found)
        if not rows:
            rows = _years_as_columns(ctx, table)
        if rows:
            _mark_lines(ctx, found, rows)
            return rows
    return []


def _years_as_rows(ctx: Context, table: Table, found: Schedule) -> list[Row]:
    """A table whose header names the AE and CP columns and whose rows start with a year.

    A "Total" row is kept in ``found`` to be checked against the sum of the years.
    """
    rows = table.rows
    for h, header in enumerate(rows):
        cols = _header_columns(header)
        if cols is None:
            continue
        ae_col, cp_col = cols
        order = ("ae", "cp") if ae_col < cp_col else ("cp", "ae")
        out: list[Row] = []
        # OCR may cut one table into pieces: follow the next tables of the same page.
        position = ctx.doc.tables.index(table)
        following = [t for t in ctx.doc.tables[position + 1 :] if t.page == table.page]
        body = rows[h + 1 :] + [r for t in following for r in t.rows]
        for row in body:
            ym = re.search(r"^\W*(?:ann[ée]e\s*)?((?:19|20)\d\d)\W*$", row[0] if row else "", I)
            period = None if ym else PERIOD_CELL.match(row[0] if row else "")
            ym = ym or period
            if not ym:
                if row and re.search(r"total", row[0], I):
                    found.total_row = row
                continue
            merged = [v for c in row[1:] for v in segment_amounts(c)]
            if len(row) > max(ae_col, cp_col):
                ae = cell_amount(row[ae_col])
                cp = cell_amount(row[cp_col])
                if len(merged) >= 2 and (ae == 0 or cp == 0):
                    ae, cp = _assign(merged, order, out)
            elif merged:
                ae, cp = _assign(merged, order, out)
            else:
                continue
            found_row = Row(int(ym.group(1)), ae, cp, _table_offset(ctx, table, row))
            if period:
                _add_period(out, found_row)
            else:
                out.append(found_row)
        if out:
            return out
    return []


def _years_as_columns(ctx: Context, table: Table) -> list[Row]:
    """A table whose first row holds the years and whose AE and CP rows hold the amounts."""
    rows = table.rows
    if not rows or sum(bool(re.fullmatch(r"\W*(?:19|20)\d\d\W*", c)) for c in rows[0]) < 1:
        return []
    years = {
        i: int(re.sub(r"\D", "", c))
        for i, c in enumerate(rows[0])
        if re.fullmatch(r"\W*(?:19|20)\d\d\W*", c)
    }
    ae_row = next(
        (r for r in rows[1:] if r and re.search(r"^\W*AE\b|autorisation", r[0], I)),
        None,
    )
    cp_row = next(
        (r for r in rows[1:] if r and re.search(r"^\W*CP\b|cr[ée]dits? de paiement", r[0], I)),
        None,
    )
    if not (ae_row and cp_row):
        return []
    off = _table_offset(ctx, table, rows[0])
    return [
        Row(
            y,
            cell_amount(ae_row[i] if i < len(ae_row) else ""),
            cell_amount(cp_row[i] if i < len(cp_row) else ""),
            off,
        )
        for i, y in years.items()
    ]


# ---------------------------------------------------------------------------- text lines
def _from_transposed_text(ctx: Context, found: Schedule) -> list[Row]:
    """Years as columns, flowed into text: a line of years, then an AE and a CP line.

    "Nature des crédits 2023 2024 Total" / "Autorisations d'engagement 240 000 € 60 000 €
    300 000 €" / "Crédits de paiement 160 000 € 140 000 € 300 000 €".
    """
    lines = ctx.doc.lines
    for i, line in enumerate(lines):
        t = line.text.replace("\t", " ").strip()
        years = [int(y) for y in YEAR_TOKEN.findall(t)]
        if len(years) < 2 or len(t) > 90 or years != sorted(set(years)):
            continue
        rest = YEAR_TOKEN.sub(" ", t)
        if years[-1] - years[0] > 10 or len(rest.split()) > 6 or NUMBER_RE.search(rest):
            continue
        labelled: dict[str, tuple[list[Decimal], int]] = {}
        for j in range(i + 1, min(i + 7, len(lines))):
            nt = lines[j].text.replace("\t", " ").strip()
            for key, label in (("ae", AE_LABEL), ("cp", CP_LABEL)):
                m = label.match(nt)
                if not m or key in labelled:
                    continue
                values = segment_amounts(nt[m.end() :])
                if not values and j + 1 < len(lines):
                    # The label cell wrapped: its amounts are on the next line.
                    values = segment_amounts(lines[j + 1].text)
                labelled[key] = (values, j)
        if "ae" not in labelled or "cp" not in labelled:
            continue
        ae_values = _per_year(labelled["ae"][0], len(years))
        cp_values = _per_year(labelled["cp"][0], len(years))
        if ae_values is None or cp_values is None:
            continue
        off = ctx.doc.line_offset(i)
        found.lines.update({i, labelled["ae"][1], labelled["cp"][1]})
        return [Row(y, a, c, off) for y, a, c in zip(years, ae_values, cp_values, strict=True)]
    return []


# "2024 | AE | 90 000 €": one line per year and kind of credit.
YEAR_KIND_LINE = re.compile(
    r"^[\W_]*(?:ann[ée]e\s*)?((?:19|20)\d\d)\b(?![./-]\d)\W*"
    r"(AE|CP|autorisations?\s+d'engagement|cr[ée]dits?\s+de\s+paiement)\b(.*)$",
    I,
)
# "2024 90 000 € 60 000 €": a line starting with a year.
YEAR_LINE = re.compile(r"^[\W_]*(?:ann[ée]e\s*)?((?:19|20)\d\d)\b(?![./-]\d)(.*)$", I)


def _from_text_lines(ctx: Context, found: Schedule) -> list[Row]:
    """A table flowed into lines starting with a year ("2024 90 000 € 60 000 €") within a few
    lines of an AE/CP header (whose order gives the columns'), else one line per year and kind
    ("2024 | AE | 90 000 €", "2024 | CP | 60 000 €")."""
    lines = ctx.doc.lines
    out: list[Row] = []
    order = ("ae", "cp")
    by_kind: dict[int, dict[str, Decimal]] = {}
    by_kind_off: dict[int, int] = {}
    i = 0
    last_header = -100
    while i < len(lines):
        t = lines[i].text.replace("\t", " ").strip()
        one_kind = _year_kind_amount(t)
        if one_kind is not None:
            year, kind, value = one_kind
            by_kind.setdefault(year, {})[kind] = value
            by_kind_off.setdefault(year, ctx.doc.line_offset(i))
            found.lines.add(i)
            i += 1
            continue
        if re.search(r"\bAE\b", t) and re.search(r"\bCP\b", t) and len(t) < 60:
            last_header = i
            order = ("cp", "ae") if t.find("CP") < t.find("AE") else ("ae", "cp")
        elif re.search(r"[ée]ch[ée]ancier|autorisations?\s+d'engagement", t, I):
            last_header = max(last_header, i - 4)
        ym = YEAR_LINE.match(t)
        period = None if ym else PERIOD_LINE.match(t)
        ym = ym or period
        if ym and i - last_header <= 12:
            j = _continuation_end(lines, i)
            seg = [ym.group(2)] + [
                lines[k].text.replace("\t", " ").strip() for k in range(i + 1, j)
            ]
            values = segment_amounts(" ".join(seg))
            if values:
                off = ctx.doc.line_offset(i)
                for k in range(i, j):
                    found.lines.add(k)
                found_row = Row(int(ym.group(1)), *_assign(values, order, out), off)
                if period:
                    _add_period(out, found_row)
                else:
                    out.append(found_row)
                last_header = j - 1
                i = j
                continue
        i += 1
    if by_kind and not out:
        zero = Decimal("0")
        return [
            Row(y, k.get("ae", zero), k.get("cp", zero), by_kind_off[y])
            for y, k in sorted(by_kind.items())
        ]
    return out


def _year_kind_amount(text: str) -> tuple[int, str, Decimal] | None:
    """(year, "ae" or "cp", amount) of a line "2024 | AE | 90 000 €" with a single amount."""
    km = YEAR_KIND_LINE.match(text)
    if not km:
        return None
    values = segment_amounts(km.group(3))
    if len(values) != 1:
        return None
    kind = "cp" if re.match(r"CP|cr", km.group(2), I) else "ae"
    return int(km.group(1)), kind, values[0]


def _continuation_end(lines: list[Line], i: int) -> int:
    """The index after the lines continuing line ``i`` (wrapped cells): up to a blank line, a
    line starting with a year or a capital letter."""
    j = i + 1
    while j < len(lines):
        nt = lines[j].text.replace("\t", " ").strip()
        if (
            not nt
            or re.match(r"^[\W_]*(?:19|20)\d\d\b", nt)
            or re.match(r"^[A-ZÀ-Ý]", nt)
            or PERIOD_LINE.match(nt)
        ):
            break
        j += 1
    return j


# ---------------------------------------------------------------------------- sentences
def _from_prose(ctx: Context, found: Schedule) -> list[Row]:
    """A schedule written as sentences: "en 2024, 90 000 € en AE et 60 000 € en CP ; en 2025, …".

    Only read for two years or more: a single year in prose is the total, not a schedule.
    Amounts an amendment replaces are skipped.
    """
    flat = ctx.flat[ctx.body_start : min(ctx.signature_start, ctx.annex_start)]
    base = ctx.body_start
    intros = list(PROSE_YEAR.finditer(flat))
    rows: dict[int, dict[str, Decimal]] = {}
    offsets: dict[int, int] = {}
    used: list[int] = []
    for k, intro in enumerate(intros):
        stop = intros[k + 1].start() if k + 1 < len(intros) else len(flat)
        clause = flat[intro.end() : stop]
        end = re.search(r"\.(?:\s|$)", clause)
        clause = clause[: end.start()] if end else clause
        year = int(intro.group(1))
        for m in AMOUNT_RE.finditer(clause):
            at = base + intro.end() + m.start()
            if superseded(ctx, at, at + len(m.group(0))):
                continue
            value = parse_amount(m.group(0))
            kinds = PROSE_KINDS.match(clause[m.end() : m.end() + 60])
            if value is None or not kinds:
                continue
            for name in filter(None, kinds.groups()):
                kind = "cp" if re.match(r"CP|cr", name, I) else "ae"
                rows.setdefault(year, {}).setdefault(kind, value)
            offsets.setdefault(year, base + intro.start())
            used.append(at)
    complete = {y: r for y, r in rows.items() if "ae" in r and "cp" in r}
    if len(complete) < 2:
        return []
    found.prose_amounts = set(used)
    return [Row(y, r["ae"], r["cp"], offsets[y]) for y, r in sorted(complete.items())]
