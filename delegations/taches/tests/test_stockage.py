"""Files produced by tasks live on the default storage: local disk, or an S3 bucket."""

from __future__ import annotations

import pytest
from django.test import Client

from delegations.taches.essais import executer_taches_en_attente
from delegations.taches.registre import lancer

from .s3 import cles, stockage_s3  # noqa: F401 - fixture
from .taches_essai import progresser

pytestmark = pytest.mark.django_db


def test_a_task_result_file_is_kept_in_the_bucket_and_downloaded_from_it(finance, stockage_s3):  # noqa: F811
    tache = lancer(progresser, finance, 1)
    executer_taches_en_attente()
    tache.refresh_from_db()
    assert cles(stockage_s3, "taches/") == [f"taches/{tache.pk}/resultat.txt"]
    client = Client()
    client.force_login(finance)
    reponse = client.get(f"/taches/{tache.pk}/fichier/")
    assert reponse.status_code == 200
    assert b"".join(reponse.streaming_content) == b"contenu produit"


def test_a_task_result_file_is_kept_on_the_local_disk_by_default(finance, settings):
    tache = lancer(progresser, finance, 1)
    executer_taches_en_attente()
    tache.refresh_from_db()
    assert (
        settings.MEDIA_ROOT / f"taches/{tache.pk}/resultat.txt"
    ).read_bytes() == b"contenu produit"
