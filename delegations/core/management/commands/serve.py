"""Production server: gunicorn with WEB_CONCURRENCY workers, static files by whitenoise."""

from __future__ import annotations

import os
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Sert l'application avec gunicorn (WEB_CONCURRENCY processus, fichiers statiques par whitenoise)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
        except ValueError as exc:
            raise CommandError("WEB_CONCURRENCY doit être un entier.") from exc
        call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.wsgiapp import WSGIApplication

        bind = f"{options['host']}:{options['port']}"
        self.stdout.write(f"Délégations sur http://{bind} ({workers} processus)")
        argv = [
            "gunicorn",
            "delegations.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        import sys

        sys.argv = argv
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
