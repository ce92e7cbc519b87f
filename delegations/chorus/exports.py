"""Export of a reconciliation as XLSX, ODS or CSV. Every text cell that a spreadsheet could take
for a formula (starting with =, +, -, @, tab or carriage return) is written as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

from delegations.core.tableurs import texte_csv

Cellule = str | int | Decimal | dt.date | None
FORMATS = {"xlsx": "Classeur XLSX", "ods": "Classeur ODS", "csv": "CSV (;)"}
TYPES_MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "csv": "text/csv; charset=utf-8",
}


def _montant(texte: str | None) -> Decimal | None:
    return Decimal(texte) if texte not in (None, "") else None


def feuilles(donnees: dict[str, Any]) -> list[tuple[str, list[list[Cellule]]]]:
    """The reconciliation (as ``services.representation`` gives it) as typed rows."""
    synthese: list[list[Cellule]] = [
        ["Rapprochement CHORUS", donnees.get("id") or ""],
        ["Réalisé le", donnees.get("cree_le", "")[:10]],
        ["Par", donnees.get("cree_par") or ""],
        ["Empreinte SHA-256", donnees.get("sha256", "")],
        ["Lignes lues", donnees.get("lignes", 0)],
        ["Lignes rapprochées", donnees.get("nb_rapprochees", 0)],
        ["Écarts", donnees.get("nb_ecarts", 0)],
        [],
        [
            "Convention",
            "Année",
            "AE engagées CHORUS",
            "AE engagées registre",
            "Écart AE",
            "CP payés CHORUS",
            "CP payés registre",
            "Écart CP",
            "Lignes rapprochées",
            "Écarts",
        ],
    ]
    ecarts: list[list[Cellule]] = [
        [
            "Convention",
            "Année",
            "Nature",
            "EJ",
            "N° pièce",
            "Montant CHORUS",
            "Montant registre",
            "Détail",
            "Statut",
            "Commentaire",
        ]
    ]
    rapprochees: list[list[Cellule]] = [
        ["Convention", "Année", "Type", "EJ", "N° pièce", "Référence au registre", "Montant"]
    ]
    for bloc in donnees.get("conventions", []):
        ref = bloc["convention"]["reference"] or str(bloc["convention"]["id"])
        t = bloc["totaux"]
        synthese.append(
            [
                ref,
                bloc["annee"],
                _montant(t["ae_chorus"]),
                _montant(t["ae_registre"]),
                _montant(t["ecart_ae"]),
                _montant(t["cp_chorus"]),
                _montant(t["cp_registre"]),
                _montant(t["ecart_cp"]),
                len(bloc["rapprochees"]),
                len(bloc.get("ecarts", [])),
            ]
        )
        for e in bloc.get("ecarts", []):
            ecarts.append(
                [
                    ref,
                    bloc["annee"],
                    e["libelle"],
                    e["ej"],
                    e["numero_piece"],
                    _montant(e["montant_chorus"]),
                    _montant(e["montant_registre"]),
                    e["detail"],
                    {"ouvert": "à traiter", "explique": "expliqué", "regularise": "régularisé"}.get(
                        e["statut"], e["statut"]
                    ),
                    e.get("commentaire", ""),
                ]
            )
        for r in bloc["rapprochees"]:
            rapprochees.append(
                [
                    ref,
                    bloc["annee"],
                    "EJ" if r["type"] == "ej" else "paiement",
                    r.get("ej", ""),
                    r.get("numero_piece", ""),
                    r.get("references") or r.get("reference", ""),
                    _montant(r["montant"]),
                ]
            )
    fichiers: list[list[Cellule]] = [
        ["Fichier", "Journal", "Format", "SHA-256", "Lignes", "Colonnes reconnues", "Ignorées"]
    ]
    for f in donnees.get("fichiers", []):
        fichiers.append(
            [
                f["nom"],
                f["libelle"],
                f["format"],
                f["sha256"],
                f["lignes"],
                " ; ".join(f"{k} = {v}" for k, v in f["colonnes_reconnues"].items()),
                " ; ".join(f["colonnes_ignorees"]),
            ]
        )
    return [
        ("Synthèse", synthese),
        ("Écarts", ecarts),
        ("Lignes rapprochées", rapprochees),
        ("Fichiers", fichiers),
    ]


def xlsx(donnees: dict[str, Any]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    classeur = Workbook(write_only=False)
    classeur.remove(classeur.active)
    for titre, lignes in feuilles(donnees):
        feuille = classeur.create_sheet(titre)
        for r, ligne in enumerate(lignes, start=1):
            for c, v in enumerate(ligne, start=1):
                if v is None or v == "":
                    continue
                cellule = feuille.cell(row=r, column=c)
                if isinstance(v, Decimal):
                    cellule.value = float(v)
                    cellule.number_format = '#,##0.00 "€"'
                elif isinstance(v, int):
                    cellule.value = v
                elif isinstance(v, dt.date):
                    cellule.value = v
                    cellule.number_format = "DD/MM/YYYY"
                else:
                    # Assigning a str starting with "=" makes openpyxl write a formula:
                    # set the value, then force the string type.
                    cellule.value = str(v)
                    cellule.data_type = "s"
        for cellule in feuille[1]:
            cellule.font = Font(bold=True)
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def ods(donnees: dict[str, Any]) -> bytes:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    for titre, lignes in feuilles(donnees):
        table = Table(name=titre)
        for ligne in lignes:
            rang = TableRow()
            for v in ligne:
                if v is None or v == "":
                    cellule = TableCell()
                elif isinstance(v, Decimal):
                    cellule = TableCell(valuetype="float", value=str(v))
                    cellule.addElement(P(text=f"{v:.2f}"))
                elif isinstance(v, int):
                    cellule = TableCell(valuetype="float", value=str(v))
                    cellule.addElement(P(text=str(v)))
                elif isinstance(v, dt.date):
                    cellule = TableCell(valuetype="date", datevalue=v.isoformat())
                    cellule.addElement(P(text=v.strftime("%d/%m/%Y")))
                else:
                    # A string cell with no table:formula attribute is never evaluated.
                    cellule = TableCell(valuetype="string")
                    cellule.addElement(P(text=str(v)))
                rang.addElement(cellule)
            table.addElement(rang)
        doc.spreadsheet.addElement(table)
    tampon = io.BytesIO()
    doc.write(tampon)
    return tampon.getvalue()


def _csv_texte(v: Cellule) -> str:
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return f"{v:.2f}".replace(".", ",")
    if isinstance(v, dt.date):
        return v.strftime("%d/%m/%Y")
    if isinstance(v, int):
        return str(v)
    return texte_csv(str(v))


def csv_(donnees: dict[str, Any]) -> bytes:
    """The differences sheet (the one officers work from), ``;``-separated, UTF-8 with BOM."""
    tampon = io.StringIO()
    ecrivain = csv.writer(tampon, delimiter=";", lineterminator="\r\n")
    for titre, lignes in feuilles(donnees):
        if titre != "Écarts":
            continue
        for ligne in lignes:
            ecrivain.writerow([_csv_texte(v) for v in ligne])
    return ("\ufeff" + tampon.getvalue()).encode("utf-8")


def exporter(donnees: dict[str, Any], format: str) -> bytes:
    fonctions = {"xlsx": xlsx, "ods": ods, "csv": csv_}
    if format not in fonctions:
        raise ValueError(f"Format inconnu : {format} (xlsx, ods ou csv).")
    return fonctions[format](donnees)
