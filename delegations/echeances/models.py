"""Secret calendar tokens and the log of reminders sent (deadlines themselves are computed)."""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.db import models


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
    def regenerer(cls, user: Any) -> JetonCalendrier:
        cls.objects.filter(user=user).delete()
        return cls.objects.create(user=user, jeton=secrets.token_urlsafe(32))

    @classmethod
    def revoquer(cls, user: Any) -> int:
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
