"""``execution_engager`` reads only the amendments in effect (conventions: an amendment has a
life, ``brouillon`` → ``signe`` → ``publie``, and takes effect as its convention did; before,
it changes no cap and no end date). Same text as 0003 but the two reads of
``conventions_avenant``, which now require ``date_effet IS NOT NULL`` — the rule of
``Avenant.objects.en_vigueur()`` and of ``execution.ecriture``'s SQL."""

import importlib

from django.db import migrations


FONCTION = r"""
CREATE OR REPLACE FUNCTION execution_engager(
    p_convention bigint, p_annee smallint, p_date date, p_montant numeric,
    p_reference varchar, p_objet varchar, p_produit bigint, p_titulaire bigint,
    p_marche bigint, p_justification text, p_created_by bigint, p_created_at timestamptz,
    OUT engagement_id bigint, OUT code text,
    OUT ae_prevu numeric, OUT mad_ae numeric, OUT rin_ae numeric, OUT rout_ae numeric,
    OUT engage numeric, OUT reduit numeric)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    c record;
    s record;
    debut date;
    fin date;
BEGIN
    FOR essai IN 1..2 LOOP
        SELECT cv.statut, cv.prise_effet, cv.date_signature, cv.date_publication, cv.date_debut,
               cv.date_fin, cv.duree_mois INTO c
          FROM execution_lignebudget lb JOIN conventions_convention cv ON cv.id = lb.convention_id
         WHERE lb.convention_id = p_convention AND lb.annee = p_annee
           FOR UPDATE OF lb FOR KEY SHARE OF cv;
        EXIT WHEN FOUND;
        -- First movement of this convention and year: create its budget line, then lock it.
        IF essai = 2 OR NOT EXISTS (SELECT 1 FROM conventions_convention WHERE id = p_convention) THEN
            code := 'convention_inconnue';
            RETURN;
        END IF;
        INSERT INTO execution_lignebudget (convention_id, annee) VALUES (p_convention, p_annee)
            ON CONFLICT DO NOTHING;
    END LOOP;
    IF c.statut IN ('brouillon', 'suspendue', 'resiliee', 'terminee') THEN
        code := 'convention_' || c.statut;
        RETURN;
    END IF;

    SELECT
        (SELECT av.date_fin FROM conventions_avenant av
          WHERE av.convention_id = p_convention AND av.date_fin IS NOT NULL
            AND av.date_effet IS NOT NULL
          ORDER BY av.numero DESC LIMIT 1) AS fin_avenant,
        (p_produit IS NULL OR EXISTS (
            SELECT 1 FROM conventions_convention_produits cp
             WHERE cp.convention_id = p_convention AND cp.produit_id = p_produit)) AS produit_ok,
        (p_marche IS NULL OR p_titulaire IS NULL OR EXISTS (
            SELECT 1 FROM execution_marche_titulaires mt
             WHERE mt.marche_id = p_marche AND mt.titulaire_id = p_titulaire)) AS titulaire_ok,
        COALESCE(
            (SELECT la.ae FROM conventions_ligneavenant la
               JOIN conventions_avenant av ON av.id = la.avenant_id
              WHERE av.convention_id = p_convention AND av.date_effet IS NOT NULL
                AND la.annee = p_annee
              ORDER BY av.numero DESC LIMIT 1),
            (SELECT le.ae FROM conventions_ligneecheancier le
              WHERE le.convention_id = p_convention AND le.annee = p_annee),
            0) AS prevu,
        (SELECT COALESCE(SUM(t.ae), 0) FROM execution_miseadisposition t
          WHERE t.convention_id = p_convention AND t.annee = p_annee) AS mad,
        r.rin, r.rout,
        (SELECT COALESCE(SUM(t.montant), 0) FROM execution_engagement t
          WHERE t.convention_id = p_convention AND t.annee = p_annee) AS engage,
        (SELECT COALESCE(SUM(t.montant), 0) FROM execution_reduction t
          WHERE t.convention_id = p_convention AND t.annee = p_annee) AS reduit
      FROM (SELECT COALESCE(SUM(t.ae) FILTER (WHERE t.annee = p_annee - 1), 0) AS rin,
                   COALESCE(SUM(t.ae) FILTER (WHERE t.annee = p_annee), 0) AS rout
              FROM execution_report t
             WHERE t.convention_id = p_convention AND t.annee IN (p_annee - 1, p_annee)) r
      INTO s;
    ae_prevu := s.prevu; mad_ae := s.mad; rin_ae := s.rin; rout_ae := s.rout;
    engage := s.engage; reduit := s.reduit;

    -- Convention.date_prise_effet and date_fin_consolidee (months clamped to the month's end,
    -- as conventions.models.ajouter_mois).
    debut := CASE c.prise_effet WHEN 'publication' THEN c.date_publication
                                WHEN 'date' THEN c.date_debut
                                ELSE c.date_signature END;
    fin := COALESCE(s.fin_avenant, c.date_fin,
                    CASE WHEN c.duree_mois > 0
                         THEN (debut + make_interval(months => c.duree_mois))::date - 1 END);
    IF debut IS NULL OR p_date < debut OR p_date > fin THEN
        code := 'convention_pas_en_vigueur';
        RETURN;
    END IF;
    IF NOT s.produit_ok THEN
        code := 'produit_hors_convention';
    ELSIF NOT s.titulaire_ok THEN
        code := 'titulaire_hors_marche';
    ELSIF engage - reduit + p_montant > mad_ae + rin_ae - rout_ae THEN
        code := 'credits_insuffisants';
    ELSIF engage - reduit + p_montant > ae_prevu + rin_ae - rout_ae THEN
        code := 'ae_hors_echeancier';
    END IF;
    IF code IS NOT NULL THEN
        -- A duplicate reference is reported first, as in Python. On the accepted path the
        -- unique constraint says it (unique_violation), which spares a lookup per order.
        IF EXISTS (SELECT 1 FROM execution_engagement e WHERE e.reference = p_reference) THEN
            code := 'reference_existante';
        END IF;
    ELSE
        INSERT INTO execution_engagement (
            convention_id, annee, date, created_at, created_by_id, reference, objet, montant,
            produit_id, titulaire_id, marche_id, justification)
        VALUES (
            p_convention, p_annee, p_date, p_created_at, p_created_by, p_reference, p_objet,
            p_montant, p_produit, p_titulaire, p_marche, p_justification)
        RETURNING id INTO engagement_id;
    END IF;
END;
$$;
"""


def creer(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FONCTION, params=None)


def revenir(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        ancienne = importlib.import_module("delegations.execution.migrations.0003_engager_en_base")
        schema_editor.execute(ancienne.FONCTION, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("execution", "0005_references_chorus"),
        ("conventions", "0003_cycle_avenants_preavis"),
    ]
    operations = [migrations.RunPython(creer, revenir)]
