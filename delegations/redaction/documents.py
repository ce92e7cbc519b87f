"""Word documents from the register (docxtpl) and their PDF (LibreOffice, else WeasyPrint)."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string

from delegations.conventions.models import Avenant, Convention
from delegations.core.errors import RegleMetierError
from delegations.core.models import User

from .contexte import contexte_avenant, contexte_convention
from .models import DocumentGenere, TypeDocument, VersionModele

MODELES_LIVRES = Path(__file__).resolve().parent / "modeles"
TYPES_MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
}
FORMATS = tuple(TYPES_MIME)
DELAI_CONVERSION = 300  # seconds for one batch of LibreOffice conversions
# One document asked for on a page or through the API: past this, WeasyPrint answers instead.
DELAI_CONVERSION_UNITAIRE = 15


# --- model versions ---------------------------------------------------------------------------
def _sha256(contenu: bytes) -> str:
    return hashlib.sha256(contenu).hexdigest()


def contenu_livre(type_document: str) -> bytes:
    return (MODELES_LIVRES / f"{type_document}.docx").read_bytes()


def contenu_modele(version: VersionModele) -> bytes:
    if version.livre:
        return contenu_livre(version.type)
    with version.fichier.open("rb") as flux:
        return flux.read()


def version_active(type_document: str) -> VersionModele:
    """The last version of a model; the shipped file is version 1 (and again after an update)."""
    derniere = VersionModele.objects.filter(type=type_document).order_by("-version").first()
    if derniere is not None and not (
        derniere.livre and derniere.sha256 != _sha256(contenu_livre(type_document))
    ):
        return derniere
    contenu = contenu_livre(type_document)
    try:
        with transaction.atomic():
            return VersionModele.objects.create(
                type=type_document,
                version=(derniere.version + 1) if derniere else 1,
                sha256=_sha256(contenu),
                commentaire="Modèle livré avec l'application",
            )
    except IntegrityError:  # another request created it at the same time
        return VersionModele.objects.filter(type=type_document).order_by("-version")[0]


def rendre_docx(modele: bytes, contexte: dict[str, Any], titre: str = "") -> bytes:
    from docxtpl import DocxTemplate

    gabarit = DocxTemplate(io.BytesIO(modele))
    gabarit.render(contexte, autoescape=True)
    if titre:
        gabarit.docx.core_properties.title = titre
    sortie = io.BytesIO()
    gabarit.save(sortie)
    return sortie.getvalue()


def verifier_modele(type_document: str, contenu: bytes) -> None:
    """An uploaded model must be a real Word document that renders with a sample context."""
    from docx.opc.exceptions import PackageNotFoundError
    from jinja2 import TemplateError

    if not contenu.startswith(b"PK\x03\x04"):
        raise RegleMetierError(
            "modele_pas_docx",
            "Le fichier déposé n'est pas un document Word (.docx) : enregistrez le modèle au "
            "format Word puis déposez-le à nouveau.",
        )
    exemple = contexte_exemple(type_document)
    try:
        rendu = rendre_docx(contenu, exemple)
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise RegleMetierError(
            "modele_illisible", f"Le document Word déposé est illisible : {exc}."
        ) from exc
    except TemplateError as exc:
        raise RegleMetierError(
            "modele_balise_invalide",
            f"Une balise du modèle est invalide ({exc.message or exc}) : vérifiez les "
            "balises entre {{ }} et {% %}.",
        ) from exc
    import docx

    texte = "\n".join(p.text for p in docx.Document(io.BytesIO(rendu)).paragraphs)
    if exemple["delegant"].nom not in texte:
        raise RegleMetierError(
            "modele_sans_donnees",
            "Le modèle ne reprend pas les données du registre (nom du délégant absent du "
            "document produit) : gardez les balises du modèle livré.",
        )


def deposer_modele(
    type_document: str, contenu: bytes, user: User, commentaire: str = ""
) -> VersionModele:
    if type_document not in TypeDocument.values:
        raise RegleMetierError("modele_type_inconnu", "Type de modèle inconnu.")
    verifier_modele(type_document, contenu)
    with transaction.atomic():
        # The lock serialises two uploads of the same type: versions stay consecutive.
        derniere = (
            VersionModele.objects.select_for_update()
            .filter(type=type_document)
            .order_by("-version")
            .first()
        )
        if derniere is None:
            derniere = version_active(type_document)
        version = VersionModele(
            type=type_document,
            version=derniere.version + 1,
            sha256=_sha256(contenu),
            commentaire=commentaire[:300],
            depose_par=user if getattr(user, "is_authenticated", False) else None,
        )
        version.fichier.save("modele.docx", ContentFile(contenu), save=False)
        version.save()
    return version


# --- PDF ---------------------------------------------------------------------------------------
def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


_verrou_profil = threading.Lock()


def _profil() -> Path:
    """A LibreOffice profile per process, reused (creating one costs seconds), never shared."""
    return Path(tempfile.gettempdir()) / f"delegations-libreoffice-{os.getuid()}-{os.getpid()}"


def convertir_en_pdf(documents: list[bytes], delai: float = DELAI_CONVERSION) -> list[bytes]:
    """Convert DOCX documents to PDF with one LibreOffice process (it starts slowly)."""
    exe = soffice()
    if exe is None:
        raise RuntimeError("LibreOffice absent")
    with tempfile.TemporaryDirectory(prefix="redaction-pdf-") as dossier, _verrou_profil:
        racine = Path(dossier)
        entrees = []
        for i, contenu in enumerate(documents):
            chemin = racine / f"document-{i:04d}.docx"
            chemin.write_bytes(contenu)
            entrees.append(chemin)
        commande = [
            exe,
            f"-env:UserInstallation={_profil().as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf:writer_pdf_Export",
            "--outdir",
            str(racine / "pdf"),
            *map(str, entrees),
        ]
        # Its own process group: on time-out the wrapper script and soffice.bin both stop.
        processus = subprocess.Popen(  # noqa: S603 - fixed argument list
            commande,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": dossier},
        )
        try:
            _, erreurs = processus.communicate(timeout=delai)
        except subprocess.TimeoutExpired:
            os.killpg(processus.pid, signal.SIGKILL)
            processus.communicate()
            raise
        sorties = []
        for chemin in entrees:
            pdf = racine / "pdf" / (chemin.stem + ".pdf")
            if not pdf.exists():
                raise RuntimeError(
                    f"Conversion LibreOffice échouée : {erreurs.decode(errors='replace')[:300]}"
                )
            sorties.append(pdf.read_bytes())
    return sorties


def docx_en_html(contenu: bytes) -> str:
    """The rendered Word document as plain HTML: paragraphs, bold runs, tables, page breaks."""
    import html

    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(contenu))
    blocs: list[str] = []
    for bloc in document.iter_inner_content():
        if isinstance(bloc, Table):
            lignes = []
            for i, rang in enumerate(bloc.rows):
                balise = "th" if i == 0 else "td"
                cellules = "".join(
                    f"<{balise}>{html.escape(c.text)}</{balise}>" for c in rang.cells
                )
                lignes.append(f"<tr>{cellules}</tr>")
            blocs.append(f"<table>{''.join(lignes)}</table>")
            continue
        if 'w:br w:type="page"' in bloc._p.xml:
            blocs.append('<div class="saut"></div>')
        if not bloc.text.strip():
            continue
        texte = "".join(
            f"<strong>{html.escape(r.text)}</strong>" if r.bold else html.escape(r.text)
            for r in bloc.runs
        )
        centre = (
            ' class="centre"' if bloc.alignment is not None and int(bloc.alignment) == 1 else ""
        )
        blocs.append(f"<p{centre}>{texte}</p>")
    return render_to_string("redaction/document_pdf.html", {"corps": "\n".join(blocs)})


def pdf_weasyprint(docx: bytes) -> bytes:
    """The same content as the Word document, typeset by WeasyPrint (no LibreOffice on the host)."""
    from django.conf import settings
    from weasyprint import HTML

    return HTML(string=docx_en_html(docx), base_url=str(settings.BASE_DIR)).write_pdf()


# --- documents of the register -----------------------------------------------------------------
@dataclass
class Produit:
    contenu: bytes
    format: str
    nom_fichier: str
    version: VersionModele
    moteur: str = ""


def _cible(convention: Convention, avenant: Avenant | None) -> tuple[str, dict[str, Any], str]:
    ref = convention.reference or str(convention.pk)
    if avenant is None:
        return TypeDocument.CONVENTION, contexte_convention(convention), f"convention-{ref}"
    return (
        TypeDocument.AVENANT,
        contexte_avenant(avenant),
        f"convention-{ref}-avenant-{avenant.numero}",
    )


def _nom_sur(nom: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in nom)[:120]


def produire(
    convention: Convention,
    avenant: Avenant | None = None,
    format: str = "docx",
    *,
    user: User | None = None,
) -> Produit:
    """One document (DOCX or PDF) of a convention or an amendment, recorded with its model."""
    return produire_lot([(convention, avenant)], format, user=user)[0]


def produire_lot(
    cibles: list[tuple[Convention, Avenant | None]], format: str, *, user: User | None = None
) -> list[Produit]:
    """Several documents at once: the PDF conversion runs in one LibreOffice batch."""
    if format not in FORMATS:
        raise RegleMetierError("format_inconnu", f"Format inconnu : « {format} » (docx ou pdf).")
    produits: list[Produit] = []
    for convention, avenant in cibles:
        type_document, contexte, nom = _cible(convention, avenant)
        version = version_active(type_document)
        titre = f"{'Avenant' if avenant else 'Convention'} {convention.reference or convention.pk}"
        docx = rendre_docx(contenu_modele(version), contexte, titre)
        produits.append(Produit(docx, "docx", f"{_nom_sur(nom)}.docx", version))
    if format == "pdf":
        try:
            delai = DELAI_CONVERSION_UNITAIRE if len(produits) == 1 else DELAI_CONVERSION
            pdfs = convertir_en_pdf([p.contenu for p in produits], delai)
            moteur = "libreoffice"
        except (RuntimeError, OSError, subprocess.TimeoutExpired):
            pdfs = [pdf_weasyprint(p.contenu) for p in produits]
            moteur = "weasyprint"
        for produit, pdf in zip(produits, pdfs, strict=True):
            produit.contenu, produit.format, produit.moteur = pdf, "pdf", moteur
            produit.nom_fichier = produit.nom_fichier[:-5] + ".pdf"
    DocumentGenere.objects.bulk_create(
        [
            DocumentGenere(
                convention=convention,
                avenant=avenant,
                version=produit.version,
                format=produit.format,
                moteur=produit.moteur,
                sha256=_sha256(produit.contenu),
                taille=len(produit.contenu),
                cree_par=user if getattr(user, "is_authenticated", False) else None,
            )
            for (convention, avenant), produit in zip(cibles, produits, strict=True)
        ]
    )
    return produits


def contexte_exemple(type_document: str) -> dict[str, Any]:
    """A complete context without the database: used to check an uploaded model renders."""
    from .contexte import Changement, Partie

    delegant = Partie(
        "Direction de l'exemple", "DEX", "1 rue de l'Exemple, 75001 Paris", "Anne Exemple",
        "Directrice", "délégant",
    )  # fmt: skip
    delegataire = Partie(
        "Direction interministérielle du numérique", "DINUM", "", "Paul Modèle",
        "Directeur", "délégataire",
    )  # fmt: skip
    lignes = [{"annee": 2030, "ae": "100 000,00 €", "cp": "80 000,00 €"}]
    commun: dict[str, Any] = {
        "reference": "EXEMPLE-1",
        "delegant": delegant,
        "delegataire": delegataire,
        "objet": "Construction d'un service d'exemple.",
        "echeancier": lignes,
        "lieu": "Paris",
        "date_signature": "",
        "date_fin": "31 décembre 2031",
    }
    if type_document == TypeDocument.AVENANT:
        return {
            **commun,
            "type": "avenant",
            "numero": 1,
            "article": {"montants": 2, "duree": 3, "effet": 4},
            "citation_convention": "la convention de délégation de gestion n° EXEMPLE-1",
            "citations_avenants": [],
            "changements": [
                Changement(2030, "90 000,00 €", "100 000,00 €", "70 000,00 €", "80 000,00 €")
            ],
            "ancienne_fin": "31 décembre 2030",
            "ancienne_fin_par": "",
        }
    return {
        **commun,
        "type": "convention",
        "services": "le service numérique « Exemple »",
        "phases": "la phase de construction",
        "precedents": [],
        "unite_operationnelle": "0101-EXEM-C001",
        "programme": "101",
        "imputation": [{"libelle": "Centre financier", "code": "0101-EXEM-C001"}],
        "total_ae": "100 000,00 €",
        "total_cp": "80 000,00 €",
        "prise_effet": "signature",
        "prise_effet_date": "",
        "duree_mois": "",
        "preavis_mois": 3,
        "compte_rendu_mensuel": True,
        "compte_rendu_terme": True,
        "comites_produits": True,
        "comite_mission": False,
        "annexe_rgpd": True,
        "date_publication": "",
    }
