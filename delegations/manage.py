"""The ``delegations`` command: the project's manage.py, installed as a console script."""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delegations.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import InterfaceError, OperationalError

    try:
        # Read the settings first: Django would hide their error behind another one.
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018
        execute_from_command_line(argv if argv is not None else sys.argv)
    except ImproperlyConfigured as exc:
        # Settings read from the environment say what is wrong in French: no traceback.
        sys.stderr.write(f"Configuration invalide : {exc}\n")
        sys.exit(2)
    except (OperationalError, InterfaceError) as exc:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.stderr.write(
            "La base de données est injoignable : vérifiez qu'elle est démarrée et que "
            f"DATABASE_URL est juste.\n({detail})\n"
        )
        sys.exit(1)


if __name__ == "__main__":
    main()
