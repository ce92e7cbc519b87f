"""OpenAPI post-processing: document the error answers every operation may give.

To register in settings (lead): SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"] =
["drf_spectacular.hooks.postprocess_schema_enums", "delegations.opendata.schema.documenter_erreurs"].
"""

from __future__ import annotations

import re
from typing import Any

from delegations.core.api import REGLE

ERREUR = {
    "type": "object",
    "description": "Erreur : « detail » (accès, introuvable), « code » et « message » (règle métier refusée) "
    "ou, pour une saisie invalide, un message par champ.",
    "properties": {
        "detail": {"type": "string", "example": "Pas trouvé."},
        "code": {"type": "string", "example": "credits_insuffisants"},
        "message": {
            "type": "string",
            "example": "Crédits insuffisants : 12 000,00 € demandés, 8 500,00 € d'AE "
            "disponibles pour 2024 sur la convention DEMO-2024-05.",
        },
    },
    "additionalProperties": True,
}
REPONSES = {
    "400": "Requête invalide ou règle métier refusée.",
    "401": "Authentification requise (en-tête « Authorization: Token <jeton> »).",
    "403": "Action réservée (par exemple aux agents finance).",
    "404": "Introuvable, hors de votre périmètre, ou page de résultats au-delà de la dernière.",
}
# Writes may also be refused by the state of the data: {code, message}.
REPONSES_ECRITURE = {
    "409": "Refusé par l'état des données (statut, objet déjà existant, relevé finalisé…) : "
    "« code » et « message ».",
}


def _decimaux_exacts(noeud: Any) -> None:
    """DRF documents an amount as ``^-?\\d{0,13}(?:\\.\\d{0,2})?$``, which also matches "", "-"
    and ".": the server refuses those (400), so the schema says at least one digit."""
    if isinstance(noeud, dict):
        motif = noeud.get("pattern")
        if noeud.get("format") == "decimal" and isinstance(motif, str):
            noeud["pattern"] = re.sub(
                r"\\d\{0,(\d+)\}\(\?:\\\.\\d\{0,(\d+)\}\)\?",
                r"\\d{1,\1}(?:\\.\\d{1,\2})?",
                motif,
            )
        for valeur in noeud.values():
            _decimaux_exacts(valeur)
    elif isinstance(noeud, list):
        for valeur in noeud:
            _decimaux_exacts(valeur)


def _binaire(noeud: Any, schemas: dict[str, Any], vus: frozenset[str] = frozenset()) -> bool:
    """Whether a request schema carries a file (``format: binary``), following references."""
    if isinstance(noeud, dict):
        if noeud.get("format") == "binary":
            return True
        ref = noeud.get("$ref")
        if isinstance(ref, str) and ref not in vus:
            return _binaire(schemas.get(ref.rsplit("/", 1)[-1], {}), schemas, vus | {ref})
        return any(_binaire(v, schemas, vus) for v in noeud.values())
    if isinstance(noeud, list):
        return any(_binaire(v, schemas, vus) for v in noeud)
    return False


def _corps_json(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A body without a file is documented as JSON only (forms cannot carry null nor nested
    lists: a valid JSON body could not be sent as a form); one with a file as multipart only."""
    contenu = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in contenu or len(contenu) < 2:
        return
    if _binaire(contenu["application/json"], schemas):
        garde = "multipart/form-data"
    else:
        garde = "application/json"
    if garde in contenu:
        operation["requestBody"]["content"] = {garde: contenu[garde]}


def _formulaire_sans_null(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """A form (multipart) field cannot carry JSON's null: an optional field is left out instead.
    The form's properties are documented without ``nullable`` (a client sending the text "null"
    for a date or an identifier gets a 400)."""
    formulaire = operation.get("requestBody", {}).get("content", {}).get("multipart/form-data")
    if not formulaire:
        return
    schema = formulaire.get("schema", {})
    ref = schema.get("$ref")
    if isinstance(ref, str):
        schema = schemas.get(ref.rsplit("/", 1)[-1], {})
    for propriete in schema.get("properties", {}).values():
        propriete.pop("nullable", None)


def documenter_erreurs(
    result: dict[str, Any], generator: Any = None, request: Any = None, public: bool = True
) -> dict[str, Any]:
    result.setdefault("components", {}).setdefault("schemas", {}).setdefault("Erreur", ERREUR)
    for composant in result["components"]["schemas"].values():
        # The cross-field rules serializers declare (core.api.regle_de_saisie).
        composant.update(composant.pop(REGLE, {}))
    _decimaux_exacts(result.get("components", {}).get("schemas", {}))
    for chemin in result.get("paths", {}).values():
        for parametre in [
            p for op in chemin.values() if isinstance(op, dict) for p in op.get("parameters", [])
        ]:
            # Integer path segments are matched by \d+ in the URLs: negative ids never reach the API.
            if (
                parametre.get("in") == "path"
                and parametre.get("schema", {}).get("type") == "integer"
            ):
                parametre["schema"].setdefault("minimum", 0)
        for methode, operation in chemin.items():
            if methode not in ("get", "post", "put", "patch", "delete") or not isinstance(
                operation, dict
            ):
                continue
            _corps_json(operation, result.get("components", {}).get("schemas", {}))
            _formulaire_sans_null(operation, result.get("components", {}).get("schemas", {}))
            reponses = operation.setdefault("responses", {})
            securise = operation.get("security", result.get("security")) not in (None, [], [{}])
            ecriture = methode in ("post", "put", "patch", "delete")
            for code, description in (
                REPONSES | REPONSES_ECRITURE if ecriture else REPONSES
            ).items():
                if code in ("401", "403") and not securise:
                    continue
                reponses.setdefault(
                    code,
                    {
                        "description": description,
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Erreur"}}
                        },
                    },
                )
    return result
