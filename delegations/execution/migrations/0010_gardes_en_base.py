"""The database guards the money whatever the client (issue 17, point 9; ADR 0004).

- An INSERT into ``execution_engagement`` is checked by ``execution_controle_engagement``
  (migration 0008), the function ``execution_engager`` calls: the order's rules live once, and
  a direct INSERT above a cap (availability, schedule, committee) or on a convention not in force
  raises ``check_violation`` with the refusal's code in the message.
- The journal tables refuse TRUNCATE (a statement trigger), unless the transaction sets
  ``delegations.purge`` — the test runner's flush, a restore into an empty database.

Row triggers do not fire on TRUNCATE, hence the statement trigger; UPDATE and DELETE are
refused by migration 0002 (and 0005).
"""

from django.db import migrations

JOURNAL = [
    "execution_miseadisposition", "execution_engagement", "execution_servicefait", "execution_paiement",
    "execution_report", "execution_reduction", "execution_informationdelegant",
    "execution_propositionservicefait", "execution_rejetproposition",
    "execution_decisionfincommande", "execution_restitution",
]

FONCTIONS = r"""
CREATE OR REPLACE FUNCTION execution_engagement_controle() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    refus text;
BEGIN
    SELECT k.code INTO refus
      FROM execution_controle_engagement(NEW.convention_id, NEW.annee, NEW.date, NEW.montant,
                                         NEW.reference, NEW.produit_id, NEW.titulaire_id,
                                         NEW.marche_id) k;
    IF refus IS NOT NULL THEN
        RAISE EXCEPTION 'Bon de commande % refusé par la base : %', NEW.reference, refus
            USING ERRCODE = 'check_violation', DETAIL = refus;
    END IF;
    RETURN NEW;
END;
$$;

CREATE OR REPLACE FUNCTION execution_journal_sans_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('delegations.purge', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'Le journal des mouvements (%) ne se vide pas : enregistrez des mouvements correctifs.', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
"""


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FONCTIONS, params=None)
    schema_editor.execute(
        "CREATE TRIGGER execution_engagement_plafonds BEFORE INSERT ON execution_engagement "
        "FOR EACH ROW EXECUTE FUNCTION execution_engagement_controle();", params=None)
    for table in JOURNAL:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_sans_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION execution_journal_sans_truncate();", params=None)


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "DROP TRIGGER IF EXISTS execution_engagement_plafonds ON execution_engagement;", params=None)
    for table in JOURNAL:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_sans_truncate ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS execution_engagement_controle();", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS execution_journal_sans_truncate();", params=None)


class Migration(migrations.Migration):
    dependencies = [("execution", "0009_limites_produit")]
    operations = [migrations.RunPython(creer, supprimer)]
