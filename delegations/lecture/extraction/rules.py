"""From a :class:`Doc` to the extraction contract (general rules, no per-file wording)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from .document import Doc, Table
from .legal import check_citation, find_citations
from .textutil import (
    AMOUNT_RE,
    NUMBER_RE,
    WORDS_AMOUNT_RE,
    edit_distance,
    find_amounts,
    find_dates,
    fix_ocr_digits,
    fmt_amount,
    parse_amount,
    parse_number,
    small_number,
    squash,
    words_match_number,
    words_to_int,
)

I = re.IGNORECASE  # noqa: E741

DINUM_NAME = re.compile(r"\bDINUM\b|direction\s+interminist[ée]rielle\s+du\s+num[ée]rique", I)
HEADING_RE = re.compile(
    # "1er" comes out of OCR as "ler" or "Ier".
    r"^\W{0,3}(?:Article|ARTICLE|Art\.)\s+(?P<num>\d{1,2}|[1lI]\s?er|1ᵉʳ|premier|[IVX]{1,5})(?:er)?\b"
    r"\s*(?:[:.\-–—)]\s*(?P<title>.*)|\s*$|\s+(?P<title2>[A-ZÉÈÀ].*))$"
)
ANNEX_RE = re.compile(r"^\W{0,3}(?:annexe|ANNEXE)\b", I)
SIGNATURE_START = re.compile(r"^\W{0,3}fait\s+(?:à|a)\s+|^\W{0,3}fait\s+le\b", I)

# A CHORUS code is made of fixed chunks (programme, then letters/digits) joined by hyphens;
# word processors space the hyphens out or turn them into dashes ("0135 – DGAL – DHUP").
DASH = r"\s?[-‐‑–—]\s?"
CODE_UO = re.compile(
    rf"(?<![\w-])([0-9OIl]{{4}}){DASH}([A-Z0-9]{{2,8}}){DASH}([A-Z0-9]{{2,8}})(?![\w-])"
)
CODE_DF = re.compile(
    rf"(?<![\w-])([0-9OIl]{{4}}{DASH}[0-9OIl]{{2}}(?:{DASH}[0-9OIl]{{2}})?)(?![\w-])"
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
# Labels of the délégataire's own purchasing set-up (its "adhérence" in CHORUS).
DELEGATAIRE_BLOCK = re.compile(
    r"adh[ée]rence|service\s+prescripteur|service\s+ex[ée]cutant|organisation\s+d'achat|"
    r"groupe\s+d'acheteurs|comptable\s+assignataire|\bRTM\b",
    I,
)
DELEGANT_BLOCK = re.compile(
    r"r[ée]f[ée]rences?\s+(?:chorus|d'imputation|budg[ée]taires?)|imputation", I
)

PHASES: list[tuple[str, re.Pattern[str]]] = [
    ("investigation", re.compile(r"\binvestig(?:ation|uer|u[ée]e?s?)", I)),
    ("construction", re.compile(r"\bconstru(?:ction|ire)\b", I)),
    ("acceleration", re.compile(r"\bacc[ée]l[ée]r(?:ation|er)\b", I)),
    (
        "consolidation",
        re.compile(
            r"\bconsolid(?:ation|er)\b|\bp[ée]rennis(?:ation|er)\b|phase\s+de\s+transfert", I
        ),
    ),
]

MONEY_STATEMENT = re.compile(
    r"montant|hauteur\s+de|s'[ée]l[èe]ve|fix[ée]e?\s+[àa]|enveloppe|dotation|total|plafond", I
)
DELEGATAIRE_FUNDS = re.compile(
    r"(?:d[ée]l[ée]gataire|DINUM)\s+(?:co-?\s?)?financ|\bFAST\b|co-?financ\w*\s+par\s+la\s+DINUM", I
)


# How an amendment states a change: the old value comes before the verb, the new one after.
CHANGE_VERB = re.compile(
    r"\b(?:est|sont)\s+(?:respectivement\s+)?(?:port[ée]e?s?(?!\s+[àa]\s+la\s+connaissance)|ramen[ée]e?s?|remplac[ée]e?s?|"
    r"modifi[ée]e?s?|report[ée]e?s?|prorog[ée]e?s?|substitu[ée]e?s?|d[ée]sormais)\b",
    I,
)
OLD_VALUE = re.compile(
    r"\b(?:initialement|pr[ée]c[ée]demment|auparavant|jusqu'alors|au\s+lieu\s+d[eu']?|"
    r"(?:montant|date|dur[ée]e)\s+(?:pr[ée]vue?|fix[ée]e?)\s+(?:par|dans|[àa])\s+(?:la\s+convention|l'article))",
    I,
)
CHANGE_FROM = re.compile(
    r"\b(?:port[ée]e?s?|pass(?:e|ent|ant)|ramen[ée]e?s?|prolong[ée]e?s?|report[ée]e?s?)\s+"
    r"(?:respectivement\s+)?(?:de|du)\s*$",
    I,
)


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


@dataclass
class Article:
    num: int
    title: str
    start: int  # offset in doc.text
    end: int


def fix_ocr_code(code: str, ocr: bool) -> str:
    """In OCR text, a letter O touching a digit inside a CHORUS code is a zero."""
    if not ocr:
        return code
    return re.sub(r"O(?=\d)|(?<=\d)O", "0", code)


def _art_num(raw: str) -> int:
    raw = raw.lower().replace(" ", "")
    if raw in ("1er", "ler", "ier", "1ᵉʳ", "premier"):
        return 1
    if raw.isdigit():
        return int(raw)
    romans = {"i": 1, "v": 5, "x": 10}
    total = 0
    prev = 0
    for ch in reversed(raw):
        v = romans.get(ch, 0)
        total = total - v if v < prev else total + v
        prev = max(prev, v)
    return total


class Extractor:
    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.flat = doc.flat
        self.sources: dict[str, dict[str, object]] = {}
        self.alerts: list[dict[str, str]] = []
        self.schedule_lines: set[int] = set()
        self._find_structure()

    # ------------------------------------------------------------------ structure
    def _find_structure(self) -> None:
        self.articles: list[Article] = []
        self.annex_start = len(self.text)
        self.signature_start = len(self.text)
        heads: list[tuple[int, int, str]] = []
        for index, line in enumerate(self.doc.lines):
            off = self.doc.line_offset(index)
            text = line.text.strip()
            if line.cells is None and len(text) < 140:
                m = HEADING_RE.match(text)
                if m:
                    title = (m.group("title") or m.group("title2") or "").strip()
                    heads.append((off, _art_num(m.group("num")), title))
                    continue
            if heads and ANNEX_RE.match(text) and off > heads[-1][0]:
                self.annex_start = min(self.annex_start, off)
            if heads and SIGNATURE_START.match(text) and off > heads[-1][0]:
                self.signature_start = min(self.signature_start, off)
        for i, (off, num, title) in enumerate(heads):
            end = heads[i + 1][0] if i + 1 < len(heads) else min(self.annex_start, len(self.text))
            if i + 1 == len(heads):
                end = min(end, self.signature_start, self.annex_start)
            self.articles.append(Article(num, title, off, end))
        self.body_start = self.articles[0].start if self.articles else 0

    def article(self, pattern: str, fallback_num: int | None = None) -> Article | None:
        for art in self.articles:
            if re.search(pattern, art.title, I):
                return art
        if fallback_num is not None:
            for art in self.articles:
                if art.num == fallback_num:
                    return art
        return None

    def span(self, art: Article | None) -> tuple[int, int]:
        if art is None:
            return (0, len(self.text))
        return (art.start, art.end)

    def src(self, field: str, offset: int, extrait: str | None = None) -> None:
        if field not in self.sources:
            self.sources[field] = self.doc.source(offset, extrait)

    def sentence_at(self, pos: int, end: int | None = None) -> tuple[int, int]:
        end = pos if end is None else end
        text = self.text
        starts = [text.rfind(". ", 0, pos), text.rfind(".\n", 0, pos), text.rfind("\n\n", 0, pos)]
        s = max(starts)
        s = 0 if s < 0 else s + 2
        m = re.compile(r"\.(?=\s|$)|\n\s*\n").search(text, end)
        e = m.end() if m else len(text)
        return s, e

    def superseded(self, start: int, end: int) -> bool:
        """Is the value at [start, end) the old one that an amendment replaces?

        "initialement fixé à 300 000 €, est porté à 450 000 €", "porté de X à Y",
        "les mots « jusqu'au 31 décembre 2022 » sont remplacés par …": the old value
        is stated before the verb of change, the new one after it.
        """
        s, e = self.sentence_at(start, end)
        # A clause never runs across an article heading (DOCX and PDF lines carry no blank
        # line between paragraphs, so the sentence may reach back into the previous article).
        for art in self.articles:
            if art.start <= start < art.end:
                heading_end = self.text.find("\n", art.start)
                s = max(s, heading_end + 1 if heading_end >= 0 else art.start)
        before, after = self.flat[max(s, start - 200) : start], self.flat[end:e]
        if CHANGE_FROM.search(before):
            return True
        olds = list(OLD_VALUE.finditer(before))
        if olds and not CHANGE_VERB.search(before[olds[-1].end() :]):
            return True
        return bool(
            CHANGE_VERB.match(after) or re.match(rf"[^.;]{{0,80}}?{CHANGE_VERB.pattern}", after, I)
        ) and not CHANGE_VERB.search(before)

    def quote(self, start: int, end: int, limit: int = 200) -> str:
        start, end = max(0, start), min(len(self.flat), end)
        # Snap to word boundaries so that quotes never cut a word.
        while start > 0 and not self.flat[start - 1].isspace():
            start -= 1
        while end < len(self.flat) and not self.flat[end].isspace():
            end += 1
        q = squash(self.flat[start:end])
        return q if len(q) <= limit else q[: limit - 1].rsplit(" ", 1)[0] + " …"

    def alert(self, code: str, message: str) -> None:
        if not any(a["code"] == code and a["message"] == message for a in self.alerts):
            self.alerts.append({"code": code, "message": message})

    def where(self, offset: int) -> str:
        line = self.doc.line_at(offset)
        return f"page {line.page}, ligne {line.no}"

    # ------------------------------------------------------------------ run
    def run(self) -> dict[str, Any]:
        result: dict[str, Any] = {}
        result["type"] = self.doc_type()
        delegant, delegataire = self.parties()
        result["delegant"] = delegant
        result["delegataire"] = delegataire
        result["objet"] = self.objet()
        result["services"] = self.services()
        result["phases"] = self.phases()
        imputation, uo, programme = self.imputation()
        result["unite_operationnelle"] = uo
        result["programme"] = programme
        result["imputation"] = imputation
        schedule = self.schedule()
        result["echeancier"] = [
            {"annee": y, "ae": fmt_amount(ae), "cp": fmt_amount(cp)} for y, ae, cp, _ in schedule
        ]
        total_ae, total_cp = self.totals(schedule)
        result["montant_total_ae"] = fmt_amount(total_ae) if total_ae is not None else None
        result["montant_total_cp"] = fmt_amount(total_cp) if total_cp is not None else None
        result["date_signature"] = self.signature_date()
        prise, start_date = self.prise_effet()
        result["prise_effet"] = prise
        result["date_fin"] = self.date_fin()
        result["duree_mois"] = self.duree_mois()
        result["preavis_mois"] = self.preavis()
        result["compte_rendu"] = self.compte_rendu()
        result["conventions_precedentes"] = self.precedents()
        result["annexe_rgpd"] = self.annexe_rgpd()
        self.check_words_vs_digits()
        self.check_legal_refs()
        self.check_schedule_period(result, schedule, start_date)
        if result["type"] == "convention":
            # An amendment only carries its changes: the required clauses are in the convention.
            self.check_clauses()
        result["alertes"] = self.alerts
        result["sources"] = self.sources
        return result

    # ------------------------------------------------------------------ type
    def doc_type(self) -> str:
        head = [ln.text.strip() for ln in self.doc.lines if ln.text.strip()][:8]
        for index, text in enumerate(head):
            if re.match(r"^\W*avenant\b", text, I) and not re.search(r"convenu", text, I):
                self.src("type", self.doc.line_offset(self.doc.lines.index(self._find_line(text))))
                return "avenant"
            if index < 3 and re.search(r"\bavenant\s+(?:n\s?°|num[ée]ro)\s*\d+", text, I):
                return "avenant"
        for text in head:
            if re.search(r"convention", text, I):
                line = self._find_line(text)
                self.src("type", self.doc.line_offset(self.doc.lines.index(line)))
                break
        return "convention"

    def _find_line(self, text: str) -> Any:
        for line in self.doc.lines:
            if line.text.strip() == text:
                return line
        return self.doc.lines[0]

    # ------------------------------------------------------------------ parties
    def parties(self) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
        lines = self.doc.lines
        limit = self.body_start or len(self.text)
        entre = et = stop = None
        inline_et = False
        for index, line in enumerate(lines):
            off = self.doc.line_offset(index)
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
        blocks: list[tuple[int, int]] = []
        if entre is not None and et is not None:
            second = et if inline_et else et + 1
            blocks = [(entre + 1, et), (second, stop if stop is not None else et + 12)]
        else:
            blocks = self._party_blocks_by_representative(limit)
        parsed = [p for p in (self._parse_party(a, b) for a, b in blocks) if p is not None]
        if not parsed:
            return None, None
        delegant = delegataire = None
        for party, raw in parsed:
            is_delegataire = bool(DINUM_NAME.search(party["nom"] or "")) or (
                re.search(r"d[ée]l[ée]gataire", raw, I)
                and not re.search(r"d[ée]l[ée]gu?r?ant\b", raw, I)
            )
            if is_delegataire and delegataire is None:
                delegataire = party
            elif delegant is None:
                delegant = party
        return delegant, delegataire

    def _party_blocks_by_representative(self, limit: int) -> list[tuple[int, int]]:
        """Without "Entre … Et …": each party is the paragraph around its "représenté par"."""
        lines = self.doc.lines
        reps: list[int] = []
        for index, line in enumerate(lines):
            if self.doc.line_offset(index) >= limit:
                break
            # "représenté par :" announces a name on another line: the party starts here.
            if re.search(r"repr[ée]sent[ée]e?\s+par(?!\s*(?::|$))", line.text.strip(), I):
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

    def _parse_party(self, a: int, b: int) -> tuple[dict[str, Any], str] | None:
        lines = self.doc.lines[a:b]
        if not lines:
            return None
        start_off = self.doc.line_offset(a)
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
            sigle = self._fix_sigle(sm.group(1))
        rep = self._representative(raw)
        first = next((i for i in range(a, b) if self.doc.lines[i].text.strip()), a)
        self.src(
            "delegant" if not DINUM_NAME.search(name) else "delegataire",
            self.doc.line_offset(first),
        )
        del start_off
        return {"nom": name or None, "sigle": sigle, "representant": rep}, raw

    def _fix_sigle(self, sigle: str) -> str:
        """OCR may garble the one place an acronym is defined: trust its other uses."""
        if not self.doc.ocr or len(sigle) < 4:
            return sigle
        # Acronyms used as words, not the chunks of a CHORUS code ("0224-CSNU-DNUM").
        counts = Counter(re.findall(r"(?<![\w-])[A-Z]{3,}(?![\w-])", self.flat))
        if counts[sigle] > 1:
            return sigle
        near = [(n, t) for t, n in counts.items() if t != sigle and edit_distance(t, sigle) == 1]
        return max(near)[1] if near else sigle

    def _representative(self, raw: str) -> dict[str, str | None] | None:
        name_re = r"((?:[A-ZÀ-Ý][\w'’À-ÿ]*\.?)(?:[\s\-]+(?:[A-ZÀ-Ý][\w'’À-ÿ]*|de|du|d'|le|la))*?)"
        for m in re.finditer(r"repr[ée]sent[ée]e?s?\s+par\s*(?!:)", raw, I):
            rest = raw[m.end() :]
            rest = re.split(
                r"\s*,?\s*(?:(?:d[ée]sign[ée]e?|d[ée]nomm[ée]e?|appel[ée]e?)\s+)?ci-apr[èe]s\b"
                r"|\s+adresse\s*:",
                rest,
                maxsplit=1,
                flags=I,
            )[0]
            rest = re.sub(r"^(?:M\.|Mme|Madame|Monsieur|Mr)\s+", "", rest)
            nm = re.match(name_re + r"\s*,\s*(.*)$", rest)
            if nm and len(nm.group(1).split()) <= 5:
                nom = squash(nm.group(1))
                qualite = self._clean_qualite(nm.group(2))
                return {"nom": nom, "qualite": qualite}
            # "représenté par son directeur, M. Jean Dupont"
            qm = re.match(
                r"(?:son|sa|le|la|l')\s*(.+?),\s*(?:M\.|Mme|Madame|Monsieur)?\s*" + name_re, rest
            )
            if qm:
                return {"nom": squash(qm.group(2)), "qualite": self._clean_qualite(qm.group(1))}
        return None

    @staticmethod
    def _clean_qualite(q: str) -> str | None:
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

    # ------------------------------------------------------------------ object
    def object_article(self) -> Article | None:
        return self.article(r"objet", 1)

    def objet(self) -> str | None:
        art = self.object_article()
        s, e = self.span(art)
        m = re.search(r"a\s+pour\s+(?:objet|but|finalit[ée])|vise\s+[àa]", self.flat[s:e], I)
        if not m:
            m = re.search(r"a\s+pour\s+objet", self.flat, I)
            if not m:
                return None
            pos = m.start()
        else:
            pos = s + m.start()
        a, b = self.sentence_at(pos)
        if art is not None:
            body = self.text.find("\n", art.start)
            a = max(a, body + 1 if body >= 0 else art.start)
        self.src("objet", pos)
        return squash(self.flat[a:b])

    def services(self) -> list[str]:
        art = self.object_article()
        if art is None:
            return []
        s, e = self.span(art)
        text = self.flat[s:e]
        found: list[tuple[int, str]] = []
        pattern = re.compile(
            r"\b(?:services?\s+num[ée]riques?|produits?\s+num[ée]riques?|produits?|startups?\s+d'[ÉE]tat"
            r"|plateformes?|outils?)\s+(?P<q>«\s*)?(?P<name>[^«»,.;:()]{2,120}?)\s*(?(q)»|(?=\s+(?:ayant|qui|dont|"
            r"afin|pour|en\s+suivant|visant|destin[ée]|d[ée]velopp[ée]|port[ée]|,|\.|;|\(|ainsi)|[,.;(]))",
            I,
        )
        for m in pattern.finditer(text):
            name = m.group("name").strip()
            if not m.group("q") and (
                re.match(
                    r"(?:de|du|des|d'|la|le|les|l'|vis[ée]s?|concern[ée]s?|suivants?|"
                    r"existants?|en|[àa]|au|aux|et|num[ée]riques?)\b",
                    name,
                    I,
                )
                or not re.match(r"[A-ZÀ-Ý0-9«]", name)
            ):
                continue
            for part in re.split(r"\s*,\s*|\s+et\s+", name):
                part = part.strip(" «»\"'")
                if part and part not in [f for _, f in found]:
                    found.append((s + m.start("name"), part))
        for m in re.finditer(r"«\s*([^»]{2,80}?)\s*»", text):
            before = text[max(0, m.start() - 60) : m.start()]
            if re.search(r"service|produit|startup|plateforme|outil", before, I):
                part = m.group(1).strip()
                if part not in [f for _, f in found]:
                    found.append((s + m.start(1), part))
        if found:
            self.src("services", found[0][0])
        return [f for _, f in found]

    def phases(self) -> list[str]:
        art = self.object_article()
        if art is None:
            return []
        s, e = self.span(art)
        text = self.flat[s:e]
        out = []
        for name, rx in PHASES:
            m = rx.search(text)
            if m:
                out.append(name)
                self.src("phases", s + m.start())
        return out

    # ------------------------------------------------------------------ CHORUS
    def imputation(self) -> tuple[dict[str, str | None], str | None, str | None]:
        fix = self.doc.ocr
        imp: dict[str, str | None] = {k: None for k, _ in CHORUS_LABELS}
        where: dict[str, int] = {}
        context: str | None = None
        lines = self.doc.lines
        for index, line in enumerate(lines):
            text = line.text.replace("\t", " | ").strip()
            body = re.sub(r"^[\s|•\-*·]+", "", text)
            if DELEGATAIRE_BLOCK.search(body):
                context = "delegataire"
            elif DELEGANT_BLOCK.search(body) and len(body) < 80:
                context = "delegant"
            elif len(body) > 90 and line.cells is None:
                context = None
            header = self._label_row(line)
            if header is not None:
                # Labels as column headers, codes in the row below.
                if context != "delegataire":
                    for field, found in self._row_values(header, index, fix).items():
                        if imp[field] is None:
                            imp[field] = found
                            where[field] = self.doc.line_offset(index)
                continue
            for field, label in CHORUS_LABELS:
                m = label.match(body)
                if not m:
                    continue
                value_part = re.sub(r"^(?:\s*\(s\))?[\s:|\-–]*", "", body[m.end() :])
                value = self._code_value(field, value_part, fix)
                if value is None and not value_part.strip(" |") and index + 1 < len(lines):
                    nxt = lines[index + 1].text.strip(" |\t")
                    if not any(lb.match(nxt) for _, lb in CHORUS_LABELS):
                        value = self._code_value(field, nxt, fix)
                if value is None or context == "delegataire":
                    break
                if imp[field] is None:
                    imp[field] = value
                    where[field] = self.doc.line_offset(index)
                break
        # Text layers may flow a label/value table into running lines: scan the flat text.
        for field, label in CHORUS_LABELS:
            if imp[field] is not None:
                continue
            for m in label.finditer(self.flat):
                if m.start() >= self.annex_start:
                    break
                after = re.match(r"(?:\s*\(s\))?[\s:|\-–]*", self.flat[m.end() :])
                raw = self.flat[m.end() + (after.end() if after else 0) : m.end() + 60]
                value = self._code_value(field, raw, fix)
                if value is None or self._block_owner(m.start()) == "delegataire":
                    continue
                imp[field] = value
                where[field] = m.start()
                break
        for field, off in where.items():
            self.src(f"imputation.{field}", off)
        self.where_codes = where
        # UO: near "unité opérationnelle" / "UO", else the centre financier.
        uo = None
        for m in re.finditer(r"unit[ée]\s+op[ée]rationnelle|\bUO\b", self.flat, I):
            window = self.flat[m.end() : m.end() + 90]
            cm = CODE_UO.search(window)
            if cm and self._valid_uo(cm):
                uo = self._norm_uo(cm)
                self.uo_offset = m.end() + cm.start()
                self.src("unite_operationnelle", self.uo_offset)
                break
        if uo is None and imp["centre_financier"] and CODE_UO.fullmatch(imp["centre_financier"]):
            uo = imp["centre_financier"]
            self.uo_offset = where["centre_financier"]
            self.src("unite_operationnelle", self.uo_offset)
        programme = None
        for code, field in (
            (uo, "unite_operationnelle"),
            (imp["centre_financier"], "imputation.centre_financier"),
        ):
            if code and code[:4].isdigit():
                programme = str(int(code[:4]))
                if field in self.sources:
                    self.sources["programme"] = self.sources[field]
                break
        if programme is None:
            m = re.search(r"\bprogramme\s*(?:n°\s*)?:?\s*(\d{3})\b|\bP\s?(\d{3})\b", self.flat, I)
            if m:
                programme = str(int(m.group(1) or m.group(2)))
                self.src("programme", m.start())
        self.check_imputation(imp, uo, programme)
        return imp, uo, programme

    def _block_owner(self, pos: int) -> str | None:
        """Whose CHORUS table holds this position: the nearest heading marker before it."""
        window = self.flat[max(0, pos - 250) : pos]
        last_d = max((m.end() for m in DELEGATAIRE_BLOCK.finditer(window)), default=-1)
        last_g = max((m.end() for m in DELEGANT_BLOCK.finditer(window)), default=-1)
        if last_d > last_g:
            return "delegataire"
        return "delegant" if last_g >= 0 else None

    @staticmethod
    def _valid_uo(m: re.Match[str]) -> bool:
        return bool(re.search(r"[A-Z]", m.group(2))) and fix_ocr_digits(m.group(1)).isdigit()

    def _norm_uo(self, m: re.Match[str]) -> str:
        code = f"{fix_ocr_digits(m.group(1))}-{m.group(2)}-{m.group(3)}"
        return fix_ocr_code(code, self.doc.ocr)

    def _code_value(self, field: str, raw: str, fix: bool) -> str | None:
        raw = raw.strip().lstrip("[(|").strip()
        if not raw:
            return None
        if field == "activite":
            spaced = self._spaced_activity(raw)
            if spaced is not None:
                return fix_ocr_code(spaced, fix)
        m = (
            CHORUS_VALUE[field].search(raw)
            if field != "axe_ministeriel_1" and field != "axe_ministeriel_2"
            else CHORUS_VALUE[field].match(raw)
        )
        if not m:
            return None
        # The value must start the cell: no prose before the code.
        if m.start() > 3:
            return None
        value = m.group(1)
        if field in ("axe_ministeriel_1", "axe_ministeriel_2"):
            if any(lb.match(raw) for _, lb in CHORUS_LABELS):
                return None
            return value
        if field == "centre_de_cout":
            value = value.replace(" ", "")
            if len(value) < 4 or len(value) > CC_MAX_LENGTH:
                return None
            if fix:
                # OCR reads the zeros of the numeric tail as the letter O.
                tail = re.search(r"[0-9O]*\d$", value)
                if tail:
                    value = value[: tail.start()] + tail.group(0).replace("O", "0")
            return value
        value = re.sub(DASH, "-", value)
        if field == "activite" and "-" in value and len(value) - 1 > ACTIVITY_LENGTH:
            value = value.split("-")[0]  # "0310ACAE0701 - DSI": a label, not a sub-code
        value = fix_ocr_digits(value[:4]) + value[4:]
        if field == "domaine_fonctionnel":
            value = fix_ocr_digits(value)
        if not value[:4].isdigit():
            return None
        return fix_ocr_code(value, fix)

    @staticmethod
    def _label_row(line: Any) -> list[str | None] | None:
        """The CHORUS fields of a row made only of labels ("Centre financier | Activité")."""
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

    def _row_values(self, fields: list[str | None], index: int, fix: bool) -> dict[str, str]:
        lines = self.doc.lines
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
                    value = self._code_value(field, cell, fix)
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
                value = self._code_value(field, joined, fix)
                if value is not None and squeeze.sub("", value) == squeeze.sub("", joined):
                    best = (value, k)
            if best is None:
                return out
            out[field] = best[0]
            tokens = tokens[best[1] :]
        return out

    @staticmethod
    def _spaced_activity(raw: str) -> str | None:
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

    def check_imputation(
        self, imp: dict[str, str | None], uo: str | None, programme: str | None
    ) -> None:
        refs: list[tuple[str, str, int | None]] = []  # (label, programme, offset)
        if uo:
            refs.append((f"l'UO {uo}", str(int(uo[:4])), getattr(self, "uo_offset", None)))
        for field, label in (
            ("centre_financier", "le centre financier"),
            ("domaine_fonctionnel", "le domaine fonctionnel"),
            ("activite", "l'activité"),
        ):
            code = imp.get(field)
            if code and code[:4].isdigit():
                refs.append((f"{label} {code}", str(int(code[:4])), self.where_codes.get(field)))
        for m in re.finditer(
            r"\bBOP\)?\s*(?:n°\s*)?[:\[(]?\s*([0-9OIl]{2,4})-([A-Z0-9]{2,8})\b", self.flat
        ):
            prog = fix_ocr_digits(m.group(1))
            if prog.isdigit():
                refs.append((f"le BOP {m.group(1)}-{m.group(2)}", str(int(prog)), m.start()))
                if uo and m.group(2) != uo.split("-")[1]:
                    refs.append((f"le BOP {m.group(1)}-{m.group(2)}", "?" + m.group(2), m.start()))
        for m in re.finditer(
            r"\bprogramme\s*(?:n°\s*)?:?\s*(\d{3})(?![\d\-/])|\bP\s?(\d{3})\b(?!\s*%)", self.flat
        ):
            refs.append(
                (
                    f"le programme {m.group(1) or m.group(2)}",
                    str(int(m.group(1) or m.group(2))),
                    m.start(),
                )
            )
        if uo and imp.get("centre_financier") and CODE_UO.fullmatch(imp["centre_financier"] or ""):
            cf = imp["centre_financier"] or ""
            if cf.split("-")[:2] != uo.split("-")[:2]:
                refs.append(
                    (
                        f"le centre financier {cf}",
                        "?" + cf,
                        self.where_codes.get("centre_financier"),
                    )
                )
        if not refs:
            return
        base_label, base_prog, base_off = refs[0]
        for label, prog, off in refs[1:]:
            if prog != base_prog and not prog.startswith("?"):
                self._imputation_alert(
                    base_label, base_off, label, off, f"programme {base_prog} ≠ programme {prog}"
                )
                return
            if prog.startswith("?"):
                self._imputation_alert(base_label, base_off, label, off, "codes de BOP différents")
                return

    def _imputation_alert(
        self, a: str, a_off: int | None, b: str, b_off: int | None, why: str
    ) -> None:
        qa = self._quote_line(a_off) if a_off is not None else a
        qb = self._quote_line(b_off) if b_off is not None else b
        self.alert(
            "imputation_incoherente",
            f"Imputation incohérente ({why}) : {a} (« {qa} ») et {b} (« {qb} ») se contredisent.",
        )

    def _quote_line(self, off: int) -> str:
        index = self.doc.line_index(off)
        text = squash(self.doc.lines[index].text)
        if 0 < len(text) <= 160:
            return text
        return self.quote(off - 60, off + 80)

    # ------------------------------------------------------------------ schedule
    def schedule(self) -> list[tuple[int, Decimal, Decimal, int]]:
        rows = self._schedule_from_tables()
        if not rows:
            rows = self._schedule_transposed_text()
        if not rows:
            rows = self._schedule_from_text()
        if not rows:
            rows = self._schedule_from_prose()
        if rows:
            self.src("echeancier", rows[0][3])
        return rows

    def _header_columns(self, row: list[str]) -> tuple[int, int] | None:
        ae = cp = None
        for i, cell in enumerate(row):
            c = cell.strip()
            if ae is None and re.search(r"^\W*AE\b|autorisations?\s+d'engagement", c, I):
                ae = i
            elif cp is None and re.search(r"^\W*CP\b|cr[ée]dits?\s+de\s+paiement", c, I):
                cp = i
        return (ae, cp) if ae is not None and cp is not None else None

    def _cell_amount(self, cell: str) -> Decimal:
        values = self._segment_amounts(cell or "")
        return values[0] if values else Decimal("0")

    def _table_offset(self, table: Table, row: list[str]) -> int:
        year = next((c for c in row if re.search(r"(?:19|20)\d\d", c)), None)
        for index, line in enumerate(self.doc.lines):
            if line.page == table.page and year and year.strip() in line.text:
                if line.no >= table.line:
                    return self.doc.line_offset(index)
        return 0

    def _schedule_from_tables(self) -> list[tuple[int, Decimal, Decimal, int]]:
        for table in self.doc.tables:
            rows = table.rows
            for h, header in enumerate(rows):
                cols = self._header_columns(header)
                if cols is None:
                    continue
                ae_col, cp_col = cols
                order = ("ae", "cp") if ae_col < cp_col else ("cp", "ae")
                out: list[tuple[int, Decimal, Decimal, int]] = []
                # OCR may cut one table into pieces: follow the next tables of the same page.
                position = self.doc.tables.index(table)
                following = [t for t in self.doc.tables[position + 1 :] if t.page == table.page]
                body = rows[h + 1 :] + [r for t in following for r in t.rows]
                for row in body:
                    ym = re.search(
                        r"^\W*(?:ann[ée]e\s*)?((?:19|20)\d\d)\W*$", row[0] if row else "", I
                    )
                    if not ym:
                        if row and re.search(r"total", row[0], I):
                            self.schedule_total = (row, table)
                        continue
                    merged = [v for c in row[1:] for v in self._segment_amounts(c)]
                    if len(row) > max(ae_col, cp_col):
                        ae = self._cell_amount(row[ae_col])
                        cp = self._cell_amount(row[cp_col])
                        if len(merged) >= 2 and (ae == 0 or cp == 0):
                            ae, cp = self._assign(merged, order, out)
                    elif merged:
                        ae, cp = self._assign(merged, order, out)
                    else:
                        continue
                    out.append((int(ym.group(1)), ae, cp, self._table_offset(table, row)))
                if out:
                    self._mark_schedule_lines(out)
                    return out
            # Transposed: years as columns, AE / CP as rows.
            if rows and sum(bool(re.fullmatch(r"\W*(?:19|20)\d\d\W*", c)) for c in rows[0]) >= 1:
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
                    (
                        r
                        for r in rows[1:]
                        if r and re.search(r"^\W*CP\b|cr[ée]dits? de paiement", r[0], I)
                    ),
                    None,
                )
                if ae_row and cp_row:
                    off = self._table_offset(table, rows[0])
                    out = [
                        (
                            y,
                            self._cell_amount(ae_row[i] if i < len(ae_row) else ""),
                            self._cell_amount(cp_row[i] if i < len(cp_row) else ""),
                            off,
                        )
                        for i, y in years.items()
                    ]
                    self._mark_schedule_lines(out)
                    return out
        return []

    def _schedule_transposed_text(self) -> list[tuple[int, Decimal, Decimal, int]]:
        """Years as columns, flowed into text: a line of years, then an AE and a CP line.

        "Nature des crédits 2023 2024 Total" / "Autorisations d'engagement 240 000 € 60 000 €
        300 000 €" / "Crédits de paiement 160 000 € 140 000 € 300 000 €".
        """
        lines = self.doc.lines
        for i, line in enumerate(lines):
            t = line.text.replace("\t", " ").strip()
            years = [int(y) for y in YEAR_TOKEN.findall(t)]
            if len(years) < 2 or len(t) > 90 or years != sorted(set(years)):
                continue
            rest = YEAR_TOKEN.sub(" ", t)
            if years[-1] - years[0] > 10 or len(rest.split()) > 6 or NUMBER_RE.search(rest):
                continue
            found: dict[str, tuple[list[Decimal], int]] = {}
            for j in range(i + 1, min(i + 7, len(lines))):
                nt = lines[j].text.replace("\t", " ").strip()
                for key, label in (("ae", AE_LABEL), ("cp", CP_LABEL)):
                    m = label.match(nt)
                    if not m or key in found:
                        continue
                    values = self._segment_amounts(nt[m.end() :])
                    if not values and j + 1 < len(lines):
                        # The label cell wrapped: its amounts are on the next line.
                        values = self._segment_amounts(lines[j + 1].text)
                    found[key] = (values, j)
            if "ae" not in found or "cp" not in found:
                continue
            ae_values = self._per_year(found["ae"][0], len(years))
            cp_values = self._per_year(found["cp"][0], len(years))
            if ae_values is None or cp_values is None:
                continue
            off = self.doc.line_offset(i)
            self.schedule_lines.update({i, found["ae"][1], found["cp"][1]})
            return [(y, a, c, off) for y, a, c in zip(years, ae_values, cp_values, strict=True)]
        return []

    @staticmethod
    def _per_year(values: list[Decimal], n: int) -> list[Decimal] | None:
        """One amount per year, dropping a trailing total column; None when cells are missing."""
        if len(values) == n or (len(values) == n + 1 and sum(values[:n]) == values[n]):
            return values[:n]
        return None

    def _mark_schedule_lines(self, rows: list[tuple[int, Decimal, Decimal, int]]) -> None:
        for _, _, _, off in rows:
            self.schedule_lines.add(self.doc.line_index(off))

    def _schedule_from_text(self) -> list[tuple[int, Decimal, Decimal, int]]:
        lines = self.doc.lines
        out: list[tuple[int, Decimal, Decimal, int]] = []
        order = ("ae", "cp")
        # One row per year and kind of credit: "2024 | AE | 90 000 €", "2024 | CP | 60 000 €".
        by_kind: dict[int, dict[str, Decimal]] = {}
        by_kind_off: dict[int, int] = {}
        i = 0
        last_header = -100
        while i < len(lines):
            t = lines[i].text.replace("\t", " ").strip()
            km = re.match(
                r"^[\W_]*(?:ann[ée]e\s*)?((?:19|20)\d\d)\b(?![./-]\d)\W*"
                r"(AE|CP|autorisations?\s+d'engagement|cr[ée]dits?\s+de\s+paiement)\b(.*)$",
                t,
                I,
            )
            if km:
                values = self._segment_amounts(km.group(3))
                if len(values) == 1:
                    kind = "cp" if re.match(r"CP|cr", km.group(2), I) else "ae"
                    year = int(km.group(1))
                    by_kind.setdefault(year, {})[kind] = values[0]
                    by_kind_off.setdefault(year, self.doc.line_offset(i))
                    self.schedule_lines.add(i)
                    i += 1
                    continue
            if re.search(r"\bAE\b", t) and re.search(r"\bCP\b", t) and len(t) < 60:
                last_header = i
                order = ("cp", "ae") if t.find("CP") < t.find("AE") else ("ae", "cp")
            elif re.search(r"[ée]ch[ée]ancier|autorisations?\s+d'engagement", t, I):
                last_header = max(last_header, i - 4)
            ym = re.match(r"^[\W_]*(?:ann[ée]e\s*)?((?:19|20)\d\d)\b(?![./-]\d)(.*)$", t, I)
            if ym and i - last_header <= 12:
                seg = [ym.group(2)]
                j = i + 1
                while j < len(lines):
                    nt = lines[j].text.replace("\t", " ").strip()
                    if (
                        not nt
                        or re.match(r"^[\W_]*(?:19|20)\d\d\b", nt)
                        or re.match(r"^[A-ZÀ-Ý]", nt)
                    ):
                        break
                    seg.append(nt)
                    j += 1
                values = self._segment_amounts(" ".join(seg))
                if values:
                    off = self.doc.line_offset(i)
                    for k in range(i, j):
                        self.schedule_lines.add(k)
                    out.append((int(ym.group(1)), *self._assign(values, order, out), off))
                    last_header = j - 1
                    i = j
                    continue
            i += 1
        if by_kind and not out:
            zero = Decimal("0")
            return [
                (y, k.get("ae", zero), k.get("cp", zero), by_kind_off[y])
                for y, k in sorted(by_kind.items())
            ]
        return out

    def _schedule_from_prose(self) -> list[tuple[int, Decimal, Decimal, int]]:
        """A schedule written as sentences: "en 2024, 90 000 € en AE et 60 000 € en CP ; en 2025, …".

        Only read for two years or more: a single year in prose is the total, not a schedule.
        """
        flat = self.flat[self.body_start : min(self.signature_start, self.annex_start)]
        base = self.body_start
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
                if self.superseded(at, at + len(m.group(0))):
                    continue
                value = parse_amount(m.group(0))
                following = clause[m.end() : m.end() + 60]
                kinds = re.match(
                    r"\s*(?:en|d'|de)?\s*(AE|CP|autorisations?\s+d'engagement|cr[ée]dits?\s+de\s+paiement)"
                    r"(?:\s+(?:et|comme)\s+(?:en\s+)?(AE|CP|autorisations?\s+d'engagement|cr[ée]dits?\s+de\s+paiement))?",
                    following,
                    I,
                )
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
        self.prose_schedule_amounts = set(used)
        return [(y, r["ae"], r["cp"], offsets[y]) for y, r in sorted(complete.items())]

    @staticmethod
    def _segment_amounts(seg: str) -> list[Decimal]:
        seg = re.sub(r"\([^)\d]*\)?", " ", seg).replace("|", " ")
        found = find_amounts(seg, require_currency=True)
        if found:
            return [f.value for f in found]
        values = [f.value for f in find_amounts(seg, require_currency=False) if f.value >= 100]
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

    @staticmethod
    def _assign(
        values: list[Decimal],
        order: tuple[str, str],
        previous: list[tuple[int, Decimal, Decimal, int]],
    ) -> tuple[Decimal, Decimal]:
        if len(values) >= 2:
            first, second = values[0], values[1]
            return (first, second) if order[0] == "ae" else (second, first)
        value = values[0]
        cum_ae = sum((r[1] for r in previous), Decimal("0"))
        cum_cp = sum((r[2] for r in previous), Decimal("0"))
        # A lone amount is payment catching up with earlier commitments when it fits.
        if previous and cum_cp + value <= cum_ae:
            return Decimal("0"), value
        return value, Decimal("0")

    def declared_amounts(self) -> list[tuple[Decimal, int, int, str]]:
        """Amounts stated in prose as the délégant's allocation: (value, start, end, sentence)."""
        out: list[tuple[Decimal, int, int, str]] = []
        limit = min(self.annex_start, len(self.flat))
        for m in AMOUNT_RE.finditer(self.flat[:limit]):
            index = self.doc.line_index(m.start())
            if index in self.schedule_lines or self.doc.lines[index].cells is not None:
                continue
            s, e = self.sentence_at(m.start(), m.end())
            sentence = self.flat[s:e]
            if not MONEY_STATEMENT.search(sentence) or DELEGATAIRE_FUNDS.search(sentence):
                continue
            if re.search(r"\bpar\s+(?:mois|jour|an|personne)\b|\bHT\b.*\bTTC\b", sentence, I):
                continue
            value = parse_amount(m.group(0))
            if value is None or value < 1000 or self.superseded(m.start(), m.end()):
                continue
            if m.start() in getattr(self, "prose_schedule_amounts", ()):
                continue
            out.append((value, m.start(), m.end(), sentence))
        return out

    def _around(self, s: int, e: int) -> tuple[int, int]:
        a, b = self.sentence_at(s, e)
        return max(a, s - 90), min(b, e + 70)

    def totals(
        self, schedule: list[tuple[int, Decimal, Decimal, int]]
    ) -> tuple[Decimal | None, Decimal | None]:
        declared = self.declared_amounts()
        if schedule:
            total_ae = sum((r[1] for r in schedule), Decimal("0"))
            total_cp = sum((r[2] for r in schedule), Decimal("0"))
            self.src("montant_total_ae", schedule[0][3])
            self.src("montant_total_cp", schedule[0][3])
            first = schedule[0]
            row_quote = self._quote_line(first[3])
            for value, s, e, sentence in declared:
                years = {int(y) for y in re.findall(r"\b((?:19|20)\d\d)\b", sentence)}
                year_values = {v for r in schedule if r[0] in years for v in (r[1], r[2])}
                if value in (total_ae, total_cp) or value in year_values:
                    continue
                self.alert(
                    "montant_incoherent",
                    f"Montant incohérent : le texte indique « {self.quote(*self._around(s, e))} » "
                    f"({self.where(s)}), mais l'échéancier « {row_quote} » ({self.where(first[3])}) "
                    f"totalise {fmt_amount(total_ae)} € en AE et {fmt_amount(total_cp)} € en CP.",
                )
            if getattr(self, "schedule_total", None):
                row, _ = self.schedule_total
                vals = [self._cell_amount(c) for c in row[1:] if parse_amount(c) is not None]
                for v in vals:
                    if v not in (total_ae, total_cp):
                        self.alert(
                            "montant_incoherent",
                            f"Montant incohérent : la ligne de total « {' '.join(row)} » ne correspond pas "
                            f"à la somme des années ({fmt_amount(total_ae)} € en AE, {fmt_amount(total_cp)} € en CP).",
                        )
            return total_ae, total_cp
        if not declared:
            return None, None
        art = self.article(r"financ|montant|cr[ée]dits|budg")
        chosen = declared[0]
        if art:
            inside = [d for d in declared if art.start <= d[1] < art.end]
            if inside:
                chosen = inside[0]
        for value, s, e, _ in declared:
            if value != chosen[0]:
                self.alert(
                    "montant_incoherent",
                    f"Montant incohérent : « {self.quote(chosen[1] - 60, chosen[2] + 40)} » ({self.where(chosen[1])}) "
                    f"contre « {self.quote(s - 60, e + 40)} » ({self.where(s)}).",
                )
        self.src("montant_total_ae", chosen[1])
        self.src("montant_total_cp", chosen[1])
        sentence = chosen[3]
        only_ae = re.search(r"autorisations?\s+d'engagement|\bAE\b", sentence, I) and not re.search(
            r"cr[ée]dits?\s+de\s+paiement|\bCP\b", sentence, I
        )
        only_cp = re.search(r"cr[ée]dits?\s+de\s+paiement|\bCP\b", sentence, I) and not re.search(
            r"autorisations?\s+d'engagement|\bAE\b", sentence, I
        )
        return (None if only_cp else chosen[0]), (None if only_ae else chosen[0])

    def check_words_vs_digits(self) -> None:
        flat = self.flat
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
                self.alert(
                    "montant_incoherent",
                    f"Montant incohérent : « {self.quote(off, m.end() + 1)} » ({self.where(off)}) : "
                    f"le montant en chiffres ({fmt_amount(digits)} €) ne correspond pas au montant "
                    f"en lettres (« {squash(words)} euros » = {words_to_int(words)} €).",
                )

    # ------------------------------------------------------------------ dates
    def signature_date(self) -> str | None:
        candidates: list[tuple[date, int]] = []
        flat = self.flat
        for m in re.finditer(
            r"(?<![\d.])((?:19|20)\d\d)[.\-/](\d\d)[.\-/](\d\d)\s+\d\d:\d\d(?::\d\d)?", flat
        ):
            try:
                candidates.append(
                    (date(int(m.group(1)), int(m.group(2)), int(m.group(3))), m.start())
                )
            except ValueError:
                pass
        for m in re.finditer(
            r"fait\s+(?:[àa]\s+[^,\n]{1,40}?,?\s*)?le\b|sign[ée]e?\s+(?:[ée]lectroniquement\s+)?le\b|"
            r"(?:^|\s)[A-ZÀ-Ý][a-zà-ÿ\-]+,\s+le\b|\bdate\s+(?:de\s+signature\s*)?:",
            flat,
            I,
        ):
            window = flat[m.end() : m.end() + 40]
            dates = find_dates(window)
            if dates and dates[0].start < 6:
                candidates.append((dates[0].value, m.end() + dates[0].start))
        # Dates standing alone on a line after the signature formula (stamps, handwriting).
        if self.signature_start < len(self.text):
            end = self.annex_start if self.annex_start > self.signature_start else len(self.text)
            for index in range(
                self.doc.line_index(self.signature_start), self.doc.line_index(max(end - 1, 0)) + 1
            ):
                line = self.doc.lines[index].text.strip(" *_|")
                dates = find_dates(line)
                if len(dates) == 1 and len(line) - len(dates[0].text) < 12:
                    candidates.append((dates[0].value, self.doc.line_offset(index)))
        if not candidates:
            return None
        best = max(candidates, key=lambda c: (c[0], c[1]))
        self.src("date_signature", best[1])
        self.signed = best[0]
        return best[0].isoformat()

    def duration_article(self) -> Article | None:
        return self.article(
            r"dur[ée]e|prise\s+d'effet|entr[ée]e\s+en\s+vigueur|validit[ée]|p[ée]riode"
        )

    def prise_effet(self) -> tuple[str | None, date | None]:
        art = self.duration_article()
        spans = [self.span(art)] if art else []
        spans.append((self.body_start, min(self.signature_start, len(self.flat))))
        for s, e in spans:
            found = self._prise_effet_in(s, e)
            if found[0] is not None:
                return found
        return None, None

    def _prise_effet_in(self, s: int, e: int) -> tuple[str | None, date | None]:
        text = self.flat[s:e]
        for m in re.finditer(
            r"prend(?:ra)?\s+effet|entre(?:ra)?\s+en\s+vigueur|[àa]\s+compter\s+d|applicable\s+[àa]\s+compter|"
            r"prend(?:ra)?\s+cours|court\s+[àa]\s+compter",
            text,
            I,
        ):
            window = text[m.end() : m.end() + 120]
            window = re.split(r"\.\s|\bjusqu", window)[0]
            dates = find_dates(window)
            kinds = []
            for kind, rx in (("signature", r"signature"), ("publication", r"publication")):
                km = re.search(rx, window, I)
                if km:
                    kinds.append((km.start(), kind))
            if dates:
                kinds.append((dates[0].start, "date"))
            if kinds:
                kinds.sort()
                self.src("prise_effet", s + m.start())
                kind = kinds[0][1]
                return kind, dates[0].value if kind == "date" else None
        return None, None

    def date_fin(self) -> str | None:
        art = self.duration_article()
        for s, e in ([self.span(art)] if art else []) + [(self.body_start, len(self.flat))]:
            text = self.flat[s:e]
            for m in re.finditer(
                r"jusqu'(?:au|à)\s|prend(?:ra)?\s+fin\s+le\s|expire(?:ra)?\s+le\s|au\s+plus\s+tard\s+le\s|"
                r"(?:termin|ach[èe]v)[ée]e?\s+le\s|\bau\s+(?=\d|1er)",
                text,
                I,
            ):
                dates = find_dates(text[m.end() : m.end() + 30])
                if dates and dates[0].start < 3:
                    at = s + m.end() + dates[0].start
                    if self.superseded(at, at + len(dates[0].text)):
                        continue  # the end date an amendment replaces
                    self.src("date_fin", s + m.start())
                    self.end_date = dates[0].value
                    return dates[0].value.isoformat()
            if art is None:
                break
        return None

    def duree_mois(self) -> int | None:
        art = self.duration_article()
        spans = [self.span(art)] if art else [(self.body_start, len(self.flat))]
        number = r"(\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|dix-huit|vingt-quatre|trente-six)"
        for s, e in spans:
            text = self.flat[s:e]
            for m in re.finditer(
                rf"(?:dur[ée]e|p[ée]riode)\s+(?:initiale\s+|totale\s+)?(?:de\s+|d'\s?){number}\s+(ans?|ann[ée]es?|mois)\b|"
                rf"(?:conclue?|[ée]tablie?|valable|sign[ée]e)\s+pour\s+(?:une\s+p[ée]riode\s+d'|une\s+dur[ée]e\s+d'|)\s*{number}\s+(ans?|ann[ée]es?|mois)\b",
                text,
                I,
            ):
                n = small_number(m.group(1) or m.group(3))
                unit = (m.group(2) or m.group(4)).lower()
                if n is None or self.superseded(s + m.start(), s + m.end()):
                    continue
                sentence = self.flat[slice(*self.sentence_at(s + m.start()))]
                if art is None and not re.search(
                    r"convention|d[ée]l[ée]gation|avenant", sentence, I
                ):
                    continue
                if re.search(r"\bà\s+\d+\s+mois", sentence) and "convention" not in sentence:
                    continue
                self.src("duree_mois", s + m.start())
                return n * 12 if unit.startswith("an") else n
        return None

    def preavis(self) -> int | None:
        m = re.search(
            r"pr[ée]avis\s+(?:minimum\s+|minimal\s+)?(?:de\s+|d'\s?)(\d{1,2}|un|deux|trois|quatre|six|douze)\s+mois|"
            r"(\d{1,2}|un|deux|trois|quatre|six)\s+mois\s+de\s+pr[ée]avis",
            self.flat,
            I,
        )
        if not m:
            return None
        self.src("preavis_mois", m.start())
        return small_number(m.group(1) or m.group(2))

    def compte_rendu(self) -> list[str]:
        found: set[str] = set()
        for m in re.finditer(
            r"rend(?:re|ra)?\s+compte|compte[s]?[- ]rendus?|rapports?\s+(?:d'ex[ée]cution|financier)|bilans?\b|reporting",
            self.flat,
            I,
        ):
            s, e = self.sentence_at(m.start())
            sentence = self.flat[s:e]
            if re.search(r"mensuel|chaque\s+mois|tous\s+les\s+mois|par\s+mois", sentence, I):
                found.add("mensuel")
                self.src("compte_rendu", m.start())
            if re.search(
                r"\bau\s+terme|[àa]\s+l'issue|[àa]\s+la\s+fin|en\s+fin\s+de\s+(?:convention|d[ée]l[ée]gation)|\bfinal",
                sentence,
                I,
            ):
                found.add("terme")
                self.src("compte_rendu", m.start())
        return [k for k in ("mensuel", "terme") if k in found]

    def precedents(self) -> list[str]:
        out: list[str] = []
        for m in re.finditer(
            r"(?:faisant|fait)\s+suite\s+(?:[àa]|aux?)\s+(.{10,400}?)(?=,\s*il\s+a\s+[ée]t[ée]\s+convenu|\.\s|$)|"
            r"\bvu\s+(la\s+convention\b.{5,300}?)(?=[;,]\s|\.\s)|"
            r"(?<!pr[ée]sent\s)(?<!pr[ée]sente\s)\b((?:l'|le\s+)?avenant\s+n\s?°\s*\d+\s+(?:du|en\s+date\s+du)\s+\S+(?:\s+\S+){0,2}\s+\d{4})",
            self.flat,
            I,
        ):
            text = squash(m.group(1) or m.group(2) or m.group(3))
            if text and text not in out:
                out.append(text)
                self.src("conventions_precedentes", m.start())
        return out

    def annexe_rgpd(self) -> bool:
        for index, line in enumerate(self.doc.lines):
            t = line.text.strip()
            if index + 1 < len(self.doc.lines) and len(t) < 80:
                t = t + " " + self.doc.lines[index + 1].text.strip()
            if ANNEX_RE.match(t) and re.search(
                r"rgpd|donn[ée]es\s+(?:personnelles|[àa]\s+caract[èe]re\s+personnel)|protection\s+des\s+donn[ée]es|"
                r"responsabilit[ée]s|traitement",
                t,
                I,
            ):
                self.src("annexe_rgpd", self.doc.line_offset(index))
                return True
        return False

    # ------------------------------------------------------------------ alerts
    def check_legal_refs(self) -> None:
        for cit in find_citations(self.flat):
            context = self.flat[cit.end : cit.end + 140]
            problem = check_citation(cit, context)
            if problem:
                self.alert(
                    "reference_juridique_douteuse",
                    f"Référence juridique douteuse : « {self.quote(cit.start, cit.end + 60)} » "
                    f"({self.where(cit.start)}) : {problem}.",
                )

    def check_schedule_period(
        self,
        result: dict[str, Any],
        schedule: list[tuple[int, Decimal, Decimal, int]],
        start: date | None,
    ) -> None:
        if not schedule:
            return
        first_year = None
        if result["type"] == "avenant":
            # The period is the amended convention's: it began with that convention, not with
            # the amendment's signature.
            years = [d.value.year for t in result["conventions_precedentes"] for d in find_dates(t)]
            first_year = min(years) if years else None
        elif start is not None:
            first_year = start.year
        elif result["date_signature"] and result["prise_effet"] in ("signature", None):
            first_year = int(result["date_signature"][:4])
        last_year = None
        if result["date_fin"]:
            last_year = int(result["date_fin"][:4])
        elif result["duree_mois"] and first_year:
            last_year = first_year + (result["duree_mois"] - 1) // 12 + 1
        for year, _, _, off in schedule:
            if (first_year and year < first_year) or (last_year and year > last_year):
                period = f"{first_year or '…'}–{last_year or '…'}"
                bound = (
                    f"fin le {result['date_fin']}"
                    if result["date_fin"]
                    else f"durée {result['duree_mois']} mois"
                )
                self.alert(
                    "echeancier_hors_periode",
                    f"Échéancier hors période : l'année {year} (« {self._quote_line(off)} », {self.where(off)}) "
                    f"est en dehors de la période de la convention ({period} ; {bound}, "
                    f"signature le {result['date_signature'] or 'inconnue'}).",
                )

    def check_clauses(self) -> None:
        flat = self.flat
        required = [
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
        for label, rx in required:
            if not re.search(rx, flat, I):
                self.alert(
                    "clause_manquante",
                    f"Clause manquante : le texte ne précise pas {label}, exigée par l'article 2 du "
                    "décret n° 2004-1085 du 14 octobre 2004.",
                )


def analyse(doc: Doc) -> dict[str, Any]:
    return Extractor(doc).run()
