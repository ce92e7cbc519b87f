"""Loaders that write orders already checked elsewhere (bench data, a test building a past
journal) turn the database's check of each INSERT off for their transaction only.

On PostgreSQL the trigger ``execution_engagement_plafonds`` (migration 0009) applies the
order's rules to every INSERT into ``execution_engagement``, whoever the client. Turning it off
is ``ALTER TABLE … DISABLE TRIGGER``: only the table's owner may, the table stays locked until
the transaction ends, and a rolled-back transaction turns it back on.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, transaction

DECLENCHEUR = "execution_engagement_plafonds"


def _regler(actif: bool) -> None:
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        # ALTER TABLE refuses to run while deferred checks are pending in the transaction: run
        # them now, then defer again (Django's foreign keys are DEFERRABLE INITIALLY DEFERRED).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            f"ALTER TABLE execution_engagement {'ENABLE' if actif else 'DISABLE'} "
            f"TRIGGER {DECLENCHEUR}"
        )
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def sans_controle_des_commandes() -> Iterator[None]:
    """Orders inserted in this block are not checked by the database (see the module)."""
    with transaction.atomic():
        _regler(False)
        yield
        _regler(True)
