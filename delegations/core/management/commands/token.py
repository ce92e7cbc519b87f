from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from rest_framework.authtoken.models import Token

from delegations.core.models import User


class Command(BaseCommand):
    help = "Crée un nouveau jeton d'API pour l'utilisateur (l'ancien est révoqué) et l'affiche sur la dernière ligne."

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
            Token.objects.filter(user=user).delete()
            token = Token.objects.create(user=user)
        self.stdout.write(f"Jeton d'API de {user.username} (l'ancien est révoqué) :")
        self.stdout.write(token.key)
