from django.urls import re_path
from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.include_root_view = False
router.trailing_slash = "/?"  # the constructor coerces it to "/"
router.register("mises-a-disposition", api.MiseADispositionViewSet, basename="mise-a-disposition")
router.register("engagements", api.EngagementViewSet, basename="engagement")
router.register("services-faits", api.ServiceFaitViewSet, basename="service-fait")
router.register(
    "propositions-services-faits", api.PropositionViewSet, basename="proposition-service-fait"
)
router.register("paiements", api.PaiementViewSet, basename="paiement")
router.register("reports", api.ReportViewSet, basename="report")
router.register("reductions", api.ReductionViewSet, basename="reduction")
router.register(
    "informations-delegant", api.InformationDelegantViewSet, basename="information-delegant"
)
router.register("titulaires", api.TitulaireViewSet, basename="titulaire")
router.register("marches", api.MarcheViewSet, basename="marche")

urlpatterns = [
    re_path(
        r"^conventions/(?P<pk>\d+)/situation/?$",
        api.SituationView.as_view(),
        name="situation-convention",
    ),
    re_path(
        r"^conventions/(?P<id>\d+)/fin/$", api.FinConventionView.as_view(), name="fin-convention"
    ),
    re_path(
        r"^conventions/(?P<id>\d+)/cloturer/$",
        api.ClotureView.as_view(),
        name="cloturer-convention",
    ),
    *router.urls,
]
