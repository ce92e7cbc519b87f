"""Drafting from the register: API (three personas), command, amendments, model versions."""

from __future__ import annotations

import html
import io
from typing import Any

import docx
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from delegations.core.tests.factories import UserFactory
from delegations.redaction.documents import contenu_livre, rendre_docx
from delegations.redaction.models import DocumentGenere, VersionModele

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _texte(contenu: bytes) -> str:
    document = docx.Document(io.BytesIO(contenu))
    lignes = [p.text for p in document.paragraphs]
    for table in document.tables:
        lignes += ["\t".join(c.text for c in row.cells) for row in table.rows]
    return "\n".join(lignes)


def test_convention_document_is_a_word_file_recording_its_model_version(
    api: Any, finance: Any, convention_complete: Any
) -> None:
    reponse = api(finance).get(f"/api/v1/conventions/{convention_complete.pk}/document.docx")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == DOCX
    assert reponse["Content-Disposition"].startswith('attachment; filename="convention-TEST-')
    texte = _texte(reponse.content)
    assert "CONVENTION DE DÉLÉGATION DE GESTION" in texte
    assert "{{" not in texte and "{%" not in texte
    assert "0103-TEST-C001" in texte
    assert "préavis de 3 mois" in texte
    genere = DocumentGenere.objects.get(convention=convention_complete)
    assert genere.format == "docx"
    assert genere.version.type == "convention"
    assert genere.version.version == 1
    assert genere.cree_par == finance


@pytest.mark.parametrize("chemin", ["document.docx", "avenants/1/document.docx"])
def test_documents_follow_the_convention_perimeter(
    api: Any, agent: Any, collegue: Any, convention_complete: Any, chemin: str
) -> None:
    url = f"/api/v1/conventions/{convention_complete.pk}/{chemin}"
    assert api(agent).get(url).status_code == 200
    assert api(collegue).get(url).status_code == 404
    outsider = UserFactory(role="intrapreneur")
    assert api(outsider).get(url).status_code == 404
    assert api(None).get(url).status_code in (401, 403)


def test_unknown_amendment_answers_404(api: Any, finance: Any, convention_complete: Any) -> None:
    url = f"/api/v1/conventions/{convention_complete.pk}/avenants/9/document.docx"
    assert api(finance).get(url).status_code == 404


def test_amendment_states_only_its_changes_and_cites_the_earlier_texts(
    api: Any, finance: Any, convention_complete: Any
) -> None:
    url = f"/api/v1/conventions/{convention_complete.pk}/avenants/2/document.docx"
    texte = _texte(api(finance).get(url).content)
    assert "AVENANT N° 2" in texte
    assert "Vu la convention de délégation de gestion n° TEST-" in texte
    assert "du 15 janvier 2024" in texte
    assert "Vu l'avenant n° 1 du 3 mars 2025 ;" in texte
    assert "initialement fixée au 31 décembre 2026, est portée au 31 décembre 2027" in texte
    assert "Pour l'année 2027, qui ne figurait pas à l'échéancier" in texte
    # Nothing the amendment does not change.
    assert "2024" not in texte.split("Il est convenu")[1].split("Fait à")[0]
    assert "Obligations du délégant" not in texte
    assert "préavis" not in texte


def test_amendment_gives_the_former_and_new_amounts(
    api: Any, finance: Any, convention_complete: Any
) -> None:
    url = f"/api/v1/conventions/{convention_complete.pk}/avenants/1/document.docx"
    texte = _texte(api(finance).get(url).content)
    assert (
        "Pour l'année 2025, le montant des autorisations d'engagement est porté de "
        "200\u202f000,00\u00a0€ à 250\u202f000,00\u00a0€" in texte
    )
    assert (
        "crédits de paiement est porté de 150\u202f000,00\u00a0€ à 180\u202f000,00\u00a0€" in texte
    )
    assert "Article 3 – Prise d'effet" in texte


def test_pdf_from_libreoffice_or_weasyprint(
    api: Any, finance: Any, convention_complete: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr("delegations.redaction.documents.soffice", lambda: None)
    reponse = api(finance).get(f"/api/v1/conventions/{convention_complete.pk}/document.pdf")
    assert reponse.status_code == 200
    assert reponse["Content-Type"] == "application/pdf"
    assert reponse.content.startswith(b"%PDF-")
    assert DocumentGenere.objects.get().moteur == "weasyprint"


def test_command_writes_the_document(convention_complete: Any, tmp_path: Any) -> None:
    sortie = tmp_path / "avenant.docx"
    call_command(
        "rediger", str(convention_complete.pk), "--avenant", "1", "--output", str(sortie),
        stdout=io.StringIO(),
    )  # fmt: skip
    assert "AVENANT N° 1" in _texte(sortie.read_bytes())


def test_command_refuses_an_unknown_amendment(convention_complete: Any, tmp_path: Any) -> None:
    with pytest.raises(CommandError, match="pas d'avenant n° 7"):
        call_command(
            "rediger", str(convention_complete.pk), "--avenant", "7",
            "--output", str(tmp_path / "x.docx"),
        )  # fmt: skip


def _modele_modifie(remplacer: str, par: str) -> bytes:
    document = docx.Document(io.BytesIO(contenu_livre("convention")))
    for paragraphe in document.paragraphs:
        if remplacer in paragraphe.text:
            for run in paragraphe.runs:
                run.text = run.text.replace(remplacer, par)
    sortie = io.BytesIO()
    document.save(sortie)
    return sortie.getvalue()


def test_finance_uploads_a_new_model_version_used_by_the_next_documents(
    client: Any, api: Any, finance: Any, convention_complete: Any
) -> None:
    client.force_login(finance)
    contenu = _modele_modifie(
        "Il est convenu ce qui suit", "Les parties conviennent de ce qui suit"
    )
    reponse = client.post(
        reverse("redaction:modeles"),
        {
            "type": "convention",
            "commentaire": "Formule d'introduction",
            "fichier": SimpleUploadedFile("mon modèle.docx", contenu, "text/plain"),
        },
    )
    assert reponse.status_code == 302
    version = VersionModele.objects.get(type="convention", version=2)
    assert version.fichier.name.startswith("redaction/modeles/convention-v2-")
    assert version.depose_par == finance
    document = api(finance).get(f"/api/v1/conventions/{convention_complete.pk}/document.docx")
    assert "Les parties conviennent de ce qui suit" in _texte(document.content)
    assert DocumentGenere.objects.get().version == version


@pytest.mark.parametrize(
    ("contenu", "message"),
    [
        (b"%PDF-1.7 pas un document Word", "n'est pas un document Word"),
        (None, "Une balise du modèle est invalide"),
    ],
)
def test_an_invalid_model_is_refused_with_a_clear_message(
    client: Any, finance: Any, contenu: bytes | None, message: str
) -> None:
    if contenu is None:
        contenu = _modele_modifie("{{ objet }}", "{{ objet|filtre_inconnu }}")
    client.force_login(finance)
    reponse = client.post(
        reverse("redaction:modeles"),
        {"type": "convention", "fichier": SimpleUploadedFile("m.docx", contenu)},
    )
    assert reponse.status_code == 200
    assert message in html.unescape(reponse.content.decode())
    assert not VersionModele.objects.filter(version=2).exists()


def test_a_model_without_the_register_data_is_refused(client: Any, finance: Any) -> None:
    contenu = _modele_modifie("{{ delegant.paragraphe }}", "Une administration")
    client.force_login(finance)
    reponse = client.post(
        reverse("redaction:modeles"),
        {"type": "convention", "fichier": SimpleUploadedFile("m.docx", contenu)},
    )
    assert "ne reprend pas les données du registre" in html.unescape(reponse.content.decode())


def test_only_finance_manages_the_models(client: Any, agent: Any) -> None:
    client.force_login(agent)
    assert client.get(reverse("redaction:modeles")).status_code == 403


def test_shipped_models_render_without_leftover_tags() -> None:
    from delegations.redaction.documents import contexte_exemple

    for type_document in ("convention", "avenant"):
        texte = _texte(rendre_docx(contenu_livre(type_document), contexte_exemple(type_document)))
        assert "{" not in texte, type_document


def test_models_page_lists_the_shipped_versions_and_serves_them(client: Any, finance: Any) -> None:
    client.force_login(finance)
    page = html.unescape(client.get(reverse("redaction:modeles")).content.decode())
    assert page.count("v1 (livrée)") == 2
    version = VersionModele.objects.get(type="avenant")
    reponse = client.get(reverse("redaction:modele_telecharger", args=[version.pk]))
    assert reponse["Content-Type"] == DOCX
    assert reponse.content == contenu_livre("avenant")
