"""Products (Startups d'État) funded by conventions."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from delegations.core.models import TimestampedModel


class Phase(models.TextChoices):
    INVESTIGATION = "investigation", "Investigation"
    CONSTRUCTION = "construction", "Construction"
    ACCELERATION = "acceleration", "Accélération"
    CONSOLIDATION = "consolidation", "Consolidation"


class ProduitQuerySet(models.QuerySet["Produit"]):
    def de_l_intrapreneur(self, email: str) -> ProduitQuerySet:
        return self.filter(intrapreneur_email__iexact=email) if email else self.none()

    def recherche(self, texte: str) -> ProduitQuerySet:
        return self.filter(Q(nom__icontains=texte) | Q(slug__icontains=texte)) if texte else self


class Produit(TimestampedModel):
    nom = models.CharField("nom", max_length=200)
    slug = models.SlugField("identifiant beta.gouv.fr", max_length=100, unique=True)
    incubateur = models.CharField("incubateur", max_length=200, blank=True, default="DINUM")
    description = models.TextField("description", blank=True)
    intrapreneur_nom = models.CharField("intrapreneur", max_length=200, blank=True)
    intrapreneur_email = models.EmailField("adresse de l'intrapreneur", blank=True, db_index=True)
    sponsor_nom = models.CharField("sponsor", max_length=200, blank=True)
    sponsor_email = models.EmailField("adresse du sponsor", blank=True)
    site_url = models.URLField("site", blank=True)
    statistiques_url = models.URLField("page de statistiques", blank=True)
    budget_url = models.URLField("page budget", blank=True)
    code_source_url = models.URLField("code source", blank=True)

    objects = ProduitQuerySet.as_manager()

    class Meta:
        ordering = ["nom"]
        verbose_name = "produit"

    def __str__(self) -> str:
        return self.nom
