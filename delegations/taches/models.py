"""Long work done off the request: one ``Tache`` per queued task, one ``Travailleur`` per worker.

The queue itself is django-tasks' database backend (``django_tasks_db.DBTaskResult``); a
``Tache`` shares its id and adds what users see: who started it, its progress, its result
(JSON, and a file kept on the default storage) and a French error.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from delegations.core.acces import Utilisateur


class Statut(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente"
    EN_COURS = "en_cours", "En cours"
    TERMINEE = "terminee", "Terminé"
    ECHEC = "echec", "Échec"


FINIS = (Statut.TERMINEE, Statut.ECHEC)


def chemin_resultat(instance: Tache, nom: str) -> str:
    # The name is chosen by the task's code, never by a client; only its extension is kept.
    extension = nom.rsplit(".", 1)[-1].lower() if "." in nom else "bin"
    return f"taches/{instance.pk}/resultat.{extension}"


class TacheQuerySet(models.QuerySet["Tache"]):
    def visibles_par(self, user: Utilisateur) -> TacheQuerySet:
        """The owner sees their tasks; administrators see all of them; nobody else sees any."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.is_superuser or getattr(user, "role", None) == "admin":
            return self
        return self.filter(proprietaire=user)

    def actives(self) -> TacheQuerySet:
        return self.exclude(statut__in=FINIS)


class Tache(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    proprietaire = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="taches",
        verbose_name="lancée par",
    )
    nom = models.CharField("traitement", max_length=200)
    libelle = models.CharField("libellé", max_length=255)
    cle = models.CharField(
        "clé",
        max_length=200,
        blank=True,
        help_text="Identifie un même travail : on ne le relance pas tant qu'il est en cours.",
    )
    statut = models.CharField(
        "statut", max_length=12, choices=Statut.choices, default=Statut.EN_ATTENTE
    )
    fait = models.PositiveIntegerField("fait", default=0)
    total = models.PositiveIntegerField("total", default=0)
    etape = models.CharField("étape", max_length=255, blank=True)
    resultat = models.JSONField("résultat", null=True, blank=True)
    fichier = models.FileField("fichier produit", upload_to=chemin_resultat, blank=True)
    nom_fichier = models.CharField("nom du fichier produit", max_length=255, blank=True)
    erreur = models.TextField("erreur", blank=True)
    tentatives = models.PositiveSmallIntegerField("tentatives", default=0)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    commence_le = models.DateTimeField("commencée le", null=True, blank=True)
    termine_le = models.DateTimeField("terminée le", null=True, blank=True)

    objects = TacheQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le"]
        verbose_name = "traitement"
        indexes = [
            models.Index(fields=["proprietaire", "-cree_le"], name="tache_proprietaire_idx"),
            models.Index(
                fields=["cle"], condition=~Q(statut__in=FINIS), name="tache_cle_active_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(fait__lte=models.F("total")) | Q(total=0),
                name="tache_fait_inferieur_au_total",
                violation_error_message="L'avancement ne peut pas dépasser le total.",
            )
        ]

    def __str__(self) -> str:
        return self.libelle

    @property
    def finie(self) -> bool:
        return self.statut in FINIS

    @property
    def pourcentage(self) -> int:
        if self.statut == Statut.TERMINEE:
            return 100
        return int(100 * self.fait / self.total) if self.total else 0

    @property
    def progression(self) -> dict[str, Any]:
        return {"fait": self.fait, "total": self.total, "etape": self.etape}


class Travailleur(models.Model):
    """A worker process, alive while its heartbeat is recent: its running task is its lease."""

    identifiant = models.CharField("identifiant", max_length=64, primary_key=True)
    hote = models.CharField("machine", max_length=255)
    pid = models.PositiveIntegerField("processus")
    demarre_le = models.DateTimeField("démarré le", auto_now_add=True)
    battement = models.DateTimeField("dernier signe de vie")

    class Meta:
        verbose_name = "processus de traitement"

    def __str__(self) -> str:
        return f"{self.hote}:{self.pid}"


class Planification(models.Model):
    """A daily task queued for one day: the unique row is what lets several workers, on several
    machines, queue it once (the first insert wins, the others meet the constraint)."""

    nom = models.CharField("tâche", max_length=200)
    jour = models.DateField("jour")
    tache = models.ForeignKey(Tache, on_delete=models.SET_NULL, null=True, related_name="+")
    cree_le = models.DateTimeField("créée le", auto_now_add=True)

    class Meta:
        verbose_name = "tâche quotidienne"
        verbose_name_plural = "tâches quotidiennes"
        constraints = [
            models.UniqueConstraint(fields=["nom", "jour"], name="taches_planification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.jour:%d/%m/%Y})"
