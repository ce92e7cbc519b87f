"""Secret calendar tokens and the log of reminders sent (deadlines themselves are computed)."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models

from delegations.core.models import User


class JetonCalendrier(models.Model):
    """A per-user secret that lets agenda applications read the user's iCalendar feed without logging in.

    Revoking deletes it; regenerating replaces it (the old URL stops working at once)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="jeton_calendrier",
        verbose_name="utilisateur",
    )
    jeton = models.CharField("jeton", max_length=64, unique=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "jeton de calendrier"

    def __str__(self) -> str:
        return f"Jeton de calendrier de {self.user}"

    @classmethod
    def regenerer(cls, user: User) -> JetonCalendrier:
        cls.objects.filter(user=user).delete()
        return cls.objects.create(user=user, jeton=secrets.token_urlsafe(32))

    @classmethod
    def revoquer(cls, user: User) -> int:
        return cls.objects.filter(user=user).delete()[0]


class RappelEnvoye(models.Model):
    """One row per reminder sent: the unique key makes ``delegations rappels`` idempotent."""

    class Nature(models.TextChoices):
        PROCHE = "proche", "Échéance proche"
        DEPASSEE = "depassee", "Échéance dépassée"

    email = models.EmailField("destinataire")
    cle = models.CharField("échéance", max_length=200)
    date_echeance = models.DateField("date de l'échéance")
    nature = models.CharField("nature", max_length=10, choices=Nature.choices)
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        ordering = ["-envoye_le"]
        verbose_name = "rappel envoyé"
        constraints = [
            models.UniqueConstraint(
                fields=["email", "cle", "date_echeance", "nature"],
                name="rappel_une_fois",
                violation_error_message="Ce rappel a déjà été envoyé.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} — {self.cle} ({self.date_echeance:%d/%m/%Y})"


class EcheanceStockee(models.Model):
    """A deadline kept for reading: the rows of one convention (or of one product's committee)
    are replaced together by ``stockage.recalculer`` whenever their data change, so that
    « À faire », the API and the iCalendar feeds read an indexed table with the perimeter's keys
    instead of recomputing every convention (``calcul.calculer`` stays the reference)."""

    date = models.DateField("date")
    debut = models.DateField("début de la fenêtre", null=True, blank=True)
    type = models.CharField("type", max_length=30)
    libelle = models.CharField("libellé", max_length=500)
    cle = models.CharField("clé", max_length=200)
    url = models.CharField("lien", max_length=300, blank=True)
    # Perimeter keys: the convention (and its délégant) the deadline belongs to; a product
    # committee's deadline also carries its product.
    convention = models.ForeignKey(
        "conventions.Convention",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    convention_reference = models.CharField("référence", max_length=100, blank=True)
    delegant_id = models.BigIntegerField("délégant", null=True, blank=True)
    produit = models.ForeignKey(
        "produits.Produit",
        on_delete=models.CASCADE,
        related_name="+",
        null=True,
        blank=True,
    )
    produit_nom = models.CharField("produit", max_length=200, blank=True)
    contacts = models.JSONField("contacts", default=list, blank=True)
    calcule_le = models.DateField("calculée le")

    class Meta:
        verbose_name = "échéance calculée"
        ordering = ["date", "type", "libelle", "id"]
        indexes = [
            models.Index(fields=["date", "type", "libelle", "id"], name="echeance_ordre"),
            models.Index(fields=["delegant_id", "date"], name="echeance_delegant_date"),
            models.Index(fields=["convention", "date"], name="echeance_convention_date"),
            models.Index(fields=["produit", "date"], name="echeance_produit_date"),
            models.Index(fields=["calcule_le"], name="echeance_calcul"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.libelle}"

    def gravite(self, aujourd_hui: dt.date) -> str:
        from .calcul import gravite

        return gravite(self.date, aujourd_hui)

    @property
    def libelle_type(self) -> str:
        from .calcul import TypeEcheance

        return str(TypeEcheance(self.type).label)
