from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.core.tests.factories import ProduitFactory
from delegations.opendata.publication import publier

from .factories import ConventionBrouillonFactory, ConventionPublieeFactory, ConventionSigneeFactory

pytestmark = pytest.mark.django_db


def test_public_page_lists_published_conventions_without_login(client: Any) -> None:
    ConventionPublieeFactory(reference="PUB-PAGE", produits=[ProduitFactory(nom="Carto Test")])
    reponse = client.get("/conventions-publiques/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "PUB-PAGE" in contenu and "Carto Test" in contenu
    assert "/donnees/datapackage.zip" in contenu


def test_drafts_and_unpublished_never_on_the_public_page_nor_the_public_api(
    client: Any, api: Any
) -> None:
    ConventionPublieeFactory(reference="PUB-OK")
    brouillon = ConventionBrouillonFactory(date_publication=dt.date(2024, 2, 1))
    signee = ConventionSigneeFactory(reference="SIGNEE-SEULE")
    publier()  # the task queued by the changes
    page = client.get("/conventions-publiques/").content.decode()
    assert "PUB-OK" in page and "BROUILLON-SECRET" not in page and "SIGNEE-SEULE" not in page
    data = api().get("/api/v1/public/conventions").json()
    assert [c["identifiant"] for c in data["results"]] == ["PUB-OK"]
    for autre in (brouillon, signee):
        assert client.get(f"/conventions-publiques/{autre.pk}/").status_code == 404
        assert api().get(f"/api/v1/public/conventions/{autre.pk}").status_code == 404


def test_public_page_search_and_filters(client: Any) -> None:
    ConventionPublieeFactory(
        reference="PUB-A",
        objet="Service des aidants",
        unite_operationnelle="0129-DTFN-C001",
        centre_financier="0129-DTFN-C001",
    )
    ConventionPublieeFactory(reference="PUB-B", objet="Service des bourses")
    contenu = client.get("/conventions-publiques/", {"q": "aidants"}).content.decode()
    assert "PUB-A" in contenu and "PUB-B" not in contenu
    contenu = client.get("/conventions-publiques/", {"programme": "129"}).content.decode()
    assert "PUB-A" in contenu and "PUB-B" not in contenu
    contenu = client.get("/conventions-publiques/", {"annee": "2030"}).content.decode()
    assert "PUB-A" not in contenu and "Aucune convention publiée" in contenu


def test_public_detail_page_shows_schedule_and_document_link(client: Any) -> None:
    conv = ConventionPublieeFactory(reference="PUB-D")
    reponse = client.get(f"/conventions-publiques/{conv.pk}/")
    assert reponse.status_code == 200
    assert "100\u202f000,00\u00a0€" in reponse.content.decode()


def test_public_page_query_count_does_not_grow_with_rows(client: Any) -> None:
    ConventionPublieeFactory.create_batch(3)
    with CaptureQueriesContext(connection) as trois:
        assert client.get("/conventions-publiques/").status_code == 200
    ConventionPublieeFactory.create_batch(17)
    with CaptureQueriesContext(connection) as vingt:
        assert client.get("/conventions-publiques/").status_code == 200
    assert len(vingt) == len(trois)


def test_public_api_needs_no_authentication_and_gives_the_open_data_fields(api: Any) -> None:
    ConventionPublieeFactory(reference="PUB-API")
    publier()
    reponse = api().get("/api/v1/public/conventions")
    assert reponse.status_code == 200
    item = reponse.json()["results"][0]
    assert item["identifiant"] == "PUB-API" and item["type"] == "convention"
    assert item["montant_total_ae"] == "400000.00" and item["date_signature"] == "2024-01-15"
    assert [e["annee"] for e in item["echeancier"]] == [2024, 2025, 2026]
    assert item["delegant_representant_nom"] == "Claire Exemple"
    assert "intrapreneur_email" not in item


def test_public_api_filters(api: Any) -> None:
    ConventionPublieeFactory(reference="PUB-X", objet="Plateforme des aidants")
    ConventionPublieeFactory(reference="PUB-Y", objet="Plateforme des bourses")
    publier()
    data = api().get("/api/v1/public/conventions", {"q": "bourses"}).json()
    assert [c["identifiant"] for c in data["results"]] == ["PUB-Y"]
    # Malformed or unknown values: 400, one French message per parameter (the page ignores them).
    refus = api().get("/api/v1/public/conventions", {"annee": "abc", "statut": "brouillon"})
    assert refus.status_code == 400
    assert set(refus.json()) == {"annee", "statut"}


def test_public_api_query_count_does_not_grow_with_rows(api: Any) -> None:
    ConventionPublieeFactory.create_batch(3)
    publier()
    with CaptureQueriesContext(connection) as trois:
        assert api().get("/api/v1/public/conventions").status_code == 200
    ConventionPublieeFactory.create_batch(27)
    publier()
    with CaptureQueriesContext(connection) as trente:
        assert api().get("/api/v1/public/conventions").status_code == 200
    assert len(trente) == len(trois)


def test_public_api_list_is_served_from_the_last_publication_with_an_etag(api: Any) -> None:
    """The list reads the rows kept by the publication, never the register, and answers 304
    when nothing changed (as /stats/ and the data package)."""
    ConventionPublieeFactory(reference="PUB-SERVIE", objet="Guichet des aidants")
    publier()
    ConventionPublieeFactory(reference="PUB-PAS-ENCORE")  # not yet in a publication
    with CaptureQueriesContext(connection) as requetes:
        reponse = api().get("/api/v1/public/conventions", {"q": "aidants", "annee": 2025})
    assert [c["identifiant"] for c in reponse.json()["results"]] == ["PUB-SERVIE"]
    assert not [q for q in requetes.captured_queries if "conventions_" in q["sql"]]
    assert api().get("/api/v1/public/conventions").json()["count"] == 1
    inchange = api().get("/api/v1/public/conventions", HTTP_IF_NONE_MATCH=reponse["ETag"])
    assert inchange.status_code == 304
    publier()
    assert api().get("/api/v1/public/conventions").json()["count"] == 2


def test_served_item_equals_the_live_representation_with_amendments(api: Any) -> None:
    from delegations.conventions.ecriture import creer_avenant
    from delegations.core.tests.factories import UserFactory
    from delegations.opendata.api import ConventionPubliqueSerializer, representation
    from delegations.opendata.donnees import conventions_publiees, pour_publication

    conv = ConventionPublieeFactory(reference="PUB-AVENANT", produits=[ProduitFactory()])
    finance = UserFactory(role="finance")
    creer_avenant(
        conv,
        finance,
        objet="Rallonge",
        date_signature=dt.date(2024, 6, 1),
        date_fin=dt.date(2027, 6, 30),
        lignes=[(2027, "50000.50", "25000")],
    )
    publier()
    servi = api().get("/api/v1/public/conventions").json()["results"][0]
    vivant = ConventionPubliqueSerializer(
        representation(pour_publication(conventions_publiees()).get(pk=conv.pk))
    ).data
    assert servi == vivant


def test_public_api_list_before_any_publication_asks_for_one(
    api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from delegations.taches.models import Tache

    with django_capture_on_commit_callbacks(execute=True):
        ConventionPublieeFactory()
        reponse = api().get("/api/v1/public/conventions")
    assert (reponse.status_code, reponse.json()["code"]) == (503, "donnees_en_preparation")
    assert Tache.objects.filter(cle="opendata:publication").count() == 1


def test_menu_has_public_entries(client: Any) -> None:
    contenu = client.get("/conventions-publiques/").content.decode()
    assert 'href="/stats/"' in contenu and 'href="/conventions-publiques/"' in contenu


def test_document_link_serves_the_published_original_only(client: Any) -> None:
    from django.core.files.base import ContentFile

    from delegations.lecture.models import Document
    from delegations.opendata.donnees import tables

    publiee = ConventionPublieeFactory(reference="PUB-DOC")
    brouillon = ConventionBrouillonFactory()
    docs = []
    for i, conv in enumerate((publiee, brouillon)):
        doc = Document(
            convention=conv, nom_original=f"convention-{i}.pdf", sha256=f"{i:064d}", taille=9
        )
        doc.fichier.save(f"c{i}.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        doc.save()
        docs.append(doc)
    ligne = next(c for c in tables().conventions if c["identifiant"] == "PUB-DOC")
    assert ligne["document_url"].endswith(f"/conventions-publiques/documents/{docs[0].pk}/")
    assert client.get(f"/conventions-publiques/documents/{docs[0].pk}/").status_code == 200
    assert client.get(f"/conventions-publiques/documents/{docs[1].pk}/").status_code == 404
