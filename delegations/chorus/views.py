"""Pages: list of reconciliations, upload (finance), result per convention and year with the
differences to settle, comparison with the previous one, exports."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from delegations.conventions.models import Convention
from delegations.core.acces import RequeteAuthentifiee, ecriture_requise, exiger_ecriture
from delegations.core.errors import RegleMetierError
from delegations.execution.models import Engagement
from delegations.taches.models import Tache

from . import actions, exports, services, taches
from .forms import ExpliquerForm, RapprochementForm, RegulariserForm, RetirerExplicationForm
from .models import BilanConvention, Ecart, NatureEcart, Rapprochement, StatutEcart

PAR_PAGE = 25
ECARTS_PAR_PAGE = 50


ECRITURE = "Seuls les agents finance de la DINUM rapprochent CHORUS."
ecrire = ecriture_requise(ECRITURE)


def _fil(courant: str, rapprochement: Rapprochement | None = None) -> dict[str, Any]:
    liens = [{"url": reverse("chorus:liste"), "title": "Rapprochement CHORUS"}]
    if rapprochement is not None:
        liens.append(
            {"url": reverse("chorus:detail", args=[rapprochement.pk]), "title": str(rapprochement)}
        )
    return {"links": liens, "current": courant}


def _rapprochements(request: HttpRequest) -> QuerySet[Rapprochement]:
    return Rapprochement.objects.visibles_par(request.user)


def _visibles(request: HttpRequest) -> set[int] | None:
    return services.conventions_visibles_ids(request.user)


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    qs = _rapprochements(request).select_related("created_by")
    if q := request.GET.get("q", "").strip():
        qs = qs.filter(
            Q(sha256__istartswith=q)
            | Q(bilans__convention__reference__icontains=q)
            | Q(fichiers__icontains=q)
        ).distinct()
    visibles = Convention.objects.visibles_par(request.user).values("pk")
    bilans = BilanConvention.objects.filter(rapprochement=OuterRef("pk"))
    if not request.user.voit_tout:
        bilans = bilans.filter(convention__in=visibles)
    qs = qs.annotate(
        ecarts_visibles=Subquery(
            bilans.order_by().values("rapprochement").annotate(s=Sum("nb_ecarts")).values("s")[:1]
        ),
        conventions_visibles=Subquery(
            bilans.order_by()
            .values("rapprochement")
            .annotate(n=Count("convention", distinct=True))
            .values("n")[:1]
        ),
    )
    page = Paginator(qs.order_by("-created_at", "-id"), PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "chorus/liste.html",
        {
            "title": "Rapprochement CHORUS",
            "page_obj": page,
            "q": q,
            "breadcrumb_data": {"links": [], "current": "Rapprochement CHORUS"},
        },
    )


@login_required
@ecrire
def nouveau(request: RequeteAuthentifiee) -> HttpResponse:
    form = RapprochementForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichiers = [(f.name, f.read()) for f in form.cleaned_data["fichiers"]]
        convention = form.cleaned_data.get("convention")
        try:
            # Read and matched by a worker: the page follows the task's progress.
            tache = taches.lancer_rapprochement(
                fichiers,
                request.user,
                convention_id=convention.pk if convention else None,
                uo=form.cleaned_data.get("uo") or None,
            )
        except RegleMetierError as exc:
            form.add_error("fichiers", exc.message)
        else:
            return redirect("taches:detail", pk=tache.pk)
    return render(
        request,
        "chorus/nouveau.html",
        {
            "title": "Nouveau rapprochement CHORUS",
            "form": form,
            "breadcrumb_data": _fil("Nouveau rapprochement CHORUS"),
        },
    )


def _ecarts(
    request: HttpRequest, rapprochement: Rapprochement, visibles: set[int] | None
) -> QuerySet[Ecart]:
    qs = rapprochement.ecarts.select_related("convention", "traite_par").prefetch_related(
        "retraits__retire_par", "retraits__explique_par"
    )
    if visibles is not None:
        qs = qs.filter(convention_id__in=visibles)
    p = request.GET
    if (c := p.get("convention", "")).isdigit():
        qs = qs.filter(convention_id=int(c))
    if (a := p.get("annee", "")).isdigit():
        qs = qs.filter(annee=int(a))
    if p.get("nature") in NatureEcart.values:
        qs = qs.filter(nature=p["nature"])
    if p.get("statut") in StatutEcart.values:
        qs = qs.filter(statut=p["statut"])
    if q := p.get("q", "").strip():
        qs = qs.filter(Q(ej__icontains=q) | Q(numero_piece__icontains=q) | Q(detail__icontains=q))
    return qs.order_by("convention_id", "annee", "nature", "id")


@login_required
def tache(request: RequeteAuthentifiee, tache_id: uuid.UUID) -> HttpResponse:
    """The result page of a reconciliation task: the reconciliation it kept."""
    suivie = get_object_or_404(Tache.objects.visibles_par(request.user), pk=tache_id)
    resultat = suivie.resultat if isinstance(suivie.resultat, dict) else {}
    pk = resultat.get("rapprochement")
    if not isinstance(pk, int):
        raise Http404("Ce traitement n'a pas produit de rapprochement.")
    messages.success(
        request,
        f"Rapprochement effectué : {resultat.get('lignes', 0)} lignes lues, "
        f"{resultat.get('ecarts', 0)} écart(s).",
    )
    return redirect("chorus:detail", pk=pk)


@login_required
def detail(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    rapprochement = get_object_or_404(_rapprochements(request).select_related("created_by"), pk=pk)
    visibles = _visibles(request)
    bilans = rapprochement.bilans.select_related("convention").order_by(
        "convention__reference", "annee"
    )
    if visibles is not None:
        bilans = bilans.filter(convention_id__in=visibles)
    page = Paginator(_ecarts(request, rapprochement, visibles), ECARTS_PAR_PAGE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    precedent = rapprochement.precedent()
    if precedent is not None and visibles is not None:
        precedent = _rapprochements(request).filter(pk=precedent.pk).first()
    stocke = rapprochement.resultat
    return render(
        request,
        "chorus/detail.html",
        {
            "title": str(rapprochement),
            "rapprochement": rapprochement,
            "bilans": list(bilans),
            "page_obj": page,
            "params": request.GET,
            "query_string": params.urlencode(),
            "natures": NatureEcart.choices,
            "statuts": StatutEcart.choices,
            "precedent": precedent,
            "fichiers": stocke.get("fichiers", []),
            "voit_tout": visibles is None,
            "hors_perimetre": stocke.get("lignes_hors_perimetre", 0),
            "non_rattachees": stocke.get("lignes_non_rattachees", []),
            "nb_non_rattachees": stocke.get("nb_lignes_non_rattachees", 0),
            "formats": exports.FORMATS,
            "breadcrumb_data": _fil(str(rapprochement)),
        },
    )


@login_required
def comparaison(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    rapprochement = get_object_or_404(_rapprochements(request), pk=pk)
    precedent = rapprochement.precedent()
    if precedent is None or not _rapprochements(request).filter(pk=precedent.pk).exists():
        messages.info(request, "Aucun rapprochement précédent sur ces conventions.")
        return redirect("chorus:detail", pk=pk)
    return render(
        request,
        "chorus/comparaison.html",
        {
            "title": "Comparaison avec le rapprochement précédent",
            "rapprochement": rapprochement,
            "precedent": precedent,
            "comparaison": services.comparer(rapprochement, precedent, request.user),
            "breadcrumb_data": _fil("Comparaison", rapprochement),
        },
    )


@login_required
def exporter(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    if format not in exports.FORMATS:
        raise Http404
    rapprochement = get_object_or_404(_rapprochements(request), pk=pk)
    donnees = services.representation(rapprochement, request.user)
    reponse = HttpResponse(
        exports.exporter(donnees, format), content_type=exports.TYPES_MIME[format]
    )
    nom = f"rapprochement-chorus-{rapprochement.pk}-{rapprochement.created_at:%Y-%m-%d}.{format}"
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    return reponse


def _ecart(request: HttpRequest, pk: int) -> Ecart:
    qs = Ecart.objects.select_related("rapprochement", "convention", "traite_par")
    return get_object_or_404(services.ecarts_visibles(qs, request.user), pk=pk)


def _retour(ecart: Ecart) -> str:
    return reverse("chorus:detail", args=[ecart.rapprochement_id]) + f"#ecart-{ecart.pk}"


@login_required
def expliquer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    ecart = _ecart(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = ExpliquerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.expliquer(ecart, request.user, form.cleaned_data["commentaire"])
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Écart marqué comme expliqué.")
            return redirect(_retour(ecart))
    return render(
        request,
        "chorus/ecart_formulaire.html",
        {
            "title": "Expliquer un écart",
            "ecart": ecart,
            "form": form,
            "retour": _retour(ecart),
            "bouton": "Marquer comme expliqué",
            "breadcrumb_data": _fil("Expliquer un écart", ecart.rapprochement),
        },
    )


@login_required
def retirer_explication(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """Confirmation page, then withdrawal of an explanation (finance): the difference is open
    again, the explanation withdrawn stays in its history."""
    ecart = _ecart(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    if ecart.statut != StatutEcart.EXPLIQUE:
        messages.error(request, "Cet écart n'est pas marqué comme expliqué : rien à retirer.")
        return redirect(_retour(ecart))
    form = RetirerExplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.retirer_explication(ecart, request.user, form.cleaned_data["motif"])
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Explication retirée : l'écart est de nouveau à traiter.")
            return redirect(_retour(ecart))
    return render(
        request,
        "chorus/ecart_formulaire.html",
        {
            "title": "Retirer l'explication d'un écart",
            "ecart": ecart,
            "form": form,
            "retour": _retour(ecart),
            "bouton": "Retirer l'explication",
            "retrait": True,
            "breadcrumb_data": _fil("Retirer l'explication", ecart.rapprochement),
        },
    )


def _initial(ecart: Ecart) -> dict[str, Any]:
    p = ecart.proposition
    initial: dict[str, Any] = {
        "montant": Decimal(p["ae"] if p.get("mouvement") == "report" else p.get("montant", "0")),
        "date": dt.date.fromisoformat(p["date"]) if p.get("date") else None,
        "reference": p.get("reference", ""),
        "objet": p.get("objet", ""),
        "motif": p.get("motif", ""),
    }
    if p.get("mouvement") == "engagement":
        initial["titulaire"] = actions.titulaire_propose(
            p.get("titulaire_nom", ""), p.get("fournisseur", "")
        )
    return initial


@login_required
def regulariser(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    ecart = _ecart(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    mouvement = ecart.proposition.get("mouvement")
    if mouvement not in actions.MOUVEMENTS:
        messages.error(request, "Aucun mouvement ne règle cet écart : expliquez-le.")
        return redirect(_retour(ecart))
    form = RegulariserForm(request.POST or None, initial=_initial(ecart), mouvement=mouvement)
    engagement = None
    if "engagement" in ecart.proposition:
        engagement = Engagement.objects.filter(pk=ecart.proposition["engagement"]).first()
    if request.method == "POST" and form.is_valid():
        try:
            actions.regulariser(ecart, request.user, form.cleaned_data)
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"{actions.MOUVEMENTS[mouvement]} enregistré ; écart réglé.")
            return redirect(_retour(ecart))
    titre = f"Enregistrer le mouvement manquant : {actions.MOUVEMENTS[mouvement].lower()}"
    return render(
        request,
        "chorus/ecart_formulaire.html",
        {
            "title": titre,
            "ecart": ecart,
            "form": form,
            "engagement": engagement,
            "retour": _retour(ecart),
            "bouton": "Enregistrer au journal",
            "enregistre": True,
            "breadcrumb_data": _fil(titre, ecart.rapprochement),
        },
    )
