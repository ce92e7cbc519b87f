"""Bulk generation of fictional conventions and movements for the benchmark (``delegations bench-data``).

Rows are consistent with the caps (each year: 1 000 000 € scheduled and made available, small
orders, service fait and payments equal to the order) but are written in bulk — COPY on
PostgreSQL, executemany on SQLite — without going through the rules: this is load, not data. The
database's guards (migrations ``conventions/0007``, ``execution/0009``) are opened for this
transaction only: the schedule through the register's setting, the orders' check by
``gardes.sans_controle_des_commandes``.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from delegations.conventions.ecriture import ecriture_echeancier
from delegations.conventions.models import Convention, LigneEcheancier, Statut
from delegations.core.models import Administration

from .gardes import sans_controle_des_commandes

ANNEES = (2024, 2025, 2026)
MILLION = Decimal("1000000.00")


def _ecrire(table: str, colonnes: Sequence[str], lignes: Iterator[tuple[Any, ...]]) -> int:
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(colonnes)}) FROM STDIN") as copie:
                for ligne in lignes:
                    copie.write_row(ligne)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({', '.join(colonnes)}) VALUES ({', '.join(['%s'] * len(colonnes))})"  # noqa: S608
            lot: list[tuple[Any, ...]] = []
            for ligne in lignes:
                lot.append(ligne)
                if len(lot) == 5000:
                    cursor.executemany(sql, lot)
                    n += len(lot)
                    lot = []
            if lot:
                cursor.executemany(sql, lot)
                n += len(lot)
    return n


def _prochain_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _recaler_sequences(tables: Sequence[str]) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )


def generer(
    conventions: int = 10_000, mouvements: int = 1_000_000, stdout: Any = None
) -> dict[str, int]:
    debut = time.perf_counter()
    ecrire = stdout.write if stdout else (lambda _s: None)
    par_convention = max(mouvements // max(conventions, 1), 6)
    groupes = max((par_convention - len(ANNEES)) // 3, 1)  # order + service fait + payment
    montant = Decimal("1000.00")
    with transaction.atomic():
        delegant, _ = Administration.objects.get_or_create(
            nom="Délégant fictif du banc d'essai", defaults={"sigle": "BENCH"}
        )
        delegataire, _ = Administration.objects.get_or_create(
            nom="Délégataire fictif du banc d'essai", defaults={"sigle": "BENCH-D"}
        )
        prefixe = f"BENCH-{int(time.time())}"
        objets = [
            Convention(
                reference=f"{prefixe}-{i:06d}",
                delegant=delegant,
                delegataire=delegataire,
                objet="Convention fictive du banc d'essai",
                programme="103",
                date_signature=dt.date(2024, 1, 1),
                date_fin=dt.date(2026, 12, 31),
                statut=Statut.PUBLIEE,
                date_publication=dt.date(2024, 1, 2),
            )
            for i in range(conventions)
        ]
        Convention.objects.bulk_create(objets, batch_size=2000)
        ids = list(
            Convention.objects.filter(reference__startswith=prefixe)
            .order_by("id")
            .values_list("id", flat=True)
        )
        with ecriture_echeancier():  # conventions created published: the register's setting
            LigneEcheancier.objects.bulk_create(
                [
                    LigneEcheancier(convention_id=c, annee=a, ae=MILLION, cp=MILLION)
                    for c in ids
                    for a in ANNEES
                ],
                batch_size=5000,
            )
        maintenant = timezone.now()
        n_mad = _ecrire(
            "execution_miseadisposition",
            ("convention_id", "annee", "date", "created_at", "ae", "cp", "reference"),
            (
                (c, a, dt.date(a, 1, 10), maintenant, MILLION, MILLION, f"MAD-{c}-{a}")
                for c in ids
                for a in ANNEES
            ),
        )
        e0, s0, p0 = (
            _prochain_id(t)
            for t in ("execution_engagement", "execution_servicefait", "execution_paiement")
        )

        def cle(k: int) -> tuple[int, int, dt.date]:
            c = ids[k // groupes]
            annee = ANNEES[(k % groupes) % len(ANNEES)]
            return c, annee, dt.date(annee, 2 + (k % 9), 1 + (k % 27))

        total = len(ids) * groupes
        with (
            sans_controle_des_commandes()
        ):  # consistent by construction, checked row by row otherwise
            n_eng = _ecrire(
                "execution_engagement",
                (
                    "id",
                    "convention_id",
                    "annee",
                    "date",
                    "created_at",
                    "reference",
                    "objet",
                    "montant",
                    "justification",
                ),
                (
                    (
                        e0 + k,
                        *cle(k),
                        maintenant,
                        f"{prefixe}-EJ-{k}",
                        "Commande fictive",
                        montant,
                        "",
                    )
                    for k in range(total)
                ),
            )
        n_sf = _ecrire(
            "execution_servicefait",
            (
                "id",
                "convention_id",
                "annee",
                "date",
                "created_at",
                "engagement_id",
                "montant",
                "total",
                "livrable",
                "livrable_url",
            ),
            ((s0 + k, *cle(k), maintenant, e0 + k, montant, False, "", "") for k in range(total)),
        )
        n_p = _ecrire(
            "execution_paiement",
            (
                "id",
                "convention_id",
                "annee",
                "date",
                "created_at",
                "service_fait_id",
                "montant",
                "reference",
                "justification",
            ),
            ((p0 + k, *cle(k), maintenant, s0 + k, montant, f"FAC-{k}", "") for k in range(total)),
        )
        _recaler_sequences(("execution_engagement", "execution_servicefait", "execution_paiement"))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    resultat = {"conventions": len(ids), "mouvements": n_mad + n_eng + n_sf + n_p}
    ecrire(
        f"Banc d'essai : {resultat['conventions']} conventions et {resultat['mouvements']} mouvements "
        f"générés en {time.perf_counter() - debut:.1f} s."
    )
    return resultat
