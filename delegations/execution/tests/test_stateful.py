"""Random sequences of movements: after every step every cap of the convention still holds."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    rule,
    run_state_machine_as_test,
)

from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ConventionFactory
from delegations.execution import mouvements
from delegations.execution.models import (
    Engagement,
    MiseADisposition,
    Paiement,
    Reduction,
    Report,
    ServiceFait,
)
from delegations.execution.situation import situation_convention
from delegations.execution.soldes import etat

ANNEES = st.sampled_from([2024, 2025, 2026])
MONTANTS = st.integers(min_value=1, max_value=12_000_000).map(lambda c: Decimal(c) / 100)


class Journal(RuleBasedStateMachine):
    engagements = Bundle("engagements")
    services = Bundle("services")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in its own savepoint, rolled back at teardown (the journal cannot be deleted).
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self.convention = ConventionFactory()
        self.n = 0
        self.acceptes = 0

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    def _ref(self) -> str:
        self.n += 1
        return f"{self.convention.reference}-{self.n}"

    def _essayer(self, fonction, *args, **kwargs):
        try:
            resultat = fonction(*args, **kwargs)
        except RegleMetierError as exc:
            assert exc.code and exc.message
            return None
        self.acceptes += 1
        return resultat

    @rule(annee=ANNEES, ae=MONTANTS, cp=MONTANTS)
    def mettre_a_disposition(self, annee, ae, cp):
        self._essayer(
            mouvements.mettre_a_disposition,
            self.convention,
            annee=annee,
            ae=ae,
            cp=cp,
            date=dt.date(annee, 1, 20),
            reference=self._ref(),
        )

    @rule(target=engagements, annee=ANNEES, montant=MONTANTS)
    def engager(self, annee, montant):
        return self._essayer(
            mouvements.engager,
            self.convention,
            montant=montant,
            date=dt.date(annee, 3, 1),
            reference=self._ref(),
        )

    @rule(target=services, eng=engagements, montant=MONTANTS, total=st.booleans())
    def certifier(self, eng, montant, total):
        if eng is None:
            return None
        return self._essayer(
            mouvements.certifier_service_fait,
            eng,
            montant=montant,
            date=dt.date(eng.annee, 4, 1),
            total=total,
            livrable_url="https://exemple.gouv.fr/l" if total else "",
        )

    @rule(sf=services, montant=MONTANTS, annee=ANNEES)
    def payer(self, sf, montant, annee):
        if sf is None:
            return
        self._essayer(
            mouvements.payer, sf, montant=montant, date=dt.date(annee, 5, 1), reference=self._ref()
        )

    @rule(eng=engagements, montant=MONTANTS)
    def reduire(self, eng, montant):
        if eng is None:
            return
        self._essayer(mouvements.reduire, eng, montant=montant, date=dt.date(eng.annee, 6, 1))

    @rule(annee=st.sampled_from([2024, 2025]), ae=MONTANTS, cp=MONTANTS)
    def reporter(self, annee, ae, cp):
        self._essayer(
            mouvements.reporter,
            self.convention,
            annee=annee,
            ae=ae,
            cp=cp,
            date=dt.date(annee, 12, 20),
            reference=self._ref(),
        )

    @invariant()
    def plafonds_de_l_annee(self):
        for annee in (2024, 2025, 2026, 2027):
            e = etat(self.convention.pk, annee)
            assert e.mad_ae <= e.ae_prevu and e.mad_cp <= e.cp_prevu
            assert e.ae_engage <= e.ae_disponible and e.ae_engage <= e.ae_plafond_echeancier
            assert e.paye <= e.cp_disponible and e.paye <= e.cp_plafond_echeancier
            assert e.ae_disponible >= 0 and e.cp_disponible >= 0

    @invariant()
    def commandes_et_services_faits(self):
        c = self.convention.pk
        reduit, certifie, paye, totaux = (
            defaultdict(Decimal),
            defaultdict(Decimal),
            defaultdict(Decimal),
            defaultdict(int),
        )
        for r in Reduction.objects.filter(convention_id=c):
            reduit[r.engagement_id] += r.montant
        for sf in ServiceFait.objects.filter(convention_id=c):
            certifie[sf.engagement_id] += sf.montant
            totaux[sf.engagement_id] += sf.total
        for p in Paiement.objects.filter(convention_id=c):
            paye[p.service_fait_id] += p.montant
        for eng in Engagement.objects.filter(convention_id=c):
            assert certifie[eng.pk] + reduit[eng.pk] <= eng.montant
            assert totaux[eng.pk] <= 1
        for sf in ServiceFait.objects.filter(convention_id=c):
            assert paye[sf.pk] <= sf.montant

    @invariant()
    def situation_egale_les_sommes_du_journal(self):
        c = self.convention.pk
        engage, paye, dispo = defaultdict(Decimal), defaultdict(Decimal), defaultdict(Decimal)
        for e in Engagement.objects.filter(convention_id=c):
            engage[e.annee] += e.montant
        for r in Reduction.objects.filter(convention_id=c):
            engage[r.annee] -= r.montant
        for p in Paiement.objects.filter(convention_id=c):
            paye[p.annee] += p.montant
        for m in MiseADisposition.objects.filter(convention_id=c):
            dispo[m.annee] += m.ae
        for rp in Report.objects.filter(convention_id=c):
            dispo[rp.annee] -= rp.ae
            dispo[rp.annee + 1] += rp.ae
        for ligne in situation_convention(self.convention, dt.date(2025, 6, 1))["annees"]:
            a = ligne["annee"]
            assert ligne["ae_engage"] == engage[a] and ligne["cp_paye"] == paye[a]
            assert ligne["ae_disponible"] == dispo[a]
            assert ligne["ae_restant"] == ligne["ae_disponible"] - ligne["ae_engage"]


@pytest.mark.django_db
def test_random_sequences_of_movements_keep_every_invariant():
    run_state_machine_as_test(
        Journal,
        settings=settings(
            max_examples=10,
            stateful_step_count=20,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
