from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from delegations.core.acces import (
    RequeteAuthentifiee,
    RequeteHtmx,
    ecriture_requise,
    exiger_ecriture,
)
from delegations.core.errors import RegleMetierError
from delegations.core.models import Administration, historique
from delegations.produits.models import Produit

from . import ecriture
from .api import administrations_visibles
from .filtres import LIBELLES_TRIS, FiltresAdministrations, FiltresConventions
from .forms import (
    ACTIONS_AVENANT,
    ActionAvenantForm,
    AdministrationForm,
    AvenantForm,
    BaseLignesFormSet,
    ConventionForm,
    LignesFormSet,
    TransitionForm,
)
from .models import TRANSITIONS, Avenant, Convention, Statut

PAR_PAGE = 20


ECRITURE = "Seuls les agents finance de la DINUM peuvent modifier le registre."
ecrire = ecriture_requise(ECRITURE)


def _convention_visible(request: HttpRequest, pk: int) -> Convention:
    qs = (
        Convention.objects.visibles_par(request.user)
        .select_related("delegant", "delegataire")
        .prefetch_related(
            "produits",
            "echeancier",
            Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
        )
    )
    return get_object_or_404(qs, pk=pk)


def _fil(*liens: tuple[str, str], courant: str) -> dict[str, Any]:
    return {"links": [{"url": u, "title": t} for u, t in liens], "current": courant}


@login_required
def liste(request: RequeteAuthentifiee) -> HttpResponse:
    visibles = Convention.objects.visibles_par(request.user)
    qs = FiltresConventions(request.GET, queryset=visibles.pour_liste()).qs
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    delegants = Administration.objects.filter(pk__in=visibles.values("delegant")).order_by("nom")
    produits = Produit.objects.filter(conventions__in=visibles).distinct().order_by("nom")
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "conventions/liste.html",
        {
            "title": "Conventions",
            "page_obj": page,
            "delegants": delegants,
            "produits": produits,
            "statuts": Statut.choices,
            "tris": LIBELLES_TRIS,
            "params": request.GET,
            "query_string": params.urlencode(),
        },
    )


def _par_application(attribut: str) -> list[Any]:
    return [x for config in apps.get_app_configs() for x in getattr(config, attribut, ())]


@dataclass(frozen=True)
class Section:
    """A section of the convention page loaded on demand (htmx) from its own URL."""

    nom: str
    titre: str
    gabarits: tuple[str, ...]
    sommaire: tuple[tuple[str, str], ...]


HISTORIQUE = Section(
    "historique", "Historique", ("conventions/_historique.html",), (("historique", "Historique"),)
)


def _titre(libelles: list[str]) -> str:
    if len(libelles) < 2:
        return libelles[0] if libelles else ""
    suite = [lib[0].lower() + lib[1:] for lib in libelles[1:]]
    return ", ".join([libelles[0], *suite[:-1]]) + " et " + suite[-1]


def sections_convention() -> list[Section]:
    """The panels other apps add to the convention page (``panneaux_convention`` on their
    AppConfig, their anchors in ``sommaire_convention``), one section per app named after its
    label, in ``INSTALLED_APPS`` order; then the history. Each is loaded on demand."""
    sections = []
    for config in apps.get_app_configs():
        gabarits = tuple(getattr(config, "panneaux_convention", ()))
        if gabarits:
            sommaire = tuple(getattr(config, "sommaire_convention", ()))
            titre = _titre([libelle for _ancre, libelle in sommaire]) or str(config.verbose_name)
            sections.append(Section(config.label, titre, gabarits, sommaire))
    return [*sections, HISTORIQUE]


def sommaire(convention: Convention) -> list[tuple[str, str]]:
    """The page's in-page menu: its own sections, then the panels other apps add
    (``sommaire_convention`` on their AppConfig: anchor and label), then status and history."""
    debut = [
        ("en-bref", "En bref"),
        ("objet", "Objet et parties"),
        ("dates", "Dates"),
        ("imputation", "Imputation budgétaire"),
        ("echeancier", "Échéancier"),
        ("avenants", "Avenants"),
    ]
    return [*debut, *_par_application("sommaire_convention"), ("statut", "Statut"),
            ("historique", "Historique")]  # fmt: skip


@login_required
def detail(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention_visible(request, pk)
    consolide = convention.echeancier_consolide()
    return render(
        request,
        "conventions/detail.html",
        {
            "title": str(convention),
            "convention": convention,
            "consolide": consolide,
            "totaux_base": convention.totaux(),
            "totaux_consolides": convention.totaux(consolide),
            "transitions": _transitions_possibles(convention),
            "sections": [s for s in sections_convention() if s is not HISTORIQUE],
            "historique": HISTORIQUE,
            "resumes": _par_application("resume_convention"),
            "sommaire": sommaire(convention),
            "breadcrumb_data": _fil(
                (reverse("conventions:liste"), "Conventions"),
                courant=f"Convention {convention.reference or convention.pk}",
            ),
        },
    )


def section(request: RequeteHtmx, pk: int, nom: str) -> HttpResponse:
    """One section of the convention page, checked like the page (login, perimeter: 404): the
    fragment for htmx, a page of its own otherwise (the link shown without JavaScript)."""
    if not request.user.is_authenticated and request.htmx:
        # An expired session: the whole window goes to the login page, not the placeholder.
        return HttpResponseClientRedirect(
            f"{reverse('core:login')}?next={reverse('conventions:detail', args=[pk])}"
        )
    return _section(request, pk, nom)


@login_required
def _section(request: RequeteHtmx, pk: int, nom: str) -> HttpResponse:
    convention = _convention_visible(request, pk)
    trouvee = next((s for s in sections_convention() if s.nom == nom), None)
    if trouvee is None:
        raise Http404("Section inconnue.")
    contexte: dict[str, Any] = {"convention": convention, "section": trouvee}
    if trouvee is HISTORIQUE:
        contexte["historique"] = historique(convention)[:50]
    if request.htmx:
        return render(request, "conventions/_section.html", contexte)
    detail = reverse("conventions:detail", args=[pk])
    return render(
        request,
        "conventions/section.html",
        {
            **contexte,
            "title": f"{trouvee.titre} — {convention}",
            "retour": f"{detail}#{trouvee.sommaire[0][0] if trouvee.sommaire else ''}",
            "breadcrumb_data": _fil(
                (reverse("conventions:liste"), "Conventions"),
                (detail, str(convention)),
                courant=trouvee.titre,
            ),
        },
    )


# Closing records the restitution of unused credits: the execution app applies it (its panel on
# this page offers « Clôturer »), never this generic transition page.
PAR_L_EXECUTION = frozenset({"cloturer"})


def _transitions_possibles(convention: Convention) -> list[tuple[str, str]]:
    noms = {t.name for t in convention.get_available_statut_transitions()}  # type: ignore[attr-defined]
    return [
        (nom, libelle)
        for nom, libelle in TRANSITIONS.items()
        if nom in noms and nom not in PAR_L_EXECUTION
    ]


@ecrire
def _formulaire(request: RequeteAuthentifiee, convention: Convention | None) -> HttpResponse:
    initial_lignes = (
        [
            {"annee": ligne.annee, "ae": ligne.ae, "cp": ligne.cp}
            for ligne in convention.echeancier.all()
        ]
        if convention
        else []
    )
    lignes_verrouillees = convention is not None and convention.statut != Statut.BROUILLON
    form = ConventionForm(request.POST or None, instance=convention)
    formset = cast(
        BaseLignesFormSet,
        LignesFormSet(request.POST or None, initial=initial_lignes, prefix="lignes"),
    )
    if request.method == "POST" and form.is_valid() and (lignes_verrouillees or formset.is_valid()):
        try:
            conv = ecriture.enregistrer_convention(
                form.valeurs(),
                request.user,
                convention,
                produits=list(form.cleaned_data["produits"]),
                echeancier=None if lignes_verrouillees else formset.lignes(),
            )
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for champ, erreurs in exc.error_dict.items():
                    form.add_error(champ if champ in form.fields else None, erreurs)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, "Convention enregistrée.")
            if conv.montant_rare:
                messages.warning(
                    request,
                    "Montant inférieur au seuil habituel des conventions : vérifiez le montant saisi.",
                )
            return redirect("conventions:detail", pk=conv.pk)
    titre = f"Modifier {convention}" if convention else "Nouvelle convention"
    return render(
        request,
        "conventions/formulaire.html",
        {
            "title": titre,
            "form": form,
            "formset": formset,
            "convention": convention,
            "lignes_verrouillees": lignes_verrouillees,
            "breadcrumb_data": _fil((reverse("conventions:liste"), "Conventions"), courant=titre),
        },
    )


@login_required
def creer(request: RequeteAuthentifiee) -> HttpResponse:
    return _formulaire(request, None)


@login_required
def modifier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    return _formulaire(request, _convention_visible(request, pk))


@login_required
def avenant_creer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = AvenantForm(request.POST or None)
    formset = cast(BaseLignesFormSet, LignesFormSet(request.POST or None, prefix="lignes"))
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        try:
            avenant = ecriture.creer_avenant(
                convention,
                request.user,
                lignes=formset.lignes(),
                **form.cleaned_data,
            )
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"Avenant n° {avenant.numero} enregistré.")
            return redirect("conventions:detail", pk=convention.pk)
    prochain = len(convention.avenants_ordonnes()) + 1
    return render(
        request,
        "conventions/avenant_formulaire.html",
        {
            "title": f"Nouvel avenant — {convention}",
            "form": form,
            "formset": formset,
            "convention": convention,
            "prochain_numero": prochain,
            "consolide": convention.echeancier_consolide(),
            "breadcrumb_data": _fil(
                (reverse("conventions:liste"), "Conventions"),
                (reverse("conventions:detail", args=[pk]), str(convention)),
                courant=f"Avenant n° {prochain} — {convention}",
            ),
        },
    )


@login_required
def transition(request: RequeteAuthentifiee, pk: int, action: str) -> HttpResponse:
    convention = _convention_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    if action not in TRANSITIONS or action in PAR_L_EXECUTION:
        return redirect("conventions:detail", pk=pk)
    form = TransitionForm(action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            ecriture.appliquer_transition(convention, action, request.user, **form.cleaned_data)
        except RegleMetierError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Action « {TRANSITIONS[action]} » effectuée.")
        return redirect("conventions:detail", pk=pk)
    return render(
        request,
        "conventions/transition.html",
        {
            "title": f"{TRANSITIONS[action]} — {convention}",
            "form": form,
            "convention": convention,
            "action": action,
            "libelle": TRANSITIONS[action],
            "breadcrumb_data": _fil(
                (reverse("conventions:liste"), "Conventions"),
                (reverse("conventions:detail", args=[pk]), str(convention)),
                courant=f"{TRANSITIONS[action]} — {convention}",
            ),
        },
    )


@login_required
def avenant_action(request: RequeteAuthentifiee, pk: int, numero: int, action: str) -> HttpResponse:
    """Sign, publish or delete (draft) an amendment, after a confirmation screen."""
    convention = _convention_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    avenant = get_object_or_404(Avenant, convention=convention, numero=numero)
    if action not in ACTIONS_AVENANT:
        return redirect("conventions:detail", pk=pk)
    form = ActionAvenantForm(action, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if action == "signer":
                ecriture.signer_avenant(avenant, request.user, form.cleaned_data["date_signature"])
            elif action == "publier":
                ecriture.publier_avenant(
                    avenant, request.user, form.cleaned_data["date_publication"]
                )
            else:
                ecriture.supprimer_avenant(avenant, request.user)
        except RegleMetierError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"Avenant n° {numero} : « {ACTIONS_AVENANT[action]} » effectué."
            )
        return redirect("conventions:detail", pk=pk)
    libelle = ACTIONS_AVENANT[action]
    return render(
        request,
        "conventions/avenant_action.html",
        {
            "title": f"{libelle} n° {numero} — {convention}",
            "form": form,
            "convention": convention,
            "avenant": avenant,
            "action": action,
            "libelle": libelle,
            "prend_effet_a_la_publication": convention.prise_effet == "publication",
            "breadcrumb_data": _fil(
                (reverse("conventions:liste"), "Conventions"),
                (reverse("conventions:detail", args=[pk]), str(convention)),
                courant=f"{libelle} n° {numero} — {convention}",
            ),
        },
    )


@login_required
def administrations(request: RequeteAuthentifiee) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    visibles = administrations_visibles(request.user).order_by("nom")
    qs = FiltresAdministrations(request.GET, queryset=visibles).qs
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "conventions/administrations.html",
        {
            "title": "Administrations",
            "breadcrumb_data": _fil(courant="Administrations"),
            "page_obj": page,
            "q": q,
        },
    )


@login_required
@ecrire
def administration_formulaire(request: RequeteAuthentifiee, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Administration, pk=pk) if pk else None
    form = AdministrationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Administration enregistrée.")
        return redirect("conventions:administrations")
    titre = f"Modifier {instance}" if instance else "Nouvelle administration"
    return render(
        request,
        "conventions/administration_formulaire.html",
        {
            "title": titre,
            "form": form,
            "breadcrumb_data": _fil(
                (reverse("conventions:administrations"), "Administrations"), courant=titre
            ),
        },
    )
