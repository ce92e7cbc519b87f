"""API of the journal: POST records a movement through ``mouvements`` (rules → 400 {code, message}),
GET lists movements of the user's perimeter. Journal rows are never changed: PUT, PATCH and DELETE
answer 405, except PATCH of an order's ``numero_ej`` or a payment's ``numero_piece`` (a CHORUS
reference, never an amount: ``references``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from delegations.conventions.api import REFUS
from delegations.conventions.api import conventions_visibles as conventions_lues
from delegations.conventions.serializers import ConventionSerializer
from delegations.core.acces import peut_ecrire, utilisateur
from delegations.core.api import ENTIER_MAX, EcritureFinance, entiers
from delegations.produits.models import Produit

from . import cloture, mouvements, references
from . import serializers as s
from .models import (
    Engagement,
    InformationDelegant,
    Marche,
    MiseADisposition,
    Paiement,
    PropositionServiceFait,
    Reduction,
    Report,
    ServiceFait,
    Titulaire,
)
from .perimetre import conventions_visibles, dans_le_perimetre, peut_proposer_service_fait
from .situation import situation_convention

# Integer filters of the journal lists and their bounds (declared in the schema, checked: 400).
BORNES = {"annee": (2000, 2100)}
IDENTIFIANT = (0, ENTIER_MAX)


def _entier(nom: str, description: str = "") -> OpenApiParameter:
    minimum, maximum = BORNES.get(nom, IDENTIFIANT)
    return OpenApiParameter(
        nom,
        {"type": "integer", "minimum": minimum, "maximum": maximum},
        description=description,
    )


def _seul_champ(nom: str) -> dict[str, Any]:
    """The PATCH body of a CHORUS reference: that field alone, required (any other key: 400)."""
    return {
        "type": "object",
        "properties": {nom: {"type": "string", "maxLength": 30}},
        "required": [nom],
        "additionalProperties": False,
    }


FILTRES = [
    _entier("convention", "Identifiant de la convention"),
    _entier("annee", "Année budgétaire"),
]


def _convention(request: Request, pk: Any) -> Any:
    return get_object_or_404(conventions_visibles(request.user), pk=pk)


class JournalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read the movements of the perimeter; create goes through the write path."""

    permission_classes = [EcritureFinance]
    lookup_value_regex = r"\d+"
    model: Any = None
    entree: Any = None
    filtres: tuple[str, ...] = ("convention", "annee")
    filtres_texte: tuple[str, ...] = ()

    def get_queryset(self) -> QuerySet[Any]:
        qs = dans_le_perimetre(self.model.objects.all(), self.request.user).order_by("-date", "-id")
        if self.action != "list":
            return qs
        bornes = {champ: BORNES.get(champ, IDENTIFIANT) for champ in self.filtres}
        for champ, valeur in entiers(self.request, bornes).items():
            qs = qs.filter(**{champ: valeur})
        for champ in self.filtres_texte:
            if texte := self.request.query_params.get(champ, "").strip():
                qs = qs.filter(**{champ: texte})
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entree = self.entree(data=request.data)
        entree.is_valid(raise_exception=True)
        objet = self.enregistrer(request, dict(entree.validated_data))
        return Response(self.get_serializer(objet).data, status=status.HTTP_201_CREATED)

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:  # pragma: no cover
        raise NotImplementedError


@extend_schema_view(
    list=extend_schema(parameters=FILTRES, summary="Mises à disposition du périmètre"),
    create=extend_schema(
        request=s.MiseADispositionEntree, summary="Enregistrer une mise à disposition"
    ),
)
class MiseADispositionViewSet(JournalViewSet):
    serializer_class = s.MiseADispositionSerializer
    model = MiseADisposition
    entree = s.MiseADispositionEntree

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        convention = _convention(request, data.pop("convention"))
        return mouvements.mettre_a_disposition(convention, user=utilisateur(request), **data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *FILTRES,
            _entier("produit"),
            _entier("titulaire"),
            _entier("marche"),
            OpenApiParameter("numero_ej", OpenApiTypes.STR),
        ],
        summary="Bons de commande du périmètre",
    ),
    create=extend_schema(request=s.EngagementEntree, summary="Enregistrer un bon de commande"),
)
class EngagementViewSet(JournalViewSet):
    serializer_class = s.EngagementSerializer
    model = Engagement
    entree = s.EngagementEntree
    filtres = ("convention", "annee", "produit", "titulaire", "marche")
    filtres_texte = ("numero_ej",)

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        convention = _convention(request, data.pop("convention"))
        produit_id = data.pop("produit", None)
        produit = get_object_or_404(Produit, pk=produit_id) if produit_id else None
        return mouvements.engager(convention, produit=produit, user=utilisateur(request), **data)

    @extend_schema(
        request=s.SuiteCommandeEntree,
        responses={201: s.DecisionFinCommandeSerializer, **REFUS},
        summary="Suite d'un bon de commande ouvert à la fin de la convention",
        description="« solder » réduit le reste non certifié (nouvelle réduction) ; "
        "« maintenir » le garde, à certifier et payer dans la période. Une fois par bon de "
        "commande, après un préavis, « Terminer » ou la fin de la période (409 sinon).",
    )
    @action(detail=True, methods=["post"], url_path="suite")
    def suite(self, request: Request, pk: str | None = None) -> Response:
        engagement = self.get_object()
        entree = s.SuiteCommandeEntree(data=request.data)
        entree.is_valid(raise_exception=True)
        decision = cloture.decider_suite(
            engagement, user=utilisateur(request), **entree.validated_data
        )
        return Response(
            s.DecisionFinCommandeSerializer(decision).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(
        request={"application/json": _seul_champ("numero_ej")},
        summary="Renseigner le numéro d'EJ CHORUS (seul champ modifiable)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        engagement = self.get_object()
        entree = s.NumeroEjEntree(data=request.data)
        entree.is_valid(raise_exception=True)
        references.definir_numero_ej(
            engagement, entree.validated_data["numero_ej"], utilisateur(request)
        )
        return Response(self.get_serializer(engagement).data)


class ProposerOuCertifier(permissions.BasePermission):
    """Finance writes; an intrapreneur may POST a proposal (checked on the order in the view)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return bool(peut_ecrire(user) or getattr(user, "role", "") == "intrapreneur")


@extend_schema_view(
    list=extend_schema(
        parameters=[*FILTRES, _entier("engagement")],
        summary="Services faits du périmètre",
    ),
    create=extend_schema(
        request=s.ServiceFaitEntree,
        summary="Certifier un service fait (finance) ou le proposer (intrapreneur)",
    ),
)
class ServiceFaitViewSet(JournalViewSet):
    serializer_class = s.ServiceFaitSerializer
    model = ServiceFait
    entree = s.ServiceFaitEntree
    filtres = ("convention", "annee", "engagement")
    permission_classes = [ProposerOuCertifier]

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        entree = self.entree(data=request.data)
        entree.is_valid(raise_exception=True)
        data = dict(entree.validated_data)
        engagement = get_object_or_404(
            dans_le_perimetre(Engagement.objects.select_related("produit"), request.user),
            pk=data.pop("engagement"),
        )
        if peut_ecrire(request.user):
            data.pop("commentaire", None)
            sf = mouvements.certifier_service_fait(engagement, user=utilisateur(request), **data)
            return Response(
                s.ServiceFaitSerializer(sf, context={"request": request}).data,
                status=status.HTTP_201_CREATED,
            )
        if not peut_proposer_service_fait(request.user, engagement):
            raise PermissionDenied(
                "Seul l'intrapreneur du produit de ce bon de commande peut proposer un service fait."
            )
        prop = mouvements.proposer_service_fait(engagement, user=utilisateur(request), **data)
        return Response(
            s.PropositionSerializer(prop, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )


@extend_schema_view(list=extend_schema(summary="Propositions de service fait des intrapreneurs"))
class PropositionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PropositionSerializer
    permission_classes = [EcritureFinance]
    lookup_value_regex = r"\d+"

    def get_queryset(self) -> QuerySet[PropositionServiceFait]:
        propositions = PropositionServiceFait.objects.all()
        if self.action in ("list", "retrieve"):
            # Read-only actions read each status in the same query; the decisions change it.
            propositions = propositions.avec_statut()
        return dans_le_perimetre(
            propositions, self.request.user, "engagement__convention"
        ).order_by("-created_at", "-id")

    @extend_schema(
        request=None, responses=s.ServiceFaitSerializer, summary="Valider la proposition (finance)"
    )
    @action(detail=True, methods=["post"])
    def valider(self, request: Request, pk: str | None = None) -> Response:
        prop = get_object_or_404(self.get_queryset().select_related("engagement"), pk=pk)
        sf = mouvements.valider_proposition(prop, utilisateur(request))
        return Response(
            s.ServiceFaitSerializer(sf, context={"request": request}).data,
            status=status.HTTP_201_CREATED,
        )

    @extend_schema(
        request=s.RejetEntree,
        responses=s.PropositionSerializer,
        summary="Rejeter la proposition (finance)",
    )
    @action(detail=True, methods=["post"])
    def rejeter(self, request: Request, pk: str | None = None) -> Response:
        prop = get_object_or_404(self.get_queryset().select_related("engagement"), pk=pk)
        entree = s.RejetEntree(data=request.data)
        entree.is_valid(raise_exception=True)
        mouvements.rejeter_proposition(prop, utilisateur(request), entree.validated_data["motif"])
        return Response(s.PropositionSerializer(prop, context={"request": request}).data)


@extend_schema_view(
    list=extend_schema(
        parameters=[
            *FILTRES,
            _entier("service_fait"),
            OpenApiParameter("numero_piece", OpenApiTypes.STR),
        ],
        summary="Paiements du périmètre",
    ),
    create=extend_schema(request=s.PaiementEntree, summary="Enregistrer un paiement"),
)
class PaiementViewSet(JournalViewSet):
    serializer_class = s.PaiementSerializer
    model = Paiement
    entree = s.PaiementEntree
    filtres = ("convention", "annee", "service_fait")
    filtres_texte = ("numero_piece",)

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        sf = get_object_or_404(
            dans_le_perimetre(ServiceFait.objects.select_related("engagement"), request.user),
            pk=data.pop("service_fait"),
        )
        return mouvements.payer(sf, user=utilisateur(request), **data)

    @extend_schema(
        request={"application/json": _seul_champ("numero_piece")},
        summary="Renseigner le numéro de pièce de paiement CHORUS (seul champ modifiable)",
    )
    def partial_update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        paiement = self.get_object()
        entree = s.NumeroPieceEntree(data=request.data)
        entree.is_valid(raise_exception=True)
        references.definir_numero_piece(
            paiement, entree.validated_data["numero_piece"], utilisateur(request)
        )
        return Response(self.get_serializer(paiement).data)


@extend_schema_view(
    list=extend_schema(parameters=FILTRES, summary="Reports du périmètre"),
    create=extend_schema(
        request=s.ReportEntree, summary="Reporter des crédits sur l'année suivante"
    ),
)
class ReportViewSet(JournalViewSet):
    serializer_class = s.ReportSerializer
    model = Report
    entree = s.ReportEntree

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        convention = _convention(request, data.pop("convention"))
        return mouvements.reporter(convention, user=utilisateur(request), **data)


@extend_schema_view(
    list=extend_schema(
        parameters=[*FILTRES, _entier("engagement")],
        summary="Réductions du périmètre",
    ),
    create=extend_schema(request=s.ReductionEntree, summary="Réduire un bon de commande"),
)
class ReductionViewSet(JournalViewSet):
    serializer_class = s.ReductionSerializer
    model = Reduction
    entree = s.ReductionEntree
    filtres = ("convention", "annee", "engagement")

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        engagement = get_object_or_404(
            dans_le_perimetre(Engagement.objects.all(), request.user), pk=data.pop("engagement")
        )
        return mouvements.reduire(engagement, user=utilisateur(request), **data)


@extend_schema_view(
    list=extend_schema(
        parameters=FILTRES, summary="Informations du délégant (crédits insuffisants)"
    ),
    create=extend_schema(
        request=s.InformationDelegantEntree, summary="Crédits insuffisants — délégant informé"
    ),
)
class InformationDelegantViewSet(JournalViewSet):
    serializer_class = s.InformationDelegantSerializer
    model = InformationDelegant
    entree = s.InformationDelegantEntree

    def enregistrer(self, request: Request, data: dict[str, Any]) -> Any:
        convention = _convention(request, data.pop("convention"))
        return mouvements.informer_delegant(convention, user=utilisateur(request), **data)


class TitulaireViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.TitulaireSerializer
    permission_classes = [EcritureFinance]
    lookup_value_regex = r"\d+"
    queryset = Titulaire.objects.order_by("nom")


class MarcheViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    serializer_class = s.MarcheSerializer
    permission_classes = [EcritureFinance]
    lookup_value_regex = r"\d+"
    queryset = Marche.objects.prefetch_related("titulaires").order_by("numero")


def _json(valeur: Any) -> Any:
    if isinstance(valeur, Decimal):
        return f"{valeur:.2f}"
    if isinstance(valeur, dt.date):
        return valeur.isoformat()
    if isinstance(valeur, dict):
        return {k: _json(v) for k, v in valeur.items()}
    if isinstance(valeur, list):
        return [_json(v) for v in valeur]
    return valeur


class SituationView(APIView):
    """AE/CP scheduled, available, committed and paid per year; forecast and committee window."""

    permission_classes = [EcritureFinance]

    @extend_schema(responses=OpenApiTypes.OBJECT, summary="Situation d'exécution d'une convention")
    def get(self, request: Request, pk: int) -> Response:
        convention = _convention(request, pk)
        situation = situation_convention(convention)
        cles = ("annees", "epuisement_prevu", "fenetre_comite", "rythme_mensuel")
        return Response(_json({k: situation[k] for k in cles}))


class FinConventionView(APIView):
    """The end of a convention: open orders with what remains, final balance per year."""

    permission_classes = [EcritureFinance]

    @extend_schema(
        responses=s.FinConventionSerializer,
        summary="Fin d'une convention : bons de commande ouverts et bilan par année",
    )
    def get(self, request: Request, **kwargs: Any) -> Response:
        convention = _convention(request, kwargs["id"])
        donnees = {
            "fin_effective": convention.date_fin_effective,
            "commandes_ouvertes": cloture.commandes_ouvertes(convention),
            "bilan": cloture.bilan_final(convention),
        }
        return Response(s.FinConventionSerializer(donnees).data)


class ClotureView(APIView):
    """``POST /api/v1/conventions/{id}/cloturer/``: the transition ``cloturer`` with the
    restitution of the unused credits (``execution.cloture``)."""

    permission_classes = [EcritureFinance]

    @extend_schema(
        request=s.ClotureEntree,
        responses={200: ConventionSerializer, **REFUS},
        summary="Clôturer une convention (restitution des crédits non utilisés)",
        description="Une fois la période d'effet terminée (ou après « Terminer ») et les bons "
        "de commande soldés : les crédits non utilisés de chaque année sont enregistrés comme "
        "restitution, avec la décision du délégant (« restitution » ou « utilisation_decidee » "
        "et sa référence). Ensuite plus rien ne s'enregistre (409 « convention_cloturee »).",
    )
    def post(self, request: Request, **kwargs: Any) -> Response:
        convention = _convention(request, kwargs["id"])
        entree = s.ClotureEntree(data=request.data)
        entree.is_valid(raise_exception=True)
        cloture.cloturer(convention, user=utilisateur(request), **entree.validated_data)
        lue = conventions_lues(request.user).get(pk=convention.pk)
        return Response(ConventionSerializer(lue, context={"request": request}).data)
