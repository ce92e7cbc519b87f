from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.acces import RequeteAuthentifiee, ecriture_requise, exiger_ecriture
from delegations.core.errors import RegleMetierError
from delegations.core.fichiers import reponse_piece
from delegations.core.models import historique

from . import ecriture
from .filtres import FiltresComites, FiltresObligations
from .forms import (
    ComiteForm,
    ConfirmationForm,
    IndicateurForm,
    IndicateurFormSet,
    ObligationForm,
    ReleveForm,
    ResultatsForm,
    indicateurs_du_formset,
)
from .models import Comite, Dimension, Obligation, Releve, StatutObligation, TypeComite, releve_fige

PAR_PAGE = 20


ECRITURE = "Seuls les agents finance de la DINUM peuvent modifier les comités et obligations."
ecrire = ecriture_requise(ECRITURE)


def _fil(*liens: tuple[str, str], courant: str) -> dict[str, Any]:
    return {"links": [{"url": u, "title": t} for u, t in liens], "current": courant}


def _comite_visible(request: HttpRequest, pk: int) -> Comite:
    qs = Comite.objects.visibles_par(request.user).select_related(
        "produit", "convention", "convention__delegant"
    )
    qs = qs.prefetch_related(
        Prefetch("releves", queryset=Releve.objects.prefetch_related("indicateurs"))
    )
    return get_object_or_404(qs, pk=pk)


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    type_ = request.GET.get("type", "")
    visibles = Comite.objects.visibles_par(request.user).pour_liste()
    qs = FiltresComites(request.GET, queryset=visibles).qs
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "comites/liste.html",
        {
            "title": "Comités d'investissement",
            "breadcrumb_data": {"links": [], "current": "Comités d'investissement"},
            "page_obj": page,
            "q": q,
            "type": type_,
            "types": TypeComite.choices,
        },
    )


@login_required
@ecrire
def creer(request: RequeteAuthentifiee) -> HttpResponse:
    initial = {k: request.GET[k] for k in ("produit", "convention", "type") if request.GET.get(k)}
    form = ComiteForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        comite = ecriture.enregistrer_comite(form.save(commit=False), request.user)
        messages.success(request, "Comité enregistré. Saisissez maintenant son relevé de décision.")
        return redirect("comites:releve", pk=comite.pk)
    return render(
        request,
        "comites/formulaire.html",
        {
            "title": "Nouveau comité",
            "form": form,
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"), courant="Nouveau comité"
            ),
        },
    )


@login_required
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    comite = _comite_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = ComiteForm(request.POST or None, request.FILES or None, instance=comite)
    if request.method == "POST" and form.is_valid():
        ecriture.enregistrer_comite(form.save(commit=False), request.user)
        messages.success(request, "Comité enregistré.")
        return redirect("comites:detail", pk=comite.pk)
    return render(
        request,
        "comites/formulaire.html",
        {
            "title": f"Modifier {comite}",
            "form": form,
            "comite": comite,
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"),
                (reverse("comites:detail", args=[pk]), str(comite)),
                courant=f"Modifier {comite}",
            ),
        },
    )


@login_required
def detail(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    comite = _comite_visible(request, pk)
    releve = comite.releve
    indicateurs = list(releve.indicateurs.all()) if releve else []
    groupes = [
        (label, [i for i in indicateurs if i.dimension == valeur])
        for valeur, label in Dimension.choices
    ]
    objectifs = comite.objectifs_precedents()
    resultats = []
    for ind in objectifs:
        res = next((r for r in ind.resultats.all() if r.comite_id == comite.pk), None)
        resultats.append((ind, res))
    return render(
        request,
        "comites/detail.html",
        {
            "title": str(comite),
            "comite": comite,
            "releve": releve,
            "groupes": [(label, inds) for label, inds in groupes if inds],
            "manques": releve.manques() if releve and not releve.est_finalise else [],
            "resultats": resultats,
            "releves": sorted(comite.releves.all(), key=lambda r: r.numero),
            "historique": historique(comite)[:30],
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"), courant=comite.get_type_display()
            ),
        },
    )


@login_required
def releve(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    comite = _comite_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    courant = comite.releve
    if courant is not None and courant.est_finalise:
        messages.error(request, releve_fige().message)
        return redirect("comites:detail", pk=pk)
    instance = courant or Releve(
        comite=comite, date=comite.date, lieu=comite.lieu, participants=comite.participants
    )
    form = ReleveForm(request.POST or None, instance=instance)
    initial = [IndicateurForm.initial_de(i) for i in instance.indicateurs.all()] if courant else []
    formset = IndicateurFormSet(request.POST or None, initial=initial, prefix="ind")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        valeurs = {champ: form.cleaned_data[champ] for champ in form.Meta.fields}
        try:
            ecriture.enregistrer_releve(
                comite, request.user, valeurs, indicateurs_du_formset(formset)
            )
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Relevé enregistré au brouillon.")
            if "finaliser" in request.POST:
                return redirect("comites:finaliser", pk=pk)
            return redirect("comites:detail", pk=pk)
    return render(
        request,
        "comites/releve.html",
        {
            "title": f"Relevé de décision — {comite}",
            "form": form,
            "formset": formset,
            "comite": comite,
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"),
                (reverse("comites:detail", args=[pk]), str(comite)),
                courant="Relevé de décision",
            ),
        },
    )


@ecrire
def _confirmer(request: RequeteAuthentifiee, comite: Comite, action: str) -> HttpResponse:
    form = ConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "finaliser":
                ecriture.finaliser(comite, request.user)
                messages.success(request, "Relevé finalisé : il ne se modifie plus.")
            else:
                ecriture.corriger(comite, request.user)
                messages.success(
                    request,
                    "Correction créée au brouillon ; le relevé finalisé reste dans l'historique.",
                )
        except RegleMetierError as exc:
            messages.error(request, exc.message)
        return redirect("comites:detail", pk=comite.pk)
    libelle = "Finaliser le relevé" if action == "finaliser" else "Corriger le relevé finalisé"
    releve = comite.releve
    return render(
        request,
        "comites/confirmer.html",
        {
            "title": f"{libelle} — {comite}",
            "form": form,
            "comite": comite,
            "libelle": libelle,
            "action": action,
            "manques": releve.manques() if releve and not releve.est_finalise else [],
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"),
                (reverse("comites:detail", args=[comite.pk]), str(comite)),
                courant=libelle,
            ),
        },
    )


@login_required
def finaliser_vue(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    return _confirmer(request, _comite_visible(request, pk), "finaliser")


@login_required
def corriger_vue(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    return _confirmer(request, _comite_visible(request, pk), "corriger")


@login_required
def resultats(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    comite = _comite_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    objectifs = comite.objectifs_precedents()
    form = ResultatsForm(objectifs, comite.pk, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ecriture.enregistrer_resultats(comite, request.user, form.valeurs())
        except RegleMetierError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Résultats enregistrés.")
        return redirect("comites:detail", pk=pk)
    return render(
        request,
        "comites/resultats.html",
        {
            "title": f"Résultats — {comite}",
            "form": form,
            "comite": comite,
            "objectifs": objectifs,
            "breadcrumb_data": _fil(
                (reverse("comites:liste"), "Comités"),
                (reverse("comites:detail", args=[pk]), str(comite)),
                courant=f"Résultats — {comite}",
            ),
        },
    )


# --- obligations -----------------------------------------------------------------------------
@login_required
def obligations(request: RequeteAuthentifiee) -> HttpResponse:
    aujourd_hui = timezone.localdate()
    visibles = Obligation.objects.visibles_par(request.user).select_related(
        "convention", "convention__delegant"
    )
    filtres = FiltresObligations(request.GET, queryset=visibles)
    qs = filtres.qs
    q = request.GET.get("q", "").strip()
    statut = request.GET.get("statut", "")
    en_retard = filtres.form.cleaned_data.get("en_retard") is True
    convention_id = request.GET.get("convention", "")
    page = Paginator(qs.order_by("echeance", "convention", "ordre", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "comites/obligations.html",
        {
            "title": "Obligations des conventions",
            "breadcrumb_data": {"links": [], "current": "Obligations des conventions"},
            "page_obj": page,
            "q": q,
            "statut": statut,
            "en_retard": en_retard,
            "statuts": StatutObligation.choices,
            "aujourd_hui": aujourd_hui,
            "convention_id": convention_id,
        },
    )


FICHIERS_COMITE = {"support": "support-comite", "releve": "releve-decision-comite"}


@login_required
def fichier(request: RequeteAuthentifiee, pk: int, quoi: str) -> FileResponse:
    """A committee's support or signed record, for whoever sees the committee (an attachment)."""
    if quoi not in FICHIERS_COMITE:
        raise Http404("Fichier inconnu.")
    comite = get_object_or_404(Comite.objects.visibles_par(request.user), pk=pk)
    stocke = comite.support if quoi == "support" else comite.releve_document
    return reponse_piece(stocke, f"{FICHIERS_COMITE[quoi]}-{comite.pk}")


@login_required
def preuve(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    obligation = _obligation_visible(request, pk)
    return reponse_piece(obligation.preuve_fichier, f"preuve-obligation-{obligation.pk}")


def _obligation_visible(request: HttpRequest, pk: int) -> Obligation:
    return get_object_or_404(
        Obligation.objects.visibles_par(request.user).select_related("convention"), pk=pk
    )


def _retour_convention(convention_id: int) -> str:
    return reverse("conventions:detail", args=[convention_id]) + "#obligations"


@login_required
def obligation_modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obligation = _obligation_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = ObligationForm(request.POST or None, request.FILES or None, instance=obligation)
    if request.method == "POST" and form.is_valid():
        ecriture.enregistrer_obligation(
            form.save(commit=False),
            request.user,
            {k: form.cleaned_data[k] for k in form.changed_data},
        )
        messages.success(request, "Obligation enregistrée.")
        return redirect(_retour_convention(obligation.convention_id))
    return render(
        request,
        "comites/obligation_formulaire.html",
        {
            "title": f"Obligation — {obligation.libelle}",
            "form": form,
            "obligation": obligation,
            "convention": obligation.convention,
            "breadcrumb_data": _fil_obligation(
                obligation.convention, f"Obligation — {obligation.libelle}"
            ),
        },
    )


def _fil_obligation(convention: Convention, courant: str) -> dict[str, Any]:
    return _fil(
        (reverse("conventions:liste"), "Conventions"),
        (reverse("conventions:detail", args=[convention.pk]), str(convention)),
        courant=courant,
    )


@login_required
def obligation_ajouter(request: RequeteAuthentifiee, convention_pk: int) -> HttpResponse:
    convention = get_object_or_404(Convention.objects.visibles_par(request.user), pk=convention_pk)
    exiger_ecriture(request.user, ECRITURE)
    form = ObligationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        obligation = form.save(commit=False)
        obligation.convention = convention
        ecriture.enregistrer_obligation(obligation, request.user)
        messages.success(request, "Obligation ajoutée.")
        return redirect(_retour_convention(convention.pk))
    return render(
        request,
        "comites/obligation_formulaire.html",
        {
            "title": f"Nouvelle obligation — {convention}",
            "form": form,
            "convention": convention,
            "breadcrumb_data": _fil_obligation(convention, f"Nouvelle obligation — {convention}"),
        },
    )


@login_required
def obligation_supprimer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    obligation = _obligation_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = ConfirmationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        convention_id = obligation.convention_id
        ecriture.retirer_obligation(obligation, request.user)
        messages.success(request, "Obligation retirée de la convention.")
        return redirect(_retour_convention(convention_id))
    return render(
        request,
        "comites/obligation_supprimer.html",
        {
            "title": f"Retirer l'obligation — {obligation.libelle}",
            "form": form,
            "obligation": obligation,
            "breadcrumb_data": _fil_obligation(obligation.convention, "Retirer l'obligation"),
        },
    )
