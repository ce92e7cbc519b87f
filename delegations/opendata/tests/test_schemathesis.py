"""Schemathesis against the live test server: every operation (reads first, then writes as a
finance user), a bounded number of examples each.

Checks: no server error, status code, content type and response body conform to the schema.
Runs in ``make test``; deselect with ``-m "not schemathesis"``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from delegations.core.models import JetonAPI
from delegations.core.tests.factories import ProduitFactory, UserFactory
from delegations.opendata.schema import documenter_erreurs

from .factories import ConventionPublieeFactory

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db(transaction=True)]

EXEMPLES = 5
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _donnees() -> str:
    finance = UserFactory(role="finance", username="finance-schemathesis")
    produit = ProduitFactory()
    conv = ConventionPublieeFactory(produits=[produit], phases=["construction"])
    try:
        from delegations.execution import mouvements

        mouvements.mettre_a_disposition(
            conv,
            annee=2024,
            ae=Decimal("100000"),
            cp=Decimal("80000"),
            date=dt.date(2024, 2, 1),
            reference="MAD-ST",
        )
        bc = mouvements.engager(
            conv,
            montant=Decimal("1000"),
            reference="BC-ST",
            date=dt.date(2024, 3, 1),
            produit=produit,
        )
        mouvements.certifier_service_fait(bc, montant=Decimal("500"), date=dt.date(2024, 4, 1))
    except ImportError:  # execution not installed: the register alone
        pass
    return JetonAPI.creer(finance, "schemathesis")[1]


def test_api_conforms_to_its_schema(live_server: Any) -> None:
    jeton = _donnees()
    brut = requests.get(f"{live_server.url}/api/v1/openapi.json", timeout=30).json()
    # Error answers as documented once the hook is registered in SPECTACULAR_SETTINGS (idempotent).
    brut = documenter_erreurs(brut)
    schema = schemathesis.openapi.from_dict(brut)
    session = requests.Session()
    entetes = {"Authorization": f"Token {jeton}"}
    echecs: list[str] = []
    operations = [r.ok() for r in schema.get_all_operations()]
    lectures = [op for op in operations if op.method.upper() == "GET"]
    assert lectures, "aucune opération GET dans le schéma"
    ecritures = [op for op in operations if op.method.upper() != "GET"]
    for operation in lectures + ecritures:

        @given(case=operation.as_strategy())
        @hsettings(
            max_examples=EXEMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def verifier(case: Any) -> None:
            case.call_and_validate(
                base_url=live_server.url, session=session, headers=entetes, checks=CHECKS
            )

        try:
            verifier()
        except (Exception, BaseExceptionGroup) as exc:  # noqa: BLE001 - gather every failing operation
            echecs.append(f"{operation.method.upper()} {operation.path}: {str(exc)[:1500]}")
    assert not echecs, "\n\n".join(echecs)
