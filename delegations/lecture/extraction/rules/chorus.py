"""The shape of CHORUS codes (the State's accounting system) and how they are laid out.

A code is made of fixed chunks (a 4-digit programme, then letters/digits) joined by hyphens;
word processors space the hyphens out or turn them into dashes ("0135 – DGAL – DHUP"), OCR reads
zeros as the letter O. Reading which code is the convention's is :mod:`.imputation`'s job.
"""

from __future__ import annotations

import re

from ..document import Line
from ..textutil import fix_ocr_digits

I = re.IGNORECASE  # noqa: E741

DASH = r"\s?[-‐‑–—]\s?"
CODE_UO = re.compile(
    rf"(?<![\w-])([0-9OIl]{{4}}){DASH}([A-Z0-9]{{2,8}}){DASH}([A-Z0-9]{{2,8}})(?![\w-])"
)
CODE_DF = re.compile(
    rf"(?<![\w-])([0-9OIl]{{3,4}}{DASH}[0-9OIl]{{2}}(?:{DASH}[0-9OIl]{{2}})?)(?![\w-])"
)
CODE_CF = re.compile(
    rf"(?<![\w-])([0-9OIl]{{4}}{DASH}[A-Z0-9]{{2,8}}(?:{DASH}[A-Z0-9]{{2,8}})?)(?![\w-])"
)
CODE_ACT = re.compile(
    rf"(?<![\w])([0-9OIl]{{4}}[0-9A-Z]{{4,10}}(?:{DASH}[0-9A-Z]{{2,6}})?)(?![\w-])"
)
# An activity code has 12 characters (programme + 8), sometimes typed in spaced groups.
ACTIVITY_LENGTH = 12
CODE_ACT_SPACED = re.compile(r"([0-9OIl]{4})((?: [0-9A-Z]{2,8})+)(?![\w-])")
CODE_CC = re.compile(r"(?<![\w])([A-Z]{2,}[A-Z0-9]*(?: ?\d{2,}){0,2})(?![\w])")
CC_MAX_LENGTH = 12
CODE_AXE = re.compile(r"^([A-Z0-9][A-Z0-9.\-]{0,15})(?![\w])")
# An axis named in words ("Transition numérique"): a short capitalised phrase filling its cell.
AXE_WORDS = re.compile(r"^([A-ZÀ-Ý][\w'’À-ÿ-]*(?:\s+[\w'’À-ÿ-]+){0,5})\s*$")
NO_VALUE = re.compile(r"^(?:sans\s+objet|n[ée]ant|non\s+renseign[ée]e?|[-–—/]+)$", I)

CHORUS_LABELS: list[tuple[str, re.Pattern[str]]] = [
    ("axe_ministeriel_1", re.compile(r"axe\s+minist[ée]riel\s*(?:n°\s*)?(?:1|un|I)\b", I)),
    ("axe_ministeriel_2", re.compile(r"axe\s+minist[ée]riel\s*(?:n°\s*)?(?:2|deux|II)\b", I)),
    ("domaine_fonctionnel", re.compile(r"domaine\s+fonctionnel|\bDF\b", I)),
    ("centre_financier", re.compile(r"centre\s+financier|\bCF\b", I)),
    ("activite", re.compile(r"(?:code\s+)?activit[ée]s?(?:\s*\(s\))?", I)),
    ("centre_de_cout", re.compile(r"centre\s+de\s+co[ûu]ts?|\bCC\b", I)),
]
CHORUS_VALUE: dict[str, re.Pattern[str]] = {
    "axe_ministeriel_1": CODE_AXE,
    "axe_ministeriel_2": CODE_AXE,
    "domaine_fonctionnel": CODE_DF,
    "centre_financier": CODE_CF,
    "activite": CODE_ACT,
    "centre_de_cout": CODE_CC,
}
AXES = ("axe_ministeriel_1", "axe_ministeriel_2")


def fix_ocr_code(code: str, ocr: bool) -> str:
    """In OCR text, a letter O touching a digit inside a CHORUS code is a zero."""
    if not ocr:
        return code
    return re.sub(r"O(?=\d)|(?<=\d)O", "0", code)


# Characters OCR confuses, each with the readings it may stand for.
AMBIGUOUS: dict[str, str] = {
    "0": "O",
    "O": "0",
    "D": "0",
    "1": "I",
    "I": "1",
    "l": "1I",
    "|": "1I",
    "5": "S",
    "S": "5",
    "8": "B",
    "B": "8",
}
MAX_AMBIGUOUS = 10
# The shape each CHORUS code must have once read.
SHAPES: dict[str, re.Pattern[str]] = {
    "domaine_fonctionnel": re.compile(r"\d{4}-\d{2}(?:-\d{2})?"),
    "centre_de_cout": re.compile(r"[A-Z]{3,}\d{3,}"),
    "activite": re.compile(r"\d{4}[0-9A-Z]{8}(?:-\d{2,6})?"),
    "centre_financier": re.compile(r"\d{4}-[A-Z0-9]{2,8}(?:-[A-Z0-9]{2,8})?"),
}


def resolve_by_shape(code: str, shape: re.Pattern[str]) -> str:
    """An OCR-read code with each ambiguous character (``0/O``, ``1/I/l``, ``5/S``, ``8/B``)
    corrected only when exactly one reading of it fits ``shape`` (every reading of the code that
    fits agrees on it); else that character as read ("MERSGAO042": the O may end the letters or
    start the digits, so it stays)."""
    positions = [i for i, ch in enumerate(code) if ch in AMBIGUOUS]
    if not positions or len(positions) > MAX_AMBIGUOUS:
        return code
    readings = [""]
    for i, ch in enumerate(code):
        options = ch + AMBIGUOUS[ch] if i in positions else ch
        readings = [r + o for r in readings for o in options]
    fitting = [r for r in readings if shape.fullmatch(r)]
    if not fitting:
        return code
    # Character by character: corrected where every fitting reading agrees.
    chars = list(code)
    for i in positions:
        agreed = {r[i] for r in fitting}
        if len(agreed) == 1:
            chars[i] = agreed.pop()
    return "".join(chars)


def valid_uo(m: re.Match[str]) -> bool:
    """A UO code (programme-BOP-UO, from :data:`CODE_UO`) has letters in its BOP chunk."""
    return bool(re.search(r"[A-Z]", m.group(2))) and fix_ocr_digits(m.group(1)).isdigit()


def norm_uo(m: re.Match[str], ocr: bool) -> str:
    """A UO code from :data:`CODE_UO` with plain hyphens and OCR letters fixed."""
    code = f"{fix_ocr_digits(m.group(1))}-{m.group(2)}-{m.group(3)}"
    return fix_ocr_code(code, ocr)


def code_value(field: str, raw: str, fix: bool, *, whole: bool = False) -> str | None:
    """The code of ``field`` at the start of ``raw`` (a cell or what follows a label), normalised:
    hyphens for dashes, no spaces in a centre de coût, digits for the letters OCR confuses
    (``fix``: the text comes from OCR), a leading zero for a domaine fonctionnel written with a
    3-digit programme. None when ``raw`` does not start with such a code.

    ``whole``: ``raw`` is a whole cell (or the rest of a label's line), so a ministerial axis
    may be words as written ("Transition numérique"), whitespace normalised."""
    raw = raw.strip().lstrip("[(|").strip()
    if not raw or NO_VALUE.match(raw):
        return None
    if field in AXES and whole:
        words = AXE_WORDS.match(raw)
        if words and not CODE_AXE.match(raw) and not any(lb.match(raw) for _, lb in CHORUS_LABELS):
            return " ".join(words.group(1).split())
    if field == "activite":
        spaced = spaced_activity(raw)
        if spaced is not None:
            return fix_ocr_code(spaced, fix)
    m = CHORUS_VALUE[field].search(raw) if field not in AXES else CHORUS_VALUE[field].match(raw)
    if not m:
        return None
    # The value must start the cell: no prose before the code.
    if m.start() > 3:
        return None
    value = m.group(1)
    if field in AXES:
        if any(lb.match(raw) for _, lb in CHORUS_LABELS):
            return None
        return value
    if field == "centre_de_cout":
        return _centre_de_cout(value, fix)
    if fix and field in SHAPES:
        value = resolve_by_shape(re.sub(DASH, "-", value), SHAPES[field])
    value = re.sub(DASH, "-", value)
    if field == "domaine_fonctionnel" and re.match(r"[0-9OIl]{3}-", value):
        value = "0" + value  # "217-05-02": the programme's leading zero left out
    if field == "activite" and "-" in value and len(value) - 1 > ACTIVITY_LENGTH:
        value = value.split("-")[0]  # "0310ACAE0701 - DSI": a label, not a sub-code
    value = fix_ocr_digits(value[:4]) + value[4:]
    if field == "domaine_fonctionnel":
        value = fix_ocr_digits(value)
    if not value[:4].isdigit():
        return None
    return fix_ocr_code(value, fix)


def _centre_de_cout(value: str, fix: bool) -> str | None:
    """A centre de coût: letters then digits, 4 to 12 characters once spaces are removed."""
    value = value.replace(" ", "")
    if len(value) < 4 or len(value) > CC_MAX_LENGTH:
        return None
    if fix:
        # Letters then digits: an ambiguous character inside either run has one reading.
        value = resolve_by_shape(value, SHAPES["centre_de_cout"])
    return value


def spaced_activity(raw: str) -> str | None:
    """'0135 0502 0104' → '013505020104': groups that add up to a 12-character code."""
    m = CODE_ACT_SPACED.match(raw)
    if not m:
        return None
    value = fix_ocr_digits(m.group(1))
    for group in m.group(2).split():
        if len(value) + len(group) > ACTIVITY_LENGTH:
            break
        value += group
    if len(value) != ACTIVITY_LENGTH or not value[:4].isdigit():
        return None
    return value


def label_row(line: Line) -> list[str | None] | None:
    """The CHORUS fields of a row made only of labels ("Centre financier | Activité").

    Table cells give one field per column ("?" for another column such as "Programme", None for
    an empty one); flowed text must be labels only. None unless two distinct fields are named.
    """
    cells = line.cells if line.cells else None
    fields: list[str | None] = []
    if cells is not None:
        for cell in cells:
            cell = cell.strip(" :*")
            field = None
            for name, label in CHORUS_LABELS:
                m = label.match(cell)
                if m and not re.sub(r"[\s:()s]", "", cell[m.end() :]):
                    field = name
                    break
            if cell and field is None:
                field = "?"  # another column (e.g. "Programme"): keeps positions
            fields.append(field)
    else:
        text = line.text.strip()
        pos = 0
        while pos < len(text):
            gap = re.match(r"[\s:|/]*", text[pos:])
            pos += gap.end() if gap else 0
            if pos >= len(text):
                break
            for name, label in CHORUS_LABELS:
                m = label.match(text, pos)
                if m:
                    fields.append(name)
                    pos = m.end()
                    break
            else:
                return None
    known = [f for f in fields if f not in (None, "?")]
    return fields if len(known) >= 2 and len(set(known)) == len(known) else None


def row_values(
    lines: list[Line], fields: list[str | None], index: int, fix: bool
) -> dict[str, str]:
    """The codes under a row of labels (``fields`` of line ``index``), in the next non-empty
    line: cell by cell in a table, else token by token in the labels' order."""
    nxt = next(
        (j for j in range(index + 1, min(index + 3, len(lines))) if lines[j].text.strip()), None
    )
    if nxt is None:
        return {}
    out: dict[str, str] = {}
    cells = lines[nxt].cells
    if cells is not None and lines[index].cells is not None:
        for field, cell in zip(fields, cells, strict=False):
            if field not in (None, "?"):
                value = code_value(field, cell, fix, whole=True)
                if value is not None:
                    out[field] = value
        return out
    # Flowed text: read the codes in the labels' order, each as long as it stays one code.
    tokens = lines[nxt].text.replace("\t", " ").replace("|", " ").split()
    squeeze = re.compile(r"[\s\-‐‑–—]")
    for field in fields:
        if field in (None, "?") or not tokens:
            continue
        best: tuple[str, int] | None = None
        for k in range(1, min(6, len(tokens)) + 1):
            joined = " ".join(tokens[:k])
            value = code_value(field, joined, fix)
            if value is not None and squeeze.sub("", value) == squeeze.sub("", joined):
                best = (value, k)
        if best is None:
            return out
        out[field] = best[0]
        tokens = tokens[best[1] :]
    return out
