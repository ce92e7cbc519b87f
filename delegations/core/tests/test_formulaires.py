"""Every form opens with an error summary linking to its fields; htmx forms keep one id."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_invalid_form_starts_with_a_summary_linking_to_each_field(client, convention, finance):
    client.force_login(finance)
    html = client.post(
        f"/execution/conventions/{convention.pk}/bon-de-commande/",
        {"reference": "", "date": "", "objet": "Sprint", "montant": "1_000"},
    ).content.decode()
    debut = html.index("data-resume-erreurs")
    assert debut < html.index('name="reference"')
    resume = html[debut : html.index("</div>", debut)]
    assert "Le formulaire contient 3 erreurs" in resume
    assert 'href="#id_montant"' in resume and 'href="#id_reference"' in resume
    assert 'tabindex="-1"' in html[debut - 200 : debut]


def test_business_refusal_is_shown_once(client, convention, finance):
    client.force_login(finance)
    html = client.post(
        f"/execution/conventions/{convention.pk}/bon-de-commande/",
        {
            "reference": "EJ-X",
            "date": "2024-03-01",
            "objet": "Sprint",
            "montant": "1000",
            "confirme": "1000.00",
        },
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert html.count("Crédits insuffisants") == 1
    assert html.count('id="formulaire-mouvement"') == 1


def test_focus_script_is_a_static_file_not_inline(client, finance):
    client.force_login(finance)
    html = client.get("/conventions/").content.decode()
    assert "core/formulaires" in html
    assert "<script>" not in html


@pytest.mark.parametrize("persona", ["finance", "agent", "intrapreneur", None])
def test_main_menu_has_at_most_seven_entries_for_every_persona(client, request, persona):
    from delegations.core.context_processors import MENU_MAX
    from delegations.core.tests.factories import UserFactory

    if persona == "intrapreneur":
        client.force_login(UserFactory(role="intrapreneur"))
    elif persona:
        client.force_login(request.getfixturevalue(persona))
    html = client.get(
        "/conventions-publiques/" if persona is None else "/conventions/"
    ).content.decode()
    nav = html[
        html.index('id="header-navigation"') : html.index(
            "</nav>", html.index('id="header-navigation"')
        )
    ]
    assert 1 <= nav.count('class="fr-nav__item"') <= MENU_MAX
