from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from delegations.core.errors import RegleMetierError

from .calcul import Gravite, TypeEcheance, calculer
from .filtres import FiltresEcheances
from .ical import calendrier
from .models import JetonCalendrier

FENETRE_PASSEE = 60  # days of past deadlines shown by default
FENETRE_FUTURE = 365


@login_required
def tableau(request: HttpRequest) -> HttpResponse:
    """« À faire »: the deadlines of the user's perimeter, sorted by date."""
    aujourd_hui = timezone.localdate()
    try:
        filtres = FiltresEcheances(request.GET).parametres()
    except RegleMetierError as exc:
        messages.error(request, exc.message)
        filtres = FiltresEcheances({}).parametres()
    filtres["du"] = filtres["du"] or aujourd_hui - dt.timedelta(days=FENETRE_PASSEE)
    filtres["au"] = filtres["au"] or aujourd_hui + dt.timedelta(days=FENETRE_FUTURE)
    echeances = calculer(request.user, aujourd_hui, **filtres)
    lignes = [(e, e.gravite(aujourd_hui)) for e in echeances]
    compte = {g: sum(1 for _, gr in lignes if gr == g) for g in Gravite.values}
    page = Paginator(lignes, 50).get_page(request.GET.get("page"))
    jeton = JetonCalendrier.objects.filter(user=request.user).first()  # type: ignore[misc]
    url_secrete = (
        request.build_absolute_uri(reverse("echeances:ical_secret", args=[jeton.jeton]))
        if jeton
        else ""
    )
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "echeances/tableau.html",
        {
            "title": "À faire",
            "page_obj": page,
            "compte": compte,
            "types": TypeEcheance.choices,
            "filtres": filtres,
            "type_choisi": ",".join(filtres["types"] or []),
            "url_secrete": url_secrete,
            "aujourd_hui": aujourd_hui,
            "query_string": params.urlencode(),
        },
    )


@login_required
def jeton(request: HttpRequest) -> HttpResponse:
    """Generate, regenerate or revoke the secret calendar URL (with a confirmation step)."""
    action = request.POST.get("action") or request.GET.get("action", "")
    if action not in ("generer", "revoquer"):
        return redirect("echeances:tableau")
    existant = JetonCalendrier.objects.filter(user=request.user).exists()  # type: ignore[misc]
    if request.method == "POST" and request.POST.get("confirmer") == "1":
        if action == "generer":
            JetonCalendrier.regenerer(request.user)
            messages.success(
                request,
                "Nouvelle adresse secrète créée"
                + (" ; l'ancienne ne fonctionne plus." if existant else "."),
            )
        else:
            JetonCalendrier.revoquer(request.user)
            messages.success(
                request,
                "Adresse secrète révoquée : les agendas abonnés ne reçoivent plus les échéances.",
            )
        return redirect("echeances:tableau")
    return render(
        request,
        "echeances/jeton.html",
        {"title": "Adresse secrète du calendrier", "action": action, "existant": existant},
    )


@require_GET
def ical_secret(request: HttpRequest, jeton: str) -> HttpResponse:
    """The feed agenda applications subscribe to, without logging in; 404 once revoked."""
    ligne = JetonCalendrier.objects.select_related("user").filter(jeton=jeton).first()
    if ligne is None or not ligne.user.is_active:
        raise Http404("Adresse de calendrier inconnue ou révoquée.")
    reponse = HttpResponse(
        calendrier(calculer(ligne.user)), content_type="text/calendar; charset=utf-8"
    )
    reponse["Content-Disposition"] = 'inline; filename="echeances.ics"'
    reponse["Cache-Control"] = "private, max-age=900"
    return reponse
