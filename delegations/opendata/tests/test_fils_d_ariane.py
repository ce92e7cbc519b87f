"""Every page URL pattern, resolved with ids of the demo data and read as a finance officer, shows
a DSFR breadcrumb whose last item is the page's title (h1); the patterns that are not pages (files,
fragments, POST-only actions) and the home page are listed with the reason they are exempt."""

from __future__ import annotations

import html as html_lib
import os
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

# Patterns that are not pages read in a browser, or that have no breadcrumb on purpose.
EXEMPTES: dict[str, str] = {
    "core:accueil": "redirige vers le registre (ou la connexion)",
    "core:login": "page d'entrée des personnes non connectées",
    "core:logout": "action POST",
    "core:revoquer_jeton": "action POST",
    "conventions:liste": "page d'accueil des personnes connectées (« Accueil » y mène)",
    "conventions:section": "fragment htmx ; sans JavaScript, la page est vérifiée ci-dessous",
    "taches:progression": "fragment htmx",
    "taches:fichier": "téléchargement",
    "lecture:confirmer": "action POST",
    "lecture:telecharger": "téléchargement",
    "execution:livrable": "téléchargement",
    "execution:livrable_proposition": "téléchargement",
    "execution:proposition_decider": "action POST",
    "execution:importer_confirmer": "action POST",
    "chorus:export": "téléchargement",
    "comites:support": "téléchargement",
    "comites:releve_signe": "téléchargement",
    "comites:preuve": "téléchargement",
    "echeances:ical_secret": "flux iCalendar",
    "rapports:telecharger": "téléchargement",
    "rapports:preparer": "action POST",
    "rapports:transmis": "action POST",
    "redaction:copie_fichier": "téléchargement",
    "redaction:piece": "téléchargement",
    "redaction:courrier_etat": "fragment htmx",
    "redaction:courrier_renvoyer": "action POST",
    "redaction:modele_telecharger": "téléchargement",
    "opendata:document": "téléchargement",
    "opendata:paquet": "téléchargement",
    "opendata:fichier": "téléchargement",
}


# Pages whose ids the demo lacks or that answer a redirection to the finance officer: not walked.
SANS_DONNEES: dict[str, str] = {
    "core:en_attente": "redirige une personne dont le compte est actif",
    "core:utilisateurs": "réservée aux administrateurs (403 pour la finance)",
    "core:acces_utilisateur": "réservée aux administrateurs (403 pour la finance)",
    "taches:detail": "le traitement de la démonstration n'est pas celui de la finance (404)",
    "lecture:revue": "aucun import de document dans la démonstration",
    "execution:import_simulation": "aucun import de mouvements dans la démonstration",
    "execution:import_resultat": "aucun import de mouvements dans la démonstration",
    "chorus:tache": "le traitement de la démonstration n'est pas celui de la finance (404)",
    "chorus:comparaison": "redirige tant que le rapprochement n'a pas de comparaison",
    "chorus:retirer_explication": "redirige : aucun écart expliqué dans la démonstration",
    "produits:phase_ajouter": "formulaire POST, redirige vers le produit",
    "comites:releve": "redirige : relevé finalisé dans la démonstration",
    "echeances:jeton": "redirige vers « À faire »",
    "redaction:copie": "aucune copie signée dans la démonstration",
    "redaction:copie_signature": "action POST",
    "redaction:courrier": "aucun courrier dans la démonstration",
    "redaction:courrier_tache": "aucun courrier dans la démonstration",
}


def _motifs(resolveur: URLResolver, espace: str | None = None) -> Iterator[str]:
    for motif in resolveur.url_patterns:
        if isinstance(motif, URLResolver):
            nom = motif.namespace or espace
            if nom in ("api", "admin") or "oidc" in str(motif.pattern):
                continue
            yield from _motifs(motif, nom)
        elif isinstance(motif, URLPattern):
            yield f"{espace}:{motif.name}"


def _donnees() -> dict[str, Any]:
    """Ids of the demo data (and the few objects the demo does not make)."""
    from delegations.chorus.models import Ecart, Rapprochement
    from delegations.comites.models import Comite, Obligation
    from delegations.conventions.models import Convention
    from delegations.core.models import Administration, User
    from delegations.execution.models import Engagement, Marche, ServiceFait, Titulaire
    from delegations.produits.models import Produit
    from delegations.redaction.models import Contact

    convention = Convention.objects.get(reference="DEMO-2024-05")
    engagement = Engagement.objects.filter(convention=convention).order_by("pk").first()
    return {
        "convention": convention.pk,
        "avenant": convention.avenants.order_by("numero").first().numero,  # type: ignore[union-attr]
        "engagement": engagement.pk,  # type: ignore[union-attr]
        "service_fait": ServiceFait.objects.filter(engagement=engagement).first().pk,  # type: ignore[union-attr]
        "administration": Administration.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "utilisateur": User.objects.get(username="delegant").pk,
        "titulaire": Titulaire.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "marche": Marche.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "rapprochement": Rapprochement.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "ecart": Ecart.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "produit": Produit.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "comite": Comite.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "obligation": Obligation.objects.filter(convention=convention).first().pk,  # type: ignore[union-attr]
        "contact": Contact.objects.order_by("pk").first().pk,  # type: ignore[union-attr]
        "publiee": Convention.objects.filter(statut="publiee").order_by("pk").first().pk,  # type: ignore[union-attr]
    }


D = dict[str, Any]
PAGES: dict[str, Callable[[D], list[Any]]] = {
    "core:profil": lambda d: [],
    "core:accessibilite": lambda d: [],
    "core:mentions_legales": lambda d: [],
    "taches:liste": lambda d: [],
    "conventions:creer": lambda d: [],
    "conventions:detail": lambda d: [d["convention"]],
    "conventions:modifier": lambda d: [d["convention"]],
    "conventions:avenant_creer": lambda d: [d["convention"]],
    "conventions:transition": lambda d: [d["convention"], "suspendre"],
    "conventions:avenant_action": lambda d: [d["convention"], d["avenant"], "publier"],
    "conventions:administrations": lambda d: [],
    "conventions:administration_creer": lambda d: [],
    "conventions:administration_modifier": lambda d: [d["administration"]],
    "lecture:importer": lambda d: [],
    "execution:liste": lambda d: [],
    "execution:situation": lambda d: [d["convention"]],
    "execution:mise_a_disposition": lambda d: [d["convention"]],
    "execution:engagement_creer": lambda d: [d["convention"]],
    "execution:report_creer": lambda d: [d["convention"]],
    "execution:informer": lambda d: [d["convention"]],
    "execution:cloturer": lambda d: [d["convention"]],
    "execution:engagement": lambda d: [d["engagement"]],
    "execution:suite_commande": lambda d: [d["engagement"], "maintenir"],
    "execution:service_fait_creer": lambda d: [d["engagement"]],
    "execution:reduction_creer": lambda d: [d["engagement"]],
    "execution:paiement_creer": lambda d: [d["service_fait"]],
    "execution:reference_chorus": lambda d: ["engagement", d["engagement"]],
    "execution:propositions": lambda d: [],
    "execution:referentiel": lambda d: [],
    "execution:titulaire_creer": lambda d: [],
    "execution:titulaire_modifier": lambda d: [d["titulaire"]],
    "execution:marche_creer": lambda d: [],
    "execution:marche_modifier": lambda d: [d["marche"]],
    "execution:importer": lambda d: [],
    "chorus:liste": lambda d: [],
    "chorus:nouveau": lambda d: [],
    "chorus:detail": lambda d: [d["rapprochement"]],
    "chorus:expliquer": lambda d: [d["ecart"]],
    "chorus:regulariser": lambda d: [d["ecart"]],
    "produits:liste": lambda d: [],
    "produits:creer": lambda d: [],
    "produits:detail": lambda d: [d["produit"]],
    "produits:modifier": lambda d: [d["produit"]],
    "comites:liste": lambda d: [],
    "comites:creer": lambda d: [],
    "comites:detail": lambda d: [d["comite"]],
    "comites:modifier": lambda d: [d["comite"]],
    "comites:finaliser": lambda d: [d["comite"]],
    "comites:corriger": lambda d: [d["comite"]],
    "comites:resultats": lambda d: [d["comite"]],
    "comites:obligations": lambda d: [],
    "comites:obligation_modifier": lambda d: [d["obligation"]],
    "comites:obligation_supprimer": lambda d: [d["obligation"]],
    "comites:obligation_ajouter": lambda d: [d["convention"]],
    "echeances:tableau": lambda d: [],
    "rapports:rapport": lambda d: [d["convention"]],
    "redaction:copie_deposer": lambda d: [d["convention"]],
    "redaction:courrier_nouveau": lambda d: [d["convention"], "credits_insuffisants"],
    "redaction:contacts": lambda d: [],
    "redaction:contact_creer": lambda d: [],
    "redaction:contact_modifier": lambda d: [d["contact"]],
    "redaction:contact_supprimer": lambda d: [d["contact"]],
    "redaction:modeles": lambda d: [],
    "opendata:conventions": lambda d: [],
    "opendata:convention": lambda d: [d["publiee"]],
    "opendata:stats": lambda d: [],
}


def test_every_page_pattern_is_walked_or_exempt_with_a_reason() -> None:
    motifs = set(_motifs(get_resolver()))
    connus = [*PAGES, *EXEMPTES, *SANS_DONNEES]
    assert motifs == set(connus)
    assert len(connus) == len(set(connus))


def _texte(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def fil_et_titre(html: str) -> tuple[list[str], str]:
    fil = re.search(r'<nav[^>]*class="fr-breadcrumb".*?</nav>', html, re.S)
    titre = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    items = re.findall(r"<li>(.*?)</li>", fil.group(0), re.S) if fil else []
    return [_texte(i) for i in items], _texte(titre.group(1)) if titre else ""


@pytest.mark.django_db
def test_every_page_has_a_breadcrumb_ending_with_its_title(client: Any) -> None:
    from delegations.core.models import User

    with open(os.devnull, "w") as sortie:
        call_command("demo", stdout=sortie)
    donnees = _donnees()
    client.force_login(User.objects.get(username="finance"))
    manques = {}
    for nom, arguments in PAGES.items():
        url = reverse(nom, args=arguments(donnees))
        reponse = client.get(url)
        assert reponse.status_code == 200, url
        fil, titre = fil_et_titre(reponse.content.decode())
        if not fil or fil[-1] != titre or fil[0] != "Accueil":
            manques[nom] = f"{url} : fil {fil} / h1 « {titre} »"
    assert manques == {}
