"""Products (Startups d'État) funded by conventions, and their phase history."""

from __future__ import annotations

from django.apps import apps
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from delegations.core.acces import Utilisateur, restreindre
from delegations.core.models import TimestampedModel, User


class Phase(models.TextChoices):
    """Phases a convention funds."""

    INVESTIGATION = "investigation", "Investigation"
    CONSTRUCTION = "construction", "Construction"
    ACCELERATION = "acceleration", "Accélération"
    CONSOLIDATION = "consolidation", "Consolidation"


class PhaseProduit(models.TextChoices):
    """Phases of a product's life: the funded phases plus transfer and stop."""

    INVESTIGATION = "investigation", "Investigation"
    CONSTRUCTION = "construction", "Construction"
    ACCELERATION = "acceleration", "Accélération"
    CONSOLIDATION = "consolidation", "Consolidation"
    TRANSFERT = "transfert", "Transfert"
    ARRET = "arret", "Arrêt"


class ProduitQuerySet(models.QuerySet["Produit"]):
    def de_l_intrapreneur(self, email: str) -> ProduitQuerySet:
        return self.filter(intrapreneur_email__iexact=email) if email else self.none()

    def recherche(self, texte: str) -> ProduitQuerySet:
        return self.filter(Q(nom__icontains=texte) | Q(slug__icontains=texte)) if texte else self

    def visibles_par(self, user: Utilisateur) -> ProduitQuerySet:
        """Perimeter: finance/admin all; others the products funded by the conventions they see,
        plus (intrapreneur) the products they carry. Outside it, pages and API answer 404."""

        def finances_par_ses_conventions(u: User) -> Exists:
            # Looked up lazily: conventions depends on produits, not the other way round.
            convention_model = apps.get_model("conventions", "Convention")
            visibles = convention_model.objects.visibles_par(u).filter(produits=OuterRef("pk"))
            return Exists(visibles)

        def portes_ou_finances(u: User) -> Q | Exists:
            condition = finances_par_ses_conventions(u)
            return condition | Q(intrapreneur_email__iexact=u.email) if u.email else condition

        return restreindre(
            self, user, delegant=finances_par_ses_conventions, intrapreneur=portes_ou_finances
        )

    def avec_phases(self) -> ProduitQuerySet:
        return self.prefetch_related("phases")

    def en_phase(self, phase: str) -> ProduitQuerySet:
        """Products whose current phase is ``phase``: it is derived from the history
        (``Produit.phase_actuelle``), so the rows are read to decide."""
        ids = [
            p.pk
            for p in self.prefetch_related("phases")
            if p.phase_actuelle and p.phase_actuelle.phase == phase
        ]
        return self.filter(pk__in=ids)


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

    def phases_ordonnees(self) -> list[PhaseHistorique]:
        """Phase history, oldest first (uses the prefetched rows when present)."""
        return sorted(self.phases.all(), key=lambda p: (p.date_debut, p.pk or 0))

    @property
    def phase_actuelle(self) -> PhaseHistorique | None:
        """The current phase is the latest one started (future-dated phases are ignored)."""
        aujourd_hui = timezone.localdate()
        passees = [p for p in self.phases_ordonnees() if p.date_debut <= aujourd_hui]
        return passees[-1] if passees else None

    @property
    def liens(self) -> list[tuple[str, str]]:
        return [
            (libelle, url)
            for libelle, url in (
                ("Site", self.site_url),
                ("Statistiques", self.statistiques_url),
                ("Budget", self.budget_url),
                ("Code source", self.code_source_url),
            )
            if url
        ]


class PhaseHistorique(TimestampedModel):
    """One step of a product's life: a phase and the date it started."""

    produit = models.ForeignKey(
        Produit, on_delete=models.CASCADE, related_name="phases", verbose_name="produit"
    )
    phase = models.CharField("phase", max_length=20, choices=PhaseProduit.choices)
    date_debut = models.DateField("date de début")
    commentaire = models.CharField("commentaire", max_length=300, blank=True)

    class Meta:
        ordering = ["produit", "date_debut", "id"]
        verbose_name = "phase du produit"
        verbose_name_plural = "phases du produit"
        constraints = [
            models.UniqueConstraint(
                fields=["produit", "date_debut", "phase"],
                name="produit_phase_unique",
                violation_error_message="Cette phase est déjà enregistrée à cette date.",
            ),
            models.CheckConstraint(
                condition=Q(phase__in=PhaseProduit.values),
                name="produit_phase_valide",
                violation_error_message="Phase inconnue.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_phase_display()} depuis le {self.date_debut:%d/%m/%Y}"
