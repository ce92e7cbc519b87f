"""Where the money sits and who else pays: the BOP, and the co-financings stated in the text.

The BOP (budget opérationnel de programme) is kept as written, brackets dropped. A
co-financing is another funder's money for the same work ("le délégataire co-finance le
service à hauteur de 50 000 €", "un cofinancement de 80 k€ du Fonds … (FTAP)"); the délégant's
own credits are not one.
"""

from __future__ import annotations

import re
from typing import Any

from ..textutil import AMOUNT_RE, fix_ocr_digits, fmt_amount, parse_amount, squash
from .context import Context

I = re.IGNORECASE  # noqa: E741

BOP_LABEL = re.compile(
    r"^[\W_]*(?:BOP|budget\s+op[ée]rationnel(?:\s+de\s+programme)?|code\s+programme|programme)"
    r"(?:\s*\(BOP\))?\s*(?:[:|\t]|\s)\s*(?P<value>.+)$",
    I,
)
BOP_IN_TEXT = re.compile(
    r"\b(?:BOP|budget\s+op[ée]rationnel\s+de\s+programme(?:\s*\(BOP\))?)\)?\s*(?:n°\s*)?"
    r"[\[(]?\s*(?P<code>[0-9OIl]{3,4}\s?[-‐–]\s?[A-Z0-9]{2,8})\b\s*[\])]?",
    I,
)
COFUNDING = re.compile(
    r"co-?\s?financ\w*|participe\s+(?:[ée]galement\s+)?au\s+financement|"
    r"financ\w*\s+compl[ée]mentaire",
    I,
)
# The funder named after the amount or the verb: "du Fonds … (FTAP)", "par la DINUM".
FUNDER_AFTER = re.compile(
    r"\b(?:du|de\s+la|de\s+l'|des|par\s+(?:la|le|l')?|de)\s*(?P<name>[^,.;()]{2,90}?)\s*"
    r"(?:\((?P<acr>[A-Z][A-Z0-9&-]{1,14})\)|(?=[,.;]|\s+(?:au\s+titre|pour|afin|dans)\b))"
)
ACRONYM = re.compile(r"^[A-Z][A-Z0-9&-]{1,14}$")


def bop(ctx: Context) -> str | None:
    """The BOP as written: the value of a "BOP" line (or of a "Code programme" line naming the
    BOP), else the code after "BOP" / "budget opérationnel de programme" in the text."""
    for index, line in enumerate(ctx.doc.lines):
        text = line.text.strip()
        m = BOP_LABEL.match(text)
        if not m:
            continue
        value = squash(m.group("value").replace("\t", " ").strip(" |[]()"))
        label = text[: m.start("value")]
        # A BOP line holds a code (a digit in it); a "programme" line must name the BOP.
        named = re.search(r"(?<![A-Za-z])BOP(?![A-Za-z])", value) or (
            re.search(r"\bBOP\b|budget", label, I) and re.search(r"\d", value)
        )
        if value and named and len(value) <= 40 and not value.endswith("."):
            ctx.src("bop", ctx.doc.line_offset(index))
            return ocr_bop(value) if ctx.doc.ocr else value
    limit = min(ctx.annex_start, len(ctx.flat))
    m = BOP_IN_TEXT.search(ctx.flat[:limit])
    if m:
        ctx.src("bop", m.start())
        code = re.sub(r"\s?[-‐–]\s?", "-", m.group("code"))
        return ocr_bop(code) if ctx.doc.ocr else code
    return None


def ocr_bop(value: str) -> str:
    """A BOP read by OCR, with the spacing and hyphen OCR loses put back: "P214 _BOP X" →
    "P 214 _ BOP X", "O217CMER" → "0217-CMER" (a programme then letters is a BOP code)."""
    value = re.sub(r"\s*_\s*", " _ ", value).strip()
    value = re.sub(r"^P(?=\d{3}\b)", "P ", value)
    m = re.fullmatch(r"([0-9OIl]{3,4})-?([A-Z][A-Z0-9]{1,7})", value)
    if m:
        value = f"{fix_ocr_digits(m.group(1))}-{m.group(2)}"
    return value


def cofunding_offsets(ctx: Context) -> set[int]:
    """Where amounts that belong to a co-financing are (they are not the délégation's total)."""
    return {off for off, _ in _cofunding(ctx)}


def cofinancements(ctx: Context, delegataire: dict[str, Any] | None) -> list[dict[str, str]]:
    """Each co-financing: its funder (acronym where given), amount and what it pays for."""
    out: list[dict[str, str]] = []
    for off, item in _cofunding(ctx, delegataire):
        if item not in out:
            out.append(item)
            ctx.src("cofinancements", off)
    return out


def _cofunding(
    ctx: Context, delegataire: dict[str, Any] | None = None
) -> list[tuple[int, dict[str, str]]]:
    limit = min(ctx.annex_start, ctx.signature_start, len(ctx.flat))
    flat = ctx.flat
    found: list[tuple[int, dict[str, str]]] = []
    seen: set[tuple[int, int]] = set()
    for cm in COFUNDING.finditer(flat, 0, limit):
        s, e = ctx.sentence_at(cm.start(), cm.end())
        # A flowed table before the sentence has no full stop: start at the line when it
        # opens with a capital letter.
        line_start = ctx.doc.line_offset(ctx.doc.line_index(cm.start()))
        if line_start > s and re.match(r"\s*[A-ZÀ-Ý]", ctx.text[line_start : line_start + 5]):
            s = line_start
        if (s, e) in seen:
            continue
        seen.add((s, e))
        sentence = flat[s:e]
        before = sentence[: cm.start() - s]
        # The délégant's own credits ("les crédits nécessaires au co-financement") are the
        # délégation itself.
        if re.search(r"d[ée]l[ée]gu?ant\b", before, I) and not re.search(
            r"d[ée]l[ée]gataire", before, I
        ):
            continue
        # The amount after the co-financing word, else one just before it.
        at = cm.start() - s
        amounts = [
            m for m in AMOUNT_RE.finditer(sentence) if (parse_amount(m.group(0)) or 0) >= 100
        ]
        amount = next((m for m in amounts if m.start() >= at), None) or next(
            (m for m in reversed(amounts) if at - m.end() < 60), None
        )
        if amount is None:
            continue
        value = parse_amount(amount.group(0))
        funder = _funder(sentence, before, amount.end(), delegataire)
        if value is None or funder is None:
            continue
        item = {"financeur": funder, "montant": fmt_amount(value), "objet": squash(sentence)}
        found.append((s + amount.start(), item))
    return found


def _funder(
    sentence: str, before: str, after_amount: int, delegataire: dict[str, Any] | None
) -> str | None:
    """Who pays: the subject when it is the délégataire (or names itself), else the body named
    after the amount ("du Fonds … (FTAP)", "par la DINUM"); its acronym where one is given."""
    if re.search(r"\bd[ée]l[ée]gataire\b", before, I):
        if delegataire:
            return str(delegataire.get("sigle") or delegataire.get("nom") or "délégataire")
        return "délégataire"
    subject = re.search(r"(?:^|\s)(?:la|le|l')\s*([A-Z][A-Z0-9&-]{1,14})\b", before)
    if subject:
        return subject.group(1)
    named = re.compile(
        r"\b(?:du|de\s+la|de\s+l'|des|par|de)\s[^.;]{0,90}?\((?P<acr>[A-Z][A-Z0-9&-]{1,14})\)"
    )
    am = named.search(sentence, after_amount)
    if am:
        return am.group("acr")
    m = FUNDER_AFTER.search(sentence, after_amount)
    if m:
        if m.group("acr"):
            return m.group("acr")
        name = squash(m.group("name"))
        name = re.sub(r"^(?:la|le|l')\s*", "", name, flags=I)
        if ACRONYM.match(name) or re.match(r"[A-ZÀ-Ý]", name):
            return name
    return None
