from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from delegations.core.models import JetonAPI, User, journaliser

NOM = "Ligne de commande"


class Command(BaseCommand):
    help = (
        "Crée un nouveau jeton d'API pour l'utilisateur (le précédent jeton créé par cette "
        "commande est révoqué) et l'affiche sur la dernière ligne."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username", help="identifiant ou adresse électronique")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["username"]
        user = (
            User.objects.filter(username=name).first()
            or User.objects.filter(email__iexact=name).first()
        )
        if user is None:
            raise CommandError(f"Utilisateur inconnu : « {name} ».")
        with transaction.atomic():
            JetonAPI.objects.actifs().filter(user=user, nom=NOM).update(revoque_le=timezone.now())
            jeton, cle = JetonAPI.creer(user, NOM)
            journaliser(jeton, None, "jeton_api_cree", f"Jeton d'API {jeton.prefixe}… (commande)")
        self.stdout.write(
            f"Jeton d'API de {user.username} (l'ancien est révoqué ; expire le "
            f"{timezone.localtime(jeton.expire_le):%d/%m/%Y}) :"
        )
        self.stdout.write(cle)
