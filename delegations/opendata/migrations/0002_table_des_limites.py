"""The table of the per-address counters of public URLs (cache alias ``limites``)."""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def creer(apps: Any, schema_editor: Any) -> None:
    # No table name: every database cache of CACHES gets its table (``delegations_limites``).
    call_command("createcachetable", database=schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("opendata", "0001_publication")]

    operations = [migrations.RunPython(creer, migrations.RunPython.noop)]
