from __future__ import annotations

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from delegations.core.acces import RequeteAuthentifiee, ecriture_requise, exiger_ecriture
from delegations.core.errors import RegleMetierError
from delegations.core.models import historique

from . import ecriture
from .filtres import FiltresProduits
from .forms import PhaseForm, ProduitForm
from .models import PhaseProduit, Produit

PAR_PAGE = 20


ECRITURE = "Seuls les agents finance de la DINUM peuvent modifier les produits."
ecrire = ecriture_requise(ECRITURE)


def _produit_visible(request: HttpRequest, pk: int) -> Produit:
    return get_object_or_404(
        Produit.objects.visibles_par(request.user).prefetch_related("phases"), pk=pk
    )


def panneaux() -> list[str]:
    """Templates other apps add to the product page (``panneaux_produit`` on their AppConfig)."""
    return [t for config in apps.get_app_configs() for t in getattr(config, "panneaux_produit", ())]


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    phase = request.GET.get("phase", "")
    visibles = Produit.objects.visibles_par(request.user).prefetch_related("phases")
    qs = FiltresProduits(request.GET, queryset=visibles).qs
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "produits/liste.html",
        {
            "title": "Produits",
            "breadcrumb_data": {"links": [], "current": "Produits"},
            "page_obj": page,
            "q": q,
            "phase": phase,
            "phases": PhaseProduit.choices,
        },
    )


@login_required
def detail(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    produit = _produit_visible(request, pk)
    convention_model = apps.get_model("conventions", "Convention")
    conventions = (
        convention_model.objects.visibles_par(request.user)
        .filter(produits=produit)
        .select_related("delegant")
        .prefetch_related(Prefetch("avenants"))
    )
    return render(
        request,
        "produits/detail.html",
        {
            "title": produit.nom,
            "produit": produit,
            "phases": produit.phases_ordonnees(),
            "conventions": conventions,
            "panneaux": panneaux(),
            "historique": historique(produit)[:30],
            "phase_form": PhaseForm(),
            "breadcrumb_data": {
                "links": [{"url": reverse("produits:liste"), "title": "Produits"}],
                "current": produit.nom,
            },
        },
    )


@ecrire
def _formulaire(request: RequeteAuthentifiee, produit: Produit | None) -> HttpResponse:
    form = ProduitForm(request.POST or None, instance=produit)
    if request.method == "POST" and form.is_valid():
        obj = ecriture.enregistrer_produit(
            form.save(commit=False),
            request.user,
            {k: form.cleaned_data[k] for k in form.changed_data},
        )
        messages.success(request, "Produit enregistré.")
        return redirect("produits:detail", pk=obj.pk)
    titre = f"Modifier {produit}" if produit else "Nouveau produit"
    return render(
        request,
        "produits/formulaire.html",
        {
            "title": titre,
            "form": form,
            "produit": produit,
            "breadcrumb_data": {
                "links": [{"url": reverse("produits:liste"), "title": "Produits"}],
                "current": titre,
            },
        },
    )


@login_required
def creer(request: RequeteAuthentifiee) -> HttpResponse:
    return _formulaire(request, None)


@login_required
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    return _formulaire(request, _produit_visible(request, pk))


@login_required
def phase_ajouter(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    produit = _produit_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = PhaseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ecriture.ajouter_phase(produit, request.user, **form.cleaned_data)
        except RegleMetierError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Phase ajoutée à l'historique.")
    elif request.method == "POST":
        messages.error(request, "Phase non enregistrée : vérifiez la phase et la date.")
    return redirect("produits:detail", pk=produit.pk)
