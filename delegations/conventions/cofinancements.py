"""Co-financings a convention states (other funding of the same work: « la DINUM participe à
hauteur de 50 000 € au titre du FAST »): kept in the register as a list of
``{"financeur", "montant", "objet"}`` (the extraction contract's shape, amount as a decimal
string), typed on the pages as one line each: « financeur ; montant ; objet »."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError

from delegations.core.formats import nombre_fr
from delegations.core.forms import lire_montant

MAX_FINANCEUR = 200
MAX_OBJET = 2000
MAX_MONTANT = Decimal("999999999999.99")


def _montant(valeur: Any, rang: int) -> Decimal:
    if isinstance(valeur, Decimal | int):
        montant = Decimal(valeur)
    else:
        texte = str(valeur or "").strip()
        try:
            montant = Decimal(texte) if texte.replace(".", "", 1).isdigit() else lire_montant(texte)
        except (InvalidOperation, ValidationError) as exc:
            raise ValidationError(
                f"Cofinancement {rang} : montant « {texte[:40]} » illisible "
                "(par exemple 50 000,00)."
            ) from exc
    if not montant.is_finite() or montant < 0 or montant > MAX_MONTANT:
        raise ValidationError(f"Cofinancement {rang} : le montant doit être positif.")
    return montant.quantize(Decimal("0.01"))


def valider(elements: Any) -> list[dict[str, str]]:
    """The co-financings in the register's shape, or a French ``ValidationError``."""
    if elements in (None, ""):
        return []
    if not isinstance(elements, list):
        raise ValidationError("Les cofinancements sont une liste.")
    propres: list[dict[str, str]] = []
    for rang, element in enumerate(elements, start=1):
        if not isinstance(element, dict):
            raise ValidationError(
                f"Cofinancement {rang} : attendu un financeur, un montant et un objet."
            )
        financeur = " ".join(str(element.get("financeur") or "").split())
        if not financeur:
            raise ValidationError(f"Cofinancement {rang} : indiquez le financeur.")
        if len(financeur) > MAX_FINANCEUR:
            raise ValidationError(
                f"Cofinancement {rang} : le financeur a au plus {MAX_FINANCEUR} caractères."
            )
        objet = " ".join(str(element.get("objet") or "").split())[:MAX_OBJET]
        montant = _montant(element.get("montant"), rang)
        item = {"financeur": financeur, "montant": str(montant), "objet": objet}
        if item not in propres:
            propres.append(item)
    return propres


def depuis_texte(texte: str) -> list[dict[str, str]]:
    """One co-financing per line: « financeur ; montant ; objet » (the object may be left out)."""
    elements = []
    lignes = [ligne for ligne in (texte or "").splitlines() if ligne.strip()]
    for rang, ligne in enumerate(lignes, start=1):
        morceaux = [m.strip() for m in ligne.split(";", 2)]
        if len(morceaux) < 2:
            raise ValidationError(
                f"Ligne {rang} : écrivez « financeur ; montant ; objet », par exemple "
                "« DINUM ; 50 000,00 ; FAST »."
            )
        elements.append(
            {"financeur": morceaux[0], "montant": morceaux[1], "objet": "".join(morceaux[2:])}
        )
    return valider(elements)


def en_texte(elements: Any) -> str:
    lignes = []
    for e in elements or []:
        if isinstance(e, dict):
            montant = nombre_fr(Decimal(str(e.get("montant") or "0")))
            ligne = f"{e.get('financeur', '')} ; {montant}"
            lignes.append(f"{ligne} ; {e['objet']}" if e.get("objet") else ligne)
    return "\n".join(lignes)


def total(elements: Any) -> Decimal:
    return sum(
        (Decimal(str(e.get("montant") or "0")) for e in elements or [] if isinstance(e, dict)),
        Decimal("0.00"),
    )
