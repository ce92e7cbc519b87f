"""Drafting: versions of the Word models, generated documents, signed copies, contacts, letters."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from delegations.conventions.models import Avenant, Convention
from delegations.core.acces import Utilisateur, restreindre
from delegations.core.models import Administration, TimestampedModel


class TypeDocument(models.TextChoices):
    CONVENTION = "convention", "Convention"
    AVENANT = "avenant", "Avenant"


def chemin_modele(instance: VersionModele, nom: str) -> str:
    # Never the client's name: type, version and content hash.
    return f"redaction/modeles/{instance.type}-v{instance.version}-{instance.sha256[:12]}.docx"


class VersionModele(models.Model):
    """One version of the Word model of a convention or an amendment; the last one is used."""

    type = models.CharField("type", max_length=20, choices=TypeDocument.choices)
    version = models.PositiveIntegerField("version")
    fichier = models.FileField(
        "fichier", upload_to=chemin_modele, blank=True, help_text="Vide : le modèle livré."
    )
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    commentaire = models.CharField("commentaire", max_length=300, blank=True)
    depose_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="déposé par",
    )
    created_at = models.DateTimeField("déposé le", auto_now_add=True)

    class Meta:
        ordering = ["type", "-version"]
        verbose_name = "version de modèle"
        constraints = [
            models.UniqueConstraint(
                fields=["type", "version"],
                name="redaction_version_modele_unique",
                violation_error_message="Cette version du modèle existe déjà.",
            ),
            models.CheckConstraint(
                condition=Q(type__in=TypeDocument.values), name="redaction_modele_type_valide"
            ),
        ]

    def __str__(self) -> str:
        return f"Modèle {self.get_type_display().lower()} v{self.version}"

    @property
    def livre(self) -> bool:
        return not self.fichier


class DocumentGenere(models.Model):
    """A document produced from the register: which model version made it, and its hash."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="documents_generes"
    )
    avenant = models.ForeignKey(
        Avenant, null=True, blank=True, on_delete=models.CASCADE, related_name="documents_generes"
    )
    version = models.ForeignKey(
        VersionModele, on_delete=models.PROTECT, related_name="documents", verbose_name="modèle"
    )
    format = models.CharField("format", max_length=5)
    moteur = models.CharField("conversion PDF", max_length=20, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    taille = models.PositiveIntegerField("taille (octets)")
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("produit le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "document produit"

    def __str__(self) -> str:
        return f"{self.format.upper()} ({self.version})"


def chemin_copie(instance: CopieSignee, nom: str) -> str:
    return f"redaction/copies-signees/{instance.sha256[:2]}/{instance.sha256}.pdf"


class CopieSignee(models.Model):
    """A signed PDF uploaded back, read and compared with the register."""

    convention = models.ForeignKey(
        Convention, on_delete=models.CASCADE, related_name="copies_signees"
    )
    avenant = models.ForeignKey(
        Avenant, null=True, blank=True, on_delete=models.CASCADE, related_name="copies_signees"
    )
    fichier = models.FileField("fichier", upload_to=chemin_copie)
    nom_affiche = models.CharField("nom du fichier déposé", max_length=255, blank=True)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    taille = models.PositiveIntegerField("taille (octets)")
    extraction = models.JSONField("lecture", default=dict, blank=True)
    champs = models.JSONField("comparaison champ par champ", default=list, blank=True)
    conforme = models.BooleanField("conforme au registre", default=False)
    date_signature = models.DateField("date de signature lue", null=True, blank=True)
    source_date = models.CharField("date lue dans", max_length=40, blank=True)
    signatures = models.JSONField("signatures électroniques", default=list, blank=True)
    deposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("déposée le", auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "copie signée"
        verbose_name_plural = "copies signées"

    def __str__(self) -> str:
        quoi = f"avenant n° {self.avenant.numero}" if self.avenant_id else "convention"  # type: ignore[union-attr]
        return f"Copie signée ({quoi}) du {self.created_at:%d/%m/%Y}"

    @property
    def ecarts(self) -> list[dict[str, Any]]:
        return [c for c in self.champs if not c.get("ok")]


class RoleContact(models.TextChoices):
    GESTIONNAIRE = "gestionnaire", "Gestionnaire budgétaire"
    RESPONSABLE = "responsable", "Responsable de programme ou de BOP"
    CBCM = "cbcm", "Contrôleur budgétaire et comptable ministériel (CBCM)"
    AUTRE = "autre", "Autre destinataire"


class ContactQuerySet(models.QuerySet["Contact"]):
    def visibles_par(self, user: Utilisateur) -> ContactQuerySet:
        """Finance sees every list; a délégant agent sees their administrations' lists."""
        return restreindre(
            self, user, delegant=lambda u: Q(administration__in=u.administrations.all())
        )


class Contact(TimestampedModel):
    """Who receives the letters of an administration (a délégant)."""

    administration = models.ForeignKey(
        Administration,
        on_delete=models.CASCADE,
        related_name="contacts",
        verbose_name="administration",
    )
    nom = models.CharField("nom", max_length=200)
    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=20, choices=RoleContact.choices)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["administration__nom", "role", "nom"]
        verbose_name = "contact"
        constraints = [
            models.UniqueConstraint(
                fields=["administration", "email", "role"],
                name="redaction_contact_unique",
                violation_error_message="Ce contact existe déjà avec ce rôle pour l'administration.",
            ),
            models.CheckConstraint(
                condition=Q(role__in=RoleContact.values),
                name="redaction_contact_role_valide",
                violation_error_message="Rôle de contact inconnu.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} <{self.email}> ({self.get_role_display()})"


class NatureCourrier(models.TextChoices):
    POUR_SIGNATURE = "pour_signature", "Envoi du texte pour signature"
    CREDITS_INSUFFISANTS = "credits_insuffisants", "Crédits insuffisants (information du délégant)"
    PREAVIS = "preavis_resiliation", "Notification de la résiliation et du préavis"
    CREDITS_NON_CONSOMMES = "credits_non_consommes", "Crédits non consommés en fin de convention"
    RAPPORT_PERIODIQUE = "rapport_periodique", "Compte rendu périodique"
    RAPPORT_FINAL = "rapport_final", "Compte rendu final"
    COPIE_CBCM = "copie_cbcm", "Copie signée au CBCM"


class StatutCourrier(models.TextChoices):
    A_ENVOYER = "a_envoyer", "À envoyer"
    ENVOYE = "envoye", "Envoyé"
    ECHEC = "echec", "Échec de l'envoi"


class CourrierQuerySet(models.QuerySet["Courrier"]):
    def visibles_par(self, user: Utilisateur) -> CourrierQuerySet:
        return self.filter(convention__in=Convention.objects.visibles_par(user))


class Courrier(TimestampedModel):
    """A letter to the délégant: what was (or will be) sent, to whom, with which files."""

    convention = models.ForeignKey(Convention, on_delete=models.CASCADE, related_name="courriers")
    avenant = models.ForeignKey(
        Avenant, null=True, blank=True, on_delete=models.CASCADE, related_name="courriers"
    )
    nature = models.CharField("nature", max_length=30, choices=NatureCourrier.choices)
    objet = models.CharField("objet", max_length=300)
    corps = models.TextField("texte")
    destinataires = models.JSONField("destinataires", default=list)
    parametres = models.JSONField("paramètres", default=dict, blank=True)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutCourrier.choices, default=StatutCourrier.A_ENVOYER
    )
    envoye_le = models.DateTimeField("envoyé le", null=True, blank=True)
    erreur = models.TextField("erreur", blank=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CourrierQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "courrier"
        constraints = [
            models.CheckConstraint(
                condition=Q(nature__in=NatureCourrier.values), name="redaction_courrier_nature"
            ),
            models.CheckConstraint(
                condition=Q(statut__in=StatutCourrier.values), name="redaction_courrier_statut"
            ),
        ]

    def __str__(self) -> str:
        return self.objet

    @property
    def adresses(self) -> list[str]:
        return [d["email"] for d in self.destinataires]


def chemin_piece(instance: PieceJointe, nom: str) -> str:
    extension = {
        "application/pdf": "pdf",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    }.get(instance.type_mime, "bin")
    return f"redaction/courriers/{instance.sha256[:2]}/{instance.sha256}.{extension}"


class PieceJointe(models.Model):
    """A file attached to a letter, kept as sent."""

    courrier = models.ForeignKey(Courrier, on_delete=models.CASCADE, related_name="pieces")
    nom = models.CharField("nom", max_length=200)
    type_mime = models.CharField("type", max_length=100)
    fichier = models.FileField("fichier", upload_to=chemin_piece)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    taille = models.PositiveIntegerField("taille (octets)")

    class Meta:
        ordering = ["id"]
        verbose_name = "pièce jointe"

    def __str__(self) -> str:
        return self.nom
