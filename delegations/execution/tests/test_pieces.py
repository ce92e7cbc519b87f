"""Livrables: the type is proved by the content (allow-list), the stored name is drawn, and the
file is downloaded through a view that checks the perimeter and answers an attachment — also
with DEBUG=false."""

from __future__ import annotations

import re

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ProduitFactory, UserFactory
from delegations.execution.models import PropositionServiceFait, ServiceFait

from .factories import commande, mad, service_fait

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"
HTML = b"<html><script>alert(document.cookie)</script></html>"


@pytest.fixture
def intrapreneur_et_commande(convention):
    intra = UserFactory(role="intrapreneur")
    produit = ProduitFactory(intrapreneur_email=intra.email)
    convention.produits.add(produit)
    mad(convention)
    return intra, commande(convention, "10000", produit=produit)


@pytest.fixture
def sf_avec_livrable(convention):
    mad(convention)
    eng = commande(convention, "1000")
    nom = "../../../tmp/<script>.pdf"
    return service_fait(eng, "1000", total=True, livrable=SimpleUploadedFile(nom, PDF))


def client(user):
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


def test_le_nom_stocke_du_livrable_est_tire_au_sort_jamais_celui_du_client(sf_avec_livrable):
    assert re.fullmatch(
        r"execution/livrables/\d{4}/[0-9a-f]{32}\.pdf", sf_avec_livrable.livrable.name
    )


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("pv.pdf", HTML),  # an HTML page named .pdf
        ("schema.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'),
        ("pv.pdf", b"MZ\x90\x00\x03\x00\x00\x00 executable"),
        ("notes.txt", b"du texte"),  # text is not a livrable type
    ],
)
def test_un_livrable_dont_le_contenu_n_est_pas_un_type_admis_est_refuse_sans_rien_enregistrer(
    convention, nom, contenu
):
    mad(convention)
    eng = commande(convention, "1000")
    with pytest.raises(RegleMetierError) as exc:
        service_fait(eng, "1000", total=True, livrable=SimpleUploadedFile(nom, contenu))
    assert exc.value.code == "type_fichier_refuse"
    assert "PDF, DOCX, ODT, XLSX, ODS, PNG ou JPEG" in exc.value.message
    assert not ServiceFait.objects.exists()


def test_la_proposition_de_l_intrapreneur_refuse_un_livrable_html(intrapreneur_et_commande, api):
    intra, eng = intrapreneur_et_commande
    reponse = api(intra).post(
        "/api/v1/services-faits",
        {
            "engagement": eng.pk,
            "montant": "3000.00",
            "date": "2024-04-01",
            "total": True,
            "livrable": SimpleUploadedFile("livrable.pdf", HTML, content_type="application/pdf"),
        },
        format="multipart",
    )
    assert reponse.status_code == 400
    assert reponse.json()["code"] == "type_fichier_refuse"
    assert not PropositionServiceFait.objects.exists()


def test_l_api_donne_le_lien_de_la_vue_de_telechargement(sf_avec_livrable, finance, api):
    donnees = api(finance).get(f"/api/v1/services-faits/{sf_avec_livrable.pk}").json()
    assert donnees["livrable"] == (
        f"http://testserver/execution/services-faits/{sf_avec_livrable.pk}/livrable/"
    )


@override_settings(DEBUG=False)
def test_finance_telecharge_le_livrable_en_piece_jointe_avec_debug_false(sf_avec_livrable, finance):
    reponse = client(finance).get(f"/execution/services-faits/{sf_avec_livrable.pk}/livrable/")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"] == (
        f'attachment; filename="livrable-service-fait-{sf_avec_livrable.pk}.pdf"'
    )
    assert reponse["X-Content-Type-Options"] == "nosniff"
    assert b"".join(reponse.streaming_content) == PDF


@override_settings(DEBUG=False)
def test_l_agent_du_delegant_telecharge_le_livrable_de_sa_convention(sf_avec_livrable, agent):
    reponse = client(agent).get(f"/execution/services-faits/{sf_avec_livrable.pk}/livrable/")
    assert reponse.status_code == 200
    assert reponse["Content-Disposition"].startswith("attachment;")


@override_settings(DEBUG=False)
def test_hors_du_perimetre_le_livrable_repond_404(sf_avec_livrable, collegue):
    intrapreneur = UserFactory(role="intrapreneur")
    ProduitFactory(intrapreneur_email=intrapreneur.email)
    url = f"/execution/services-faits/{sf_avec_livrable.pk}/livrable/"
    assert client(collegue).get(url).status_code == 404
    assert client(intrapreneur).get(url).status_code == 404
    anonyme = client(None).get(url)
    assert anonyme.status_code == 302
    assert anonyme["Location"].startswith("/connexion/")


@override_settings(DEBUG=False)
def test_l_intrapreneur_telecharge_le_livrable_de_sa_proposition(intrapreneur_et_commande, finance):
    intra, eng = intrapreneur_et_commande
    from delegations.execution import mouvements

    prop = mouvements.proposer_service_fait(
        eng,
        montant=eng.montant,
        date=eng.date,
        total=True,
        livrable=SimpleUploadedFile("rapport.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 16),
        user=intra,
    )
    url = f"/execution/propositions/{prop.pk}/livrable/"
    for user in (intra, finance):
        reponse = client(user).get(url)
        assert reponse.status_code == 200
        assert reponse["Content-Type"] == "image/png"
        assert reponse["Content-Disposition"].startswith("attachment;")
    assert client(UserFactory(role="intrapreneur")).get(url).status_code == 404


@override_settings(DEBUG=False)
def test_un_fichier_stocke_avant_la_liste_blanche_est_servi_en_octets_jamais_en_page(
    sf_avec_livrable, finance
):
    sf_avec_livrable.livrable.storage.delete(sf_avec_livrable.livrable.name)
    sf_avec_livrable.livrable.storage.save(sf_avec_livrable.livrable.name, ContentFile(HTML))
    reponse = client(finance).get(f"/execution/services-faits/{sf_avec_livrable.pk}/livrable/")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/octet-stream"
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert reponse["X-Content-Type-Options"] == "nosniff"
