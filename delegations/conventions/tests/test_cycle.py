"""A convention's life through the API, as on the pages: transitions, notice, amendments that
take effect only once signed (or published), changes of a signed convention only by amendment."""

from __future__ import annotations

import datetime as dt
import importlib
from decimal import Decimal as D

import pytest
from django.apps import apps as django_apps
from django.urls import reverse

from delegations.conventions import ecriture
from delegations.conventions.models import Avenant, Convention, PriseEffet, Statut
from delegations.conventions.tests.test_api import EXTRAIT
from delegations.core.errors import RegleMetierError
from delegations.core.models import ActionLog
from delegations.core.tests.factories import ConventionFactory, ProduitFactory, UserFactory
from delegations.execution import mouvements as execution
from delegations.execution import soldes
from delegations.opendata.donnees import lignes_avenants

pytestmark = pytest.mark.django_db


def _url(convention: Convention, action: str) -> str:
    return f"/api/v1/conventions/{convention.pk}/{action}/"


def _actions(convention: Convention) -> list[str]:
    return list(
        ActionLog.objects.filter(object_id=convention.pk)
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- transitions through the API ----------------------------------------------------------------


def test_the_api_runs_the_whole_status_life_and_logs_each_step(finance, api, administration, dinum):
    client = api(finance)
    conv = ConventionFactory(
        delegant=administration, delegataire=dinum, statut=Statut.BROUILLON, date_signature=None
    )
    etapes = [
        ("signer", {"date_signature": "2024-01-15"}, "signee"),
        ("publier", {"date_publication": "2024-02-01"}, "publiee"),
        ("suspendre", {"motif": "Audit en cours"}, "suspendue"),
        ("reprendre", {"motif": "Audit levé"}, "publiee"),
        (
            "resilier",
            {"date_preavis": "2025-03-01", "partie": "delegataire", "motif": "Fin du besoin"},
            "resiliee",
        ),
        ("terminer", {}, "terminee"),
    ]
    for action, corps, statut in etapes:
        reponse = client.post(_url(conv, action), corps, format="json")
        assert reponse.status_code == 200, (action, reponse.content)
        assert reponse.json()["statut"] == statut
    data = reponse.json()
    assert data["date_signature"] == "2024-01-15"
    assert data["date_publication"] == "2024-02-01"
    assert data["date_preavis"] == "2025-03-01"
    assert data["partie_preavis"] == "delegataire"
    actions = _actions(conv)
    assert actions[-6:] == ["signer", "publier", "suspendre", "reprendre", "resilier", "terminer"]
    suspension = ActionLog.objects.get(object_id=conv.pk, action="suspendre")
    assert suspension.changes["motif"] == "Audit en cours"


def test_a_transition_the_status_forbids_answers_409_with_a_code(convention, finance, api):
    reponse = api(finance).post(_url(convention, "reprendre"), {}, format="json")
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "transition_refusee"
    assert "Signée" in reponse.json()["message"]


def test_signing_a_draft_without_a_date_of_signature_answers_409(finance, api, convention):
    convention.statut, convention.date_signature = Statut.BROUILLON, None
    convention.save()
    reponse = api(finance).post(_url(convention, "signer"), {}, format="json")
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "date_signature_manquante"


@pytest.mark.parametrize(
    ("action", "corps", "champ"),
    [
        ("publier", {}, "date_publication"),
        ("publier", {"date_publication": "pas une date"}, "date_publication"),
        ("resilier", {"date_preavis": "2025-03-01"}, "partie"),
        ("resilier", {"date_preavis": "2025-03-01", "partie": "cbcm"}, "partie"),
        ("resilier", {"partie": "delegant"}, "date_preavis"),
    ],
)
def test_malformed_transition_input_answers_400_with_the_field(
    convention, finance, api, action, corps, champ
):
    reponse = api(finance).post(_url(convention, action), corps, format="json")
    assert reponse.status_code == 400
    assert champ in reponse.json()
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE


def test_publication_before_the_stored_signature_is_refused_409(convention, finance, api):
    reponse = api(finance).post(
        _url(convention, "publier"), {"date_publication": "2023-12-31"}, format="json"
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "date_publication_invalide"


def test_notice_before_the_stored_signature_is_refused_409(convention, finance, api):
    reponse = api(finance).post(
        _url(convention, "resilier"),
        {"date_preavis": "0284-12-11", "partie": "delegataire"},
        format="json",
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "date_preavis_invalide"


def test_notice_records_the_party_that_gave_it_and_the_page_shows_it(
    convention, finance, api, client
):
    reponse = api(finance).post(
        _url(convention, "resilier"),
        {"date_preavis": "2025-11-30", "partie": "delegant"},
        format="json",
    )
    assert reponse.status_code == 200
    assert reponse.json()["date_fin_effective"] == "2026-02-28"
    convention.refresh_from_db()
    assert convention.partie_preavis == "delegant"
    client.force_login(finance)
    page = client.get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    assert "par le délégant" in page


def test_notice_without_its_party_is_refused_by_the_write_path(convention, finance):
    with pytest.raises(RegleMetierError) as err:
        ecriture.appliquer_transition(
            convention, "resilier", finance, date_preavis=dt.date(2025, 3, 1)
        )
    assert err.value.code == "partie_preavis_manquante"


def test_transitions_three_personas_finance_writes_delegant_and_intrapreneur_cannot(
    convention, finance, agent, api
):
    intrapreneur = UserFactory(role="intrapreneur")
    convention.produits.add(ProduitFactory(intrapreneur_email=intrapreneur.email))
    for lecteur in (agent, intrapreneur):
        assert api(lecteur).get(f"/api/v1/conventions/{convention.pk}").status_code == 200
        assert (
            api(lecteur).post(_url(convention, "suspendre"), {}, format="json").status_code == 403
        )
    assert api(finance).post(_url(convention, "suspendre"), {}, format="json").status_code == 200
    convention.refresh_from_db()
    assert convention.statut == Statut.SUSPENDUE


def test_transitions_outside_the_perimeter_answer_404_to_a_writer_of_no_convention(
    convention, collegue, api
):
    # A reader outside the perimeter is refused before the convention is even looked up (403);
    # reading answers 404 as everywhere.
    assert api(collegue).get(f"/api/v1/conventions/{convention.pk}").status_code == 404
    assert api(collegue).post(_url(convention, "terminer"), {}, format="json").status_code == 403


def test_transitions_and_avenant_actions_are_documented_with_their_refusals(db, api):
    chemins = api().get("/api/v1/openapi.json").json()["paths"]
    for action in ("signer", "publier", "suspendre", "reprendre", "resilier", "terminer"):
        operation = chemins[f"/api/v1/conventions/{{id}}/{action}/"]["post"]
        assert {"200", "400", "409"} <= set(operation["responses"]), action
    for action in ("signer", "publier"):
        operation = chemins[f"/api/v1/conventions/{{id}}/avenants/{{numero}}/{action}/"]["post"]
        assert {"200", "400", "409"} <= set(operation["responses"]), action
    resilier = chemins["/api/v1/conventions/{id}/resilier/"]["post"]
    assert "requestBody" in resilier


# --- a signed convention changes only by amendment ----------------------------------------------


@pytest.mark.parametrize(
    "corps",
    [
        {"objet": "Autre objet"},
        {"phases": ["investigation"]},
        {"compte_rendu": ["mensuel"]},
        {"unite_operationnelle": "0129-ABCD-C001"},
        {"reference": "AUTRE-REF"},
        {"annexe_rgpd": True},
    ],
)
def test_contractual_fields_of_a_signed_convention_are_refused_modification_par_avenant(
    convention, finance, api, corps
):
    reponse = api(finance).patch(f"/api/v1/conventions/{convention.pk}", corps, format="json")
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "modification_par_avenant"


def test_representatives_names_and_products_stay_correctable_and_logged(convention, finance):
    produit = ProduitFactory()
    conv = ecriture.enregistrer_convention(
        {"delegataire_representant_nom": "Bob Martin"}, finance, convention, produits=[produit]
    )
    assert conv.delegataire_representant_nom == "Bob Martin"
    assert list(conv.produits.all()) == [produit]
    log = ActionLog.objects.filter(object_id=conv.pk, action="modification").get()
    assert set(log.changes) == {"delegataire_representant_nom", "produits"}


def test_draft_convention_stays_editable_in_every_field(convention, finance):
    convention.statut = Statut.BROUILLON
    convention.save()
    conv = ecriture.enregistrer_convention(
        {"objet": "Objet revu", "phases": ["investigation"]}, finance, convention
    )
    assert (conv.objet, conv.phases) == ("Objet revu", ["investigation"])


# --- amendments: draft, signed, published; effect ------------------------------------------------


def _brouillon(convention: Convention, finance, **kw) -> Avenant:
    valeurs = {
        "objet": "Abondement et prolongation",
        "date_signature": None,
        "date_fin": dt.date(2027, 6, 30),
        "lignes": [(2024, D("150000"), D("80000"))],
    }
    valeurs.update(kw)
    return ecriture.creer_avenant(convention, finance, **valeurs)


def _relue(convention: Convention) -> Convention:
    return Convention.objects.prefetch_related("echeancier", "avenants__lignes").get(
        pk=convention.pk
    )


def test_draft_amendment_changes_no_cap_no_end_date_and_nothing_public(convention, finance):
    _brouillon(convention, finance)
    conv = _relue(convention)
    assert conv.date_fin_consolidee == dt.date(2026, 12, 31)
    assert conv.totaux_consolides[0] == D("400000.00")
    assert lignes_avenants(conv, {"identifiant": "x"}) == []
    etat = soldes.etat(conv.pk, 2024)
    assert etat.ae_prevu == D("100000.00")
    assert etat.convention.date_fin_consolidee == dt.date(2026, 12, 31)
    assert Avenant.objects.en_vigueur().count() == 0


def test_draft_amendment_does_not_raise_the_cap_of_availability_until_signed(convention, finance):
    avenant = _brouillon(convention, finance)
    with pytest.raises(RegleMetierError) as err:
        execution.mettre_a_disposition(
            convention,
            annee=2024,
            ae=D("150000"),
            cp=D("0"),
            date=dt.date(2024, 6, 1),
            reference="M1",
        )
    assert err.value.code == "mise_a_disposition_depasse_echeancier"
    ecriture.signer_avenant(avenant, finance, dt.date(2024, 5, 2))
    mise = execution.mettre_a_disposition(
        convention, annee=2024, ae=D("150000"), cp=D("0"), date=dt.date(2024, 6, 1), reference="M2"
    )
    assert mise.ae == D("150000")


def test_draft_amendment_does_not_extend_the_period_of_an_order(convention, finance):
    avenant = _brouillon(convention, finance, lignes=[], date_fin=dt.date(2027, 6, 30))
    with pytest.raises(RegleMetierError) as err:
        execution.engager(
            convention, montant=D("1"), reference="C1", date=dt.date(2027, 3, 1), annee=2027
        )
    assert err.value.code == "commande_hors_periode"
    ecriture.signer_avenant(avenant, finance, dt.date(2024, 5, 2))
    assert soldes.etat(convention.pk, 2027).convention.est_en_vigueur(dt.date(2027, 3, 1))


def test_amendment_takes_effect_at_its_signature_when_the_convention_did(convention, finance):
    avenant = _brouillon(convention, finance)
    signe = ecriture.signer_avenant(avenant, finance, dt.date(2024, 5, 2))
    assert (signe.statut, signe.date_effet) == ("signe", dt.date(2024, 5, 2))
    conv = _relue(convention)
    assert conv.date_fin_consolidee == dt.date(2027, 6, 30)
    assert soldes.etat(conv.pk, 2024).ae_prevu == D("150000.00")
    assert [a.numero for a in Avenant.objects.en_vigueur(dt.date(2024, 5, 2))] == [1]
    assert list(Avenant.objects.en_vigueur(dt.date(2024, 5, 1))) == []
    assert {"avenant_signature", "avenant_effet"} <= set(_actions(convention))


def test_amendment_takes_effect_at_its_publication_when_the_convention_did(finance, api):
    conv = ConventionFactory(
        prise_effet=PriseEffet.PUBLICATION,
        statut=Statut.PUBLIEE,
        date_publication=dt.date(2024, 2, 1),
    )
    avenant = _brouillon(conv, finance)
    ecriture.signer_avenant(avenant, finance, dt.date(2024, 5, 2))
    assert _relue(conv).date_fin_consolidee == dt.date(2026, 12, 31)
    assert soldes.etat(conv.pk, 2024).ae_prevu == D("100000.00")
    reponse = api(finance).post(
        f"/api/v1/conventions/{conv.pk}/avenants/1/publier/",
        {"date_publication": "2024-05-20"},
        format="json",
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["statut"] == "publie"
    assert reponse.json()["date_effet"] == "2024-05-20"
    assert _relue(conv).date_fin_consolidee == dt.date(2027, 6, 30)
    assert soldes.etat(conv.pk, 2024).ae_prevu == D("150000.00")


def test_amendment_signature_through_the_api_requires_its_date(convention, finance, api):
    _brouillon(convention, finance)
    url = f"/api/v1/conventions/{convention.pk}/avenants/1/signer/"
    reponse = api(finance).post(url, {}, format="json")
    assert reponse.status_code == 400
    assert "date_signature" in reponse.json()
    reponse = api(finance).post(url, {"date_signature": "2024-05-02"}, format="json")
    assert reponse.status_code == 200
    assert reponse.json()["statut"] == "signe"
    assert reponse.json()["en_vigueur"] is True
    deuxieme = api(finance).post(url, {"date_signature": "2024-05-03"}, format="json")
    assert deuxieme.status_code == 409
    assert deuxieme.json()["code"] == "avenant_signe"


def test_a_draft_amendment_is_published_only_once_signed(convention, finance, api):
    _brouillon(convention, finance)
    reponse = api(finance).post(
        f"/api/v1/conventions/{convention.pk}/avenants/1/publier/",
        {"date_publication": "2024-05-20"},
        format="json",
    )
    assert reponse.status_code == 409
    assert reponse.json()["code"] == "avenant_non_signe"


def test_amendment_signed_before_its_convention_is_refused(convention, finance):
    avenant = _brouillon(convention, finance)
    with pytest.raises(RegleMetierError) as err:
        ecriture.signer_avenant(avenant, finance, dt.date(2023, 12, 1))
    assert err.value.code == "date_signature_invalide"


def test_a_draft_amendment_is_edited_or_deleted_a_signed_one_never(convention, finance, api):
    client = api(finance)
    _brouillon(convention, finance)
    url = f"/api/v1/conventions/{convention.pk}/avenants/1/"
    reponse = client.patch(
        url,
        {"objet": "Abondement seul", "echeancier": [{"annee": 2025, "ae": "1.00", "cp": "1.00"}]},
        format="json",
    )
    assert reponse.status_code == 200, reponse.content
    assert reponse.json()["objet"] == "Abondement seul"
    assert reponse.json()["echeancier"] == [{"annee": 2025, "ae": "1.00", "cp": "1.00"}]
    assert client.delete(url).status_code == 204
    assert not convention.avenants.exists()
    assert "avenant_suppression" in _actions(convention)

    signe = ecriture.creer_avenant(
        convention,
        finance,
        objet="Signé",
        date_signature=dt.date(2024, 5, 2),
        date_fin=dt.date(2027, 6, 30),
        lignes=[],
    )
    assert signe.statut == "signe"
    url = f"/api/v1/conventions/{convention.pk}/avenants/{signe.numero}/"
    modification = client.patch(url, {"objet": "Autre"}, format="json")
    assert modification.status_code == 409
    assert modification.json()["code"] == "avenant_signe"
    suppression = client.delete(url)
    assert suppression.status_code == 409
    assert suppression.json()["code"] == "avenant_signe"
    assert convention.avenants.get(numero=signe.numero).objet == "Signé"


def test_amendment_actions_three_personas(convention, finance, agent, api):
    intrapreneur = UserFactory(role="intrapreneur")
    convention.produits.add(ProduitFactory(intrapreneur_email=intrapreneur.email))
    _brouillon(convention, finance)
    url = f"/api/v1/conventions/{convention.pk}/avenants/1/"
    for lecteur in (agent, intrapreneur):
        assert api(lecteur).get(url).status_code == 200
        assert api(lecteur).delete(url).status_code == 403
        signer = api(lecteur).post(url + "signer/", {"date_signature": "2024-05-02"}, format="json")
        assert signer.status_code == 403
    assert convention.avenants.get().statut == "brouillon"


def test_existing_amendments_with_a_signature_date_are_in_effect_after_migration(
    convention, finance
):
    signe = Avenant.objects.create(
        convention=convention, numero=1, objet="Ancien", date_signature=dt.date(2024, 5, 2)
    )
    sans_date = Avenant.objects.create(convention=convention, numero=2, objet="Sans date")
    migration = importlib.import_module(
        "delegations.conventions.migrations.0003_cycle_avenants_preavis"
    )
    migration.avenants_existants_en_vigueur(django_apps, None)
    signe.refresh_from_db()
    sans_date.refresh_from_db()
    assert (signe.statut, signe.date_effet) == ("signe", dt.date(2024, 5, 2))
    assert (sans_date.statut, sans_date.date_effet) == ("brouillon", None)


# --- pages -------------------------------------------------------------------------------------


def test_amendment_sign_page_asks_for_confirmation_in_french_then_signs(
    convention, finance, client
):
    client.force_login(finance)
    _brouillon(convention, finance)
    url = reverse("conventions:avenant_action", args=[convention.pk, 1, "signer"])
    page = client.get(url).content.decode()
    assert "Confirmer : signer l&#x27;avenant" in page
    assert "prendra effet à sa signature" in page
    client.post(url, {"date_signature": "2024-05-02"})
    avenant = convention.avenants.get()
    assert (avenant.statut, avenant.date_effet) == ("signe", dt.date(2024, 5, 2))
    detail = client.get(reverse("conventions:detail", args=[convention.pk])).content.decode()
    assert "En vigueur depuis le 02/05/2024" in detail


def test_amendment_publish_page_refuses_a_draft_with_a_french_message(convention, finance, client):
    client.force_login(finance)
    _brouillon(convention, finance)
    url = reverse("conventions:avenant_action", args=[convention.pk, 1, "publier"])
    reponse = client.post(url, {"date_publication": "2024-05-20"}, follow=True)
    assert "seul un avenant signé se publie" in reponse.content.decode()
    assert convention.avenants.get().statut == "brouillon"


def test_amendment_pages_are_refused_to_readers(convention, agent, finance, client):
    _brouillon(convention, finance)
    client.force_login(agent)
    url = reverse("conventions:avenant_action", args=[convention.pk, 1, "supprimer"])
    assert client.post(url).status_code == 403
    assert convention.avenants.exists()


# --- a whole life through the API alone -------------------------------------------------------


def test_a_newcomer_runs_a_whole_life_through_the_api_and_every_refusal_has_a_code(finance, api):
    """create → sign → publish → make available → order → service fait → pay → amendment (draft,
    sign, effect) → notice → effective end → open orders settled → close with restitution."""
    client = api(finance)

    def ok(url: str, corps: dict, statut: int = 201) -> dict:
        reponse = client.post(url, corps, format="json")
        assert reponse.status_code == statut, (url, reponse.content)
        return reponse.json()

    def refus(url: str, corps: dict, statut: int, code: str) -> None:
        reponse = client.post(url, corps, format="json")
        assert reponse.status_code == statut, (url, reponse.content)
        assert reponse.json()["code"] == code

    creee = ok(
        "/api/v1/conventions",
        {
            **EXTRAIT,
            "date_signature": None,
            "date_fin": "2025-12-31",
            "echeancier": [
                {"annee": 2024, "ae": "100000.00", "cp": "80000.00"},
                {"annee": 2025, "ae": "50000.00", "cp": "60000.00"},
            ],
            "montant_total_ae": "150000.00",
            "montant_total_cp": "140000.00",
        },
    )
    c = creee["id"]
    base = f"/api/v1/conventions/{c}"
    refus(
        "/api/v1/mises-a-disposition",
        {
            "convention": c,
            "annee": 2024,
            "ae": "1.00",
            "cp": "0.00",
            "date": "2024-02-15",
            "reference": "MAD-0",
        },
        400,
        "convention_brouillon",
    )
    assert ok(f"{base}/signer/", {"date_signature": "2024-01-15"}, 200)["statut"] == "signee"
    assert ok(f"{base}/publier/", {"date_publication": "2024-02-01"}, 200)["statut"] == "publiee"
    ok(
        "/api/v1/mises-a-disposition",
        {
            "convention": c,
            "annee": 2024,
            "ae": "100000.00",
            "cp": "80000.00",
            "date": "2024-02-15",
            "reference": "MAD-1",
        },
    )
    marche = ok(
        "/api/v1/marches",
        {
            "numero": "M-VIE",
            "intitule": "Marché de la vie",
            "titulaires": [],
            "date_debut": "2024-01-01",
            "date_fin": "2025-12-31",
        },
    )
    commande = {
        "convention": c,
        "reference": "BC-1",
        "montant": "30000.00",
        "date": "2024-03-01",
        "marche": marche["id"],
    }
    refus(
        "/api/v1/engagements",
        {**commande, "date_fin_execution": "2026-03-01"},
        400,
        "execution_hors_marche",
    )
    bc1 = ok("/api/v1/engagements", {**commande, "date_fin_execution": "2024-12-31"})
    assert bc1["date_fin_execution"] == "2024-12-31"
    sf1 = ok(
        "/api/v1/services-faits",
        {"engagement": bc1["id"], "montant": "20000.00", "date": "2024-06-01"},
    )
    ok(
        "/api/v1/paiements",
        {
            "service_fait": sf1["id"],
            "montant": "20000.00",
            "date": "2024-07-01",
            "reference": "FAC-1",
        },
    )

    # An amendment changes nothing before it takes effect.
    avenant = ok(
        f"{base}/avenants",
        {
            "objet": "Abondement 2025",
            "echeancier": [{"annee": 2025, "ae": "80000.00", "cp": "60000.00"}],
        },
    )
    assert avenant["statut"] == "brouillon"
    mad_2025 = {
        "convention": c,
        "annee": 2025,
        "ae": "80000.00",
        "cp": "60000.00",
        "date": "2025-01-15",
        "reference": "MAD-2",
    }
    refus("/api/v1/mises-a-disposition", mad_2025, 400, "mise_a_disposition_depasse_echeancier")
    assert (
        ok(f"{base}/avenants/1/signer/", {"date_signature": "2025-01-10"}, 200)["en_vigueur"]
        is True
    )
    ok("/api/v1/mises-a-disposition", mad_2025)

    # Notice: in force until the effective end (three months), then nothing new.
    resiliee = ok(
        f"{base}/resilier/",
        {"date_preavis": "2025-03-01", "partie": "delegant", "motif": "Fin du besoin"},
        200,
    )
    assert (resiliee["statut"], resiliee["partie_preavis"]) == ("resiliee", "delegant")
    bc2 = ok(
        "/api/v1/engagements",
        {"convention": c, "reference": "BC-2", "montant": "10000.00", "date": "2025-04-01"},
    )
    refus(
        "/api/v1/engagements",
        {"convention": c, "reference": "BC-3", "montant": "1.00", "date": "2025-06-02"},
        400,
        "commande_hors_periode",
    )
    refus(
        "/api/v1/services-faits",
        {"engagement": bc2["id"], "montant": "4000.00", "date": "2025-06-15"},
        400,
        "service_fait_hors_periode",
    )
    sf2 = ok(
        "/api/v1/services-faits",
        {"engagement": bc2["id"], "montant": "4000.00", "date": "2025-05-15"},
    )
    refus(
        "/api/v1/paiements",
        {
            "service_fait": sf2["id"],
            "montant": "4000.00",
            "date": "2025-06-10",
            "reference": "FAC-2",
        },
        400,
        "paiement_hors_periode",
    )
    ok(
        "/api/v1/paiements",
        {
            "service_fait": sf2["id"],
            "montant": "4000.00",
            "date": "2025-05-31",
            "reference": "FAC-2",
        },
    )
    refus(
        "/api/v1/mises-a-disposition",
        {**mad_2025, "ae": "0.00", "cp": "1.00", "date": "2025-06-10", "reference": "MAD-3"},
        400,
        "mise_a_disposition_hors_periode",
    )

    # At the effective end: the open orders, what remains, and what becomes of each.
    fin = client.get(f"{base}/fin/").json()
    assert fin["fin_effective"] == "2025-06-01"
    assert [
        (o["reference"], o["reste_a_certifier"], o["reste_a_payer"])
        for o in fin["commandes_ouvertes"]
    ] == [
        ("BC-1", "10000.00", "0.00"),
        ("BC-2", "6000.00", "0.00"),
    ]
    refus(
        f"{base}/cloturer/",
        {"date": "2025-07-01", "decision": "restitution"},
        409,
        "commandes_ouvertes",
    )
    for bc in (bc1, bc2):
        assert ok(
            f"/api/v1/engagements/{bc['id']}/suite/", {"decision": "solder", "date": "2025-06-02"}
        )["reduction"]

    # Closing: each year's unused credits given back, with the délégant's decision.
    refus(
        f"{base}/cloturer/",
        {"date": "2025-07-01", "decision": "utilisation_decidee"},
        400,
        "reference_requise",
    )
    cloturee = ok(
        f"{base}/cloturer/",
        {"date": "2025-07-01", "decision": "restitution", "reference": "Courrier DFE"},
        200,
    )
    assert cloturee["statut"] == "cloturee"
    bilan = {ligne["annee"]: ligne for ligne in client.get(f"{base}/fin/").json()["bilan"]}
    assert (bilan[2024]["ae_restitue"], bilan[2024]["cp_restitue"]) == ("80000.00", "60000.00")
    assert (bilan[2025]["ae_restitue"], bilan[2025]["cp_restitue"]) == ("76000.00", "56000.00")
    situation = client.get(f"{base}/situation").json()["annees"]
    assert {(a["annee"], a["ae_restant"], a["cp_restant"]) for a in situation} == {
        (2024, "0.00", "0.00"),
        (2025, "0.00", "0.00"),
    }
    refus(
        "/api/v1/mises-a-disposition",
        {**mad_2025, "reference": "MAD-4"},
        409,
        "convention_cloturee",
    )
    refus(
        f"{base}/cloturer/",
        {"date": "2025-07-02", "decision": "restitution"},
        409,
        "convention_cloturee",
    )
