"""Pages of the reference data: contractors (titulaires) and framework contracts (marchés).

Companies and contracts are not perimeter data: every signed-in user reads them; finance writes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from delegations.core.acces import RequeteAuthentifiee, ecriture_requise

from .forms import MarcheForm, TitulaireForm
from .models import Marche, Titulaire

ECRITURE = "Seuls les agents finance de la DINUM modifient le référentiel."
ecrire = ecriture_requise(ECRITURE)


@login_required
def referentiel(request: RequeteAuthentifiee) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    titulaires = Titulaire.objects.annotate(nb_commandes=Count("engagements")).order_by("nom")
    marches = Marche.objects.prefetch_related(
        Prefetch("titulaires", queryset=Titulaire.objects.order_by("nom"))
    ).order_by("numero")
    if q:
        titulaires = titulaires.filter(Q(nom__icontains=q) | Q(siret__icontains=q))
        marches = marches.filter(
            Q(numero__icontains=q) | Q(intitule__icontains=q) | Q(titulaires__nom__icontains=q)
        ).distinct()
    return render(
        request,
        "execution/referentiel.html",
        {
            "title": "Titulaires et marchés",
            "breadcrumb_data": {"links": [], "current": "Titulaires et marchés"},
            "q": q,
            "titulaires": Paginator(titulaires, 50).get_page(request.GET.get("page_t")),
            "marches": Paginator(marches, 50).get_page(request.GET.get("page_m")),
        },
    )


def _formulaire(request: HttpRequest, form: Any, titre: str, message: str) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, message)
        return redirect("execution:referentiel")
    return render(
        request,
        "execution/referentiel_formulaire.html",
        {
            "title": titre,
            "form": form,
            "breadcrumb_data": {
                "links": [{"url": "/execution/referentiel/", "title": "Titulaires et marchés"}],
                "current": titre,
            },
        },
    )


@login_required
@ecrire
def titulaire(request: RequeteAuthentifiee, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Titulaire, pk=pk) if pk else None
    form = TitulaireForm(request.POST or None, instance=instance)
    titre = f"Modifier {instance}" if instance else "Nouveau titulaire"
    return _formulaire(request, form, titre, "Titulaire enregistré.")


@login_required
@ecrire
def marche(request: RequeteAuthentifiee, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Marche, pk=pk) if pk else None
    form = MarcheForm(request.POST or None, instance=instance)
    titre = f"Modifier le marché {instance.numero}" if instance else "Nouveau marché"
    return _formulaire(request, form, titre, "Marché enregistré.")
