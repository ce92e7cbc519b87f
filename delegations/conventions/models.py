"""The register: conventions de délégation de gestion, their schedule and amendments."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q, Sum
from django.dispatch import Signal
from django.utils import timezone
from django_fsm import RETURN_VALUE, FSMField, transition

from delegations.core.acces import Utilisateur, restreindre
from delegations.core.models import Administration, TimestampedModel
from delegations.produits.models import Phase, Produit

CODE_UO_RE = r"^\d{4}-[A-Z0-9]{2,8}-[A-Z0-9]{2,8}$"
code_uo_validator = RegexValidator(
    CODE_UO_RE,
    "Le code doit avoir la forme 0103-CEFP-C004 (programme sur 4 chiffres, puis deux segments).",
)
ZERO = Decimal("0.00")
MONTANT = {
    "max_digits": 15,
    "decimal_places": 2,
    "validators": [MinValueValidator(ZERO, "Le montant doit être positif ou nul.")],
}


def programme_depuis_code(code: str) -> str:
    """LOLF programme from a UO or centre financier (0103-CEFP-C004 → "103")."""
    match = re.match(r"^(\d{4})-", code or "")
    return str(int(match.group(1))) if match else ""


def ajouter_mois(date: dt.date, mois: int) -> dt.date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    index = date.month - 1 + mois
    annee, mois_0 = date.year + index // 12, index % 12
    jour = min(date.day, calendar.monthrange(annee, mois_0 + 1)[1])
    return dt.date(annee, mois_0 + 1, jour)


class Statut(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNEE = "signee", "Signée"
    PUBLIEE = "publiee", "Publiée"
    SUSPENDUE = "suspendue", "Suspendue"
    RESILIEE = "resiliee", "Résiliée"
    TERMINEE = "terminee", "Terminée"
    CLOTUREE = "cloturee", "Clôturée"


class MotifSuspension(models.TextChoices):
    """Why the execution is suspended: only a lack of credits is lifted by the execution itself."""

    CREDITS_INSUFFISANTS = "credits_insuffisants", "Crédits insuffisants — délégant informé"
    AUTRE = "autre", "Autre motif"


class PriseEffet(models.TextChoices):
    SIGNATURE = "signature", "À la signature"
    PUBLICATION = "publication", "À la publication"
    DATE = "date", "À une date donnée"


class PartiePreavis(models.TextChoices):
    DELEGANT = "delegant", "Le délégant"
    DELEGATAIRE = "delegataire", "Le délégataire"


class StatutAvenant(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    SIGNE = "signe", "Signé"
    PUBLIE = "publie", "Publié"


class CompteRendu(models.TextChoices):
    MENSUEL = "mensuel", "Mensuel"
    TERME = "terme", "Au terme"


@dataclass(frozen=True)
class LigneConsolidee:
    annee: int
    ae: Decimal
    cp: Decimal
    modifiee_par: int | None = None  # numéro de l'avenant qui a fixé la ligne


class ConventionQuerySet(models.QuerySet["Convention"]):
    def visibles_par(self, user: Utilisateur) -> ConventionQuerySet:
        """The perimeter: what a user may see. Outside it, pages and API answer 404.

        A délégant agent sees their administrations' conventions; an intrapreneur those that
        fund a product they carry."""
        return restreindre(
            self,
            user,
            delegant=lambda u: Q(delegant__in=u.administrations.all()),
            intrapreneur=lambda u: Exists(
                Produit.objects.filter(
                    conventions=OuterRef("pk"), intrapreneur_email__iexact=u.email
                )
            ),
        )

    def recherche(self, texte: str) -> ConventionQuerySet:
        texte = (texte or "").strip()
        if not texte:
            return self
        condition = Q()
        for mot in texte.split()[:8]:
            produit = Produit.objects.filter(conventions=OuterRef("pk")).filter(
                Q(nom__icontains=mot) | Q(slug__icontains=mot)
            )
            condition_mot = (
                Q(reference__icontains=mot)
                | Q(objet__icontains=mot)
                | Q(delegant__nom__icontains=mot)
                | Q(delegant__sigle__icontains=mot)
                | Q(delegataire__nom__icontains=mot)
                | Q(delegataire__sigle__icontains=mot)
                | Q(unite_operationnelle__icontains=mot)
                | Q(programme=mot)
                | Q(bop__icontains=mot)
                | Q(centre_financier__icontains=mot)
                | Q(domaine_fonctionnel__icontains=mot)
                | Q(activite__icontains=mot)
                | Q(centre_de_cout__icontains=mot)
                | Q(axe_ministeriel_1__icontains=mot)
                | Q(axe_ministeriel_2__icontains=mot)
                | Exists(produit)
            )
            condition &= condition_mot  # type: ignore[assignment]
        return self.filter(condition)

    def de_l_annee(self, annee: int) -> ConventionQuerySet:
        base = LigneEcheancier.objects.filter(convention=OuterRef("pk"), annee=annee)
        avenant = LigneAvenant.objects.filter(avenant__convention=OuterRef("pk"), annee=annee)
        return self.filter(Exists(base) | Exists(avenant))

    def du_produit(self, produit_id: int) -> ConventionQuerySet:
        return self.filter(
            Exists(Produit.objects.filter(conventions=OuterRef("pk"), pk=produit_id))
        )

    def avec_totaux(self) -> ConventionQuerySet:
        """Base schedule totals, computed in the database (for lists and sorting)."""
        return self.annotate(
            total_ae=models.Subquery(
                LigneEcheancier.objects.filter(convention=OuterRef("pk"))
                .values("convention")
                .annotate(s=Sum("ae"))
                .values("s")[:1],
                output_field=models.DecimalField(max_digits=17, decimal_places=2),
            ),
            total_cp=models.Subquery(
                LigneEcheancier.objects.filter(convention=OuterRef("pk"))
                .values("convention")
                .annotate(s=Sum("cp"))
                .values("s")[:1],
                output_field=models.DecimalField(max_digits=17, decimal_places=2),
            ),
        )

    def pour_liste(self) -> ConventionQuerySet:
        return (
            self.select_related("delegant", "delegataire")
            .prefetch_related("produits")
            .avec_totaux()
        )


class Convention(TimestampedModel):
    reference = models.CharField(
        "référence",
        max_length=60,
        blank=True,
        help_text="Identifiant interne ou numéro de la convention.",
    )
    delegant = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="conventions_deleguees",
        verbose_name="délégant",
    )
    delegant_representant_nom = models.CharField(
        "représentant du délégant", max_length=200, blank=True
    )
    delegant_representant_qualite = models.CharField(
        "qualité du représentant du délégant", max_length=300, blank=True
    )
    delegataire = models.ForeignKey(
        Administration,
        on_delete=models.PROTECT,
        related_name="conventions_recues",
        verbose_name="délégataire",
    )
    delegataire_representant_nom = models.CharField(
        "représentant du délégataire", max_length=200, blank=True
    )
    delegataire_representant_qualite = models.CharField(
        "qualité du représentant du délégataire", max_length=300, blank=True
    )
    objet = models.TextField("objet")
    produits = models.ManyToManyField(
        Produit, blank=True, related_name="conventions", verbose_name="produits financés"
    )
    phases = models.JSONField("phases financées", default=list, blank=True)

    unite_operationnelle = models.CharField(
        "unité opérationnelle (UO)", max_length=30, blank=True, validators=[code_uo_validator]
    )
    programme = models.CharField(
        "programme",
        max_length=4,
        blank=True,
        validators=[
            RegexValidator(
                r"^[1-9]\d{0,3}$", "Le programme est un numéro sans zéro initial (ex. 103)."
            )
        ],
    )
    bop = models.CharField("BOP", max_length=30, blank=True)
    axe_ministeriel_1 = models.CharField("axe ministériel 1", max_length=30, blank=True)
    axe_ministeriel_2 = models.CharField("axe ministériel 2", max_length=30, blank=True)
    domaine_fonctionnel = models.CharField("domaine fonctionnel", max_length=30, blank=True)
    centre_financier = models.CharField(
        "centre financier", max_length=30, blank=True, validators=[code_uo_validator]
    )
    activite = models.CharField("activité", max_length=30, blank=True)
    centre_de_cout = models.CharField("centre de coût", max_length=30, blank=True)

    date_signature = models.DateField("date de signature", null=True, blank=True)
    date_publication = models.DateField("date de publication", null=True, blank=True)
    prise_effet = models.CharField(
        "prise d'effet", max_length=20, choices=PriseEffet.choices, default=PriseEffet.SIGNATURE
    )
    date_debut = models.DateField(
        "date de début",
        null=True,
        blank=True,
        help_text="Seulement si la convention prend effet à une date donnée.",
    )
    date_fin = models.DateField("date de fin", null=True, blank=True)
    duree_mois = models.PositiveSmallIntegerField(
        "durée (mois)",
        null=True,
        blank=True,
        validators=[MinValueValidator(1, "La durée doit être d'au moins un mois.")],
    )
    preavis_mois = models.PositiveSmallIntegerField("préavis de résiliation (mois)", default=3)
    compte_rendu = models.JSONField("compte rendu", default=list, blank=True)
    conventions_precedentes = models.JSONField("conventions précédentes", default=list, blank=True)
    # Other funding of the same work the text states: [{"financeur", "montant", "objet"}]
    # (conventions/cofinancements.py checks the shape).
    cofinancements = models.JSONField("cofinancements", default=list, blank=True)
    annexe_rgpd = models.BooleanField("annexe RGPD", default=False)
    comite_mi_parcours = models.BooleanField(
        "comité à mi-parcours",
        default=False,
        help_text="La convention prévoit un comité à mi-parcours, six mois après le début "
        "d'une phase (toujours tenu au-delà du seuil des missions).",
    )

    statut = FSMField("statut", max_length=20, choices=Statut.choices, default=Statut.BROUILLON)
    date_preavis = models.DateField("préavis de résiliation donné le", null=True, blank=True)
    motif_suspension = models.CharField(
        "motif de la suspension", max_length=30, choices=MotifSuspension.choices, blank=True
    )
    partie_preavis = models.CharField(
        "préavis donné par", max_length=20, choices=PartiePreavis.choices, blank=True
    )
    date_cloture = models.DateField("clôturée le", null=True, blank=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        ordering = ["-date_signature", "-id"]
        verbose_name = "convention"
        constraints = [
            models.UniqueConstraint(
                fields=["reference"],
                condition=~Q(reference=""),
                name="convention_reference_unique",
                violation_error_message="Une convention porte déjà cette référence.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True)
                | Q(date_signature__isnull=True)
                | Q(date_fin__gt=models.F("date_signature")),
                name="convention_fin_apres_signature",
                violation_error_message="La date de fin doit être postérieure à la date de signature.",
            ),
            models.CheckConstraint(
                condition=Q(date_fin__isnull=True)
                | Q(date_debut__isnull=True)
                | Q(date_fin__gt=models.F("date_debut")),
                name="convention_fin_apres_debut",
                violation_error_message="La date de fin doit être postérieure à la date de début.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=Statut.values), name="convention_statut_valide"
            ),
        ]

    def __str__(self) -> str:
        ref = self.reference or f"n° {self.pk}"
        return f"Convention {ref} — {self.delegant.libelle_court}"

    # --- validation -----------------------------------------------------------------------
    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.unite_operationnelle and not self.programme:
            self.programme = programme_depuis_code(self.unite_operationnelle)
        if not self.programme and self.centre_financier:
            self.programme = programme_depuis_code(self.centre_financier)
        if self.programme and self.unite_operationnelle:
            if programme_depuis_code(self.unite_operationnelle) != self.programme:
                errors["programme"] = (
                    f"Le programme {self.programme} ne correspond pas à l'UO "
                    f"{self.unite_operationnelle} (programme {programme_depuis_code(self.unite_operationnelle)})."
                )
        if self.prise_effet == PriseEffet.DATE and not self.date_debut:
            errors["date_debut"] = (
                "Indiquez la date de début quand la convention prend effet à une date donnée."
            )
        debut = self.date_debut or self.date_signature
        if self.date_fin and debut and self.date_fin <= debut:
            errors["date_fin"] = "La date de fin doit être postérieure à la date de début."
        phases_inconnues = set(self.phases or []) - set(Phase.values)
        if phases_inconnues:
            errors["phases"] = f"Phase inconnue : {', '.join(sorted(phases_inconnues))}."
        rythmes = set(self.compte_rendu or []) - set(CompteRendu.values)
        if rythmes:
            errors["compte_rendu"] = (
                f"Rythme de compte rendu inconnu : {', '.join(sorted(rythmes))}."
            )
        if self.delegant_id and self.delegataire_id and self.delegant_id == self.delegataire_id:
            errors["delegataire"] = "Le délégataire doit être différent du délégant."
        if errors:
            raise ValidationError(errors)

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.programme:
            self.programme = programme_depuis_code(
                self.unite_operationnelle
            ) or programme_depuis_code(self.centre_financier)
        super().save(*args, **kwargs)

    # --- derived dates --------------------------------------------------------------------
    @property
    def date_prise_effet(self) -> dt.date | None:
        if self.prise_effet == PriseEffet.PUBLICATION:
            return self.date_publication
        if self.prise_effet == PriseEffet.DATE:
            return self.date_debut
        return self.date_signature

    def avenants_ordonnes(self) -> list[Avenant]:
        """Every amendment, drafts included (read from the prefetch cache when there is one)."""
        return sorted(self.avenants.all(), key=lambda a: a.numero)

    def avenants_en_vigueur(self) -> list[Avenant]:
        """The amendments that took effect: the only ones that change caps, end date and
        public data (same rule as ``Avenant.objects.en_vigueur()``, on the prefetched list)."""
        return [a for a in self.avenants_ordonnes() if a.en_vigueur]

    def derniere_fin_avenant(self) -> dt.date | None:
        """End date set by the last amendment in effect that sets one."""
        for avenant in reversed(self.avenants_en_vigueur()):
            if avenant.date_fin:
                return avenant.date_fin
        return None

    @property
    def date_fin_consolidee(self) -> dt.date | None:
        """End date after amendments; else the base end date; else start + duration."""
        return self.date_fin_consolidee_selon(self.derniere_fin_avenant())

    def date_fin_consolidee_selon(self, fin_avenant: dt.date | None) -> dt.date | None:
        """``date_fin_consolidee`` given the last amended end date (read by the caller)."""
        if fin_avenant:
            return fin_avenant
        if self.date_fin:
            return self.date_fin
        debut = self.date_prise_effet
        if debut and self.duree_mois:
            return ajouter_mois(debut, self.duree_mois) - dt.timedelta(days=1)
        return None

    @property
    def date_fin_resiliation(self) -> dt.date | None:
        if self.date_preavis is None:
            return None
        return ajouter_mois(self.date_preavis, self.preavis_mois)

    @property
    def date_fin_effective(self) -> dt.date | None:
        return self.date_fin_effective_selon(self.derniere_fin_avenant())

    def date_fin_effective_selon(self, fin_avenant: dt.date | None) -> dt.date | None:
        """``date_fin_effective`` given the last amended end date (read by the caller)."""
        fin = self.date_fin_consolidee_selon(fin_avenant)
        resiliation = self.date_fin_resiliation
        if self.statut == Statut.RESILIEE and resiliation:
            return min(fin, resiliation) if fin else resiliation
        return fin

    @property
    def date_limite_preavis(self) -> dt.date | None:
        """Last day to give notice so that it takes effect before the end date."""
        fin = self.date_fin_consolidee
        return ajouter_mois(fin, -self.preavis_mois) if fin else None

    def periode_terminee(self, date: dt.date | None = None) -> bool:
        """The period of effect is over: « Terminer » was applied, or the effective end date
        (amendments in effect, notice) is past. Only then may the convention be closed."""
        if self.statut in (Statut.TERMINEE, Statut.CLOTUREE):
            return True
        fin = self.date_fin_effective
        return fin is not None and fin < (date or timezone.localdate())

    def est_en_vigueur(self, date: dt.date | None = None) -> bool:
        """Derived, never typed: status, taking effect, end date."""
        date = date or timezone.localdate()
        if self.statut not in (Statut.SIGNEE, Statut.PUBLIEE, Statut.RESILIEE):
            return False
        debut = self.date_prise_effet
        if debut is None or date < debut:
            return False
        fin = self.date_fin_effective
        return fin is None or date <= fin

    # --- schedule -------------------------------------------------------------------------
    def echeancier_consolide(self) -> list[LigneConsolidee]:
        """Base schedule, each amendment in effect (in order) replacing the years it sets."""
        lignes: dict[int, LigneConsolidee] = {
            ligne.annee: LigneConsolidee(ligne.annee, ligne.ae, ligne.cp)
            for ligne in self.echeancier.all()
        }
        for avenant in self.avenants_en_vigueur():
            for ligne in avenant.lignes.all():
                lignes[ligne.annee] = LigneConsolidee(
                    ligne.annee, ligne.ae, ligne.cp, avenant.numero
                )
        return [lignes[a] for a in sorted(lignes)]

    def totaux(self, lignes: Iterable[Any] | None = None) -> tuple[Decimal, Decimal]:
        lignes = list(self.echeancier.all() if lignes is None else lignes)
        return (
            sum((ligne.ae for ligne in lignes), ZERO),
            sum((ligne.cp for ligne in lignes), ZERO),
        )

    @property
    def montant_total_ae(self) -> Decimal:
        return self.totaux()[0]

    @property
    def montant_total_cp(self) -> Decimal:
        return self.totaux()[1]

    @property
    def totaux_consolides(self) -> tuple[Decimal, Decimal]:
        return self.totaux(self.echeancier_consolide())

    @property
    def montant_rare(self) -> bool:
        """Conventions under the threshold are rare (practice): a warning, not a block."""
        return self.totaux_consolides[0] < settings.SEUIL_CONVENTION_RARE

    # --- workflow (each transition is applied through ``ecriture.appliquer_transition``) ---
    def _signable(self) -> bool:
        return self.date_signature is not None

    @transition(field=statut, source=Statut.BROUILLON, target=Statut.SIGNEE, conditions=[_signable])  # type: ignore[list-item]
    def signer(self) -> None:
        pass

    @transition(field=statut, source=Statut.SIGNEE, target=Statut.PUBLIEE)
    def publier(self, date_publication: dt.date) -> None:
        self.date_publication = date_publication

    @transition(field=statut, source=[Statut.SIGNEE, Statut.PUBLIEE], target=Statut.SUSPENDUE)
    def suspendre(self, motif: str = "", code: str = MotifSuspension.AUTRE) -> None:
        """``motif`` (free text) is kept in the action log; ``code`` (``MotifSuspension``) on the
        convention, where the execution reads whether it may resume by itself."""
        self.motif_suspension = MotifSuspension(code)

    @transition(
        field=statut, source=Statut.SUSPENDUE, target=RETURN_VALUE(Statut.SIGNEE, Statut.PUBLIEE)
    )
    def reprendre(self, motif: str = "") -> str:
        self.motif_suspension = ""
        return Statut.PUBLIEE if self.date_publication else Statut.SIGNEE

    @transition(
        field=statut,
        source=[Statut.SIGNEE, Statut.PUBLIEE, Statut.SUSPENDUE],
        target=Statut.RESILIEE,
    )
    def resilier(self, date_preavis: dt.date, partie: str = "", motif: str = "") -> None:
        """``partie``: who gave notice (délégant or délégataire); ``motif`` goes to the log."""
        self.date_preavis = date_preavis
        self.partie_preavis = partie

    @transition(
        field=statut,
        source=[Statut.SIGNEE, Statut.PUBLIEE, Statut.SUSPENDUE, Statut.RESILIEE],
        target=Statut.TERMINEE,
    )
    def terminer(self) -> None:
        pass

    @transition(
        field=statut,
        source=[Statut.SIGNEE, Statut.PUBLIEE, Statut.SUSPENDUE, Statut.RESILIEE, Statut.TERMINEE],
        target=Statut.CLOTUREE,
    )
    def cloturer(self, date_cloture: dt.date, decision: str = "", reference: str = "") -> None:
        """Closing, once the period is over (checked by ``ecriture``). ``execution.cloture``
        applies it after writing the restitution of unused credits; ``decision`` and
        ``reference`` (the délégant's decision on the balance) go to the log."""
        self.date_cloture = date_cloture


TRANSITIONS: dict[str, str] = {
    "signer": "Signer",
    "publier": "Publier",
    "suspendre": "Suspendre",
    "reprendre": "Reprendre l'exécution",
    "resilier": "Résilier",
    "terminer": "Terminer",
    "cloturer": "Clôturer",
}


class LigneAnnuelle(models.Model):
    """A year's amounts: a line of the base schedule or of an amendment."""

    annee = models.PositiveSmallIntegerField(
        "année", validators=[MinValueValidator(2000, "Année invalide.")]
    )
    ae = models.DecimalField("AE (€)", **MONTANT)  # type: ignore[arg-type]
    cp = models.DecimalField("CP (€)", **MONTANT)  # type: ignore[arg-type]

    class Meta:
        abstract = True
        ordering = ["annee"]

    def __str__(self) -> str:
        return f"{self.annee} : AE {self.ae} / CP {self.cp}"


class LigneEcheancier(LigneAnnuelle):
    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="echeancier")

    class Meta(LigneAnnuelle.Meta):
        verbose_name = "ligne d'échéancier"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "annee"],
                name="echeancier_une_ligne_par_annee",
                violation_error_message="Une seule ligne d'échéancier par année.",
            ),
            models.CheckConstraint(
                condition=Q(ae__gte=0) & Q(cp__gte=0),
                name="echeancier_montants_positifs",
                violation_error_message="Les montants doivent être positifs ou nuls.",
            ),
        ]


class AvenantQuerySet(models.QuerySet["Avenant"]):
    def en_vigueur(self, date: dt.date | None = None) -> AvenantQuerySet:
        """Amendments that took effect (on ``date`` or before, when given). Execution's SQL
        (``execution.ecriture`` and the function ``execution_engager``) applies the same rule:
        ``date_effet IS NOT NULL``."""
        qs = self.filter(date_effet__isnull=False)
        return qs.filter(date_effet__lte=date) if date else qs


class Avenant(TimestampedModel):
    """An amendment: changes amounts and/or the end date, never rewrites the base convention.

    Its life: ``brouillon`` (editable, deletable) → ``signe`` (date of signature required) →
    ``publie``. It takes effect as its convention does: at its signature, or at its publication
    when the convention took effect at publication; ``date_effet`` records that day (set only
    by ``conventions.ecriture``). Before it, it changes no cap, no end date and nothing public.
    """

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="avenants")
    numero = models.PositiveSmallIntegerField("numéro")
    objet = models.TextField("objet")
    date_signature = models.DateField("date de signature", null=True, blank=True)
    date_fin = models.DateField("nouvelle date de fin", null=True, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutAvenant.choices, default=StatutAvenant.BROUILLON
    )
    date_publication = models.DateField("date de publication", null=True, blank=True)
    date_effet = models.DateField("en vigueur depuis le", null=True, blank=True, editable=False)

    objects = AvenantQuerySet.as_manager()

    class Meta:
        ordering = ["convention", "numero"]
        verbose_name = "avenant"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "numero"],
                name="avenant_numero_unique",
                violation_error_message="Ce numéro d'avenant existe déjà pour cette convention.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutAvenant.values), name="avenant_statut_valide"
            ),
            models.CheckConstraint(
                condition=Q(statut="brouillon") | Q(date_signature__isnull=False),
                name="avenant_signe_date_signature",
                violation_error_message="Un avenant signé a une date de signature.",
            ),
            models.CheckConstraint(
                condition=Q(date_effet__isnull=True) | ~Q(statut="brouillon"),
                name="avenant_brouillon_sans_effet",
                violation_error_message="Un avenant au brouillon n'est pas en vigueur.",
            ),
        ]

    def __str__(self) -> str:
        return f"Avenant n° {self.numero}"

    @property
    def en_vigueur(self) -> bool:
        return self.date_effet is not None

    @property
    def est_brouillon(self) -> bool:
        return self.statut == StatutAvenant.BROUILLON


# Sent once an amendment and its lines are recorded, inside the same transaction: apps that
# depend on the register follow it without being imported here (execution resumes with it).
avenant_enregistre = Signal()


class LigneAvenant(LigneAnnuelle):
    """The amounts an amendment sets for a year (they replace that year's line)."""

    avenant = models.ForeignKey(Avenant, on_delete=models.CASCADE, related_name="lignes")

    class Meta(LigneAnnuelle.Meta):
        constraints = [
            models.UniqueConstraint(
                fields=["avenant", "annee"],
                name="avenant_une_ligne_par_annee",
                violation_error_message="Une seule ligne par année dans un avenant.",
            ),
            models.CheckConstraint(
                condition=Q(ae__gte=0) & Q(cp__gte=0),
                name="avenant_montants_positifs",
                violation_error_message="Les montants doivent être positifs ou nuls.",
            ),
        ]
