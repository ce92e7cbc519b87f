"""Property tests: an amount or a date written in any supported form parses back."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st
from num2words import num2words

from delegations.lecture.extraction.textutil import (
    parse_amount,
    parse_date,
    words_match_number,
    words_to_int,
)

MONTHS_FULL = [
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
]  # fmt: skip
MONTHS_ABBR = [
    "JAN.",
    "FÉV.",
    "MARS",
    "AVR.",
    "MAI",
    "JUIN",
    "JUIL.",
    "AOÛT",
    "SEPT.",
    "OCT.",
    "NOV.",
    "DÉC.",
]
SEPARATORS = [" ", "\u00a0", "\u202f", "."]


def group(n: int, sep: str) -> str:
    s = str(n)
    parts = []
    while s:
        parts.insert(0, s[-3:])
        s = s[:-3]
    return sep.join(parts)


@given(
    euros=st.integers(min_value=0, max_value=999_999_999),
    cents=st.integers(min_value=0, max_value=99),
    sep=st.sampled_from(SEPARATORS),
    with_cents=st.booleans(),
    unit=st.sampled_from([" €", "€", " euros", " EUR", ""]),
)
def test_amount_written_in_any_form_parses_back(
    euros: int, cents: int, sep: str, with_cents: bool, unit: str
) -> None:
    text = group(euros, sep) + (f",{cents:02d}" if with_cents else "") + unit
    expected = Decimal(euros) + (Decimal(cents) / 100 if with_cents else 0)
    assert parse_amount(text) == expected


@given(n=st.integers(min_value=0, max_value=999_999_999))
def test_amount_in_words_from_num2words_parses_back(n: int) -> None:
    words = num2words(n, lang="fr")
    assert words_to_int(words) == n
    assert words_match_number(words, Decimal(n))


@given(
    n=st.integers(min_value=1, max_value=99_999_999), delta=st.integers(min_value=1, max_value=1000)
)
def test_amount_in_words_never_matches_another_number(n: int, delta: int) -> None:
    assert not words_match_number(num2words(n, lang="fr"), Decimal(n + delta))


@given(
    d=st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31)),
    form=st.sampled_from(["long", "abbr", "slash", "slash0", "stamp", "upper"]),
)
def test_date_written_in_any_form_parses_back(d: date, form: str) -> None:
    if form == "long":
        day = "1er" if d.day == 1 else str(d.day)
        text = f"{day} {MONTHS_FULL[d.month - 1]} {d.year}"
    elif form == "upper":
        text = f"{d.day} {MONTHS_FULL[d.month - 1].upper()} {d.year}"
    elif form == "abbr":
        text = f"{d.day} {MONTHS_ABBR[d.month - 1]} {d.year}"
    elif form == "slash":
        text = f"{d.day}/{d.month}/{d.year}"
    elif form == "slash0":
        text = f"{d.day:02d}/{d.month:02d}/{d.year}"
    else:
        text = f"{d.year}.{d.month:02d}.{d.day:02d} 23:45:15 +01'00'"
    assert parse_date(f"Fait à Paris, le {text}") == d


def _sentence_by_scanning(text: str, pos: int, end: int) -> tuple[int, int]:
    """The sentence around [pos, end) found by scanning the text, as the reader first did."""
    import re

    starts = [text.rfind(". ", 0, pos), text.rfind(".\n", 0, pos), text.rfind("\n\n", 0, pos)]
    s = max(starts)
    s = 0 if s < 0 else s + 2
    m = re.compile(r"\.(?=\s|$)|\n\s*\n").search(text, end)
    return s, (m.end() if m else len(text))


@given(
    st.lists(
        st.sampled_from(["Le montant", " est de", " 10 000 €", ".", " ", "\n", "\n\n", "x"]),
        max_size=40,
    ),
    st.data(),
)
def test_sentence_around_a_value_is_the_one_a_scan_of_the_text_finds(
    parts: list[str], data: st.DataObject
) -> None:
    from delegations.lecture.extraction.document import doc_from_plain
    from delegations.lecture.extraction.rules.context import Context

    ctx = Context(doc_from_plain(["".join(parts)]))
    pos = data.draw(st.integers(0, len(ctx.text)))
    end = data.draw(st.integers(pos, len(ctx.text)))
    assert ctx.sentence_at(pos, end) == _sentence_by_scanning(ctx.text, pos, end)


@given(
    st.lists(
        st.sampled_from(["Article 1er – Objet", "Article 2 – Montant", "texte", "Fait à Paris"]),
        max_size=30,
    ),
    st.data(),
)
def test_article_at_an_offset_is_the_one_whose_span_holds_it(
    lines: list[str], data: st.DataObject
) -> None:
    from delegations.lecture.extraction.document import doc_from_plain
    from delegations.lecture.extraction.rules.context import Context

    ctx = Context(doc_from_plain(["\n".join(lines)]))
    offset = data.draw(st.integers(0, len(ctx.text)))
    holding = [art for art in ctx.articles if art.start <= offset < art.end]
    assert ctx.article_at(offset) == (holding[-1] if holding else None)
