"""Fixtures of the drafting tests: a complete convention with two amendments, an SMTP server."""

from __future__ import annotations

import datetime as dt
import socket
from collections.abc import Iterator
from decimal import Decimal
from email import message_from_bytes, policy
from email.message import Message
from typing import Any

import pytest

from delegations.conventions.ecriture import creer_avenant
from delegations.conventions.models import Convention
from delegations.core.tests.factories import ProduitFactory
from delegations.redaction.models import Contact, RoleContact

D = Decimal


@pytest.fixture
def convention_complete(convention: Convention, finance: Any) -> Convention:
    """The shared fixture convention, completed as the register knows it, with two amendments."""
    convention.delegant_representant_nom = "Claire Exemple"
    convention.delegant_representant_qualite = "Directrice"
    convention.delegataire_representant_nom = "Paul Modèle"
    convention.delegataire_representant_qualite = "Directeur interministériel du numérique"
    convention.phases = ["construction", "acceleration"]
    convention.domaine_fonctionnel = "0103-01-02"
    convention.activite = "010301010101"
    convention.centre_de_cout = "CCTEST075"
    convention.compte_rendu = ["mensuel", "terme"]
    convention.annexe_rgpd = True
    convention.save()
    convention.produits.add(ProduitFactory(nom="Guichet Exemple"))
    creer_avenant(
        convention,
        finance,
        objet="Abondement des crédits de 2025",
        date_signature=dt.date(2025, 3, 3),
        date_fin=None,
        lignes=[(2025, D("250000.00"), D("180000.00"))],
    )
    creer_avenant(
        convention,
        finance,
        objet="Prolongation d'un an et crédits de 2027",
        date_signature=dt.date(2026, 5, 4),
        date_fin=dt.date(2027, 12, 31),
        lignes=[(2027, D("90000.00"), D("120000.00"))],
    )
    return Convention.objects.get(pk=convention.pk)


@pytest.fixture
def contacts(administration: Any) -> list[Contact]:
    return [
        Contact.objects.create(
            administration=administration,
            nom="Bureau du budget",
            email="budget@delegant.example.gouv.fr",
            role=RoleContact.GESTIONNAIRE,
        ),
        Contact.objects.create(
            administration=administration,
            nom="CBCM du ministère",
            email="cbcm@delegant.example.gouv.fr",
            role=RoleContact.CBCM,
        ),
    ]


class Boite:
    """What the test SMTP server received."""

    def __init__(self) -> None:
        self.enveloppes: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.enveloppes.append(envelope)
        return "250 Message accepted for delivery"

    @property
    def messages(self) -> list[Message]:
        return [message_from_bytes(e.content, policy=policy.default) for e in self.enveloppes]


def _port_libre() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def smtp(settings: Any) -> Iterator[Boite]:
    """A real SMTP server (aiosmtpd) on the loopback; Django sends to it over SMTP."""
    from aiosmtpd.controller import Controller

    boite = Boite()
    port = _port_libre()
    controleur = Controller(boite, hostname="127.0.0.1", port=port)
    controleur.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield boite
    finally:
        controleur.stop()
