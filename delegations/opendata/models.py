"""The published statistics and data package: produced off the request, served from storage."""

from __future__ import annotations

from django.db import models


class Publication(models.Model):
    """One production of the public files (``publication.publier``), kept under
    ``opendata/publication/<version>/`` on the default storage; the newest row is served."""

    version = models.CharField("version", max_length=64, unique=True)
    publiee_le = models.DateTimeField("publiée le")
    conventions = models.PositiveIntegerField("lignes de conventions", default=0)

    class Meta:
        ordering = ["-publiee_le", "-id"]
        get_latest_by = ["publiee_le", "id"]
        verbose_name = "publication des données ouvertes"

    def __str__(self) -> str:
        return f"Publication {self.version} du {self.publiee_le:%d/%m/%Y %H:%M}"

    def chemin(self, nom: str) -> str:
        return f"opendata/publication/{self.version}/{nom}"
