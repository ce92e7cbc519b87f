from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from delegations.core.acces import RequeteAuthentifiee
from delegations.core.errors import RegleMetierError

from .calcul import PROCHE_JOURS, TypeEcheance
from .filtres import FiltresEcheances
from .ical import calendrier, pour_le_flux
from .models import JetonCalendrier
from .stockage import lister

FENETRE_FUTURE = 365
TAILLE_PAGE = 50


def compter_par_gravite(echeances: QuerySet[Any], aujourd_hui: dt.date) -> dict[str, int]:
    """Overdue, within 30 days, later: one aggregate query."""
    proche = aujourd_hui + dt.timedelta(days=PROCHE_JOURS)
    return echeances.order_by().aggregate(
        depassee=Count("pk", filter=Q(date__lt=aujourd_hui)),
        proche=Count("pk", filter=Q(date__gte=aujourd_hui, date__lte=proche)),
        plus_tard=Count("pk", filter=Q(date__gt=proche)),
    )


@login_required
def tableau(request: RequeteAuthentifiee) -> HttpResponse:
    """« À faire »: the deadlines of the user's perimeter, sorted by date."""
    aujourd_hui = timezone.localdate()
    try:
        filtres = FiltresEcheances(request.GET).parametres()
    except RegleMetierError as exc:
        messages.error(request, exc.message)
        filtres = FiltresEcheances({}).parametres()
    # Overdue deadlines come first however old (date order); the future stops at a year.
    filtres["au"] = filtres["au"] or aujourd_hui + dt.timedelta(days=FENETRE_FUTURE)
    echeances = lister(request.user, **filtres)
    compte = compter_par_gravite(echeances, aujourd_hui)
    paginator = Paginator(echeances, TAILLE_PAGE)
    paginator.count = sum(compte.values())  # already counted: no second COUNT query
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = [(e, e.gravite(aujourd_hui)) for e in page.object_list]  # type: ignore[misc]
    jeton = JetonCalendrier.objects.filter(user=request.user).first()
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
            "breadcrumb_data": {"links": [], "current": "À faire"},
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
def jeton(request: RequeteAuthentifiee) -> HttpResponse:
    """Generate, regenerate or revoke the secret calendar URL (with a confirmation step)."""
    action = request.POST.get("action") or request.GET.get("action", "")
    if action not in ("generer", "revoquer"):
        return redirect("echeances:tableau")
    existant = JetonCalendrier.objects.filter(user=request.user).exists()
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
        calendrier(pour_le_flux(lister(ligne.user))), content_type="text/calendar; charset=utf-8"
    )
    reponse["Content-Disposition"] = 'inline; filename="echeances.ics"'
    reponse["Cache-Control"] = "private, max-age=900"
    return reponse
