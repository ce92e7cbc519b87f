"""Publication on data.gouv.fr, against a local fake server (never the real one)."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from .factories import ConventionPublieeFactory

pytestmark = pytest.mark.django_db


class FauxDataGouv(BaseHTTPRequestHandler):
    ressources: list[dict[str, str]] = []
    requetes: list[tuple[str, str, str, bytes]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _repondre(self, code: int, data: dict[str, Any]) -> None:
        corps = json.dumps(data).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(corps)))
        self.end_headers()
        self.wfile.write(corps)

    def do_GET(self) -> None:  # noqa: N802
        self.requetes.append(("GET", self.path, self.headers.get("X-API-KEY", ""), b""))
        if self.path == "/api/1/datasets/mon-jeu/":
            self._repondre(200, {"id": "mon-jeu", "resources": self.ressources})
        else:
            self._repondre(404, {"message": "inconnu"})

    def do_POST(self) -> None:  # noqa: N802
        corps = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.requetes.append(("POST", self.path, self.headers.get("X-API-KEY", ""), corps))
        if self.headers.get("X-API-KEY") != "cle-test":
            self._repondre(401, {"message": "clé invalide"})
            return
        if self.path == "/api/1/datasets/mon-jeu/upload/":
            nom = corps.split(b'filename="', 1)[1].split(b'"', 1)[0].decode()
            rid = f"r{len(self.ressources) + 1}"
            self.ressources.append({"id": rid, "title": nom})
            self._repondre(201, {"id": rid, "title": nom})
        elif self.path.startswith("/api/1/datasets/mon-jeu/resources/") and self.path.endswith(
            "/upload/"
        ):
            self._repondre(200, {"id": self.path.split("/")[-3]})
        else:
            self._repondre(404, {"message": "inconnu"})


@pytest.fixture
def faux_serveur(settings: Any) -> Iterator[type[FauxDataGouv]]:
    FauxDataGouv.ressources, FauxDataGouv.requetes = [], []
    serveur = ThreadingHTTPServer(("127.0.0.1", 0), FauxDataGouv)
    fil = threading.Thread(target=serveur.serve_forever, daemon=True)
    fil.start()
    settings.DATAGOUV_API_URL = f"http://127.0.0.1:{serveur.server_address[1]}/api/1"
    settings.DATAGOUV_API_KEY = "cle-test"
    settings.DATAGOUV_DATASET = "mon-jeu"
    yield FauxDataGouv
    serveur.shutdown()
    serveur.server_close()


def test_publication_creates_then_replaces_the_resources(faux_serveur: type[FauxDataGouv]) -> None:
    ConventionPublieeFactory(reference="PUB-DG")
    sortie = io.StringIO()
    call_command("opendata", "--publier", stdout=sortie)
    creations = [r for r in faux_serveur.requetes if r[0] == "POST"]
    assert [r[1] for r in creations] == ["/api/1/datasets/mon-jeu/upload/"] * 3
    assert all(r[2] == "cle-test" for r in creations)
    assert b"PUB-DG" in creations[0][3]
    assert "créée" in sortie.getvalue()

    faux_serveur.requetes.clear()
    call_command("opendata", "--publier", stdout=io.StringIO())
    remplacements = [r[1] for r in faux_serveur.requetes if r[0] == "POST"]
    assert remplacements == [f"/api/1/datasets/mon-jeu/resources/r{i}/upload/" for i in (1, 2, 3)]
    assert len(faux_serveur.ressources) == 3


def test_publication_without_api_key_gives_a_clear_french_error(settings: Any) -> None:
    settings.DATAGOUV_API_KEY = ""
    settings.DATAGOUV_DATASET = "mon-jeu"
    with pytest.raises(CommandError, match="DATAGOUV_API_KEY"):
        call_command("opendata", "--publier", stdout=io.StringIO())


def test_publication_refused_by_the_server_is_reported(
    faux_serveur: type[FauxDataGouv], settings: Any
) -> None:
    settings.DATAGOUV_API_KEY = "mauvaise"
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("opendata", "--publier", stdout=io.StringIO())


def test_command_needs_a_directory_or_publication() -> None:
    with pytest.raises(CommandError, match="dossier"):
        call_command("opendata", stdout=io.StringIO())
