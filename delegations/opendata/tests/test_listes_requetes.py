"""Every list (each page and API URL without an id, as the bench finds them, and the pages that
list the children of one parent) runs the same number of queries with 3 and with 30 rows, for
each persona: finance, a délégant agent and an intrapreneur. Each convention of the world comes
with its product, committee, obligation, contractor, contract, movements, proposal of service
fait, CHORUS reconciliation, stored deadlines, a task of each user and a contact."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from delegations.chorus.models import BilanConvention, Ecart, NatureEcart, Rapprochement
from delegations.comites.ecriture import enregistrer_obligation
from delegations.comites.models import Obligation
from delegations.comites.tests.factories import ComiteFactory
from delegations.core.tests.factories import (
    AdministrationFactory,
    ConventionFactory,
    ProduitFactory,
    UserFactory,
)
from delegations.echeances import stockage
from delegations.execution.models import Marche, PropositionServiceFait, Titulaire
from delegations.execution.tests.factories import commande, mad, paiement, service_fait
from delegations.opendata.bench import _motifs
from delegations.opendata.publication import publier
from delegations.redaction.models import Contact, RoleContact
from delegations.taches.models import Tache

pytestmark = pytest.mark.django_db

_numero = itertools.count(1)

# Pages whose work does not depend on the rows (forms, documentation, downloads).
SANS_LISTE = ("/admin", "/static", "/media", "/api/v1/schema", "/api/v1/docs")

# Pages listing the children of one parent: {placeholder} is the parent every row hangs on.
LISTES_D_UN_PARENT = (
    "/produits/{produit}/",
    "/api/v1/produits/{produit}/",
    "/comites/{comite}/",
)


def _listes() -> list[str]:
    return sorted(
        route
        for route, noms in _motifs()
        if not noms and not route.startswith(SANS_LISTE) and not route.endswith(".ics")
    )


class Monde:
    """The personas and the parents shared by every row."""

    def __init__(self) -> None:
        self.delegant_adm = AdministrationFactory()
        self.dinum = AdministrationFactory(sigle="DINUM")
        self.finance = UserFactory(role="finance")
        self.agent = UserFactory(role="delegant")
        self.agent.administrations.add(self.delegant_adm)
        self.intra = UserFactory(role="intrapreneur", email="intra@exemple.gouv.fr")
        self.produit = ProduitFactory(intrapreneur_email=self.intra.email)
        self.comite = ComiteFactory(produit=self.produit)

    def ajouter(self, n: int) -> None:
        for _ in range(n):
            i = next(_numero)
            titulaire = Titulaire.objects.create(nom=f"Titulaire {i}", siret=f"{i:014d}")
            marche = Marche.objects.create(numero=f"M-{i}", intitule="Marché de test")
            marche.titulaires.add(titulaire)
            produit = ProduitFactory(intrapreneur_email=self.intra.email)
            conv = ConventionFactory(
                delegant=self.delegant_adm,
                delegataire=self.dinum,
                produits=[produit, self.produit],
                date_publication=dt.date(2024, 1, 20),
            )
            ComiteFactory(produit=produit)
            enregistrer_obligation(
                Obligation(convention=conv, libelle=f"Obligation {i}"), self.finance
            )
            mad(conv, ae="100000", cp="80000")
            bc = commande(conv, "1000", titulaire=titulaire, marche=marche, produit=produit)
            paiement(service_fait(bc, "500"), "500")
            PropositionServiceFait.objects.create(
                engagement=bc,
                montant=Decimal("100"),
                date=dt.date(2024, 6, 1),
                created_by=self.intra,
            )
            rapprochement = Rapprochement.objects.create(
                created_by=self.finance, sha256=f"{i:064x}", nb_lignes=1, nb_ecarts=1
            )
            BilanConvention.objects.create(
                rapprochement=rapprochement,
                convention=conv,
                annee=2024,
                ae_registre=Decimal("1000"),
                cp_registre=Decimal("500"),
                nb_ecarts=1,
            )
            Ecart.objects.create(
                rapprochement=rapprochement,
                convention=conv,
                annee=2024,
                nature=NatureEcart.choices[0][0],
                cle=f"EJ-{i}",
                detail="Écart de test",
            )
            for user in (self.finance, self.agent, self.intra):
                Tache.objects.create(proprietaire=user, nom="essai", libelle=f"Traitement {i}")
            Contact.objects.create(
                administration=AdministrationFactory(),
                nom=f"Bureau {i}",
                email=f"bureau{i}@exemple.gouv.fr",
                role=RoleContact.GESTIONNAIRE,
            )
        publier()


def _requetes(client: Client, url: str) -> tuple[int, int, list[str]]:
    with CaptureQueriesContext(connection) as ctx:
        statut = client.get(url).status_code
    return statut, len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _repetees(sql: list[str]) -> list[str]:
    """The statements run more than once, to name the culprit when a list grows."""
    return [f"{n}× {q[:200]}" for q, n in Counter(sql).most_common(3) if n > 1]


def test_every_list_runs_the_same_queries_for_3_and_30_rows_for_every_persona(
    django_capture_on_commit_callbacks: Any,
) -> None:
    monde = Monde()
    urls = _listes() + [
        u.format(produit=monde.produit.pk, comite=monde.comite.pk) for u in LISTES_D_UN_PARENT
    ]
    assert "/execution/" in urls and "/api/v1/obligations/" in urls
    clients = {}
    for nom in ("finance", "agent", "intra"):
        clients[nom] = Client()
        clients[nom].force_login(getattr(monde, nom))
    with django_capture_on_commit_callbacks(execute=True):
        monde.ajouter(3)
    stockage.appliquer()  # the deadlines the commit would have refreshed
    for client in clients.values():  # first visits may set things up once (document models)
        for url in urls:
            client.get(url)
    trois = {(nom, u): _requetes(c, u) for nom, c in clients.items() for u in urls}
    with django_capture_on_commit_callbacks(execute=True):
        monde.ajouter(27)
    stockage.appliquer()
    trente = {(nom, u): _requetes(c, u) for nom, c in clients.items() for u in urls}
    ecarts = {
        k: (trois[k][:2], trente[k][:2], _repetees(trente[k][2]))
        for k in trois
        if trois[k][:2] != trente[k][:2]
    }
    assert ecarts == {}
    # Every persona gets its lists (not only refusals), and the rows are there to be listed.
    for nom in clients:
        assert len([u for u in urls if trois[(nom, u)][0] == 200]) > 20
    assert Tache.objects.filter(proprietaire=monde.agent).count() == 30
    assert Rapprochement.objects.count() == 30
