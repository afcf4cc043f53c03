"""The HTTP edge in front of routing: ETag/304, HEAD, CORS, security headers, response cache.

The dataset is immutable while a process serves it, so a GET response is a pure function of
its path and query string. The edge renders a GET once through the application, adds a strong
ETag (a hash of the dataset version and the body) and keeps it in a bounded LRU cache; later
requests with the same path and query are answered from the cache without routing. HEAD is
answered as GET without the body. Only 200 responses are cached.
"""

import hashlib
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from litestar.enums import ScopeType
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    HTTPScope,
    Message,
    Receive,
    Scope,
    Send,
)

Headers = list[tuple[bytes, bytes]]
SAFE = ("GET", "HEAD")
ALWAYS: Headers = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"access-control-allow-origin", b"*"),
    (b"access-control-expose-headers", b"ETag, Link"),
]
PREFLIGHT: Headers = [
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"If-None-Match, Accept, Content-Type"),
    (b"access-control-max-age", b"86400"),
]
DROPPED = {b"etag", b"cache-control", *(name for name, _ in ALWAYS)}


@dataclass(frozen=True)
class Rendered:
    """A complete response: status, headers (with ETag for a 200) and body."""

    status: int
    headers: Headers
    body: bytes
    etag: bytes | None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64


def etag_matches(header: bytes, etag: bytes) -> bool:
    """If-None-Match uses the weak comparison: W/ prefixes are ignored (RFC 9110 13.1.2)."""
    opaque = etag.removeprefix(b"W/")
    for candidate in header.split(b","):
        candidate = candidate.strip()
        if candidate == b"*" or candidate.removeprefix(b"W/") == opaque:
            return True
    return False


class Edge:
    """ASGI wrapper: every HTTP response passes here; GET/HEAD responses are cached."""

    def __init__(self, app: ASGIApp, version: str, max_bytes: int, max_age: int) -> None:
        self.app = app
        self.version = version.encode()
        self.max_bytes = max_bytes
        self.cache_control = f"public, max-age={max_age}".encode()
        self._entries: OrderedDict[tuple[str, bytes], Rendered] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        method = scope["method"]
        if (
            method == "OPTIONS"
            and b"origin" in headers
            and b"access-control-request-method" in headers
        ):
            await _send(send, Rendered(204, ALWAYS + PREFLIGHT, b"", None), with_body=False)
            return
        if method not in SAFE:
            await self.app(scope, receive, _adding(send, ALWAYS))
            return
        rendered = await self._get(scope, receive)
        condition = headers.get(b"if-none-match")
        if (
            rendered.etag is not None
            and condition is not None
            and etag_matches(condition, rendered.etag)
        ):
            kept = [
                (k, v) for k, v in rendered.headers if k not in (b"content-length", b"content-type")
            ]
            await _send(send, Rendered(304, kept, b"", rendered.etag), with_body=False)
            return
        await _send(send, rendered, with_body=method == "GET")

    async def _get(self, scope: Scope, receive: Receive) -> Rendered:
        get: HTTPScope = {**scope, "method": "GET"}  # type: ignore[typeddict-item]
        key = (scope["path"], scope["query_string"])
        cached = self._entries.get(key)
        if cached is not None:
            self._entries.move_to_end(key)
            return cached
        rendered = await self._render(get, receive)
        if rendered.status == 200 and rendered.size <= self.max_bytes // 8:
            self._remember(key, rendered)
        return rendered

    def _remember(self, key: tuple[str, bytes], rendered: Rendered) -> None:
        self._entries[key] = rendered
        self._bytes += rendered.size
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    async def _render(self, scope: Scope, receive: Receive) -> Rendered:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        body = b"".join(chunks)
        status = int(start["status"])
        headers = [
            (k.lower(), v)
            for k, v in _allow_head(start.get("headers", []))
            if k.lower() not in DROPPED
        ]
        headers = [(k, v) for k, v in headers if k != b"content-length"]
        headers.append((b"content-length", str(len(body)).encode()))
        etag = None
        if status == 200:
            digest = hashlib.blake2b(self.version + b"\0" + body, digest_size=12).hexdigest()
            etag = f'"{digest}"'.encode()
            headers += [(b"etag", etag), (b"cache-control", self.cache_control)]
        else:
            headers.append((b"cache-control", b"no-store"))
        return Rendered(status, headers + ALWAYS, body, etag)


async def _send(send: Send, rendered: Rendered, *, with_body: bool) -> None:
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": rendered.status,
        "headers": rendered.headers,
    }
    body: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": rendered.body if with_body else b"",
        "more_body": False,
    }
    await send(start)
    await send(body)


def _adding(send: Send, extra: Headers) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message["headers"] = [*_allow_head(message.get("headers", [])), *extra]
        await send(message)

    return wrapped


def _allow_head(headers: Any) -> Headers:
    """The edge answers HEAD wherever GET is routed, so ``Allow`` names it too."""
    result = []
    for name, value in headers:
        if name.lower() == b"allow" and b"GET" in value and b"HEAD" not in value:
            value = value.replace(b"GET", b"GET, HEAD")
        result.append((name, value))
    return result
