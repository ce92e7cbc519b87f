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


class ConventionPubliee(models.Model):
    """One convention of a publication as the public API gives it: written by
    ``publication.publier`` with the files, read by ``GET /api/v1/public/conventions`` (filters on
    indexed columns, the representation kept as produced), so that no public request reads the
    register."""

    publication = models.ForeignKey(
        Publication, on_delete=models.CASCADE, related_name="lignes", verbose_name="publication"
    )
    convention_id = models.BigIntegerField("convention")
    # Position in the list: newest signature first, unsigned last, then newest id.
    rang = models.PositiveIntegerField("rang")
    date_signature = models.DateField("date de signature", null=True, blank=True)
    statut = models.CharField("statut", max_length=20)
    programme = models.CharField("programme", max_length=10, blank=True)
    delegant_nom = models.CharField("délégant", max_length=300, blank=True)
    delegant_sigle = models.CharField("sigle du délégant", max_length=60, blank=True)
    annees = models.CharField("années de l'échéancier", max_length=300, blank=True)  # ",2024,2025,"
    texte = models.TextField("texte cherché", blank=True)
    donnees = models.JSONField("représentation publique")

    class Meta:
        verbose_name = "convention publiée (API)"
        indexes = [
            models.Index(fields=["publication", "rang"], name="convention_publiee_ordre"),
            models.Index(fields=["publication", "convention_id"], name="convention_publiee_id"),
        ]

    def __str__(self) -> str:
        return str(self.donnees.get("identifiant", self.convention_id))
