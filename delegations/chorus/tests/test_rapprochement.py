"""Fictional journals of several thousand lines reconcile with every kind of difference found,
and nothing else, whatever the file's shape (CSV ``;``, XLSX, ODS, heading variants)."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.chorus import rapprochement, services
from delegations.chorus.models import NatureEcart
from delegations.chorus.tests import generateur as g
from delegations.execution.models import JOURNAL_MODELS
from delegations.execution.situation import situation_annees

pytestmark = pytest.mark.django_db


def identifiant(ecart: dict[str, Any]) -> str:
    specifique = ecart["cle"].split(":", 3)[3]
    if specifique.startswith("paiement:"):
        return specifique
    return specifique.split(":")[0]


def trouves(resultat: Any) -> set[tuple[str, int, int, str]]:
    return {(e["nature"], e["convention_id"], e["annee"], identifiant(e)) for e in resultat.ecarts}


@pytest.fixture
def monde() -> g.Monde:
    return g.construire_monde()


def fichiers(monde: g.Monde, forme: str) -> list[tuple[str, bytes]]:
    if forme == "csv":
        return [
            ("jp51.csv", g.csv_journal(monde.lignes_51, g.entetes(g.ENTETES_51))),
            (
                "jp57.csv",
                g.csv_journal(
                    monde.lignes_57, g.entetes(g.ENTETES_57, variante=True), encodage="cp1252"
                ),
            ),
        ]
    if forme == "xlsx":
        return [
            ("jp51.xlsx", g.xlsx_journal(monde.lignes_51, g.entetes(g.ENTETES_51, tronque=True))),
            ("jp57.xlsx", g.xlsx_journal(monde.lignes_57, g.entetes(g.ENTETES_57))),
        ]
    return [
        ("jp51.ods", g.ods_journal(monde.lignes_51, g.entetes(g.ENTETES_51, variante=True))),
        ("jp57.ods", g.ods_journal(monde.lignes_57, g.entetes(g.ENTETES_57, tronque=True))),
    ]


@pytest.mark.parametrize("forme", ["csv", "xlsx", "ods"])
def test_every_kind_of_difference_is_found_and_nothing_else(monde, forme):
    assert len(monde.lignes_51) + len(monde.lignes_57) > 2000
    types = Counter(ligne["type"] for ligne in monde.lignes_51)
    assert set(types) == {"100", "150", "200", "350", "500", "600", "650"}

    journaux, resultat = services.calculer(fichiers(monde, forme))

    assert [j.nature for j in journaux] == ["engagements", "paiements"]
    assert trouves(resultat) == monde.attendus
    assert {n for n, *_ in monde.attendus} == set(NatureEcart.values)
    assert resultat.nb_lignes == len(monde.lignes_51) + len(monde.lignes_57)
    assert resultat.hors_perimetre == 40
    assert [x["ej"] for x in resultat.non_rattachees] == [monde.reperes["non_rattachee_ej"]]


def test_totals_per_year_give_the_gap_between_chorus_and_the_register(monde):
    _journaux, resultat = services.calculer(fichiers(monde, "csv"))
    for (conv, annee), bilan in resultat.bilans.items():
        assert bilan.ae_chorus is not None
        assert bilan.cp_chorus is not None
        assert bilan.ae_chorus - bilan.ae_registre == monde.ecarts_ae.get(
            (conv, annee), Decimal("0")
        ), (conv, annee)
        assert bilan.cp_chorus - bilan.cp_registre == monde.ecarts_cp.get(
            (conv, annee), Decimal("0")
        ), (conv, annee)
    assert {(c, a) for c, a in monde.ecarts_ae} <= set(resultat.bilans)


def test_register_totals_are_those_of_the_execution_situation(monde):
    # computed in three grouped queries for all conventions, they must equal the per-convention
    # figures of ``execution.situation`` (AE engagées, CP payés)
    _journaux, resultat = services.calculer(fichiers(monde, "csv"))
    situation = {
        (c.pk, a["annee"]): (a["ae_engage"], a["cp_paye"])
        for c in monde.conventions.values()
        for a in situation_annees(c)
    }
    assert {(c.pk, a) for c in monde.conventions.values() for a in (2024, 2025)} <= set(
        resultat.bilans
    )
    zero = (Decimal("0"), Decimal("0"))
    for cle, bilan in resultat.bilans.items():
        assert (bilan.ae_registre, bilan.cp_registre) == situation.get(cle, zero), cle


def test_matched_lines_are_listed_per_convention_and_year(monde):
    _journaux, resultat = services.calculer(fichiers(monde, "csv"))
    ej = [r for b in resultat.bilans.values() for r in b.rapprochees if r["type"] == "ej"]
    paiements = [
        r for b in resultat.bilans.values() for r in b.rapprochees if r["type"] == "paiement"
    ]
    # every order but the five with an EJ difference (amount, and the one absent) is matched
    assert len(ej) == len(monde.commandes) - 2
    assert len(paiements) == len(monde.paiements) - 2  # missing one, wrong amount one
    a_renseigner = [p for p in paiements if p["numero_piece_a_renseigner"]]
    assert a_renseigner
    assert all(p["numero_piece"].startswith("92") for p in a_renseigner)


def test_reconciliation_never_writes_to_the_journal(monde):
    avant = {m.__name__: m.objects.count() for m in JOURNAL_MODELS}
    journaux, resultat = services.calculer(fichiers(monde, "csv"))
    services.enregistrer(journaux, resultat, None)
    assert {m.__name__: m.objects.count() for m in JOURNAL_MODELS} == avant


def test_limiting_to_one_convention_keeps_its_lines_only(monde):
    c = monde.conventions["C"]
    _journaux, resultat = services.calculer(fichiers(monde, "csv"), convention_id=c.pk)
    assert {conv for conv, _a in resultat.bilans} == {c.pk}
    assert trouves(resultat) == {x for x in monde.attendus if x[1] == c.pk}


def test_limiting_to_one_uo_keeps_the_lines_of_that_centre_financier(monde):
    a, b = monde.conventions["A"], monde.conventions["B"]
    _journaux, resultat = services.calculer(
        fichiers(monde, "csv"), uo=g.IMPUTATIONS["A"][0].lower()
    )
    assert {conv for conv, _a in resultat.bilans} == {a.pk, b.pk}
    assert trouves(resultat) == {x for x in monde.attendus if x[1] in (a.pk, b.pk)}


def test_an_engagements_journal_alone_gives_no_payment_totals(monde):
    _journaux, resultat = services.calculer(fichiers(monde, "csv")[:1])
    assert all(b.cp_chorus is None for b in resultat.bilans.values())
    natures = {e["nature"] for e in resultat.ecarts}
    assert "paiement_absent" not in natures
    assert "paiement_non_comptabilise" not in natures


def test_matching_reads_the_register_in_a_fixed_number_of_queries(monde):
    # bulk reads per convention and year: as many queries for a fifth of the lines (a fifth of
    # the EJs and payments) as for all of them, never one per line, EJ or payment
    def requetes(pas: int) -> tuple[int, int]:
        copie = g.Monde(monde.conventions, monde.lignes_51[::pas], monde.lignes_57[::pas])
        journaux = services.lire_fichiers(fichiers(copie, "csv"))
        with CaptureQueriesContext(connection) as capture:
            resultat = rapprochement.rapprocher(journaux)
        return len(capture), resultat.nb_lignes

    cinquieme, lignes_cinquieme = requetes(5)
    toutes, lignes_toutes = requetes(1)
    assert lignes_toutes > 4 * lignes_cinquieme
    assert toutes == cinquieme
