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
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import TransactionTestCase, override_settings
from django.urls import reverse

from delegations.conventions.views import sections_convention

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
AXE_VERSION = "4.10.3"
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "delegations-axe"

# One live server, one demo load and one browser for the module (``navigateur``): the tests are
# transactional (the live server sees their data) but the database is emptied once, at the end
# of the module, not after each test; the demo is read by every test, the order test adds an order.
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
    from delegations.chorus.models import Ecart, Rapprochement
    from delegations.comites.models import Comite
    from delegations.conventions.models import Convention
    from delegations.conventions.views import sections_convention
    from delegations.execution import cloture
    from delegations.execution.models import Engagement
    from delegations.produits.models import Produit

    convention = Convention.objects.get(reference="DEMO-2024-05")
    # Its period is over with open orders: the end of the convention, closing, each order's fate.
    a_cloturer = Convention.objects.get(reference="DEMO-2023-04")
    ouverte = cloture.commandes_ouvertes(a_cloturer)[0].engagement
    publiee = Convention.objects.filter(statut="publiee").order_by("pk").first()
    produit = Produit.objects.order_by("pk").first()
    comite = Comite.objects.order_by("pk").first()
    commande = Engagement.objects.filter(convention=convention).order_by("pk").first()
    rapprochement = Rapprochement.objects.order_by("pk").first()
    ecart = Ecart.objects.filter(rapprochement=rapprochement).order_by("pk").first()
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
            reverse("conventions:detail", args=[a_cloturer.pk]),
            reverse("execution:cloturer", args=[a_cloturer.pk]),
            reverse("execution:suite_commande", args=[ouverte.pk, "solder"]),
            reverse("execution:suite_commande", args=[ouverte.pk, "maintenir"]),
            reverse("conventions:administrations"),
            reverse("execution:liste"),
            reverse("execution:engagement_creer", args=[convention.pk]),
            reverse("execution:referentiel"),
            reverse("produits:liste"),
            reverse("comites:liste"),
            reverse("comites:obligations"),
            reverse("chorus:liste"),
            reverse("chorus:nouveau"),
            reverse("taches:liste"),
            reverse("core:profil"),
            reverse("lecture:importer"),
            reverse("redaction:contacts"),
            reverse("rapports:rapport", args=[convention.pk]),
            # the sections of the convention page on their own pages (without JavaScript)
            *(
                reverse("conventions:section", args=[a_cloturer.pk, s.nom])
                for s in sections_convention()
            ),
        ],
        "delegant": [reverse("conventions:liste"), detail, reverse("execution:liste")],
        "intrapreneur": [reverse("conventions:liste"), reverse("produits:liste")],
    }
    if rapprochement:
        pages["finance"].append(reverse("chorus:detail", args=[rapprochement.pk]))
    if ecart:
        pages["finance"].append(reverse("chorus:expliquer", args=[ecart.pk]))
        pages["finance"].append(reverse("chorus:regulariser", args=[ecart.pk]))
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


@pytest.fixture(scope="module")
def _medias(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("medias")


@pytest.fixture(autouse=True)
def _media_temporaire(settings: Any, _medias: Path) -> None:
    """The project's per-test media folder, but one for the module: the demo's files, written
    once, stay where the pages read them."""
    settings.MEDIA_ROOT = _medias
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.WHITENOISE_USE_FINDERS = True


@dataclass
class Navigateur:
    browser: Any
    url: str
    donnees: dict[str, Any]
    etats: dict[str, Any] = field(default_factory=dict)

    def session(self, persona: str | None, **options: Any) -> Any:
        """A page logged in as the persona; the login form is filled once per persona and module,
        later pages reuse its cookies."""
        if persona and persona not in self.etats:
            contexte = self.browser.new_context()
            page = contexte.new_page()
            page.goto(f"{self.url}/connexion/")
            page.get_by_label("Adresse électronique ou identifiant").fill(persona)
            page.get_by_label("Mot de passe").fill("demo")
            page.get_by_role("button", name="Se connecter").click()
            page.wait_for_url("**/conventions/")
            self.etats[persona] = contexte.storage_state()
            contexte.close()
        etat = self.etats.get(persona) if persona else None
        return self.browser.new_context(storage_state=etat, **options).new_page()


@pytest.fixture(scope="module")
def navigateur(
    django_db_setup: None, django_db_blocker: Any, _medias: Path
) -> Iterator[Navigateur]:
    """The demo loaded once, a live server and a Chromium for the whole module; the database is
    emptied at the end as a transactional test would leave it."""
    if not shutil.which(CHROMIUM) and not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium absent ({CHROMIUM}) : installez le paquet Debian « chromium ».")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright n'est pas installé")
    from pytest_django.live_server_helper import LiveServer

    axe = _axe()
    # Playwright's event loop runs in this thread; pytest-django's set-up of each test (no query
    # during a page load) is allowed beside it. Its flush after each test waits for the module's end.
    with (
        mock.patch.dict(os.environ, {"DJANGO_ALLOW_ASYNC_UNSAFE": "true"}),
        mock.patch.object(TransactionTestCase, "_fixture_teardown", lambda self: None),
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=_medias),
    ):
        try:
            # Before Playwright starts: its event loop forbids ORM calls in this thread.
            with open(os.devnull, "w") as sortie:
                call_command("demo", stdout=sortie)
            donnees = {"pages": _pages(), "commande": _commande_possible(), "axe": axe}
            serveur = LiveServer("localhost")
            serveur._live_server_modified_settings.enable()
            try:
                with sync_api.sync_playwright() as p:
                    browser = p.chromium.launch(
                        executable_path=CHROMIUM,
                        headless=True,
                        args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"],
                    )
                    try:
                        yield Navigateur(browser, serveur.url, donnees)
                    finally:
                        browser.close()
            finally:
                serveur._live_server_modified_settings.disable()
                serveur.stop()
        finally:
            call_command("flush", interactive=False, verbosity=0)


A_CHARGER = "div.section-convention[hx-get]"


def _charger_sections(page: Any) -> int:
    """Brings each on-demand section of the convention page into view, waits for htmx to swap
    it in, and returns how many sections the page then holds loaded."""
    while restantes := page.locator(A_CHARGER).count():
        page.evaluate("s => document.querySelector(s)?.scrollIntoView()", A_CHARGER)
        page.wait_for_function(
            "([s, n]) => document.querySelectorAll(s).length < n", arg=[A_CHARGER, restantes]
        )
    return int(page.locator("div.section-convention:not([hx-get])").count())


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
    navigateur: Navigateur,
) -> None:
    donnees = navigateur.donnees
    vues = 0
    trouvees: dict[str, list[str]] = {}
    for persona, chemins in donnees["pages"].items():
        page = navigateur.session(persona)
        for chemin in chemins:
            reponse = page.goto(f"{navigateur.url}{chemin}")
            assert reponse is not None and reponse.status == 200, chemin
            vues += 1
            if page.locator(A_CHARGER).count():  # the convention page: its sections too
                assert _charger_sections(page) == len(sections_convention()), chemin
            if violations := _violations(page, donnees["axe"]):
                trouvees[f"{persona or 'anonyme'} {chemin}"] = violations
        page.context.close()
    assert vues >= 20
    assert trouvees == {}


def test_french_amount_is_recorded_as_typed_after_confirmation(
    navigateur: Navigateur,
) -> None:
    donnees = navigateur.donnees
    chemin, date = donnees["commande"]
    page = navigateur.session("finance")
    page.goto(f"{navigateur.url}{chemin}")
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
    page.goto(f"{navigateur.url}{reverse('execution:liste')}?recherche={reference}")
    texte = page.locator("main").inner_text().replace("\u202f", " ").replace("\u00a0", " ")
    assert reference in texte and "1 000,50 €" in texte


def test_error_summary_takes_the_focus_and_links_to_the_field(
    navigateur: Navigateur,
) -> None:
    donnees = navigateur.donnees
    chemin, _date = donnees["commande"]
    page = navigateur.session("finance")
    page.goto(f"{navigateur.url}{chemin}")
    page.get_by_label("Montant (€)").fill("1_000")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_load_state()
    assert page.evaluate("document.activeElement.hasAttribute('data-resume-erreurs')")
    page.locator("[data-resume-erreurs] a[href='#id_montant']").click()
    assert page.evaluate("document.activeElement.id") == "id_montant"


@pytest.mark.parametrize("liste", ["conventions:liste", "execution:liste"])
def test_lists_keep_their_key_columns_at_375_px(navigateur: Navigateur, liste: str) -> None:
    page = navigateur.session("finance", viewport={"width": 375, "height": 800})
    page.goto(f"{navigateur.url}{reverse(liste)}")
    tableau = page.locator(".fr-table table").first
    largeur = tableau.evaluate("t => t.getBoundingClientRect().right")
    assert largeur <= 375
    premiere = page.locator(".fr-table tbody tr").first
    assert premiere.locator("td").first.is_visible()
    assert premiere.locator("td").last.is_visible()  # status or amount, the last column


def test_side_menu_leads_to_a_section_loaded_on_demand(navigateur: Navigateur) -> None:
    page = navigateur.session("delegant")
    page.goto(f"{navigateur.url}{navigateur.donnees['pages']['delegant'][1]}")
    assert page.locator("div.section-convention[hx-get]").count() == len(sections_convention())
    assert page.get_by_text("Historique des actions").count() == 0
    page.locator(".fr-sidemenu").get_by_role("link", name="Historique").click()
    page.get_by_role("table", name="Historique des actions").wait_for()
    assert page.evaluate("location.hash") == "#historique"
    assert page.locator("#historique").is_visible()
    page.context.close()
