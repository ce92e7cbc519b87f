from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.test import Client

from delegations.conventions.models import Convention
from delegations.core.formats import euros
from delegations.core.models import JetonAPI, User, empreinte_jeton
from delegations.core.tests.factories import UserFactory


@pytest.mark.django_db
def test_token_command_prints_a_new_token_on_its_last_line():
    user = UserFactory(username="jeton")
    out = io.StringIO()
    call_command("token", "jeton", stdout=out)
    premier = out.getvalue().strip().splitlines()[-1]
    assert JetonAPI.objects.actifs().get(user=user).empreinte == empreinte_jeton(premier)
    out = io.StringIO()
    call_command("token", user.email, stdout=out)
    second = out.getvalue().strip().splitlines()[-1]
    assert second != premier
    assert not JetonAPI.objects.actifs().filter(empreinte=empreinte_jeton(premier)).exists()


@pytest.mark.django_db
def test_token_command_refuses_an_unknown_user():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Utilisateur inconnu"):
        call_command("token", "personne")


@pytest.mark.django_db
def test_demo_twice_does_not_duplicate_anything():
    call_command("demo", stdout=io.StringIO())
    comptes = {m._meta.label: m.objects.count() for m in (Convention, User)}
    call_command("demo", stdout=io.StringIO())
    assert {m._meta.label: m.objects.count() for m in (Convention, User)} == comptes
    assert Convention.objects.count() >= 10
    statuts = set(Convention.objects.values_list("statut", flat=True))
    assert statuts == {"brouillon", "signee", "publiee", "suspendue", "resiliee", "terminee"}
    delegant = User.objects.get(username="delegant")
    visibles = Convention.objects.visibles_par(delegant).count()
    assert 0 < visibles < Convention.objects.count()
    assert User.objects.get(username="intrapreneur").check_password("demo")
    assert Convention.objects.visibles_par(User.objects.get(username="intrapreneur")).exists()


@pytest.mark.django_db
def test_login_with_email_as_identity():
    UserFactory(username="agent-x", email="Agent.X@exemple.gouv.fr")
    client = Client()
    response = client.post(
        "/connexion/", {"username": "agent.x@exemple.gouv.fr", "password": "motdepasse-test"}
    )
    assert response.status_code == 302
    response = Client().post("/connexion/", {"username": "agent-x", "password": "faux"})
    assert "Identifiant ou mot de passe incorrect" in response.content.decode()


@pytest.mark.django_db
def test_accessibility_page_is_public_and_linked_from_the_footer():
    page = Client().get("/accessibilite/")
    assert page.status_code == 200
    assert "Déclaration d'accessibilité" in page.content.decode()
    assert 'href="/accessibilite/"' in Client().get("/connexion/").content.decode()


def test_money_is_displayed_the_french_way():
    from decimal import Decimal

    assert euros(Decimal("1900000")).replace("\u202f", " ") == "1 900 000,00\u00a0€"


@pytest.mark.parametrize(
    ("variable", "valeur", "message"),
    [
        ("DJANGO_DEBUG", "peut-être", "true ou false"),
        ("DATABASE_URL", "mysql://x", "sqlite:///"),
        ("CLOTURE_PAIEMENTS", "31/11", "JJ-MM"),
        ("PREAVIS_MOIS_DEFAUT", "trois", "entier"),
        ("CLOTURE_MODE", "ignorer", "avertir"),
    ],
)
def test_settings_fail_loudly_on_a_malformed_value(variable, valeur, message):
    env = dict(os.environ, **{variable: valeur})
    result = subprocess.run(
        [sys.executable, "-c", "import delegations.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_production_requires_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(DELEGATIONS_DEV="0", DJANGO_DEBUG="false")
    result = subprocess.run(
        [sys.executable, "-c", "import delegations.settings"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_serve_collects_static_files_only_when_a_source_is_newer(settings, tmp_path):
    import os
    import time

    from delegations.core.management.commands.serve import statiques_perimes

    settings.STATIC_ROOT = tmp_path
    assert statiques_perimes()  # nothing collected yet
    manifeste = tmp_path / "staticfiles.json"
    manifeste.write_text("{}")
    futur = time.time() + 3600
    os.utime(manifeste, (futur, futur))
    assert not statiques_perimes()  # collected after every source file
    os.utime(manifeste, (0, 0))
    assert statiques_perimes()  # a source file changed since
