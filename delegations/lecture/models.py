"""Original documents of the register, identified by their SHA-256."""

from __future__ import annotations

from django.db import models

from delegations.conventions.models import Avenant, Convention
from delegations.core.acces import Utilisateur
from delegations.core.models import User


def chemin_document(instance: Document, nom: str) -> str:
    extension = nom.rsplit(".", 1)[-1].lower() if "." in nom else "bin"
    return f"documents/{instance.sha256[:2]}/{instance.sha256}.{extension}"


class DocumentQuerySet(models.QuerySet["Document"]):
    def visibles_par(self, user: Utilisateur) -> DocumentQuerySet:
        return self.filter(convention__in=Convention.objects.visibles_par(user))


class Document(models.Model):
    """The file a convention or an amendment was imported from; never replaced."""

    convention = models.ForeignKey(Convention, on_delete=models.PROTECT, related_name="documents")
    avenant = models.ForeignKey(
        Avenant, null=True, blank=True, on_delete=models.PROTECT, related_name="documents"
    )
    fichier = models.FileField("fichier", upload_to=chemin_document)
    nom_original = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64, unique=True)
    taille = models.PositiveBigIntegerField("taille (octets)")
    extraction = models.JSONField("lecture automatique", default=dict, blank=True)
    importe_par = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("importé le", auto_now_add=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "document"

    def __str__(self) -> str:
        return self.nom_original
