"""Pages: "Mes traitements" (the user's tasks) and a task's progress, polled by htmx."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import NoReverseMatch, reverse

from delegations.core.acces import RequeteAuthentifiee

from .models import Statut, Tache
from .registre import declaration

PAR_PAGE = 25


def page_resultat(tache: Tache) -> str | None:
    """Where the app that declared the task shows its result (None: nothing to show)."""
    decl = declaration(tache)
    if tache.statut != Statut.TERMINEE or decl is None or not decl.page_resultat:
        return None
    try:
        return reverse(decl.page_resultat, args=[tache.pk])
    except NoReverseMatch:
        return None


def _tache(request: HttpRequest, pk: object) -> Tache:
    return get_object_or_404(Tache.objects.visibles_par(request.user), pk=pk)


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    qs = Tache.objects.filter(proprietaire_id=request.user.pk).order_by("-cree_le")
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    lignes = [(t, page_resultat(t)) for t in page.object_list]
    return render(
        request,
        "taches/liste.html",
        {
            "title": "Mes traitements",
            "breadcrumb_data": {"links": [], "current": "Mes traitements"},
            "page_obj": page,
            "lignes": lignes,
            "en_cours": any(not t.finie for t in page.object_list),
        },
    )


@login_required
def detail(request: RequeteAuthentifiee, pk: object) -> HttpResponse:
    tache = _tache(request, pk)
    return render(
        request,
        "taches/detail.html",
        {
            "title": tache.libelle,
            "tache": tache,
            "resultat_url": page_resultat(tache),
            "rediriger": True,
            "breadcrumb_data": {
                "links": [{"url": reverse("taches:liste"), "title": "Mes traitements"}],
                "current": tache.libelle,
            },
        },
    )


@login_required
def progression(request: RequeteAuthentifiee, pk: object) -> HttpResponse:
    """The progress fragment; once the task is done, htmx is sent to its result page."""
    tache = _tache(request, pk)
    resultat_url = page_resultat(tache)
    rediriger = request.GET.get("rediriger") == "1"
    reponse = render(
        request,
        "taches/_progression.html",
        {"tache": tache, "resultat_url": resultat_url, "rediriger": rediriger},
    )
    if rediriger and resultat_url and request.headers.get("HX-Request"):
        reponse["HX-Redirect"] = resultat_url
    return reponse


@login_required
def fichier(request: RequeteAuthentifiee, pk: object) -> FileResponse:
    tache = _tache(request, pk)
    if not tache.fichier or tache.statut != Statut.TERMINEE:
        raise Http404("Ce traitement n'a pas produit de fichier.")
    return FileResponse(
        tache.fichier.open("rb"), as_attachment=True, filename=tache.nom_fichier or "resultat"
    )
