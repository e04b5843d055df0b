"""The items service end to end over HTTP against local DynamoDB (DAX off), and its DAX wiring."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from fastapi.testclient import TestClient
from items_service import healthcheck, jsonlog
from items_service.identity import UserPoolTokens, owner_from_auth_provider
from items_service.main import configure_logging, create_app
from items_service.store import ItemStore

from .conftest import RUNTIME_DIR, closed_port

POOL = "cognito-idp.us-east-1.amazonaws.com/us-east-1_Example"
APPSYNC_ROLE = "arn:aws:sts::111111111111:assumed-role/appsync-http-resolver/APPSYNC_ASSUME_ROLE"


def appsync_headers(token: str) -> dict[str, str]:
    """What API Gateway forwards for a call AppSync's HTTP resolver signed, with the user's token."""
    return {"x-caller-arn": APPSYNC_ROLE, "x-user-token": token}


@pytest.fixture(autouse=True)
def restored_logging():
    """Tests that configure logging leave the root logger and uvicorn's as they found them."""
    loggers = [logging.getLogger(name) for name in ("", "uvicorn", "uvicorn.error", "uvicorn.access")]
    saved = [(logger.handlers[:], logger.level, logger.propagate) for logger in loggers]
    yield
    for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.propagate = handlers, propagate
        logger.setLevel(level)


@pytest.fixture
def as_user(user_pool):
    """The headers of a call AppSync makes for the named user (signed in to the local user pool)."""
    return lambda name: appsync_headers(user_pool.sign_in(name).access_token)


@pytest.fixture
def sub(user_pool):
    return lambda name: user_pool.sign_in(name).sub


def identity_pool_headers(sub: str) -> dict[str, str]:
    """What API Gateway forwards for a call signed with a Cognito identity-pool user's credentials."""
    return {
        "x-caller-arn": "arn:aws:sts::111111111111:assumed-role/authenticated/CognitoIdentityCredentials",
        "x-caller-auth-provider": f"{POOL},{POOL}:CognitoSignIn:{sub}",
    }


@pytest.fixture
def client(local_environment, behind_api_gateway):
    store = ItemStore.from_environment(local_environment)
    tokens = UserPoolTokens.from_environment(local_environment)
    with TestClient(create_app(store, tokens)) as test_client:
        yield behind_api_gateway(test_client)


def test_health_answers_without_identity(client):
    assert client.get("/health").json() == {"status": "ok"}


def test_no_api_documentation_is_served(client):
    """The routes answer only signed callers; generated docs would describe them to anyone."""
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert client.get(path).status_code == 404, path


def test_items_are_created_read_updated_listed_and_deleted_per_owner(client, local_environment, as_user, sub):
    alice = as_user("alice")
    created = client.post("/items", json={"name": "first", "description": "one", "price": 4.5}, headers=alice)
    assert created.status_code == 201
    item = created.json()
    assert item["owner"] == sub("alice") and item["name"] == "first" and item["price"] == 4.5

    assert client.get(f"/items/{item['id']}", headers=alice).json() == item
    body = {"name": "a", "description": "two", "price": 6.0}
    described = client.put(f"/items/{item['id']}", json=body, headers=alice).json()
    assert {key: described[key] for key in body} == body
    updated = client.put(f"/items/{item['id']}", json={"name": "renamed", "price": 5}, headers=alice).json()
    assert updated["name"] == "renamed" and updated["description"] is None and updated["price"] == 5.0
    assert [i["id"] for i in client.get("/items", headers=alice).json()["items"]] == [item["id"]]

    # Stored under the table's key layout that the GraphQL side shares.
    raw = ItemStore.from_environment(local_environment).table.get_item(
        Key={"pk": f"USER#{sub('alice')}", "sk": f"ITEM#{item['id']}"}
    )
    assert raw["Item"]["name"] == "renamed" and "description" not in raw["Item"]

    assert client.delete(f"/items/{item['id']}", headers=alice).status_code == 204
    assert client.get(f"/items/{item['id']}", headers=alice).status_code == 404


def test_an_owner_never_sees_or_changes_another_owners_items(client, as_user):
    item = client.post("/items", json={"name": "private", "price": 1}, headers=as_user("alice")).json()
    bob = as_user("bob")
    assert client.get("/items", headers=bob).json() == {"items": []}
    assert client.get(f"/items/{item['id']}", headers=bob).status_code == 404
    assert client.put(f"/items/{item['id']}", json={"name": "x", "price": 1}, headers=bob).status_code == 404
    assert client.delete(f"/items/{item['id']}", headers=bob).status_code == 404


def test_recommendations_are_the_callers_most_recently_changed_items(client, as_user):
    headers = as_user("alice")

    def written(response: httpx.Response) -> dict:
        time.sleep(0.002)  # the next write gets a later millisecond: the order below is the writes' order
        return response.json()

    first = written(client.post("/items", json={"name": "lamp", "price": 20}, headers=headers))
    second = written(client.post("/items", json={"name": "desk", "price": 90}, headers=headers))
    third = written(client.post("/items", json={"name": "chair", "price": 45}, headers=headers))
    written(client.put(f"/items/{first['id']}", json={"name": "warm lamp", "price": 20}, headers=headers))
    client.post("/items", json={"name": "not hers", "price": 1}, headers=as_user("bob"))

    answer = client.get("/recommendations", params={"limit": 5}, headers=headers)
    assert answer.status_code == 200
    assert answer.json() == {
        "recommendations": [
            {"itemId": first["id"], "score": 1.0, "reason": "recently changed: warm lamp"},
            {"itemId": third["id"], "score": 0.5, "reason": "recently changed: chair"},
            {"itemId": second["id"], "score": 0.3333, "reason": "recently changed: desk"},
        ]
    }
    assert [r["itemId"] for r in client.get("/recommendations?limit=1", headers=headers).json()["recommendations"]] == [
        first["id"]
    ]


def test_recommendations_validate_the_limit_and_need_a_user(client, as_user):
    assert client.get("/recommendations?limit=0", headers=as_user("alice")).status_code == 422
    assert client.get("/recommendations?limit=51", headers=as_user("alice")).status_code == 422
    assert client.get("/recommendations", headers={"x-caller-arn": APPSYNC_ROLE}).status_code == 403
    assert client.get("/recommendations", headers=as_user("nobody")).json() == {"recommendations": []}


def test_identity_pool_callers_act_as_themselves(client):
    item = client.post("/items", json={"name": "mine", "price": 1}, headers=identity_pool_headers("carol")).json()
    assert item["owner"] == "carol"


def test_unsigned_or_ownerless_requests_are_refused(client):
    guest = {"x-caller-arn": "arn:aws:sts::1:assumed-role/unauth/x", "x-caller-auth-provider": "graph.facebook.com"}
    refusals = {
        "unsigned": ({}, 401, "request was not signed through the API"),
        "no user": ({"x-caller-arn": APPSYNC_ROLE}, 403, "no user to act for (x-user-token missing)"),
        "guest": (guest, 403, "identity-pool caller without a user pool sign-in"),
    }
    for case, (headers, status, detail) in refusals.items():
        answer = client.get("/items", headers=headers)
        assert (answer.status_code, answer.json()) == (status, {"detail": detail}), case


def test_invalid_bodies_are_rejected(client, as_user):
    headers = as_user("alice")
    assert client.post("/items", json={}, headers=headers).status_code == 422
    assert client.post("/items", json={"name": "a"}, headers=headers).status_code == 422  # price is required
    assert client.post("/items", json={"name": "a", "price": -1}, headers=headers).status_code == 422
    assert client.post("/items", json={"name": "a", "price": 1, "owner": "bob"}, headers=headers).status_code == 422
    assert client.post("/items", json={"name": "", "price": 1}, headers=headers).status_code == 422
    assert client.post("/items", json={"name": "a", "price": "1"}, headers=headers).status_code == 422


def test_bodies_as_graphql_sends_them_are_accepted(client, as_user):
    """CreateItemInput's description is a nullable String: a client may send it as null."""
    headers = as_user("alice")
    created = client.post("/items", json={"name": "a", "description": None, "price": 0}, headers=headers)
    assert created.status_code == 201
    item_id = created.json()["id"]
    updated = client.put(f"/items/{item_id}", json={"name": "b", "description": None, "price": 2}, headers=headers)
    assert updated.status_code == 200


def test_owner_is_the_user_pool_sub_of_the_auth_provider():
    assert owner_from_auth_provider(f"{POOL},{POOL}:CognitoSignIn:1234-abcd") == "1234-abcd"
    assert owner_from_auth_provider("graph.facebook.com") is None


def test_logs_are_one_json_object_per_line():
    stream = io.StringIO()
    jsonlog.configure("INFO")
    handler = logging.getLogger().handlers[0]
    handler.setStream(stream)
    logging.getLogger("items_service").info("request", extra={"status": 200, "path": "/items"})
    entry = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert entry["message"] == "request" and entry["status"] == 200 and entry["level"] == "INFO"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z", entry["timestamp"])


def formatted(**fields) -> dict:
    """One record, created at 1970-01-01T00:00:01.5Z with `fields` as its extras, as the formatter writes it."""
    record = logging.LogRecord("items_service", logging.WARNING, __file__, 1, "stored %s", ("x",), None)
    record.created, record.msecs = 1.5, 500.0
    record.__dict__.update(fields)
    return json.loads(jsonlog.JsonFormatter().format(record))


def test_a_log_line_holds_the_record_its_extras_and_nothing_of_logging_s_own():
    entry = formatted(status=200, latency_ms=Decimal("1.5"), _internal="hidden")
    assert entry == {
        "timestamp": "1970-01-01T00:00:01.500Z",
        "level": "WARNING",
        "message": "stored x",
        "service": "items",
        "logger": "items_service",
        "status": 200,
        "latency_ms": "1.5",  # what JSON cannot hold is written as text
    }


def test_a_logged_exception_keeps_its_traceback():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("items_service", logging.ERROR, __file__, 1, "failed", (), sys.exc_info())
    entry = json.loads(jsonlog.JsonFormatter().format(record))
    assert entry["message"] == "failed" and entry["exception"].startswith("Traceback")
    assert entry["exception"].endswith("ValueError: boom")


def test_logs_go_to_stdout_at_info_unless_a_level_is_given(capsys, monkeypatch):
    """What awslogs and FireLens forward; LOG_LEVEL (the task definition's) sets the level."""
    jsonlog.configure()
    assert logging.getLogger().level == logging.INFO
    logging.getLogger("items_service").info("started")
    assert json.loads(capsys.readouterr().out)["message"] == "started"
    monkeypatch.setenv("LOG_LEVEL", "warning")
    configure_logging()
    assert logging.getLogger().level == logging.WARNING
    monkeypatch.delenv("LOG_LEVEL")
    configure_logging()
    assert logging.getLogger().level == logging.INFO


@pytest.mark.parametrize("name", ["uvicorn", "uvicorn.error", "uvicorn.access"])
def test_uvicorns_own_logs_are_written_once_as_json(name, capsys):
    own = logging.getLogger(name)
    own.addHandler(logging.StreamHandler())  # what uvicorn's default logging config would add
    own.propagate = False
    jsonlog.configure("INFO")
    own.info("server message")
    (line,) = capsys.readouterr().out.splitlines()
    assert json.loads(line)["logger"] == name and own.handlers == [] and own.propagate is True


def test_a_request_logs_one_line_in_the_lakes_log_schema(client, as_user, sub):
    stream = io.StringIO()
    jsonlog.configure("INFO")
    logging.getLogger().handlers[0].setStream(stream)
    headers = {**as_user("alice"), "x-request-id": "req-1"}
    assert client.get("/recommendations?limit=3", headers=headers).status_code == 200
    (line,) = [text for text in stream.getvalue().splitlines() if '"path"' in text]
    entry = json.loads(line)
    expected = {
        "level": "INFO",
        "message": "GET /recommendations 200",
        "service": "items",
        "request_id": "req-1",
        "method": "GET",
        "path": "/recommendations",
        "status": 200,
        "user_id": sub("alice"),
    }
    assert {key: entry[key] for key in expected} == expected
    assert isinstance(entry["latency_ms"], float) and entry["latency_ms"] >= 0
{%- if cookiecutter.__lake == "yes" %}
    from {{ cookiecutter.package_name }}.analytics.lake import log_schema

    record = log_schema.normalise(line)  # what the Glue table reads; raises on any mismatch
    assert {key: record[key] for key in expected} == expected
{%- endif %}


def _listening_port(server: subprocess.Popen, seen: list[str]) -> int:
    """The port uvicorn bound (PORT=0), from its start-up log line; the lines read are kept in `seen`."""
    for line in server.stdout:
        seen.append(line)
        started = re.search(r"Uvicorn running on http://[^:]+:(\d+)", line)
        if started:
            return int(started.group(1))
    raise AssertionError("the app exited before listening: " + "".join(seen))


def test_the_container_command_serves_checks_health_and_drains_on_sigterm(local_environment, as_user, sub):
    """`python -m items_service` as the image runs it: health check passes, SIGTERM exits cleanly."""
    environment = {**os.environ, **local_environment, "PORT": "0", "PYTHONPATH": str(RUNTIME_DIR)}
    server = subprocess.Popen(
        [sys.executable, "-m", "items_service"],
        cwd=RUNTIME_DIR,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    seen: list[str] = []
    try:
        port = _listening_port(server, seen)
        health = subprocess.run(
            [sys.executable, "-m", "items_service.healthcheck"],
            cwd=RUNTIME_DIR,
            env={**environment, "PORT": str(port)},
            timeout=30,
        )
        assert health.returncode == 0
        created = httpx.post(f"http://127.0.0.1:{port}/items", json={"name": "n", "price": 1}, headers=as_user("erin"))
        assert created.status_code == 201
    finally:
        server.send_signal(signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    assert server.returncode in (0, -signal.SIGTERM)  # uvicorn re-raises the signal once drained
    lines = [json.loads(line) for line in [*seen, *output.splitlines()] if line.strip()]
    assert any(e["message"] == "POST /items 201" and e["user_id"] == sub("erin") for e in lines)
    assert any(e["message"] == "service stopped" for e in lines)


@contextmanager
def health_server(status: int) -> Iterator[int]:
    """A local server whose /health answers `status` (any other path: 404); yields its port."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the http.server interface
            self.send_response(status if self.path == "/health" else 404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def test_the_health_check_passes_only_when_health_answers_200(monkeypatch):
    with health_server(200) as port:
        monkeypatch.setenv("PORT", str(port))
        assert healthcheck.main() == 0
    for status in (204, 503):
        with health_server(status) as port:
            monkeypatch.setenv("PORT", str(port))
            assert healthcheck.main() == 1, status


def test_the_health_check_fails_when_nothing_listens(monkeypatch):
    with closed_port() as port:
        monkeypatch.setenv("PORT", str(port))
        assert healthcheck.main() == 1


def test_the_health_check_probes_the_container_port_by_default(monkeypatch):
    """Without PORT, the port the image's app listens on by default (Dockerfile: PORT=8080)."""
    probed = []

    def refuse(url, timeout):
        probed.append(url)
        raise ConnectionRefusedError

    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.setattr(healthcheck.urllib.request, "urlopen", refuse)
    assert healthcheck.main() == 1
    assert probed == ["http://127.0.0.1:8080/health"]
