"""A local HTTP server that answers like OpenSearch's bulk, index-creation and security APIs,
and records every request (with its signature headers) for the tests to inspect.

It is as strict as OpenSearch where the functions could go wrong: a bulk body is newline-terminated
NDJSON of action/metadata lines, each `index` or `create` followed by its document; security
resources accept only their documented fields, and a role mapping needs its role. Errors have
OpenSearch's documented shapes (`{"error": {"root_cause", "type", "reason"}, "status"}` for the
document APIs, `{"status", "message"}` for the security plugin).
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .lambda_import import import_runtime

RUNTIME_PACKAGE = "{{ cookiecutter.package_name }}.search.runtime"

SECURITY_API = "/_plugins/_security/api"
ROLE_FIELDS = {"cluster_permissions", "index_permissions", "tenant_permissions", "description", "hidden", "reserved"}
INDEX_PERMISSION_FIELDS = {"index_patterns", "allowed_actions", "dls", "fls", "masked_fields"}
MAPPING_FIELDS = {"users", "backend_roles", "and_backend_roles", "hosts", "description", "hidden", "reserved"}
BULK_ACTIONS = ("create", "delete", "index", "update")
NDJSON_TYPES = ("application/x-ndjson", "application/json")


def load_function(module: str):
    """A search function's module; its sibling `opensearch_http` resolves by its short name, as in Lambda."""
    return import_runtime(RUNTIME_PACKAGE, "opensearch_http", module)[module]


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


def document_error(status: int, kind: str, reason: str, **extra) -> tuple[int, dict]:
    """The error body of OpenSearch's document and index APIs."""
    cause = {"type": kind, "reason": reason, **extra}
    return status, {"error": {"root_cause": [cause], **cause}, "status": status}


def security_error(status: int, word: str, message: str) -> tuple[int, dict]:
    """The error body of the security plugin's REST API."""
    return status, {"status": word, "message": message}


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


class BulkRefusedError(Exception):
    """A bulk body OpenSearch refuses as a whole (400 illegal_argument_exception)."""


@dataclass
class FakeOpenSearch:
    documents: dict[str, dict[str, dict]] = field(default_factory=dict)  # index -> id -> source
    roles: dict[str, dict] = field(default_factory=dict)  # the security plugin's roles, by name
    roles_mapping: dict[str, dict] = field(default_factory=dict)  # role name -> mapping
    requests: list[Recorded] = field(default_factory=list)
    rejected_ids: set[str] = field(default_factory=set)  # bulk items answered with 429
    unavailable: bool = False  # every request answered with 503
    url: str = ""

    def answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict]:
        if method == "PUT" and path.startswith("/cloudformation-response"):
            return 200, {}
        if self.unavailable:
            return 503, {"message": "No server available to handle the request"}
        content_type = {k.lower(): v for k, v in headers.items()}.get("content-type", "").split(";")[0].strip()
        if method == "POST" and path == "/_bulk":
            if content_type not in NDJSON_TYPES:
                return 406, {"error": f"Content-Type header [{content_type}] is not supported", "status": 406}
            try:
                return 200, self._bulk(body)
            except BulkRefusedError as refused:
                return document_error(400, "illegal_argument_exception", str(refused))
        if method == "PUT" and body and content_type != "application/json":
            return 406, {"error": f"Content-Type header [{content_type}] is not supported", "status": 406}
        if method == "PUT" and path.startswith(f"{SECURITY_API}/"):
            return self._security(path[len(SECURITY_API) + 1 :], body)
        if method == "PUT" and path.count("/") == 1:
            return self._create_index(path[1:], body)
        return document_error(404, "no_handler_found", f"no handler found for uri [{path}] and method [{method}]")

    def _create_index(self, index: str, body: bytes) -> tuple[int, dict]:
        if len(index.encode()) > 255:
            reason = f"Invalid index name [{index}], index name is too long"
            return document_error(400, "invalid_index_name_exception", reason)
        if index in self.documents:
            return document_error(
                400, "resource_already_exists_exception", f"index [{index}/uuid] already exists", index=index
            )
        settings = json.loads(body) if body else {}
        unknown = set(settings) - {"settings", "mappings", "aliases"}
        if unknown:
            return document_error(400, "parse_exception", f"unknown key [{sorted(unknown)[0]}] for create index")
        self.documents[index] = {}
        return 200, {"acknowledged": True, "shards_acknowledged": True, "index": index}

    def _security(self, resource: str, body: bytes) -> tuple[int, dict]:
        kind, _, name = resource.partition("/")
        try:
            content = json.loads(body)
        except ValueError:
            return security_error(400, "BAD_REQUEST", "Unable to parse content of request.")
        if not name or not isinstance(content, dict):
            return security_error(400, "BAD_REQUEST", "Request body required for this action.")
        if kind == "roles":
            store, unknown = self.roles, set(content) - ROLE_FIELDS
            for permission in content.get("index_permissions", []):
                unknown |= set(permission) - INDEX_PERMISSION_FIELDS
                if not {"index_patterns", "allowed_actions"} <= set(permission):
                    reason = "index_permissions need index_patterns and allowed_actions"
                    return security_error(400, "BAD_REQUEST", reason)
        elif kind == "rolesmapping":
            store, unknown = self.roles_mapping, set(content) - MAPPING_FIELDS
            lists = ("users", "backend_roles", "and_backend_roles", "hosts")
            wrong = sorted(k for k in lists if k in content and not _strings(content[k]))
            if wrong:
                return security_error(400, "BAD_REQUEST", f"Invalid configuration: wrong datatypes {wrong}")
            if name not in self.roles:
                return security_error(404, "NOT_FOUND", f"role '{name}' is not available for role-mapping.")
        else:
            return security_error(400, "BAD_REQUEST", f"unknown security resource '{kind}'")
        if unknown:
            return security_error(400, "BAD_REQUEST", f"Invalid configuration: unknown keys {sorted(unknown)}")
        created = name not in store
        store[name] = content
        if created:
            return 201, {"status": "CREATED", "message": f"'{name}' created."}
        return 200, {"status": "OK", "message": f"'{name}' updated."}

    def _bulk(self, body: bytes) -> dict:
        text = body.decode()
        if not text.endswith("\n"):
            raise BulkRefusedError("The bulk request must be terminated by a newline [\\n]")
        lines = text[:-1].split("\n")
        items, errors, position = [], False, 0
        while position < len(lines):
            number = position + 1
            try:
                action = json.loads(lines[position])
            except ValueError as error:
                raise BulkRefusedError(f"Malformed action/metadata line [{number}]: {error}") from None
            if not isinstance(action, dict) or len(action) != 1 or next(iter(action)) not in BULK_ACTIONS:
                found = next(iter(action)) if isinstance(action, dict) and action else action
                raise BulkRefusedError(
                    f"Malformed action/metadata line [{number}], expected field [create], [delete], "
                    f"[index] or [update] but found [{found}]"
                )
            ((operation, target),) = action.items()
            index, doc_id = target.get("_index"), target.get("_id")
            if not index:
                raise BulkRefusedError("Validation Failed: 1: index is missing;")
            position += 1
            source = None
            if operation != "delete":
                if position >= len(lines) or not lines[position].strip():
                    reason = f"source is missing for the {operation} at line [{number}]"
                    raise BulkRefusedError(f"Validation Failed: 1: {reason};")
                source = json.loads(lines[position])
                position += 1
            items.append({operation: self._bulk_item(operation, index, doc_id, source)})
            errors = errors or "error" in items[-1][operation]
        return {"took": 1, "errors": errors, "items": items}

    def _bulk_item(self, operation: str, index: str, doc_id: str, source: dict | None) -> dict:
        docs = self.documents.setdefault(index, {})
        outcome = {"_index": index, "_id": doc_id}
        if doc_id in self.rejected_ids:
            reason = "rejected execution of coordinating operation"
            return {**outcome, "status": 429, "error": {"type": "rejected_execution_exception", "reason": reason}}
        if operation == "delete":
            found = docs.pop(doc_id, None) is not None
            return {**outcome, "result": "deleted" if found else "not_found", "status": 200 if found else 404}
        if operation == "index":
            existed = doc_id in docs
            docs[doc_id] = source
            return {**outcome, "result": "updated" if existed else "created", "status": 200 if existed else 201}
        raise AssertionError(f"the fake does not model bulk {operation}")


def start(fake: FakeOpenSearch) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = dict(self.headers.items())
            path = self.requestline.split()[1]  # as sent: http.server folds a leading "//" in self.path
            fake.requests.append(Recorded(self.command, path, headers, body))
            status, answer = fake.answer(self.command, path.split("?")[0], headers, body)
            payload = json.dumps(answer).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815 (http.server's naming)

        def log_message(self, *args) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
