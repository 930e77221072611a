"""Connect for Python (PyPI `connectrpc`) against a live Netclode ConnectRPC server.

Run by Tests/ConnectRPCTests/PythonClientTests.swift, which starts the server (the Echo test
service from Tests/ConnectRPCTests/Proto/echo.proto), generates the Python code for it into
GENERATED_DIR/gen, a temporary directory, with `buf generate --template buf.gen.yaml` (protoc-gen-py and
protoc-gen-connectrpc from PyPI), and runs

    python connect_check.py GENERATED_DIR BASE_URL CASE

once per case. A case prints "ok CASE" and exits 0, or fails with an AssertionError (exit 1).
The Swift side also checks what the server received (method, encodings).
"""

from __future__ import annotations

import gzip
import sys
from urllib.parse import quote

from pyqwest import HTTPVersion, SyncClient, SyncHTTPTransport

from connectrpc.client import ResponseMetadata
from connectrpc.code import Code
from connectrpc.codec import proto_json_codec
from connectrpc.compression.gzip import GzipCompression
from connectrpc.errors import ConnectError
from connectrpc.method import IdempotencyLevel, MethodInfo, StreamType

generated_dir, base_url, case = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, generated_dir)

# Generated at test time into GENERATED_DIR/gen, a package (its modules import each other relatively).
from gen.echo_connect import EchoServiceClientSync  # noqa: E402
from gen.echo_pb import CountRequest, EchoRequest, EchoResponse  # noqa: E402

# A reply of ~2.7 KiB: above the server's 1 KiB compression threshold.
LARGE = EchoRequest(text="abcdefgh", repeat_count=300)
LARGE_LENGTH = 300 * 9 - 1


def plain_client(**options) -> EchoServiceClientSync:
    """No compression either way unless the case asks for it."""
    options.setdefault("send_compression", None)
    options.setdefault("accept_compression", [])
    return EchoServiceClientSync(base_url, **options)


def expect_equal(actual, expected, what: str) -> None:
    assert actual == expected, f"{what}: expected {expected!r}, got {actual!r}"


def unary_json() -> None:
    with plain_client(codec=proto_json_codec()) as client:
        reply = client.echo(EchoRequest(text="hello", repeat_count=2, tags=["a", "b"]))
    expect_equal(reply.text, "hello hello", "text")
    expect_equal(reply.text_length, 11, "text_length")
    expect_equal(list(reply.tags), ["a", "b"], "tags")


def unary_proto() -> None:
    with plain_client() as client:
        reply = client.echo(EchoRequest(text="PROTO"))
    expect_equal(reply.text, "PROTO", "text")
    expect_equal(reply.shouted, True, "shouted")


def server_stream() -> None:
    with plain_client() as client:
        numbers = [(m.number, m.label) for m in client.count(CountRequest(count=3, label="py"))]
    expect_equal(numbers, [(1, "py"), (2, "py"), (3, "py")], "stream")


def gzip_unary() -> None:
    # Compressed request (Content-Encoding: gzip) and compressed response; connectrpc lets
    # pyqwest inflate unary bodies, so the response side is also checked on the raw wire below.
    with plain_client(send_compression=GzipCompression(), accept_compression=[GzipCompression()]) as client:
        reply = client.echo(LARGE)
    expect_equal(reply.text_length, LARGE_LENGTH, "text_length")

    raw = SyncClient(SyncHTTPTransport(enable_gzip=False))
    response = raw.post(
        f"{base_url}/echo.v1.EchoService/Echo",
        headers={"content-type": "application/json", "accept-encoding": "gzip"},
        content=b'{"text":"abcdefgh","repeatCount":300}',
    )
    expect_equal(response.status, 200, "status")
    expect_equal(response.headers.get("content-encoding"), "gzip", "content-encoding")
    body = gzip.decompress(response.content)  # Python's own gzip reads our gzip
    assert b'"textLength":2699' in body, body[:200]


def gzip_stream() -> None:
    # Request envelope compressed (flag 0x01, Connect-Content-Encoding: gzip) and large response
    # envelopes compressed by the server, which connectrpc inflates itself.
    label = "L" * 2000
    with plain_client(send_compression=GzipCompression(), accept_compression=[GzipCompression()]) as client:
        with ResponseMetadata() as metadata:
            messages = list(client.count(CountRequest(count=2, label=label)))
        expect_equal(metadata.headers.get("connect-content-encoding"), "gzip", "connect-content-encoding")
    expect_equal([(m.number, m.label) for m in messages], [(1, label), (2, label)], "stream")


def connect_get() -> None:
    # The generated client offers use_get because echo.proto marks Echo NO_SIDE_EFFECTS; with
    # send compression on, connectrpc sends base64=1&compression=gzip.
    with plain_client(send_compression=GzipCompression()) as client:
        reply = client.echo(EchoRequest(text="via get"), use_get=True)
    expect_equal(reply.text, "via get", "text")

    # And a GET typed by hand, percent-encoded JSON, as a browser would send it.
    message = quote('{"text":"by hand"}', safe="")
    raw = SyncClient()
    response = raw.get(f"{base_url}/echo.v1.EchoService/Echo?connect=v1&encoding=json&message={message}")
    expect_equal(response.status, 200, "status")
    expect_equal(response.json(), {"text": "by hand", "textLength": 7}, "body")


def errors() -> None:
    with plain_client() as client:
        try:
            list(client.count(CountRequest(count=-1)))
        except ConnectError as error:
            expect_equal(error.code, Code.INVALID_ARGUMENT, "stream error code")
            expect_equal(error.message, "count must not be negative", "stream error message")
        else:
            raise AssertionError("a negative count must fail")

        # A unary call to a method the server does not have: 404, which Connect maps to unimplemented.
        nope = MethodInfo(name="Nope", service_name="echo.v1.EchoService", input=EchoRequest, output=EchoResponse,
                          idempotency_level=IdempotencyLevel.UNKNOWN, stream_type=StreamType.UNARY)
        try:
            client.execute_unary(request=EchoRequest(), method=nope)
        except ConnectError as error:
            expect_equal(error.code, Code.UNIMPLEMENTED, "unary error code")
        else:
            raise AssertionError("an unknown method must fail")


def h2c_unary() -> None:
    # HTTP/2 with prior knowledge over cleartext.
    http = SyncClient(SyncHTTPTransport(http_version=HTTPVersion.HTTP2))
    with plain_client(http_client=http) as client:
        reply = client.echo(EchoRequest(text="h2"))
    expect_equal(reply.text, "h2", "text")


def h2c() -> None:
    # Unary and a stream over h2c, on the server's HTTP/1.1-and-h2c port.
    h2c_unary()
    http = SyncClient(SyncHTTPTransport(http_version=HTTPVersion.HTTP2))
    with plain_client(http_client=http) as client:
        numbers = [m.number for m in client.count(CountRequest(count=3))]
    expect_equal(numbers, [1, 2, 3], "stream")


CASES = {
    "unary-json": unary_json,
    "unary-proto": unary_proto,
    "server-stream": server_stream,
    "gzip-unary": gzip_unary,
    "gzip-stream": gzip_stream,
    "connect-get": connect_get,
    "errors": errors,
    "h2c": h2c,
    "h2c-unary": h2c_unary,
}

CASES[case]()
print(f"ok {case}")
