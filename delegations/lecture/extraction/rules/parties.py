"""The two parties: the délégant (a ministry or one of its directions) and the délégataire (DINUM).

Each party is read as a name, an optional acronym (sigle) in brackets after it, and the person
who represents it ("représenté par M. X, directeur de …").
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from ..textutil import edit_distance, squash
from .context import Context

I = re.IGNORECASE  # noqa: E741

DINUM_NAME = re.compile(r"\bDINUM\b|direction\s+interminist[ée]rielle\s+du\s+num[ée]rique", I)

Party = dict[str, Any]  # {"nom", "sigle", "representant": {"nom", "qualite"} | None}


def parties(ctx: Context) -> tuple[Party | None, Party | None]:
    """(délégant, délégataire), each None when not found.

    The parties are the blocks between "Entre" and "Et" and after "Et" (before the preamble),
    else the paragraphs around each "représenté par". The délégataire is the block naming DINUM
    or calling itself "délégataire"; the other one is the délégant.
    """
    limit = ctx.body_start or len(ctx.text)
    blocks = _blocks_between_entre_and_et(ctx, limit)
    if blocks is None:
        blocks = _blocks_by_representative(ctx, limit)
    parsed = [p for p in (_parse_party(ctx, a, b) for a, b in blocks) if p is not None]
    if not parsed:
        return None, None
    delegant = delegataire = None
    for party, raw in parsed:
        if _is_delegataire(party, raw) and delegataire is None:
            delegataire = party
        elif delegant is None:
            delegant = party
    return delegant, delegataire


def _is_delegataire(party: Party, raw: str) -> bool:
    """DINUM by name, or a block that calls itself "délégataire" and not "délégant"."""
    return bool(DINUM_NAME.search(party["nom"] or "")) or bool(
        re.search(r"d[ée]l[ée]gataire", raw, I) and not re.search(r"d[ée]l[ée]gu?r?ant\b", raw, I)
    )


def _blocks_between_entre_and_et(ctx: Context, limit: int) -> list[tuple[int, int]] | None:
    """Line ranges of the two parties in "Entre : A … Et : B …", None without that layout."""
    lines = ctx.doc.lines
    entre = et = stop = None
    inline_et = False
    for index, line in enumerate(lines):
        off = ctx.doc.line_offset(index)
        if off >= limit:
            break
        t = line.text.strip()
        if entre is None and (
            re.fullmatch(r"\W*entre\b.{0,30}", t, I)
            # "La présente convention est conclue entre :" introduces the parties too.
            or re.search(r"\b(?:conclue?|pass[ée]e?|sign[ée]e?)\s+entre\W*$", t, I)
        ):
            entre = index
        elif entre is not None and et is None and re.fullmatch(r"\W*et\W*", t, I):
            et = index
        elif (
            entre is not None
            and et is None
            and re.match(r"\W*et\s+(?:la|le|les|l['’])\s*\w", t, I)
            and re.search(
                r"repr[ée]sent|d'une\s+part",
                " ".join(ln.text for ln in lines[entre + 1 : index]),
                I,
            )
        ):
            # "…, d'une part, / et la DINUM, représentée par …, d'autre part."
            et, inline_et = index, True
        elif et is not None and re.match(
            r"\W*(vu\b|pr[ée]ambule|il\s+(a\s+)?[ée]t[ée]\s+(convenu|arr[êe]t[ée])|"
            r"il\s+est\s+convenu|expos[ée]|consid[ée]rant|article)",
            t,
            I,
        ):
            stop = index
            break
    if entre is None or et is None:
        return None
    second = et if inline_et else et + 1
    return [(entre + 1, et), (second, stop if stop is not None else et + 12)]


def _blocks_by_representative(ctx: Context, limit: int) -> list[tuple[int, int]]:
    """Without "Entre … Et …": each party is the paragraph around its "représenté par"."""
    lines = ctx.doc.lines
    reps: list[int] = []
    for index, line in enumerate(lines):
        if ctx.doc.line_offset(index) >= limit:
            break
        # "représenté par :" announces a name on another line: the party starts here.
        if REPRESENTED.search(line.text.strip()) and not re.search(
            r"repr[ée]sent[ée]e?s?\s+par\s*(?::|$)", line.text.strip(), I
        ):
            reps.append(index)
    ends_party = re.compile(r"ci-apr[èe]s|d'une\s+part|[«»]|d[ée]l[ée]g(?:ant|ataire)", I)
    # Lines of a party that are not its name: representative, address.
    not_name = re.compile(r"[\W_]*(?:repr[ée]sent|adresse|sis|situ[ée]|\d)", I)
    blocks: list[tuple[int, int]] = []
    for k, index in enumerate(reps[:2]):
        floor = reps[k - 1] + 1 if k else 0
        start = index
        j = index - 1
        while j >= max(floor, index - 6):
            t = lines[j].text.strip()
            if not t:
                # The name may stand in its own paragraph above the address and representative.
                if not_name.match(lines[start].text.strip()):
                    j -= 1
                    continue
                break
            if ends_party.search(t):
                break
            start = j
            j -= 1
        end = index + 1
        while end < min(index + 4, len(lines)) and (k + 1 >= len(reps) or end < reps[k + 1]):
            t = lines[end].text.strip()
            if not t and not (
                end + 1 < len(lines)
                and re.match(r"\W*(?:ci-apr|d[ée]sign|d[ée]nomm)", lines[end + 1].text, I)
            ):
                break
            end += 1
        blocks.append((start, end))
    return blocks


def _parse_party(ctx: Context, a: int, b: int) -> tuple[Party, str] | None:
    """A party from its lines [a, b): its name (before its acronym, representative or address),
    its acronym in brackets and its representative; with the block's text."""
    lines = ctx.doc.lines[a:b]
    if not lines:
        return None
    raw = " ".join(ln.text.strip() for ln in lines if ln.text.strip())
    raw = re.sub(r"^[\W_]*et\s+(?=(?:la|le|les|l['’])\s*\w)", "", squash(raw), flags=I)
    raw = re.sub(r"\bci-\s+apr", "ci-apr", raw, flags=I)  # "ci-" hyphenated at a line end
    if not raw:
        return None
    m = re.search(
        r"\s*\(|,?\s*repr[ée]sent[ée]|\s+adresse\b|,?\s*ci-apr[èe]s|,?\s*\d+\s*,?\s*(?:bis\s+)?"
        r"(?:rue|avenue|av\.|boulevard|bd|place|quai|all[ée]e|cours|square|impasse|chemin)\b",
        raw,
        I,
    )
    name = raw[: m.start()] if m else raw
    name = re.sub(r"^(?:le|la|les|l['’])\s*", "", name.strip(" ,;:"), flags=I).strip(" ,;:")
    name = name[:1].upper() + name[1:]
    sigle = None
    sm = re.match(r"\s*\(\s*([A-Z][A-Za-z0-9&\-]{1,15})\s*\)", raw[m.start() :] if m else "")
    if sm and sm.group(1).upper() == sm.group(1):
        sigle = _fix_sigle(ctx, sm.group(1))
    rep = _representative(raw)
    if rep is not None and rep["nom"] and ctx.doc.ocr:
        rep["nom"] = _fix_person(ctx, rep["nom"])
    first = next((i for i in range(a, b) if ctx.doc.lines[i].text.strip()), a)
    ctx.src(
        "delegant" if not DINUM_NAME.search(name) else "delegataire", ctx.doc.line_offset(first)
    )
    return {"nom": name or None, "sigle": sigle, "representant": rep}, raw


def _fix_sigle(ctx: Context, sigle: str) -> str:
    """OCR may garble the one place an acronym is defined: trust its other uses."""
    if not ctx.doc.ocr or len(sigle) < 4:
        return sigle
    # Acronyms used as words, not the chunks of a CHORUS code ("0224-CSNU-DNUM").
    counts = Counter(re.findall(r"(?<![\w-])[A-Z]{3,}(?![\w-])", ctx.flat))
    if counts[sigle] > 1:
        return sigle
    near = [(n, t) for t, n in counts.items() if t != sigle and edit_distance(t, sigle) == 1]
    return max(near)[1] if near else sigle


CIVILITY = r"(?:M\.|Mme\.?|Mlle|Madame|Monsieur|Mr\.?)"
# A person's name: capitalised words (hyphenated or with particles), 1 to 5 of them.
PERSON = (
    r"(?:[A-ZÀ-Ý][\w'’À-ÿ]*\.?(?:-[A-ZÀ-Ý][\w'’À-ÿ]*)*)"
    r"(?:\s+(?:(?:de|du|des|d'|le|la|van|von)\s+)?[A-ZÀ-Ý][\w'’À-ÿ]*(?:-[A-ZÀ-Ý][\w'’À-ÿ]*)*){0,4}"
)
# "représenté par", and the same clause with "par" forgotten ("Représentée Mme X, …").
REPRESENTED = re.compile(
    rf"repr[ée]sent[ée]e?s?\s+(?:par\s*(?!:)|(?={CIVILITY}\s|(?:son|sa|le|la|l')\s*\w|"
    r"[A-ZÀ-Ý][\w'’À-ÿ-]+\s+[A-ZÀ-Ý]))",
    I,
)
NAME_THEN_QUALITY = re.compile(rf"(?:{CIVILITY}\s+)?({PERSON})\s*,\s*(.*)$")
# "son directeur, M. Jean Dupont", "la directrice générale Mme Ana Ruiz": title, then the name.
QUALITY_THEN_NAME = re.compile(
    rf"(?:(?:son|sa|le|la|l')\s*)?([^,]+?)\s*(?:,\s*(?:{CIVILITY}\s+)?|\s+{CIVILITY}\s+)"
    rf"({PERSON})\s*(?=,|;|\.|$)"
)


def _fix_person(ctx: Context, nom: str) -> str:
    """OCR may garble a name where it is read: a name written again elsewhere (the signature
    block) with one or two characters different, and more often than this reading, wins."""
    words = nom.split()
    if not words or len(nom) < 6:
        return nom
    shape = r"\s+".join([r"[A-ZÀ-Ý][\w'’À-ÿ.-]*"] * len(words))
    counts = Counter(
        squash(m.group(0)) for m in re.finditer(rf"(?<![\w-]){shape}(?![\w-])", ctx.flat)
    )
    mine = counts.get(nom, 0)
    best = max(
        (
            (n, other)
            for other, n in counts.items()
            if other != nom and 0 < edit_distance(other.lower(), nom.lower()) <= 2
        ),
        default=None,
    )
    return best[1] if best is not None and best[0] > mine else nom


def _representative(raw: str) -> dict[str, str | None] | None:
    """The person who signs for a party and their quality (title), in either order:
    "représenté par M. Jean Dupont, directeur …", "représenté par son directeur, M. Jean Dupont";
    a forgotten "par" ("Représentée Mme X, directrice …") reads the same."""
    for m in REPRESENTED.finditer(raw):
        rest = raw[m.end() :]
        rest = re.split(
            r"\s*,?\s*(?:(?:d[ée]sign[ée]e?|d[ée]nomm[ée]e?|appel[ée]e?)\s+)?ci-apr[èe]s\b"
            r"|\s+adresse\s*:|,\s*d'(?:une|autre)\s+part",
            rest,
            maxsplit=1,
            flags=I,
        )[0].strip()
        # Title first when it starts with a determiner or a lower-case word.
        if re.match(r"(?:son|sa|le|la|l')\s*\w|[a-zà-ÿ]", rest):
            qm = QUALITY_THEN_NAME.match(rest)
            if qm:
                return {"nom": squash(qm.group(2)), "qualite": _clean_qualite(qm.group(1))}
            continue
        nm = NAME_THEN_QUALITY.match(rest)
        if nm and not re.match(r"(?:son|sa|le|la|les|l')\b", nm.group(1), I):
            return {"nom": squash(nm.group(1)), "qualite": _clean_qualite(nm.group(2))}
    return None


def _clean_qualite(q: str) -> str | None:
    """The representative's title without the trailing role words ("le délégant", "d'une part")."""
    q = squash(q)
    parts = [p.strip() for p in q.split(",")]
    role = re.compile(
        r"^(?:le |la |en qualit[ée] de )?(?:d[ée]l[ée]gu?r?ant|d[ée]l[ée]gataire|d'une part|"
        r"d'autre part|ci-apr[èe]s.*|)\W*$",
        I,
    )
    while parts and role.match(parts[-1]):
        parts.pop()
    q = ", ".join(parts).strip(" ,;:.")
    q = re.sub(r"^(?:le|la|l')\s+", "", q)
    q = re.sub(r"^l'", "", q)
    return q or None
