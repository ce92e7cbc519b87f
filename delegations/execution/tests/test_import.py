"""Import of orders and payments: dry run writes nothing; confirmation is all valid rows or none."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import UserFactory
from delegations.execution import importation
from delegations.execution.models import Engagement, Paiement
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Statut, Tache

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


def _simuler(client, fichier, nature="engagements"):
    """Upload through the page; the dry run is a task: run it as the worker would."""
    response = client.post("/execution/import/", {"nature": nature, "fichier": fichier})
    assert response.status_code == 302
    tache = Tache.objects.order_by("-cree_le").first()
    assert response.url == reverse("taches:detail", args=[tache.pk])
    executer_taches_en_attente()
    tache.refresh_from_db()
    return tache


def test_import_pages_dry_run_then_confirm_through_the_task_queue(
    client, convention, finance, agent
):
    mad(convention, ae="100000", cp="1")
    client.force_login(agent)
    assert client.get("/execution/import/").status_code == 403
    client.force_login(finance)
    fichier = SimpleUploadedFile(
        "commandes.csv", csv_commandes(convention), content_type="text/csv"
    )
    simulation = _simuler(client, fichier)
    assert simulation.statut == Statut.TERMINEE
    assert "execution_import" not in client.session  # parked on the storage, not in the session
    html = client.get(reverse("execution:import_simulation", args=[simulation.pk])).content.decode()
    assert "credits_insuffisants" in html
    assert "sera créé" in html
    assert not Engagement.objects.exists()
    jeton = simulation.resultat["jeton"]
    assert f'value="{jeton}"' in html
    # All or nothing: one row is refused, so nothing is written.
    response = client.post("/execution/import/confirmer/", {"jeton": jeton, "mode": "tout"})
    executer_taches_en_attente()
    tout = Tache.objects.get(pk=response.url.split("/")[-2])
    assert tout.resultat["ecrit"] is False
    page = client.get(reverse("execution:import_resultat", args=[tout.pk]))
    assert "Rien n&#x27;a été importé" in page.content.decode()
    assert not Engagement.objects.exists()
    # The valid rows only: written once, and the parked file is gone.
    response = client.post("/execution/import/confirmer/", {"jeton": jeton, "mode": "valides"})
    executer_taches_en_attente()
    valides = Tache.objects.get(pk=response.url.split("/")[-2])
    assert client.get(reverse("execution:import_resultat", args=[valides.pk])).status_code == 302
    assert Engagement.objects.count() == 2
    response = client.post("/execution/import/confirmer/", {"jeton": jeton, "mode": "valides"})
    assert response.url == reverse("execution:importer")
    assert Engagement.objects.count() == 2


def test_another_user_cannot_confirm_or_read_someone_elses_import(client, convention, finance):
    mad(convention, ae="100000", cp="1")
    client.force_login(finance)
    fichier = SimpleUploadedFile("c.csv", csv_commandes(convention), content_type="text/csv")
    simulation = _simuler(client, fichier)
    autre = UserFactory(role="finance")
    client.force_login(autre)
    jeton = simulation.resultat["jeton"]
    assert (
        client.get(reverse("execution:import_simulation", args=[simulation.pk])).status_code == 404
    )
    response = client.post("/execution/import/confirmer/", {"jeton": jeton, "mode": "valides"})
    assert response.url == reverse("execution:importer")
    assert not Engagement.objects.exists()
    assert Tache.objects.count() == 1


@pytest.mark.parametrize(
    ("nom", "contenu"),
    [
        ("releve.csv", b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n" + bytes(range(256)) * 4),
        ("binaire.csv", bytes(range(256)) * 64),
        ("casse.xlsx", b"PK\x03\x04" + b"\x00" * 200),
        ("guillemet.csv", b'Convention;EJ\n"a;b\n' + b"x" * 200_000),
    ],
)
def test_a_file_that_is_not_a_csv_or_xlsx_is_refused_in_french(nom, contenu, settings):
    settings.IMPORT_MAX_LIGNES = 10
    with pytest.raises(RegleMetierError) as refus:
        importation.lire("engagements", nom, contenu)
    assert refus.value.code in {"fichier_illisible", "colonnes_manquantes"}
    assert refus.value.message[0].isupper()


def test_a_csv_beyond_the_row_cap_is_refused_before_any_rule_runs(convention, settings):
    settings.IMPORT_MAX_LIGNES = 100
    lignes = [f"{convention.reference};EJ-{i};01/03/2024;S;10,00;A" for i in range(101)]
    with pytest.raises(RegleMetierError, match="plus de 100 lignes") as refus:
        importation.lire("engagements", "c.csv", csv_commandes(convention, lignes))
    assert refus.value.code == "trop_de_lignes"
    assert (
        len(importation.lire("engagements", "c.csv", csv_commandes(convention, lignes[:100])))
        == 100
    )


def test_an_xlsx_that_inflates_beyond_the_cap_is_refused(settings):
    settings.IMPORT_MAX_DECOMPRESSE = 50_000
    tampon = io.BytesIO()
    with zipfile.ZipFile(tampon, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * 5_000_000)
    assert len(tampon.getvalue()) < 50_000  # small on disk, huge once inflated
    with pytest.raises(RegleMetierError, match="trop volumineux") as refus:
        importation.lire("engagements", "bombe.xlsx", tampon.getvalue())
    assert refus.value.code == "fichier_trop_gros"


def test_a_file_above_the_size_cap_is_refused_at_upload(client, finance, settings):
    settings.IMPORT_MAX_OCTETS = 1_000
    client.force_login(finance)
    fichier = SimpleUploadedFile("gros.csv", b"a;b\n" * 1_000, content_type="text/csv")
    response = client.post("/execution/import/", {"nature": "engagements", "fichier": fichier})
    assert response.status_code == 200
    assert "Le fichier dépasse" in response.content.decode()
    assert not Tache.objects.exists()


def test_parked_imports_expire_and_are_purged(convention, finance, settings):
    parc = importation.parquer(csv_commandes(convention), "engagements", "c.csv", finance)
    assert importation.retrouver(parc.jeton, finance)[0] == parc
    plus_tard = timezone.now() + dt.timedelta(hours=settings.IMPORT_DUREE_HEURES, minutes=1)
    assert importation.purger_expires(timezone.now()) == 0
    assert importation.purger_expires(plus_tard) == 1
    with pytest.raises(RegleMetierError, match="déposez de nouveau") as refus:
        importation.retrouver(parc.jeton, finance)
    assert refus.value.code == "import_expire"
    with pytest.raises(RegleMetierError):
        importation.retrouver("../../etc/passwd", finance)
