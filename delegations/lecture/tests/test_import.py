"""Importing a document into the register: review first, save only on confirmation."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from delegations.conventions.models import Convention
from delegations.core.models import Administration
from delegations.core.tests.factories import ConventionFactory, UserFactory
from delegations.lecture import importation
from delegations.lecture.models import Document
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.tests.s3 import cles, stockage_s3  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).resolve().parents[3].parent / "shared" / "corpus"

LU: dict[str, Any] = {
    "type": "convention",
    "delegant": {
        "nom": "Direction fictive des essais",
        "sigle": "DFE",
        "representant": {"nom": "Alice Exemple", "qualite": "directrice"},
    },
    "delegataire": {
        "nom": "Direction interministérielle du numérique",
        "sigle": "DINUM",
        "representant": {"nom": "Bob Exemple", "qualite": "directeur"},
    },
    "objet": "Construire un service d'essai.",
    "services": ["Service Essai"],
    "phases": ["construction"],
    "unite_operationnelle": "0215-DFES-C001",
    "programme": "215",
    "imputation": {
        "axe_ministeriel_1": "Transition  numérique",
        "axe_ministeriel_2": None,
        "domaine_fonctionnel": "0215-01-02",
        "centre_financier": "0215-DFES-C001",
        "activite": "021501020301",
        "centre_de_cout": "ESSAI00075",
    },
    "echeancier": [
        {"annee": 2025, "ae": "300000.00", "cp": "200000.00"},
        {"annee": 2026, "ae": "0.00", "cp": "100000.00"},
    ],
    "montant_total_ae": "300000.00",
    "montant_total_cp": "300000.00",
    "date_signature": "2025-02-03",
    "prise_effet": "signature",
    "date_fin": "2026-12-31",
    "duree_mois": None,
    "preavis_mois": 3,
    "compte_rendu": ["terme"],
    "conventions_precedentes": [
        {
            "type": "avenant",
            "numero": 1,
            "date": "2024-02-03",
            "texte": "l'avenant n° 1 du 3 février 2024",
        }
    ],
    "bop": "0215-DFES",
    "cofinancements": [
        {"financeur": "FDE", "montant": "80000.00", "objet": "un cofinancement de 80 k€ du FDE"}
    ],
    "annexe_rgpd": True,
    "alertes": [{"code": "montant_incoherent", "message": "« 300 000 € » contre « 350 000 € »"}],
    "sources": {
        "objet": {
            "page": 1,
            "ligne": 12,
            "extrait": "a pour objet de construire un service d'essai",
        },
        "imputation.centre_financier": {
            "page": 2,
            "ligne": 3,
            "extrait": "Centre financier 0215-DFES-C001",
            "confiance": 1.0,
        },
        "imputation.centre_de_cout": {
            "page": 2,
            "ligne": 4,
            "extrait": "Centre de coût ESSAI00075",
            "confiance": 0.5,
        },
    },
}
CONTENU = b"Convention fictive pour les tests d'import.\n"


@pytest.fixture
def lecteur(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The reader's answer is fixed here: these tests prove the import flow, not the reading."""
    lu = {k: (dict(v) if isinstance(v, dict) else v) for k, v in LU.items()}
    monkeypatch.setattr(importation, "extract_file", lambda chemin, **options: lu)
    return lu


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _deposer(client: Client, contenu: bytes = CONTENU, nom: str = "convention.txt") -> Any:
    """Upload through the page, let the worker read it, then open the review it leads to."""
    depot = client.post("/lecture/importer/", {"fichier": SimpleUploadedFile(nom, contenu)})
    if depot.status_code != 302 or not depot["Location"].startswith("/taches/"):
        return depot
    executer_taches_en_attente()
    tache = depot["Location"].split("/")[2]
    suivi = client.get(f"/taches/{tache}/progression/?rediriger=1", HTTP_HX_REQUEST="true")
    assert suivi.status_code == 200
    return client.get(suivi["HX-Redirect"])


def _lire_par_api(client: Any, nom: str, contenu: bytes) -> dict[str, Any]:
    """POST the document (202 + task URL), let the worker read it, poll the task."""
    depot = client.post(
        "/api/v1/conventions/import",
        {"fichier": SimpleUploadedFile(nom, contenu)},
        format="multipart",
    )
    assert depot.status_code == 202, depot.content
    assert depot.json()["statut"] == "en_attente"
    executer_taches_en_attente()
    tache = client.get(depot.json()["tache"])
    assert tache.status_code == 200
    assert tache.json()["statut"] == "terminee", tache.json()
    return dict(tache.json()["resultat"])


def _revue_postee(reponse: Any, **corrections: Any) -> dict[str, Any]:
    """Re-post the review form as displayed, with corrections."""
    form = reponse.context["form"]
    formset = reponse.context["formset"]
    data: dict[str, Any] = {}
    for nom, champ in form.fields.items():
        valeur = form.initial.get(nom, champ.initial)
        if valeur is None or valeur is False:
            continue
        if isinstance(valeur, list):
            data[nom] = valeur
        elif hasattr(valeur, "isoformat"):
            data[nom] = valeur.isoformat()
        else:
            data[nom] = valeur
    data.update({f"lignes-{k}": v for k, v in formset.management_form.initial.items()})
    for i, ligne in enumerate(formset.initial or []):
        for cle, valeur in ligne.items():
            data[f"lignes-{i}-{cle}"] = valeur
    data.update(corrections)
    return data


def test_nothing_is_saved_before_confirmation(finance, lecteur):
    reponse = _deposer(_client(finance))
    assert reponse.status_code == 200
    page = reponse.content.decode()
    assert "Vérifier la lecture" in page
    assert "Centre financier 0215-DFES-C001" in page  # the source excerpt beside the field
    assert "« 300 000 € » contre « 350 000 € »" in page and "montant_incoherent" not in page
    # the co-financing is a field to check, in French, with where it was read
    assert reponse.context["form"].initial["cofinancements"] == (
        "FDE ; 80\u202f000 ; un cofinancement de 80 k€ du FDE"
    )
    assert "Avenant n° 1 du 2024-02-03" in page
    assert reponse.context["form"].initial["bop"] == "0215-DFES"
    # A field read with low confidence is highlighted, the others are not.
    a_verifier = [c["field"].name for c in reponse.context["champs"] if c["a_verifier"]]
    assert a_verifier == ["centre_de_cout"]
    assert "confiance 0,50" in page
    assert not Convention.objects.exists()
    assert not Document.objects.exists()


def test_confirming_creates_the_convention_and_keeps_the_file_with_its_sha256(finance, lecteur):
    client = _client(finance)
    revue = _deposer(client)
    reponse = client.post(
        "/lecture/importer/confirmer/", _revue_postee(revue, objet="Objet corrigé à la main.")
    )
    convention = Convention.objects.get()
    assert reponse.status_code == 302
    assert convention.objet == "Objet corrigé à la main."
    assert convention.delegant.sigle == "DFE"
    assert convention.centre_financier == "0215-DFES-C001"
    assert convention.bop == "0215-DFES"
    # An axis in words keeps its spaces (normalised); the earlier documents keep their text.
    assert convention.axe_ministeriel_1 == "Transition numérique"
    assert convention.conventions_precedentes == ["l'avenant n° 1 du 3 février 2024"]
    assert convention.cofinancements == [
        {"financeur": "FDE", "montant": "80000.00", "objet": "un cofinancement de 80 k€ du FDE"}
    ]
    assert [(ligne.annee, str(ligne.ae)) for ligne in convention.echeancier.all()] == [
        (2025, "300000.00"),
        (2026, "0.00"),
    ]
    document = Document.objects.get()
    assert document.sha256 == hashlib.sha256(CONTENU).hexdigest()
    assert document.fichier.read() == CONTENU
    assert document.extraction["objet"] == LU["objet"]  # what was read, before corrections


def test_a_known_acronym_under_another_name_is_proposed_and_never_renamed(finance, lecteur):
    connue = Administration.objects.create(
        nom="Direction fictive des essais et mesures", sigle="DFE"
    )
    client = _client(finance)
    revue = _deposer(client)
    page = revue.content.decode()
    assert "Administration déjà connue sous un autre nom" in page
    assert "Direction fictive des essais et mesures" in page
    client.post("/lecture/importer/confirmer/", _revue_postee(revue))
    connue.refresh_from_db()
    assert connue.nom == "Direction fictive des essais et mesures"
    assert Convention.objects.get().delegant == connue


def test_importing_the_same_file_again_leads_to_the_existing_convention(finance, lecteur):
    client = _client(finance)
    client.post("/lecture/importer/confirmer/", _revue_postee(_deposer(client)))
    convention = Convention.objects.get()
    reponse = _deposer(client, nom="copie.txt")
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/conventions/{convention.pk}/"
    assert Convention.objects.count() == 1


def test_unreadable_file_is_refused_in_french_and_nothing_is_saved(finance):
    reponse = _deposer(_client(finance), b"\x00\x01", nom="image.png")
    assert "Format non pris en charge" in reponse.content.decode()
    assert not Convention.objects.exists()


def test_amendment_is_attached_to_the_convention_it_identifies(finance, lecteur, dinum):
    parente = ConventionFactory(
        delegant__sigle="DFE",
        delegant__nom="Direction fictive des essais",
        delegataire=dinum,
        unite_operationnelle="0215-DFES-C001",
        centre_financier="0215-DFES-C001",
    )
    lecteur.update(
        type="avenant",
        objet="Prolongation",
        date_fin="2027-06-30",
        echeancier=[{"annee": 2027, "ae": "50000.00", "cp": "50000.00"}],
    )
    client = _client(finance)
    revue = _deposer(client)
    assert revue.context["form"].initial["convention_parente"] == parente.pk
    client.post("/lecture/importer/confirmer/", _revue_postee(revue))
    avenant = parente.avenants.get()
    assert avenant.numero == 1 and avenant.date_fin.isoformat() == "2027-06-30"
    assert Document.objects.get().avenant == avenant


def test_amendment_not_identified_must_be_picked_by_the_user(finance, lecteur):
    lecteur.update(type="avenant")
    client = _client(finance)
    reponse = client.post("/lecture/importer/confirmer/", _revue_postee(_deposer(client)))
    assert "Choisissez la convention" in reponse.content.decode()
    assert not Document.objects.exists()


def test_only_finance_imports(agent, lecteur):
    assert _deposer(_client(agent)).status_code == 403


def test_document_download_follows_the_perimeter(
    finance, agent, collegue, lecteur, administration, dinum
):
    client = _client(finance)
    lecteur["delegant"] = {
        "nom": administration.nom,
        "sigle": administration.sigle,
        "representant": None,
    }
    client.post("/lecture/importer/confirmer/", _revue_postee(_deposer(client)))
    document = Document.objects.get()
    url = f"/lecture/documents/{document.pk}/"
    reponse = _client(agent).get(url)
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == CONTENU
    assert _client(collegue).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    page = _client(agent).get(f"/conventions/{document.convention_id}/sections/lecture/")
    page = page.content.decode()
    assert url in page


class TestApi:
    def test_import_reads_without_saving_then_confirm_creates(self, finance, api, lecteur):
        client = api(finance)
        corps = _lire_par_api(client, "c.txt", CONTENU)
        assert corps["objet"] == LU["objet"] and corps["sources"]
        assert not Convention.objects.exists()
        cree = client.post(
            f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
        )
        assert cree.status_code == 201, cree.content
        assert cree.json()["unite_operationnelle"] == "0215-DFES-C001"
        assert corps["bop"] == "0215-DFES" and corps["cofinancements"][0]["financeur"] == "FDE"
        assert corps["conventions_precedentes"][0]["type"] == "avenant"
        convention = Convention.objects.get()
        assert convention.bop == "0215-DFES"
        assert convention.axe_ministeriel_1 == "Transition numérique"
        assert convention.conventions_precedentes == ["l'avenant n° 1 du 3 février 2024"]
        assert Document.objects.get().convention_id == cree.json()["id"]

    def test_reimport_answers_409_with_the_existing_convention(self, finance, api, lecteur):
        client = api(finance)
        corps = _lire_par_api(client, "c.txt", CONTENU)
        cree = client.post(
            f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
        ).json()
        again = client.post(
            "/api/v1/conventions/import",
            {"fichier": SimpleUploadedFile("d.txt", CONTENU)},
            format="multipart",
        )
        assert again.status_code == 409
        assert again.json()["convention"] == cree["id"]

    def test_import_needs_finance(self, agent, api, lecteur):
        reponse = api(agent).post(
            "/api/v1/conventions/import",
            {"fichier": SimpleUploadedFile("c.txt", CONTENU)},
            format="multipart",
        )
        assert reponse.status_code == 403
        assert api().post("/api/v1/conventions/import", {}, format="multipart").status_code in (
            401,
            403,
        )

    def test_bad_document_answers_code_and_french_message(self, finance, api):
        reponse = api(finance).post(
            "/api/v1/conventions/import",
            {"fichier": SimpleUploadedFile("x.exe", b"MZ")},
            format="multipart",
        )
        assert reponse.status_code == 400
        assert reponse.json()["code"] == "document_illisible"


class TestCommande:
    def test_import_without_confirmation_saves_nothing(
        self, finance, lecteur, tmp_path, monkeypatch
    ):
        fichier = tmp_path / "c.txt"
        fichier.write_bytes(CONTENU)
        monkeypatch.setattr("sys.stdin", io.StringIO(""))
        sortie = io.StringIO()
        call_command("import", str(fichier), "--utilisateur", finance.username, stdout=sortie)
        assert "Rien n'est enregistré" in sortie.getvalue()
        assert "Centre financier 0215-DFES-C001" in sortie.getvalue()
        assert not Convention.objects.exists()

    def test_import_with_confirmation_and_correction(self, finance, lecteur, tmp_path):
        fichier = tmp_path / "c.txt"
        fichier.write_bytes(CONTENU)
        sortie = io.StringIO()
        call_command(
            "import",
            str(fichier),
            "--utilisateur",
            finance.username,
            "--oui",
            "--corriger",
            "reference=ESSAI-1",
            stdout=sortie,
        )
        assert Convention.objects.get().reference == "ESSAI-1"
        assert Document.objects.count() == 1


def test_a_corpus_convention_read_by_the_reader_can_be_imported_as_is(finance, api):
    source = CORPUS / "2024-dgefp-mission-apprentissage.md"
    if not source.exists():
        pytest.skip(f"corpus absent ({CORPUS}) : test d'import de bout en bout ignoré")
    client = api(finance)
    corps = _lire_par_api(client, source.name, source.read_bytes())
    cree = client.post(
        f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
    )
    assert cree.status_code == 201, cree.content
    assert cree.json()["echeancier"] == corps["echeancier"]


class TestStockageS3:
    """Uploads waiting for review and stored documents live in the bucket when one is set."""

    def test_import_through_the_page_parks_reads_and_keeps_the_file_in_the_bucket(
        self,
        finance,
        lecteur,
        stockage_s3,  # noqa: F811
        django_capture_on_commit_callbacks,
    ):
        client = _client(finance)
        revue = _deposer(client)
        sha = hashlib.sha256(CONTENU).hexdigest()
        assert cles(stockage_s3, "imports-en-attente/") == [
            f"imports-en-attente/{sha}.json",
            f"imports-en-attente/{sha}.txt",
        ]
        with django_capture_on_commit_callbacks(execute=True):
            reponse = client.post("/lecture/importer/confirmer/", _revue_postee(revue))
        assert reponse.status_code == 302
        document = Document.objects.get()
        assert cles(stockage_s3, "documents/") == [f"documents/{sha[:2]}/{sha}.txt"]
        assert cles(stockage_s3, "imports-en-attente/") == []  # cleaned after commit
        telecharge = client.get(f"/lecture/documents/{document.pk}/")
        assert b"".join(telecharge.streaming_content) == CONTENU

    def test_import_through_the_api_reads_from_the_bucket(
        self,
        finance,
        api,
        lecteur,
        stockage_s3,  # noqa: F811
    ):
        client = api(finance)
        corps = _lire_par_api(client, "c.txt", CONTENU)
        cree = client.post(
            f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
        )
        assert cree.status_code == 201, cree.content
        assert Document.objects.get().fichier.read() == CONTENU


class TestLectureEnTache:
    """The page and the API answer at once; the reading runs in a task."""

    def test_the_same_file_posted_twice_while_it_is_read_is_one_task(self, finance, lecteur):
        client = _client(finance)
        premier = client.post(
            "/lecture/importer/", {"fichier": SimpleUploadedFile("c.txt", CONTENU)}
        )
        second = client.post(
            "/lecture/importer/", {"fichier": SimpleUploadedFile("c.txt", CONTENU)}
        )
        assert premier.status_code == 302
        assert second["Location"] == premier["Location"]
        assert executer_taches_en_attente() == 1

    def test_an_unreadable_pdf_ends_the_task_with_the_readers_french_message(self, finance, api):
        client = api(finance)
        depot = client.post(
            "/api/v1/conventions/import",
            {"fichier": SimpleUploadedFile("abime.pdf", b"%PDF-1.4 ceci n'est pas un PDF")},
            format="multipart",
        )
        assert depot.status_code == 202
        assert depot["Location"] == depot.json()["tache"]
        executer_taches_en_attente()
        tache = client.get(depot.json()["tache"]).json()
        assert tache["statut"] == "echec"
        assert tache["erreur"].startswith("PDF illisible ou corrompu")
        assert tache["resultat"] is None
        assert not Convention.objects.exists()

    def test_another_finance_agent_cannot_open_someone_elses_review(self, finance, lecteur):
        client = _client(finance)
        depot = client.post("/lecture/importer/", {"fichier": SimpleUploadedFile("c.txt", CONTENU)})
        executer_taches_en_attente()
        tache = depot["Location"].split("/")[2]
        assert client.get(f"/lecture/importer/{tache}/revue/").status_code == 200
        autre = UserFactory(role="finance")
        assert _client(autre).get(f"/lecture/importer/{tache}/revue/").status_code == 404


class TestFichiersSurs:
    """The audit's payloads: the client never names a stored file nor chooses its type."""

    def test_a_file_name_sent_by_the_client_never_names_the_stored_file_nor_its_type(
        self, finance, api, lecteur, administration
    ):
        lecteur["delegant"] = {"nom": administration.nom, "sigle": administration.sigle}
        client = api(finance)
        piege = b"<script>alert(document.cookie)</script>\n"
        corps = _lire_par_api(client, "avenant.txt", piege)
        corps["nom_fichier"] = "a.pdf/../../../../tmp/avenant.html"
        cree = client.post(
            f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
        )
        assert cree.status_code == 201, cree.content
        document = Document.objects.get()
        assert document.fichier.name.endswith(f"/{document.sha256}.txt")
        assert ".." not in document.fichier.name
        assert document.nom_original == "avenant.html.txt"
        reponse = _client(finance).get(f"/lecture/documents/{document.pk}/")
        assert reponse["Content-Type"] == "text/plain"
        assert reponse["Content-Disposition"].startswith("attachment;")
        assert reponse["X-Content-Type-Options"] == "nosniff"

    def test_public_documents_are_pdfs_only(self, finance, api, lecteur, administration):
        from delegations.conventions.ecriture import appliquer_transition

        lecteur["delegant"] = {"nom": administration.nom, "sigle": administration.sigle}
        client = api(finance)
        corps = _lire_par_api(client, "avenant.txt", b"<script>alert(1)</script>\n")
        cree = client.post(
            f"/api/v1/conventions/import/{corps['import']}/confirmer", corps, format="json"
        )
        convention = Convention.objects.get(pk=cree.json()["id"])
        appliquer_transition(convention, "signer", finance)
        appliquer_transition(
            convention, "publier", finance, date_publication=convention.date_signature
        )
        document = Document.objects.get()
        assert Client().get(f"/conventions-publiques/documents/{document.pk}/").status_code == 404

    @pytest.mark.parametrize(
        ("nom", "contenu"),
        [
            ("convention.pdf", b"<html><script>alert(1)</script></html>"),
            ("convention.docx", b"%PDF-1.7 not a word file"),
            ("convention.txt", b"%PDF-1.7\n" + bytes(range(256))),
            ("image.svg", b"<svg xmlns='http://www.w3.org/2000/svg'><script>1</script></svg>"),
        ],
    )
    def test_a_content_that_does_not_match_its_format_is_refused_in_french(
        self, finance, nom, contenu
    ):
        reponse = _deposer(_client(finance), contenu, nom)
        assert reponse.status_code == 200
        page = reponse.content.decode()
        assert ("ne correspond pas" in page) != ("Format non pris en charge" in page)
        assert not Document.objects.exists()


def test_a_single_total_convention_gets_a_schedule_line_proposed_for_confirmation(finance, lecteur):
    lecteur.update(
        echeancier=[], montant_total_ae="450000.00", montant_total_cp="450000.00", alertes=[]
    )
    client = _client(finance)
    revue = _deposer(client)
    assert revue.context["formset"].initial == [
        {
            "annee": 2025,
            "ae": importation.Decimal("450000.00"),
            "cp": importation.Decimal("450000.00"),
        }
    ]
    assert "Échéancier proposé, à confirmer" in revue.content.decode()
    refus = client.post("/lecture/importer/confirmer/", _revue_postee(revue))
    assert "confirmez la ligne d&#x27;échéancier proposée pour 2025" in refus.content.decode()
    assert not Convention.objects.exists()
    client.post("/lecture/importer/confirmer/", _revue_postee(revue, confirmer_ligne_proposee="on"))
    convention = Convention.objects.get()
    assert [(ligne.annee, ligne.ae) for ligne in convention.echeancier.all()] == [
        (2025, importation.Decimal("450000.00"))
    ]


def test_the_proposed_line_takes_the_publication_year_when_the_convention_takes_effect_then():
    lu = {
        "type": "convention",
        "echeancier": [],
        "montant_total_ae": "90000",
        "montant_total_cp": None,
        "date_signature": "2025-12-15",
        "prise_effet": "publication",
        "date_publication": "2026-01-20",
    }
    assert importation.ligne_proposee(lu) == {
        "annee": 2026,
        "ae": importation.Decimal("90000"),
        "cp": importation.Decimal("90000"),
    }
    assert importation.ligne_proposee({**lu, "echeancier": [{"annee": 2026}]}) is None
    assert importation.ligne_proposee({**lu, "montant_total_ae": None}) is None


def test_a_co_financing_corrected_in_the_review_is_stored_as_corrected(finance, lecteur):
    client = _client(finance)
    revue = _deposer(client)
    donnees = _revue_postee(revue, cofinancements="DINUM ; 50 000,00 ; FAST\nFDE ; 1 000,50")
    assert client.post("/lecture/importer/confirmer/", donnees).status_code == 302
    assert Convention.objects.get().cofinancements == [
        {"financeur": "DINUM", "montant": "50000.00", "objet": "FAST"},
        {"financeur": "FDE", "montant": "1000.50", "objet": ""},
    ]


def test_a_badly_written_co_financing_is_refused_in_french_and_nothing_is_saved(finance, lecteur):
    client = _client(finance)
    revue = _deposer(client)
    reponse = client.post(
        "/lecture/importer/confirmer/", _revue_postee(revue, cofinancements="DINUM 50000")
    )
    assert reponse.status_code == 200
    assert "financeur ; montant ; objet" in reponse.content.decode()
    assert not Convention.objects.exists()
