"""Download buttons say what they download: verb, content and format."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_convention_page_download_buttons_name_their_format(client, convention, finance):
    client.force_login(finance)
    html = "".join(
        client.get(f"/conventions/{convention.pk}/sections/{section}/").content.decode()
        for section in ("rapports", "redaction")
    )
    for libelle in (
        "Télécharger le PDF",
        "Télécharger le classeur XLSX (Excel)",
        "Télécharger le classeur ODS (LibreOffice)",
        "Télécharger la convention (PDF)",
        "Télécharger la convention (Word, DOCX)",
    ):
        assert libelle in html
    assert html.count("fr-btns-group--icon-left") >= 2


def test_report_page_download_buttons_name_their_format(client, convention, finance):
    client.force_login(finance)
    html = client.get(f"/rapports/conventions/{convention.pk}/").content.decode()
    assert "Télécharger le PDF" in html and "Télécharger le classeur XLSX" in html
