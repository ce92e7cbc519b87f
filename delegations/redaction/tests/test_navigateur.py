"""Critical path in Debian's Chromium: finance downloads the PDF of a draft written from the
register, uploads it back as the signed copy and sees « Conforme »."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from delegations.redaction.documents import soffice

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PageConvention:
    def __init__(self, page: Any, base_url: str) -> None:
        self.page, self.base_url = page, base_url

    def se_connecter(self, identifiant: str) -> None:
        self.page.goto(f"{self.base_url}/connexion/")
        self.page.get_by_label("Adresse électronique ou identifiant").fill(identifiant)
        self.page.get_by_label("Mot de passe").fill("demo")
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url("**/conventions/")

    def ouvrir(self, reference: str) -> None:
        self.page.get_by_role("link", name=reference).click()
        self.page.wait_for_load_state()
        # The section loads on demand: the side menu leads to it.
        self.page.locator(".fr-sidemenu").get_by_role("link", name="Rédaction et courriers").click()
        self.page.locator("#section-redaction:not([hx-get])").wait_for()

    def telecharger(self, bouton: str, dossier: Any) -> Any:
        with self.page.expect_download(timeout=120_000) as attente:
            self.page.get_by_role("link", name=bouton).click()
        chemin = dossier / attente.value.suggested_filename
        attente.value.save_as(chemin)
        return chemin

    def deposer_copie(self, chemin: Any) -> str:
        self.page.get_by_role("link", name="Déposer une copie signée").click()
        self.page.get_by_label("Copie signée (PDF)").set_input_files(str(chemin))
        self.page.get_by_role("button", name="Déposer et comparer").click()
        self.page.wait_for_load_state()
        return str(self.page.locator("main").inner_text())


@pytest.fixture
def navigateur(live_server: Any) -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    if soffice() is None:
        pytest.skip("LibreOffice absent : installez le paquet Debian « libreoffice-writer-nogui ».")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé")
    # Before Playwright starts: its event loop forbids ORM calls in this thread.
    with open(os.devnull, "w") as sortie:
        call_command("demo", stdout=sortie)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            yield browser.new_page(accept_downloads=True)
        finally:
            browser.close()


def test_finance_drafts_a_convention_and_checks_the_copy_that_comes_back(
    live_server: Any, navigateur: Any, tmp_path: Any
) -> None:
    page = PageConvention(navigateur, live_server.url)
    page.se_connecter("finance")
    page.ouvrir("DEMO-2027-10")
    chemin = page.telecharger("Télécharger la convention (PDF)", tmp_path)
    assert chemin.name == "convention-DEMO-2027-10.pdf"
    assert chemin.read_bytes().startswith(b"%PDF-")
    texte = page.deposer_copie(chemin)
    assert "Conforme" in texte
    assert "Différences avec le registre" not in texte
