from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from rest_framework.exceptions import ValidationError as DrfValidationError

from delegations.conventions.forms import LignesFormSet
from delegations.conventions.models import Convention
from delegations.core.acces import RequeteAuthentifiee, ecriture_requise
from delegations.core.errors import RegleMetierError
from delegations.core.fichiers import TYPES_MIME
from delegations.core.models import Administration
from delegations.taches.models import Statut, Tache

from . import importation
from .extraction import KEYS, ExtractionError
from .forms import IMPUTATION, DepotForm, RevueForm
from .models import Document
from .taches import lancer_lecture, lire_document

# Below this confidence (OCR read once, or a code its shape leaves ambiguous) a field is
# highlighted in the review.
CONFIANCE_BASSE = 0.8

# Where each review field's evidence is found in the reader's ``sources``.
SOURCES = {
    f"{p}_{c}": p
    for p in ("delegant", "delegataire")
    for c in ("nom", "sigle", "representant_nom", "representant_qualite")
}
SOURCES.update({c: f"imputation.{c}" for c in IMPUTATION})


ECRITURE = "Seuls les agents finance de la DINUM importent des documents."
ecrire = ecriture_requise(ECRITURE)


def _conventions_modifiables(request: HttpRequest) -> Any:
    return (
        Convention.objects.visibles_par(request.user)
        .exclude(statut__in=["brouillon", "terminee"])
        .select_related("delegant")
    )


def rapprochements(extraction: dict[str, Any]) -> list[str]:
    """For each party whose acronym the register knows under another name: what the import
    will do (attach the convention to the known administration, never rename it)."""
    messages_: list[str] = []
    for cle, role in (("delegant", "le délégant"), ("delegataire", "le délégataire")):
        partie = extraction.get(cle) or {}
        nom = " ".join(str(partie.get("nom") or "").split())
        sigle = " ".join(str(partie.get("sigle") or "").split())
        if not (nom and sigle):
            continue
        connue = Administration.objects.filter(sigle__iexact=sigle).first()
        if connue is not None and connue.nom.casefold() != nom.casefold():
            messages_.append(
                f"Le texte nomme {role} « {nom} » ; le registre connaît le sigle {connue.sigle} "
                f"sous le nom « {connue.nom} ». La convention sera rattachée à cette "
                "administration, sans la renommer ; corrigez le sigle s'il s'agit d'une autre."
            )
    return messages_


def _revue(
    request: HttpRequest, form: RevueForm, formset: Any, extraction: dict[str, Any]
) -> HttpResponse:
    sources = extraction.get("sources") or {}
    champs = []
    for bound in form.visible_fields():
        source = sources.get(SOURCES.get(bound.name, bound.name))
        confiance = source.get("confiance", 1.0) if isinstance(source, dict) else 1.0
        champs.append({"field": bound, "source": source, "a_verifier": confiance < CONFIANCE_BASSE})
    return render(
        request,
        "lecture/revue.html",
        {
            "title": "Vérifier la lecture du document",
            "form": form,
            "formset": formset,
            "champs": champs,
            "alertes": extraction.get("alertes") or [],
            "source_echeancier": sources.get("echeancier"),
            "ligne_proposee": form.initial.get("ligne_proposee")
            or (form.data.get("ligne_proposee") if form.is_bound else None),
            "rapprochements": rapprochements(extraction),
            "precedents": [
                p for p in extraction.get("conventions_precedentes") or [] if isinstance(p, dict)
            ],
            "breadcrumb_data": {
                "links": [{"url": "/lecture/importer/", "title": "Importer"}],
                "current": "Vérification",
            },
        },
    )


@login_required
@ecrire
def importer(request: RequeteAuthentifiee) -> HttpResponse:
    """Park the upload and read it in a task: the user follows its progress, then reviews."""
    form = DepotForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            depot = importation.deposer_fichier(fichier, fichier.name)
        except ExtractionError as exc:
            form.add_error("fichier", str(exc))
        else:
            if depot.doublon is not None:
                messages.info(
                    request,
                    f"Ce document a déjà été importé le {depot.doublon.created_at:%d/%m/%Y} : "
                    "voici la convention correspondante.",
                )
                return redirect("conventions:detail", pk=depot.doublon.convention_id)
            tache = lancer_lecture(depot, request.user)
            return redirect("taches:detail", pk=tache.pk)
    return render(
        request,
        "lecture/importer.html",
        {
            "title": "Importer une convention",
            "form": form,
            "breadcrumb_data": {"links": [], "current": "Importer une convention ou un avenant"},
        },
    )


@login_required
@ecrire
def revue(request: RequeteAuthentifiee, pk: Any) -> HttpResponse:
    """The review of a document read by a task: the same form as a synchronous reading."""
    tache = get_object_or_404(
        Tache.objects.visibles_par(request.user), pk=pk, nom=lire_document.module_path
    )
    if tache.statut != Statut.TERMINEE or not isinstance(tache.resultat, dict):
        return redirect("taches:detail", pk=tache.pk)
    lu = tache.resultat
    sha256, _, extension = str(lu.get("import", "")).partition(".")
    extraction = {cle: lu.get(cle) for cle in KEYS}
    initial = RevueForm.initial_depuis(extraction)
    candidats = lu.get("conventions_candidates") or []
    initial.update(
        sha256=sha256,
        extension=f".{extension}",
        nom_original=lu.get("nom_fichier") or f"document.{extension}",
        convention_parente=candidats[0] if len(candidats) == 1 else None,
    )
    form = RevueForm(initial=initial, conventions=_conventions_modifiables(request))
    lignes = [
        {"annee": ligne["annee"], "ae": ligne["ae"], "cp": ligne["cp"]}
        for ligne in extraction.get("echeancier") or []
    ]
    proposee = None if lignes else importation.ligne_proposee(extraction)
    if proposee:
        lignes = [proposee]
        form.initial["ligne_proposee"] = proposee["annee"]
    formset = LignesFormSet(initial=lignes, prefix="lignes")
    return _revue(request, form, formset, extraction)


@login_required
@ecrire
def confirmer(request: RequeteAuthentifiee) -> HttpResponse:
    if request.method != "POST":
        return redirect("lecture:importer")
    form = RevueForm(request.POST, conventions=_conventions_modifiables(request))
    formset = LignesFormSet(request.POST, prefix="lignes")
    extraction: dict[str, Any] = {}
    if form.is_valid() and formset.is_valid():
        d = form.cleaned_data
        extraction = importation.extraction_en_attente(d["sha256"], d["extension"])
        donnees = form.contrat(formset.lignes())  # type: ignore[attr-defined]
        try:
            if d["type"] == "avenant":
                avenant = importation.confirmer_avenant(
                    d["sha256"],
                    d["extension"],
                    d["nom_original"],
                    donnees,
                    d["convention_parente"],
                    request.user,
                )
                messages.success(request, f"Avenant n° {avenant.numero} importé et rattaché.")
                return redirect("conventions:detail", pk=avenant.convention_id)
            convention = importation.confirmer_convention(
                d["sha256"], d["extension"], d["nom_original"], donnees, request
            )
        except RegleMetierError as exc:
            form.add_error(None, exc.message)
        except DrfValidationError as exc:
            for cle, erreurs in (
                exc.detail.items() if isinstance(exc.detail, dict) else [(None, exc.detail)]
            ):
                champ = cle if cle in form.fields else None
                form.add_error(
                    champ, f"{cle} : {erreurs}" if champ is None and cle else str(erreurs)
                )
        else:
            messages.success(
                request, "Convention importée (au statut brouillon) avec son document original."
            )
            return redirect("conventions:detail", pk=convention.pk)
    elif form.is_bound and "sha256" in form.cleaned_data:
        extraction = importation.extraction_en_attente(
            form.cleaned_data["sha256"], form.cleaned_data.get("extension", "")
        )
    return _revue(request, form, formset, extraction)


@login_required
def telecharger(request: RequeteAuthentifiee, pk: int) -> FileResponse:
    document = get_object_or_404(Document.objects.visibles_par(request.user), pk=pk)
    extension = "." + str(document.fichier.name).rsplit(".", 1)[-1].lower()
    return FileResponse(
        document.fichier.open("rb"),
        as_attachment=True,
        filename=document.nom_original,
        # The type of the checked deposit, never one guessed from the shown name.
        content_type=TYPES_MIME.get(extension, "application/octet-stream"),
    )
