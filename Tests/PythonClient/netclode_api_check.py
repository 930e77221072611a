"""Connect for Python (PyPI `connectrpc`) against a live `netclode serve`.

Run by Tests/ControlPlaneTests/PythonAPIClientTests.swift, which starts a forge and a control plane
pointed at it, generates the Python code of proto/netclode/v1 into GENERATED_DIR/gen with
`buf generate --template buf.gen.yaml`, and runs

    python netclode_api_check.py GENERATED_DIR BASE_URL API_TOKEN

Each step prints "ok STEP"; a failed step raises (exit 1). Nothing here knows the server's code:
only the schema, the Connect protocol and the API token.
"""

from __future__ import annotations

import sys

from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport

from connectrpc.code import Code
from connectrpc.codec import proto_json_codec
from connectrpc.compression.gzip import GzipCompression
from connectrpc.errors import ConnectError

generated_dir, base_url, token = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, generated_dir)

from gen.netclode.v1.session_connect import SessionServiceClientSync  # noqa: E402
from gen.netclode.v1.session_pb import (  # noqa: E402
    CreateSessionRequest,
    GetSessionRequest,
    ListSessionsRequest,
    WatchSessionRequest,
)

AUTH = {"authorization": f"Bearer {token}"}


def expect(condition: bool, what: str) -> None:
    assert condition, what


def client(**options) -> SessionServiceClientSync:
    options.setdefault("send_compression", None)
    options.setdefault("accept_compression", [])
    return SessionServiceClientSync(base_url, **options)


def step(name: str) -> None:
    print(f"ok {name}", flush=True)


# Unary, JSON: create a session with one repository.
with client(codec=proto_json_codec()) as api:
    created = api.create_session(CreateSessionRequest(name="python", repos=["demo/hello"], repo_access="read"), headers=AUTH).session
expect(created.status == "creating", f"created: {created.status}")
expect(created.repo_access == "read", f"access: {created.repo_access}")
expect(created.repos[0].endswith("/demo/hello.git"), f"repos: {list(created.repos)}")
step("create-json")

# Server stream, proto: the session's history and live events until it is ready.
kinds = []
with client() as api:
    for item in api.watch_session(WatchSessionRequest(session_id=created.id), headers=AUTH):
        if item.type == "agent.event":
            kinds.append((item.event.kind, item.event.stage))
        if item.type == "session.updated" and item.session.status in ("ready", "error"):
            expect(item.session.status == "ready", f"session failed: {item.session.error}")
            break
expect(("repo_clone", "done") in kinds, f"watched events: {kinds}")
step("watch-stream")

# Unary, proto, gzip both ways; and Connect GET (GetSession has no side effects).
with client(send_compression=GzipCompression(), accept_compression=[GzipCompression()]) as api:
    listed = api.list_sessions(ListSessionsRequest(), headers=AUTH)
    expect([s.id for s in listed.sessions] == [created.id], f"listed: {[s.id for s in listed.sessions]}")
    fetched = api.get_session(GetSessionRequest(session_id=created.id), headers=AUTH, use_get=True).session
    expect(fetched.status == "ready", f"fetched: {fetched.status}")
step("gzip-and-get")

# HTTP/2 with prior knowledge (h2c) on the same port.
http2 = SyncClient(SyncHTTPTransport(http_version=HTTPVersion.HTTP2))
with client(http_client=http2) as api:
    expect(api.get_session(GetSessionRequest(session_id=created.id), headers=AUTH).session.id == created.id, "h2c get")
step("h2c")

# Errors keep their code and the server's words.
with client() as api:
    try:
        api.create_session(CreateSessionRequest(repos=["outsider/secret"]), headers=AUTH)
    except ConnectError as error:
        expect(error.code == Code.NOT_FOUND, f"code: {error.code}")
        expect("Repository not found: outsider/secret" in error.message, f"message: {error.message}")
    else:
        raise AssertionError("a repository no installation covers must be refused")
    try:
        api.get_session(GetSessionRequest(session_id=created.id))
    except ConnectError as error:
        expect(error.code == Code.UNAUTHENTICATED, f"code without a token: {error.code}")
    else:
        raise AssertionError("a call without the API token must be refused")
step("errors")
