"""Reports sent to the délégant: a record of each transmission, to know whether it was on time."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from delegations.conventions.models import Convention
from delegations.core.models import TimestampedModel


class Nature(models.TextChoices):
    MENSUEL = "mensuel", "Rapport mensuel"
    TERME = "terme", "Rapport de fin de convention"


class Transmission(TimestampedModel):
    """A report sent to the délégant (periode: first day of the month, or the end date for a term report)."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="transmissions_rapport"
    )
    nature = models.CharField("nature", max_length=10, choices=Nature.choices)
    periode = models.DateField("période")
    date_transmission = models.DateField("transmis le")
    transmis_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="transmis par",
    )

    class Meta:
        ordering = ["-periode", "-id"]
        verbose_name = "transmission de rapport"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "nature", "periode"],
                name="transmission_rapport_unique",
                violation_error_message="Ce rapport est déjà marqué comme transmis.",
            ),
            models.CheckConstraint(
                condition=models.Q(nature__in=Nature.values), name="transmission_nature_valide"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} {self.periode:%m/%Y} transmis le {self.date_transmission:%d/%m/%Y}"
