"""Scanned pages cleaned before OCR: deskewed (projection profile of an Otsu-binarised copy).

Pillow only: it is already there (PDF rendering hands Pillow images), its C routines do the
heavy work (a resize to one column averages each row, ``rotate`` turns the page), and a scan
needs nothing more than a threshold and a small rotation. OpenCV (headless) would add some
60 MB of wheels for the same two operations.
"""

from __future__ import annotations

from typing import Any

# Skew searched in this range (degrees), coarse then fine: a page fed by hand is rarely off by
# more than a few degrees.
MAX_SKEW = 5.0
COARSE_STEP = 1.0
FINE_STEP = 0.2
# Rotations below this are left alone: Tesseract copes with a slight skew, and turning the page
# resamples it (a scan off by 0.4° lost an underscore once turned).
MIN_SKEW = 1.0
PROBE_WIDTH = 400


def otsu_threshold(image: Any) -> int:
    """The grey level that best splits ink from paper (Otsu, on the 256-bin histogram)."""
    hist = image.histogram()[:256]
    total = sum(hist)
    if total == 0:
        return 128
    sum_all = sum(i * h for i, h in enumerate(hist))
    weight_bg = 0
    sum_bg = 0.0
    best, threshold = -1.0, 128
    for level in range(256):
        weight_bg += hist[level]
        if weight_bg == 0:
            continue
        weight_fg = total - weight_bg
        if weight_fg == 0:
            break
        sum_bg += level * hist[level]
        mean_bg = sum_bg / weight_bg
        mean_fg = (sum_all - sum_bg) / weight_fg
        between = weight_bg * weight_fg * (mean_bg - mean_fg) ** 2
        if between > best:
            best, threshold = between, level
    return threshold


def binarise(image: Any) -> Any:
    """Black ink on white paper: every pixel either, split at the Otsu threshold."""
    grey = image if image.mode == "L" else image.convert("L")
    threshold = otsu_threshold(grey)
    return grey.point(lambda v: 255 if v > threshold else 0)


def _profile_score(image: Any, angle: float) -> float:
    """How sharply text lines stand out when the page is turned by ``angle``: the variance of
    the rows' ink (lines of text alternate with blank leading when they are level)."""
    from PIL import Image, ImageStat

    turned = image.rotate(angle, resample=Image.Resampling.NEAREST, expand=False, fillcolor=0)
    rows = turned.resize((1, turned.height), Image.Resampling.BOX)
    return float(ImageStat.Stat(rows).var[0])


def skew_angle(image: Any) -> float:
    """The rotation (degrees) that levels the text lines of a page, 0 when none. Measured on a
    binarised copy a few hundred pixels wide: enough to see the lines, cheap to turn."""
    from PIL import Image, ImageOps

    scale = PROBE_WIDTH / max(1, image.width)
    grey = image if image.mode == "L" else image.convert("L")
    probe = grey.resize((PROBE_WIDTH, max(1, int(image.height * scale))), Image.Resampling.BOX)
    ink = ImageOps.invert(binarise(probe))  # ink bright, paper 0
    steps = int(MAX_SKEW / COARSE_STEP)
    coarse = max(
        (k * COARSE_STEP for k in range(-steps, steps + 1)),
        key=lambda a: (_profile_score(ink, a), -abs(a)),
    )
    fine_steps = int(COARSE_STEP / FINE_STEP) - 1
    best = max(
        (coarse + k * FINE_STEP for k in range(-fine_steps, fine_steps + 1)),
        key=lambda a: (_profile_score(ink, a), -abs(a)),
    )
    return round(best, 2) if abs(best) >= MIN_SKEW else 0.0


def clean_page(image: Any) -> Any:
    """A page ready for OCR: grey, turned level when it was scanned askew.

    The page is binarised to measure its skew but handed to Tesseract in grey: Tesseract
    thresholds it itself (Leptonica), and a hard threshold before it lost thin strokes
    (underscores, decimal commas) in our tests."""
    from PIL import Image

    page = image if image.mode == "L" else image.convert("L")
    angle = skew_angle(page)
    if angle:
        page = page.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    return page
