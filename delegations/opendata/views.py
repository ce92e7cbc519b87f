"""Public pages: the published conventions, the data package, the statistics. No login required."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.cache import cache_control
from django.views.decorators.http import condition

from delegations.core.fichiers import nom_affiche, type_reel
from delegations.core.limites import limite_par_adresse
from delegations.core.models import Administration

from . import paquet, publication
from .donnees import (
    conventions_publiees,
    documents_disponibles,
    identifiant,
    ligne_convention,
    lignes_avenants,
    pour_publication,
)
from .filtres import STATUTS_PUBLICS, FiltresPubliques
from .models import Publication

PAR_PAGE = 20


@limite_par_adresse
def conventions(request: HttpRequest) -> HttpResponse:
    publiees = conventions_publiees()
    qs = FiltresPubliques(request.GET, queryset=pour_publication(publiees)).qs
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    lignes = [{"convention": c, "ligne": ligne_convention(c)} for c in page]
    delegants = Administration.objects.filter(pk__in=publiees.values("delegant")).order_by("nom")
    programmes = sorted(
        set(publiees.exclude(programme="").values_list("programme", flat=True)), key=int
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "opendata/conventions.html",
        {
            "title": "Conventions publiées",
            "breadcrumb_data": {
                "links": [],
                "current": "Conventions de délégation de gestion publiées",
            },
            "page_obj": page,
            "lignes": lignes,
            "delegants": delegants,
            "programmes": programmes,
            "statuts": STATUTS_PUBLICS,
            "params": request.GET,
            "query_string": params.urlencode(),
        },
    )


@limite_par_adresse
def convention(request: HttpRequest, pk: int) -> HttpResponse:
    conv = get_object_or_404(pour_publication(conventions_publiees()), pk=pk)
    ligne = ligne_convention(conv)
    return render(
        request,
        "opendata/convention.html",
        {
            "title": f"Convention {identifiant(conv)}",
            "convention": conv,
            "ligne": ligne,
            "avenants": lignes_avenants(conv, ligne),
            "consolide": conv.echeancier_consolide(),
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("opendata:conventions"), "title": "Conventions publiées"}
                ],
                "current": f"Convention {identifiant(conv)}",
            },
        },
    )


def _etag(request: HttpRequest, *args: Any, **kwargs: Any) -> str | None:
    publication = publication_servie(request)
    return f'"{publication.version}"' if publication else None


def _date(request: HttpRequest, *args: Any, **kwargs: Any) -> dt.datetime | None:
    publication = publication_servie(request)
    return publication.publiee_le if publication else None


def publication_servie(request: HttpRequest) -> Publication | None:
    """The newest publication, read once per request; none yet: one is asked for."""
    if not hasattr(request, "_publication"):
        request._publication = publication.derniere()  # type: ignore[attr-defined]
        if request._publication is None:  # type: ignore[attr-defined]
            publication.demander()
    return request._publication  # type: ignore[attr-defined]


def _en_preparation() -> HttpResponse:
    reponse = HttpResponse(
        "Les données ouvertes sont en cours de préparation : revenez dans quelques minutes.",
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    reponse["Retry-After"] = "120"
    return reponse


@limite_par_adresse
@cache_control(max_age=300, public=True)
@condition(etag_func=_etag, last_modified_func=_date)
def paquet_zip(request: HttpRequest) -> HttpResponse:
    servie = publication_servie(request)
    if servie is None:
        return _en_preparation()
    reponse = HttpResponse(
        publication.lire(servie, publication.FICHIER_ZIP), content_type="application/zip"
    )
    reponse["Content-Disposition"] = f'attachment; filename="{paquet.NOM_PAQUET}.zip"'
    return reponse


@limite_par_adresse
@cache_control(max_age=300, public=True)
@condition(etag_func=_etag, last_modified_func=_date)
def fichier(request: HttpRequest, nom: str) -> HttpResponse:
    if nom not in paquet.FICHIERS:
        raise Http404("Fichier inconnu.")
    servie = publication_servie(request)
    if servie is None:
        return _en_preparation()
    type_mime = "application/json" if nom.endswith(".json") else "text/csv"
    reponse = HttpResponse(
        publication.lire(servie, nom), content_type=f"{type_mime}; charset=utf-8"
    )
    reponse["Content-Disposition"] = f'inline; filename="{nom}"'
    return reponse


@limite_par_adresse
@cache_control(max_age=300, public=True)
@condition(etag_func=_etag, last_modified_func=_date)
def statistiques(request: HttpRequest) -> HttpResponse:
    """Served from the last publication: no request reads the whole register."""
    servie = publication_servie(request)
    contenu = (
        mark_safe(publication.lire(servie, publication.FICHIER_STATS).decode()) if servie else ""
    )  # noqa: S308 -- rendered by our template
    return render(
        request,
        "opendata/stats.html",
        {
            "title": "Statistiques",
            "contenu": contenu,
            "breadcrumb_data": {"links": [], "current": "Statistiques"},
        },
    )


@limite_par_adresse
def document(request: HttpRequest, pk: int) -> FileResponse:
    """The original document of a published convention or amendment (public, like the
    convention), as a PDF attachment."""
    if not documents_disponibles():
        raise Http404("Document indisponible.")
    from delegations.lecture.models import Document

    doc = get_object_or_404(Document, pk=pk, convention__in=conventions_publiees())
    flux = doc.fichier.open("rb")
    if type_reel(flux) != ".pdf":
        # Public documents are PDFs only, proved by their content (never HTML, SVG or text
        # that a browser could run).
        flux.close()
        raise Http404("Document indisponible.")
    nom = nom_affiche(doc.nom_original, ".pdf")
    return FileResponse(flux, as_attachment=True, filename=nom, content_type="application/pdf")
