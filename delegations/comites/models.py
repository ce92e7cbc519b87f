"""Investment committees, their decision records and indicators, and convention obligations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from delegations.conventions.models import Convention, ajouter_mois
from delegations.core.acces import Utilisateur, restreindre
from delegations.core.errors import RegleMetierError
from delegations.core.models import TimestampedModel, User
from delegations.produits.models import PhaseProduit, Produit

MONTANT = {"max_digits": 15, "decimal_places": 2}


class TypeComite(models.TextChoices):
    PRODUIT = "produit", "Comité d'investissement produit (semestriel)"
    INTERMINISTERIEL = "interministeriel", "Comité interministériel (annuel, mission)"
    MI_PARCOURS = "mi_parcours", "Comité à mi-parcours"


class Decision(models.TextChoices):
    POURSUITE = "poursuite", "Poursuite pour la période"
    PROVISOIRE = "provisoire", "Financement provisoire (un ou deux mois)"
    ARRET = "arret", "Arrêt"
    CHANGEMENT_PHASE = "changement_phase", "Changement de phase"


class Dimension(models.TextChoices):
    """The impact matrix."""

    UTILISABLE = "utilisable", "Utilisable"
    UTILISE = "utilise", "Utilisé"
    UTILE = "utile", "Utile"
    IMPACT = "impact", "Impact sur la politique publique"
    EFFICIENT = "efficient", "Efficient"


class StatutReleve(models.TextChoices):
    BROUILLON = "brouillon", "Brouillon"
    FINALISE = "finalise", "Finalisé"


# --- committees ------------------------------------------------------------------------------
class ComiteQuerySet(models.QuerySet["Comite"]):
    def visibles_par(self, user: Utilisateur) -> ComiteQuerySet:
        """A committee follows its convention when it names one (mission, or a product committee
        held for that convention), else its product: a committee tied to a convention outside the
        perimeter stays hidden even when its product is visible."""

        def selon_convention_ou_produit(u: User) -> Q:
            return Q(convention__in=Convention.objects.visibles_par(u)) | Q(
                convention__isnull=True, produit__in=Produit.objects.visibles_par(u)
            )

        return restreindre(
            self,
            user,
            delegant=selon_convention_ou_produit,
            intrapreneur=selon_convention_ou_produit,
        )

    def recherche(self, texte: str) -> ComiteQuerySet:
        texte = (texte or "").strip()
        if not texte:
            return self
        return self.filter(
            Q(produit__nom__icontains=texte)
            | Q(produit__slug__icontains=texte)
            | Q(convention__reference__icontains=texte)
            | Q(lieu__icontains=texte)
        )

    def pour_liste(self) -> ComiteQuerySet:
        return self.select_related(
            "produit", "convention", "convention__delegant"
        ).prefetch_related("releves")


class Comite(TimestampedModel):
    type = models.CharField(
        "type", max_length=20, choices=TypeComite.choices, default=TypeComite.PRODUIT
    )
    produit = models.ForeignKey(
        Produit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comites",
        verbose_name="produit",
    )
    convention = models.ForeignKey(
        Convention,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="comites",
        verbose_name="convention (mission)",
    )
    date = models.DateField("date")
    lieu = models.CharField("lieu", max_length=300, blank=True)
    participants = models.TextField(
        "participants", blank=True, help_text="Un participant par ligne."
    )
    support = models.FileField("support de présentation", upload_to="comites/supports/", blank=True)
    support_url = models.URLField("lien vers le support", blank=True)
    releve_document = models.FileField(
        "relevé de décision signé", upload_to="comites/releves/", blank=True
    )

    objects = ComiteQuerySet.as_manager()

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = "comité d'investissement"
        verbose_name_plural = "comités d'investissement"
        constraints = [
            models.CheckConstraint(
                condition=Q(produit__isnull=False) | Q(convention__isnull=False),
                name="comite_produit_ou_mission",
                violation_error_message="Un comité porte sur un produit ou sur une mission (convention).",
            ),
            models.CheckConstraint(
                condition=Q(type__in=TypeComite.values),
                name="comite_type_valide",
                violation_error_message="Type de comité inconnu.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display().split(' (')[0]} — {self.sujet} — {self.date:%d/%m/%Y}"

    @property
    def sujet(self) -> str:
        if self.produit_id:
            return str(self.produit)
        if self.convention is not None:
            return f"Mission {self.convention.reference or self.convention_id}"
        return "—"

    def clean(self) -> None:
        if not self.produit_id and not self.convention_id:
            raise ValidationError("Un comité porte sur un produit ou sur une mission (convention).")
        if self.type == TypeComite.INTERMINISTERIEL and not self.convention_id:
            raise ValidationError(
                {"convention": "Un comité interministériel porte sur la convention de la mission."}
            )
        if self.type == TypeComite.PRODUIT and not self.produit_id:
            raise ValidationError({"produit": "Un comité produit porte sur un produit."})

    @property
    def liste_participants(self) -> list[str]:
        return [p.strip() for p in self.participants.splitlines() if p.strip()]

    @property
    def releve(self) -> Releve | None:
        """The current record: the latest one (a correction supersedes the finalised one)."""
        releves = sorted(self.releves.all(), key=lambda r: r.numero)
        return releves[-1] if releves else None

    def precedent(self) -> Comite | None:
        """The previous committee on the same product (or mission)."""
        qs = Comite.objects.filter(date__lt=self.date)
        if self.produit_id:
            qs = qs.filter(produit_id=self.produit_id)
        else:
            qs = qs.filter(convention_id=self.convention_id)  # type: ignore[misc]
        return qs.order_by("-date", "-id").first()

    def objectifs_precedents(self) -> list[Indicateur]:
        """Targets set at the previous committee (its current record), to measure here."""
        precedent = self.precedent()
        if precedent is None:
            return []
        releve = precedent.releve
        if releve is None:
            return []
        return list(releve.indicateurs.prefetch_related("resultats").order_by("dimension", "id"))


# --- decision records ------------------------------------------------------------------------
def releve_fige() -> RegleMetierError:
    """The refusal of any change to a finalised record: a correction is a new record."""
    return RegleMetierError(
        "releve_finalise",
        "Ce relevé est finalisé : il ne se modifie plus. Pour le corriger, créez une correction.",
    )


class Releve(TimestampedModel):
    """The decision record. Saved as a draft, then finalised; a finalised record is never edited
    (a correction is a new record that supersedes it)."""

    comite = models.ForeignKey(
        Comite, on_delete=models.CASCADE, related_name="releves", verbose_name="comité"
    )
    numero = models.PositiveSmallIntegerField("numéro", default=1)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutReleve.choices, default=StatutReleve.BROUILLON
    )
    date = models.DateField("date", null=True, blank=True)
    lieu = models.CharField("lieu", max_length=300, blank=True)
    participants = models.TextField(
        "participants", blank=True, help_text="Un participant par ligne."
    )
    decision = models.CharField("décision", max_length=20, choices=Decision.choices, blank=True)
    montant_accorde = models.DecimalField("montant accordé (€)", null=True, blank=True, **MONTANT)  # type: ignore[arg-type]
    periode_mois = models.PositiveSmallIntegerField("période (mois)", null=True, blank=True)
    phase_decidee = models.CharField(
        "nouvelle phase", max_length=20, choices=PhaseProduit.choices, blank=True
    )
    commentaire = models.TextField("commentaire", blank=True)
    remplace = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="corrections",
        verbose_name="corrige le relevé",
    )
    finalise_le = models.DateTimeField("finalisé le", null=True, blank=True)
    finalise_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="finalisé par",
    )

    class Meta:
        ordering = ["comite", "numero"]
        verbose_name = "relevé de décision"
        constraints = [
            models.UniqueConstraint(
                fields=["comite", "numero"],
                name="releve_numero_unique",
                violation_error_message="Ce numéro de relevé existe déjà pour ce comité.",
            ),
            models.CheckConstraint(
                condition=Q(montant_accorde__isnull=True) | Q(montant_accorde__gte=0),
                name="releve_montant_positif",
                violation_error_message="Le montant accordé doit être positif ou nul.",
            ),
            models.CheckConstraint(
                condition=Q(statut=StatutReleve.BROUILLON) | Q(finalise_le__isnull=False),
                name="releve_finalise_date",
                violation_error_message="Un relevé finalisé porte sa date de finalisation.",
            ),
        ]

    def __str__(self) -> str:
        return f"Relevé n° {self.numero} — {self.comite}"

    @property
    def est_finalise(self) -> bool:
        return self.statut == StatutReleve.FINALISE

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk and Releve.objects.filter(pk=self.pk, statut=StatutReleve.FINALISE).exists():
            raise releve_fige()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        if self.est_finalise:
            raise RegleMetierError("releve_finalise", "Un relevé finalisé ne se supprime pas.")
        return super().delete(*args, **kwargs)

    def manques(self) -> list[str]:
        """What a record must hold before it can be finalised (empty list: complete)."""
        manque: list[str] = []
        if not self.date:
            manque.append("la date")
        if not self.lieu.strip():
            manque.append("le lieu")
        if not self.participants.strip():
            manque.append("les participants")
        if not self.decision:
            manque.append("la décision")
        if self.montant_accorde is None:
            manque.append("le montant accordé")
        if self.decision != Decision.ARRET and not self.periode_mois:
            manque.append("la période (en mois)")
        if self.decision == Decision.PROVISOIRE and self.periode_mois and self.periode_mois > 2:
            manque.append("une période d'un ou deux mois pour un financement provisoire")
        if self.decision == Decision.CHANGEMENT_PHASE and not self.phase_decidee:
            manque.append("la nouvelle phase")
        indicateurs = list(self.indicateurs.all())
        complets = [i for i in indicateurs if i.est_complet]
        if not complets:
            manque.append(
                "au moins un objectif chiffré (indicateur avec nom, unité, cible et échéance)"
            )
        elif len(complets) < len(indicateurs):
            manque.append(
                f"{len(indicateurs) - len(complets)} indicateur(s) incomplet(s) à compléter ou retirer"
            )
        return manque


class Indicateur(models.Model):
    """A goal as a numeric indicator: a target to reach by a date, in a dimension of the matrix."""

    releve = models.ForeignKey(
        Releve, on_delete=models.CASCADE, related_name="indicateurs", verbose_name="relevé"
    )
    dimension = models.CharField(
        "dimension", max_length=20, choices=Dimension.choices, default=Dimension.UTILISE
    )
    nom = models.CharField("nom", max_length=200)
    unite = models.CharField("unité", max_length=50, blank=True)
    cible = models.DecimalField("cible", null=True, blank=True, max_digits=15, decimal_places=2)
    echeance = models.DateField("échéance", null=True, blank=True)

    class Meta:
        ordering = ["releve", "dimension", "id"]
        verbose_name = "indicateur"

    def __str__(self) -> str:
        return f"{self.nom} : {self.cible} {self.unite}".strip()

    def save(self, *args: Any, **kwargs: Any) -> None:
        self._verifier_modifiable()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        self._verifier_modifiable()
        return super().delete(*args, **kwargs)

    @property
    def est_complet(self) -> bool:
        return bool(
            self.nom.strip() and self.unite.strip() and self.cible is not None and self.echeance
        )

    def _verifier_modifiable(self) -> None:
        if Releve.objects.filter(pk=self.releve_id, statut=StatutReleve.FINALISE).exists():
            raise RegleMetierError(
                "releve_finalise", "Les objectifs d'un relevé finalisé ne se modifient plus."
            )


class Resultat(TimestampedModel):
    """The value reached for a previous target, entered at the next committee."""

    indicateur = models.ForeignKey(
        Indicateur, on_delete=models.PROTECT, related_name="resultats", verbose_name="objectif"
    )
    comite = models.ForeignKey(
        Comite,
        on_delete=models.CASCADE,
        related_name="resultats",
        verbose_name="comité où il est mesuré",
    )
    valeur = models.DecimalField("valeur atteinte", max_digits=15, decimal_places=2)
    commentaire = models.CharField("commentaire", max_length=300, blank=True)

    class Meta:
        ordering = ["comite", "indicateur"]
        verbose_name = "résultat"
        constraints = [
            models.UniqueConstraint(
                fields=["indicateur", "comite"],
                name="resultat_unique",
                violation_error_message="Ce résultat est déjà saisi pour ce comité.",
            ),
        ]

    @property
    def pourcentage(self) -> Decimal | None:
        cible = self.indicateur.cible
        if not cible:
            return None
        return (self.valeur / cible * 100).quantize(Decimal("0.1"))


# --- obligations -----------------------------------------------------------------------------
class StatutObligation(models.TextChoices):
    A_FAIRE = "a_faire", "À faire"
    EN_COURS = "en_cours", "En cours"
    FAITE = "faite", "Faite"
    SANS_OBJET = "sans_objet", "Sans objet"


STATUTS_CLOS = (StatutObligation.FAITE, StatutObligation.SANS_OBJET)

# code, label, who is responsible, months after the convention takes effect (None: at its end)
OBLIGATIONS_STANDARD: list[tuple[str, str, str, int | None]] = [
    ("manifeste", "Adhésion au manifeste beta.gouv.fr", "Délégant", 0),
    ("intrapreneur", "Intrapreneur désigné", "Délégant", 1),
    ("sponsor", "Sponsor désigné", "Délégant", 1),
    ("fiche_produit", "Fiche produit publiée sur beta.gouv.fr", "Intrapreneur", 2),
    ("code_ouvert", "Code source publié sous licence libre", "DINUM", 3),
    (
        "annexe_rgpd",
        "Annexe RGPD : répartition des rôles (responsable de traitement, sous-traitant)",
        "Délégant",
        0,
    ),
    ("analyse_risques", "Atelier d'analyse de risques (méthode ANSSI)", "DINUM", 6),
    ("franceconnect", "FranceConnect intégré si les usagers s'authentifient", "DINUM", 6),
    ("je_donne_mon_avis", "Bouton « Je donne mon avis » sur les démarches en ligne", "DINUM", 6),
    ("statistiques", "Page de statistiques publique", "Intrapreneur", 6),
    ("publication", "Publication de la convention", "Délégant", 1),
    ("copie_cbcm", "Copie de la convention signée transmise au CBCM", "DINUM", 1),
    ("comptes_rendus", "Comptes rendus d'exécution au délégant", "DINUM", None),
]


class ObligationQuerySet(models.QuerySet["Obligation"]):
    def visibles_par(self, user: Utilisateur) -> ObligationQuerySet:
        return self.filter(convention__in=Convention.objects.visibles_par(user))

    def recherche(self, texte: str) -> ObligationQuerySet:
        texte = (texte or "").strip()
        if not texte:
            return self
        return self.filter(Q(libelle__icontains=texte) | Q(convention__reference__icontains=texte))

    def ouvertes(self) -> ObligationQuerySet:
        return self.exclude(statut__in=STATUTS_CLOS)

    def en_retard(self, date: dt.date | None = None) -> ObligationQuerySet:
        return self.ouvertes().filter(echeance__lt=date or timezone.localdate())


class Obligation(TimestampedModel):
    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="obligations", verbose_name="convention"
    )
    code = models.SlugField(
        "code", max_length=40, blank=True, help_text="Code de l'obligation type (vide si ajoutée)."
    )
    libelle = models.CharField("obligation", max_length=300)
    ordre = models.PositiveSmallIntegerField("ordre", default=100)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutObligation.choices, default=StatutObligation.A_FAIRE
    )
    echeance = models.DateField("échéance", null=True, blank=True)
    responsable = models.CharField("responsable", max_length=200, blank=True)
    responsable_email = models.EmailField("adresse du responsable", blank=True)
    preuve_url = models.URLField("preuve (lien)", blank=True)
    preuve_fichier = models.FileField("preuve (fichier)", upload_to="obligations/", blank=True)
    commentaire = models.TextField("commentaire", blank=True)

    objects = ObligationQuerySet.as_manager()

    class Meta:
        ordering = ["convention", "ordre", "id"]
        verbose_name = "obligation"
        constraints = [
            models.UniqueConstraint(
                fields=["convention", "code"],
                condition=~Q(code=""),
                name="obligation_code_unique",
                violation_error_message="Cette obligation type existe déjà pour la convention.",
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutObligation.values),
                name="obligation_statut_valide",
                violation_error_message="Statut d'obligation inconnu.",
            ),
        ]

    def __str__(self) -> str:
        return self.libelle

    def est_en_retard(self, date: dt.date | None = None) -> bool:
        return (
            self.statut not in STATUTS_CLOS
            and self.echeance is not None
            and self.echeance < (date or timezone.localdate())
        )

    @property
    def en_retard(self) -> bool:
        return self.est_en_retard()

    @property
    def preuve(self) -> str:
        if self.preuve_url:
            return self.preuve_url
        return reverse("comites:preuve", args=[self.pk]) if self.preuve_fichier else ""


def echeance_standard(convention: Convention, delai_mois: int | None) -> dt.date | None:
    if delai_mois is None:
        return convention.date_fin_consolidee
    debut = convention.date_prise_effet
    return ajouter_mois(debut, delai_mois) if debut else None
