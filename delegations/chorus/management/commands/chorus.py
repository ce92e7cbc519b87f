"""``delegations chorus FICHIER… [--convention ID | --uo CODE] [--format table|json]``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from delegations.core.errors import RegleMetierError

from ... import services


class Command(BaseCommand):
    help = (
        "Rapproche des journaux CHORUS (engagements et/ou paiements : ODS, XLSX, CSV) du registre "
        "et affiche, par convention et par année, les lignes rapprochées, les écarts et les totaux."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichiers", nargs="+", metavar="FICHIER")
        groupe = parser.add_mutually_exclusive_group()
        groupe.add_argument("--convention", type=int, metavar="ID")
        groupe.add_argument("--uo", metavar="CODE")
        parser.add_argument("--format", choices=["table", "json"], default="table")
        parser.add_argument(
            "--conserver",
            action="store_true",
            help="Conserver le rapprochement (visible dans l'application), sinon il est seulement affiché.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fichiers = []
        for nom in options["fichiers"]:
            chemin = Path(nom)
            if not chemin.is_file():
                raise CommandError(f"Fichier introuvable : {nom}")
            fichiers.append((chemin.name, chemin.read_bytes()))
        try:
            journaux, resultat = services.calculer(
                fichiers, convention_id=options["convention"], uo=options["uo"]
            )
        except RegleMetierError as exc:
            raise CommandError(exc.message) from exc
        donnees = services.representation_calcul(journaux, resultat)
        if options["conserver"]:
            rapprochement = services.enregistrer(journaux, resultat, None)
            services.journaliser_rapprochement(rapprochement, None)
            donnees["id"] = rapprochement.pk
        if options["format"] == "json":
            self.stdout.write(json.dumps(donnees, ensure_ascii=False, indent=2, default=str))
            return
        self._table(donnees)

    def _table(self, d: dict[str, Any]) -> None:
        ecrire = self.stdout.write
        for f in d["fichiers"]:
            ecrire(
                f"{f['nom']} : {f['libelle']}, {f['lignes']} lignes, exercices "
                f"{', '.join(str(a) for a in f['exercices'])}"
            )
            ecrire(
                "  colonnes reconnues : "
                + ", ".join(f"{k} ← « {v} »" for k, v in f["colonnes_reconnues"].items())
            )
            if f["colonnes_ignorees"]:
                ecrire("  colonnes ignorées : " + ", ".join(f["colonnes_ignorees"]))
        ecrire(
            f"{d['lignes']} lignes, {d['lignes_hors_perimetre']} hors des conventions du registre, "
            f"{d['nb_lignes_non_rattachees']} non rattachées ; {d['nb_rapprochees']} rapprochées, "
            f"{d['nb_ecarts']} écart(s)."
        )
        entete = (
            f"{'Convention':<20} {'Année':>5} {'AE CHORUS':>15} {'AE registre':>15} {'Écart AE':>14} "
            f"{'CP CHORUS':>15} {'CP registre':>15} {'Écart CP':>14} {'Rappr.':>7} {'Écarts':>6}"
        )
        ecrire("")
        ecrire(entete)
        ecrire("-" * len(entete))
        for bloc in d["conventions"]:
            t = bloc["totaux"]
            ref = str(bloc["convention"]["reference"] or bloc["convention"]["id"])[:20]
            ecrire(
                f"{ref:<20} {bloc['annee']:>5} {t['ae_chorus'] or '—':>15} {t['ae_registre']:>15} "
                f"{t['ecart_ae'] or '—':>14} {t['cp_chorus'] or '—':>15} {t['cp_registre']:>15} "
                f"{t['ecart_cp'] or '—':>14} {len(bloc['rapprochees']):>7} {len(bloc['ecarts']):>6}"
            )
        for bloc in d["conventions"]:
            for e in bloc["ecarts"]:
                ref = bloc["convention"]["reference"] or bloc["convention"]["id"]
                ecrire(f"[{ref} {bloc['annee']}] {e['libelle']} : {e['detail']}")
