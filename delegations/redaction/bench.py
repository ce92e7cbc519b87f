"""Round-trip figure: fields recovered by the reader / fields written from the register.

On a throw-away test database: the demo data, then conventions built by hypothesis.
"""

from __future__ import annotations

import io
import os
import time

NOMBRE_HYPOTHESIS = int(os.environ.get("BENCH_REDACTION_CONVENTIONS", "30"))


def _afficher(titre: str, bilan: object) -> None:
    from .allerretour import Bilan

    assert isinstance(bilan, Bilan)
    moteur = f", PDF par {bilan.moteur}" if bilan.moteur else ""
    print(
        f"{titre:<34} {bilan.format:>4} : {bilan.retrouves}/{bilan.ecrits} champs retrouvés "
        f"({bilan.taux:.1f} %) sur {bilan.documents} documents{moteur}",
        flush=True,
    )
    for nom, champ in bilan.ecarts[:10]:
        print(f"    {nom} : {champ.libelle} — écrit « {champ.attendu} », lu « {champ.lu} »")


def run() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from delegations.core.models import User

    from .allerretour import aller_retour, toutes_les_cibles
    from .tests.strategies import cibles, creer, donnees_convention

    setup_test_environment()
    ancien_nom = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        call_command("demo", stdout=io.StringIO())
        demo = toutes_les_cibles()
        for format in ("docx", "pdf"):
            debut = time.perf_counter()
            bilan = aller_retour(demo, format)
            _afficher("Données de démonstration", bilan)
            print(f"    ({time.perf_counter() - debut:.1f} s)")
        user = User.objects.get(username="finance")
        construites: list = []

        @settings(
            max_examples=NOMBRE_HYPOTHESIS,
            database=None,
            deadline=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.data())
        def construire(data: st.DataObject) -> None:
            construites.extend(cibles(creer(data.draw(donnees_convention()), user)))

        construire()
        for format in ("docx", "pdf"):
            debut = time.perf_counter()
            bilan = aller_retour(construites, format)
            _afficher(f"Construites par hypothesis ({NOMBRE_HYPOTHESIS})", bilan)
            print(f"    ({time.perf_counter() - debut:.1f} s)")
    finally:
        connection.creation.destroy_test_db(ancien_nom, verbosity=0)
        teardown_test_environment()
