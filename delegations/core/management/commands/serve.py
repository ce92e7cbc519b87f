"""Production server: gunicorn with WEB_CONCURRENCY workers, static files by whitenoise, and one
task worker beside it (``--sans-worker`` when workers run elsewhere)."""

from __future__ import annotations

import atexit
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser


def statiques_perimes() -> bool:
    """Whether the collected static files are missing or older than a source file: collecting
    and compressing every file takes minutes on a busy machine, so a start does it only when a
    static file changed (``make install`` collects them once)."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    manifeste = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifeste.exists():
        return True
    collecte = manifeste.stat().st_mtime
    for finder in get_finders():
        for chemin, stockage in finder.list([]):
            if Path(stockage.path(chemin)).stat().st_mtime > collecte:
                return True
    return False


class Command(BaseCommand):
    help = (
        "Sert l'application avec gunicorn (WEB_CONCURRENCY processus, fichiers statiques par "
        "whitenoise) et un processus de traitement des tâches longues à côté."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument(
            "--sans-worker",
            action="store_true",
            help="Ne démarre pas de processus de traitement (ils tournent à part : "
            "« delegations worker », sur cette machine ou d'autres).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
        except ValueError as exc:
            raise CommandError("WEB_CONCURRENCY doit être un entier.") from exc
        if statiques_perimes():
            self.stdout.write("Préparation des fichiers statiques (collectstatic)…")
            call_command("collectstatic", interactive=False, verbosity=0)
        from gunicorn.app.wsgiapp import WSGIApplication

        bind = f"{options['host']}:{options['port']}"
        message = f"Délégations sur http://{bind} ({workers} processus"
        if not options["sans_worker"]:
            # The worker follows this process: it stops when gunicorn's arbiter exits.
            travailleur = subprocess.Popen(  # noqa: S603 - our own command line
                [
                    sys.executable,
                    "-m",
                    "delegations.manage",
                    "worker",
                    "--processes",
                    "1",
                    "--suivre-parent",
                    str(os.getpid()),
                ]
            )

            def arreter() -> None:
                if travailleur.poll() is None:
                    travailleur.terminate()
                    try:
                        travailleur.wait(timeout=30)
                    except subprocess.TimeoutExpired:
                        travailleur.kill()

            atexit.register(arreter)
            message += " web, 1 processus de traitement"
        self.stdout.write(message + ")")
        sys.argv = [
            "gunicorn",
            "delegations.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
        ]
        WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]").run()
