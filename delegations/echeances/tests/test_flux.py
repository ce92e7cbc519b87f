"""API, iCalendar feeds (parsed with icalendar), secret URL, dashboard: perimeter and query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar
from rest_framework.test import APIClient

from delegations.core.models import JetonAPI
from delegations.core.tests.factories import ConventionFactory
from delegations.echeances.models import JetonCalendrier

pytestmark = pytest.mark.django_db


def _evenements(contenu: bytes) -> list[Any]:
    return list(Calendar.from_ical(contenu).walk("VEVENT"))


@time_machine.travel(dt.date(2025, 10, 1), tick=False)
def test_api_lists_deadlines_of_the_perimeter_with_severity(
    api: Any, agent: Any, collegue: Any, convention: Any
) -> None:
    reponse = api(agent).get("/api/v1/echeances?type=preavis")
    assert reponse.status_code == 200
    (preavis,) = reponse.json()["results"]
    assert preavis["date"] == "2026-09-30" and preavis["gravite"] == "plus_tard"
    assert preavis["convention"] == convention.pk and preavis["lien"].endswith(
        f"/conventions/{convention.pk}/"
    )
    assert api(collegue).get("/api/v1/echeances").json()["count"] == 0
    assert api().get("/api/v1/echeances").status_code in (401, 403)


def test_api_filters_and_rejects_unknown_type(
    api: Any, finance: Any, convention: Any, administration: Any, dinum: Any
) -> None:
    ConventionFactory(delegant=administration, delegataire=dinum)
    client = api(finance)
    donnees = client.get(
        f"/api/v1/echeances?convention={convention.pk}&type=fin_convention,preavis"
        "&du=2026-01-01&au=2026-12-31&taille=100"
    ).json()
    assert {e["type"] for e in donnees["results"]} == {"fin_convention", "preavis"}
    assert {e["convention"] for e in donnees["results"]} == {convention.pk}
    refus = client.get("/api/v1/echeances?type=anniversaire")
    assert refus.status_code == 400 and refus.json()["code"] == "type_inconnu"


def test_ics_feed_with_api_token_is_valid_icalendar(agent: Any, convention: Any) -> None:
    _, cle = JetonAPI.creer(agent, "agenda")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {cle}")
    reponse = client.get("/api/v1/echeances.ics", HTTP_ACCEPT="text/calendar")
    assert reponse.status_code == 200 and reponse["Content-Type"].startswith("text/calendar")
    evenements = _evenements(reponse.content)
    fin = [e for e in evenements if str(e["uid"]).startswith(f"fin_convention:{convention.pk}@")]
    assert len(fin) == 1
    assert fin[0].decoded("dtstart") == dt.date(2026, 12, 31)
    assert convention.reference in str(fin[0]["summary"])
    assert APIClient().get("/api/v1/echeances.ics").status_code in (401, 403)


def test_secret_url_works_without_login_and_stops_once_revoked(
    client: Any, agent: Any, convention: Any
) -> None:
    client.force_login(agent)
    client.post(reverse("echeances:jeton"), {"action": "generer", "confirmer": "1"})
    premier = JetonCalendrier.objects.get(user=agent).jeton
    client.logout()
    url = reverse("echeances:ical_secret", args=[premier])
    reponse = client.get(url)
    assert reponse.status_code == 200 and _evenements(reponse.content)
    client.force_login(agent)
    client.post(reverse("echeances:jeton"), {"action": "generer", "confirmer": "1"})  # regenerate
    client.logout()
    assert client.get(url).status_code == 404
    nouveau = JetonCalendrier.objects.get(user=agent).jeton
    assert client.get(reverse("echeances:ical_secret", args=[nouveau])).status_code == 200
    client.force_login(agent)
    client.get(
        reverse("echeances:jeton") + "?action=revoquer"
    )  # confirmation page: nothing revoked yet
    assert JetonCalendrier.objects.filter(user=agent).exists()
    client.post(reverse("echeances:jeton"), {"action": "revoquer", "confirmer": "1"})
    client.logout()
    assert client.get(reverse("echeances:ical_secret", args=[nouveau])).status_code == 404


def test_secret_feed_keeps_the_owner_perimeter(client: Any, collegue: Any, convention: Any) -> None:
    jeton = JetonCalendrier.regenerer(collegue)
    reponse = client.get(reverse("echeances:ical_secret", args=[jeton.jeton]))
    assert _evenements(reponse.content) == []


@time_machine.travel(dt.date(2026, 12, 20), tick=False)
def test_dashboard_shows_the_perimeter_sorted_by_date(
    client: Any, agent: Any, collegue: Any, convention: Any
) -> None:
    client.force_login(agent)
    page = client.get(reverse("echeances:tableau"))
    assert page.status_code == 200
    contenu = page.content.decode()
    assert f"Fin de la convention {convention.reference}" in contenu
    assert "Dépassée" in contenu  # the 2026 cut-offs are past
    client.force_login(collegue)
    assert convention.reference not in client.get(reverse("echeances:tableau")).content.decode()
    client.logout()
    assert client.get(reverse("echeances:tableau")).status_code == 302


def test_dashboard_query_count_does_not_grow_with_conventions(
    client: Any,
    agent: Any,
    administration: Any,
    dinum: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    def creer(n: int) -> None:
        with django_capture_on_commit_callbacks(execute=True):  # deadlines stored at commit
            for _ in range(n):
                ConventionFactory(
                    delegant=administration, delegataire=dinum, compte_rendu=["mensuel"]
                )

    def compter() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("echeances:tableau")).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(agent)
    creer(3)
    trois = compter()
    creer(27)
    assert compter() == trois


def test_types_are_read_comma_separated_or_repeated(
    api: Any, finance: Any, convention: Any
) -> None:
    client = api(finance)
    separes = client.get("/api/v1/echeances?type=fin_convention,preavis&taille=100").json()
    repetes = client.get("/api/v1/echeances?type=fin_convention&type=preavis&taille=100").json()
    assert {e["type"] for e in separes["results"]} == {"fin_convention", "preavis"}
    assert repetes["results"] == separes["results"]
    refus = client.get("/api/v1/echeances?du=2025-13-01")
    assert refus.status_code == 400 and refus.json()["code"] == "date_invalide"


def test_ics_feed_error_is_json_even_when_the_calendar_format_is_asked(
    api: Any, finance: Any
) -> None:
    reponse = api(finance).get("/api/v1/echeances.ics?format=ics&produit=-1")
    assert reponse.status_code == 400
    assert reponse["Content-Type"] == "application/json"
    assert reponse.json()["code"] == "parametre_invalide"


def test_feed_written_by_hand_reads_back_with_the_icalendar_library() -> None:
    """Escaping (comma, semicolon, backslash, new line) and folding of long lines with accents
    (never inside a UTF-8 character) give back the same text."""
    from delegations.echeances.calcul import Echeance
    from delegations.echeances.ical import calendrier

    libelle = "Clôture des paiements 2025 ; revue, « échéance » \\ " + "é" * 80
    echeance = Echeance(
        dt.date(2025, 12, 15),
        "cloture_paiements",
        libelle,
        "cloture_paiements:7:2025",
        "/conventions/7/",
        convention_id=7,
        convention_reference="REF-7",
        debut=dt.date(2025, 12, 1),
    )
    contenu = calendrier([echeance])
    assert all(len(ligne) <= 75 for ligne in contenu.split(b"\r\n"))
    (evenement,) = Calendar.from_ical(contenu).walk("VEVENT")
    assert str(evenement["summary"]) == libelle
    assert evenement.decoded("dtstart") == dt.date(2025, 12, 1)
    assert evenement.decoded("dtend") == dt.date(2025, 12, 16)
    assert str(evenement["uid"]) == "cloture_paiements:7:2025@delegations.beta.gouv.fr"
    assert "Convention REF-7" in str(evenement["description"]).split("\n")
