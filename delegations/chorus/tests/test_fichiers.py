"""Reading the journals: tolerant headings (reported), file types from the bytes, French errors."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest

from delegations.chorus import fichiers
from delegations.chorus.fichiers import FichierIllisible
from delegations.chorus.tests import generateur as g

D = Decimal


def _ligne(**kw: object) -> dict[str, object]:
    base: dict[str, object] = {
        "exercice": 2025,
        "cf": "0129-CDIE-DFIC",
        "df": "0129-01",
        "cc": "CC1",
        "activite": "ACT1",
        "ej": "1300000001",
        "texte": "Prestation",
        "montant": D("1234.56"),
        "fournisseur": "90000000000001",
        "nom": "Société fictive",
        "type": "100",
        "libelle_type": "Original",
        "date": dt.date(2025, 3, 1),
        "date_comptable": dt.date(2025, 3, 1),
        "periode": 3,
        "piece": "9100000001",
    }
    base.update(kw)
    return base


def test_truncated_and_suffixed_headings_are_recognised_and_reported():
    contenu = g.csv_journal([_ligne()], g.entetes(g.ENTETES_51, tronque=True, variante=True))
    journal = fichiers.lire("jp51.csv", contenu)
    assert journal.nature == "engagements"
    assert journal.colonnes.reconnues["ej"] == "Numéro de pièce de la pièce de"
    assert journal.colonnes.reconnues["montant"] == "Montant à contrôler en dev. tr"
    assert journal.colonnes.reconnues["centre_de_cout"] == "CENTRE DE COUTS"
    assert "Colonne ajoutée par le service" in journal.colonnes.ignorees
    assert "Type de montant.1" not in journal.colonnes.ignorees
    [ligne] = journal.lignes
    assert (ligne.type_montant, ligne.montant, ligne.date) == (
        "100",
        D("1234.56"),
        dt.date(2025, 3, 1),
    )
    assert journal.ignorees == 1  # the total line at the end


def test_payment_journal_is_told_apart_from_the_engagements_journal():
    contenu = g.csv_journal([_ligne()], g.entetes(g.ENTETES_57, variante=True))
    journal = fichiers.lire("export.csv", contenu)
    assert journal.nature == "paiements"
    assert journal.colonnes.reconnues["numero_piece"] == "N° pièce de paiement"
    assert journal.colonnes.reconnues["ej"] == "Numéro de la pièce précédente"
    assert journal.lignes[0].numero_piece == "9100000001"


@pytest.mark.parametrize(
    ("libelle", "code"),
    [
        ("Original", "100"),
        ("Modification", "150"),
        ("Réduction", "200"),
        ("Report exercice suivant (engagements)", "350"),
        ("Ajustement par pièce suivante", "500"),
        ("Changement d'imputation émetteur", "600"),
        ("Changement d'imputation récepteur", "650"),
    ],
)
def test_amount_type_label_alone_gives_its_code(libelle, code):
    modele = [(e, c) for e, c in g.ENTETES_51 if e != "Type de montant.1"]
    contenu = g.csv_journal([_ligne(libelle_type=libelle)], modele, total=False)
    assert fichiers.lire("jp51.csv", contenu).lignes[0].type_montant == code


def test_an_ods_written_by_odfpy_is_read():
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = Table(name="jp57")
    for rang in (
        [e for e, _c in g.ENTETES_57],
        [
            g._valeur(_ligne(montant=D("-20.5")), c) if c != "montant" else D("-20.5")
            for _e, c in g.ENTETES_57
        ],
    ):
        tr = TableRow()
        for v in rang:
            if isinstance(v, Decimal | int):
                cell = TableCell(valuetype="float", value=str(v))
            elif isinstance(v, dt.date):
                cell = TableCell(valuetype="date", datevalue=v.isoformat())
            else:
                cell = TableCell(valuetype="string")
            cell.addElement(P(text=str(v)))
            tr.addElement(cell)
        table.addElement(tr)
    doc.spreadsheet.addElement(table)
    tampon = io.BytesIO()
    doc.write(tampon)
    journal = fichiers.lire("jp57.ods", tampon.getvalue())
    assert journal.format == "ods"
    [ligne] = journal.lignes
    assert (ligne.montant, ligne.date, ligne.ej) == (D("-20.50"), dt.date(2025, 3, 1), "1300000001")


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [("1 234,56", "1234.56"), ("-1234.5", "-1234.50"), ("1.234,56-", "-1234.56"), ("12", "12.00")],
)
def test_amounts_as_exports_write_them(texte, attendu):
    assert fichiers.montant(texte) == D(attendu)


@pytest.mark.parametrize(
    ("nombre", "attendu"), [(19000.5, "19000.50"), (2.675, "2.67"), (-0.004, "0.00"), (12, "12.00")]
)
def test_spreadsheet_numbers_are_rounded_to_the_cent(nombre, attendu):
    assert fichiers.montant(nombre) == D(attendu)


def test_amount_type_code_under_a_longer_heading_is_read():
    modele = [(e, c) for e, c in g.ENTETES_51 if not e.startswith("Type de montant")]
    modele.append(("Type de montant (code)", "type"))
    journal = fichiers.lire("jp51.csv", g.csv_journal([_ligne(type="150")], modele, total=False))
    assert journal.nature == "engagements"
    assert journal.colonnes.reconnues["type_montant"] == "Type de montant (code)"
    assert [ligne.type_montant for ligne in journal.lignes] == ["150"]


def test_an_unreadable_year_is_named_in_french():
    contenu = g.csv_journal([_ligne(exercice="vingt")], g.entetes(g.ENTETES_51), total=False)
    with pytest.raises(FichierIllisible, match="exercice comptable illisible « vingt »"):
        fichiers.lire("jp51.csv", contenu)


def test_a_file_that_is_not_a_journal_is_refused_in_french():
    with pytest.raises(FichierIllisible, match="n'est pas un journal CHORUS reconnu"):
        fichiers.lire("notes.csv", "nom;prénom\nDupont;Jean\n".encode())


def test_a_missing_required_column_is_named():
    modele = [(e, c) for e, c in g.ENTETES_51 if not e.startswith("Centre financier")]
    with pytest.raises(FichierIllisible, match="colonnes introuvables : « Centre financier »"):
        fichiers.lire("jp51.csv", g.csv_journal([_ligne()], modele))


def test_unreadable_lines_refuse_the_whole_file_with_their_numbers():
    contenu = g.csv_journal(
        [_ligne(), _ligne(montant="douze"), _ligne(type="999", libelle_type="?")],
        g.entetes(g.ENTETES_51),
        total=False,
    )
    with pytest.raises(FichierIllisible) as exc:
        fichiers.lire("jp51.csv", contenu)
    assert "ligne 5 : montant illisible « douze »" in exc.value.message
    assert "ligne 6 : type de montant inconnu « 999 »" in exc.value.message
    assert "Rien n'a été enregistré" in exc.value.message


def test_a_damaged_workbook_is_refused_in_french():
    contenu = g.xlsx_journal([_ligne()], g.entetes(g.ENTETES_51))
    with pytest.raises(FichierIllisible, match="abîmé"):
        fichiers.lire("jp51.xlsx", contenu[: len(contenu) // 2])
    with pytest.raises(FichierIllisible, match="vide"):
        fichiers.lire("vide.csv", b"")


def test_the_file_name_never_chooses_the_format():
    contenu = g.csv_journal([_ligne()], g.entetes(g.ENTETES_51))
    assert fichiers.lire("journal.xlsx", contenu).format == "csv"
