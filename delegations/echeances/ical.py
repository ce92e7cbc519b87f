"""iCalendar rendering of deadlines (RFC 5545, via the icalendar library)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event

from .calcul import Echeance

FLUX_PASSE = 30  # days of past deadlines in a feed, unless ``du`` says otherwise
FLUX_MAX = 2000  # deadlines per feed, first by date: filters narrow it


def pour_le_flux(echeances: Any, filtres: dict[str, Any] | None = None) -> Any:
    """What an agenda receives: from 30 days back (or ``du``), at most ``FLUX_MAX`` deadlines."""
    if not (filtres or {}).get("du"):
        echeances = echeances.filter(date__gte=timezone.localdate() - dt.timedelta(days=FLUX_PASSE))
    return echeances[:FLUX_MAX]


def calendrier(echeances: Iterable[Echeance] | Any, nom: str = "Délégations — échéances") -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//DINUM//Delegations//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", nom)
    maintenant = timezone.now()
    for e in echeances:
        event = Event()
        event.add("uid", f"{e.cle}@delegations.beta.gouv.fr")
        event.add("dtstamp", maintenant)
        event.add("dtstart", e.debut or e.date)
        event.add("dtend", e.date + dt.timedelta(days=1))
        event.add("summary", e.libelle)
        event.add("categories", [e.type])
        description = [e.libelle_type]
        if e.convention_reference:
            description.append(f"Convention {e.convention_reference}")
        if e.produit_nom:
            description.append(f"Produit {e.produit_nom}")
        if e.url:
            lien = f"{settings.SITE_URL}{e.url}"
            event.add("url", lien)
            description.append(lien)
        event.add("description", "\n".join(description))
        event.add("transp", "TRANSPARENT")
        cal.add_component(event)
    return cal.to_ical()
