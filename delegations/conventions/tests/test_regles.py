"""The register's rules, each proved by the test named after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from delegations.conventions.ecriture import (
    appliquer_transition,
    creer_avenant,
    ecriture_echeancier,
    enregistrer_convention,
)
from delegations.conventions.models import (
    Convention,
    LigneEcheancier,
    Statut,
    ajouter_mois,
    programme_depuis_code,
)
from delegations.core.errors import RegleMetierError
from delegations.core.models import ActionLog
from delegations.core.tests.factories import ConventionFactory

D = Decimal
pytestmark = pytest.mark.django_db


def _valeurs(administration, dinum, **extra):
    valeurs = {
        "delegant": administration,
        "delegataire": dinum,
        "objet": "Construire un service.",
        "unite_operationnelle": "0103-CEFP-C004",
        "date_signature": dt.date(2024, 3, 1),
        "date_fin": dt.date(2025, 12, 31),
    }
    valeurs.update(extra)
    return valeurs


def test_programme_is_derived_from_the_uo_when_not_given(administration, dinum, finance):
    conv = enregistrer_convention(_valeurs(administration, dinum), finance)
    assert conv.programme == "103"
    assert programme_depuis_code("0361-DNUM-C002") == "361"


def test_uo_must_be_shaped_like_0103_cefp_c004(administration, dinum, finance):
    with pytest.raises(ValidationError) as err:
        enregistrer_convention(
            _valeurs(administration, dinum, unite_operationnelle="103 CEFP"), finance
        )
    assert "0103-CEFP-C004" in str(err.value.message_dict["unite_operationnelle"])


def test_centre_financier_must_be_shaped_like_a_uo(administration, dinum, finance):
    with pytest.raises(ValidationError) as err:
        enregistrer_convention(_valeurs(administration, dinum, centre_financier="CEFP"), finance)
    assert "centre_financier" in err.value.message_dict


def test_programme_contradicting_the_uo_is_refused(administration, dinum, finance):
    with pytest.raises(ValidationError) as err:
        enregistrer_convention(_valeurs(administration, dinum, programme="102"), finance)
    assert "ne correspond pas" in str(err.value.message_dict["programme"])


def test_end_date_must_follow_the_start(administration, dinum, finance):
    with pytest.raises(ValidationError) as err:
        enregistrer_convention(
            _valeurs(administration, dinum, date_fin=dt.date(2024, 2, 1)), finance
        )
    assert "postérieure" in str(err.value.message_dict["date_fin"])


def test_end_before_signature_is_refused_by_the_database(convention):
    with pytest.raises(IntegrityError), transaction.atomic():
        Convention.objects.filter(pk=convention.pk).update(date_fin=dt.date(2020, 1, 1))


def test_one_schedule_line_per_year(administration, dinum, finance):
    with pytest.raises(RegleMetierError) as err:
        enregistrer_convention(
            _valeurs(administration, dinum),
            finance,
            echeancier=[(2024, D("1"), D("1")), (2024, D("2"), D("2"))],
        )
    assert err.value.code == "echeancier_annee_double"


def test_one_schedule_line_per_year_is_enforced_by_the_database(convention):
    # The write path's setting opens the schedule's guard: the unique constraint answers.
    with pytest.raises(IntegrityError, match="unique|UNIQUE"), ecriture_echeancier():
        LigneEcheancier.objects.create(convention=convention, annee=2024, ae=D("1"), cp=D("1"))


def test_schedule_amounts_must_not_be_negative(administration, dinum, finance):
    with pytest.raises(RegleMetierError) as err:
        enregistrer_convention(
            _valeurs(administration, dinum), finance, echeancier=[(2024, D("-1"), D("0"))]
        )
    assert err.value.code == "montant_negatif"
    vide = ConventionFactory(echeancier=[])
    with pytest.raises(IntegrityError, match="positi|CHECK|check"), ecriture_echeancier():
        LigneEcheancier.objects.create(convention=vide, annee=2030, ae=D("-5"), cp=D("0"))


def test_amendments_are_numbered_in_order(convention, finance):
    a1 = creer_avenant(
        convention,
        finance,
        objet="Un",
        date_signature=None,
        date_fin=dt.date(2027, 6, 30),
        lignes=[],
    )
    a2 = creer_avenant(
        convention,
        finance,
        objet="Deux",
        date_signature=None,
        date_fin=None,
        lignes=[(2025, D("250000"), D("150000"))],
    )
    assert (a1.numero, a2.numero) == (1, 2)


def test_amendment_changes_consolidated_schedule_but_never_the_base(convention, finance):
    creer_avenant(
        convention,
        finance,
        objet="Abondement",
        date_signature=dt.date(2025, 1, 10),
        date_fin=None,
        lignes=[(2025, D("250000"), D("160000")), (2027, D("10000"), D("10000"))],
    )
    creer_avenant(
        convention,
        finance,
        objet="Correction",
        date_signature=dt.date(2025, 1, 10),
        date_fin=None,
        lignes=[(2025, D("240000"), D("160000"))],
    )
    convention = Convention.objects.get(pk=convention.pk)
    base = {ligne.annee: ligne.ae for ligne in convention.echeancier.all()}
    assert base[2025] == D("200000.00")
    consolide = {
        ligne.annee: (ligne.ae, ligne.modifiee_par) for ligne in convention.echeancier_consolide()
    }
    assert consolide[2025] == (D("240000.00"), 2)
    assert consolide[2027] == (D("10000.00"), 1)
    assert convention.totaux_consolides[0] == D("100000") + D("240000") + D("100000") + D("10000")


def test_consolidated_end_date_is_the_last_amendment_end_date(convention, finance):
    creer_avenant(
        convention,
        finance,
        objet="Prolongation",
        date_signature=dt.date(2025, 1, 10),
        date_fin=dt.date(2027, 6, 30),
        lignes=[],
    )
    creer_avenant(
        convention,
        finance,
        objet="Montants",
        date_signature=dt.date(2025, 1, 10),
        date_fin=None,
        lignes=[(2026, D("1"), D("1"))],
    )
    convention = Convention.objects.get(pk=convention.pk)
    assert convention.date_fin == dt.date(2026, 12, 31)
    assert convention.date_fin_consolidee == dt.date(2027, 6, 30)


def test_empty_amendment_is_refused(convention, finance):
    with pytest.raises(RegleMetierError) as err:
        creer_avenant(
            convention, finance, objet="Rien", date_signature=None, date_fin=None, lignes=[]
        )
    assert err.value.code == "avenant_vide"


def test_signed_convention_schedule_changes_only_by_amendment(convention, finance):
    with pytest.raises(RegleMetierError) as err:
        enregistrer_convention({"date_fin": dt.date(2027, 1, 1)}, finance, convention)
    assert err.value.code == "modification_par_avenant"
    with pytest.raises(RegleMetierError):
        enregistrer_convention({}, finance, convention, echeancier=[(2024, D("1"), D("1"))])
    # The representatives' names stay correctable.
    conv = enregistrer_convention(
        {"delegant_representant_nom": "Alice Durand"}, finance, convention
    )
    assert conv.delegant_representant_nom == "Alice Durand"


def test_draft_can_be_edited_in_place(administration, dinum, finance):
    conv = enregistrer_convention(
        _valeurs(administration, dinum), finance, echeancier=[(2024, D("10"), D("5"))]
    )
    conv = enregistrer_convention(
        {"date_fin": dt.date(2026, 6, 30)},
        finance,
        conv,
        echeancier=[(2024, D("20"), D("5")), (2025, D("1"), D("1"))],
    )
    assert conv.date_fin == dt.date(2026, 6, 30)
    assert [(ligne.annee, ligne.ae) for ligne in conv.echeancier.all()] == [
        (2024, D("20.00")),
        (2025, D("1.00")),
    ]


def test_every_write_of_the_register_writes_an_action_log_row(administration, dinum, finance):
    conv = enregistrer_convention(_valeurs(administration, dinum), finance)
    enregistrer_convention({"objet": "Autre objet."}, finance, conv)
    actions = list(
        ActionLog.objects.filter(object_id=conv.pk).values_list("action", "user__username")
    )
    assert ("creation", finance.username) in actions
    assert ("modification", finance.username) in actions
    modif = ActionLog.objects.get(object_id=conv.pk, action="modification")
    assert modif.changes["objet"] == ["Construire un service.", "Autre objet."]


def test_action_log_rows_cannot_be_edited(convention, finance):
    row = appliquer_transition(convention, "suspendre", finance) and ActionLog.objects.latest("id")
    row.action = "autre"
    with pytest.raises(ValueError):
        row.save()


class TestStatut:
    def test_transitions_follow_the_state_machine_and_are_logged(
        self, administration, dinum, finance
    ):
        conv = enregistrer_convention(_valeurs(administration, dinum), finance)
        assert conv.statut == Statut.BROUILLON
        conv = appliquer_transition(conv, "signer", finance)
        conv = appliquer_transition(conv, "publier", finance, date_publication=dt.date(2024, 3, 10))
        conv = appliquer_transition(conv, "suspendre", finance)
        conv = appliquer_transition(conv, "reprendre", finance)
        assert conv.statut == Statut.PUBLIEE
        conv = appliquer_transition(
            conv, "resilier", finance, date_preavis=dt.date(2024, 11, 15), partie="delegant"
        )
        conv = appliquer_transition(conv, "terminer", finance)
        assert conv.statut == Statut.TERMINEE
        actions = list(
            ActionLog.objects.filter(object_id=conv.pk)
            .order_by("id")
            .values_list("action", flat=True)
        )
        assert actions == [
            "creation",
            "signer",
            "publier",
            "suspendre",
            "reprendre",
            "resilier",
            "terminer",
        ]
        assert ActionLog.objects.get(object_id=conv.pk, action="publier").changes["statut"] == [
            "signee",
            "publiee",
        ]

    def test_signing_requires_a_signature_date(self, administration, dinum, finance):
        conv = enregistrer_convention(
            _valeurs(administration, dinum, date_signature=None, date_fin=None), finance
        )
        with pytest.raises(RegleMetierError) as err:
            appliquer_transition(conv, "signer", finance)
        assert err.value.code == "date_signature_manquante"

    def test_impossible_transition_is_refused_with_the_current_status(self, convention, finance):
        appliquer_transition(convention, "terminer", finance)
        with pytest.raises(RegleMetierError) as err:
            appliquer_transition(
                convention, "publier", finance, date_publication=dt.date(2024, 5, 1)
            )
        assert err.value.code == "transition_refusee"
        assert "Terminée" in err.value.message

    def test_termination_effective_end_is_notice_plus_notice_period(self, convention, finance):
        conv = appliquer_transition(
            convention, "resilier", finance, date_preavis=dt.date(2025, 11, 30), partie="delegant"
        )
        assert conv.date_fin_effective == dt.date(2026, 2, 28)
        assert conv.est_en_vigueur(dt.date(2026, 2, 28))
        assert not conv.est_en_vigueur(dt.date(2026, 3, 1))

    def test_termination_never_extends_the_end_date(self, convention, finance):
        conv = appliquer_transition(
            convention, "resilier", finance, date_preavis=dt.date(2026, 12, 1), partie="delegant"
        )
        assert conv.date_fin_effective == dt.date(2026, 12, 31)


class TestEnVigueur:
    def test_in_force_from_signature_to_end(self, convention):
        assert not convention.est_en_vigueur(dt.date(2024, 1, 14))
        assert convention.est_en_vigueur(dt.date(2024, 1, 15))
        assert convention.est_en_vigueur(dt.date(2026, 12, 31))
        assert not convention.est_en_vigueur(dt.date(2027, 1, 1))

    def test_taking_effect_at_publication_waits_for_publication(self, convention, finance):
        Convention.objects.filter(pk=convention.pk).update(prise_effet="publication")
        conv = Convention.objects.get(pk=convention.pk)
        assert not conv.est_en_vigueur(dt.date(2024, 6, 1))
        conv = appliquer_transition(conv, "publier", finance, date_publication=dt.date(2024, 2, 1))
        assert not conv.est_en_vigueur(dt.date(2024, 1, 20))
        assert conv.est_en_vigueur(dt.date(2024, 2, 1))

    def test_duration_from_publication_gives_the_end_date(self, convention, finance):
        Convention.objects.filter(pk=convention.pk).update(
            prise_effet="publication", date_fin=None, duree_mois=12
        )
        conv = appliquer_transition(
            Convention.objects.get(pk=convention.pk),
            "publier",
            finance,
            date_publication=dt.date(2024, 2, 29),
        )
        assert conv.date_fin_consolidee == dt.date(2025, 2, 27)

    @pytest.mark.parametrize("statut", [Statut.BROUILLON, Statut.SUSPENDUE, Statut.TERMINEE])
    def test_not_in_force_when_draft_suspended_or_ended(self, convention, statut):
        Convention.objects.filter(pk=convention.pk).update(statut=statut)
        assert not Convention.objects.get(pk=convention.pk).est_en_vigueur(dt.date(2025, 1, 1))

    def test_last_day_to_give_notice_is_end_minus_notice_period(self, convention):
        assert convention.date_limite_preavis == dt.date(2026, 9, 30)


def test_adding_months_clamps_to_the_end_of_month():
    assert ajouter_mois(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert ajouter_mois(dt.date(2023, 11, 30), 3) == dt.date(2024, 2, 29)
    assert ajouter_mois(dt.date(2026, 12, 31), -3) == dt.date(2026, 9, 30)


def test_small_conventions_warn_but_are_not_blocked(administration, dinum, finance):
    conv = enregistrer_convention(
        _valeurs(administration, dinum), finance, echeancier=[(2024, D("20000"), D("20000"))]
    )
    assert conv.montant_rare
