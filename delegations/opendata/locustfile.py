"""Load test started by ``make bench`` (``opendata/bench.py``): a finance officer browsing."""

from __future__ import annotations

import os
import random

from locust import HttpUser, between, task

CONVENTIONS = [i for i in os.environ.get("BENCH_CONVENTION_IDS", "1").split(",") if i]
MOTS = ["numérique", "DINUM", "service", "2024", "plateforme"]


class Agent(HttpUser):
    wait_time = between(0.5, 2)

    def on_start(self) -> None:
        self.client.cookies.set(
            os.environ.get("BENCH_SESSION_COOKIE", "sessionid"), os.environ.get("BENCH_SESSION", "")
        )
        self.jeton = {"Authorization": f"Token {os.environ.get('BENCH_JETON', '')}"}

    @task(3)
    def liste(self) -> None:
        self.client.get("/conventions/", name="liste des conventions")

    @task(2)
    def recherche(self) -> None:
        self.client.get(f"/conventions/?q={random.choice(MOTS)}", name="recherche")

    @task(3)
    def convention(self) -> None:
        self.client.get(f"/conventions/{random.choice(CONVENTIONS)}/", name="page d'une convention")

    @task(2)
    def situation(self) -> None:
        self.client.get(
            f"/api/v1/conventions/{random.choice(CONVENTIONS)}/situation",
            headers=self.jeton,
            name="API situation",
        )

    @task(2)
    def a_faire(self) -> None:
        self.client.get("/echeances/", name="À faire")

    @task(1)
    def ical(self) -> None:
        self.client.get("/api/v1/echeances.ics", headers=self.jeton, name="iCalendar")
