"""Signed copies read back: compared field by field with the register; PAdES checked (pyHanko)."""

from __future__ import annotations

import datetime as dt
import html
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from delegations.conventions.ecriture import ecriture_echeancier
from delegations.conventions.models import Statut
from delegations.core.models import historique
from delegations.core.tests.factories import ConventionFactory, UserFactory
from delegations.redaction.documents import produire
from delegations.redaction.models import CopieSignee

pytestmark = pytest.mark.django_db


def _deposer(client: Any, convention: Any, contenu: bytes, document: str = "convention") -> Any:
    return client.post(
        reverse("redaction:copie_deposer", args=[convention.pk]),
        {
            "document": document,
            "fichier": SimpleUploadedFile("../../etc/copie signée.pdf", contenu, "text/html"),
        },
    )


def _page(client: Any, copie: CopieSignee) -> str:
    return html.unescape(client.get(reverse("redaction:copie", args=[copie.pk])).content.decode())


def test_a_signed_copy_identical_to_the_register_is_conforme(
    client: Any, finance: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    pdf = produire(convention_complete, None, "pdf").contenu
    reponse = _deposer(client, convention_complete, pdf)
    copie = CopieSignee.objects.get()
    assert reponse.status_code == 302
    assert copie.conforme is True
    assert copie.ecarts == []
    assert len(copie.champs) > 25
    assert copie.date_signature == dt.date(2024, 1, 15)
    assert copie.source_date == "texte du document"
    # Stored under its hash, as a PDF, whatever the client named or typed it.
    assert copie.fichier.name == f"redaction/copies-signees/{copie.sha256[:2]}/{copie.sha256}.pdf"
    page = _page(client, copie)
    assert "Conforme" in page
    assert "15 janvier 2024" in page
    assert historique(convention_complete).filter(action="copie_signee").exists()


def test_a_signed_amendment_is_compared_with_the_amendment(
    client: Any, finance: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    avenant = convention_complete.avenants_ordonnes()[1]
    pdf = produire(convention_complete, avenant, "pdf").contenu
    _deposer(client, convention_complete, pdf, document="2")
    copie = CopieSignee.objects.get()
    assert copie.avenant == avenant
    assert copie.ecarts == []
    assert copie.date_signature == dt.date(2026, 5, 4)


def test_a_signed_copy_that_differs_from_the_register_lists_the_differences(
    client: Any, finance: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    pdf = produire(convention_complete, None, "pdf").contenu
    # The register moved on after the text left for signature.
    convention_complete.delegant_representant_nom = "Marie Autre"
    convention_complete.save()
    with ecriture_echeancier():  # the register's setting opens the schedule's guard
        convention_complete.echeancier.filter(annee=2025).update(ae="210000.00")
    _deposer(client, convention_complete, pdf)
    copie = CopieSignee.objects.get()
    assert copie.conforme is False
    assert {e["cle"] for e in copie.ecarts} == {
        "delegant.representant.nom",
        "echeancier.2025",
        "montant_total_ae",
    }
    page = _page(client, copie)
    assert "Différences avec le registre" in page
    assert "registre « Marie Autre », copie signée « Claire Exemple »" in page


def test_a_file_that_is_not_a_pdf_is_refused_and_nothing_is_kept(
    client: Any, finance: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    reponse = _deposer(client, convention_complete, b"PK\x03\x04 un document Word renomme")
    assert reponse.status_code == 200
    assert "n'est pas un PDF" in html.unescape(reponse.content.decode())
    assert not CopieSignee.objects.exists()


def test_signed_copies_follow_the_perimeter(
    client: Any, finance: Any, agent: Any, collegue: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    _deposer(client, convention_complete, produire(convention_complete, None, "pdf").contenu)
    copie = CopieSignee.objects.get()
    depot = reverse("redaction:copie_deposer", args=[convention_complete.pk])
    for url in (
        reverse("redaction:copie", args=[copie.pk]),
        reverse("redaction:copie_fichier", args=[copie.pk]),
    ):
        client.force_login(agent)
        assert client.get(url).status_code == 200
        client.force_login(collegue)
        assert client.get(url).status_code == 404
        client.force_login(UserFactory(role="intrapreneur"))
        assert client.get(url).status_code == 404
    client.force_login(agent)
    assert client.get(depot).status_code == 403
    client.force_login(collegue)
    assert client.get(depot).status_code == 404


# --- electronic signatures (PAdES) ---------------------------------------------------------------
def _signataire(dossier: Path) -> Any:
    """A self-signed certificate made by the test, and a pyHanko signer holding its key."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    from pyhanko.sign import signers

    cle = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    nom = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, "Claire Exemple"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Direction fictive"),
        ]
    )
    maintenant = dt.datetime.now(dt.UTC)
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    certificat = (
        x509.CertificateBuilder()
        .subject_name(nom)
        .issuer_name(nom)
        .public_key(cle.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(maintenant - dt.timedelta(days=1))
        .not_valid_after(maintenant + dt.timedelta(days=30))
        .add_extension(usage, critical=True)
        .sign(cle, hashes.SHA256())
    )
    (dossier / "cle.pem").write_bytes(
        cle.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    (dossier / "certificat.pem").write_bytes(certificat.public_bytes(serialization.Encoding.PEM))
    return signers.SimpleSigner.load(str(dossier / "cle.pem"), str(dossier / "certificat.pem"))


def _signer(pdf: bytes, dossier: Path) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    ecrivain = IncrementalPdfFileWriter(io.BytesIO(pdf))
    meta = signers.PdfSignatureMetadata(field_name="Signature1")
    return signers.sign_pdf(ecrivain, meta, signer=_signataire(dossier)).getvalue()  # type: ignore[union-attr]


@pytest.fixture
def signe(administration: Any, dinum: Any, tmp_path: Path) -> tuple[Any, bytes]:
    """A draft convention's generated PDF, signed electronically by the test's certificate."""
    convention = ConventionFactory(
        delegant=administration, delegataire=dinum, statut=Statut.BROUILLON, date_signature=None
    )
    return convention, _signer(produire(convention, None, "pdf").contenu, tmp_path)


def test_a_valid_electronic_signature_gives_signer_time_and_integrity(
    client: Any, finance: Any, signe: tuple[Any, bytes]
) -> None:
    convention, pdf = signe
    client.force_login(finance)
    _deposer(client, convention, pdf)
    copie = CopieSignee.objects.get()
    [signature] = copie.signatures
    assert signature["signataire"] == "Claire Exemple (Direction fictive)"
    assert signature["valide"] is True
    assert signature["modifie_depuis"] is False
    assert signature["confiance_verifiee"] is False
    assert copie.date_signature == timezone.localdate()
    assert copie.source_date == "signature électronique"
    assert copie.conforme is True
    page = _page(client, copie)
    assert "Signature valide" in page
    assert "Claire Exemple (Direction fictive)" in page


def test_a_copy_altered_inside_the_signed_bytes_is_invalid(
    client: Any, finance: Any, signe: tuple[Any, bytes]
) -> None:
    convention, pdf = signe
    position = pdf.find(b"LibreOffice")
    if position < 0:
        position = pdf.find(b"WeasyPrint")
    assert position > 0
    altere = pdf[:position] + b"X" + pdf[position + 1 :]
    client.force_login(finance)
    _deposer(client, convention, altere)
    copie = CopieSignee.objects.get()
    [signature] = copie.signatures
    assert signature["valide"] is False
    assert signature["modifie_depuis"] is True
    assert copie.conforme is False
    assert "Signature invalide" in _page(client, copie)


def test_a_copy_changed_after_signature_is_reported_as_modified(
    client: Any, finance: Any, signe: tuple[Any, bytes]
) -> None:
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    convention, pdf = signe
    ecrivain = IncrementalPdfFileWriter(io.BytesIO(pdf))
    ecrivain.root["/Lang"] = generic.pdf_string("en-GB")
    ecrivain.update_root()
    sortie = io.BytesIO()
    ecrivain.write(sortie)
    client.force_login(finance)
    _deposer(client, convention, sortie.getvalue())
    copie = CopieSignee.objects.get()
    [signature] = copie.signatures
    assert signature["valide"] is True  # the signed bytes are intact...
    assert signature["modifie_depuis"] is True  # ...but a revision was added after signing
    assert copie.conforme is False
    assert "modifié après la signature" in _page(client, copie)


def test_a_conforme_copy_of_a_draft_records_the_signature_in_the_register(
    client: Any, finance: Any, agent: Any, signe: tuple[Any, bytes]
) -> None:
    convention, pdf = signe
    client.force_login(finance)
    _deposer(client, convention, pdf)
    copie = CopieSignee.objects.get()
    url = reverse("redaction:copie_signature", args=[copie.pk])
    assert "Enregistrer la signature du" in _page(client, copie)
    client.force_login(agent)
    assert client.post(url).status_code == 403
    client.force_login(finance)
    client.post(url)
    convention.refresh_from_db()
    assert convention.statut == Statut.SIGNEE
    assert convention.date_signature == timezone.localdate()
    client.post(url)  # twice: refused with a message, nothing changes
    assert historique(convention).filter(action="signer").count() == 1


def test_a_conforme_copy_of_a_draft_avenant_signs_the_avenant_with_the_copy_s_date(
    client: Any, finance: Any, agent: Any, convention_complete: Any, tmp_path: Path
) -> None:
    from delegations.conventions.ecriture import creer_avenant
    from delegations.conventions.models import StatutAvenant

    avenant = creer_avenant(
        convention_complete,
        finance,
        objet="Prolongation de six mois",
        date_signature=None,
        date_fin=dt.date(2028, 6, 30),
        lignes=[],
    )
    assert avenant.statut == StatutAvenant.BROUILLON
    pdf = _signer(produire(convention_complete, avenant, "pdf").contenu, tmp_path)
    client.force_login(finance)
    _deposer(client, convention_complete, pdf, document=str(avenant.numero))
    copie = CopieSignee.objects.get()
    assert copie.avenant == avenant
    assert copie.conforme is True
    assert "et signer l'avenant" in _page(client, copie)
    url = reverse("redaction:copie_signature", args=[copie.pk])
    client.force_login(agent)
    assert client.post(url).status_code == 403
    client.force_login(finance)
    signatures = historique(convention_complete).filter(action="avenant_signature")
    avant = signatures.count()
    client.post(url)
    avenant.refresh_from_db()
    assert avenant.statut == StatutAvenant.SIGNE
    assert avenant.date_signature == timezone.localdate()
    client.post(url)  # twice: refused with a message, nothing changes
    assert signatures.count() == avant + 1
