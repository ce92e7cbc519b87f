"""Critical path in Debian's Chromium: a délégant officer finds a convention and sees its schedule."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class PageConnexion:
    def __init__(self, page: Any, base_url: str) -> None:
        self.page, self.base_url = page, base_url

    def se_connecter(self, identifiant: str, mot_de_passe: str) -> PageListe:
        self.page.goto(f"{self.base_url}/connexion/")
        self.page.get_by_label("Adresse électronique ou identifiant").fill(identifiant)
        self.page.get_by_label("Mot de passe").fill(mot_de_passe)
        self.page.get_by_role("button", name="Se connecter").click()
        self.page.wait_for_url("**/conventions/")
        return PageListe(self.page)


class PageListe:
    def __init__(self, page: Any) -> None:
        self.page = page

    def rechercher(self, texte: str) -> None:
        self.page.get_by_role("searchbox").fill(texte)
        self.page.get_by_role("button", name="Rechercher").click()
        self.page.wait_for_load_state()

    def references(self) -> list[str]:
        return [
            t.strip() for t in self.page.locator("table tbody tr td:first-child").all_inner_texts()
        ]

    def ouvrir(self, reference: str) -> Any:
        self.page.get_by_role("link", name=reference).click()
        self.page.wait_for_load_state()
        return self.page


@pytest.fixture
def demo_chargee(live_server: Any) -> None:
    # Before Playwright starts: its event loop forbids ORM calls in this thread.
    with open(os.devnull, "w") as sortie:
        call_command("demo", stdout=sortie)


@pytest.fixture
def navigateur(demo_chargee: None) -> Iterator[Any]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield browser.new_page()
        finally:
            browser.close()


def test_delegant_searches_opens_a_convention_and_sees_its_schedule(
    live_server: Any, navigateur: Any
) -> None:
    liste = PageConnexion(navigateur, live_server.url).se_connecter("delegant", "demo")
    visibles = liste.references()
    assert "DEMO-2024-05" in visibles
    assert "DEMO-2025-06" not in visibles  # another administration's convention
    liste.rechercher("Éco-Guichet")
    assert liste.references() == ["DEMO-2024-05"]
    page = liste.ouvrir("DEMO-2024-05")
    page.screenshot(path=os.environ.get("SCREENSHOT", "/tmp/convention.png"), full_page=True)
    assert page.locator("h2#echeancier").inner_text() == "Échéancier"
    tableau = page.locator("table", has_text="Échéancier consolidé").inner_text()
    assert "2027" in tableau and "avenant n° 1" in tableau
    assert "300 000,00" in tableau.replace("\u202f", " ").replace("\xa0", " ")
