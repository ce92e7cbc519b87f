"""Page weights: bytes transferred on a first visit (HTML + its CSS and JS, compressed as served).

Pages are rendered by the test client on a throw-away database; style sheets and scripts are
read from the static files and compressed the way whitenoise serves them (brotli when the
package is there, else gzip). Fonts and icons loaded later by the CSS are not counted.
"""

from __future__ import annotations

import gzip
import re

PAGES = [
    ("Connexion", "/connexion/", None),
    ("Conventions publiées", "/conventions-publiques/", None),
    ("Statistiques publiques", "/stats/", None),
    ("Registre (finance)", "/conventions/", "finance"),
    ("Exécution (finance)", "/execution/", "finance"),
]
RESSOURCE = re.compile(r'<(?:link[^>]+href|script[^>]+src)="(/static/[^"?]+)', re.I)


def _compresse(contenu: bytes) -> int:
    try:
        import brotli

        return len(brotli.compress(contenu))
    except ImportError:  # pragma: no cover - brotli is optional for whitenoise
        return len(gzip.compress(contenu, 9))


def run() -> None:
    from django.conf import settings
    from django.contrib.staticfiles import finders
    from django.db import connection
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment

    from delegations.core.models import User

    setup_test_environment()
    nom = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        with override_settings(
            STORAGES={
                **settings.STORAGES,
                "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
            },
            ALLOWED_HOSTS=["*"],
        ):
            finance = User.objects.create_user(
                username="bench-poids", email="bench-poids@example.org", role="finance"
            )
            print(f"{'page':<28} {'HTML':>9} {'CSS+JS':>9} {'total':>9}  (octets transférés)")
            for libelle, url, persona in PAGES:
                client = Client()
                if persona:
                    client.force_login(finance)
                reponse = client.get(url)
                html = reponse.content
                statiques = 0
                for chemin in dict.fromkeys(RESSOURCE.findall(html.decode())):
                    trouve = finders.find(chemin.removeprefix(settings.STATIC_URL))
                    if trouve:
                        with open(trouve, "rb") as fichier:
                            statiques += _compresse(fichier.read())
                poids_html = _compresse(html)
                print(
                    f"{libelle:<28} {poids_html:>9} {statiques:>9} {poids_html + statiques:>9}"
                    f"  [{reponse.status_code}]"
                )
    finally:
        connection.creation.destroy_test_db(nom, verbosity=0)
