"""Stored deadlines: kept up to date one convention at a time, read with the perimeter's keys.

A change to a convention, its schedule, amendments, movements, committees, obligations or
products marks the convention (or the product) as pending, through signals the upstream apps
know nothing about (``connecter``, called by ``EcheancesConfig.ready``). When the transaction
commits, the pending conventions' deadlines are recomputed by the rules of ``calcul`` and their
rows replaced (``recalculer``); a read in the same transaction first applies its own pending
changes (``a_jour``), so that a write is seen at once by the one who made it.

Some rules depend on the day (yearly cut-offs and monthly reports of a convention without an end
date, the mission committee's forecast): ``delegations echeances --recalculer`` rebuilds the
whole table and is meant to run every night, before ``delegations rappels``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections.abc import Iterable, Iterator
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.utils import timezone

from delegations.conventions.models import Convention
from delegations.core.acces import Utilisateur
from delegations.core.models import User
from delegations.produits.models import Produit

from .calcul import (
    STATUTS_PREAVIS,
    Echeance,
    conventions_actives,
    echeances_des_conventions,
    echeances_des_produits,
    produits_avec_comites,
)
from .models import EcheanceStockee

LOT = 500  # ids per query (SQLite allows 999 parameters)

_attente = threading.local()


def _en_attente() -> tuple[set[int], set[int]]:
    if not hasattr(_attente, "conventions"):
        _attente.conventions, _attente.produits = set(), set()
    return _attente.conventions, _attente.produits


def marquer(conventions: Iterable[Any] = (), produits: Iterable[Any] = ()) -> None:
    """Note that these conventions' (products') deadlines must be recomputed at commit."""
    attente_c, attente_p = _en_attente()
    attente_c.update(int(i) for i in conventions if i is not None)
    attente_p.update(int(i) for i in produits if i is not None)
    if attente_c or attente_p:
        au_commit(appliquer)


class _Rappel:
    """One callback at commit; knows whether it ran."""

    def __init__(self, fonction: Any) -> None:
        self.fonction, self.fait = fonction, False

    def __call__(self) -> None:
        self.fait = True
        self.fonction()


_prevus = threading.local()


def au_commit(fonction: Any) -> None:
    """Run ``fonction`` once when the current transaction commits, however many changes ask for
    it (a rolled-back transaction drops its callbacks: what it left pending is applied by the
    next one)."""
    connexion = transaction.get_connection()
    prevu = getattr(_prevus, "rappels", {}).get(fonction)
    if (
        prevu is not None
        and not prevu.fait
        and connexion.in_atomic_block
        and any(r[1] is prevu for r in connexion.run_on_commit)
    ):
        return
    rappel = _Rappel(fonction)
    if not hasattr(_prevus, "rappels"):
        _prevus.rappels = {}
    _prevus.rappels[fonction] = rappel
    transaction.on_commit(rappel)


def appliquer() -> None:
    """Recompute what is pending (at commit, or before a read in the same transaction)."""
    attente_c, attente_p = _en_attente()
    if not (attente_c or attente_p):
        return
    conventions, produits = set(attente_c), set(attente_p)
    attente_c.clear()
    attente_p.clear()
    recalculer(conventions, produits)


a_jour = appliquer


def _lots(ids: Iterable[int]) -> Iterator[list[int]]:
    liste = sorted(ids)
    for i in range(0, len(liste), LOT):
        yield liste[i : i + LOT]


def _lignes(echeances: list[Echeance], aujourd_hui: dt.date) -> list[EcheanceStockee]:
    ids = {e.convention_id for e in echeances if e.convention_id is not None}
    delegants: dict[int, int] = {}
    for lot in _lots(ids):
        delegants.update(Convention.objects.filter(pk__in=lot).values_list("pk", "delegant_id"))
    return [
        EcheanceStockee(
            date=e.date,
            debut=e.debut,
            type=e.type,
            libelle=e.libelle[:500],
            cle=e.cle,
            url=e.url,
            convention_id=e.convention_id,
            convention_reference=e.convention_reference,
            delegant_id=delegants.get(e.convention_id) if e.convention_id else None,
            produit_id=e.produit_id,
            produit_nom=e.produit_nom,
            contacts=list(e.contacts),
            calcule_le=aujourd_hui,
        )
        for e in echeances
        if e.convention_id is None or e.convention_id in delegants
    ]


def _produits_finances(conventions: Iterable[int]) -> set[int]:
    lien = Convention.produits.through
    resultat: set[int] = set()
    for lot in _lots(conventions):
        resultat.update(
            lien.objects.filter(convention_id__in=lot).values_list("produit_id", flat=True)
        )
    return resultat


COLONNES = (
    "date",
    "debut",
    "type",
    "libelle",
    "cle",
    "url",
    "convention_id",
    "convention_reference",
    "delegant_id",
    "produit_id",
    "produit_nom",
    "contacts",
    "calcule_le",
)


def _inserer(lignes: list[EcheanceStockee]) -> int:
    """Write the rows: COPY on PostgreSQL (the nightly rebuild writes some 100 000 rows, which
    ``bulk_create`` spends most of its time preparing), ``bulk_create`` elsewhere."""
    if connection.vendor != "postgresql" or len(lignes) < 1000:
        return len(EcheanceStockee.objects.bulk_create(lignes, batch_size=2000))
    table = EcheanceStockee._meta.db_table
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({', '.join(COLONNES)}) FROM STDIN") as copie:
            for ligne in lignes:
                copie.write_row(
                    tuple(
                        json.dumps(ligne.contacts) if c == "contacts" else getattr(ligne, c)
                        for c in COLONNES
                    )
                )
    return len(lignes)


def recalculer(
    conventions: Iterable[int],
    produits: Iterable[int] = (),
    aujourd_hui: dt.date | None = None,
    *,
    table_videe: bool = False,
) -> int:
    """Replace the stored deadlines of these conventions and of these products (and of the
    products the conventions fund: their committee follows their conventions). Returns the
    number of rows written. ``table_videe``: the caller emptied the table (nothing to delete)."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    conventions = set(conventions)
    produits = set(produits) | _produits_finances(conventions)
    ecrites = 0
    with transaction.atomic():
        for lot in _lots(conventions):
            if not table_videe:
                EcheanceStockee.objects.filter(convention_id__in=lot, produit__isnull=True).delete()
            echeances = echeances_des_conventions(
                conventions_actives(Convention.objects.filter(pk__in=lot)), aujourd_hui
            )
            ecrites += _inserer(_lignes(echeances, aujourd_hui))
        for lot in _lots(produits):
            if not table_videe:
                EcheanceStockee.objects.filter(produit_id__in=lot).delete()
            echeances = echeances_des_produits(
                produits_avec_comites(Produit.objects.filter(pk__in=lot), Convention.objects.all())
            )
            ecrites += _inserer(_lignes(echeances, aujourd_hui))
    return ecrites


def recalculer_tout(aujourd_hui: dt.date | None = None) -> int:
    """Rebuild the whole table (``delegations echeances --recalculer``)."""
    _en_attente()[0].clear()
    _en_attente()[1].clear()
    with transaction.atomic():
        EcheanceStockee.objects.all().delete()
        return recalculer(
            Convention.objects.values_list("pk", flat=True),
            Produit.objects.values_list("pk", flat=True),
            aujourd_hui,
            table_videe=True,
        )


# --- reading ----------------------------------------------------------------------------------
def visibles_par(user: Utilisateur) -> models.QuerySet[EcheanceStockee]:
    """The stored deadlines of the user's perimeter: those of the conventions they see, and the
    committees of the products funded by a convention they see that can still hold one."""
    tout = EcheanceStockee.objects.all()
    if not isinstance(user, User) or not user.is_active:
        return tout.none()
    if user.voit_tout:
        return tout
    vues = Convention.objects.visibles_par(user)
    if user.role == "delegant":
        de_ses_conventions = Q(delegant_id__in=user.administrations.values("pk"))
    else:
        de_ses_conventions = Q(convention_id__in=vues.values("pk"))
    produits = vues.filter(statut__in=STATUTS_PREAVIS, produits__isnull=False).values("produits")
    return tout.filter(
        Q(produit__isnull=True) & de_ses_conventions
        | Q(produit__isnull=False, produit_id__in=produits)
    )


def lister(
    user: Utilisateur,
    *,
    du: dt.date | None = None,
    au: dt.date | None = None,
    convention: int | None = None,
    produit: int | None = None,
    types: Iterable[str] | None = None,
) -> models.QuerySet[EcheanceStockee]:
    """The same filters as ``calcul.calculer``, on the stored table, in date order (overdue first)."""
    a_jour()
    qs = visibles_par(user)
    if types:
        qs = qs.filter(type__in=list(types))
    if convention is not None:
        qs = qs.filter(convention_id=convention)
    if produit is not None:
        qs = qs.filter(
            Q(produit_id=produit)
            | Q(
                produit__isnull=True,
                convention_id__in=Convention.objects.filter(produits=produit).values("pk"),
            )
        )
    if du is not None:
        qs = qs.filter(date__gte=du)
    if au is not None:
        qs = qs.filter(Q(debut__isnull=True, date__lte=au) | Q(debut__lte=au))
    return qs.order_by("date", "type", "libelle", "id")


# --- signals ----------------------------------------------------------------------------------
def _convention_de(instance: Any) -> Any:
    return getattr(instance, "convention_id", None)


def _sur_convention(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        marquer(conventions=[instance.pk])


def _avant_suppression_convention(sender: Any, instance: Any, **kwargs: Any) -> None:
    marquer(conventions=[instance.pk], produits=_produits_finances([instance.pk]))


def _sur_ligne(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        marquer(conventions=[_convention_de(instance)])


def _sur_ligne_avenant(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        avenant = apps.get_model("conventions", "Avenant")
        marquer(
            conventions=avenant.objects.filter(pk=instance.avenant_id).values_list(
                "convention_id", flat=True
            )
        )


def _sur_comite(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        marquer(conventions=[instance.convention_id], produits=[instance.produit_id])


def _sur_produit(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        marquer(produits=[instance.pk])


def _sur_phase(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    if not raw:
        marquer(produits=[instance.produit_id])


def _sur_financement(
    sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any
) -> None:
    """Convention.produits changed, from either side."""
    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # instance is a product
        conventions = set(pk_set or ())
        if action == "pre_clear":
            conventions = set(instance.conventions.values_list("pk", flat=True))
        marquer(conventions=conventions, produits=[instance.pk])
    else:
        produits = set(pk_set or ())
        if action == "pre_clear":
            produits = set(instance.produits.values_list("pk", flat=True))
        marquer(conventions=[instance.pk], produits=produits)


MODELES_DE_LA_CONVENTION = (
    ("conventions", "LigneEcheancier"),
    ("conventions", "Avenant"),
    ("comites", "Obligation"),
    ("execution", "MiseADisposition"),
    ("execution", "Engagement"),
    ("execution", "ServiceFait"),
    ("execution", "Paiement"),
    ("execution", "Report"),
    ("execution", "Reduction"),
)


def _sur_historique(sender: Any, instance: Any, created: bool, raw: bool = False, **_: Any) -> None:
    """Every business write logs an action: a write that saves no model through the ORM (the
    purchase order inserted by a database function on PostgreSQL) is seen here."""
    if raw or not created:
        return
    modele = instance.content_type.model_class()
    if modele is None or modele._meta.app_label not in ("conventions", "execution", "comites"):
        return
    if modele is Convention:
        marquer(conventions=[instance.object_id])
    elif any(f.name == "convention" for f in modele._meta.concrete_fields):
        marquer(
            conventions=modele._default_manager.filter(pk=instance.object_id).values_list(
                "convention_id", flat=True
            )
        )


def connecter() -> None:
    """Called by ``EcheancesConfig.ready``: the upstream apps never import ``echeances``."""
    uid = "echeances_stockage_"
    for signal in (post_save, post_delete):
        signal.connect(_sur_convention, sender=Convention, dispatch_uid=f"{uid}c{id(signal)}")
        for app, nom in MODELES_DE_LA_CONVENTION:
            signal.connect(
                _sur_ligne, sender=apps.get_model(app, nom), dispatch_uid=f"{uid}{nom}{id(signal)}"
            )
        signal.connect(
            _sur_ligne_avenant,
            sender=apps.get_model("conventions", "LigneAvenant"),
            dispatch_uid=f"{uid}la{id(signal)}",
        )
        signal.connect(
            _sur_comite,
            sender=apps.get_model("comites", "Comite"),
            dispatch_uid=f"{uid}comite{id(signal)}",
        )
        signal.connect(_sur_produit, sender=Produit, dispatch_uid=f"{uid}p{id(signal)}")
        signal.connect(
            _sur_phase,
            sender=apps.get_model("produits", "PhaseHistorique"),
            dispatch_uid=f"{uid}ph{id(signal)}",
        )
    # Downstream apps name the models (with a convention) whose changes move deadlines:
    # ``modeles_des_echeances`` on their AppConfig (``rapports``: the reports sent).
    for config in apps.get_app_configs():
        for libelle in getattr(config, "modeles_des_echeances", ()):
            for signal in (post_save, post_delete):
                signal.connect(
                    _sur_ligne,
                    sender=apps.get_model(libelle),
                    dispatch_uid=f"{uid}{libelle}{id(signal)}",
                )
    pre_delete.connect(
        _avant_suppression_convention, sender=Convention, dispatch_uid=f"{uid}avant_suppression"
    )
    m2m_changed.connect(
        _sur_financement, sender=Convention.produits.through, dispatch_uid=f"{uid}financement"
    )
    post_save.connect(
        _sur_historique,
        sender=apps.get_model("core", "ActionLog"),
        dispatch_uid=f"{uid}historique",
    )
