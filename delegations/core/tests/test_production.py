"""Production mode: the default, refused without a real secret key, HTTPS and a strict
Content-Security-Policy, demo data refused, an unreachable database said in French."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError, connections
from django.test import Client

CLE = secrets.token_urlsafe(64)


def lancer(*arguments: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own command
        [sys.executable, "-m", "delegations.manage", *arguments],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def env_production(**variables: str) -> dict[str, str]:
    """Only what a production start-up is given (no DELEGATIONS_DEV inherited from the tests)."""
    return {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), **variables}


def test_production_is_the_default_mode_and_requires_a_secret_key():
    resultat = lancer("check", env=env_production(DJANGO_ALLOWED_HOSTS="exemple.gouv.fr"))
    assert resultat.returncode != 0
    assert "DJANGO_SECRET_KEY est obligatoire en production" in resultat.stderr
    assert "Traceback" not in resultat.stderr


def test_a_short_secret_key_stops_start_up_in_production():
    resultat = lancer("check", env=env_production(DELEGATIONS_DEV="0", DJANGO_SECRET_KEY="court"))
    assert resultat.returncode != 0
    assert "DJANGO_SECRET_KEY est trop courte" in resultat.stderr
    assert "Traceback" not in resultat.stderr


def test_check_deploy_passes_with_only_the_three_production_variables():
    resultat = lancer(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        env=env_production(
            DELEGATIONS_DEV="0",
            DJANGO_SECRET_KEY=CLE,
            DJANGO_ALLOWED_HOSTS="delegations.exemple.gouv.fr",
        ),
    )
    assert resultat.returncode == 0, resultat.stdout + resultat.stderr


def test_production_defaults_are_https_hsts_and_secure_cookies():
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, getattr(s, 'SECURE_PROXY_SSL_HEADER', None))"
    )
    env = env_production(
        DELEGATIONS_DEV="0",
        DJANGO_SECRET_KEY=CLE,
        DJANGO_SETTINGS_MODULE="delegations.settings",
        SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
    )
    resultat = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultat.stdout.strip().split(maxsplit=4) == [
        "True",
        "31536000",
        "True",
        "True",
        "('HTTP_X_FORWARDED_PROTO', 'https')",
    ]


def test_demo_data_is_refused_outside_development(settings: Any, db: None) -> None:
    settings.DEV = False
    with pytest.raises(CommandError, match="DELEGATIONS_DEV=1"):
        call_command("demo")


def test_commands_say_in_french_that_the_database_is_unreachable():
    resultat = lancer(
        "migrate",
        env=env_production(
            DELEGATIONS_DEV="1", DATABASE_URL="postgres://postgres@127.0.0.1:1/injoignable"
        ),
    )
    assert resultat.returncode == 1
    assert "La base de données est injoignable" in resultat.stderr
    assert "Traceback" not in resultat.stderr


def test_pages_answer_a_french_503_when_the_database_is_unreachable(finance: Any) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(finance)

    def injoignable() -> None:
        raise OperationalError("connection refused")

    # Undone before the test database rolls back (the autouse monkeypatch outlives ``db``).
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connections["default"], "ensure_connection", injoignable)
        reponse = client.get("/conventions/")
    assert reponse.status_code == 503
    texte = reponse.content.decode()
    assert "La base de données de Délégations est injoignable" in texte
    assert 'class="fr-header"' in texte
    assert "Traceback" not in texte


SCRIPT_INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


@pytest.mark.parametrize("adresse", ["/connexion/", "/api/v1/docs/", "/conventions-publiques/"])
def test_pages_carry_a_strict_content_security_policy_and_no_inline_script(
    client: Any, db: None, adresse: str
) -> None:
    reponse = client.get(adresse)
    assert reponse.status_code == 200
    politique = dict(
        d.strip().split(" ", 1) for d in reponse["Content-Security-Policy"].split(";") if d.strip()
    )
    assert "'unsafe-inline'" not in politique["script-src"]
    assert "'unsafe-eval'" not in politique["script-src"]
    assert politique["object-src"] == "'none'"
    assert politique["frame-ancestors"] == "'none'"
    assert "camera=()" in reponse["Permissions-Policy"]
    assert SCRIPT_INLINE.findall(reponse.content.decode()) == []


def test_the_api_docs_start_up_script_is_a_separate_javascript_file(client: Any, db: None):
    reponse = client.get("/api/v1/docs/?script=")
    assert reponse.status_code == 200
    assert reponse["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in reponse.content
