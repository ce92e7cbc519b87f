"""Which reports are due, and whether they were sent on time (practice, configurable)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings

from delegations.conventions.models import Convention, ajouter_mois

from .models import Nature, Transmission


def delai_mensuel() -> int:
    """Days after the month's end to send the monthly report."""
    return int(getattr(settings, "RAPPORT_MENSUEL_DELAI_JOURS", 15))


def delai_terme() -> int:
    """Days after the convention's end to send the end-of-term report."""
    return int(getattr(settings, "RAPPORT_TERME_DELAI_JOURS", 60))


@dataclass(frozen=True)
class RapportDu:
    nature: str
    periode: dt.date
    date_limite: dt.date


def rapports_dus(convention: Convention, aujourd_hui: dt.date) -> list[RapportDu]:
    """Reports whose deadline has passed by ``aujourd_hui``. Without a stated rhythm, the term report."""
    debut, fin = convention.date_prise_effet, convention.date_fin_effective
    rythmes = set(convention.compte_rendu or []) or {Nature.TERME}
    dus: list[RapportDu] = []
    if Nature.MENSUEL in rythmes and debut:
        mois = debut.replace(day=1)
        while mois <= aujourd_hui and (fin is None or mois <= fin):
            limite = ajouter_mois(mois, 1) + dt.timedelta(days=delai_mensuel() - 1)
            if limite > aujourd_hui:
                break
            dus.append(RapportDu(Nature.MENSUEL, mois, limite))
            mois = ajouter_mois(mois, 1)
    if Nature.TERME in rythmes and fin:
        limite = fin + dt.timedelta(days=delai_terme())
        if limite <= aujourd_hui:
            dus.append(RapportDu(Nature.TERME, fin, limite))
    return dus


def periode_de(nature: str, convention: Convention, mois: dt.date | None) -> dt.date | None:
    if nature == Nature.TERME:
        return convention.date_fin_effective
    return mois.replace(day=1) if mois else None


def a_l_heure(
    convention: Convention, transmissions: dict[tuple[str, dt.date], dt.date], aujourd_hui: dt.date
) -> bool | None:
    """True when every due report was sent by its deadline; None when none is due yet."""
    dus = rapports_dus(convention, aujourd_hui)
    if not dus:
        return None
    for du in dus:
        envoi = transmissions.get((du.nature, du.periode))
        if envoi is None or envoi > du.date_limite:
            return False
    return True


def part_a_l_heure(conventions: Iterable[Convention], aujourd_hui: dt.date) -> tuple[int, int]:
    """(conventions with every due report on time, conventions with at least one report due): one query."""
    conventions = list(conventions)
    par_convention: dict[int, dict[tuple[str, dt.date], dt.date]] = defaultdict(dict)
    for t in Transmission.objects.filter(convention__in=[c.pk for c in conventions]).values_list(
        "convention_id", "nature", "periode", "date_transmission"
    ):
        par_convention[t[0]][(t[1], t[2])] = t[3]
    a_temps = concernees = 0
    for convention in conventions:
        etat = a_l_heure(convention, par_convention[convention.pk], aujourd_hui)
        if etat is None:
            continue
        concernees += 1
        a_temps += int(etat)
    return a_temps, concernees


def comptes_rendus_transmis(ids: Iterable[int]) -> dict[int, set[tuple[str, dt.date]]]:
    """{convention id: {(nature, period)}} of the reports marked as sent (one query per 500
    conventions): read by « À faire » through ``RapportsConfig.comptes_rendus_transmis``."""
    ids = sorted(set(ids))
    resultat: dict[int, set[tuple[str, dt.date]]] = defaultdict(set)
    for i in range(0, len(ids), 500):
        for conv, nature, periode in Transmission.objects.filter(
            convention_id__in=ids[i : i + 500]
        ).values_list("convention_id", "nature", "periode"):
            resultat[conv].add((nature, periode))
    return dict(resultat)
