"""Pages: signed copies, letters, contacts and model versions (within the perimeter, 404 outside)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from delegations.conventions.models import Avenant, Convention
from delegations.core.acces import RequeteAuthentifiee, ecriture_requise, exiger_ecriture
from delegations.core.errors import RegleMetierError
from delegations.taches.models import Tache

from . import courriers as lettres
from .copies import deposer_copie, enregistrer_signature, lire_flux
from .documents import TYPES_MIME, contenu_modele, deposer_modele, version_active
from .forms import ContactForm, CopieForm, CourrierForm, ModeleForm
from .models import (
    Contact,
    CopieSignee,
    Courrier,
    NatureCourrier,
    PieceJointe,
    StatutCourrier,
    TypeDocument,
    VersionModele,
)
from .taches import lancer_envoi

ECRITURE = "Seuls les agents finance de la DINUM peuvent faire cette action."
ecrire = ecriture_requise(ECRITURE)


def _convention(request: HttpRequest, pk: int) -> Convention:
    qs = Convention.objects.visibles_par(request.user).select_related("delegant", "delegataire")
    return get_object_or_404(qs, pk=pk)


def _avenant(convention: Convention, choix: str | None) -> Avenant | None:
    if not choix or choix == "convention":
        return None
    avenant = Avenant.objects.filter(convention=convention, numero=int(choix)).first()
    if avenant is None:
        raise Http404("Avenant introuvable.")
    return avenant


def _fil(convention: Convention, courant: str) -> dict[str, Any]:
    return {
        "links": [
            {"url": reverse("conventions:liste"), "title": "Conventions"},
            {"url": reverse("conventions:detail", args=[convention.pk]), "title": str(convention)},
        ],
        "current": courant,
    }


def _fichier(fichier: Any, nom: str, type_mime: str) -> HttpResponse:
    with fichier.open("rb") as flux:
        reponse = HttpResponse(flux.read(), content_type=type_mime)
    reponse["Content-Disposition"] = f'attachment; filename="{nom}"'
    reponse["X-Content-Type-Options"] = "nosniff"
    return reponse


# --- signed copies -----------------------------------------------------------------------------
@login_required
def copie_deposer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    form = CopieForm(convention, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        avenant = _avenant(convention, form.cleaned_data["document"])
        fichier = form.cleaned_data["fichier"]
        try:
            copie = deposer_copie(
                convention, avenant, lire_flux(fichier), request.user, nom_affiche=fichier.name
            )
        except RegleMetierError as exc:
            form.add_error("fichier", exc.message)
        else:
            if copie.conforme:
                messages.success(request, "Copie signée conforme au registre.")
            else:
                messages.warning(
                    request, f"La copie signée diffère du registre : {len(copie.ecarts)} écart(s)."
                )
            return redirect("redaction:copie", pk=copie.pk)
    return render(
        request,
        "redaction/copie_deposer.html",
        {
            "title": f"Déposer une copie signée — {convention}",
            "convention": convention,
            "form": form,
            "breadcrumb_data": _fil(convention, f"Déposer une copie signée — {convention}"),
        },
    )


def _copie_visible(request: HttpRequest, pk: int) -> CopieSignee:
    qs = CopieSignee.objects.filter(
        convention__in=Convention.objects.visibles_par(request.user)
    ).select_related("convention__delegant", "convention__delegataire", "avenant")
    return get_object_or_404(qs, pk=pk)


@login_required
def copie(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    copie = _copie_visible(request, pk)
    return render(
        request,
        "redaction/copie.html",
        {
            "title": str(copie),
            "copie": copie,
            "convention": copie.convention,
            "breadcrumb_data": _fil(copie.convention, "Copie signée"),
        },
    )


@login_required
@require_POST
def copie_signature(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    copie = _copie_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    try:
        convention = enregistrer_signature(copie, request.user)
    except RegleMetierError as exc:
        messages.error(request, exc.message)
        return redirect("redaction:copie", pk=copie.pk)
    quoi = f"de l'avenant n° {copie.avenant.numero}" if copie.avenant else "de la convention"
    messages.success(
        request, f"Signature {quoi} du {copie.date_signature:%d/%m/%Y} enregistrée au registre."
    )
    return redirect("conventions:detail", pk=convention.pk)


@login_required
def copie_fichier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    copie = _copie_visible(request, pk)
    return _fichier(copie.fichier, f"copie-signee-{copie.pk}.pdf", "application/pdf")


# --- letters -----------------------------------------------------------------------------------
@login_required
def courrier_nouveau(request: RequeteAuthentifiee, pk: int, nature: str) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    if nature not in NatureCourrier.values:
        raise Http404("Nature de courrier inconnue.")
    form = CourrierForm(convention, nature, request.POST or None)
    apercu = erreur = None
    if request.method != "POST" or form.is_valid():
        parametres = form.parametres() if request.method == "POST" else {}
        document = form.cleaned_data.get("document") if request.method == "POST" else None
        avenant = _avenant(convention, document)
        try:
            if request.method == "POST" and request.POST.get("action") == "envoyer":
                courrier = lettres.preparer_courrier(
                    convention, nature, request.user, avenant=avenant, parametres=parametres
                )
                lancer_envoi(courrier, request.user)
                messages.info(request, EN_FILE.format(adresses=", ".join(courrier.adresses)))
                return redirect("redaction:courrier", pk=courrier.pk)
            apercu = lettres.rediger(
                convention,
                nature,
                avenant=avenant,
                parametres=parametres,
                signataire=request.user.get_full_name() or request.user.email,
                avec_pieces=False,
            )
        except RegleMetierError as exc:
            erreur = exc.message
    titre = NatureCourrier(nature).label
    return render(
        request,
        "redaction/courrier_nouveau.html",
        {
            "title": f"{titre} — {convention}",
            "titre": titre,
            "convention": convention,
            "nature": nature,
            "form": form,
            "apercu": apercu,
            "erreur": erreur,
            "pieces_prevues": PIECES[NatureCourrier(nature)],
            "breadcrumb_data": _fil(convention, titre),
        },
    )


PIECES = {
    NatureCourrier.POUR_SIGNATURE: "le texte rédigé depuis le registre (PDF et Word)",
    NatureCourrier.CREDITS_INSUFFISANTS: "la situation d'exécution du mois (PDF)",
    NatureCourrier.PREAVIS: "le texte de la convention (PDF)",
    NatureCourrier.CREDITS_NON_CONSOMMES: "le compte rendu de fin de convention (PDF)",
    NatureCourrier.RAPPORT_PERIODIQUE: "le compte rendu du mois (PDF)",
    NatureCourrier.RAPPORT_FINAL: "le compte rendu de fin de convention (PDF)",
    NatureCourrier.COPIE_CBCM: "la dernière copie signée déposée (PDF)",
}


def _courrier_visible(request: HttpRequest, pk: int) -> Courrier:
    qs = Courrier.objects.visibles_par(request.user).select_related(
        "convention__delegant", "convention__delegataire", "avenant", "cree_par"
    )
    return get_object_or_404(qs, pk=pk)


@login_required
def courrier(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    courrier = _courrier_visible(request, pk)
    return render(
        request,
        "redaction/courrier.html",
        {
            "title": courrier.objet,
            "courrier": courrier,
            "convention": courrier.convention,
            "breadcrumb_data": _fil(courrier.convention, "Courrier"),
        },
    )


@login_required
@require_POST
def courrier_renvoyer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    courrier = _courrier_visible(request, pk)
    exiger_ecriture(request.user, ECRITURE)
    if courrier.statut == StatutCourrier.ENVOYE:
        messages.info(request, "Ce courrier est déjà parti : il n'est jamais envoyé deux fois.")
    else:
        lancer_envoi(courrier, request.user)
        messages.info(request, EN_FILE.format(adresses=", ".join(courrier.adresses)))
    return redirect("redaction:courrier", pk=courrier.pk)


EN_FILE = (
    "Le courrier est en file d'envoi vers {adresses} : cette page indique quand il est parti "
    "(suivi aussi dans « Mes traitements »)."
)


@login_required
def courrier_tache(request: RequeteAuthentifiee, tache_id: uuid.UUID) -> HttpResponse:
    """The result page of a sending task: the letter it sent."""
    tache = get_object_or_404(Tache.objects.visibles_par(request.user), pk=tache_id)
    courrier_id = (
        (tache.resultat or {}).get("courrier") if isinstance(tache.resultat, dict) else None
    )
    if courrier_id is None:
        raise Http404("Ce traitement n'a pas envoyé de courrier.")
    return redirect("redaction:courrier", pk=_courrier_visible(request, int(courrier_id)).pk)


@login_required
def courrier_etat(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    """The letter's status badge, polled by the page while the letter waits in the queue."""
    return render(
        request, "redaction/_courrier_etat.html", {"courrier": _courrier_visible(request, pk)}
    )


@login_required
def piece(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    qs = PieceJointe.objects.filter(courrier__in=Courrier.objects.visibles_par(request.user))
    jointe = get_object_or_404(qs, pk=pk)
    return _fichier(jointe.fichier, jointe.nom, jointe.type_mime)


# --- contacts ----------------------------------------------------------------------------------
@login_required
def contacts(request: RequeteAuthentifiee) -> HttpResponse:
    qs = Contact.objects.visibles_par(request.user).select_related("administration")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(nom__icontains=q)
            | Q(email__icontains=q)
            | Q(administration__nom__icontains=q)
            | Q(administration__sigle__icontains=q)
        )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "redaction/contacts.html",
        {
            "title": "Contacts des délégants",
            "breadcrumb_data": {"links": [], "current": "Contacts des délégants"},
            "page_obj": page,
            "q": q,
        },
    )


def _fil_contacts(courant: str) -> dict[str, Any]:
    return {
        "links": [{"url": reverse("redaction:contacts"), "title": "Contacts des délégants"}],
        "current": courant,
    }


@login_required
@ecrire
def contact_formulaire(request: RequeteAuthentifiee, pk: int | None = None) -> HttpResponse:
    instance = get_object_or_404(Contact, pk=pk) if pk else None
    form = ContactForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, "Contact enregistré.")
        return redirect("redaction:contacts")
    titre = f"Modifier {instance}" if instance else "Nouveau contact"
    return render(
        request,
        "redaction/contact_formulaire.html",
        {"title": titre, "form": form, "breadcrumb_data": _fil_contacts(titre)},
    )


@login_required
@ecrire
def contact_supprimer(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    contact = get_object_or_404(Contact, pk=pk)
    if request.method == "POST":
        contact.delete()
        messages.success(request, "Contact supprimé.")
        return redirect("redaction:contacts")
    return render(
        request,
        "redaction/contact_supprimer.html",
        {
            "title": f"Supprimer {contact}",
            "contact": contact,
            "breadcrumb_data": _fil_contacts(f"Supprimer {contact}"),
        },
    )


# --- model versions ----------------------------------------------------------------------------
@login_required
@ecrire
def modeles(request: RequeteAuthentifiee) -> HttpResponse:
    for type_document in TypeDocument.values:
        version_active(type_document)  # the shipped model is version 1
    form = ModeleForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            version = deposer_modele(
                form.cleaned_data["type"],
                lire_flux(fichier),
                request.user,
                form.cleaned_data["commentaire"],
            )
        except RegleMetierError as exc:
            form.add_error("fichier", exc.message)
        else:
            messages.success(request, f"{version} enregistré : il sert aux prochains documents.")
            return redirect("redaction:modeles")
    versions = (
        VersionModele.objects.select_related("depose_par")
        .annotate(nb_documents=Count("documents"))
        .order_by("type", "-version")
    )
    return render(
        request,
        "redaction/modeles.html",
        {
            "title": "Modèles de documents",
            "form": form,
            "versions": versions,
            "breadcrumb_data": {"links": [], "current": "Modèles de documents"},
        },
    )


@login_required
@ecrire
def modele_telecharger(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    version = get_object_or_404(VersionModele, pk=pk)
    reponse = HttpResponse(contenu_modele(version), content_type=TYPES_MIME["docx"])
    reponse["Content-Disposition"] = (
        f'attachment; filename="modele-{version.type}-v{version.version}.docx"'
    )
    return reponse
