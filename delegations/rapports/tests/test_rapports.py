from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from delegations.core.errors import RegleMetierError
from delegations.core.tests.factories import ProduitFactory
from delegations.execution import mouvements
from delegations.execution.models import (
    Engagement,
    MiseADisposition,
    Paiement,
    Reduction,
    Report,
    ServiceFait,
    Titulaire,
)
from delegations.execution.situation import situation_convention
from delegations.rapports import exports
from delegations.rapports.donnees import construire
from delegations.rapports.models import Transmission

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def convention_executee(convention: Any) -> Any:
    """The shared fixture's convention with credits made available, two orders, service fait and payments."""
    produit = ProduitFactory(nom="Guichet Test")
    convention.produits.add(produit)
    titulaire = Titulaire.objects.create(nom="Prestataire Fictif")
    mouvements.mettre_a_disposition(
        convention,
        annee=2024,
        ae=D("100000"),
        cp=D("80000"),
        date=dt.date(2024, 2, 1),
        reference="MAD-2024",
    )
    bc = mouvements.engager(
        convention,
        montant=D("42000"),
        reference="BC-1",
        date=dt.date(2024, 3, 4),
        produit=produit,
        titulaire=titulaire,
        objet="Équipe produit",
    )
    mouvements.engager(
        convention, montant=D("8000"), reference="BC-2", date=dt.date(2024, 5, 6), objet="Design"
    )
    sf = mouvements.certifier_service_fait(bc, montant=D("21000"), date=dt.date(2024, 5, 2))
    mouvements.payer(sf, montant=D("21000"), date=dt.date(2024, 5, 20), reference="F-1")
    return convention


def test_report_without_spending_shows_the_schedule_and_says_so(convention: Any) -> None:
    rapport = construire(
        convention, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 1)
    )
    assert [a["annee"] for a in rapport.annees] == [2024, 2025, 2026]
    assert rapport.totaux["ae_prevu"] == D("400000")
    assert "Aucune dépense enregistrée pour le moment" in exports.html(rapport).decode()


def test_monthly_report_sums_spending_by_product_contractor_and_month(
    convention_executee: Any,
) -> None:
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    assert rapport.totaux["ae_engage"] == D("50000") and rapport.totaux["cp_paye"] == D("21000")
    assert {p["nom"]: p["engage"] for p in rapport.par_produit} == {
        "Guichet Test": D("42000"),
        "Non renseigné": D("8000"),
    }
    assert {t["nom"]: t["paye"] for t in rapport.par_titulaire} == {
        "Prestataire Fictif": D("21000"),
        "Non renseigné": D("0"),
    }
    assert [(m["nom"], m["engage"]) for m in rapport.par_mois] == [
        (dt.date(2024, 3, 1), D("42000")),
        (dt.date(2024, 5, 1), D("8000")),
    ]
    assert {m["reference"] for m in rapport.mouvements_periode} == {"BC-2", "BC-1", "F-1"}
    assert rapport.prevision["rythme_mensuel"] == D(
        "7000.00"
    )  # 21 000 € certified over the last 3 months
    # 379 000 € left at 7 000 €/month outlive the convention (end of 2026): no exhaustion date,
    # the report says so instead of foreseeing one years after the end.
    assert rapport.prevision["epuisement_prevu"] is None
    assert rapport.prevision["epuisement_apres_fin"] is True
    assert "pas avant la fin de la convention" in exports.html(rapport).decode()
    # A report for an earlier month ignores later movements.
    mars = construire(
        convention_executee, "mensuel", dt.date(2024, 3, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    assert mars.totaux["ae_engage"] == D("42000") and mars.totaux["cp_paye"] == D("0")


OPERATIONS = st.lists(
    st.one_of(
        st.tuples(
            st.just("mad"),
            st.sampled_from([2024, 2025]),
            st.integers(1, 60_000),
            st.integers(0, 60_000),
        ),
        st.tuples(
            st.just("engager"),
            st.sampled_from([2024, 2025]),
            st.integers(1, 40_000),
            st.integers(0, 300),
        ),
        st.tuples(st.just("sf"), st.integers(0, 9), st.integers(1, 100), st.integers(0, 30)),
        st.tuples(st.just("payer"), st.integers(0, 9), st.integers(1, 100), st.integers(0, 30)),
        st.tuples(st.just("reduire"), st.integers(0, 9), st.integers(1, 100), st.integers(0, 30)),
    ),
    max_size=14,
)


def _appliquer(convention: Any, operations: list[tuple[Any, ...]]) -> None:
    commandes: list[Engagement] = []
    services: list[ServiceFait] = []
    for n, (nature, a, b, c) in enumerate(operations):
        try:
            if nature == "mad":
                mouvements.mettre_a_disposition(
                    convention,
                    annee=a,
                    ae=D(b),
                    cp=D(c),
                    date=dt.date(a, 1, 20),
                    reference=f"MAD-{n}",
                )
            elif nature == "engager":
                date = dt.date(a, 1, 20) + dt.timedelta(days=c)
                commandes.append(
                    mouvements.engager(convention, montant=D(b), reference=f"BC-{n}", date=date)
                )
            elif nature in ("sf", "reduire") and commandes:
                bc = commandes[a % len(commandes)]
                montant = (bc.montant * b / 100).quantize(D("0.01")) or D("0.01")
                date = bc.date + dt.timedelta(days=c)
                if nature == "sf":
                    services.append(
                        mouvements.certifier_service_fait(bc, montant=montant, date=date)
                    )
                else:
                    mouvements.reduire(bc, montant=montant, date=date)
            elif nature == "payer" and services:
                sf = services[a % len(services)]
                montant = (sf.montant * b / 100).quantize(D("0.01")) or D("0.01")
                date = min(sf.date + dt.timedelta(days=c), dt.date(sf.date.year, 11, 30))
                mouvements.payer(sf, montant=montant, date=max(date, sf.date), reference=f"F-{n}")
        except RegleMetierError:
            continue  # a refused movement is not in the ledger


def _somme(qs: Any, champ: str = "montant") -> Decimal:
    return qs.aggregate(s=Sum(champ))["s"] or D("0")


def _jusqu_au(
    modele: Any, convention: Any, fin: dt.date, annee: int, champ: str = "montant"
) -> Decimal:
    """The sum of one kind of movement of the convention's year, dated up to ``fin``."""
    qs = modele.objects.filter(convention_id=convention.pk, annee=annee, date__lte=fin)
    return _somme(qs, champ)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS, mois=st.integers(1, 12), annee=st.sampled_from([2024, 2025]))
def test_report_yearly_figures_equal_the_situation_for_the_same_convention_and_year(
    convention: Any, operations: list[tuple[Any, ...]], mois: int, annee: int
) -> None:
    with transaction.atomic():
        _appliquer(convention, operations)
        # The term report counts every movement: its years are the situation's, figure for figure.
        situation = situation_convention(convention, dt.date(2027, 3, 1))["annees"]
        terme = construire(convention, "terme", aujourd_hui=dt.date(2027, 3, 1))
        par_annee = {ligne["annee"]: ligne for ligne in terme.annees}
        for ligne in situation:
            assert {k: par_annee[ligne["annee"]][k] for k in ligne} == ligne
        # A monthly report counts the movements dated up to the end of its month.
        mensuel = construire(
            convention, "mensuel", dt.date(annee, mois, 1), aujourd_hui=dt.date(2027, 3, 1)
        )
        fin = mensuel.fin
        for ligne in mensuel.annees:
            a = ligne["annee"]
            disponible = (
                _jusqu_au(MiseADisposition, convention, fin, a, "ae")
                + _jusqu_au(Report, convention, fin, a - 1, "ae")
                - _jusqu_au(Report, convention, fin, a, "ae")
            )
            assert ligne["ae_disponible"] == disponible
            engage = _jusqu_au(Engagement, convention, fin, a)
            assert ligne["ae_engage"] == engage - _jusqu_au(Reduction, convention, fin, a)
            assert ligne["cp_paye"] == _jusqu_au(Paiement, convention, fin, a)
            assert ligne["certifie"] == _jusqu_au(ServiceFait, convention, fin, a)
        transaction.set_rollback(True)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(operations=OPERATIONS)
def test_report_figures_equal_the_ledger_sums(
    convention: Any, operations: list[tuple[Any, ...]]
) -> None:
    with transaction.atomic():
        _appliquer(convention, operations)
        rapport = construire(convention, "terme", aujourd_hui=dt.date(2027, 3, 1))
        c = convention.pk
        assert rapport.totaux["ae_engage"] == (
            _somme(Engagement.objects.filter(convention_id=c))
            - _somme(Reduction.objects.filter(convention_id=c))
        )
        assert rapport.totaux["cp_paye"] == _somme(Paiement.objects.filter(convention_id=c))
        assert rapport.totaux["certifie"] == _somme(ServiceFait.objects.filter(convention_id=c))
        assert rapport.totaux["ae_disponible"] == _somme(
            MiseADisposition.objects.filter(convention_id=c), "ae"
        )
        assert rapport.totaux["cp_disponible"] == _somme(
            MiseADisposition.objects.filter(convention_id=c), "cp"
        )
        assert (
            sum((p["engage"] for p in rapport.par_produit), D("0")) == rapport.totaux["ae_engage"]
        )
        assert sum((m["paye"] for m in rapport.par_mois), D("0")) == rapport.totaux["cp_paye"]
        situation = situation_convention(convention, aujourd_hui=dt.date(2027, 3, 1))
        cles = [
            "annee",
            "ae_prevu",
            "ae_disponible",
            "ae_engage",
            "ae_restant",
            "cp_prevu",
            "cp_disponible",
            "cp_paye",
            "cp_restant",
        ]
        assert [{k: a[k] for k in cles} for a in rapport.annees] == [
            {k: a[k] for k in cles} for a in situation["annees"]
        ]
        transaction.set_rollback(True)


def test_pdf_text_holds_the_uo_and_the_amounts(convention_executee: Any) -> None:
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    document = pdfium.PdfDocument(exports.pdf(rapport))
    textes = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    assert all("0103-TEST-C001" in t for t in textes)  # the references on every page
    tout = "\n".join(textes).replace("\u202f", " ").replace("\u00a0", " ")
    assert "42 000,00 €" in tout and "21 000,00 €" in tout and "100 000,00 €" in tout
    assert f"Page 1 / {len(document)}" in tout


def test_xlsx_cells_are_typed(convention_executee: Any) -> None:
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    classeur = load_workbook(io.BytesIO(exports.xlsx(rapport)))
    mouvements = list(classeur["Mouvements"].iter_rows(min_row=2, values_only=True))
    assert mouvements and all(isinstance(m[0], dt.datetime) for m in mouvements)
    assert all(isinstance(m[7], int | float) for m in mouvements)
    bc1 = next(m for m in mouvements if m[3] == "BC-1" and m[1] == "Bon de commande")
    assert bc1[7] == 42000 and bc1[2] == 2024
    synthese = classeur["Synthèse"]
    ligne_2024 = next(r for r in synthese.iter_rows() if r[0].value == 2024)
    assert ligne_2024[1].data_type == "n" and ligne_2024[1].value == 100000
    assert "€" in ligne_2024[1].number_format


def test_ods_cells_are_typed(convention_executee: Any) -> None:
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    with zipfile.ZipFile(io.BytesIO(exports.ods(rapport))) as zf:
        contenu = zf.read("content.xml").decode()
    assert 'office:value-type="float" office:value="42000' in contenu
    assert 'office:value-type="date" office:date-value="2024-03-04"' in contenu
    assert 'office:value-type="float" office:value="42000.00"' in contenu


def test_report_lists_committees_and_their_decisions(convention_executee: Any) -> None:
    from delegations.comites.models import Comite, Releve

    comite = Comite.objects.create(
        type="interministeriel",
        convention=convention_executee,
        date=dt.date(2024, 4, 10),
        lieu="Paris",
    )
    Releve.objects.create(
        comite=comite,
        decision="poursuite",
        montant_accorde=D("150000"),
        periode_mois=6,
        lieu="Paris",
    )
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    assert rapport.comites and rapport.comites[0]["montant"] == D("150000")
    assert "Poursuite" in exports.html(rapport).decode()


def test_command_writes_each_format(convention_executee: Any, tmp_path: Path) -> None:
    for format in ("pdf", "ods", "xlsx", "html"):
        sortie = tmp_path / f"r.{format}"
        call_command(
            "rapport",
            str(convention_executee.pk),
            "--periode",
            "2024-05",
            "--format",
            format,
            "--output",
            str(sortie),
            stdout=io.StringIO(),
        )
        assert sortie.stat().st_size > 500
    with pytest.raises(Exception, match="Période invalide"):
        call_command(
            "rapport",
            str(convention_executee.pk),
            "--periode",
            "mai",
            "--format",
            "pdf",
            "--output",
            str(tmp_path / "x.pdf"),
            stdout=io.StringIO(),
        )


def test_report_page_within_the_perimeter(
    client: Any, convention: Any, agent: Any, collegue: Any
) -> None:
    url = f"/rapports/conventions/{convention.pk}/?periode=2024-05"
    assert client.get(url).status_code == 302  # anonymous: login
    client.force_login(collegue)
    assert client.get(url).status_code == 404
    assert client.get(f"/rapports/conventions/{convention.pk}/telecharger/pdf/").status_code == 404
    client.force_login(agent)
    reponse = client.get(url)
    assert reponse.status_code == 200 and "<svg" in reponse.content.decode()
    telechargement = client.get(
        f"/rapports/conventions/{convention.pk}/telecharger/xlsx/?periode=2024-05"
    )
    assert telechargement.status_code == 200
    assert telechargement["Content-Disposition"].endswith('2024-05.xlsx"')


def test_download_button_on_the_convention_page(client: Any, convention: Any, finance: Any) -> None:
    client.force_login(finance)
    contenu = client.get(f"/conventions/{convention.pk}/sections/rapports/").content.decode()
    assert f"/rapports/conventions/{convention.pk}/preparer/pdf/" in contenu


def test_only_finance_marks_a_report_as_sent(
    client: Any, convention: Any, agent: Any, finance: Any
) -> None:
    donnees = {"nature": "mensuel", "periode": "2024-05", "date_transmission": "2024-06-10"}
    client.force_login(agent)
    assert (
        client.post(f"/rapports/conventions/{convention.pk}/transmis/", donnees).status_code == 403
    )
    client.force_login(finance)
    assert (
        client.post(f"/rapports/conventions/{convention.pk}/transmis/", donnees).status_code == 302
    )
    transmission = Transmission.objects.get(convention=convention)
    assert transmission.periode == dt.date(
        2024, 5, 1
    ) and transmission.date_transmission == dt.date(2024, 6, 10)
    client.post(f"/rapports/conventions/{convention.pk}/transmis/", donnees)
    assert Transmission.objects.count() == 1


def test_pdf_is_tagged_for_accessibility_and_set_in_marianne(convention_executee: Any) -> None:
    rapport = construire(
        convention_executee, "mensuel", dt.date(2024, 5, 1), aujourd_hui=dt.date(2024, 6, 10)
    )
    import pdfplumber
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import resolve1

    contenu = exports.pdf(rapport)
    catalogue = PDFDocument(PDFParser(io.BytesIO(contenu))).catalog
    assert "StructTreeRoot" in catalogue  # tagged structure (PDF/UA-1)
    assert b"pdfuaid" in resolve1(catalogue["Metadata"]).get_data()  # PDF/UA identification
    with pdfplumber.open(io.BytesIO(contenu)) as document:
        polices = [c["fontname"].split("+")[-1] for c in document.pages[0].chars]
    marianne = [p for p in polices if p.startswith("Marianne")]
    # Marianne sets the text; a fallback font may only draw the odd glyph it lacks.
    assert len(marianne) > 0.9 * len(polices)
