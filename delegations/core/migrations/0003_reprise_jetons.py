"""Existing clear-text DRF tokens become hashed API keys (same key, so scripts keep working);
the clear-text rows are then deleted."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def reprendre(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    JetonAPI = apps.get_model("core", "JetonAPI")
    maintenant = timezone.now()
    for token in Token.objects.all():
        JetonAPI.objects.create(
            user_id=token.user_id,
            nom="Jeton repris (ligne de commande)",
            prefixe=token.key[:8],
            empreinte=hashlib.sha256(token.key.encode()).hexdigest(),
            cree_le=token.created,
            expire_le=maintenant + timedelta(days=settings.API_TOKEN_DAYS),
        )
    Token.objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0002_jetonapi"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(reprendre, migrations.RunPython.noop)]
