"""Import of orders and payments: dry run writes nothing; confirmation is all valid rows or none."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from delegations.core.errors import RegleMetierError
from delegations.execution import importation
from delegations.execution.models import Engagement, Paiement

from .factories import commande, mad, service_fait

pytestmark = pytest.mark.django_db


def csv_commandes(convention, lignes=None) -> bytes:
    entete = "Référence convention;N° EJ;Date;Objet;Montant HT;Titulaire\n"
    lignes = lignes or [
        f"{convention.reference};EJ-IMP-1;01/03/2024;Sprint 1;40 000,00;Société A",
        f"{convention.reference};EJ-IMP-2;2024-03-02;Sprint 2;50000.00;Société A",
        f"{convention.reference};EJ-IMP-3;03/03/2024;Sprint 3;20 000,00;Société B",
    ]
    return (entete + "\n".join(lignes) + "\n").encode("utf-8")


def test_headers_are_matched_whatever_case_and_accents(convention):
    lignes = importation.lire("engagements", "x.csv", csv_commandes(convention))
    assert lignes[0]["reference"] == "EJ-IMP-1" and lignes[0]["montant"] == "40 000,00"


def test_missing_column_is_refused_with_the_headers_read():
    with pytest.raises(RegleMetierError) as exc:
        importation.lire("engagements", "x.csv", b"foo;bar\n1;2\n")
    assert exc.value.code == "colonnes_manquantes"


def test_dry_run_lists_rows_and_rules_broken_but_writes_nothing(convention, finance):
    mad(convention, ae="100000", cp="1")
    lignes = importation.lire("engagements", "x.csv", csv_commandes(convention))
    rapport = importation.traiter("engagements", lignes, finance, appliquer=False)
    assert [ligne.ok for ligne in rapport.lignes] == [
        True,
        True,
        False,
    ]  # the third exceeds the AE left
    assert rapport.lignes[2].code == "credits_insuffisants" and rapport.lignes[2].numero == 4
    assert not Engagement.objects.exists() and not rapport.ecrit


def test_confirmation_writes_nothing_when_a_row_is_refused(convention, finance):
    mad(convention, ae="100000", cp="1")
    lignes = importation.lire("engagements", "x.csv", csv_commandes(convention))
    rapport = importation.traiter("engagements", lignes, finance, appliquer=True)
    assert not rapport.ecrit and not Engagement.objects.exists()


def test_confirmation_of_valid_rows_only_is_atomic(convention, finance):
    mad(convention, ae="100000", cp="1")
    lignes = importation.lire("engagements", "x.csv", csv_commandes(convention))
    rapport = importation.traiter(
        "engagements", lignes, finance, appliquer=True, seulement_valides=True
    )
    assert rapport.ecrit
    assert sorted(Engagement.objects.values_list("reference", flat=True)) == [
        "EJ-IMP-1",
        "EJ-IMP-2",
    ]


def test_xlsx_payments_are_matched_to_the_service_fait(convention, finance):
    mad(convention)
    eng = commande(convention, "10000", reference="EJ-XL")
    service_fait(eng, "3000")
    classeur = Workbook()
    feuille = classeur.active
    feuille.append(["Numéro EJ", "Facture", "Montant", "Date de paiement"])
    feuille.append(["EJ-XL", "FAC-1", 2000, "15/03/2024"])
    feuille.append(["EJ-XL", "FAC-2", 1500, "16/03/2024"])  # only 1 000 € left to pay
    tampon = io.BytesIO()
    classeur.save(tampon)
    lignes = importation.lire("paiements", "p.xlsx", tampon.getvalue())
    rapport = importation.traiter("paiements", lignes, finance, appliquer=True)
    assert [ligne.ok for ligne in rapport.lignes] == [True, False]
    assert rapport.lignes[1].code == "service_fait_introuvable" and not Paiement.objects.exists()


def test_import_pages_dry_run_then_confirm(client, convention, finance, agent):
    mad(convention, ae="100000", cp="1")
    client.force_login(agent)
    assert client.get("/execution/import/").status_code == 403
    client.force_login(finance)
    fichier = SimpleUploadedFile(
        "commandes.csv", csv_commandes(convention), content_type="text/csv"
    )
    response = client.post("/execution/import/", {"nature": "engagements", "fichier": fichier})
    html = response.content.decode()
    assert (
        "credits_insuffisants" in html and "sera créé" in html and not Engagement.objects.exists()
    )
    response = client.post("/execution/import/confirmer/", {"mode": "tout"})
    assert response.status_code == 200 and not Engagement.objects.exists()
    response = client.post("/execution/import/confirmer/", {"mode": "valides"})
    assert response.status_code == 302 and Engagement.objects.count() == 2
