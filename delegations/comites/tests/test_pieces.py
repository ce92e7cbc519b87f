"""Committee supports, signed records and obligation proofs: the type is proved by the content
(allow-list), the stored name is drawn, and the file is downloaded through a view that checks the
perimeter and answers an attachment — also with DEBUG=false."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse

from delegations.comites import ecriture
from delegations.comites.models import Comite, Obligation
from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ProduitFactory, UserFactory

from .factories import ComiteFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n%%EOF\n"
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00"
HTML = b"<html><script>alert(1)</script></html>"


def client(user: Any) -> Client:
    c = Client()
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def comite(convention: Any, finance: Any) -> Comite:
    produit = ProduitFactory()
    convention.produits.add(produit)
    comite = ComiteFactory.build(produit=produit, convention=convention)
    comite.support = SimpleUploadedFile("../support<script>.html.pdf", PDF)
    comite.releve_document = SimpleUploadedFile("releve.jpg", JPEG)
    return ecriture.enregistrer_comite(comite, finance)


@pytest.fixture
def obligation(convention: Any, finance: Any) -> Obligation:
    obligation = Obligation(convention=convention, libelle="Atelier de risques")
    obligation.preuve_fichier = SimpleUploadedFile("preuve.pdf", PDF)
    return ecriture.enregistrer_obligation(obligation, finance)


def test_les_noms_stockes_sont_tires_au_sort(comite: Comite, obligation: Obligation) -> None:
    assert re.fullmatch(r"comites/supports/[0-9a-f]{32}\.pdf", comite.support.name)
    assert re.fullmatch(r"comites/releves/[0-9a-f]{32}\.jpg", comite.releve_document.name)
    assert re.fullmatch(r"obligations/[0-9a-f]{32}\.pdf", obligation.preuve_fichier.name)


def test_la_page_refuse_un_support_html_nomme_pdf_sans_rien_enregistrer(
    finance: Any, convention: Any
) -> None:
    produit = ProduitFactory()
    reponse = client(finance).post(
        reverse("comites:creer"),
        {
            "type": "produit",
            "produit": produit.pk,
            "date": "2025-03-10",
            "support": SimpleUploadedFile("support.pdf", HTML),
        },
    )
    assert reponse.status_code == 200
    assert "PDF, DOCX, ODT, XLSX, ODS, PNG ou JPEG" in reponse.content.decode()
    assert not Comite.objects.exists()


def test_la_page_d_une_obligation_refuse_une_preuve_svg(
    finance: Any, obligation: Obligation
) -> None:
    nom_avant = obligation.preuve_fichier.name
    reponse = client(finance).post(
        reverse("comites:obligation_modifier", args=[obligation.pk]),
        {
            "libelle": obligation.libelle,
            "statut": obligation.statut,
            "preuve_fichier": SimpleUploadedFile(
                "preuve.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>1</script></svg>'
            ),
        },
    )
    assert reponse.status_code == 200
    assert "son contenu n&#x27;est d&#x27;aucun de ces types" in reponse.content.decode()
    obligation.refresh_from_db()
    assert obligation.preuve_fichier.name == nom_avant


def test_l_ecriture_refuse_un_releve_html_quel_que_soit_l_appelant(
    finance: Any, convention: Any
) -> None:
    comite = ComiteFactory.build(produit=ProduitFactory())
    comite.releve_document = SimpleUploadedFile("releve.pdf", HTML)
    with pytest.raises(RegleMetierError) as exc:
        ecriture.enregistrer_comite(comite, finance)
    assert exc.value.code == "type_fichier_refuse"
    assert exc.value.message.startswith("Le relevé de décision signé doit être")
    assert not Comite.objects.exists()


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("vue", "type_mime", "nom"),
    [
        ("comites:support", "application/pdf", "support-comite-{pk}.pdf"),
        ("comites:releve_signe", "image/jpeg", "releve-decision-comite-{pk}.jpg"),
    ],
)
def test_finance_et_l_agent_du_delegant_telechargent_les_pieces_du_comite(
    comite: Comite, finance: Any, agent: Any, vue: str, type_mime: str, nom: str
) -> None:
    for user in (finance, agent):
        reponse = client(user).get(reverse(vue, args=[comite.pk]))
        assert reponse.status_code == 200
        assert reponse["Content-Type"] == type_mime
        assert reponse["Content-Disposition"] == (
            f'attachment; filename="{nom.format(pk=comite.pk)}"'
        )
        assert reponse["X-Content-Type-Options"] == "nosniff"


@override_settings(DEBUG=False)
def test_hors_du_perimetre_les_pieces_du_comite_et_la_preuve_repondent_404(
    comite: Comite, obligation: Obligation, collegue: Any
) -> None:
    intrapreneur = UserFactory(role="intrapreneur")
    ProduitFactory(intrapreneur_email=intrapreneur.email)
    urls = [
        reverse("comites:support", args=[comite.pk]),
        reverse("comites:releve_signe", args=[comite.pk]),
        reverse("comites:preuve", args=[obligation.pk]),
    ]
    for url in urls:
        assert client(collegue).get(url).status_code == 404
        assert client(intrapreneur).get(url).status_code == 404
        assert client(None).get(url).status_code == 302


@override_settings(DEBUG=False)
def test_l_intrapreneur_du_produit_telecharge_la_preuve_de_sa_convention(
    convention: Any, obligation: Obligation
) -> None:
    intrapreneur = UserFactory(role="intrapreneur")
    convention.produits.add(ProduitFactory(intrapreneur_email=intrapreneur.email))
    reponse = client(intrapreneur).get(reverse("comites:preuve", args=[obligation.pk]))
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment;")


def test_l_api_et_la_page_donnent_le_lien_de_la_vue_de_telechargement(
    comite: Comite, obligation: Obligation, finance: Any, api: Any
) -> None:
    donnees = api(finance).get(f"/api/v1/comites/{comite.pk}").json()
    assert donnees["support"] == f"http://testserver/comites/{comite.pk}/support/"
    preuve = api(finance).get(f"/api/v1/obligations/{obligation.pk}").json()
    assert (
        preuve["preuve_fichier"] == f"http://testserver/comites/obligations/{obligation.pk}/preuve/"
    )
    page = client(finance).get(reverse("comites:detail", args=[comite.pk])).content.decode()
    assert f'href="/comites/{comite.pk}/support/"' in page
    assert f'href="/comites/{comite.pk}/releve-signe/"' in page
