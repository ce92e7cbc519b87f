"""The report as HTML, PDF (WeasyPrint), XLSX (openpyxl) and ODS (odfpy), with typed cells."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string

from delegations.core.tableurs import cellule_xlsx_texte

from .donnees import Rapport, libelle_mouvement

FORMATS = {"html": "Page web", "pdf": "PDF", "xlsx": "Classeur XLSX", "ods": "Classeur ODS"}
TYPES_MIME = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


def polices_marianne() -> str:
    """The folder of the Marianne font shipped by django-dsfr (the State's typeface)."""
    from django.contrib.staticfiles import finders

    chemin = finders.find("dsfr/dist/fonts/Marianne-Regular.woff")
    return Path(str(chemin)).parent.as_uri() if chemin else ""


def html(rapport: Rapport, polices: str = "") -> bytes:
    """Standalone printable HTML (the same document as the PDF)."""
    contexte = {"rapport": rapport, "polices": polices}
    return render_to_string("rapports/rapport_pdf.html", contexte).encode()


def pdf(rapport: Rapport) -> bytes:
    """Tagged PDF (PDF/UA-1: structure, language, title) set in Marianne."""
    from weasyprint import HTML

    document = HTML(
        string=html(rapport, polices=polices_marianne()).decode(),
        base_url=str(settings.BASE_DIR),
    )
    return document.write_pdf(pdf_variant="pdf/ua-1")


Cellule = str | int | Decimal | dt.date | None


def feuilles(rapport: Rapport) -> list[tuple[str, list[list[Cellule]]]]:
    """The workbook's sheets as rows of typed values (numbers stay numbers, dates stay dates)."""
    c, p = rapport.convention, rapport.prevision
    synthese: list[list[Cellule]] = [
        [rapport.titre],
        ["Convention", c.reference or str(c.pk)],
        ["Objet", c.objet],
        ["Délégant", str(c.delegant)],
        ["Délégataire", str(c.delegataire)],
        ["UO", c.unite_operationnelle],
        ["Programme", c.programme],
        ["Centre financier", c.centre_financier],
        ["Début de la période", rapport.debut],
        ["Fin de la période", rapport.fin],
        ["Édité le", rapport.edite_le],
        [],
        [
            "Année",
            "AE prévues",
            "AE disponibles",
            "AE engagées",
            "AE restantes",
            "CP prévus",
            "CP disponibles",
            "CP payés",
            "CP restants",
            "Service fait",
        ],
    ]
    cles = [
        "ae_prevu",
        "ae_disponible",
        "ae_engage",
        "ae_restant",
        "cp_prevu",
        "cp_disponible",
        "cp_paye",
        "cp_restant",
        "certifie",
    ]
    for a in rapport.annees:
        synthese.append([a["annee"], *[a[k] for k in cles]])
    synthese.append(["Total", *[rapport.totaux[k] for k in cles]])
    if not rapport.mouvements:
        synthese += [[], ["Aucune dépense enregistrée pour le moment."]]
    mouvements: list[list[Cellule]] = [
        [
            "Date",
            "Nature",
            "Année budgétaire",
            "Référence",
            "Produit",
            "Titulaire",
            "Objet",
            "Montant",
            "Effet sur les AE",
            "Effet sur les CP",
        ]
    ]
    for m in rapport.mouvements:
        mouvements.append(
            [
                m["date"],
                libelle_mouvement(m["nature"]),
                m["annee"],
                m["reference"],
                m["produit"] or "",
                m["titulaire"] or "",
                m["objet"],
                m["montant"],
                m["montant_ae"],
                m["montant_cp"],
            ]
        )

    def agregat(titre: str, lignes: Iterable[dict[str, Any]]) -> list[list[Cellule]]:
        return [
            [titre, "Engagé", "Service fait", "Payé"],
            *[
                [ligne["nom"], ligne["engage"], ligne["certifie"], ligne["paye"]]
                for ligne in lignes
            ],
        ]

    prevision: list[list[Cellule]] = [
        ["Indicateur", "Valeur"],
        ["Rythme mensuel (service fait, 3 derniers mois)", p["rythme_mensuel"]],
        ["Enveloppe d'AE", p["enveloppe"]],
        ["Service fait certifié", p["certifie"]],
        ["Reste à consommer", p["reste"]],
        ["Épuisement prévu", p["epuisement_prevu"]],
        [f"Commandes restant à passer en {p['annee']}", p["commandes_a_passer_annee"]],
        [f"CP restant à payer en {p['annee']}", p["cp_a_payer_annee"]],
        [f"Consommation prévue au 31/12/{p['annee']}", p["consommation_fin_annee"]],
        ["Commandes restant à passer jusqu'à la fin", p["commandes_a_passer_convention"]],
        ["Fin de la convention", p["fin_convention"]],
        ["Consommation prévue à la fin de la convention", p["consommation_fin_convention"]],
        ["Crédits qui resteraient inutilisés", p["non_consomme_fin_convention"]],
    ]
    comites: list[list[Cellule]] = [
        ["Date", "Comité", "Lieu", "Décision", "Montant accordé", "Objectifs"]
    ]
    for co in rapport.comites or []:
        objectifs = " ; ".join(f"{i['numero']}. {i['nom']}" for i in co["indicateurs"])
        comites.append(
            [
                co["date"],
                f"{co['type']} — {co['sujet']}",
                co["lieu"],
                co["decision"],
                co["montant"],
                objectifs,
            ]
        )
    for ligne in rapport.complements:
        synthese += [[], [ligne["libelle"], ligne["valeur"]]]
        synthese += [[titre, m] for titre, m in ligne["montants"].items()]
    return [
        ("Synthèse", synthese),
        ("Mouvements", mouvements),
        ("Par produit", agregat("Produit", rapport.par_produit)),
        ("Par titulaire", agregat("Titulaire", rapport.par_titulaire)),
        (
            "Par mois",
            [
                ["Mois", "Engagé", "Service fait", "Payé"],
                *[
                    [ligne["nom"], ligne["engage"], ligne["certifie"], ligne["paye"]]
                    for ligne in rapport.par_mois
                ],
            ],
        ),
        ("Prévisions", prevision),
        ("Comités", comites),
    ]


def xlsx(rapport: Rapport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook()
    classeur.remove(classeur.active)
    for titre, lignes in feuilles(rapport):
        feuille = classeur.create_sheet(titre)
        for ligne in lignes:
            feuille.append([float(v) if isinstance(v, Decimal) else v for v in ligne])
        for rang in feuille.iter_rows():
            for cellule in rang:
                cellule_xlsx_texte(cellule)  # an order's « =HYPERLINK(…) » stays text
                if isinstance(cellule.value, float):
                    cellule.number_format = '#,##0.00 "€"'
                elif isinstance(cellule.value, dt.datetime | dt.date):
                    cellule.number_format = "DD/MM/YYYY"
        for cellule in feuille[1]:
            cellule.font = Font(bold=True)
        feuille.column_dimensions["A"].width = 34
        for col in "BCDEFGHIJ":
            feuille.column_dimensions[col].width = 16
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def ods(rapport: Rapport) -> bytes:
    from odf.number import CurrencyStyle, CurrencySymbol, DateStyle, Day, Month, Number, Text, Year
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.style import Style, TableCellProperties
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    monnaie = CurrencyStyle(name="monnaie")
    monnaie.addElement(Number(decimalplaces=2, minintegerdigits=1, grouping="true"))
    monnaie.addElement(Text(text="\u00a0"))
    monnaie.addElement(CurrencySymbol(language="fr", country="FR", text="€"))
    date_style = DateStyle(name="date-fr")
    for element in (
        Day(style="long"),
        Text(text="/"),
        Month(style="long"),
        Text(text="/"),
        Year(style="long"),
    ):
        date_style.addElement(element)
    doc.automaticstyles.addElement(monnaie)
    doc.automaticstyles.addElement(date_style)
    cellule_monnaie = Style(name="cmonnaie", family="table-cell", datastylename="monnaie")
    cellule_monnaie.addElement(TableCellProperties())
    cellule_date = Style(name="cdate", family="table-cell", datastylename="date-fr")
    doc.automaticstyles.addElement(cellule_monnaie)
    doc.automaticstyles.addElement(cellule_date)

    for titre, lignes in feuilles(rapport):
        table = Table(name=titre)
        for ligne in lignes:
            rang = TableRow()
            for v in ligne:
                if isinstance(v, Decimal):
                    cellule = TableCell(valuetype="float", value=str(v), stylename=cellule_monnaie)
                    cellule.addElement(P(text=f"{v:.2f}"))
                elif isinstance(v, bool) or v is None or v == "":
                    cellule = TableCell()
                elif isinstance(v, int):
                    cellule = TableCell(valuetype="float", value=str(v))
                    cellule.addElement(P(text=str(v)))
                elif isinstance(v, dt.date):
                    cellule = TableCell(
                        valuetype="date", datevalue=v.isoformat(), stylename=cellule_date
                    )
                    cellule.addElement(P(text=v.strftime("%d/%m/%Y")))
                else:
                    cellule = TableCell(valuetype="string")
                    cellule.addElement(P(text=str(v)))
                rang.addElement(cellule)
            table.addElement(rang)
        doc.spreadsheet.addElement(table)
    tampon = io.BytesIO()
    doc.write(tampon)
    return tampon.getvalue()


def exporter(rapport: Rapport, format: str) -> bytes:
    fonctions = {"html": html, "pdf": pdf, "xlsx": xlsx, "ods": ods}
    if format not in fonctions:
        raise ValueError(f"Format inconnu : {format} (pdf, ods, xlsx ou html).")
    return fonctions[format](rapport)
