"""Report pages: within the perimeter (404 outside), downloads, and marking a report as sent."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from delegations.conventions.models import Avenant, Convention
from delegations.core.acces import RequeteAuthentifiee, exiger_ecriture
from delegations.taches.registre import lancer

from . import exports
from .donnees import NATURES, Rapport, construire, lire_periode
from .models import Transmission
from .suivi import delai_mensuel, delai_terme
from .taches import produire_rapport


def _convention(request: HttpRequest, pk: int) -> Convention:
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


def _rapport(request: HttpRequest, convention: Convention) -> Rapport:
    nature = str(request.GET.get("nature")) if request.GET.get("nature") in NATURES else "mensuel"
    return construire(convention, nature, lire_periode(request.GET.get("periode")))


@login_required
def rapport(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    r = _rapport(request, convention)
    periode = r.debut if r.nature == "mensuel" else r.fin
    transmission = Transmission.objects.filter(
        convention=convention, nature=r.nature, periode=periode
    ).first()
    date_limite = (
        r.fin + dt.timedelta(days=delai_mensuel())
        if r.nature == "mensuel"
        else r.fin + dt.timedelta(days=delai_terme())
    )
    params = request.GET.copy()
    return render(
        request,
        "rapports/rapport.html",
        {
            "title": f"{r.titre} — {convention}",
            "rapport": r,
            "natures": NATURES,
            "formats": [
                (
                    f,
                    "Télécharger le PDF"
                    if f == "pdf"
                    else f"Télécharger le {libelle[0].lower()}{libelle[1:]}",
                )
                for f, libelle in exports.FORMATS.items()
                if f != "html"
            ],
            "query_string": params.urlencode(),
            "transmission": transmission,
            "date_limite": date_limite,
            "aujourd_hui": timezone.localdate(),
            "breadcrumb_data": {
                "links": [
                    {"url": reverse("conventions:liste"), "title": "Conventions"},
                    {"url": reverse("conventions:detail", args=[pk]), "title": str(convention)},
                ],
                "current": r.titre,
            },
        },
    )


@login_required
def telecharger(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    convention = _convention(request, pk)
    if format not in exports.FORMATS:
        return redirect("rapports:rapport", pk=pk)
    r = _rapport(request, convention)
    reponse = HttpResponse(exports.exporter(r, format), content_type=exports.TYPES_MIME[format])
    reponse["Content-Disposition"] = f'attachment; filename="{r.nom_fichier}.{format}"'
    return reponse


@login_required
@require_POST
def preparer(request: RequeteAuthentifiee, pk: int, format: str) -> HttpResponse:
    """Queue the report file (PDF takes seconds); the user downloads it when it is ready."""
    convention = _convention(request, pk)
    if format not in exports.FORMATS or format == "html":
        return redirect("rapports:rapport", pk=pk)
    nature = str(request.GET.get("nature")) if request.GET.get("nature") in NATURES else "mensuel"
    periode = request.GET.get("periode") or None
    tache = lancer(
        produire_rapport,
        request.user,
        convention.pk,
        nature,
        periode,
        format,
        libelle=f"{NATURES[nature]} ({exports.FORMATS[format]}) — {convention}",
        cle=f"rapport:{convention.pk}:{nature}:{periode}:{format}",
    )
    return redirect("taches:detail", pk=tache.pk)


@login_required
@require_POST
def transmis(request: RequeteAuthentifiee, pk: int) -> HttpResponse:
    convention = _convention(request, pk)
    exiger_ecriture(
        request.user,
        "Seuls les agents finance de la DINUM peuvent enregistrer la transmission d'un rapport.",
    )
    nature = str(request.POST.get("nature")) if request.POST.get("nature") in NATURES else "mensuel"
    mois = lire_periode(request.POST.get("periode"))
    try:
        date_transmission = dt.date.fromisoformat(request.POST.get("date_transmission", ""))
    except ValueError:
        messages.error(request, "Indiquez la date de transmission au format JJ/MM/AAAA.")
        return redirect("rapports:rapport", pk=pk)
    periode = mois if nature == "mensuel" else convention.date_fin_effective
    if periode is None:
        messages.error(request, "Période du rapport inconnue.")
        return redirect("rapports:rapport", pk=pk)
    try:
        with transaction.atomic():
            Transmission.objects.create(
                convention=convention,
                nature=nature,
                periode=periode,
                date_transmission=date_transmission,
                transmis_par=request.user,
            )
    except IntegrityError:
        messages.error(request, "Ce rapport est déjà marqué comme transmis.")
    else:
        messages.success(request, "Transmission du rapport enregistrée.")
    url = reverse("rapports:rapport", args=[pk]) + f"?nature={nature}"
    if mois:
        url += f"&periode={mois:%Y-%m}"
    return redirect(url)
