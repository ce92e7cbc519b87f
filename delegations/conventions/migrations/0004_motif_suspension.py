"""The reason of a suspension becomes a code on the convention (``MotifSuspension``).

Conventions suspended before this migration get theirs from the last suspension of their action
log, once: the execution wrote « crédits insuffisants — délégant informé » as its motif.
"""

from django.db import migrations, models

ANCIEN_MOTIF = "crédits insuffisants — délégant informé"


def remplir(apps, schema_editor):
    Convention = apps.get_model("conventions", "Convention")
    ActionLog = apps.get_model("core", "ActionLog")
    ContentType = apps.get_model("contenttypes", "ContentType")
    type_convention = ContentType.objects.filter(app_label="conventions", model="convention").first()
    for convention in Convention.objects.filter(statut="suspendue"):
        suspension = None
        if type_convention is not None:
            suspension = (
                ActionLog.objects.filter(
                    content_type=type_convention, object_id=convention.pk, action="suspendre"
                )
                .order_by("-created_at", "-id")
                .first()
            )
        motif = (suspension.changes or {}).get("motif") if suspension is not None else None
        convention.motif_suspension = (
            "credits_insuffisants" if motif == ANCIEN_MOTIF else "autre"
        )
        convention.save(update_fields=["motif_suspension"])


class Migration(migrations.Migration):
    dependencies = [
        ("conventions", "0003_cycle_avenants_preavis"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="convention",
            name="motif_suspension",
            field=models.CharField(
                blank=True,
                choices=[
                    ("credits_insuffisants", "Crédits insuffisants — délégant informé"),
                    ("autre", "Autre motif"),
                ],
                max_length=30,
                verbose_name="motif de la suspension",
            ),
        ),
        migrations.RunPython(remplir, migrations.RunPython.noop),
    ]
