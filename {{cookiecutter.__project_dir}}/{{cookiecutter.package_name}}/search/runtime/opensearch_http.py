"""A small SigV4-signed HTTP client for the OpenSearch REST API (standard library + botocore,
both in the Lambda runtime), shared by the indexer and the security setup."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

import boto3
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest

TIMEOUT_SECONDS = 20


def call(method: str, path: str, body: Any = None, *, ndjson: list[dict] | None = None) -> tuple[int, Any]:
    """Send one signed request to OPENSEARCH_ENDPOINT; return (status, parsed JSON body)."""
    url = os.environ["OPENSEARCH_ENDPOINT"].rstrip("/") + path
    if ndjson is not None:
        data = ("\n".join(json.dumps(line, separators=(",", ":")) for line in ndjson) + "\n").encode()
        content_type = "application/x-ndjson"
    else:
        data = None if body is None else json.dumps(body).encode()
        content_type = "application/json"
    session = boto3.Session()
    signed = AWSRequest(method=method, url=url, data=data, headers={"Content-Type": content_type})
    SigV4Auth(session.get_credentials(), "es", session.region_name or os.environ["AWS_REGION"]).add_auth(signed)
    request = urllib.request.Request(url, data=data, headers=dict(signed.headers.items()), method=method)
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310 (https endpoint)
            return answer.status, _json(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, _json(error.read())


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return {"raw": raw.decode(errors="replace")}
