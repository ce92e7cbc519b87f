"""The délégant's CHORUS imputation, its unité opérationnelle (UO) and programme.

Conventions also describe the délégataire's own purchasing set-up in CHORUS ("adhérence",
service prescripteur…): codes under those headings are not the imputation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .chorus import CHORUS_LABELS, CODE_UO, code_value, label_row, norm_uo, row_values, valid_uo
from .context import Context

I = re.IGNORECASE  # noqa: E741

# Labels of the délégataire's own purchasing set-up (its "adhérence" in CHORUS).
DELEGATAIRE_BLOCK = re.compile(
    r"adh[ée]rence|service\s+prescripteur|service\s+ex[ée]cutant|organisation\s+d'achat|"
    r"groupe\s+d'acheteurs|comptable\s+assignataire|\bRTM\b",
    I,
)
DELEGANT_BLOCK = re.compile(
    r"r[ée]f[ée]rences?\s+(?:chorus|d'imputation|budg[ée]taires?)|imputation", I
)


@dataclass
class Imputation:
    codes: dict[str, str | None]  # one entry per CHORUS field, None when not found
    uo: str | None
    programme: str | None
    code_offsets: dict[str, int]  # where each code found was read
    uo_offset: int | None = None


def imputation(ctx: Context) -> Imputation:
    """The CHORUS codes, then the UO and the programme they belong to."""
    codes, offsets = chorus_codes(ctx)
    for field, off in offsets.items():
        ctx.src(f"imputation.{field}", off)
    uo, uo_offset = unite_operationnelle(ctx, codes, offsets)
    programme = programme_of(ctx, uo, codes)
    return Imputation(codes, uo, programme, offsets, uo_offset)


def chorus_codes(ctx: Context) -> tuple[dict[str, str | None], dict[str, int]]:
    """Each CHORUS field's first code outside the délégataire's blocks, line by line, else in
    the running text. Returns the codes (None when not found) and where they were read."""
    codes: dict[str, str | None] = {k: None for k, _ in CHORUS_LABELS}
    where: dict[str, int] = {}
    _codes_by_line(ctx, codes, where)
    _codes_in_running_text(ctx, codes, where)
    return codes, where


def _codes_by_line(ctx: Context, imp: dict[str, str | None], where: dict[str, int]) -> None:
    """Codes after their label on the same line (or alone on the next one), or under a row of
    labels. A heading naming the délégataire's set-up ("adhérence", "service prescripteur"…)
    opens its block, a short heading about the imputation opens the délégant's, and a long
    paragraph closes either."""
    fix = ctx.doc.ocr
    context: str | None = None
    lines = ctx.doc.lines
    for index, line in enumerate(lines):
        text = line.text.replace("\t", " | ").strip()
        body = re.sub(r"^[\s|•\-*·]+", "", text)
        if DELEGATAIRE_BLOCK.search(body):
            context = "delegataire"
        elif DELEGANT_BLOCK.search(body) and len(body) < 80:
            context = "delegant"
        elif len(body) > 90 and line.cells is None:
            context = None
        header = label_row(line)
        if header is not None:
            # Labels as column headers, codes in the row below.
            if context != "delegataire":
                for field, found in row_values(lines, header, index, fix).items():
                    if imp[field] is None:
                        imp[field] = found
                        where[field] = ctx.doc.line_offset(index)
            continue
        for field, label in CHORUS_LABELS:
            m = label.match(body)
            if not m:
                continue
            sep = re.match(r"(?:\s*\(s\))?[\s:|\-–]*", body[m.end() :])
            value_part = body[m.end() + (sep.end() if sep else 0) :]
            # Words stand for a value only when set apart from the label (tab, colon, cell).
            # A short line of label and value is a table row flowed by the text layer.
            whole = bool(sep and re.search(r"[:|]", sep.group(0))) or (
                len(body) <= 60 and not body.endswith(".")
            )
            value = code_value(field, value_part.strip(" |"), fix, whole=whole)
            if value is None and not value_part.strip(" |") and index + 1 < len(lines):
                nxt = lines[index + 1].text.strip(" |\t")
                if not any(lb.match(nxt) for _, lb in CHORUS_LABELS):
                    value = code_value(field, nxt, fix, whole=line.cells is not None)
            if value is None or context == "delegataire":
                break
            if imp[field] is None:
                imp[field] = value
                where[field] = ctx.doc.line_offset(index)
            break


def _codes_in_running_text(ctx: Context, imp: dict[str, str | None], where: dict[str, int]) -> None:
    """Text layers may flow a label/value table into running lines: for each field still
    missing, the code right after its label in the flat text, before the annexes and outside
    the délégataire's blocks."""
    for field, label in CHORUS_LABELS:
        if imp[field] is not None:
            continue
        for m in label.finditer(ctx.flat):
            if m.start() >= ctx.annex_start:
                break
            after = re.match(r"(?:\s*\(s\))?[\s:|\-–]*", ctx.flat[m.end() :])
            raw = ctx.flat[m.end() + (after.end() if after else 0) : m.end() + 60]
            value = code_value(field, raw, ctx.doc.ocr)
            if value is None or _block_owner(ctx, m.start()) == "delegataire":
                continue
            imp[field] = value
            where[field] = m.start()
            break


def _block_owner(ctx: Context, pos: int) -> str | None:
    """Whose CHORUS table holds this position: the nearest heading marker before it."""
    window = ctx.flat[max(0, pos - 250) : pos]
    last_d = max((m.end() for m in DELEGATAIRE_BLOCK.finditer(window)), default=-1)
    last_g = max((m.end() for m in DELEGANT_BLOCK.finditer(window)), default=-1)
    if last_d > last_g:
        return "delegataire"
    return "delegant" if last_g >= 0 else None


def unite_operationnelle(
    ctx: Context, codes: dict[str, str | None], offsets: dict[str, int]
) -> tuple[str | None, int | None]:
    """The UO code after "unité opérationnelle" / "UO", else the centre financier when it has
    the UO's shape (programme-BOP-UO); with where it was read."""
    for m in re.finditer(r"unit[ée]\s+op[ée]rationnelle|\bUO\b", ctx.flat, I):
        window = ctx.flat[m.end() : m.end() + 90]
        cm = CODE_UO.search(window)
        if cm and valid_uo(cm):
            offset = m.end() + cm.start()
            ctx.src("unite_operationnelle", offset)
            return norm_uo(cm, ctx.doc.ocr), offset
    cf = codes["centre_financier"]
    if cf and CODE_UO.fullmatch(cf):
        offset = offsets["centre_financier"]
        ctx.src("unite_operationnelle", offset)
        return cf, offset
    return None, None


def programme_of(ctx: Context, uo: str | None, codes: dict[str, str | None]) -> str | None:
    """The programme: the first 4 digits of the UO or of the centre financier, else the number
    after "programme" / "P"."""
    for code, field in (
        (uo, "unite_operationnelle"),
        (codes["centre_financier"], "imputation.centre_financier"),
    ):
        if code and code[:4].isdigit():
            if field in ctx.sources:
                ctx.sources["programme"] = ctx.sources[field]
            return str(int(code[:4]))
    m = re.search(r"\bprogramme\s*(?:n°\s*)?:?\s*(\d{3})\b|\bP\s?(\d{3})\b", ctx.flat, I)
    if m:
        ctx.src("programme", m.start())
        return str(int(m.group(1) or m.group(2)))
    return None
