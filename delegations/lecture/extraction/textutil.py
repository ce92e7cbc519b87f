"""Low-level parsing of French administrative text: amounts, numbers in words, dates."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

# Every kind of space a word processor or a PDF may put inside "1 900 000".
SPACES = "\u00a0\u202f\u2009\u2007\u2008\u200a\u205f\u3000"
_SPACE_TABLE = str.maketrans(dict.fromkeys(SPACES, " "))


def normalize_spaces(text: str) -> str:
    return text.translate(_SPACE_TABLE)


def strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", text) if unicodedata.category(c) != "Mn")


def squash(text: str) -> str:
    """Collapse whitespace and fix ' ,' → ','."""
    text = re.sub(r"\s+", " ", normalize_spaces(text)).strip()
    return re.sub(r"\s+([,.;)])", r"\1", text)


def fmt_amount(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def fmt_euros(value: Decimal) -> str:
    """An amount as the review shows it to people: « 150\u202f000,00\u00a0€ »."""
    texte = f"{value.quantize(Decimal('0.01')):,.2f}"
    return texte.replace(",", "\u202f").replace(".", ",") + "\u00a0€"


# ---------------------------------------------------------------------------
# Amounts in digits
# ---------------------------------------------------------------------------

_GROUPED = r"\d{1,3}(?:[ .](?=\d{3}(?!\d))\d{3})+"
NUMBER_RE = re.compile(rf"(?<![\d.,])(?:{_GROUPED}|\d+)(?:,\d{{1,2}}(?!\d))?")
CURRENCY = r"(?:€|euros?\b|EUR\b|k€|K€|M€|millions? d'euros|millions? €)"
AMOUNT_RE = re.compile(
    rf"(?<![\d.,])(?P<num>(?:{_GROUPED}|\d+)(?:,\d{{1,2}}(?!\d))?)\s?(?P<unit>{CURRENCY})",
    re.IGNORECASE,
)


def parse_number(raw: str) -> Decimal | None:
    """Parse '1 900 000', '1.900.000,00', '50000', '2,5' into a Decimal."""
    s = normalize_spaces(raw).strip()
    s = re.sub(r"\s*(€|euros?|eur|ttc|ht)\s*$", "", s, flags=re.IGNORECASE).strip()
    if not s:
        return None
    if "," in s:
        intpart, _, dec = s.rpartition(",")
    else:
        intpart, dec = s, ""
    intpart = intpart.replace(" ", "")
    # "1.900.000": dots are thousands separators when every group has 3 digits.
    if "." in intpart:
        groups = intpart.split(".")
        if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
            intpart = "".join(groups)
        elif not dec and len(groups) == 2 and len(groups[1]) <= 2:
            intpart, dec = groups
        else:
            return None
    if not intpart.isdigit() or (dec and not dec.isdigit()):
        return None
    try:
        return Decimal(f"{intpart}.{dec or '0'}")
    except InvalidOperation:
        return None


def parse_amount(raw: str) -> Decimal | None:
    """Parse an amount with an optional currency and multiplier ('2,5 M€')."""
    s = normalize_spaces(raw).strip()
    m = AMOUNT_RE.search(s)
    if m:
        value = parse_number(m.group("num"))
        if value is None:
            return None
        unit = m.group("unit").lower()
        if unit.startswith("k"):
            value *= 1000
        elif unit.startswith("m"):
            value *= 1_000_000
        return value
    m = NUMBER_RE.search(s)
    return parse_number(m.group(0)) if m else None


@dataclass
class FoundAmount:
    value: Decimal
    start: int
    end: int
    text: str


def find_amounts(text: str, *, require_currency: bool = True) -> list[FoundAmount]:
    text = normalize_spaces(text)
    out: list[FoundAmount] = []
    if require_currency:
        for m in AMOUNT_RE.finditer(text):
            v = parse_amount(m.group(0))
            if v is not None:
                out.append(FoundAmount(v, m.start(), m.end(), m.group(0)))
        return out
    for m in NUMBER_RE.finditer(text):
        v = parse_number(m.group(0))
        if v is not None:
            end = m.end()
            cm = re.match(rf"\s?{CURRENCY}", text[end:], re.IGNORECASE)
            if cm:
                end += cm.end()
            out.append(FoundAmount(v, m.start(), end, text[m.start() : end]))
    return out


# ---------------------------------------------------------------------------
# Numbers in words (French)
# ---------------------------------------------------------------------------

_UNITS = {
    "zero": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "six": 6,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "dix": 10,
    "onze": 11,
    "douze": 12,
    "treize": 13,
    "quatorze": 14,
    "quinze": 15,
    "seize": 16,
    "trente": 30,
    "quarante": 40,
    "cinquante": 50,
    "soixante": 60,
}
_SCALES = {"mille": 1000, "million": 1_000_000, "milliard": 1_000_000_000}
NUMBER_WORDS = set(_UNITS) | set(_SCALES) | {"vingt", "cent", "et"}


def _word_key(token: str) -> str:
    t = strip_accents(token.lower())
    if t in ("cents", "vingts", "millions", "milliards", "milles"):
        t = t[:-1]
    return t


def words_to_int(text: str) -> int | None:
    """'deux millions cinq cent mille' → 2500000; None when not a number in words."""
    tokens = [t for t in re.split(r"[\s\-]+", text.strip()) if t]
    tokens = [_word_key(t) for t in tokens]
    tokens = [t for t in tokens if t not in ("d'euros", "euros", "euro", "d'euro")]
    if not tokens or any(t not in NUMBER_WORDS for t in tokens):
        return None
    total = 0
    current = 0
    prev = ""
    seen = False
    for tok in tokens:
        if tok == "et":
            continue
        seen = True
        if tok in _UNITS:
            current += _UNITS[tok]
        elif tok == "vingt":
            if prev == "quatre":
                current += 80 - 4
            else:
                current += 20
        elif tok == "cent":
            hundreds = current % 100 if current % 100 else 1
            current = current - (current % 100) + hundreds * 100
        elif tok in _SCALES:
            scale = _SCALES[tok]
            if scale == 1000:
                # "deux cent mille" inside "x millions deux cent mille"
                total += (current or 1) * 1000
            else:
                total += (current or 1) * scale
            current = 0
        prev = tok
    if not seen:
        return None
    return total + current


_WORD_ALT = "|".join(sorted(NUMBER_WORDS | {"cents", "vingts", "millions", "milliards"}, key=len))
WORDS_AMOUNT_RE = re.compile(
    rf"\b((?:(?:{_WORD_ALT})[\s\-]+)*(?:{_WORD_ALT}))\s+(?:d'|d’)?euros?\b",
    re.IGNORECASE,
)


def normalize_words(text: str) -> str:
    tokens = [_word_key(t) for t in re.split(r"[\s\-]+", text.strip()) if t]
    return " ".join(t for t in tokens if t not in ("et", "d'euros", "euros", "euro"))


def words_match_number(words: str, value: Decimal) -> bool:
    """Check amount in words against digits, with num2words(lang='fr') as reference."""
    if value != value.to_integral_value():
        return words_to_int(words) == int(value)
    try:
        from num2words import num2words

        reference = normalize_words(num2words(int(value), lang="fr"))
    except Exception:  # noqa: BLE001 - num2words is only a second opinion
        reference = ""
    if reference and reference == normalize_words(words):
        return True
    return words_to_int(words) == int(value)


# ---------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------

MONTHS = {
    "janvier": 1,
    "janv": 1,
    "jan": 1,
    "fevrier": 2,
    "fevr": 2,
    "fev": 2,
    "mars": 3,
    "mar": 3,
    "avril": 4,
    "avr": 4,
    "mai": 5,
    "juin": 6,
    "juillet": 7,
    "juil": 7,
    "aout": 8,
    "septembre": 9,
    "sept": 9,
    "sep": 9,
    "octobre": 10,
    "oct": 10,
    "novembre": 11,
    "nov": 11,
    "decembre": 12,
    "dec": 12,
}
_MONTH_ALT = (
    r"janvier|janv|jan|f[ée]vrier|f[ée]vr|f[ée]v|mars|mar|avril|avr|mai|juin|juillet|juil|"
    r"ao[ûu]t|septembre|sept|sep|octobre|oct|novembre|nov|d[ée]cembre|d[ée]c"
)
DATE_WORDS_RE = re.compile(
    rf"\b(?P<d>[1lI]\s?er|1ᵉʳ|premier|[0-3]?\d)\s+(?P<m>{_MONTH_ALT})\.?\s+(?P<y>(?:19|20)\d\d)\b",
    re.IGNORECASE,
)
DATE_YMD_RE = re.compile(r"(?<![\d.])(?P<y>(?:19|20)\d\d)[./-](?P<m>[01]?\d)[./-](?P<d>[0-3]?\d)\b")
DATE_DMY_RE = re.compile(
    r"(?<![\d./])(?P<d>[0-3]?\d)[/.-](?P<m>[01]?\d)[/.-](?P<y>(?:19|20)\d\d|\d\d)(?![\d/])"
)


_WORD_DESC = "|".join(sorted(NUMBER_WORDS | {"cents", "vingts"}, key=len, reverse=True))
# "le premier mars deux mille vingt-quatre", "trente et un décembre 2025": day and year in words.
DATE_IN_WORDS_RE = re.compile(
    rf"\b(?P<d>premier|(?:(?:{_WORD_DESC})[\s\-]+){{0,2}}(?:{_WORD_DESC}))\s+"
    rf"(?P<m>{_MONTH_ALT})\s+"
    rf"(?P<y>(?:19|20)\d\d\b|(?:deux\s+)?mille(?:[\s\-]+(?:{_WORD_DESC}))*\b)",
    re.IGNORECASE,
)


def _date_in_words(m: re.Match[str]) -> date | None:
    """The date of a :data:`DATE_IN_WORDS_RE` match, None when a part is not a number."""
    dtok = m.group("d").lower()
    day = 1 if dtok == "premier" else words_to_int(dtok)
    ytok = m.group("y")
    year = int(ytok) if ytok.isdigit() else words_to_int(ytok)
    month = MONTHS.get(strip_accents(m.group("m").lower()))
    if day is None or year is None or month is None or not 1900 <= year <= 2099:
        return None
    return _mk_date(year, month, day)


@dataclass
class FoundDate:
    value: date
    start: int
    end: int
    text: str


def _mk_date(y: int, m: int, d: int) -> date | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return date(y, m, d)
    except ValueError:
        return None


def find_dates(text: str) -> list[FoundDate]:
    """All dates in the text, in order, in every supported form."""
    text = normalize_spaces(text)
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in DATE_WORDS_RE.finditer(text):
        dtok = m.group("d").lower().replace(" ", "")
        day = 1 if dtok in ("1er", "ler", "ier", "1ᵉʳ", "premier") else int(dtok)
        month = MONTHS.get(strip_accents(m.group("m").lower()))
        if month is None:
            continue
        value = _mk_date(int(m.group("y")), month, day)
        if value:
            found.append(FoundDate(value, m.start(), m.end(), m.group(0)))
            taken.append(m.span())
    for m in DATE_IN_WORDS_RE.finditer(text):
        if not free(*m.span()):
            continue
        value = _date_in_words(m)
        if value:
            found.append(FoundDate(value, m.start(), m.end(), m.group(0)))
            taken.append(m.span())
    for rx in (DATE_YMD_RE, DATE_DMY_RE):
        for m in rx.finditer(text):
            if not free(*m.span()):
                continue
            value = _mk_date(int(m.group("y")), int(m.group("m")), int(m.group("d")))
            if value:
                found.append(FoundDate(value, m.start(), m.end(), m.group(0)))
                taken.append(m.span())
    found.sort(key=lambda f: f.start)
    return found


def parse_date(text: str) -> date | None:
    dates = find_dates(text)
    return dates[0].value if dates else None


def small_number(token: str) -> int | None:
    """A count written in digits or in words ("18", "dix-huit", "trente-six")."""
    token = token.strip().lower()
    if token.isdigit():
        return int(token)
    return words_to_int(token)


# ---------------------------------------------------------------------------
# OCR helpers
# ---------------------------------------------------------------------------

_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "S": "5"})


def clean_ocr_text(text: str) -> str:
    """What OCR predictably misreads in conventions: the euro sign of "k€"/"M€" read as an "e"
    after a number ("300 ke" → "300 k€")."""
    return re.sub(r"(?<=\d)(\s?)([kKM])[eE](?![\w€])", r"\1\2€", text)


def fix_ocr_digits(token: str) -> str:
    """'2O04' → '2004': letters that OCR confuses with digits, in a mostly numeric token."""
    return token.translate(_OCR_DIGITS)


def edit_distance(a: str, b: str) -> int:
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]
