"""Public documents: PDFs only (proved by their content), served as attachments — the audit's
stored XSS (a text holding <script> confirmed as « avenant.html ») is never served."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from delegations.lecture.models import Document

from .factories import ConventionPublieeFactory

pytestmark = pytest.mark.django_db


def deposer(contenu: bytes, nom: str, numero: int) -> Document:
    doc = Document(
        convention=ConventionPublieeFactory(reference=f"PUB-X{numero}"),
        nom_original=nom,
        sha256=f"{numero:064d}",
        taille=len(contenu),
    )
    doc.fichier.save(f"{numero:064d}.txt", ContentFile(contenu), save=False)
    doc.save()
    return doc


def test_a_text_named_html_holding_a_script_is_never_served_publicly(client: Any) -> None:
    doc = deposer(b"<script>alert(document.cookie)</script>", "avenant.html", 1)
    reponse = client.get(f"/conventions-publiques/documents/{doc.pk}/")
    assert reponse.status_code == 404
    assert b"<script>alert" not in reponse.content


def test_a_svg_is_never_served_publicly(client: Any) -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    doc = deposer(svg, "plan.svg", 2)
    assert client.get(f"/conventions-publiques/documents/{doc.pk}/").status_code == 404


def test_a_public_pdf_is_an_attachment_typed_pdf_and_not_sniffed(client: Any) -> None:
    doc = deposer(b"%PDF-1.4\n%%EOF\n", "convention<signee>.html", 3)
    reponse = client.get(f"/conventions-publiques/documents/{doc.pk}/")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse["Content-Disposition"].startswith("attachment;")
    assert 'filename="convention_signee_.html.pdf"' in reponse["Content-Disposition"]
    assert reponse["X-Content-Type-Options"] == "nosniff"
