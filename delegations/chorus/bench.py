"""Benchmark of the CHORUS reconciliation (``make bench`` calls ``run()``).

It never touches the development database: a child process migrates a temporary SQLite
database, writes a fictional register (BENCH_CHORUS_LIGNES lines' worth, 100 000 by default, over
50 conventions) and the journals mirroring it, with about one order in thirty differing (amount,
payment missing on either side, EJ unknown to the register), then prints, per format (``;`` CSV,
XLSX, ODS), lines per second read and matched, by the clock and by processor time (the machine
is shared: the load is printed), the reading alone, and the time to keep the result. Figures,
never asserts.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from typing import Any

CONVENTIONS = 50


def run() -> None:
    print("== Rapprochement CHORUS ==", flush=True)
    charge = os.getloadavg()[0]
    print(f"(charge de la machine : {charge:.1f} pour {os.cpu_count()} cœurs)", flush=True)
    with tempfile.TemporaryDirectory() as dossier:
        env = dict(
            os.environ,
            DATABASE_URL=f"sqlite:///{dossier}/bench-chorus.sqlite3",
            DJANGO_SETTINGS_MODULE="delegations.settings",
        )
        subprocess.run([sys.executable, "-m", "delegations.chorus.bench"], env=env, check=False)


def _registre(lignes_voulues: int) -> tuple[list[list[Any]], list[list[Any]]]:
    """Write the register and return the engagements and payments lines (4 lines per order)."""
    from delegations.conventions.models import Convention, Statut
    from delegations.core.models import Administration
    from delegations.execution.gardes import sans_controle_des_commandes
    from delegations.execution.models import Engagement, Paiement, ServiceFait

    delegant = Administration.objects.create(nom="Ministère fictif du banc", sigle="MFB")
    dinum = Administration.objects.create(nom="DINUM du banc", sigle="DINUM-B")
    conventions = Convention.objects.bulk_create(
        [
            Convention(
                reference=f"BANC-{i:03d}",
                delegant=delegant,
                delegataire=dinum,
                objet="Convention fictive du banc",
                unite_operationnelle=f"0129-BANC-C{i:03d}",
                centre_financier=f"0129-BANC-C{i:03d}",
                activite=f"0129BANC{i:03d}",
                centre_de_cout="DINUMBANC",
                domaine_fonctionnel="0129-01",
                date_signature=dt.date(2024, 1, 15),
                date_fin=dt.date(2026, 12, 31),
                statut=Statut.SIGNEE,
            )
            for i in range(CONVENTIONS)
        ]
    )
    nb = max(lignes_voulues // 4, CONVENTIONS)
    with sans_controle_des_commandes():  # load, not data: orders without availability
        commandes = Engagement.objects.bulk_create(
            [
                Engagement(
                    convention=conventions[i % CONVENTIONS],
                    annee=2025,
                    date=dt.date(2025, 1 + i % 12, 1 + i % 28),
                    reference=f"BC-BANC-{i:07d}",
                    montant=Decimal(20000 + i % 5000) + Decimal("0.50"),
                    numero_ej=str(1300000000 + i),
                )
                for i in range(nb)
            ],
            batch_size=2000,
        )
    services = ServiceFait.objects.bulk_create(
        [
            ServiceFait(
                convention_id=o.convention_id,
                annee=2025,
                engagement=o,
                montant=Decimal("8000.00"),
                date=o.date,
            )
            for o in commandes
        ],
        batch_size=2000,
    )
    paiements = Paiement.objects.bulk_create(
        [
            Paiement(
                convention_id=sf.convention_id,
                annee=2025,
                service_fait=sf,
                montant=Decimal("8000.00"),
                date=sf.date,
                reference=f"FAC-{sf.pk}",
                numero_piece=f"91{sf.pk:08d}",
            )
            for sf in services
        ],
        batch_size=2000,
    )
    cf = {c.pk: c for c in conventions}
    jp51: list[list[Any]] = []
    jp57: list[list[Any]] = []
    for i, (o, p) in enumerate(zip(commandes, paiements, strict=True)):
        c = cf[o.convention_id]
        commun = [2025, c.centre_financier, "0129-01", "DINUMBANC", "Services"]
        # About one order in thirty differs: its amount, a payment on either side, or an EJ
        # CHORUS holds and the register does not.
        ecart_montant = Decimal(100) if i % 97 == 1 else Decimal(0)
        piece = f"93{i:08d}" if i % 89 == 2 else p.numero_piece
        if i % 101 == 3:
            jp51.append(
                [*commun, str(1390000000 + i), "1", "Texte", Decimal(5000), "", "", "Original"]
                + [100, c.activite, o.date, o.date]
            )
        jp51.append(
            [
                *commun,
                o.numero_ej,
                "1",
                "Texte",
                o.montant - 1000 + ecart_montant,
                "",
                "",
                "Original",
                100,
                c.activite,
                o.date,
                o.date,
            ]
        )
        jp51.append(
            [
                *commun,
                o.numero_ej,
                "1",
                "Texte",
                Decimal(1000),
                "",
                "",
                "Modification",
                150,
                c.activite,
                o.date,
                o.date,
            ]
        )
        jp51.append(
            [
                *commun,
                o.numero_ej,
                "1",
                "Texte",
                -p.montant,
                "",
                "",
                "Réduction",
                200,
                c.activite,
                p.date,
                o.date,
            ]
        )
        jp57.append([*commun, "", "", o.numero_ej, p.montant, p.date, piece, p.date, c.activite])
    return jp51, jp57


ENTETES_51 = [
    "Exercice comptable", "Centre financier", "Domaine fonctionnel", "Centre de coûts", "Services",
    "Numéro de pièce de la pièce de référence", "Numéro de poste de la pièce de référence", "Texte",
    "Montant à contrôler en dev. transaction", "Fournisseur", "Nom 1", "Type de montant",
    "Type de montant.1", "Activité", "Date de mise à jour Comptabilité budgéta", "Date comptable",
]  # fmt: skip
ENTETES_57 = [
    "Exercice comptable", "Centre financier", "Domaine fonctionnel", "Centre de coûts", "Services",
    "Fournisseur", "Nom 1", "Numéro de la pièce précédente",
    "Montant à contrôler en devise trans. ave", "Date comptable", "Nº pièce de paiement",
    "Date pièce", "Activité",
]  # fmt: skip


def _csv(entetes: list[str], lignes: list[list[Any]]) -> bytes:
    tampon = io.StringIO()
    w = csv.writer(tampon, delimiter=";")
    w.writerow(entetes)
    for ligne in lignes:
        w.writerow(
            [
                f"{v:.2f}".replace(".", ",")
                if isinstance(v, Decimal)
                else v.strftime("%d/%m/%Y")
                if isinstance(v, dt.date)
                else v
                for v in ligne
            ]
        )
    return tampon.getvalue().encode()


def _xlsx(entetes: list[str], lignes: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    classeur = Workbook(write_only=True)
    feuille = classeur.create_sheet("jp")
    feuille.append(entetes)
    for ligne in lignes:
        feuille.append([float(v) if isinstance(v, Decimal) else v for v in ligne])
    tampon = io.BytesIO()
    classeur.save(tampon)
    return tampon.getvalue()


def _ods(entetes: list[str], lignes: list[list[Any]]) -> bytes:
    import importlib

    # The tests' ODS writer (imported by name: test code stays out of the type-checked modules).
    ods_journal = importlib.import_module("delegations.chorus.tests.generateur").ods_journal
    modele = [(e, str(i)) for i, e in enumerate(entetes)]
    return ods_journal([{str(i): v for i, v in enumerate(ligne)} for ligne in lignes], modele)


def _n(nombre: float) -> str:
    """12345.6 → '12 346' (French thousands separator)."""
    return f"{nombre:,.0f}".replace(",", "\u202f")


def _mesurer() -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction

    from delegations.chorus import fichiers, rapprochement, services

    voulues = int(os.environ.get("BENCH_CHORUS_LIGNES") or 100_000)
    call_command("migrate", verbosity=0)
    debut = time.perf_counter()
    jp51, jp57 = _registre(voulues)
    total = len(jp51) + len(jp57)
    print(
        f"Registre fictif : {CONVENTIONS} conventions, {len(jp57)} bons de commande et paiements ; "
        f"journaux de {total} lignes ({len(jp51)} engagements, {len(jp57)} paiements), "
        f"préparés en {time.perf_counter() - debut:.1f} s",
        flush=True,
    )
    for format, ecrire in (("CSV ;", _csv), ("XLSX", _xlsx), ("ODS", _ods)):
        contenus = [("jp51", ecrire(ENTETES_51, jp51)), ("jp57", ecrire(ENTETES_57, jp57))]
        t0, p0 = time.perf_counter(), time.process_time()
        journaux = [fichiers.lire(nom, contenu) for nom, contenu in contenus]
        t1, p1 = time.perf_counter(), time.process_time()
        resultat = rapprochement.rapprocher(journaux)
        t2, p2 = time.perf_counter(), time.process_time()
        with transaction.atomic():
            services.enregistrer(journaux, resultat, None)
            t3 = time.perf_counter()
            transaction.set_rollback(True)  # every format starts from the same database
        print(
            f"{format:5} : {_n(total / (t2 - t0)):>7} lignes/s lues et rapprochées "
            f"({t2 - t0:.1f} s ; {_n(total / (p2 - p0))} lignes/s en temps processeur) — "
            f"objectif ≥ 20 000 lignes/s ; lecture seule {_n(total / (t1 - t0))} lignes/s "
            f"({_n(total / (p1 - p0))} en temps processeur) ; {resultat.nb_rapprochees} "
            f"rapprochées, {len(resultat.ecarts)} écarts ; résultat enregistré en {t3 - t2:.1f} s",
            flush=True,
        )


if __name__ == "__main__":
    _mesurer()
