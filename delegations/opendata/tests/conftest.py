from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "schemathesis: API fuzzing against the live test server "
        "(deselect with -m 'not schemathesis')",
    )
