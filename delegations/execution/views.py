"""Pages: record each movement (finance), follow an order (htmx: order → service fait → payment),
list movements with filters, validate intrapreneurs' proposals, import CSV/XLSX."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from delegations.conventions.models import Convention, Statut
from delegations.core.acces import (
    RequeteAuthentifiee,
    ecriture_requise,
    exiger_ecriture,
    peut_ecrire,
)
from delegations.core.errors import RegleMetierError
from delegations.core.fichiers import reponse_piece
from delegations.core.pagination import PaginateurBorne
from delegations.produits.models import Produit
from delegations.taches.models import Statut as StatutTache
from delegations.taches.models import Tache

from . import cloture, forms, importation, limites, mouvements, references
from .models import (
    Engagement,
    MiseADisposition,
    Paiement,
    PropositionServiceFait,
    Reduction,
    Report,
    ServiceFait,
    SuiteCommande,
    Titulaire,
)
from .perimetre import conventions_visibles, dans_le_perimetre, peut_proposer_service_fait
from .soldes import ZERO, etat_commande
from .taches import appliquer_import, lancer_import, lancer_simulation, simuler_import

PAR_PAGE = 25
NATURES: dict[str, tuple[str, Any]] = {
    "engagements": ("Bons de commande", Engagement),
    "services-faits": ("Services faits", ServiceFait),
    "paiements": ("Paiements", Paiement),
    "mises-a-disposition": ("Mises à disposition", MiseADisposition),
    "reductions": ("Réductions", Reduction),
    "reports": ("Reports", Report),
}


ECRITURE = "Seuls les agents finance de la DINUM enregistrent les mouvements."
ecrire = ecriture_requise(ECRITURE)


def _convention(request: HttpRequest, pk: int) -> Convention:
    return get_object_or_404(conventions_visibles(request.user).select_related("delegant"), pk=pk)


def _engagement(request: HttpRequest, pk: int) -> Engagement:
    qs = Engagement.objects.select_related("convention__delegant", "produit", "titulaire", "marche")
    return get_object_or_404(dans_le_perimetre(qs, request.user), pk=pk)


def _fil(convention: Convention | None, courant: str) -> dict[str, Any]:
    liens = [{"url": reverse("execution:liste"), "title": "Exécution"}]
    if convention is not None:
        liens.append(
            {"url": reverse("conventions:detail", args=[convention.pk]), "title": str(convention)}
        )
    return {"links": liens, "current": courant}


# --- list ------------------------------------------------------------------------------------


def _filtrer(qs: QuerySet[Any], request: HttpRequest, nature: str) -> QuerySet[Any]:
    params = request.GET
    if (c := params.get("convention", "")).isdigit():
        qs = qs.filter(convention_id=int(c))
    if (a := params.get("annee", "")).isdigit():
        qs = qs.filter(annee=int(a))
    chemin = {
        "engagements": "",
        "services-faits": "engagement__",
        "paiements": "service_fait__engagement__",
        "reductions": "engagement__",
    }.get(nature)
    if chemin is not None:
        if (p := params.get("produit", "")).isdigit():
            qs = qs.filter(**{f"{chemin}produit_id": int(p)})
        if (t := params.get("titulaire", "")).isdigit():
            qs = qs.filter(**{f"{chemin}titulaire_id": int(t)})
    if q := params.get("q", "").strip():
        qs = qs.filter(convention__reference__icontains=q) | qs.filter(
            **{
                "reference__icontains"
                if nature != "services-faits"
                else "engagement__reference__icontains": q
            }
        )
    return qs


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    nature = request.GET.get("nature", "engagements")
    if nature not in NATURES:
        nature = "engagements"
    libelle, modele = NATURES[nature]
    relations = {
        "engagements": ["convention", "produit", "titulaire"],
        "services-faits": ["convention", "engagement"],
        "paiements": ["convention", "service_fait__engagement"],
        "reductions": ["convention", "engagement"],
    }.get(nature, ["convention"])
    qs = _filtrer(
        dans_le_perimetre(modele.objects.select_related(*relations), request.user), request, nature
    )
    # The journal holds hundreds of thousands of rows: counted up to a bound, not to the end.
    page = PaginateurBorne(qs.order_by("-date", "-id"), PAR_PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    visibles = conventions_visibles(request.user)
    return render(
        request,
        "execution/liste.html",
        {
            "title": f"Exécution — {libelle}",
            "nature": nature,
            "natures": [(k, v[0]) for k, v in NATURES.items()],
            "page_obj": page,
            "params": request.GET,
            "query_string": params.urlencode(),
            "conventions": visibles.only("pk", "reference").order_by("reference")[:500],
            "produits": Produit.objects.filter(conventions__in=visibles).distinct().order_by("nom"),
            "titulaires": Titulaire.objects.order_by("nom"),
            "propositions_en_attente": _propositions_en_attente(request).count(),
            "breadcrumb_data": {"links": [], "current": "Exécution des crédits"},
        },
    )


# --- recording forms -------------------------------------------------------------------------


def _formulaire(
    request: RequeteAuthentifiee,
    convention: Convention,
    form: Any,
    titre: str,
    enregistrer: Any,
    succes: str,
    retour: str,
    template: str = "execution/formulaire.html",
    extra: dict[str, Any] | None = None,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            enregistrer(form.cleaned_data)
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
            if exc.code == "credits_insuffisants":
                extra = {**(extra or {}), "credits_insuffisants": True}
        else:
            messages.success(request, succes)
            if request.htmx:
                reponse = HttpResponse(status=204)
                reponse["HX-Redirect"] = retour
                return reponse
            return redirect(retour)
    contexte = {
        "title": titre,
        "form": form,
        "convention": convention,
        "retour": retour,
        "breadcrumb_data": _fil(convention, titre),
        **(extra or {}),
    }
    if request.htmx and template == "execution/formulaire.html":
        template = "execution/_formulaire.html"
    return render(request, template, contexte)


@login_required
def mise_a_disposition(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = forms.MiseADispositionForm(request.POST or None)

    def enregistrer(donnees: dict[str, Any]) -> Any:
        mise = mouvements.mettre_a_disposition(convention, user=request.user, **donnees)
        if convention.statut == Statut.SUSPENDUE and not (
            Convention.objects.filter(pk=pk, statut=Statut.SUSPENDUE).exists()
        ):
            messages.info(
                request,
                "L'exécution de la convention reprend : elle était suspendue faute de crédits.",
            )
        return mise

    return _formulaire(
        request,
        convention,
        form,
        "Nouvelle mise à disposition de crédits",
        enregistrer,
        "Mise à disposition enregistrée.",
        reverse("conventions:detail", args=[pk]) + "#execution",
    )


@login_required
def engagement_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = forms.EngagementForm(request.POST or None, convention=convention)
    return _formulaire(
        request,
        convention,
        form,
        "Nouveau bon de commande",
        lambda d: mouvements.engager(convention, user=request.user, **d),
        "Bon de commande enregistré.",
        reverse("conventions:detail", args=[pk]) + "#execution",
        extra={
            "lien_information": reverse("execution:informer", args=[pk]),
            "decisions_comite": limites.limites_des_produits(
                list(convention.produits.order_by("nom")), _date_saisie(request)
            ),
        },
    )


def _date_saisie(request: HttpRequest) -> dt.date:
    """The order's date as typed (form or query string), else today: what the committees
    allow is shown for that date."""
    valeur = request.POST.get("date") or request.GET.get("date") or ""
    try:
        return dt.date.fromisoformat(valeur)
    except ValueError:
        return timezone.localdate()


@login_required
def report_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = forms.ReportForm(request.POST or None)
    return _formulaire(
        request,
        convention,
        form,
        "Report de crédits sur l'année suivante",
        lambda d: mouvements.reporter(convention, user=request.user, **d),
        "Report enregistré.",
        reverse("conventions:detail", args=[pk]) + "#execution",
    )


@login_required
def informer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = forms.InformationDelegantForm(request.POST or None)
    return _formulaire(
        request,
        convention,
        form,
        "Crédits insuffisants — délégant informé",
        lambda d: mouvements.informer_delegant(convention, user=request.user, **d),
        "Information du délégant enregistrée.",
        reverse("conventions:detail", args=[pk]) + "#execution",
    )


@login_required
def engagement_detail(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """The order → service fait → payment flow on one page (htmx forms load in place)."""
    eng = _engagement(request, pk)
    services = list(
        ServiceFait.objects.filter(engagement=eng)
        .prefetch_related("paiements")
        .order_by("date", "id")
    )
    reductions = list(Reduction.objects.filter(engagement=eng).order_by("date", "id"))
    net = eng.montant - sum((r.montant for r in reductions), ZERO)
    cumul = ZERO
    for sf in services:
        cumul += sf.montant
        sf.cumul = cumul  # type: ignore[attr-defined]
        sf.pourcentage = (cumul * 100 / net).quantize(Decimal("0.1")) if net else None  # type: ignore[attr-defined]
        sf.paye = sum((p.montant for p in sf.paiements.all()), ZERO)  # type: ignore[attr-defined]
    propositions = PropositionServiceFait.objects.filter(
        engagement=eng, service_fait__isnull=True, rejet__isnull=True
    )
    return render(
        request,
        "execution/engagement.html",
        {
            "title": f"Bon de commande {eng.reference}",
            "engagement": eng,
            "services": services,
            "reductions": reductions,
            "net": net,
            "certifie": cumul,
            "reste": net - cumul,
            "pourcentage": (cumul * 100 / net).quantize(Decimal("0.1")) if net else None,
            "solde": any(sf.total for sf in services),
            "propositions": propositions,
            "peut_proposer": peut_proposer_service_fait(request.user, eng),
            "breadcrumb_data": _fil(eng.convention, f"Bon de commande {eng.reference}"),
        },
    )


@login_required
def service_fait_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    eng = _engagement(request, pk)
    proposer = not peut_ecrire(request.user)
    if proposer and not peut_proposer_service_fait(request.user, eng):
        raise PermissionDenied("Seul l'intrapreneur du produit peut proposer un service fait.")
    form = forms.ServiceFaitForm(request.POST or None, request.FILES or None, engagement=eng)
    net, certifie, _ = etat_commande(eng)

    def enregistrer(d: dict[str, Any]) -> Any:
        if proposer:
            return mouvements.proposer_service_fait(eng, user=request.user, **d)
        return mouvements.certifier_service_fait(eng, user=request.user, **d)

    return _formulaire(
        request,
        eng.convention,
        form,
        "Proposer un service fait" if proposer else "Certifier un service fait",
        enregistrer,
        "Proposition envoyée à la finance." if proposer else "Service fait enregistré.",
        reverse("execution:engagement", args=[pk]),
        extra={
            "engagement": eng,
            "net": net,
            "certifie": certifie,
            "reste": net - certifie,
            "pourcentage": (certifie * 100 / net).quantize(Decimal("0.1")) if net else None,
        },
    )


@login_required
def paiement_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    sf = get_object_or_404(
        dans_le_perimetre(
            ServiceFait.objects.select_related("engagement__convention"), request.user
        ),
        pk=pk,
    )
    exiger_ecriture(request.user, ECRITURE)
    form = forms.PaiementForm(request.POST or None, service_fait=sf)
    return _formulaire(
        request,
        sf.engagement.convention,
        form,
        f"Paiement du service fait du {sf.date:%d/%m/%Y}",
        lambda d: mouvements.payer(sf, user=request.user, **d),
        "Paiement enregistré.",
        reverse("execution:engagement", args=[sf.engagement_id]),
    )


@login_required
def reduction_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    eng = _engagement(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = forms.ReductionForm(request.POST or None)

    def enregistrer(d: dict[str, Any]) -> Any:
        d.pop("confirmation", None)
        return mouvements.reduire(eng, user=request.user, **d)

    return _formulaire(
        request,
        eng.convention,
        form,
        f"Réduire le bon de commande {eng.reference}",
        enregistrer,
        "Réduction enregistrée.",
        reverse("execution:engagement", args=[pk]),
    )


@login_required
def reference_chorus(request: RequeteAuthentifiee, nature: str, pk: int) -> HttpResponse:
    """Set the CHORUS EJ number of an order or the payment document number of a payment."""
    if nature == "engagement":
        objet: Any = _engagement(request, pk)
        engagement, champ, libelle = objet, "numero_ej", "Numéro d'EJ CHORUS"
        titre = f"Numéro d'EJ du bon de commande {objet.reference}"
    elif nature == "paiement":
        objet = get_object_or_404(
            dans_le_perimetre(
                Paiement.objects.select_related("service_fait__engagement__convention"),
                request.user,
            ),
            pk=pk,
        )
        engagement, champ, libelle = (
            objet.service_fait.engagement,
            "numero_piece",
            ("N° de pièce de paiement CHORUS"),
        )
        titre = f"Pièce de paiement CHORUS du paiement {objet.reference}"
    else:
        raise Http404
    exiger_ecriture(request.user, ECRITURE)
    form = forms.ReferenceChorusForm(
        request.POST or None, initial={"numero": getattr(objet, champ)}
    )
    form.fields["numero"].label = libelle

    def enregistrer(d: dict[str, Any]) -> Any:
        if champ == "numero_ej":
            return references.definir_numero_ej(objet, d["numero"], request.user)
        return references.definir_numero_piece(objet, d["numero"], request.user)

    return _formulaire(
        request,
        engagement.convention,
        form,
        titre,
        enregistrer,
        "Référence CHORUS enregistrée.",
        reverse("execution:engagement", args=[engagement.pk]),
    )


@login_required
def livrable(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    """The file attached to a service fait, for whoever sees its convention (an attachment)."""
    sf = get_object_or_404(dans_le_perimetre(ServiceFait.objects.all(), request.user), pk=pk)
    return reponse_piece(sf.livrable, f"livrable-service-fait-{sf.pk}")


@login_required
def livrable_proposition(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    qs = dans_le_perimetre(
        PropositionServiceFait.objects.all(), request.user, "engagement__convention"
    )
    prop = get_object_or_404(qs, pk=pk)
    return reponse_piece(prop.livrable, f"livrable-proposition-{prop.pk}")


# --- proposals -------------------------------------------------------------------------------


def _propositions_en_attente(request: HttpRequest) -> QuerySet[PropositionServiceFait]:
    qs = PropositionServiceFait.objects.filter(service_fait__isnull=True, rejet__isnull=True)
    return dans_le_perimetre(qs, request.user, "engagement__convention")


@login_required
def propositions(request: RequeteAuthentifiee) -> HttpResponse:
    qs = (
        _propositions_en_attente(request)
        .select_related("engagement__convention", "engagement__produit", "created_by")
        .order_by("created_at", "id")
    )
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "execution/propositions.html",
        {
            "title": "Services faits proposés",
            "page_obj": page,
            "form_rejet": forms.RejetForm(),
            "breadcrumb_data": _fil(None, "Services faits proposés par les intrapreneurs"),
        },
    )


@login_required
@require_POST
@ecrire
def proposition_decider(request: RequeteAuthentifiee, pk: int, decision: str) -> HttpResponse:
    prop = get_object_or_404(_propositions_en_attente(request).select_related("engagement"), pk=pk)
    try:
        if decision == "valider":
            mouvements.valider_proposition(prop, request.user)
            messages.success(request, "Service fait validé et enregistré.")
        else:
            form = forms.RejetForm(request.POST)
            if not form.is_valid():
                raise RegleMetierError("motif_requis", "Indiquez le motif du rejet.")
            mouvements.rejeter_proposition(prop, request.user, form.cleaned_data["motif"])
            messages.success(request, "Proposition rejetée.")
    except RegleMetierError as exc:
        messages.error(request, exc.message)
    return redirect("execution:propositions")


# --- import ----------------------------------------------------------------------------------


@login_required
@ecrire
def importer(request: RequeteAuthentifiee) -> HttpResponse:
    """Step 1: park the upload and queue its dry run (nothing written): the user follows its
    progress, then reads the report (``import_simulation``) and confirms."""
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            parc = importation.parquer(
                fichier.read(), form.cleaned_data["nature"], fichier.name, request.user
            )
        except RegleMetierError as exc:
            form.add_error("fichier", exc.message)
        else:
            return redirect("taches:detail", pk=lancer_simulation(parc, request.user).pk)
    return _page_import(request, form, None)


def _page_import(
    request: HttpRequest, form: forms.ImportForm, rapport: dict[str, Any] | None
) -> HttpResponse:
    return render(
        request,
        "execution/import.html",
        {
            "title": "Importer des bons de commande ou des paiements",
            "form": form,
            "rapport": rapport,
            "duree_heures": settings.IMPORT_DUREE_HEURES,
            "breadcrumb_data": _fil(None, "Importer des bons de commande ou des paiements"),
        },
    )


def _tache_import(request: HttpRequest, pk: Any, tache: Any) -> Tache:
    return get_object_or_404(Tache.objects.visibles_par(request.user), pk=pk, nom=tache.module_path)


@login_required
@ecrire
def import_simulation(request: RequeteAuthentifiee, pk: Any) -> HttpResponse:
    """Step 2: the dry run's report, and the confirmation form."""
    tache = _tache_import(request, pk, simuler_import)
    if tache.statut != StatutTache.TERMINEE or not isinstance(tache.resultat, dict):
        return redirect("taches:detail", pk=tache.pk)
    return _page_import(request, forms.ImportForm(), tache.resultat)


@login_required
@require_POST
@ecrire
def importer_confirmer(request: RequeteAuthentifiee) -> HttpResponse:
    """Step 3: queue the real run of a parked upload of this user."""
    jeton = str(request.POST.get("jeton", ""))
    try:
        parc, _ = importation.retrouver(jeton, request.user)
    except RegleMetierError as exc:
        messages.error(request, exc.message)
        return redirect("execution:importer")
    seulement_valides = request.POST.get("mode") == "valides"
    tache = lancer_import(parc.jeton, seulement_valides, request.user, parc.nom)
    return redirect("taches:detail", pk=tache.pk)


@login_required
@ecrire
def import_resultat(request: RequeteAuthentifiee, pk: Any) -> HttpResponse:
    """Step 4: what was written, or why nothing was."""
    tache = _tache_import(request, pk, appliquer_import)
    if tache.statut != StatutTache.TERMINEE or not isinstance(tache.resultat, dict):
        return redirect("taches:detail", pk=tache.pk)
    rapport = tache.resultat
    if rapport["ecrit"]:
        messages.success(
            request,
            f"{rapport['valides']} ligne(s) importée(s)"
            + (f", {rapport['refusees']} ignorée(s)." if rapport["refusees"] else "."),
        )
        return redirect(reverse("execution:liste") + f"?nature={rapport['nature']}")
    messages.error(
        request,
        f"Rien n'a été importé : {rapport['refusees']} ligne(s) refusée(s). Corrigez le "
        "fichier ou choisissez d'importer seulement les lignes valides.",
    )
    return _page_import(request, forms.ImportForm(), rapport)


@login_required
def situation(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """The situation of one convention on its own page (also shown on the convention page)."""
    convention = _convention(request, pk)
    return render(
        request,
        "execution/situation.html",
        {
            "title": f"Situation d'exécution — {convention}",
            "convention": convention,
            "breadcrumb_data": _fil(convention, f"Situation d'exécution — {convention}"),
        },
    )


# --- end of the convention: open orders, closing -----------------------------------------------


@login_required
def suite_commande(request: RequeteAuthentifiee, pk: int, decision: str) -> HttpResponse:
    """At the convention's end, close an open order (its remainder is reduced) or keep it,
    after a confirmation screen."""
    eng = _engagement(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    if decision not in SuiteCommande.values:
        raise Http404
    convention = eng.convention
    retour = reverse("conventions:detail", args=[convention.pk]) + "#fin-convention"
    net, certifie, soldee = etat_commande(eng)
    reste = ZERO if soldee else net - certifie
    form = forms.SuiteCommandeForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            cloture.decider_suite(eng, decision=decision, user=request.user, **form.cleaned_data)
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                f"Bon de commande {eng.reference} : {SuiteCommande(decision).label.lower()}.",
            )
            return redirect(retour)
    titre = (
        f"Solder le bon de commande {eng.reference}"
        if decision == SuiteCommande.SOLDER
        else f"Maintenir le bon de commande {eng.reference}"
    )
    return render(
        request,
        "execution/suite_commande.html",
        {
            "title": titre,
            "form": form,
            "engagement": eng,
            "convention": convention,
            "decision": decision,
            "reste": reste,
            "retour": retour,
            "breadcrumb_data": _fil(convention, titre),
        },
    )


@login_required
def cloturer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """Confirmation screen of the closing: the final balance per year, the délégant's decision
    on the unused credits, then ``cloture.cloturer``."""
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    retour = reverse("conventions:detail", args=[pk])
    form = forms.ClotureForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            cloture.cloturer(convention, user=request.user, **form.cleaned_data)
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                "Convention clôturée : la restitution des crédits non utilisés est enregistrée.",
            )
            return redirect(retour)
    titre = f"Clôturer la convention {convention.reference or convention.pk}"
    return render(
        request,
        "execution/cloturer.html",
        {
            "title": titre,
            "form": form,
            "convention": convention,
            "bilan": cloture.bilan_final(convention),
            "ouvertes": cloture.commandes_ouvertes(convention),
            "retour": retour,
            "breadcrumb_data": _fil(convention, titre),
        },
    )
