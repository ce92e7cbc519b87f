"""Email reminders of deadlines, idempotent through ``RappelEnvoye``'s unique key."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from delegations.core.models import Role, User

from .calcul import Echeance, calculer
from .models import RappelEnvoye

ROLES_DESTINATAIRES = (Role.FINANCE, Role.DELEGANT, Role.INTRAPRENEUR)


@dataclass
class Bilan:
    courriels: int = 0
    rappels: int = 0


def _a_rappeler(
    echeances: list[Echeance], aujourd_hui: dt.date, jours: int, retard: int
) -> list[tuple[Echeance, str]]:
    resultat: list[tuple[Echeance, str]] = []
    for e in echeances:
        if aujourd_hui <= e.date <= aujourd_hui + dt.timedelta(days=jours):
            resultat.append((e, RappelEnvoye.Nature.PROCHE))
        elif aujourd_hui - dt.timedelta(days=retard) <= e.date < aujourd_hui:
            resultat.append((e, RappelEnvoye.Nature.DEPASSEE))
    return resultat


def _message(echeances: list[tuple[Echeance, str]], aujourd_hui: dt.date) -> str:
    lignes = ["Bonjour,", "", "Voici les échéances qui vous concernent :", ""]
    for e, nature in echeances:
        etat = (
            "DÉPASSÉE"
            if nature == RappelEnvoye.Nature.DEPASSEE
            else f"dans {(e.date - aujourd_hui).days} jour(s)"
        )
        lignes.append(f"- {e.date:%d/%m/%Y} ({etat}) : {e.libelle}")
        if e.url:
            lignes.append(f"  {settings.SITE_URL}{e.url}")
    lignes += [
        "",
        "Tableau « À faire » : " + f"{settings.SITE_URL}/echeances/",
        "",
        "— Délégations (DINUM)",
    ]
    return "\n".join(lignes)


def envoyer_rappels(
    aujourd_hui: dt.date | None = None, jours: int = 30, retard: int = 60, stdout: Any = None
) -> Bilan:
    """Send each person one email listing the deadlines not yet reminded to them."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    par_email: dict[str, dict[str, tuple[Echeance, str]]] = defaultdict(dict)
    utilisateurs = User.objects.filter(is_active=True, role__in=ROLES_DESTINATAIRES).exclude(
        email=""
    )
    for user in utilisateurs:
        echeances = calculer(
            user,
            aujourd_hui,
            du=aujourd_hui - dt.timedelta(days=retard),
            au=aujourd_hui + dt.timedelta(days=jours),
        )
        for e, nature in _a_rappeler(echeances, aujourd_hui, jours, retard):
            par_email[user.email.lower()][f"{e.cle}|{nature}"] = (e, nature)
            for contact in e.contacts:  # people named on the deadline without an account
                par_email[contact.lower()][f"{e.cle}|{nature}"] = (e, nature)
    bilan = Bilan()
    for email, lot in sorted(par_email.items()):
        deja = set(
            RappelEnvoye.objects.filter(
                email=email, cle__in=[e.cle for e, _ in lot.values()]
            ).values_list("cle", "date_echeance", "nature")
        )
        nouveaux = sorted(
            (v for v in lot.values() if (v[0].cle, v[0].date, v[1]) not in deja),
            key=lambda v: (v[0].date, v[0].libelle),
        )
        if not nouveaux:
            continue
        with transaction.atomic():
            RappelEnvoye.objects.bulk_create(
                [
                    RappelEnvoye(email=email, cle=e.cle, date_echeance=e.date, nature=n)
                    for e, n in nouveaux
                ]
            )
            sujet = f"[Délégations] {len(nouveaux)} échéance(s) à suivre"
            send_mail(sujet, _message(nouveaux, aujourd_hui), settings.DEFAULT_FROM_EMAIL, [email])
        bilan.courriels += 1
        bilan.rappels += len(nouveaux)
    return bilan
