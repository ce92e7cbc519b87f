"""Execution of the delegated credits: the append-only money journal and its reference data.

Every money movement (availability, order, service fait, payment, carry-over, reduction) is one
row of a journal table. Rows are never updated nor deleted: ``save()`` refuses updates,
``delete()`` refuses, querysets refuse ``update()``/``delete()`` and, on PostgreSQL, a trigger
(migration 0002) raises on UPDATE/DELETE. Corrections are new movements. The only exception is a
CHORUS reference set later on an order (``numero_ej``) or a payment (``numero_piece``): a
reference, never an amount, written by ``references.py`` and logged (migration 0005 lets the
trigger accept an UPDATE that changes that column alone). Every write goes
through ``execution/mouvements.py``, which locks the budget line (``LigneBudget``) first.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from delegations.conventions.models import Convention
from delegations.produits.models import Produit

ZERO_VALIDATOR = MinValueValidator(0, "Le montant doit être positif ou nul.")


def montant(verbose_name: str, **kwargs: Any) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=15, decimal_places=2, validators=[ZERO_VALIDATOR], **kwargs
    )


class JournalImmuableError(Exception):
    """Raised when code tries to change or remove a journal row."""


MESSAGE_IMMUABLE = "Le journal des mouvements ne se modifie ni ne se supprime : enregistrez un mouvement correctif."


class JournalQuerySet(models.QuerySet[Any]):
    def update(self, **kwargs: Any) -> int:
        raise JournalImmuableError(MESSAGE_IMMUABLE)

    def delete(self) -> tuple[int, dict[str, int]]:
        raise JournalImmuableError(MESSAGE_IMMUABLE)

    def de_la_convention(self, convention: Convention | int) -> JournalQuerySet:
        return self.filter(convention=convention)


class AppendOnly(models.Model):
    """Rows are written once: no update, no delete (see the module docstring)."""

    objects = JournalQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise JournalImmuableError(MESSAGE_IMMUABLE)
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise JournalImmuableError(MESSAGE_IMMUABLE)


class Journal(AppendOnly):
    """Common part of every journal row: who, when, which convention and budget year."""

    convention = models.ForeignKey(
        Convention, on_delete=models.PROTECT, related_name="+", verbose_name="convention"
    )
    annee = models.PositiveSmallIntegerField(
        "année budgétaire", validators=[MinValueValidator(2000, "Année invalide.")]
    )
    date = models.DateField("date")
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="enregistré par",
    )

    class Meta:
        abstract = True


class LigneBudget(models.Model):
    """The lock target: one row per (convention, year). Every money write locks it first.

    It holds no amount (balances are sums of the journal), so nothing can drift. The journal's
    (convention, annee) indexes carry the amounts (INCLUDE, PostgreSQL only), so that these sums
    read the index alone once the table is vacuumed.
    """

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="lignes_budget"
    )
    annee = models.PositiveSmallIntegerField("année")

    class Meta:
        verbose_name = "ligne budgétaire"
        constraints = [
            models.UniqueConstraint(fields=["convention", "annee"], name="ligne_budget_unique")
        ]

    def __str__(self) -> str:
        return f"{self.convention_id} / {self.annee}"


class LimiteProduit(models.Model):
    """What a finalised committee decision allows for a product's orders (``limites.py``).

    ``comites`` writes it (``comites.ecriture.finaliser`` calls ``limites.fixer_limite``): one
    row per committee (``origine``, the committee's id; a corrected record replaces the row).
    From ``date_debut``: ``arret`` refuses every order charged to the product; otherwise the
    orders dated from ``date_debut`` to ``date_fin`` (cut short by the product's next decision)
    stay within ``montant``. The row is also the lock that serialises those orders.
    """

    produit = models.ForeignKey(
        Produit, on_delete=models.CASCADE, related_name="limites", verbose_name="produit"
    )
    origine = models.PositiveBigIntegerField("comité", unique=True)
    libelle = models.CharField("décision", max_length=300)
    date_debut = models.DateField("à partir du")
    date_fin = models.DateField("jusqu'au", null=True, blank=True)
    montant = models.DecimalField(
        "montant accordé (€)", max_digits=15, decimal_places=2, null=True, blank=True
    )
    arret = models.BooleanField("arrêt", default=False)

    class Meta:
        ordering = ["produit", "-date_debut", "-id"]
        verbose_name = "limite décidée en comité"
        verbose_name_plural = "limites décidées en comité"
        indexes = [models.Index(fields=["produit", "date_debut"], name="limite_produit_debut")]
        constraints = [
            models.CheckConstraint(
                condition=Q(arret=True) | (Q(montant__gte=0) & Q(date_fin__isnull=False)),
                name="limite_arret_ou_montant",
                violation_error_message="Une limite est un arrêt, ou un montant sur une période.",
            )
        ]

    def __str__(self) -> str:
        return self.libelle


class Titulaire(models.Model):
    nom = models.CharField("nom", max_length=200, unique=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)

    class Meta:
        ordering = ["nom"]
        verbose_name = "titulaire"

    def __str__(self) -> str:
        return self.nom


class Marche(models.Model):
    """A framework contract; several contractors may hold it (the round robin)."""

    numero = models.CharField("numéro", max_length=60, unique=True)
    intitule = models.CharField("intitulé", max_length=300)
    titulaires = models.ManyToManyField(
        Titulaire, blank=True, related_name="marches", verbose_name="titulaires"
    )
    date_debut = models.DateField("début", null=True, blank=True)
    date_fin = models.DateField("fin", null=True, blank=True)

    class Meta:
        ordering = ["numero"]
        verbose_name = "marché"

    def __str__(self) -> str:
        return f"{self.numero} — {self.intitule}"


class MiseADisposition(Journal):
    """Credits made available by the délégant for a year (a tranche)."""

    ae = montant("AE mises à disposition (€)")
    cp = montant("CP mis à disposition (€)")
    reference = models.CharField("référence", max_length=100)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "mise à disposition"
        verbose_name_plural = "mises à disposition"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="mad_date_id"),
            models.Index(
                fields=["convention", "annee"], name="mad_conv_annee", include=["ae", "cp"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ae__gte=0) & Q(cp__gte=0) & (Q(ae__gt=0) | Q(cp__gt=0)),
                name="mad_montants_positifs",
                violation_error_message="Les montants doivent être positifs.",
            )
        ]

    def __str__(self) -> str:
        return f"Mise à disposition {self.reference} ({self.annee})"


class Engagement(Journal):
    """A purchase order (legal commitment): it consumes AE of its year."""

    reference = models.CharField("numéro de bon de commande / EJ", max_length=60, unique=True)
    objet = models.CharField("objet", max_length=500, blank=True)
    montant = montant("montant (€)")
    produit = models.ForeignKey(
        Produit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    titulaire = models.ForeignKey(
        Titulaire, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    marche = models.ForeignKey(
        Marche, null=True, blank=True, on_delete=models.PROTECT, related_name="engagements"
    )
    justification = models.TextField("justification (après la clôture)", blank=True)
    date_fin_execution = models.DateField(
        "fin d'exécution",
        null=True,
        blank=True,
        help_text="Facultative ; sur un marché, elle ne peut dépasser la fin du marché.",
    )
    # CHORUS reference, the one column that may be set after the insert (see ``references``).
    numero_ej = models.CharField(
        "numéro d'EJ CHORUS", max_length=30, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "bon de commande"
        verbose_name_plural = "bons de commande"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="eng_date_id"),
            models.Index(
                fields=["convention", "annee"], name="eng_conv_annee", include=["montant"]
            ),
            models.Index(fields=["convention", "produit"], name="eng_conv_produit"),
            models.Index(fields=["produit", "date"], name="eng_produit_date", include=["montant"]),
            models.Index(fields=["numero_ej"], name="eng_numero_ej"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="engagement_montant_positif",
                violation_error_message="Le montant doit être positif.",
            )
        ]

    def __str__(self) -> str:
        return f"Bon de commande {self.reference}"


class PropositionQuerySet(JournalQuerySet):
    def avec_statut(self) -> PropositionQuerySet:
        """Each proposal's status in the same query (``statut_calcule``): validated when a
        service fait points to it, rejected when a rejection row does, proposed otherwise."""
        return self.annotate(
            statut_calcule=models.Case(
                models.When(
                    models.Exists(ServiceFait.objects.filter(proposition=models.OuterRef("pk"))),
                    then=models.Value("validee"),
                ),
                models.When(
                    models.Exists(
                        RejetProposition.objects.filter(proposition=models.OuterRef("pk"))
                    ),
                    then=models.Value("rejetee"),
                ),
                default=models.Value("proposee"),
                output_field=models.CharField(),
            )
        )


class PropositionServiceFait(AppendOnly):
    """A service fait proposed by an intrapreneur; finance validates it by recording the
    ``ServiceFait`` (which points back here) or rejects it with a ``RejetProposition`` row.
    The proposal itself is never updated."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="propositions"
    )
    montant = montant("montant (€)")
    date = models.DateField("date")
    total = models.BooleanField("service fait total", default=False)
    periode_debut = models.DateField("période du", null=True, blank=True)
    periode_fin = models.DateField("au", null=True, blank=True)
    livrable = models.FileField("livrable", upload_to="execution/livrables/%Y/", blank=True)
    livrable_url = models.URLField("lien vers le livrable", blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    created_at = models.DateTimeField("proposé le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = PropositionQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "proposition de service fait"

    def __str__(self) -> str:
        return f"Proposition de service fait de {self.montant} € sur {self.engagement_id}"

    @property
    def statut(self) -> str:
        """Read from ``avec_statut`` (lists annotate it: no query per row)."""
        if "statut_calcule" in self.__dict__:
            return str(self.__dict__["statut_calcule"])
        return str(
            PropositionServiceFait.objects.filter(pk=self.pk)
            .avec_statut()
            .values_list("statut_calcule", flat=True)
            .get()
        )


class RejetProposition(AppendOnly):
    proposition = models.OneToOneField(
        PropositionServiceFait, on_delete=models.PROTECT, related_name="rejet"
    )
    motif = models.TextField("motif")
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return f"Rejet de la proposition {self.proposition_id}"


class ServiceFait(Journal):
    """Certified delivery on an order (partial or total). A total one closes the order."""

    engagement = models.ForeignKey(
        Engagement, on_delete=models.PROTECT, related_name="services_faits"
    )
    montant = montant("montant (€)")
    total = models.BooleanField("service fait total", default=False)
    periode_debut = models.DateField("période du", null=True, blank=True)
    periode_fin = models.DateField("au", null=True, blank=True)
    livrable = models.FileField("livrable", upload_to="execution/livrables/%Y/", blank=True)
    livrable_url = models.URLField("lien vers le livrable", blank=True)
    proposition = models.OneToOneField(
        PropositionServiceFait,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="service_fait",
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "service fait"
        verbose_name_plural = "services faits"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="sf_date_id"),
            models.Index(fields=["convention", "annee"], name="sf_conv_annee"),
            models.Index(fields=["convention", "date"], name="sf_conv_date"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="service_fait_montant_positif",
                violation_error_message="Le montant doit être positif.",
            ),
            models.UniqueConstraint(
                fields=["engagement"],
                condition=Q(total=True),
                name="un_seul_service_fait_total",
                violation_error_message="Le bon de commande est déjà soldé.",
            ),
        ]

    def __str__(self) -> str:
        return f"Service fait du {self.date:%d/%m/%Y} sur {self.engagement_id}"


class Paiement(Journal):
    """A payment of an invoice on a service fait: it consumes CP of the payment's year."""

    service_fait = models.ForeignKey(
        ServiceFait, on_delete=models.PROTECT, related_name="paiements"
    )
    montant = montant("montant (€)")
    reference = models.CharField("référence de la facture", max_length=100)
    justification = models.TextField("justification (après la clôture)", blank=True)
    # CHORUS payment document, the one column that may be set after the insert.
    numero_piece = models.CharField(
        "n° de pièce de paiement CHORUS", max_length=30, blank=True, default="", db_default=""
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "paiement"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="paiement_date_id"),
            models.Index(
                fields=["convention", "annee"], name="paiement_conv_annee", include=["montant"]
            ),
            models.Index(fields=["numero_piece"], name="paiement_numero_piece"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="paiement_montant_positif",
                violation_error_message="Le montant doit être positif.",
            )
        ]

    def __str__(self) -> str:
        return f"Paiement {self.reference}"


class Report(Journal):
    """Carry-over of unused AE/CP of ``annee`` to ``annee + 1``, by decision."""

    ae = montant("AE reportées (€)")
    cp = montant("CP reportés (€)")
    reference = models.CharField("référence de la décision", max_length=100)
    motif = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "report"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="report_date_id"),
            models.Index(
                fields=["convention", "annee"], name="report_conv_annee", include=["ae", "cp"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ae__gte=0) & Q(cp__gte=0) & (Q(ae__gt=0) | Q(cp__gt=0)),
                name="report_montants_positifs",
                violation_error_message="Les montants doivent être positifs.",
            )
        ]

    def __str__(self) -> str:
        return f"Report {self.reference} ({self.annee} → {self.annee + 1})"

    @property
    def annee_destination(self) -> int:
        return self.annee + 1


class Reduction(Journal):
    """Lowers (or cancels) the remainder of an order; it frees AE of the order's year."""

    engagement = models.ForeignKey(Engagement, on_delete=models.PROTECT, related_name="reductions")
    montant = montant("montant (€)")
    reference = models.CharField("référence", max_length=100, blank=True)
    motif = models.TextField("motif", blank=True)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "réduction"
        indexes = [
            # The lists (/execution/, API) read the newest first: an index scan, not a sort.
            models.Index(fields=["-date", "-id"], name="reduction_date_id"),
            models.Index(
                fields=["convention", "annee"], name="reduction_conv_annee", include=["montant"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(montant__gt=0),
                name="reduction_montant_positif",
                violation_error_message="Le montant doit être positif.",
            )
        ]

    def __str__(self) -> str:
        return f"Réduction de {self.montant} € sur {self.engagement_id}"


class InformationDelegant(Journal):
    """Dated event « crédits insuffisants — délégant informé » (the convention may be suspended)."""

    montant_demande = montant("montant demandé (€)", null=True, blank=True)
    montant_disponible = montant("montant disponible (€)", null=True, blank=True)
    commentaire = models.TextField("commentaire", blank=True)
    suspension = models.BooleanField("exécution suspendue", default=False)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "information du délégant (crédits insuffisants)"

    def __str__(self) -> str:
        return f"Crédits insuffisants — délégant informé le {self.date:%d/%m/%Y}"


class SuiteCommande(models.TextChoices):
    SOLDER = "solder", "Soldée (le reste est réduit)"
    MAINTENIR = "maintenir", "Maintenue, à payer dans la période"


class DecisionFinCommande(AppendOnly):
    """At the convention's effective end (« la résiliation entraîne de plein droit la
    résiliation des services associés »), what becomes of an open order: closed (its remainder
    is reduced, ``reduction`` is that new movement) or kept, to be certified and paid within the
    period. One decision per order, never changed."""

    engagement = models.OneToOneField(
        Engagement, on_delete=models.PROTECT, related_name="decision_fin"
    )
    decision = models.CharField("décision", max_length=20, choices=SuiteCommande.choices)
    reduction = models.OneToOneField(
        Reduction, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField("date")
    motif = models.TextField("motif", blank=True)
    created_at = models.DateTimeField("enregistré le", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "suite d'un bon de commande à la fin de la convention"

    def __str__(self) -> str:
        return f"{self.get_decision_display()} : {self.engagement_id}"


class DecisionSolde(models.TextChoices):
    RESTITUTION = "restitution", "Restitution au délégant"
    UTILISATION_DECIDEE = "utilisation_decidee", "Utilisation décidée par le délégant"


class Restitution(Journal):
    """At closing, the credits a year left unused (AE not committed, CP not paid), given back
    to the délégant with the délégant's decision on that balance. They leave what is available
    (``soldes.Solde``)."""

    ae = montant("AE non utilisées (€)")
    cp = montant("CP non utilisés (€)")
    decision = models.CharField(
        "décision du délégant", max_length=30, choices=DecisionSolde.choices
    )
    reference = models.CharField("référence de la décision", max_length=100, blank=True)

    class Meta:
        ordering = ["annee", "id"]
        verbose_name = "restitution des crédits non utilisés"
        verbose_name_plural = "restitutions des crédits non utilisés"
        indexes = [
            models.Index(
                fields=["convention", "annee"], name="restitution_conv_annee", include=["ae", "cp"]
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ae__gte=0) & Q(cp__gte=0) & (Q(ae__gt=0) | Q(cp__gt=0)),
                name="restitution_montants_positifs",
                violation_error_message="Les montants doivent être positifs.",
            ),
            models.UniqueConstraint(
                fields=["convention", "annee"],
                name="une_restitution_par_annee",
                violation_error_message="Les crédits de cette année sont déjà restitués.",
            ),
        ]

    def __str__(self) -> str:
        return f"Restitution {self.annee} ({self.get_decision_display()})"


JOURNAL_MODELS: tuple[type[models.Model], ...] = (
    MiseADisposition,
    Engagement,
    ServiceFait,
    Paiement,
    Report,
    Reduction,
    InformationDelegant,
    PropositionServiceFait,
    RejetProposition,
    DecisionFinCommande,
    Restitution,
)
