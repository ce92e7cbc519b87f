"""A long list counts its rows up to a bound, not to the end of the table."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from delegations.core.models import Administration
from delegations.core.pagination import PaginateurBorne
from delegations.core.tests.factories import AdministrationFactory

pytestmark = pytest.mark.django_db


def test_past_the_bound_the_count_stops_and_says_more_than() -> None:
    for _ in range(5):
        AdministrationFactory()
    pages = PaginateurBorne(Administration.objects.order_by("pk"), 2, borne=3)
    with CaptureQueriesContext(connection) as ctx:
        assert pages.count == 3
    assert "LIMIT 4" in ctx.captured_queries[0]["sql"]
    assert pages.depasse
    assert pages.total_affiche == "plus de 3"
    assert pages.num_pages == 2
    assert len(pages.get_page(2).object_list) == 1


def test_under_the_bound_the_count_is_exact() -> None:
    for _ in range(2):
        AdministrationFactory()
    pages = PaginateurBorne(Administration.objects.order_by("pk"), 25, borne=3)
    assert pages.total_affiche == "2"
    assert not pages.depasse
