"""A local HTTP server that answers like OpenSearch's bulk, index-creation and security APIs,
and records every request (with its signature headers) for the tests to inspect."""

from __future__ import annotations

import importlib
import json
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from {{ cookiecutter.package_name }}.search import infrastructure as search_unit


def load_function(module: str):
    """A search function's module, imported as Lambda does: its folder is the import root."""
    if str(search_unit.RUNTIME) not in sys.path:
        sys.path.insert(0, str(search_unit.RUNTIME))
    return importlib.import_module(module)


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class FakeOpenSearch:
    documents: dict[str, dict[str, dict]] = field(default_factory=dict)  # index -> id -> source
    requests: list[Recorded] = field(default_factory=list)
    rejected_ids: set[str] = field(default_factory=set)  # bulk items answered with 429
    unavailable: bool = False  # every request answered with 503
    url: str = ""

    def answer(self, method: str, path: str, body: bytes) -> tuple[int, dict]:
        if method == "PUT" and path.startswith("/cloudformation-response"):
            return 200, {}
        if self.unavailable:
            return 503, {"error": "unavailable"}
        if method == "POST" and path == "/_bulk":
            return 200, self._bulk(body)
        if method == "PUT" and path.startswith("/_plugins/_security/api/"):
            return 200, {"status": "OK"}
        if method == "PUT" and path.count("/") == 1:
            index = path[1:]
            if index in self.documents:
                return 400, {"error": {"type": "resource_already_exists_exception", "index": index}}
            self.documents[index] = {}
            return 200, {"acknowledged": True, "index": index}
        return 404, {"error": f"no route for {method} {path}"}

    def _bulk(self, body: bytes) -> dict:
        lines = [json.loads(line) for line in body.decode().splitlines() if line.strip()]
        items, errors, position = [], False, 0
        while position < len(lines):
            (operation, target), = lines[position].items()
            index, doc_id = target["_index"], target["_id"]
            position += 1
            docs = self.documents.setdefault(index, {})
            if doc_id in self.rejected_ids:
                status, errors = 429, True
                position += 1 if operation == "index" else 0
            elif operation == "index":
                status = 200 if doc_id in docs else 201
                docs[doc_id] = lines[position]
                position += 1
            elif operation == "delete":
                status = 200 if docs.pop(doc_id, None) is not None else 404
            else:
                raise AssertionError(f"unexpected bulk operation {operation}")
            items.append({operation: {"_index": index, "_id": doc_id, "status": status}})
        return {"took": 1, "errors": errors, "items": items}


def start(fake: FakeOpenSearch) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            fake.requests.append(Recorded(self.command, self.path, dict(self.headers.items()), body))
            status, answer = fake.answer(self.command, self.path.split("?")[0], body)
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

