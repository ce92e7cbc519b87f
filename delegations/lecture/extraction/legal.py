"""Well-known legal texts cited by conventions, to spot wrong numbers or dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .textutil import find_dates, fix_ocr_digits


@dataclass(frozen=True)
class LegalText:
    kind: str
    number: str
    signed: date
    subject: str  # a regex of words that identify the text when its number is wrong


KNOWN_TEXTS: tuple[LegalText, ...] = (
    LegalText("décret", "2004-1085", date(2004, 10, 14), r"d[ée]l[ée]gation de gestion"),
    LegalText("décret", "2012-1246", date(2012, 11, 7), r"gestion budg[ée]taire et comptable"),
    LegalText(
        "décret", "2019-1088", date(2019, 10, 25), r"syst[èe]me d'information et de communication"
    ),
    LegalText("loi organique", "2001-692", date(2001, 8, 1), r"lois de finances"),
    LegalText("règlement", "2016/679", date(2016, 4, 27), r"protection des (personnes|donn[ée]es)"),
    LegalText("loi", "78-17", date(1978, 1, 6), r"informatique,? aux fichiers"),
    LegalText("circulaire", "5608/SG", date(2012, 9, 19), r"logiciels? libres?"),
    LegalText("décret", "2005-850", date(2005, 7, 27), r"d[ée]l[ée]gations? de signature"),
)

CITATION_RE = re.compile(
    r"\b(?P<kind>d[ée]cret|loi(?:\s+organique)?|r[èe]glement(?:\s*\(UE\))?|ordonnance|circulaire"
    r"(?:\s+du\s+Premier\s+[Mm]inistre)?)"
    r"\s+(?:n\s?[°o]\.?\s*|num[ée]ro\s+)?(?P<num>[0-9OIl]{2,4}\s?[-/]\s?[0-9OIl]{1,5}(?:/SG)?)"
    r"(?P<tail>[^.;]{0,40}?)(?:\s+du\s+(?P<date>(?:1\s?er|premier|[0-3]?\d)\s+\w+\.?\s+\d{4}|\d{1,2}/\d{1,2}/\d{4}))?",
    re.IGNORECASE,
)


@dataclass
class Citation:
    start: int
    end: int
    text: str
    kind: str
    number: str
    signed: date | None


def find_citations(text: str) -> list[Citation]:
    out: list[Citation] = []
    for m in CITATION_RE.finditer(text):
        num = fix_ocr_digits(re.sub(r"\s", "", m.group("num"))).replace("5G", "SG")
        num = re.sub(r"/5G$", "/SG", num)
        signed = None
        if m.group("date"):
            dates = find_dates(m.group("date"))
            signed = dates[0].value if dates else None
        out.append(Citation(m.start(), m.end(), m.group(0), m.group("kind").lower(), num, signed))
    return out


def check_citation(citation: Citation, context: str) -> str | None:
    """Return a French explanation when the citation looks wrong, else None."""
    known = {t.number: t for t in KNOWN_TEXTS}
    ref = known.get(citation.number)
    if ref is not None:
        if citation.signed and citation.signed != ref.signed:
            return (
                f"le texte n° {ref.number} est du {ref.signed.strftime('%d/%m/%Y')}, "
                f"pas du {citation.signed.strftime('%d/%m/%Y')}"
            )
        return None
    # Unknown number: is it a known text (same date or same subject) with a wrong number?
    for text in KNOWN_TEXTS:
        same_kind = text.kind.split()[0] in citation.kind
        if not same_kind:
            continue
        if citation.signed and citation.signed == text.signed:
            return f"le {text.kind} du {text.signed.strftime('%d/%m/%Y')} porte le n° {text.number}"
        if re.search(text.subject, context, re.IGNORECASE):
            return f"le {text.kind} relatif à cet objet porte le n° {text.number}"
    # Décrets and lois are numbered after their year of signature.
    m = re.match(r"(\d{2,4})-\d+$", citation.number)
    if m and citation.signed and citation.kind.startswith(("d", "loi", "o")):
        year = int(m.group(1))
        year = year if year > 999 else (1900 + year if year > 40 else 2000 + year)
        if year != citation.signed.year:
            return (
                f"le numéro {citation.number} désigne un texte de {year}, "
                f"incompatible avec la date du {citation.signed.strftime('%d/%m/%Y')}"
            )
    return None
