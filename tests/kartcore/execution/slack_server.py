"""A Slack Web API stand-in on 127.0.0.1 for tests: the calls a run's notification makes, recorded.

It answers ``chat.postMessage``, ``files.getUploadURLExternal``, the upload to the URL that call returns,
and ``files.completeUploadExternal`` as Slack does (JSON with ``ok``; ``invalid_auth`` for a wrong token),
and records every request: method name, headers and the parameters merged from the query string, a form
body or a JSON body (the upload keeps its raw bytes). ``fail`` makes one call answer with an HTTP error
(``"500"``), ``ok: false`` (``"not_ok"``) or ``ok: true`` and nothing else (``"no_channel"``). The server
listens on a port the OS picks and is shut down by the fixture that started it.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

TOKEN = "xoxb-kartcore-test-token"
CHANNEL_ID = "C0KARTCORE"
MESSAGE_TS = "1765000000.000100"
FILE_ID = "F0KARTCORE"
UPLOAD = "upload"  # the method name recorded for the upload to the returned URL


@dataclass
class Request:
    """One request the server received."""

    method: str
    headers: dict[str, str]
    params: dict[str, Any]
    body: bytes


@dataclass
class FakeSlack:
    """The running server: its base URL, what it received, and which call should fail how."""

    port: int
    requests: list[Request] = field(default_factory=list)
    fail: dict[str, str] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/"

    def methods(self) -> list[str]:
        return [request.method for request in self.requests]

    def one(self, method: str) -> Request:
        found = [request for request in self.requests if request.method == method]
        assert len(found) == 1, f"{method}: {len(found)} requests ({self.methods()})"
        return found[0]


def _answer(server: FakeSlack, method: str, request: Request) -> tuple[int, Any]:
    failure = server.fail.get(method)
    if failure == "500":
        return 500, "<html>internal error</html>"
    if failure == "not_ok":
        return 200, {"ok": False, "error": "channel_not_found"}
    if failure == "no_channel":  # a compatible server that leaves out what Slack always sends
        return 200, {"ok": True}
    if method == UPLOAD:
        return 200, f"OK - {len(request.body)}"
    if request.headers.get("authorization") != f"Bearer {TOKEN}":
        return 200, {"ok": False, "error": "invalid_auth"}
    if method == "chat.postMessage":
        return 200, {"ok": True, "channel": CHANNEL_ID, "ts": MESSAGE_TS, "message": {"text": request.params["text"]}}
    if method == "files.getUploadURLExternal":
        return 200, {"ok": True, "upload_url": f"http://127.0.0.1:{server.port}/{UPLOAD}/{FILE_ID}", "file_id": FILE_ID}
    if method == "files.completeUploadExternal":
        files = json.loads(request.params["files"])
        return 200, {"ok": True, "files": [{"id": item["id"], "title": item.get("title")} for item in files]}
    return 200, {"ok": False, "error": "unknown_method"}


def _handler(server: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._handle()

        def do_POST(self) -> None:
            self._handle()

        def _handle(self) -> None:
            url = urllib.parse.urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            method = UPLOAD if url.path.startswith(f"/{UPLOAD}/") else url.path.rsplit("/", 1)[-1]
            params: dict[str, Any] = dict(urllib.parse.parse_qsl(url.query))
            kind = self.headers.get("Content-Type") or ""
            if method != UPLOAD and "json" in kind and body:
                params.update(json.loads(body))
            elif method != UPLOAD and "x-www-form-urlencoded" in kind and body:
                params.update(urllib.parse.parse_qsl(body.decode()))
            headers = {name.lower(): value for name, value in self.headers.items()}
            request = Request(method, headers, params, body)
            server.requests.append(request)
            status, payload = _answer(server, method, request)
            data = payload.encode() if isinstance(payload, str) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/plain" if isinstance(payload, str) else "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:  # keep the test output clean
            pass

    return Handler


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    """A Slack stand-in listening on 127.0.0.1 for the test, shut down after it."""
    state = FakeSlack(port=0)
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
