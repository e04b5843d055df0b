"""Step 2, the web client: rendered on and off, and (marked `browser`) built and driven in Chromium.

The browser test renders a project, installs its locked npm dependencies, builds it,
writes amplify_outputs.json with the project's own script from a fixture of
`cdk deploy --outputs-file`, serves web/dist on 127.0.0.1 and runs web/tests/smoke.mjs
in Debian's headless Chromium: sign-in form and client configuration, then the items
through a GraphQL API and a real-time endpoint played by the browser's request router. That
endpoint executes every document with graphql-js against the rendered project's schema.graphql
(validation and variable coercion), so a client that sends what the schema refuses fails here.
Its screenshots are kept in test-artifacts/.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from generator import answers

from .conftest import ROOT, render_with_refarch

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = ROOT / "test-artifacts"
# What web/tests/smoke.mjs expects to find on the page -> the option that turns it on.
SMOKE_FEATURES = {"search": "search", "service": "service_tier"}
GRAPHQL_DOCUMENT = re.compile(r"export const (\w+)(?:: string \| null)? = (/\* GraphQL \*/ `.*?`|null);", re.DOTALL)


def graphql_documents(project: Path) -> dict[str, str | None]:
    """The client's GraphQL documents by constant name; None where the file sets it to null."""
    text = (project / "web" / "graphql" / "operations.ts").read_text()
    return {name: None if body == "null" else body for name, body in GRAPHQL_DOCUMENT.findall(text)}


@pytest.mark.parametrize(
    ("given", "search", "service"),
    [
        ({"edition": "full"}, True, True),
        ({"edition": "minimal"}, False, False),
        ({"edition": "app", "service_tier": "no"}, True, False),
    ],
    ids=["full", "minimal", "app-service_tier:no"],
)
def test_client_sends_only_operations_the_api_offers(tmp_path, given, search, service):
    documents = graphql_documents(render_with_refarch(given, tmp_path))
    assert {"listItems", "createItem", "deleteItem", "onItemChanged"} <= {k for k, v in documents.items() if v}
    assert (documents["searchItems"] is not None) is search
    assert (documents["recommendations"] is not None) is service


def test_npm_manifest_and_lockfile_agree(tmp_path):
    project = render_with_refarch({"edition": "minimal", "project_name": "Shop Floor"}, tmp_path)
    manifest = json.loads((project / "web" / "package.json").read_text())
    lock = json.loads((project / "web" / "package-lock.json").read_text())
    assert manifest["name"] == lock["name"] == lock["packages"][""]["name"] == "shop-floor-web"
    for section in ("dependencies", "devDependencies"):
        assert lock["packages"][""][section] == manifest[section]
    assert "aws-amplify" in manifest["dependencies"]
    assert lock["packages"]["node_modules/aws-amplify"]["version"].startswith("6.")
    # Registry-neutral: `npm ci` takes every package from whatever registry npm is set to use.
    assert not [name for name, entry in lock["packages"].items() if "resolved" in entry]
    assert all("integrity" in entry for name, entry in lock["packages"].items() if name and not entry.get("link"))


def test_web_client_off_leaves_no_trace(tmp_path):
    project = render_with_refarch({"edition": "minimal", "web_client": "no"}, tmp_path)
    assert not (project / "web").exists()
    assert sorted(p.name for p in (project / "scripts").iterdir()) == ["bootstrap_environment.py", "mutation_score.py"]
    leftovers = [
        path.relative_to(project).as_posix()
        for path in project.rglob("*")
        if path.is_file()
        and path.name != ".cruft.json"  # provenance records every question asked
        and re.search(r"amplify|\bweb/", path.read_text(), re.IGNORECASE)
    ]
    assert leftovers == []
    assert not re.search(r"^web:", (project / "Makefile").read_text(), re.MULTILINE)


def test_web_client_on_has_a_make_target(tmp_path):
    project = render_with_refarch({"edition": "minimal"}, tmp_path)
    makefile = (project / "Makefile").read_text()
    assert re.search(r"^web: ", makefile, re.MULTILINE)
    assert "-m scripts.write_amplify_outputs --env $(ENV)" in makefile
    assert "--outputs-file cdk-outputs-$(ENV).json" in makefile


def _run(command: list[str], cwd: Path, timings: dict[str, float], label: str) -> None:
    started = time.monotonic()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=600)
    timings[label] = round(time.monotonic() - started, 1)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        """Requests are not logged: the smoke test reports what matters."""


@pytest.fixture
def served():
    """Serve a directory on 127.0.0.1 (a free port); yields a function that returns its URL."""
    servers = []

    def serve(directory: Path) -> str:
        handler = functools.partial(QuietHandler, directory=str(directory))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


def _write_stack_outputs(project: Path) -> Path:
    """What `cdk deploy --outputs-file` writes for the dev Identity and Api stacks."""
    outputs_file = project / "cdk-outputs-dev.json"
    outputs_file.write_text(
        json.dumps(
            {
                "modern-app-dev-identity": {
                    "UserPoolId": "eu-west-1_Fixture01",
                    "UserPoolClientId": "fixtureclientid0123456789",
                    "IdentityPoolId": "eu-west-1:00000000-0000-4000-8000-000000000000",
                },
                "modern-app-dev-api": {
                    "GraphQLUrl": "https://abcdefghijklmnopqrstuvwxyz.appsync-api.eu-west-1.amazonaws.com/graphql",
                    "GraphQLRegion": "eu-west-1",
                },
            }
        )
    )
    return outputs_file


@pytest.mark.browser
@pytest.mark.registry  # npm ci of the web client
def test_built_client_signs_in_against_the_deployed_stacks_in_chromium(tmp_path, served):
    assert CHROMIUM.exists(), f"{CHROMIUM} not found: install Debian's chromium (`apt-get install chromium`)"
    assert shutil.which("npm"), "npm not found: the web client is built with Node.js and npm"
    timings: dict[str, float] = {}
    installed: Path | None = None
    for name in ("full", "minimal"):
        given = {"edition": name, "dev_region": "eu-west-1"}
        resolved = answers.resolve(given)
        project = render_with_refarch(given, tmp_path / name)
        web = project / "web"
        if installed is None:
            _run(["npm", "ci", "--no-audit", "--no-fund", "--prefer-offline"], web, timings, "npm ci")
            installed = web / "node_modules"
        else:
            # Every rendering locks the same packages, so one install serves them all.
            assert (web / "package-lock.json").read_bytes() == (installed.parent / "package-lock.json").read_bytes()
            (web / "node_modules").symlink_to(installed, target_is_directory=True)
        _run(["npm", "run", "build"], web, timings, f"build {name}")

        _write_stack_outputs(project)
        config = web / "dist" / "amplify_outputs.json"
        _run(
            [sys.executable, "-m", "scripts.write_amplify_outputs", "--env", "dev", "--out", str(config)],
            project,
            timings,
            f"write amplify_outputs.json {name}",
        )

        artifacts = ARTIFACTS / f"web-client-{name}"
        screenshots = [artifacts / "web-client-sign-in.png", artifacts / "web-client-items.png"]
        for screenshot in screenshots:
            screenshot.unlink(missing_ok=True)
        features = [feature for feature, option in SMOKE_FEATURES.items() if resolved[option] == "yes"]
        command = ["node", "tests/smoke.mjs", served(web / "dist"), str(config), str(artifacts), ",".join(features)]
        _run(command, web, timings, f"browser {name}")
        assert all(screenshot.stat().st_size > 0 for screenshot in screenshots)
    print(f"web client timings (s): {timings}")
