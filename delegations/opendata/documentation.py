"""API documentation page (Swagger UI) whose assets are served by the application, never by a CDN.

The assets come from the ``drf-spectacular-sidecar`` package. When it is in INSTALLED_APPS, the
static files pipeline serves them; until then a small view streams the whitelisted files from
the installed package.
"""

from __future__ import annotations

import mimetypes
from importlib import util
from pathlib import Path
from typing import Any, ClassVar

from django.apps import apps
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request

FICHIERS = {
    "swagger-ui.css",
    "swagger-ui-bundle.js",
    "swagger-ui-standalone-preset.js",
    "favicon-32x32.png",
}


def dossier_sidecar() -> Path | None:
    spec = util.find_spec("drf_spectacular_sidecar")
    if spec is None or not spec.submodule_search_locations:
        return None
    return (
        Path(next(iter(spec.submodule_search_locations)))
        / "static"
        / "drf_spectacular_sidecar"
        / "swagger-ui-dist"
    )


def url_ressource(nom: str) -> str:
    if apps.is_installed("drf_spectacular_sidecar"):
        return static(f"drf_spectacular_sidecar/swagger-ui-dist/{nom}")
    return reverse("api:docs_ressource", args=[nom])


@extend_schema(exclude=True)
class DocumentationView(SpectacularSwaggerSplitView):
    """Swagger UI over /api/v1/openapi.json. Its start-up script is served by the same view
    (``?script``), not inline, so the Content-Security-Policy needs no 'unsafe-inline'."""

    url_name = "api:openapi"
    title = "Documentation de l'API Délégations"
    permission_classes = [AllowAny]

    @staticmethod
    def _swagger_ui_resource(filename: str) -> str:
        return url_ressource(filename)

    @staticmethod
    def _swagger_ui_favicon() -> str:
        return url_ressource("favicon-32x32.png")


@cache_control(max_age=86400, public=True)
def ressource(request: HttpRequest, nom: str) -> FileResponse:
    dossier = dossier_sidecar()
    if nom not in FICHIERS or dossier is None or not (dossier / nom).is_file():
        raise Http404("Ressource inconnue.")
    type_mime = mimetypes.guess_type(nom)[0] or "application/octet-stream"
    return FileResponse((dossier / nom).open("rb"), content_type=type_mime)


class SchemaOpenAPI(SpectacularJSONAPIView):
    """/api/v1/openapi.json, generated and rendered once per process (and version, language and
    media type): the schema depends on the code, not on the request, the user (served public)
    nor the data, and generating it walks every view and serializer (about a second on this
    machine), rendering it some tens of milliseconds."""

    _rendus: ClassVar[dict[tuple[Any, ...], bytes]] = {}

    def _get_schema_response(self, request: Request) -> HttpResponse:  # type: ignore[override]
        version = self.api_version or request.version or self._get_version_parameter(request)
        rendu = request.accepted_renderer  # type: ignore[attr-defined]
        type_media = request.accepted_media_type  # type: ignore[attr-defined]
        cle = (version, translation.get_language(), self.serve_public, type_media)
        contenu = self._rendus.get(cle)
        if contenu is None:
            generateur = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = generateur.get_schema(request=request, public=self.serve_public)
            brut = rendu.render(schema, type_media, {"request": request, "view": self})
            contenu = self._rendus[cle] = brut.encode() if isinstance(brut, str) else brut
        if rendu.charset:
            type_media = f"{type_media}; charset={rendu.charset}"
        return HttpResponse(
            contenu,
            content_type=type_media,
            headers={
                "Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'
            },
        )
