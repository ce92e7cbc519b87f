"""On PostgreSQL an order is validated and written by the database function ``execution_engager``
(migration 0003, ADR 0004). These tests prove that the cap holds in the database itself, and
that the function and the Python path are one rule: same acceptance, same refusal, same message,
on random conventions, amendments and journals."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from delegations.conventions.ecriture import ecriture_echeancier
from delegations.conventions.models import (
    Avenant,
    LigneAvenant,
    LigneEcheancier,
    PriseEffet,
    Statut,
)
from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ConventionFactory, ProduitFactory
from delegations.execution import mouvements, soldes
from delegations.execution.gardes import sans_controle_des_commandes
from delegations.execution.models import (
    Engagement,
    LigneBudget,
    MiseADisposition,
    Reduction,
    Report,
)

from .factories import MarcheFactory, TitulaireFactory, mad

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
D = Decimal


def _exiger_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            "La fonction execution_engager n'existe que sur PostgreSQL (DATABASE_URL=postgres://…) ; "
            "sur SQLite, les bons de commande passent par le chemin Python."
        )


def _appel_direct(convention_id: int, montant: str, reference: str) -> tuple[int | None, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            mouvements.SQL_ENGAGER,
            [
                convention_id,
                2024,
                dt.date(2024, 3, 1),
                D(montant),
                reference,
                "Appel direct",
                None,
                None,
                None,
                "",
                None,
                timezone.now(),
            ],
        )
        identifiant, code, *_ = cursor.fetchone()
    return identifiant, code


def test_database_refuses_an_overspend_even_without_the_application(convention):
    _exiger_postgres()
    mad(convention, ae="1000.00", cp="1")
    assert _appel_direct(convention.pk, "1000.01", "EJ-DIRECT-1") == (None, "credits_insuffisants")
    identifiant, code = _appel_direct(convention.pk, "1000.00", "EJ-DIRECT-2")
    assert identifiant is not None and code is None
    assert _appel_direct(convention.pk, "0.01", "EJ-DIRECT-3") == (None, "credits_insuffisants")
    assert list(Engagement.objects.values_list("reference", flat=True)) == ["EJ-DIRECT-2"]


def test_database_refuses_an_order_on_a_suspended_convention(convention):
    _exiger_postgres()
    mad(convention, ae="1000.00", cp="1")
    type(convention).objects.filter(pk=convention.pk).update(statut=Statut.SUSPENDUE)
    assert _appel_direct(convention.pk, "10.00", "EJ-DIRECT-4") == (None, "convention_suspendue")


def test_database_answers_an_unknown_convention_without_writing_anything(db):
    _exiger_postgres()
    assert _appel_direct(2**40, "10.00", "EJ-DIRECT-5") == (None, "convention_inconnue")
    assert not LigneBudget.objects.exists()


def test_duplicate_reference_is_refused_by_the_database_in_french(convention):
    _exiger_postgres()
    mad(convention, ae="1000.00", cp="1")
    mouvements.engager(convention, montant=D("10"), date=dt.date(2024, 3, 1), reference="EJ-DBL")
    with pytest.raises(RegleMetierError) as exc:
        mouvements.engager(
            convention, montant=D("10"), date=dt.date(2024, 3, 1), reference="EJ-DBL"
        )
    assert exc.value.code == "reference_existante"
    assert "EJ-DBL" in exc.value.message
    # The caller's transaction is still usable (the failure was rolled back to a savepoint).
    assert Engagement.objects.filter(reference="EJ-DBL").count() == 1


def test_order_returned_by_the_database_is_the_stored_row(convention):
    _exiger_postgres()
    mad(convention, ae="1000.00", cp="1")
    produit = ProduitFactory()
    convention.produits.add(produit)
    eng = mouvements.engager(
        convention,
        montant=D("12.34"),
        date=dt.date(2024, 3, 1),
        reference="EJ-LU",
        objet="Objet",
        produit=produit,
    )
    relu = Engagement.objects.get(pk=eng.pk)
    champs = [f.attname for f in Engagement._meta.concrete_fields]
    assert [getattr(eng, c) for c in champs] == [getattr(relu, c) for c in champs]
    assert eng.produit == produit and not eng._state.adding


JOURS_2023_2026 = st.dates(dt.date(2023, 1, 1), dt.date(2026, 12, 31))
PEUT_ETRE_DATE = st.one_of(st.none(), JOURS_2023_2026)
# Mostly conventions that could take an order, so that every rule, not only the first, is reached.
STATUTS = st.sampled_from(["signee"] * 5 + ["publiee"] * 3 + [s for s in Statut.values])
DEBUTS = st.one_of(st.dates(dt.date(2023, 1, 1), dt.date(2024, 6, 30)), PEUT_ETRE_DATE)
# Month ends and leap days are where month arithmetic differs between implementations.
DATES_ORDRE = st.one_of(
    st.dates(dt.date(2024, 1, 1), dt.date(2024, 12, 12)),
    st.sampled_from([dt.date(2024, 1, 31), dt.date(2024, 2, 29), dt.date(2024, 3, 31)]),
)
EUROS = st.integers(min_value=0, max_value=20_000).map(lambda n: D(n) * 10)


@st.composite
def calendriers(draw: st.DrawFn) -> dict:
    """Dates of a convention: two times in three, one in force for part of 2024 whose end is set
    by its duration, its end date or an amendment."""
    if draw(st.integers(0, 2)):
        signature = draw(st.dates(dt.date(2023, 1, 1), dt.date(2024, 2, 29)))
        # Three different days, so that taking effect on the wrong one shows.
        publication = signature + dt.timedelta(days=draw(st.integers(1, 60)))
        debut = signature + dt.timedelta(days=draw(st.integers(-30, 90)))
        fin_par = draw(st.sampled_from(["duree", "date", "avenant"]))
        plus_tard = st.dates(dt.date(2024, 6, 1), dt.date(2026, 12, 31))
        return {
            "prise_effet": draw(st.sampled_from(PriseEffet.values)),
            "date_signature": signature,
            "date_publication": publication,
            "date_debut": debut,
            "date_fin": draw(plus_tard) if fin_par == "date" else None,
            "duree_mois": draw(st.sampled_from([12, 13, 24, 36, 1, 6, None])),
            # Two amendments, the later one moving the end again or not: the last one counts.
            "avenants_fin": (
                [draw(plus_tard), draw(st.one_of(plus_tard, st.none()))]
                if fin_par == "avenant"
                else []
            ),
        }
    signature, debut = draw(DEBUTS), draw(DEBUTS)
    fin = draw(st.one_of(st.none(), st.dates(dt.date(2023, 6, 1), dt.date(2026, 12, 31))))
    if fin is not None and any(d is not None and fin <= d for d in (signature, debut)):
        fin = None
    return {
        "prise_effet": draw(st.sampled_from(PriseEffet.values)),
        "date_signature": signature,
        "date_publication": draw(DEBUTS),
        "date_debut": debut,
        "date_fin": fin,
        "duree_mois": draw(st.sampled_from([None, 0, 1, 6, 11, 12, 13, 24])),
        "avenants_fin": draw(st.lists(PEUT_ETRE_DATE, max_size=2)),
    }


EN_VIGUEUR_2024 = {
    "statut": Statut.SIGNEE,
    "prise_effet": PriseEffet.SIGNATURE,
    "date_signature": dt.date(2023, 12, 1),
    "date_publication": None,
    "date_debut": None,
    "date_fin": dt.date(2026, 12, 31),
    "duree_mois": None,
}
CREDITS_LARGES = {
    "prevu": D("1000000"),
    "mad": D("1000000"),
    "engage": D(0),
    "reduit": D(0),
    "report_entrant": D(0),
    "report_sortant": D(0),
    "montant": D("100.00"),
    "produit": "aucun",
    "titulaire": "aucun",
    "doublon": False,
}


@st.composite
def calendriers_quelconques(draw: st.DrawFn) -> dict:
    """Any status and dates, amendments moving the end; the credits are never the question."""
    calendrier = draw(calendriers())
    fins = calendrier.pop("avenants_fin")
    return {
        **CREDITS_LARGES,
        **calendrier,
        # (sampled_from leans to its first items: the statuses that allow an order come first)
        "statut": draw(st.sampled_from(["signee", "publiee", "signee", "publiee", *Statut.values])),
        "avenants": [(fin, None) for fin in fins],
        # A draft amendment (not in effect) must move nothing, on either path.
        "avenants_en_vigueur": draw(st.lists(st.booleans(), min_size=2, max_size=2)),
        # Any day, or the first or last day in force and the day beyond (off-by-one hunting).
        "date": draw(st.sampled_from(["fin+1", "fin", "debut-1", "debut", "quelconque"])),
        "date_quelconque": draw(DATES_ORDRE),
    }


@st.composite
def journaux_quelconques(draw: st.DrawFn) -> dict:
    """A convention in force; any schedule, amendments, journal, amount, product, contractor."""
    return {
        **EN_VIGUEUR_2024,
        "avenants": [(None, ae) for ae in draw(st.lists(st.one_of(st.none(), EUROS), max_size=2))],
        "avenants_en_vigueur": draw(st.lists(st.booleans(), min_size=2, max_size=2)),
        "prevu": draw(EUROS),
        "mad": draw(EUROS),
        "engage": draw(EUROS),
        "reduit": draw(EUROS),
        "report_entrant": draw(st.one_of(st.just(D(0)), EUROS)),
        "report_sortant": draw(st.one_of(st.just(D(0)), EUROS)),
        "date": draw(DATES_ORDRE),
        # Any amount, half of what is left, or exactly what is left (accepted to the cent) and a cent more.
        "montant": draw(
            st.one_of(
                st.integers(min_value=1, max_value=10_000_000).map(lambda c: D(c) / 100),
                st.sampled_from(["moitie", "reste", "reste+1c"]),
            )
        ),
        "produit": draw(st.sampled_from(["aucun", "finance", "aucun", "autre"])),
        "titulaire": draw(st.sampled_from(["aucun", "membre", "aucun", "etranger"])),
        "doublon": draw(st.sampled_from([False] * 5 + [True])),
    }


def _construire(s: dict) -> dict:
    conv = ConventionFactory(
        statut=s["statut"],
        prise_effet=s["prise_effet"],
        date_signature=s["date_signature"],
        date_publication=s["date_publication"],
        date_debut=s["date_debut"],
        date_fin=s["date_fin"],
        duree_mois=s["duree_mois"],
        echeancier=[],
    )
    # The register as it stands, written directly (the schedule's guard opened as the write
    # path does, the past orders' check off): the rules of the past are not under test.
    with ecriture_echeancier(), sans_controle_des_commandes():
        return _ecrire_etat(conv, s)


def _ecrire_etat(conv, s: dict) -> dict:
    LigneEcheancier.objects.create(convention=conv, annee=2024, ae=s["prevu"], cp=0)
    for numero, (date_fin, ae) in enumerate(s["avenants"], start=1):
        en_vigueur = s.get("avenants_en_vigueur", [True, True])[numero - 1]
        avenant = Avenant.objects.create(
            convention=conv,
            numero=numero,
            objet="Avenant",
            date_fin=date_fin,
            statut="signe" if en_vigueur else "brouillon",
            date_signature=dt.date(2024, 1, 2) if en_vigueur else None,
            date_effet=dt.date(2024, 1, 2) if en_vigueur else None,
        )
        if ae is not None:
            LigneAvenant.objects.create(avenant=avenant, annee=2024, ae=ae, cp=0)
    # The journal as it stands, written directly: the rules of the past are not under test.
    jour = dt.date(2024, 1, 2)
    existant = None
    if s["mad"]:
        MiseADisposition.objects.create(
            convention=conv, annee=2024, date=jour, ae=s["mad"], cp=0, reference="MAD"
        )
    if s["engage"] or s["doublon"]:
        existant = Engagement.objects.create(
            convention=conv,
            annee=2024,
            date=jour,
            reference=f"EJ-EXISTANT-{conv.pk}",
            montant=s["engage"] + s["reduit"] or D("10"),
        )
        if s["reduit"]:
            Reduction.objects.create(
                convention=conv, annee=2024, date=jour, engagement=existant, montant=s["reduit"]
            )
    if s["report_entrant"]:
        Report.objects.create(
            convention=conv, annee=2023, date=jour, ae=s["report_entrant"], cp=0, reference="R1"
        )
    if s["report_sortant"]:
        Report.objects.create(
            convention=conv, annee=2024, date=jour, ae=s["report_sortant"], cp=0, reference="R2"
        )
    produit = None
    if s["produit"] != "aucun":
        produit = ProduitFactory()
        if s["produit"] == "finance":
            conv.produits.add(produit)
    titulaire = marche = None
    if s["titulaire"] != "aucun":
        titulaire, marche = TitulaireFactory(), MarcheFactory()
        if s["titulaire"] == "membre":
            marche.titulaires.add(titulaire)
    reference = existant.reference if (s["doublon"] and existant) else f"EJ-NOUVEAU-{conv.pk}"
    date = s["date"] if s["date"] != "quelconque" else s["date_quelconque"]
    if isinstance(date, str):
        lue = type(conv).objects.get(pk=conv.pk)
        borne = lue.date_prise_effet if date.startswith("debut") else lue.date_fin_consolidee
        un_jour = dt.timedelta(days=1)
        decalage = {"debut-1": -un_jour, "fin+1": un_jour}.get(date, dt.timedelta(0))
        date = borne + decalage if borne else dt.date(2024, 6, 3)
    montant = s["montant"]
    if isinstance(montant, str):
        e = soldes.etat(conv.pk, 2024)
        reste = min(e.ae_disponible, e.ae_plafond_echeancier) - e.ae_engage
        if montant == "moitie":
            reste = (reste / 2).quantize(D("0.01"))
        montant = max(reste, D("0.01")) + (D("0.01") if montant == "reste+1c" else 0)
    return {
        "convention": conv,
        "montant": montant,
        "date": date,
        # (past the year-end cut-off a justification is asked before either path is taken)
        "justification": "Test",
        "reference": reference,
        "produit": produit,
        "titulaire": titulaire,
        "marche": marche,
    }


class _Annuler(Exception):
    pass


def _issue(chemin: str, commande: dict) -> tuple[str, str]:
    """Run one path in a savepoint that is always rolled back; say what it answered."""
    try:
        with transaction.atomic():
            conv = type(commande["convention"]).objects.get(pk=commande["convention"].pk)
            # The Python path is the one SQLite takes; here it runs on the same PostgreSQL base.
            with mock.patch.object(mouvements, "fonction_en_base", return_value=chemin == "base"):
                mouvements.engager(**{**commande, "convention": conv})
            raise _Annuler
    except _Annuler:
        return ("accepte", "")
    except RegleMetierError as exc:
        return (exc.code, exc.message)


def _comparer(s: dict) -> None:
    with transaction.atomic():
        commande = _construire(s)
        python = _issue("python", commande)
        base = _issue("base", commande)
        transaction.set_rollback(True)
    event(base[0])  # --hypothesis-show-statistics: how often each outcome was reached
    assert base == python, s


REGLAGES = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@REGLAGES
@given(s=calendriers_quelconques())
def test_database_function_and_python_path_agree_on_the_period_in_force(db, s):
    _exiger_postgres()
    _comparer(s)


@REGLAGES
@given(s=journaux_quelconques())
def test_database_function_and_python_path_agree_on_the_caps_and_references(db, s):
    _exiger_postgres()
    _comparer(s)


def _chiffres_de_la_fonction(convention_id: int) -> tuple[str, list]:
    """What the database function read for 2024, from an order it must refuse (too large)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            mouvements.SQL_ENGAGER,
            [convention_id, 2024, dt.date(2024, 3, 1), D("10") ** 12, "EJ-SONDE", "Sonde"]
            + [None, None, None, "", None, timezone.now()],
        )
        identifiant, code, *chiffres = cursor.fetchone()
    assert identifiant is None
    return code, chiffres


@REGLAGES
@given(s=journaux_quelconques())
def test_database_function_lock_statement_and_grouped_sums_read_the_same_balances(db, s):
    """The three readings of a year's terms (the PL/pgSQL function, the statement the write path
    runs under the lock, the GROUP BY queries of the situation and the reports) agree."""
    _exiger_postgres()
    with transaction.atomic():
        conv = _construire(s)["convention"]
        code, chiffres = _chiffres_de_la_fonction(conv.pk)
        fonction = mouvements.etat_de_la_fonction(conv, 2024, code, chiffres)
        sous_verrou = soldes.etat(conv.pk, 2024)
        groupes = soldes.soldes_par_annee(conv)[2024]
        fin_du_registre = type(conv).objects.get(pk=conv.pk).date_fin_effective
        transaction.set_rollback(True)
    assert soldes.Solde(**{t: getattr(sous_verrou, t) for t in soldes.TERMES}) == groupes
    for terme in ("ae_prevu", "mad_ae", "report_entrant_ae", "report_sortant_ae"):
        assert getattr(fonction, terme) == getattr(groupes, terme), terme
    assert fonction.ae_engage == groupes.ae_engage
    assert fonction.ae_disponible == groupes.ae_disponible
    assert fonction.ae_plafond_echeancier == groupes.ae_plafond_echeancier
    assert fonction.date_fin_effective == fin_du_registre
    assert sous_verrou.date_fin_effective == fin_du_registre
