"""pytest plugin (``-p delegations.pytest_dev`` in pyproject's addopts): tests run in development
mode. Loaded before pytest-django imports the settings, and inherited by the commands the
tests start as subprocesses; a test about production mode sets DELEGATIONS_DEV=0 itself."""

from __future__ import annotations

import os

os.environ.setdefault("DELEGATIONS_DEV", "1")
