"""The S3 bucket settings every unit shares: no public access, TLS only, encryption on.

Units create their buckets through these rather than restating the settings, or importing one another.
"""

from __future__ import annotations

from typing import Any

from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct


def private_bucket(scope: Construct, construct_id: str, **options: Any) -> s3.Bucket:
    """S3-managed keys: server access logs cannot be delivered to an SSE-KMS bucket."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        **options,
    )


def encrypted_bucket(
    scope: Construct, construct_id: str, *, key: kms.IKey, access_logs: s3.IBucket, prefix: str, **options: Any
) -> s3.Bucket:
    """Versioned and encrypted with `key`; its server access logs go to `access_logs` under `prefix`."""
    return s3.Bucket(
        scope,
        construct_id,
        encryption=s3.BucketEncryption.KMS,
        encryption_key=key,
        bucket_key_enabled=True,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        server_access_logs_bucket=access_logs,
        server_access_logs_prefix=prefix,
        **options,
    )
