"""Markers of the reader's tests."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scan: reads an image-only PDF through tesseract OCR (a few seconds per page)"
    )
