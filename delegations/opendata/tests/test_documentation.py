from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_api_docs_page_serves_its_assets_locally(client: Any) -> None:
    reponse = client.get("/api/v1/docs/")
    assert reponse.status_code == 200
    contenu = reponse.content.decode()
    assert "cdn." not in contenu and "unpkg" not in contenu and "jsdelivr" not in contenu
    assert '<script src="/api/v1/docs/?script="></script>' in contenu
    assert "/api/v1/openapi.json" in client.get("/api/v1/docs/?script=").content.decode()
    for nom in ("swagger-ui-bundle.js", "swagger-ui.css"):
        assert nom in contenu


def test_docs_assets_are_served(client: Any) -> None:
    from delegations.opendata.documentation import url_ressource

    for nom in ("swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png"):
        reponse = client.get(url_ressource(nom))
        assert reponse.status_code == 200, nom
        b"".join(reponse.streaming_content) if reponse.streaming else reponse.content
    assert client.get("/api/v1/docs/ressources/..%2Fsettings.py").status_code == 404


def test_openapi_schema_describes_the_public_api_in_french(client: Any) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    operation = schema["paths"]["/api/v1/public/conventions"]["get"]
    assert operation["summary"].startswith("Lister les conventions publiées")
    assert operation.get("security", []) in ([], [{}])  # no authentication
    composant = schema["components"]["schemas"]["ConventionPublique"]
    assert "SIRET" in composant["properties"]["delegant_siret"]["description"]


def test_openapi_schema_is_generated_once_per_process(
    client: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from drf_spectacular.generators import SchemaGenerator

    from delegations.opendata.documentation import SchemaOpenAPI

    monkeypatch.setattr(SchemaOpenAPI, "_rendus", {})
    generations = []
    d_origine = SchemaGenerator.get_schema

    def compter(self: Any, *args: Any, **kwargs: Any) -> Any:
        generations.append(1)
        return d_origine(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", compter)
    premier = client.get("/api/v1/openapi.json")
    second = client.get("/api/v1/openapi.json")
    assert (premier.status_code, second.status_code) == (200, 200)
    assert premier.content == second.content
    assert len(generations) == 1
