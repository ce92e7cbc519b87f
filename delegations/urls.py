"""Root URLs. Each domain app owns ``urls.py`` (pages) and ``api_urls.py`` (under /api/v1/)."""

from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from delegations.core.api import introuvable
from delegations.opendata.documentation import SchemaOpenAPI

api_v1: list[URLPattern | URLResolver] = [
    # Specific routes first: the conventions router comes last.
    path("", include("delegations.taches.api_urls")),
    path("", include("delegations.lecture.api_urls")),
    path("", include("delegations.execution.api_urls")),
    path("", include("delegations.chorus.api_urls")),
    path("", include("delegations.produits.api_urls")),
    path("", include("delegations.comites.api_urls")),
    path("", include("delegations.echeances.api_urls")),
    path("", include("delegations.rapports.api_urls")),
    path("", include("delegations.redaction.api_urls")),
    path("", include("delegations.opendata.api_urls")),
    path("", include("delegations.conventions.api_urls")),
    path("openapi.json", SchemaOpenAPI.as_view(), name="openapi"),
    # Last: an address no operation matches answers a JSON 404, never the HTML page.
    re_path(r"", introuvable),
]

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include("delegations.core.urls")),
    path("taches/", include("delegations.taches.urls")),
    path("conventions/", include("delegations.conventions.urls")),
    path("lecture/", include("delegations.lecture.urls")),
    path("execution/", include("delegations.execution.urls")),
    path("chorus/", include("delegations.chorus.urls")),
    path("produits/", include("delegations.produits.urls")),
    path("comites/", include("delegations.comites.urls")),
    path("echeances/", include("delegations.echeances.urls")),
    path("rapports/", include("delegations.rapports.urls")),
    path("redaction/", include("delegations.redaction.urls")),
    path("", include("delegations.opendata.urls")),
    path("api/v1/", include((api_v1, "api"), namespace="api")),
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
]
# French error pages (delegations/templates/<code>.html); a 500 caused by an unreachable
# database answers the 503 page.
handler500 = "delegations.core.views.erreur_serveur"
# Stored files are never served from MEDIA_URL, even in development: each one goes through its
# app's view, which checks the perimeter and answers an attachment (core.fichiers.reponse_piece).
