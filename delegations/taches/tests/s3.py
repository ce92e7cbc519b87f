"""An S3-compatible bucket for the tests: moto in server mode, on the loopback, per test."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests


@pytest.fixture
def stockage_s3(settings: Any) -> Iterator[Any]:
    """Switch the default storage to a fresh bucket served by moto; yields a boto3 client."""
    boto3 = pytest.importorskip("boto3")
    serveur_moto = pytest.importorskip("moto.server")
    serveur = serveur_moto.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    serveur.start()
    try:
        hote, port = serveur.get_host_and_port()
        endpoint = f"http://{hote}:{port}"
        # moto keeps its buckets per Python process: start each test from an empty account.
        requests.post(f"{endpoint}/moto-api/reset", timeout=10).raise_for_status()
        identifiants = {
            "aws_access_key_id": "essai",
            "aws_secret_access_key": "essai",
            "region_name": "eu-west-3",
        }
        client = boto3.client("s3", endpoint_url=endpoint, **identifiants)
        client.create_bucket(
            Bucket="delegations-essai",
            CreateBucketConfiguration={"LocationConstraint": "eu-west-3"},
        )
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "delegations-essai",
                    "endpoint_url": endpoint,
                    "region_name": "eu-west-3",
                    "access_key": "essai",
                    "secret_key": "essai",
                    "default_acl": "private",
                    "querystring_auth": True,
                    "file_overwrite": False,
                },
            },
        }
        # Nothing must land on the local disk while the bucket is the storage.
        settings.MEDIA_ROOT = "/nonexistent-media-root"
        yield client
    finally:
        serveur.stop()


def cles(client: Any, prefixe: str = "") -> list[str]:
    reponse = client.list_objects_v2(Bucket="delegations-essai", Prefix=prefixe)
    return sorted(o["Key"] for o in reponse.get("Contents", []))
