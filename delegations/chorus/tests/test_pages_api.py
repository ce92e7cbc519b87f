"""Pages and API: finance runs and settles, the délégant sees their conventions only (three
personas), settling goes through the journal's rules, exports are injection-safe, the monthly
report carries the "écart CHORUS" line, the list page runs a fixed number of queries."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from delegations.chorus import exports, services
from delegations.chorus.models import Ecart, NatureEcart, Rapprochement, StatutEcart
from delegations.chorus.taches import DOSSIER_PARC
from delegations.chorus.tests import generateur as g
from delegations.core.errors import RegleMetierError
from delegations.core.models import ActionLog
from delegations.core.tests.factories import UserFactory
from delegations.execution.models import Engagement, Paiement, Reduction
from delegations.rapports.donnees import construire
from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.models import Statut, Tache

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def monde() -> g.Monde:
    return g.construire_monde(commandes_par_convention=30)


def _fichiers(monde: g.Monde) -> list[tuple[str, bytes]]:
    return [
        ("jp51.csv", g.csv_journal(monde.lignes_51, g.entetes(g.ENTETES_51))),
        ("jp57.csv", g.csv_journal(monde.lignes_57, g.entetes(g.ENTETES_57))),
    ]


@pytest.fixture
def rapprochement(monde, finance) -> Rapprochement:
    return Rapprochement.objects.get(pk=services.lancer_rapprochement(_fichiers(monde), finance.pk))


@pytest.fixture
def agent_du_delegant(monde):
    user = UserFactory(role="delegant")
    user.administrations.add(monde.conventions["A"].delegant)
    return user


def _upload(monde):
    return [SimpleUploadedFile(nom, contenu) for nom, contenu in _fichiers(monde)]


def test_finance_runs_a_reconciliation_from_the_page_through_the_queue_and_it_is_kept(
    client, monde, finance, django_capture_on_commit_callbacks
):
    client.force_login(finance)
    reponse = client.post("/chorus/nouveau/", {"fichiers": _upload(monde)})
    tache = Tache.objects.get()
    # the page answers at once with the task's progress; nothing is read yet
    assert reponse.status_code == 302
    assert reponse["Location"] == f"/taches/{tache.pk}/"
    assert not Rapprochement.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert executer_taches_en_attente() == 1
    tache.refresh_from_db()
    assert tache.statut == Statut.TERMINEE
    r = Rapprochement.objects.get()
    fin = client.get(f"/chorus/traitement/{tache.pk}/")
    assert fin["Location"] == f"/chorus/{r.pk}/"
    # the parked journals are gone once the reconciliation is kept
    assert default_storage.listdir(DOSSIER_PARC)[1] == []
    assert r.created_by == finance
    assert len(r.sha256) == 64
    assert r.nb_ecarts == len(monde.attendus)
    page = client.get(f"/chorus/{r.pk}/")
    assert page.status_code == 200
    assert "Numéro de pièce de la pièce de référence" in page.content.decode()


def test_a_bad_file_ends_the_task_in_french_and_nothing_is_kept(client, finance):
    client.force_login(finance)
    reponse = client.post(
        "/chorus/nouveau/", {"fichiers": [SimpleUploadedFile("x.csv", b"a;b\n1;2\n")]}
    )
    assert reponse.status_code == 302
    executer_taches_en_attente()
    tache = Tache.objects.get()
    assert tache.statut == Statut.ECHEC
    assert "pas un journal CHORUS reconnu" in tache.erreur
    assert not Rapprochement.objects.exists()
    page = client.get(f"/taches/{tache.pk}/")
    assert "pas un journal CHORUS reconnu" in page.content.decode()


def test_a_journal_over_the_size_cap_is_refused_at_upload(client, finance, monkeypatch):
    from delegations.chorus import taches

    monkeypatch.setattr(taches, "MAX_OCTETS", 10)
    client.force_login(finance)
    reponse = client.post(
        "/chorus/nouveau/", {"fichiers": [SimpleUploadedFile("x.csv", b"a;b\n1;2\n3;4\n")]}
    )
    assert reponse.status_code == 200
    assert "dépasse" in reponse.content.decode()
    assert not Tache.objects.exists()


def test_delegant_and_colleague_cannot_run_a_reconciliation(
    client, monde, agent_du_delegant, collegue, api
):
    client.force_login(agent_du_delegant)
    assert client.post("/chorus/nouveau/", {"fichiers": _upload(monde)}).status_code == 403
    reponse = api(collegue).post("/api/v1/rapprochements", {"fichiers": _upload(monde)})
    assert reponse.status_code == 403
    assert not Rapprochement.objects.exists()


def test_delegant_sees_their_conventions_only(
    client, monde, rapprochement, agent_du_delegant, collegue, api
):
    # allowed: the délégant of the three conventions sees them
    donnees = api(agent_du_delegant).get(f"/api/v1/rapprochements/{rapprochement.pk}").json()
    assert {b["convention"]["id"] for b in donnees["conventions"]} == {
        c.pk for c in monde.conventions.values()
    }
    assert "lignes_non_rattachees" not in donnees  # lines of no convention: finance only
    # colleague of another administration: 404 on page and API, empty list
    assert api(collegue).get(f"/api/v1/rapprochements/{rapprochement.pk}").status_code == 404
    assert api(collegue).get("/api/v1/rapprochements").json()["count"] == 0
    client.force_login(collegue)
    assert client.get(f"/chorus/{rapprochement.pk}/").status_code == 404
    assert client.get(f"/chorus/{rapprochement.pk}/export.csv").status_code == 404
    ecart = rapprochement.ecarts.first()
    assert api(collegue).get(f"/api/v1/ecarts-chorus/{ecart.pk}").status_code == 404
    # outsider: not authenticated
    assert api().get(f"/api/v1/rapprochements/{rapprochement.pk}").status_code in (401, 403)
    client.logout()
    assert client.get("/chorus/").status_code == 302


def test_delegant_of_one_convention_sees_that_part_only(monde, rapprochement, api):
    from delegations.core.tests.factories import AdministrationFactory

    autre = AdministrationFactory()
    c = monde.conventions["C"]
    c.delegant = autre
    c.save()
    user = UserFactory(role="delegant")
    user.administrations.add(autre)
    donnees = api(user).get(f"/api/v1/rapprochements/{rapprochement.pk}").json()
    assert {b["convention"]["id"] for b in donnees["conventions"]} == {c.pk}
    assert {e["convention"] for b in donnees["conventions"] for e in b["ecarts"]} == {c.pk}


def test_api_post_queues_the_task_whose_result_is_the_reconciliation(monde, finance, api):
    client = api(finance)
    reponse = client.post(
        "/api/v1/rapprochements", {"fichiers": _upload(monde)}, format="multipart"
    )
    assert reponse.status_code == 202
    assert reponse.json()["statut"] == "en_attente"
    executer_taches_en_attente()
    suivi = client.get(reponse.json()["tache"]).json()
    assert suivi["statut"] == "terminee"
    donnees = client.get(f"/api/v1/rapprochements/{suivi['resultat']['rapprochement']}").json()
    assert donnees["nb_ecarts"] == len(monde.attendus)
    bloc = donnees["conventions"][0]
    assert set(bloc) == {"convention", "annee", "totaux", "rapprochees", "ecarts"}
    assert set(bloc["totaux"]) == {
        "ae_chorus", "ae_registre", "ecart_ae", "cp_chorus", "cp_registre", "ecart_cp"
    }  # fmt: skip


def test_api_a_bad_file_ends_its_task_with_a_french_message(finance, api):
    client = api(finance)
    reponse = client.post(
        "/api/v1/rapprochements",
        {"fichiers": [SimpleUploadedFile("x.csv", b"a;b\n")]},
        format="multipart",
    )
    assert reponse.status_code == 202
    executer_taches_en_attente()
    suivi = client.get(reponse.json()["tache"]).json()
    assert suivi["statut"] == "echec"
    assert "pas un journal CHORUS reconnu" in suivi["erreur"]
    assert not Rapprochement.objects.exists()


def _ecart(r: Rapprochement, nature: str) -> Ecart:
    return r.ecarts.get(nature=nature)


def test_recording_the_missing_order_goes_through_the_write_path(
    client, monde, rapprochement, finance
):
    from delegations.execution.tests.factories import mad

    c = monde.conventions["C"]
    mad(c, annee=2025, ae="9000000", cp="9000000")
    ecart = _ecart(rapprochement, NatureEcart.EJ_INCONNU)
    client.force_login(finance)
    page = client.get(f"/chorus/ecarts/{ecart.pk}/regulariser/")
    assert 'value="7 000,00"' in page.content.decode()  # the amount proposed, in French
    reponse = client.post(
        f"/chorus/ecarts/{ecart.pk}/regulariser/",
        {
            "montant": "7000.00",
            "date": "2025-03-03",
            "reference": "1300999999",
            "objet": "x",
            "confirmation": "on",
        },
    )
    assert reponse.status_code == 302
    commande = Engagement.objects.get(reference="1300999999")
    assert (commande.numero_ej, commande.montant, commande.convention_id) == (
        "1300999999",
        D("7000.00"),
        c.pk,
    )
    ecart.refresh_from_db()
    assert ecart.statut == StatutEcart.REGULARISE
    assert ecart.mouvement == f"engagement:{commande.pk}"
    assert ActionLog.objects.filter(action="ecart_regularise").count() == 1


def test_a_refused_movement_leaves_the_difference_open(client, monde, rapprochement, finance):
    # no credits made available for 2025 on C: the order is refused by the journal's caps
    ecart = _ecart(rapprochement, NatureEcart.EJ_INCONNU)
    client.force_login(finance)
    reponse = client.post(
        f"/chorus/ecarts/{ecart.pk}/regulariser/",
        {
            "montant": "7000.00",
            "date": "2025-03-03",
            "reference": "1300999999",
            "confirmation": "on",
        },
    )
    assert reponse.status_code == 200
    assert "Crédits insuffisants" in reponse.content.decode()
    ecart.refresh_from_db()
    assert ecart.statut == StatutEcart.OUVERT
    assert not Engagement.objects.filter(reference="1300999999").exists()


def test_recording_the_reduction_and_the_payment(monde, rapprochement, finance):
    from delegations.chorus import actions

    reduction = (
        _ecart(rapprochement, NatureEcart.MONTANT)
        if False
        else rapprochement.ecarts.get(
            nature=NatureEcart.MONTANT, proposition__mouvement="reduction"
        )
    )
    actions.regulariser(
        reduction,
        finance,
        {"montant": D("500.00"), "date": dt.date(2025, 12, 1), "reference": "R", "motif": "CHORUS"},
    )
    assert Reduction.objects.filter(
        engagement=monde.reperes["montant"], montant=D("500.00")
    ).exists()
    paiement = _ecart(rapprochement, NatureEcart.PAIEMENT_ABSENT)
    avant = Paiement.objects.count()
    with pytest.raises(RegleMetierError, match="Aucun service fait"):
        actions.regulariser(
            paiement,
            finance,
            {"montant": D("1234.00"), "date": dt.date(2025, 11, 20), "reference": "F"},
        )
    assert Paiement.objects.count() == avant


def test_explaining_needs_a_comment_and_finance(
    monde, rapprochement, finance, agent_du_delegant, api
):
    ecart = _ecart(rapprochement, NatureEcart.TITULAIRE)
    assert (
        api(agent_du_delegant)
        .post(f"/api/v1/ecarts-chorus/{ecart.pk}/expliquer", {"commentaire": "x"}, format="json")
        .status_code
        == 403
    )
    vide = api(finance).post(
        f"/api/v1/ecarts-chorus/{ecart.pk}/expliquer", {"commentaire": " "}, format="json"
    )
    assert vide.status_code == 400
    assert vide.json()["code"] == "commentaire_requis"
    ok = api(finance).post(
        f"/api/v1/ecarts-chorus/{ecart.pk}/expliquer",
        {"commentaire": "Changement de raison sociale"},
        format="json",
    )
    assert ok.status_code == 200
    assert ok.json()["statut"] == "explique"
    again = api(finance).post(
        f"/api/v1/ecarts-chorus/{ecart.pk}/expliquer", {"commentaire": "x"}, format="json"
    )
    assert again.json()["code"] == "ecart_traite"


def test_comparison_with_the_previous_reconciliation(monde, rapprochement, finance, api):
    # the second run: the unknown EJ's line is gone from CHORUS
    monde.lignes_51 = [x for x in monde.lignes_51 if x["ej"] != "1300999999"]
    second = services.lancer_rapprochement(_fichiers(monde), finance.pk)
    donnees = api(finance).get(f"/api/v1/rapprochements/{second}/comparaison").json()
    assert donnees["precedent"] == rapprochement.pk
    assert [e["nature"] for e in donnees["disparus"]] == ["ej_inconnu"]
    assert donnees["nouveaux"] == []
    assert len(donnees["persistants"]) == len(monde.attendus) - 1


def test_exports_write_formula_like_text_as_text(monde, finance):
    monde.lignes_51.append(
        {
            **monde.lignes_51[0],
            "ej": '=HYPERLINK("http://x")',
            "cf": g.IMPUTATIONS["C"][0],
            "type": "100",
            "libelle_type": "Original",
        }
    )
    r = Rapprochement.objects.get(pk=services.lancer_rapprochement(_fichiers(monde), finance.pk))
    donnees = services.representation(r, finance)
    classeur = load_workbook(io.BytesIO(exports.xlsx(donnees)))
    cellules = [
        c
        for ligne in classeur["Écarts"].iter_rows()
        for c in ligne
        if isinstance(c.value, str) and c.value.startswith("=")
    ]
    assert cellules
    assert all(c.data_type == "s" for c in cellules)
    texte = exports.csv_(donnees).decode("utf-8-sig")
    lignes = list(csv.reader(io.StringIO(texte), delimiter=";"))
    assert any(cell.startswith("'=HYPERLINK") for ligne in lignes for cell in ligne)
    assert not any(cell.startswith(("=", "+", "@")) for ligne in lignes for cell in ligne)
    assert exports.ods(donnees)[:2] == b"PK"


def test_monthly_report_carries_the_chorus_gap(monde, rapprochement):
    a = monde.conventions["A"]
    rapport = construire(a, "mensuel", dt.date.today().replace(day=1))
    [ligne] = rapport.complements
    assert ligne["libelle"] == "Écart CHORUS"
    rapport_2025 = construire(a, "mensuel", dt.date(2025, 12, 1))
    assert "aucun rapprochement" in rapport_2025.complements[0]["valeur"]


def test_list_page_runs_a_fixed_number_of_queries(client, monde, finance):
    client.force_login(finance)
    services.lancer_rapprochement(_fichiers(monde), finance.pk)
    with CaptureQueriesContext(connection) as une:
        assert client.get("/chorus/").status_code == 200
    for _ in range(4):
        services.lancer_rapprochement(_fichiers(monde)[:1], finance.pk)
    with CaptureQueriesContext(connection) as cinq:
        assert client.get("/chorus/").status_code == 200
    assert len(cinq) == len(une)


def test_command_prints_the_table_and_json(monde, tmp_path, capsys):
    chemins = []
    for nom, contenu in _fichiers(monde):
        chemin = tmp_path / nom
        chemin.write_bytes(contenu)
        chemins.append(str(chemin))
    call_command("chorus", *chemins, "--uo", g.IMPUTATIONS["C"][0])
    sortie = capsys.readouterr().out
    assert "CHORUS-TEST-C" in sortie
    assert "colonnes reconnues" in sortie
    call_command("chorus", *chemins, "--format", "json")
    import json

    donnees = json.loads(capsys.readouterr().out)
    assert donnees["nb_ecarts"] == len(monde.attendus)
    assert not Rapprochement.objects.exists()


def test_chorus_references_are_set_by_patch_only_never_amounts(
    monde, finance, agent_du_delegant, api
):
    commande = monde.commandes[0]
    paiement = monde.paiements[0]
    assert (
        api(finance)
        .patch(f"/api/v1/engagements/{commande.pk}", {"montant": "1"}, format="json")
        .status_code
        == 400
    )
    assert (
        api(agent_du_delegant)
        .patch(f"/api/v1/engagements/{commande.pk}", {"numero_ej": "1"}, format="json")
        .status_code
        == 403
    )
    ok = api(finance).patch(
        f"/api/v1/engagements/{commande.pk}", {"numero_ej": "1399999999"}, format="json"
    )
    assert ok.status_code == 200
    assert ok.json()["numero_ej"] == "1399999999"
    ok = api(finance).patch(
        f"/api/v1/paiements/{paiement.pk}", {"numero_piece": "9199999999"}, format="json"
    )
    assert ok.json()["numero_piece"] == "9199999999"
    commande.refresh_from_db()
    assert commande.numero_ej == "1399999999"
    assert ActionLog.objects.filter(action="numero_ej_defini", object_id=commande.pk).count() == 1
    bad = api(finance).patch(
        f"/api/v1/engagements/{commande.pk}", {"numero_ej": "<script>"}, format="json"
    )
    assert bad.json()["code"] == "numero_invalide"


def test_the_reference_page_sets_the_ej_number(client, monde, finance):
    commande = monde.commandes[1]
    client.force_login(finance)
    reponse = client.post(
        f"/execution/engagement/{commande.pk}/reference-chorus/", {"numero": "1311111111"}
    )
    assert reponse.status_code == 302
    commande.refresh_from_db()
    assert commande.numero_ej == "1311111111"


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_on_postgresql_the_trigger_lets_the_reference_alone_change(monde):
    from django.db import IntegrityError, transaction

    commande = monde.commandes[2]
    with connection.cursor() as cur:
        cur.execute(
            "UPDATE execution_engagement SET numero_ej = %s WHERE id = %s", ["1", commande.pk]
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            cur.execute("UPDATE execution_engagement SET montant = 1 WHERE id = %s", [commande.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            cur.execute(
                "UPDATE execution_paiement SET numero_piece = 'x', montant = 1 WHERE id = %s",
                [monde.paiements[0].pk],
            )
