"""Core: users and their roles, administrations (the perimeter), the action log."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractUser, AnonymousUser, UserManager
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class Administration(TimestampedModel):
    """A State administration: a délégant (ministry, directorate) or DINUM itself."""

    nom = models.CharField("nom", max_length=300)
    sigle = models.CharField("sigle", max_length=50, blank=True)
    siret = models.CharField(
        "SIRET",
        max_length=14,
        blank=True,
        validators=[RegexValidator(r"^\d{14}$", "Le SIRET doit comporter exactement 14 chiffres.")],
    )
    adresse = models.TextField("adresse", blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "administration"
        constraints = [
            models.UniqueConstraint(
                Lower("nom"),
                name="administration_nom_unique",
                violation_error_message="Une administration porte déjà ce nom.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.sigle})" if self.sigle else self.nom

    @property
    def libelle_court(self) -> str:
        return self.sigle or self.nom


class Role(models.TextChoices):
    FINANCE = "finance", "Finance DINUM"
    DELEGANT = "delegant", "Agent d'une administration délégante"
    INTRAPRENEUR = "intrapreneur", "Intrapreneur"
    ADMIN = "admin", "Administrateur"
    # Logged in by ProConnect, not yet given access by an administrator: sees nothing.
    ATTENTE = "attente", "En attente d'accès"


class User(AbstractUser):
    """Email is the identity (ProConnect/OIDC can match on it later without migration)."""

    email = models.EmailField("adresse électronique", unique=True)
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.DELEGANT)
    administrations = models.ManyToManyField(
        Administration,
        blank=True,
        related_name="agents",
        verbose_name="administrations",
        help_text="Pour un agent délégant : les administrations dont il voit les conventions.",
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = "utilisateur"

    @property
    def voit_tout(self) -> bool:
        return self.is_superuser or self.role in (Role.FINANCE, Role.ADMIN)

    @property
    def peut_ecrire(self) -> bool:
        """Finance and admin write in the register; others only read."""
        return self.is_active and (self.is_superuser or self.role in (Role.FINANCE, Role.ADMIN))


class ActionLog(models.Model):
    """One row per explicit action (who, when, what changed). Never edited nor deleted."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    objet = GenericForeignKey("content_type", "object_id")
    # PROTECT: the log is append-only (on PostgreSQL a trigger refuses UPDATE and DELETE,
    # migration 0005), so a user who acted is deactivated, never deleted.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, verbose_name="auteur"
    )
    action = models.CharField("action", max_length=60)
    description = models.CharField("description", max_length=500, blank=True)
    changes = models.JSONField("modifications", default=dict, blank=True)
    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        verbose_name = "entrée d'historique"

    def __str__(self) -> str:
        return f"{self.created_at:%d/%m/%Y %H:%M} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("L'historique ne se modifie pas.")
        super().save(*args, **kwargs)


def journaliser(
    obj: models.Model,
    user: User | AnonymousUser | None,
    action: str,
    description: str = "",
    changes: dict[str, Any] | None = None,
) -> ActionLog:
    return ActionLog.objects.create(
        content_type=ContentType.objects.get_for_model(obj),
        object_id=obj.pk,
        user=user if isinstance(user, User) else None,
        action=action,
        description=description[:500],
        changes=changes or {},
    )


def historique(obj: models.Model) -> models.QuerySet[ActionLog]:
    return ActionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk
    ).select_related("user")


def empreinte_jeton(cle: str) -> str:
    """SHA-256 of an API key: keys are 256 random bits, so a fast hash is enough to store them."""
    return hashlib.sha256(cle.encode()).hexdigest()


class JetonQuerySet(models.QuerySet["JetonAPI"]):
    def actifs(self) -> JetonQuerySet:
        return self.filter(revoque_le__isnull=True, expire_le__gt=timezone.now())


class JetonAPI(models.Model):
    """An API key of a user: only its prefix (to recognise it) and its SHA-256 are stored; the
    key itself is shown once, when created. Expires after API_TOKEN_DAYS; revoked by its owner."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="jetons_api", verbose_name="utilisateur"
    )
    nom = models.CharField("nom", max_length=100)
    prefixe = models.CharField("début du jeton", max_length=12)
    empreinte = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    cree_le = models.DateTimeField("créé le", default=timezone.now)
    expire_le = models.DateTimeField("expire le")
    derniere_utilisation = models.DateTimeField("dernière utilisation", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)

    objects = JetonQuerySet.as_manager()

    class Meta:
        ordering = ["-cree_le", "-id"]
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"

    def __str__(self) -> str:
        return f"{self.nom} ({self.prefixe}…)"

    @classmethod
    def creer(cls, user: User, nom: str) -> tuple[JetonAPI, str]:
        """A new key for ``user``: the row and the clear key (to show once, never stored)."""
        cle = secrets.token_urlsafe(32)
        maintenant = timezone.now()
        jeton = cls.objects.create(
            user=user,
            nom=nom,
            prefixe=cle[:8],
            empreinte=empreinte_jeton(cle),
            cree_le=maintenant,
            expire_le=maintenant + timedelta(days=settings.API_TOKEN_DAYS),
        )
        return jeton, cle

    @property
    def statut(self) -> str:
        if self.revoque_le is not None:
            return "révoqué"
        if self.expire_le <= timezone.now():
            return "expiré"
        return "actif"
