"""``make bench``: run every app's ``bench.run()`` and print the figures (never assertions)."""

from __future__ import annotations

import importlib
import os
import sys
import time


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "delegations.settings")
    import django

    django.setup()
    from django.apps import apps

    seules = set(sys.argv[1:])
    for config in apps.get_app_configs():
        if not config.name.startswith("delegations.") or (seules and config.label not in seules):
            continue
        try:
            module = importlib.import_module(f"{config.name}.bench")
        except ModuleNotFoundError as exc:
            if exc.name == f"{config.name}.bench":
                continue
            raise
        print(f"\n=== {config.verbose_name} ({config.label}) ===", flush=True)
        debut = time.perf_counter()
        module.run()
        print(f"(durée du banc : {time.perf_counter() - debut:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
