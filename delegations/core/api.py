"""Shared API pieces: pagination, permissions, business-rule errors as {code, message}."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import RegexValidator
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.extensions import (
    OpenApiSerializerExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, permissions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.relations import ManyRelatedField
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from delegations.core.acces import peut_ecrire

from .errors import RegleMetierError

# The largest identifier a query may carry (bigint): a larger number answers 400, never reaches
# the database (OverflowError).
ENTIER_MAX = 2**63 - 1


class Pagination(PageNumberPagination):
    """``page`` (from 1; past the last page: 404) and ``taille`` (1 to 200; anything else: 400),
    both bounded in the schema."""

    page_size = 25
    page_size_query_param = "taille"
    max_page_size = 200

    def get_page_size(self, request: Request) -> int:
        brut = request.query_params.get(self.page_size_query_param)
        if brut is None:
            return self.page_size
        if not brut.isdigit() or not 1 <= int(brut) <= self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Nombre de résultats par page attendu entre 1 et {self.max_page_size}."
                    ]
                }
            )
        return int(brut)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parametres = super().get_schema_operation_parameters(view)
        for parametre in parametres:
            if parametre["name"] == self.page_query_param:
                parametre["schema"].update(minimum=1, maximum=ENTIER_MAX)
                parametre["description"] = "Numéro de la page (au-delà de la dernière : 404)."
            elif parametre["name"] == self.page_size_query_param:
                parametre["schema"].update(minimum=1, maximum=self.max_page_size)
                parametre["description"] = f"Résultats par page (1 à {self.max_page_size})."
        return parametres


@csrf_exempt  # nothing is written: a cookie without a CSRF token still gets the JSON 404
def introuvable(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any address under /api/v1/ that no operation matches: a JSON 404 (never an HTML page)."""
    return JsonResponse({"detail": "Introuvable."}, status=404)


def entiers(request: Request, bornes: dict[str, tuple[int, int]]) -> dict[str, int]:
    """The integer query parameters given among ``bornes`` (name → (min, max)); a value that is
    not an integer within its bounds answers 400 with a French message per parameter."""
    valeurs: dict[str, int] = {}
    erreurs: dict[str, list[str]] = {}
    for nom, (minimum, maximum) in bornes.items():
        brut = request.query_params.get(nom)
        if brut is None:
            continue
        texte = brut.strip()
        chiffres = texte[1:] if texte.startswith("-") else texte
        if not chiffres.isdigit() or not minimum <= int(texte) <= maximum:
            erreurs[nom] = [f"Nombre entier attendu entre {minimum} et {maximum}."]
        else:
            valeurs[nom] = int(texte)
    if erreurs:
        raise exceptions.ValidationError(erreurs)
    return valeurs


_TYPES_JSON_EXIGES = False


def exiger_les_types_json() -> None:
    """A JSON body is read as the schema types it: a text field takes a string (DRF would turn
    the number ``0`` into ``"0"``) and a list of identifiers a list (DRF would read an object as
    the list of its keys). Installed once on DRF's fields (``CoreConfig.ready``), so that every
    serializer, nested or not, refuses them with a 400 per field; form fields are strings anyway."""
    global _TYPES_JSON_EXIGES  # noqa: PLW0603 - installed once per process
    if _TYPES_JSON_EXIGES:
        return
    texte = serializers.CharField.to_internal_value
    liste = ManyRelatedField.to_internal_value

    def texte_strict(self: serializers.CharField, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return texte(self, data)

    def liste_stricte(self: ManyRelatedField, data: Any) -> Any:
        if isinstance(data, Mapping):
            self.fail("not_a_list", input_type=type(data).__name__)
        return liste(self, data)

    serializers.CharField.to_internal_value = texte_strict  # type: ignore[method-assign,assignment]
    ManyRelatedField.to_internal_value = liste_stricte  # type: ignore[method-assign,assignment]
    _TYPES_JSON_EXIGES = True


# A text that is not blank, in the schema (ECMA regex) and on the server (Python) alike: the
# characters DRF strips (Python's whitespace) and those ECMA counts as space (\ufeff) are blank.
NON_BLANC = re.compile(r"[^\s\x1c-\x1f\x85\ufeff]")


def non_blanc(texte: str | None) -> bool:
    return bool(texte and NON_BLANC.search(texte))


S = TypeVar("S", bound=type[serializers.BaseSerializer])
REGLE = "x-regle-de-saisie"


def regle_de_saisie(schema: dict[str, Any]) -> Callable[[S], S]:
    """Declares in the OpenAPI request schema of a serializer the cross-field rule its
    ``validate`` enforces (``anyOf``, ``oneOf``…), so that a body the schema accepts is one the
    server accepts. A partial update (PATCH) is not declared: there the rule is checked against
    the stored object, and its refusal is a 409."""

    def declarer(classe: S) -> S:
        def map_serializer(
            self: OpenApiSerializerExtension, auto_schema: Any, direction: Any
        ) -> Any:
            resultat = auto_schema._map_basic_serializer(self.target, direction)
            if direction == "request" and not getattr(self.target, "partial", False):
                # Merged into the component by the schema's last hook (REGLE), after
                # drf-spectacular's enum hook, which would turn the rule's enums into components.
                resultat[REGLE] = copy.deepcopy(schema)
            return resultat

        type(
            f"Regle{classe.__name__}",
            (OpenApiSerializerExtension,),
            {"target_class": classe, "map_serializer": map_serializer},
        )
        return classe

    return declarer


class MontantPositif(OpenApiSerializerFieldExtension):
    """A decimal field bounded below by zero (``min_value``) is documented without the minus
    sign drf-spectacular's pattern allows: the schema refuses the negative amounts the server
    refuses."""

    target_class = serializers.DecimalField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        minimum = self.target.min_value
        motif = schema.get("pattern")
        if minimum is not None and minimum >= 0 and isinstance(motif, str):
            schema["pattern"] = motif.replace("^-?", "^", 1)
        return schema


class TexteSansNul(OpenApiSerializerFieldExtension):
    """DRF refuses the NUL character in every text field (ProhibitNullCharactersValidator): a
    text field without a pattern of its own is documented with one that says so."""

    target_class = serializers.CharField

    def map_serializer_field(self, auto_schema: Any, direction: Any) -> Any:
        schema = auto_schema._map_serializer_field(self.target, direction, bypass_extensions=True)
        a_son_motif = "pattern" in schema or any(
            isinstance(v, RegexValidator) for v in self.target.validators
        )
        if direction == "request" and not a_son_motif and schema.get("type") == "string":
            # "+": a blank value is documented apart (drf-spectacular's oneOf with maxLength 0).
            schema["pattern"] = "^[^\\x00]+$"
        return schema


class EcritureFinance(permissions.BasePermission):
    """Everyone authenticated reads (within the perimeter); finance and admin write."""

    message = "Seuls les agents finance de la DINUM peuvent modifier le registre."

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return peut_ecrire(user)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, exceptions.Throttled):
        attente = int(getattr(exc, "wait", None) or 60)
        reponse = Response(
            {
                "code": "trop_de_requetes",
                "message": f"Trop de requêtes depuis votre adresse : réessayez dans {attente} s.",
            },
            status=status.HTTP_429_TOO_MANY_REQUESTS,
        )
        reponse["Retry-After"] = str(attente)
        return reponse
    if isinstance(exc, RegleMetierError):
        return Response(exc.as_dict(), status=exc.status_code)
    if isinstance(exc, exceptions.ValidationError) and _seulement(
        exc.get_codes(), {"unique", "does_not_exist"}
    ):
        # Another row already holds the value, or a well-formed identifier names no object: the
        # state of the data refuses it, not the input (malformed input elsewhere stays a 400).
        erreurs = _par_champ(exc.detail, exc.get_codes())
        if all(code == "unique" for _, _, code in erreurs):
            return Response(
                {"code": "deja_existant", "message": " ".join(m for _, m, _ in erreurs)},
                status=status.HTTP_409_CONFLICT,
            )
        return Response(
            {
                "code": "deja_existant"
                if any(code == "unique" for _, _, code in erreurs)
                else "reference_inconnue",
                "message": " ".join(f"« {champ} » : {message}" for champ, message, _ in erreurs),
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, exceptions.ParseError):
        json_invalide = "JSON" in str(exc.detail)
        return Response(
            {
                "code": "corps_illisible",
                "message": "Le corps de la requête n'est pas un JSON valide (NaN et Infinity n'en "
                "sont pas)."
                if json_invalide
                else "Le corps de la requête est illisible.",
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            return Response(exc.message_dict, status=status.HTTP_400_BAD_REQUEST)
        code = getattr(exc, "code", None) or "invalide"
        return Response(
            {"code": code, "message": " ".join(exc.messages)}, status=status.HTTP_400_BAD_REQUEST
        )
    return drf_exception_handler(exc, context)


def _seulement(codes: Any, admis: set[str]) -> bool:
    """Whether every error of a (nested) DRF error tree has one of the ``admis`` codes."""
    if isinstance(codes, dict):
        return bool(codes) and all(_seulement(c, admis) for c in codes.values())
    if isinstance(codes, list):
        return bool(codes) and all(_seulement(c, admis) for c in codes)
    return codes in admis


def _par_champ(detail: Any, codes: Any, chemin: str = "") -> list[tuple[str, str, str]]:
    """(dotted field path, message, code) for each error of a (nested) DRF error tree."""
    if isinstance(detail, dict):
        return [
            erreur
            for cle, valeur in detail.items()
            for erreur in _par_champ(valeur, codes[cle], f"{chemin}.{cle}" if chemin else str(cle))
        ]
    if isinstance(detail, list):
        return [
            erreur
            for valeur, code in zip(detail, codes, strict=True)
            for erreur in _par_champ(valeur, code, chemin)
        ]
    return [(chemin, str(detail), str(codes))]


@extend_schema_field({"type": "string", "format": "uri", "nullable": True})
class LienTelechargement(serializers.Field):
    """Read-only: the absolute URL of the page that serves an object's stored file (perimeter
    checked, as an attachment), or null when the object has no file."""

    def __init__(self, vue: str, **kwargs: Any) -> None:
        self.vue = vue
        kwargs.update(read_only=True, source="*", allow_null=True)
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str | None:
        champ = getattr(value, self.field_name or "")
        if not champ:
            return None
        lien = reverse(self.vue, args=[value.pk])
        requete = self.context.get("request")
        return requete.build_absolute_uri(lien) if requete is not None else lien
