"""A reconciliation of CHORUS journals with the register, kept with its result.

``Rapprochement`` is who ran it, when, on which files (name and SHA-256, never the file itself)
and the whole result (JSON, as the API returns it). ``BilanConvention`` holds the totals of one
convention and year (for lists, the perimeter and the monthly report); ``Ecart`` one difference,
which a finance officer settles by recording the missing movement or explains with a comment.
Nothing here writes to the execution journal by itself.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef

from delegations.conventions.models import Convention
from delegations.core.acces import Utilisateur


class NatureEcart(models.TextChoices):
    MONTANT = "montant", "Montant différent"
    DATE = "date", "Date différente"
    TITULAIRE = "titulaire", "Titulaire différent"
    IMPUTATION = "imputation", "Imputation différente de la convention"
    EJ_INCONNU = "ej_inconnu", "EJ de CHORUS inconnu du registre"
    EJ_ABSENT = "ej_absent", "Bon de commande sans EJ dans CHORUS"
    PAIEMENT_SANS_EJ = "paiement_sans_ej", "Paiement CHORUS sans EJ"
    PAIEMENT_ABSENT = "paiement_absent", "Paiement CHORUS absent du registre"
    PAIEMENT_NON_COMPTABILISE = (
        "paiement_non_comptabilise",
        "Paiement du registre absent de CHORUS",
    )
    REPORT_ABSENT = "report_absent", "Report CHORUS (350) sans report au registre"
    CHANGEMENT_IMPUTATION = (
        "changement_imputation",
        "Changement d'imputation (600/650) entre conventions",
    )


class StatutEcart(models.TextChoices):
    OUVERT = "ouvert", "À traiter"
    EXPLIQUE = "explique", "Expliqué"
    REGULARISE = "regularise", "Mouvement enregistré"


class RapprochementQuerySet(models.QuerySet["Rapprochement"]):
    def visibles_par(self, user: Utilisateur) -> RapprochementQuerySet:
        """Finance and admin see every reconciliation; others those touching a convention of
        their perimeter (and, inside, only those conventions: see ``BilanConvention``)."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.voit_tout:
            return self
        conventions = Convention.objects.visibles_par(user).values("pk")
        bilans = BilanConvention.objects.filter(
            rapprochement=OuterRef("pk"), convention__in=conventions
        )
        return self.filter(Exists(bilans))


class Rapprochement(models.Model):
    created_at = models.DateTimeField("réalisé le", auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="réalisé par",
    )
    sha256 = models.CharField(
        "empreinte SHA-256",
        max_length=64,
        help_text="Empreinte du fichier (de la liste des empreintes triées s'il y en a plusieurs).",
    )
    fichiers = models.JSONField("fichiers", default=list)
    perimetre = models.CharField("périmètre demandé", max_length=100, blank=True)
    nb_lignes = models.PositiveIntegerField("lignes lues", default=0)
    nb_ecarts = models.PositiveIntegerField("écarts", default=0)
    resultat = models.JSONField("résultat", default=dict)

    objects = RapprochementQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "rapprochement CHORUS"
        verbose_name_plural = "rapprochements CHORUS"

    def __str__(self) -> str:
        return f"Rapprochement CHORUS du {self.created_at:%d/%m/%Y %H:%M}"

    def precedent(self) -> Rapprochement | None:
        """The latest earlier reconciliation that covered at least one of the same conventions."""
        conventions = self.bilans.values("convention_id")
        return (
            Rapprochement.objects.filter(
                Exists(
                    BilanConvention.objects.filter(
                        rapprochement=OuterRef("pk"), convention_id__in=conventions
                    )
                ),
                created_at__lte=self.created_at,
            )
            .exclude(pk=self.pk)
            .filter(models.Q(created_at__lt=self.created_at) | models.Q(pk__lt=self.pk))
            .order_by("-created_at", "-id")
            .first()
        )


MONTANT: dict[str, Any] = {"max_digits": 15, "decimal_places": 2}


class BilanConvention(models.Model):
    """Totals of one convention and year: AE committed and CP paid per CHORUS and the register."""

    rapprochement = models.ForeignKey(
        Rapprochement, on_delete=models.CASCADE, related_name="bilans"
    )
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="+")
    annee = models.PositiveSmallIntegerField("année")
    # None when the files held no engagements (resp. payments) journal.
    ae_chorus = models.DecimalField("AE engagées selon CHORUS", null=True, blank=True, **MONTANT)
    ae_registre = models.DecimalField("AE engagées selon le registre", **MONTANT)
    cp_chorus = models.DecimalField("CP payés selon CHORUS", null=True, blank=True, **MONTANT)
    cp_registre = models.DecimalField("CP payés selon le registre", **MONTANT)
    nb_rapprochees = models.PositiveIntegerField("lignes rapprochées", default=0)
    nb_ecarts = models.PositiveIntegerField("écarts", default=0)

    class Meta:
        ordering = ["convention_id", "annee"]
        verbose_name = "bilan d'un rapprochement"
        constraints = [
            models.UniqueConstraint(
                fields=["rapprochement", "convention", "annee"], name="bilan_unique"
            )
        ]
        indexes = [models.Index(fields=["convention", "annee"], name="bilan_conv_annee")]

    def __str__(self) -> str:
        return f"{self.convention_id} / {self.annee}"

    @property
    def ecart_ae(self) -> Any:
        return None if self.ae_chorus is None else self.ae_chorus - self.ae_registre

    @property
    def ecart_cp(self) -> Any:
        return None if self.cp_chorus is None else self.cp_chorus - self.cp_registre


class Ecart(models.Model):
    """One difference. ``cle`` identifies it across reconciliations (for the comparison)."""

    rapprochement = models.ForeignKey(
        Rapprochement, on_delete=models.CASCADE, related_name="ecarts"
    )
    convention = models.ForeignKey(
        Convention, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    annee = models.PositiveSmallIntegerField("année")
    nature = models.CharField("nature", max_length=40, choices=NatureEcart.choices)
    cle = models.CharField("clé", max_length=200)
    ej = models.CharField("EJ", max_length=30, blank=True)
    numero_piece = models.CharField("n° de pièce de paiement", max_length=30, blank=True)
    montant_chorus = models.DecimalField("montant CHORUS", null=True, blank=True, **MONTANT)
    montant_registre = models.DecimalField("montant du registre", null=True, blank=True, **MONTANT)
    detail = models.CharField("détail", max_length=500)
    lignes = models.JSONField("lignes du fichier", default=list, blank=True)
    # What the finance officer may record in one step: {"mouvement": ..., pre-filled values}.
    proposition = models.JSONField("mouvement proposé", default=dict, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutEcart.choices, default=StatutEcart.OUVERT
    )
    commentaire = models.TextField("commentaire", blank=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    traite_le = models.DateTimeField("traité le", null=True, blank=True)
    mouvement = models.CharField(
        "mouvement enregistré", max_length=100, blank=True, help_text="nature:identifiant"
    )

    class Meta:
        ordering = ["convention_id", "annee", "nature", "id"]
        verbose_name = "écart CHORUS"
        verbose_name_plural = "écarts CHORUS"
        indexes = [models.Index(fields=["rapprochement", "convention"], name="ecart_rappr_conv")]

    def __str__(self) -> str:
        return f"{self.get_nature_display()} — {self.detail}"


class RetraitExplication(models.Model):
    """A finance officer withdrew the explanation of a difference: the difference is open again
    and this record keeps what was withdrawn (the explanation, its author and date), who
    withdrew it, when and why. Never updated nor deleted: the history of a difference is its
    withdrawals, oldest first."""

    ecart = models.ForeignKey(Ecart, on_delete=models.CASCADE, related_name="retraits")
    explication = models.TextField("explication retirée")
    explique_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="expliqué par",
    )
    explique_le = models.DateTimeField("expliqué le", null=True, blank=True)
    motif = models.TextField("motif du retrait")
    retire_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="retiré par",
    )
    retire_le = models.DateTimeField("retiré le", auto_now_add=True)

    class Meta:
        ordering = ["ecart_id", "retire_le", "id"]
        verbose_name = "retrait d'une explication d'écart"
        verbose_name_plural = "retraits d'explications d'écarts"

    def __str__(self) -> str:
        return f"Explication retirée le {self.retire_le:%d/%m/%Y} ({self.ecart_id})"
