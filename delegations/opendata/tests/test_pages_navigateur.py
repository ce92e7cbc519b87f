"""The pages as the personas live them, in Debian's Chromium: axe-core finds no violation on the
pages of every persona, a French amount typed in the order form is recorded as typed, the error
summary takes the focus, and the lists keep their key columns at 375 px.

axe-core is the npm package, installed at test time in a cache folder (never committed); the
test is skipped when neither Chromium nor npm is there.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_VERSION = "4.10.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "delegations-axe"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _axe() -> Path:
    script = CACHE / AXE_VERSION / "node_modules" / "axe-core" / "axe.min.js"
    if script.exists():
        return script
    if not shutil.which("npm"):
        pytest.skip("npm absent : impossible d'installer axe-core.")
    dossier = CACHE / AXE_VERSION
    dossier.mkdir(parents=True, exist_ok=True)
    resultat = subprocess.run(  # noqa: S603 - fixed arguments
        [
            "npm",
            "install",
            "--silent",
            "--no-audit",
            "--no-fund",
            "--prefix",
            str(dossier),
            f"axe-core@{AXE_VERSION}",
        ],  # fmt: skip
        capture_output=True,
        timeout=180,
        check=False,
    )
    if resultat.returncode != 0 or not script.exists():
        pytest.skip(f"axe-core n'a pas pu être installé : {resultat.stderr.decode()[-300:]}")
    return script


def _pages() -> dict[str | None, list[str]]:
    """Pages per persona (None: anonymous), found in the demo data before the browser starts."""
    from delegations.comites.models import Comite
    from delegations.conventions.models import Convention
    from delegations.execution.models import Engagement
    from delegations.produits.models import Produit

    convention = Convention.objects.get(reference="DEMO-2024-05")
    publiee = Convention.objects.filter(statut="publiee").order_by("pk").first()
    produit = Produit.objects.order_by("pk").first()
    comite = Comite.objects.order_by("pk").first()
    commande = Engagement.objects.filter(convention=convention).order_by("pk").first()
    detail = reverse("conventions:detail", args=[convention.pk])
    pages: dict[str | None, list[str]] = {
        None: [
            reverse("core:login"),
            reverse("opendata:conventions"),
            reverse("opendata:stats"),
            reverse("core:accessibilite"),
            reverse("core:mentions_legales"),
        ],
        "finance": [
            reverse("conventions:liste"),
            detail,
            reverse("conventions:administrations"),
            reverse("execution:liste"),
            reverse("execution:engagement_creer", args=[convention.pk]),
            reverse("execution:referentiel"),
            reverse("produits:liste"),
            reverse("comites:liste"),
            reverse("comites:obligations"),
            reverse("chorus:liste"),
            reverse("taches:liste"),
            reverse("lecture:importer"),
            reverse("redaction:contacts"),
            reverse("rapports:rapport", args=[convention.pk]),
        ],
        "delegant": [reverse("conventions:liste"), detail, reverse("execution:liste")],
        "intrapreneur": [reverse("conventions:liste"), reverse("produits:liste")],
    }
    if publiee:
        pages[None].append(reverse("opendata:convention", args=[publiee.pk]))
    if produit:
        pages["finance"].append(reverse("produits:detail", args=[produit.pk]))
    if comite:
        pages["finance"].append(reverse("comites:detail", args=[comite.pk]))
    if commande:
        pages["finance"].append(reverse("execution:engagement", args=[commande.pk]))
    return pages


def _commande_possible() -> tuple[str, str]:
    """A convention and a date of this year where an order of 1 000,50 € fits the credits."""
    from django.utils import timezone

    from delegations.conventions.models import Convention
    from delegations.execution.situation import situation_annees

    aujourd_hui = timezone.localdate()
    for convention in Convention.objects.filter(statut="publiee").order_by("pk"):
        ligne = next(
            (a for a in situation_annees(convention) if a["annee"] == aujourd_hui.year), None
        )
        fin = convention.date_fin_consolidee
        if ligne and ligne["ae_restant"] >= 2000 and (fin is None or fin >= aujourd_hui):
            return reverse("execution:engagement_creer", args=[convention.pk]), str(aujourd_hui)
    pytest.skip(
        "Aucune convention de la démonstration n'a 1 000,50 € d'AE disponibles cette année."
    )


@pytest.fixture
def navigateur(live_server: Any) -> Iterator[tuple[Any, dict[str, Any]]]:
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé")
    axe = _axe()
    # Before Playwright starts: its event loop forbids ORM calls in this thread.
    with open(os.devnull, "w") as sortie:
        call_command("demo", stdout=sortie)
    donnees = {"pages": _pages(), "commande": _commande_possible(), "axe": axe}
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
        )
        try:
            yield browser, donnees
        finally:
            browser.close()


def _session(browser: Any, base_url: str, persona: str | None, **options: Any) -> Any:
    page = browser.new_context(**options).new_page()
    if persona:
        page.goto(f"{base_url}/connexion/")
        page.get_by_label("Adresse électronique ou identifiant").fill(persona)
        page.get_by_label("Mot de passe").fill("demo")
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url("**/conventions/")
    return page


def _violations(page: Any, axe: Path) -> list[str]:
    # Run by the browser's debugging protocol, outside the page's Content-Security-Policy (which
    # rightly refuses any inline script the page itself did not declare).
    page.evaluate(axe.read_text(encoding="utf-8"))
    return list(
        page.evaluate(
            """async () => {
                const r = await axe.run(document, {runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]});
                return r.violations.map(v => {
                    const n = document.querySelector(v.nodes[0].target[0]);
                    const legende = n && n.querySelector("caption") ? ` « ${n.querySelector("caption").textContent.trim()} »` : "";
                    return `${v.id} (${v.nodes.length}) : ${v.nodes[0].target}${legende}`;
                });
            }"""
        )
    )


def test_pages_of_every_persona_have_no_axe_violation(
    live_server: Any, navigateur: tuple[Any, dict[str, Any]]
) -> None:
    browser, donnees = navigateur
    vues = 0
    trouvees: dict[str, list[str]] = {}
    for persona, chemins in donnees["pages"].items():
        page = _session(browser, live_server.url, persona)
        for chemin in chemins:
            reponse = page.goto(f"{live_server.url}{chemin}")
            assert reponse is not None and reponse.status == 200, chemin
            vues += 1
            if violations := _violations(page, donnees["axe"]):
                trouvees[f"{persona or 'anonyme'} {chemin}"] = violations
        page.context.close()
    assert vues >= 20
    assert trouvees == {}


def test_french_amount_is_recorded_as_typed_after_confirmation(
    live_server: Any, navigateur: tuple[Any, dict[str, Any]]
) -> None:
    browser, donnees = navigateur
    chemin, date = donnees["commande"]
    page = _session(browser, live_server.url, "finance")
    page.goto(f"{live_server.url}{chemin}")
    reference = f"EJ-NAV-{dt.datetime.now():%H%M%S}"
    page.get_by_label("N° de bon de commande / EJ").fill(reference)
    page.get_by_label("Date", exact=True).fill(date)
    page.get_by_label("Objet").fill("Sprint de test")
    champ = page.get_by_label("Montant (€)")
    assert champ.get_attribute("inputmode") == "decimal"
    champ.fill("1 000,50")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    confirmation = page.locator("[data-a-confirmer]")
    assert "mille euros et cinquante centimes" in confirmation.inner_text()
    assert page.evaluate("document.activeElement.id") == "confirmation-mouvement"
    page.get_by_role("button", name="Confirmer et enregistrer").click()
    page.wait_for_load_state()
    assert "Bon de commande enregistré" in page.locator("main").inner_text()
    page.goto(f"{live_server.url}{reverse('execution:liste')}?recherche={reference}")
    texte = page.locator("main").inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    assert reference in texte and "1 000,50 €" in texte


def test_error_summary_takes_the_focus_and_links_to_the_field(
    live_server: Any, navigateur: tuple[Any, dict[str, Any]]
) -> None:
    browser, donnees = navigateur
    chemin, _date = donnees["commande"]
    page = _session(browser, live_server.url, "finance")
    page.goto(f"{live_server.url}{chemin}")
    page.get_by_label("Montant (€)").fill("1_000")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.hasAttribute('data-resume-erreurs')")
    page.locator("[data-resume-erreurs] a[href='#id_montant']").click()
    assert page.evaluate("document.activeElement.id") == "id_montant"


@pytest.mark.parametrize("liste", ["conventions:liste", "execution:liste"])
def test_lists_keep_their_key_columns_at_375_px(
    live_server: Any, navigateur: tuple[Any, dict[str, Any]], liste: str
) -> None:
    browser, _donnees = navigateur
    page = _session(browser, live_server.url, "finance", viewport={"width": 375, "height": 800})
    page.goto(f"{live_server.url}{reverse(liste)}")
    tableau = page.locator(".fr-table table").first
    largeur = tableau.evaluate("t => t.getBoundingClientRect().right")
    assert largeur <= 375
    premiere = page.locator(".fr-table tbody tr").first
    assert premiere.locator("td").first.is_visible()
    assert premiere.locator("td").last.is_visible()  # status or amount, the last column
