"""Scanned pages are levelled and binarised before OCR."""

from __future__ import annotations

import pytest
from PIL import Image, ImageDraw, ImageFont

from delegations.lecture.extraction.cleanup import binarise, clean_page, skew_angle


def _page() -> Image.Image:
    """A grey A4 page at 150 dpi with lines of text, as a scanner hands it."""
    page = Image.new("L", (1240, 1754), 235)
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=22)
    for i in range(40):
        draw.text((90, 90 + i * 38), f"Article {i} - le service numérique est construit", 30, font)
    return page


@pytest.mark.parametrize("skew", [2.0, -3.0])
def test_a_page_scanned_askew_is_turned_level(skew: float) -> None:
    turned = _page().rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=235)
    assert skew_angle(turned) == pytest.approx(-skew, abs=0.3)


@pytest.mark.parametrize("skew", [0.0, 0.5])
def test_a_level_or_slightly_skewed_page_is_not_turned(skew: float) -> None:
    turned = _page().rotate(skew, resample=Image.Resampling.BICUBIC, fillcolor=235)
    assert skew_angle(turned) == 0.0


def test_binarised_probe_is_black_ink_on_white_paper() -> None:
    page = binarise(_page())
    assert set(page.getdata()) == {0, 255}


def test_a_level_page_goes_to_ocr_unchanged_in_grey() -> None:
    page = _page()
    assert list(clean_page(page).getdata()) == list(page.getdata())
