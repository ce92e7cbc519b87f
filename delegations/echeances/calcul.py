"""Deadlines computed from the data (never typed twice): one function per rule, then the
perimeter-scoped list used by the dashboard, the API, the iCalendar feeds and the reminders."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.db import models
from django.db.models import Max, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from delegations.comites.models import Comite, Obligation, TypeComite
from delegations.conventions.models import CompteRendu, Convention, Statut, ajouter_mois
from delegations.core.acces import Utilisateur
from delegations.produits.models import Produit

PROCHE_JOURS = 30
MISSION_FENETRE = (45, 30)  # days before the envelope runs out: window start, window end
STATUTS_ACTIFS = (Statut.SIGNEE, Statut.PUBLIEE, Statut.SUSPENDUE, Statut.RESILIEE)
STATUTS_PREAVIS = (Statut.SIGNEE, Statut.PUBLIEE, Statut.SUSPENDUE)


class TypeEcheance(models.TextChoices):
    COMITE = "comite", "Comité d'investissement"
    FIN_CONVENTION = "fin_convention", "Fin de convention"
    PREAVIS = "preavis", "Dernier jour pour donner le préavis"
    CLOTURE_ENGAGEMENTS = "cloture_engagements", "Clôture des engagements"
    CLOTURE_PAIEMENTS = "cloture_paiements", "Clôture des paiements"
    COMPTE_RENDU = "compte_rendu", "Compte rendu au délégant"
    OBLIGATION = "obligation", "Obligation"


class Gravite(models.TextChoices):
    DEPASSEE = "depassee", "Dépassée"
    PROCHE = "proche", "Dans les 30 jours"
    PLUS_TARD = "plus_tard", "Plus tard"


def gravite(date: dt.date, aujourd_hui: dt.date) -> str:
    if date < aujourd_hui:
        return Gravite.DEPASSEE
    if (date - aujourd_hui).days <= PROCHE_JOURS:
        return Gravite.PROCHE
    return Gravite.PLUS_TARD


@dataclass(frozen=True)
class Echeance:
    date: dt.date
    type: str
    libelle: str
    cle: str  # stable identity (reminders, iCalendar UID)
    url: str = ""
    convention_id: int | None = None
    convention_reference: str = ""
    produit_id: int | None = None
    produit_nom: str = ""
    debut: dt.date | None = None  # start of a window (mission committee)
    contacts: tuple[str, ...] = field(default=(), compare=False)  # emails outside the user base

    def gravite(self, aujourd_hui: dt.date) -> str:
        return gravite(self.date, aujourd_hui)

    @property
    def libelle_type(self) -> str:
        return TypeEcheance(self.type).label


# --- rules ------------------------------------------------------------------------------------
def _ref(convention: Convention) -> str:
    return convention.reference or f"n° {convention.pk}"


_MARQUE = 987654321


@functools.cache
def _modele_lien() -> str:
    return reverse("conventions:detail", args=[_MARQUE])


def _lien_convention(convention: Convention, ancre: str = "") -> str:
    # One reverse per process, not per deadline (the nightly rebuild writes 100 000 rows).
    lien = _modele_lien().replace(str(_MARQUE), str(convention.pk))
    return lien + (f"#{ancre}" if ancre else "")


def _base(convention: Convention) -> dict[str, Any]:
    return {"convention_id": convention.pk, "convention_reference": convention.reference}


def date_annuelle(annee: int, jour_mois: tuple[int, int]) -> dt.date:
    """A yearly cut-off (day, month), clamped to the month's last day (29-02 in a common year → 28-02)."""
    jour, mois = jour_mois
    return dt.date(annee, mois, min(jour, calendar.monthrange(annee, mois)[1]))


def fin_de_mois(annee: int, mois: int) -> dt.date:
    return dt.date(annee, mois, calendar.monthrange(annee, mois)[1])


def echeance_fin(convention: Convention) -> list[Echeance]:
    fin = convention.date_fin_effective
    if convention.statut not in STATUTS_ACTIFS or fin is None:
        return []
    return [
        Echeance(
            fin,
            TypeEcheance.FIN_CONVENTION,
            f"Fin de la convention {_ref(convention)}",
            f"fin_convention:{convention.pk}",
            _lien_convention(convention),
            **_base(convention),
        )
    ]


def echeance_preavis(convention: Convention) -> list[Echeance]:
    """Last day to give notice (end date minus the notice period), while notice can still be given."""
    limite = convention.date_limite_preavis
    if convention.statut not in STATUTS_PREAVIS or convention.date_preavis or limite is None:
        return []
    return [
        Echeance(
            limite,
            TypeEcheance.PREAVIS,
            f"Dernier jour pour donner le préavis ({convention.preavis_mois} mois) — convention {_ref(convention)}",
            f"preavis:{convention.pk}",
            _lien_convention(convention),
            **_base(convention),
        )
    ]


def echeances_cloture(convention: Convention, aujourd_hui: dt.date) -> list[Echeance]:
    """Year-end cut-offs for each year the convention is in force on the cut-off date."""
    debut, fin = convention.date_prise_effet, convention.date_fin_effective
    if convention.statut not in STATUTS_ACTIFS or debut is None:
        return []
    derniere = fin.year if fin else aujourd_hui.year + 1
    resultat = []
    for type_, reglage, libelle in (
        (
            TypeEcheance.CLOTURE_ENGAGEMENTS,
            settings.CLOTURE_ENGAGEMENTS,
            "Clôture des engagements (dernières commandes)",
        ),
        (TypeEcheance.CLOTURE_PAIEMENTS, settings.CLOTURE_PAIEMENTS, "Clôture des paiements"),
    ):
        for annee in range(debut.year, derniere + 1):
            date = date_annuelle(annee, tuple(reglage))  # type: ignore[arg-type]
            if debut <= date and (fin is None or date <= fin):
                resultat.append(
                    Echeance(
                        date,
                        type_,
                        f"{libelle} {annee} — convention {_ref(convention)}",
                        f"{type_}:{convention.pk}:{annee}",
                        _lien_convention(convention),
                        **_base(convention),
                    )
                )
    return resultat


def echeances_compte_rendu(
    convention: Convention,
    aujourd_hui: dt.date,
    transmis: Collection[tuple[str, dt.date]] = (),
) -> list[Echeance]:
    """Monthly reports (last day of each month in force) where the convention says so, and the
    final one; a report marked as sent (``transmis``: (nature, period) pairs, the period being
    the month's first day) is no longer due."""
    debut, fin = convention.date_prise_effet, convention.date_fin_effective
    if convention.statut not in STATUTS_ACTIFS or debut is None:
        return []
    resultat = []
    if CompteRendu.MENSUEL in (convention.compte_rendu or []):
        borne = fin or ajouter_mois(aujourd_hui, 12)
        annee, mois = debut.year, debut.month
        while True:
            date = fin_de_mois(annee, mois)
            if date > borne or (fin is not None and date >= fin):
                break
            if (CompteRendu.MENSUEL, date.replace(day=1)) not in transmis:
                resultat.append(
                    Echeance(
                        date,
                        TypeEcheance.COMPTE_RENDU,
                        f"Compte rendu mensuel ({date:%m/%Y}) — convention {_ref(convention)}",
                        f"compte_rendu:{convention.pk}:{date:%Y-%m}",
                        _lien_convention(convention),
                        **_base(convention),
                    )
                )
            annee, mois = (annee + 1, 1) if mois == 12 else (annee, mois + 1)
    if fin is not None and not any(nature == CompteRendu.TERME for nature, _ in transmis):
        resultat.append(
            Echeance(
                fin,
                TypeEcheance.COMPTE_RENDU,
                f"Compte rendu final d'exécution — convention {_ref(convention)}",
                f"compte_rendu:{convention.pk}:terme",
                _lien_convention(convention),
                **_base(convention),
            )
        )
    return resultat


def comptes_rendus_transmis(ids: Iterable[int]) -> dict[int, set[tuple[str, dt.date]]]:
    """The reports already sent, per convention, as (nature, period) pairs. The app that records
    them plugs in without being imported: ``comptes_rendus_transmis`` on its ``AppConfig`` is the
    dotted path of a function (convention ids) -> {convention id: {(nature, period)}}."""
    ids = list(ids)
    resultat: dict[int, set[tuple[str, dt.date]]] = {}
    if not ids:
        return resultat
    for config in django_apps.get_app_configs():
        chemin = getattr(config, "comptes_rendus_transmis", None)
        if chemin:
            for conv, paires in import_string(chemin)(ids).items():
                resultat.setdefault(conv, set()).update(paires)
    return resultat


def previsions_epuisement(
    conventions: Sequence[Convention], aujourd_hui: dt.date
) -> dict[int, dt.date | None]:
    """When each envelope runs out: the execution forecast when available (one batch of GROUP BY
    queries for all of them), else the end date."""
    try:
        from delegations.execution import situation
    except (ImportError, AttributeError):  # the execution app not there (yet)
        situation = None  # type: ignore[assignment]
    fonction = getattr(situation, "epuisements_prevus", None)
    prevues: dict[int, dt.date | None] = {}
    if fonction is not None and conventions:
        prevues = fonction(conventions, aujourd_hui=aujourd_hui)
    return {c.pk: prevues.get(c.pk) or c.date_fin_consolidee for c in conventions}


def echeance_comite_mission(
    convention: Convention, prevision: dt.date | None, dernier_comite: dt.date | None
) -> list[Echeance]:
    """Interministerial committee: the window 45–30 days before the envelope runs out."""
    if convention.statut not in STATUTS_PREAVIS or prevision is None:
        return []
    debut = prevision - dt.timedelta(days=MISSION_FENETRE[0])
    fin = prevision - dt.timedelta(days=MISSION_FENETRE[1])
    if dernier_comite is not None and dernier_comite >= debut:
        return []  # already held for this envelope
    return [
        Echeance(
            fin,
            TypeEcheance.COMITE,
            f"Comité interministériel à tenir entre le {debut:%d/%m/%Y} et le {fin:%d/%m/%Y} — "
            f"convention {_ref(convention)}",
            f"comite:mission:{convention.pk}:{prevision:%Y-%m-%d}",
            _lien_convention(convention, "comites"),
            debut=debut,
            **_base(convention),
        )
    ]


def echeance_comite_produit(
    produit: Produit, dernier_comite: dt.date | None, conventions: Sequence[Convention]
) -> list[Echeance]:
    """Product committee: six months after the last one (or after funding started)."""
    phase = produit.phase_actuelle
    if phase is not None and phase.phase == "arret":
        return []
    actives = [c for c in conventions if c.statut in STATUTS_PREAVIS and c.date_prise_effet]
    if not actives:
        return []
    base = dernier_comite or min(c.date_prise_effet for c in actives if c.date_prise_effet)
    date = ajouter_mois(base, 6)
    convention = max(actives, key=lambda c: (c.date_prise_effet, c.pk))
    return [
        _comite_du_produit(
            produit,
            convention,
            date,
            f"Comité d'investissement semestriel — {produit.nom}",
            f"comite:produit:{produit.pk}:{date:%Y-%m-%d}",
        )
    ]


def _comite_du_produit(
    produit: Produit, convention: Convention, date: dt.date, libelle: str, cle: str
) -> Echeance:
    """A committee of the product, on its page, for its intrapreneur, under ``convention``."""
    return Echeance(
        date,
        TypeEcheance.COMITE,
        libelle,
        cle,
        reverse("produits:detail", args=[produit.pk]) + "#comites",
        convention_id=convention.pk,
        convention_reference=convention.reference,
        produit_id=produit.pk,
        produit_nom=produit.nom,
        contacts=(produit.intrapreneur_email,) if produit.intrapreneur_email else (),
    )


def echeance_comite_mi_parcours(
    produit: Produit, dernier_mi_parcours: dt.date | None, conventions: Sequence[Convention]
) -> list[Echeance]:
    """Mid-term committee: six months after the product's current phase started, when a
    convention funding it provides one (clause) or is above the missions' threshold; held once
    a mid-term committee of the product is dated on or after the phase's start."""
    phase = produit.phase_actuelle
    if phase is None or phase.phase == "arret":
        return []
    if dernier_mi_parcours is not None and dernier_mi_parcours >= phase.date_debut:
        return []
    seuil = seuil_mission()
    concernees = [
        c
        for c in conventions
        if c.statut in STATUTS_PREAVIS
        and c.date_prise_effet
        and (c.comite_mi_parcours or c.totaux_consolides[0] >= seuil)
    ]
    if not concernees:
        return []
    date = ajouter_mois(phase.date_debut, 6)
    convention = max(concernees, key=lambda c: (c.date_prise_effet, c.pk))
    return [
        _comite_du_produit(
            produit,
            convention,
            date,
            f"Comité à mi-parcours (phase {phase.get_phase_display().lower()} depuis le "
            f"{phase.date_debut:%d/%m/%Y}) — {produit.nom}",
            f"comite:mi_parcours:{produit.pk}:{phase.date_debut:%Y-%m-%d}",
        )
    ]


def echeance_obligation(obligation: Obligation) -> list[Echeance]:
    if obligation.echeance is None or obligation.statut in ("faite", "sans_objet"):
        return []
    convention = obligation.convention
    contacts = (obligation.responsable_email,) if obligation.responsable_email else ()
    return [
        Echeance(
            obligation.echeance,
            TypeEcheance.OBLIGATION,
            f"{obligation.libelle} — convention {_ref(convention)}",
            f"obligation:{obligation.pk}",
            _lien_convention(convention, "obligations"),
            contacts=contacts,
            **_base(convention),
        )
    ]


# --- perimeter-scoped list --------------------------------------------------------------------
def seuil_mission() -> Decimal:
    return Decimal(str(getattr(settings, "SEUIL_MISSION", "1000000")))


def conventions_actives(conventions: models.QuerySet[Convention]) -> list[Convention]:
    """The conventions that have deadlines, with what the rules read (constant query count)."""
    from delegations.conventions.models import Avenant

    return list(
        conventions.filter(statut__in=STATUTS_ACTIFS).prefetch_related(
            "echeancier",
            "produits",
            Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
        )
    )


def _conventions(user: Utilisateur) -> list[Convention]:
    return conventions_actives(Convention.objects.visibles_par(user))


def comites_mission(ids: Iterable[int]) -> dict[int, dt.date]:
    """The last interministerial committee of each convention (one query)."""
    return dict(
        Comite.objects.filter(convention_id__in=list(ids), type=TypeComite.INTERMINISTERIEL)
        .values("convention_id")
        .annotate(d=Max("date"))
        .values_list("convention_id", "d")
    )


def echeances_des_conventions(
    conventions: Sequence[Convention], aujourd_hui: dt.date, types: set[str] | None = None
) -> list[Echeance]:
    """The deadlines that belong to each convention (every rule but the product committee)."""
    types = types or set(TypeEcheance.values)
    par_id = {c.pk: c for c in conventions}
    resultat: list[Echeance] = []
    transmis = comptes_rendus_transmis(par_id) if TypeEcheance.COMPTE_RENDU in types else {}
    for conv in conventions:
        if TypeEcheance.FIN_CONVENTION in types:
            resultat += echeance_fin(conv)
        if TypeEcheance.PREAVIS in types:
            resultat += echeance_preavis(conv)
        if types & {TypeEcheance.CLOTURE_ENGAGEMENTS, TypeEcheance.CLOTURE_PAIEMENTS}:
            resultat += echeances_cloture(conv, aujourd_hui)
        if TypeEcheance.COMPTE_RENDU in types:
            resultat += echeances_compte_rendu(conv, aujourd_hui, transmis.get(conv.pk, ()))
    if TypeEcheance.COMITE in types and par_id:
        derniers = comites_mission(par_id)
        seuil = seuil_mission()
        mission = [
            conv
            for conv in conventions
            if conv.statut in STATUTS_PREAVIS
            and (conv.pk in derniers or conv.totaux_consolides[0] >= seuil)
        ]
        previsions = previsions_epuisement(mission, aujourd_hui)
        for conv in mission:
            resultat += echeance_comite_mission(conv, previsions[conv.pk], derniers.get(conv.pk))
    if TypeEcheance.OBLIGATION in types and par_id:
        obligations = Obligation.objects.filter(
            convention_id__in=list(par_id), echeance__isnull=False
        ).ouvertes()
        for obligation in obligations:
            obligation.convention = par_id[obligation.convention_id]
            resultat += echeance_obligation(obligation)
    return resultat


def produits_avec_comites(
    produits: models.QuerySet[Produit], conventions: models.QuerySet[Convention]
) -> models.QuerySet[Produit]:
    """Products with their last product committee and, as ``actives``, those of ``conventions``
    that fund them and can still hold one."""
    from delegations.conventions.models import Avenant

    return produits.annotate(
        dernier_comite=Max("comites__date", filter=Q(comites__type=TypeComite.PRODUIT)),
        dernier_mi_parcours=Max("comites__date", filter=Q(comites__type=TypeComite.MI_PARCOURS)),
    ).prefetch_related(
        "phases",
        Prefetch(
            "conventions",
            queryset=conventions.filter(statut__in=STATUTS_PREAVIS).prefetch_related(
                "echeancier",
                Prefetch("avenants", queryset=Avenant.objects.prefetch_related("lignes")),
            ),
            to_attr="actives",
        ),
    )


def echeances_des_produits(produits: Iterable[Produit]) -> list[Echeance]:
    """Product and mid-term committees of products read through ``produits_avec_comites``."""
    resultat: list[Echeance] = []
    for prod in produits:
        resultat += echeance_comite_produit(prod, prod.dernier_comite, prod.actives)  # type: ignore[attr-defined]
        resultat += echeance_comite_mi_parcours(prod, prod.dernier_mi_parcours, prod.actives)  # type: ignore[attr-defined]
    return resultat


def calculer(
    user: Utilisateur,
    aujourd_hui: dt.date | None = None,
    *,
    du: dt.date | None = None,
    au: dt.date | None = None,
    convention: int | None = None,
    produit: int | None = None,
    types: Iterable[str] | None = None,
) -> list[Echeance]:
    """Every deadline in the user's perimeter, sorted by date, computed from the data (a constant
    number of queries, plus the execution forecast for mission conventions). It reads the whole
    perimeter: pages read the stored deadlines (``stockage``), this is their reference."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    types = set(types or []) or set(TypeEcheance.values)
    conventions = _conventions(user)
    par_id = {c.pk: c for c in conventions}
    resultat = echeances_des_conventions(conventions, aujourd_hui, types)
    if TypeEcheance.COMITE in types:
        resultat += echeances_des_produits(
            produits_avec_comites(
                Produit.objects.visibles_par(user),
                Convention.objects.filter(pk__in=list(par_id)),
            )
        )

    resultat = [e for e in resultat if e.type in types]
    if convention is not None:
        resultat = [e for e in resultat if e.convention_id == convention]
    if produit is not None:
        # The product's own deadlines and those of the conventions that fund it.
        ids = {c.pk for c in conventions if any(p.pk == produit for p in c.produits.all())}
        resultat = [
            e
            for e in resultat
            if e.produit_id == produit or (e.produit_id is None and e.convention_id in ids)
        ]
    if du is not None:
        resultat = [e for e in resultat if e.date >= du]
    if au is not None:
        resultat = [e for e in resultat if (e.debut or e.date) <= au]
    return sorted(resultat, key=lambda e: (e.date, e.type, e.libelle))
