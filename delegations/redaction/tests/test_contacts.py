"""Contacts of each délégant: finance writes, a délégant agent reads their own; pages of the app."""

from __future__ import annotations

import html
import os
import subprocess
import sys
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from delegations.core.tests.factories import AdministrationFactory, UserFactory
from delegations.redaction.models import Contact, RoleContact

pytestmark = pytest.mark.django_db


def test_finance_adds_a_contact(client: Any, finance: Any, administration: Any) -> None:
    client.force_login(finance)
    reponse = client.post(
        reverse("redaction:contact_creer"),
        {
            "administration": administration.pk,
            "nom": "CBCM",
            "email": "cbcm@exemple.gouv.fr",
            "role": RoleContact.CBCM,
        },
    )
    assert reponse.status_code == 302
    assert Contact.objects.get().role == RoleContact.CBCM


def test_the_same_contact_twice_is_refused_in_french(
    client: Any, finance: Any, contacts: Any
) -> None:
    client.force_login(finance)
    reponse = client.post(
        reverse("redaction:contact_creer"),
        {
            "administration": contacts[0].administration_id,
            "nom": "Doublon",
            "email": contacts[0].email,
            "role": contacts[0].role,
        },
    )
    assert reponse.status_code == 200
    assert "Ce contact existe déjà" in html.unescape(reponse.content.decode())


def test_contacts_list_follows_the_administrations(
    client: Any, agent: Any, collegue: Any, contacts: Any
) -> None:
    url = reverse("redaction:contacts")
    client.force_login(agent)
    assert "budget@delegant.example.gouv.fr" in client.get(url).content.decode()
    client.force_login(collegue)
    assert "budget@delegant.example.gouv.fr" not in client.get(url).content.decode()
    client.force_login(UserFactory(role="intrapreneur"))
    assert "budget@delegant.example.gouv.fr" not in client.get(url).content.decode()


def test_only_finance_writes_contacts(client: Any, agent: Any, contacts: Any) -> None:
    client.force_login(agent)
    assert client.get(reverse("redaction:contact_creer")).status_code == 403
    modifier = reverse("redaction:contact_modifier", args=[contacts[0].pk])
    assert client.post(modifier, {"nom": "Pirate"}).status_code == 403
    supprimer = reverse("redaction:contact_supprimer", args=[contacts[0].pk])
    assert client.post(supprimer).status_code == 403
    assert Contact.objects.count() == 2


def test_deleting_a_contact_asks_for_confirmation(client: Any, finance: Any, contacts: Any) -> None:
    client.force_login(finance)
    url = reverse("redaction:contact_supprimer", args=[contacts[0].pk])
    assert "Supprimer le contact" in client.get(url).content.decode()
    assert Contact.objects.count() == 2
    client.post(url)
    assert Contact.objects.count() == 1


def test_contacts_list_runs_a_fixed_number_of_queries(client: Any, finance: Any) -> None:
    client.force_login(finance)
    url = reverse("redaction:contacts")
    client.get(url)
    for i in range(5):
        administration = AdministrationFactory()
        Contact.objects.create(
            administration=administration, nom=f"C{i}", email=f"c{i}@ex.gouv.fr", role="autre"
        )
    with CaptureQueriesContext(connection) as peu:
        client.get(url)
    for i in range(20):
        Contact.objects.create(
            administration=AdministrationFactory(),
            nom=f"D{i}",
            email=f"d{i}@ex.gouv.fr",
            role="autre",
        )
    with CaptureQueriesContext(connection) as beaucoup:
        client.get(url)
    assert len(beaucoup) == len(peu)


def test_the_convention_page_shows_the_drafting_panel(
    client: Any, finance: Any, agent: Any, convention_complete: Any
) -> None:
    # The panel is the convention page's « redaction » section, loaded on demand.
    url = reverse("conventions:section", args=[convention_complete.pk, "redaction"])
    client.force_login(finance)
    page = html.unescape(client.get(url).content.decode())
    assert f"/api/v1/conventions/{convention_complete.pk}/document.pdf" in page
    assert f"/api/v1/conventions/{convention_complete.pk}/avenants/2/document.docx" in page
    assert "Déposer une copie signée" in page
    assert "Copie signée au CBCM" in page
    client.force_login(agent)
    page = html.unescape(client.get(url).content.decode())
    assert f"/api/v1/conventions/{convention_complete.pk}/document.pdf" in page
    assert "Déposer une copie signée" not in page


def test_email_url_sets_the_smtp_settings() -> None:
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, s.EMAIL_USE_TLS)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "delegations.settings",
        "EMAIL_URL": "smtp://agent:secret@smtp.exemple.gouv.fr:587/?tls=True",
    }
    sortie = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert sortie == [
        "django.core.mail.backends.smtp.EmailBackend",
        "smtp.exemple.gouv.fr",
        "587",
        "agent",
        "True",
    ]


def test_a_malformed_email_url_stops_start_up_with_a_message() -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "delegations.settings",
        "EMAIL_URL": "pigeon://x",
    }
    resultat = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert resultat.returncode != 0
    assert "EMAIL_URL" in resultat.stderr
