"""Spreadsheet safety shared by every export (reports, CHORUS, open data): a text that a
spreadsheet could take for a formula (starting with =, +, -, @, tab or carriage return) is
written as text — in CSV with a leading ``'``, in XLSX as a string cell, in ODS as a string
cell without formula."""

from __future__ import annotations

from typing import Any

DEBUTS_FORMULE = ("=", "+", "-", "@", "\t", "\r")


def formule_possible(texte: str) -> bool:
    return texte.startswith(DEBUTS_FORMULE)


def texte_csv(texte: str) -> str:
    """A CSV field: a possible formula gets the usual ``'`` so that it is read as text."""
    return "'" + texte if formule_possible(texte) else texte


def cellule_xlsx_texte(cellule: Any) -> None:
    """openpyxl makes a formula of any str starting with "=": the export never writes formulas,
    so such a cell is turned back into a string cell."""
    if cellule.data_type == "f":
        cellule.data_type = "s"
