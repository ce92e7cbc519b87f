"""Schedule lines (the caps) change only through the register's write path (issue 17, point 9).

On PostgreSQL a trigger on ``conventions_ligneecheancier`` and ``conventions_ligneavenant``
refuses INSERT, UPDATE and DELETE unless the transaction-local setting
``delegations.ecriture_avenant`` is on (``conventions.ecriture.ecriture_echeancier``, used by
``enregistrer_convention`` and the amendment functions), or the line belongs to a convention still
in draft (a draft convention is written freely) or to an amendment still in draft. A signed
convention's schedule therefore changes only by amendment, and a signed amendment never.
"""

from django.db import migrations

FONCTION = r"""
CREATE OR REPLACE FUNCTION conventions_echeancier_garde() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    avant varchar := 'brouillon';
    apres varchar := 'brouillon';
BEGIN
    IF current_setting('delegations.ecriture_avenant', true) = 'on' THEN
        RETURN COALESCE(NEW, OLD);
    END IF;
    -- The status of the line's convention (or amendment), before and after the change.
    IF TG_TABLE_NAME = 'conventions_ligneecheancier' THEN
        IF TG_OP <> 'INSERT' THEN
            SELECT cv.statut INTO avant FROM conventions_convention cv WHERE cv.id = OLD.convention_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT cv.statut INTO apres FROM conventions_convention cv WHERE cv.id = NEW.convention_id;
        END IF;
    ELSE
        IF TG_OP <> 'INSERT' THEN
            SELECT av.statut INTO avant FROM conventions_avenant av WHERE av.id = OLD.avenant_id;
        END IF;
        IF TG_OP <> 'DELETE' THEN
            SELECT av.statut INTO apres FROM conventions_avenant av WHERE av.id = NEW.avenant_id;
        END IF;
    END IF;
    IF avant IS DISTINCT FROM 'brouillon' OR apres IS DISTINCT FROM 'brouillon' THEN
        RAISE EXCEPTION 'Échéancier (%) : une ligne d''une convention signée ne change que par avenant, celle d''un avenant signé jamais.', TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN COALESCE(NEW, OLD);
END;
$$;
"""

TABLES = ["conventions_ligneecheancier", "conventions_ligneavenant"]


def creer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FONCTION, params=None)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_garde BEFORE INSERT OR UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION conventions_echeancier_garde();", params=None)


def supprimer(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_garde ON {table};", params=None)
    schema_editor.execute("DROP FUNCTION IF EXISTS conventions_echeancier_garde();", params=None)


class Migration(migrations.Migration):
    dependencies = [("conventions", "0007_convention_comite_mi_parcours")]
    operations = [migrations.RunPython(creer, supprimer)]
