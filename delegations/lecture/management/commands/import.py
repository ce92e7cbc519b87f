"""``delegations import FILE``: read a document, show the review, save only once confirmed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.exceptions import ValidationError as DrfValidationError

from delegations.conventions.models import Convention
from delegations.core.errors import RegleMetierError
from delegations.core.models import User

from ... import importation
from ...extraction import ExtractionError


class _Requete:
    """The minimum of a request the API serializer needs: who acts."""

    def __init__(self, user: User) -> None:
        self.user = user


class Command(BaseCommand):
    help = (
        "Importe une convention ou un avenant : affiche la lecture (champ, valeur, extrait source, "
        "alertes) puis n'enregistre qu'après confirmation."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier")
        parser.add_argument(
            "--utilisateur", default="finance", help="compte qui importe (agent finance)"
        )
        parser.add_argument(
            "--corriger",
            action="append",
            default=[],
            metavar="CLE=VALEUR",
            help="corrige un champ avant confirmation (valeur JSON ou texte), répétable",
        )
        parser.add_argument(
            "--convention", type=int, help="pour un avenant : identifiant de la convention modifiée"
        )
        parser.add_argument("--oui", action="store_true", help="confirme sans poser la question")

    def _progression(self, fait: int, total: int) -> None:
        # On a terminal only: one line rewritten page after page.
        if total > 1 and self.stderr.isatty():
            fin = "\n" if fait >= total else ""
            self.stderr.write(f"\rLecture de la page {fait} sur {total}", ending=fin)
            self.stderr.flush()

    def handle(self, *args: Any, **options: Any) -> None:
        user = (
            User.objects.filter(username=options["utilisateur"]).first()
            or User.objects.filter(email__iexact=options["utilisateur"]).first()
        )
        if user is None or not user.peut_ecrire:
            raise CommandError(
                f"« {options['utilisateur']} » n'est pas un agent finance : import refusé."
            )
        chemin = Path(options["fichier"])
        if not chemin.is_file():
            raise CommandError(f"Fichier introuvable : {chemin}")
        try:
            with chemin.open("rb") as flux:
                lecture = importation.deposer(flux, chemin.name, progression=self._progression)
        except ExtractionError as exc:
            raise CommandError(str(exc)) from exc
        if lecture.doublon is not None:
            conv = lecture.doublon.convention
            self.stdout.write(f"Document déjà importé : convention n° {conv.pk} ({conv}).")
            return
        donnees = dict(lecture.extraction)
        for correction in options["corriger"]:
            cle, _, valeur = correction.partition("=")
            try:
                donnees[cle.strip()] = json.loads(valeur)
            except ValueError:
                donnees[cle.strip()] = valeur
        self._afficher(donnees)
        if not options["oui"]:
            if not sys.stdin.isatty():
                self.stdout.write("Rien n'est enregistré : relancez avec --oui pour confirmer.")
                return
            if input("Confirmer l'import ? [o/N] ").strip().lower() not in {"o", "oui", "y"}:
                self.stdout.write("Import abandonné : rien n'est enregistré.")
                return
        try:
            if donnees.get("type") == "avenant":
                convention = self._convention(options.get("convention"), lecture)
                avenant = importation.confirmer_avenant(
                    lecture.sha256,
                    lecture.extension,
                    lecture.nom_original,
                    donnees,
                    convention,
                    user,
                )
                self.stdout.write(
                    f"Avenant n° {avenant.numero} rattaché à la convention n° {convention.pk}."
                )
            else:
                conv = importation.confirmer_convention(
                    lecture.sha256, lecture.extension, lecture.nom_original, donnees, _Requete(user)
                )
                self.stdout.write(f"Convention n° {conv.pk} créée (brouillon).")
        except RegleMetierError as exc:
            raise CommandError(exc.message) from exc
        except DrfValidationError as exc:
            raise CommandError(
                f"Données refusées : {json.dumps(exc.detail, ensure_ascii=False)}"
            ) from exc

    def _convention(self, pk: int | None, lecture: importation.Lecture) -> Convention:
        if pk:
            convention = Convention.objects.filter(pk=pk).first()
            if convention is None:
                raise CommandError(f"Convention n° {pk} introuvable.")
            return convention
        identifiee = importation.convention_identifiee(lecture)
        if identifiee is None:
            choix = ", ".join(f"{c.pk} ({c})" for c in lecture.candidats) or "aucune"
            raise CommandError(
                f"Convention de l'avenant non identifiée : précisez --convention (candidates : {choix})."
            )
        return identifiee

    def _afficher(self, donnees: dict[str, Any]) -> None:
        sources = donnees.get("sources") or {}
        for cle, valeur in donnees.items():
            if cle in {"sources", "alertes"}:
                continue
            texte = json.dumps(valeur, ensure_ascii=False, default=str)
            self.stdout.write(f"{cle:26} {texte}")
            for nom, source in sources.items():
                if nom == cle or nom.startswith(f"{cle}."):
                    self.stdout.write(
                        f"{'':26}   ↳ {nom}, p. {source.get('page')}, l. {source.get('ligne')} : "
                        f"« {source.get('extrait')} »"
                    )
        for alerte in donnees.get("alertes") or []:
            self.stdout.write(self.style.WARNING(f"ALERTE {alerte['code']} : {alerte['message']}"))
