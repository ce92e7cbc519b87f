"""pytest plugin (``-p delegations.pytest_dev`` in pyproject's addopts): tests run in development
mode. Loaded before pytest-django imports the settings, and inherited by the commands the
tests start as subprocesses; a test about production mode sets DELEGATIONS_DEV=0 itself."""

from __future__ import annotations

import os

os.environ.setdefault("DELEGATIONS_DEV", "1")
# Daily tasks stay off in tests (and in the workers they start): a test that needs one sets its
# hour itself (taches/tests/test_planification.py).
for _reglage in (
    "RAPPELS_HEURE",
    "DONNEES_SERVIES_HEURE",
    "DATAGOUV_PUBLICATION_HEURE",
    "PURGE_DEPOTS_HEURE",
):
    os.environ.setdefault(_reglage, "")
