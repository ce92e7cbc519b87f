"""On PostgreSQL, the journal tables refuse UPDATE and DELETE (append-only, whatever the client)."""

from django.db import migrations

TABLES = [
    "execution_miseadisposition", "execution_engagement", "execution_servicefait", "execution_paiement",
    "execution_report", "execution_reduction", "execution_informationdelegant",
    "execution_propositionservicefait", "execution_rejetproposition",
]

FONCTION = """
CREATE OR REPLACE FUNCTION execution_journal_immuable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal des mouvements (%) ne se modifie ni ne se supprime : enregistrez un mouvement correctif.', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
"""


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FONCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_immuable BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION execution_journal_immuable();")


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_immuable ON {table};")
    schema_editor.execute("DROP FUNCTION IF EXISTS execution_journal_immuable();")


class Migration(migrations.Migration):
    dependencies = [("execution", "0001_initial")]
    operations = [migrations.RunPython(creer, supprimer)]
