"""The HTTP edge in front of routing: ETag/304, HEAD, CORS, security headers, response cache.

The dataset is immutable while a process serves it, so a GET response is a pure function of
its path and query string, given the revision (api/revision.py: the dataset version and a
digest of the code and libraries that render responses). That makes a hash of the revision,
the path and the query string a strong ETag: the same one means the same bytes, and every
build or deploy that may change bytes gives every response a new one. It costs the same for
any body size (hashing a 9 KB list body cost more than reading it from SQLite).

The edge renders a GET once through the application, adds the ETag and keeps the response in
a bounded LRU cache; later requests with the same path and query are answered from the cache
without routing. HEAD is answered as GET without the body. Only 200 responses are cached.

On a cache miss an optional *shortcut* (api/fast.py) may answer a GET before routing; whatever
answers, the edge finishes the response the same way (headers, ETag, Cache-Control). A cached
response keeps its ASGI messages, so a hit is a dictionary lookup and two sends.
"""

import hashlib
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
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

from api.web.problems import FAILURE, PROBLEM_JSON, log

Headers = list[tuple[bytes, bytes]]
FAILURE_TYPE = (b"content-type", PROBLEM_JSON.encode())
FAILURE_BODY = msgspec.json.encode(FAILURE)
#: What a GET response is a function of (with the revision): its path and query string.
Key = tuple[str, bytes]
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


#: A shortcut answers a GET scope with (headers, body) of a 200, or None to let routing answer.
Shortcut = Callable[[Scope], Awaitable[tuple[Headers, bytes] | None]]
NO_BODY: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
NOT_MODIFIED_DROPS = (b"content-length", b"content-type")
NO_STORE = (b"cache-control", b"no-store")


class Rendered:
    """A complete response: status, headers (with ETag for a 200) and body.

    The ASGI messages are built once here, so a cached response is sent as it is.
    """

    __slots__ = ("_not_modified", "body", "body_event", "etag", "headers", "start", "status")

    def __init__(self, status: int, headers: Headers, body: bytes, etag: bytes | None) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.etag = etag
        self.start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": status,
            "headers": headers,
        }
        self.body_event: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": body,
            "more_body": False,
        }
        self._not_modified: HTTPResponseStartEvent | None = None

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + 64

    @property
    def not_modified(self) -> HTTPResponseStartEvent:
        """The start of the 304 answering a matching If-None-Match: no Content-* headers."""
        if self._not_modified is None:
            self._not_modified = {
                "type": "http.response.start",
                "status": 304,
                "headers": [(k, v) for k, v in self.headers if k not in NOT_MODIFIED_DROPS],
            }
        return self._not_modified


PREFLIGHT_RESPONSE = Rendered(204, ALWAYS + PREFLIGHT, b"", None)


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

    def __init__(
        self,
        app: ASGIApp,
        revision: str,
        max_bytes: int,
        max_age: int,
        shortcut: Shortcut | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: The headers after the ETag of every 200: Cache-Control, then ALWAYS.
        self._cached = [(b"cache-control", f"public, max-age={max_age}".encode()), *ALWAYS]
        self._hash = hashlib.blake2b(revision.encode() + b"\0", digest_size=12)
        self.shortcut = shortcut
        self._entries: OrderedDict[Key, Rendered] = OrderedDict()
        self._bytes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method in SAFE:
            key = (scope["path"], scope["query_string"])
            rendered = self._entries.get(key)
            if rendered is None:
                rendered = await self._miss(scope, receive, key)
            else:
                self._entries.move_to_end(key)
            if rendered.etag is not None:
                condition = _header(scope, b"if-none-match")
                if condition is not None and etag_matches(condition, rendered.etag):
                    await send(rendered.not_modified)
                    await send(NO_BODY)
                    return
            await send(rendered.start)
            await send(rendered.body_event if method == "GET" else NO_BODY)
            return
        if (
            method == "OPTIONS"
            and _header(scope, b"origin") is not None
            and _header(scope, b"access-control-request-method") is not None
        ):
            await send(PREFLIGHT_RESPONSE.start)
            await send(NO_BODY)
            return
        await self.app(scope, receive, _adding(send, ALWAYS))

    async def _miss(self, scope: Scope, receive: Receive, key: Key) -> Rendered:
        try:
            answer = None if self.shortcut is None else await self.shortcut(scope)
        except Exception:
            # A failure of the shortcut is the response's: reported, never retried by routing.
            log.exception("unhandled error in the fast path on %s", scope["path"])
            return self._finish(key, 500, [FAILURE_TYPE], FAILURE_BODY)
        if answer is None:
            get: HTTPScope = {**scope, "method": "GET"}  # type: ignore[typeddict-item]
            rendered = await self._render(get, receive, key)
        else:
            headers, body = answer
            rendered = self._finish(key, 200, headers, body)
        if self.max_bytes and rendered.status == 200 and rendered.size <= self.max_bytes // 8:
            self._remember(key, rendered)
        return rendered

    def _remember(self, key: Key, rendered: Rendered) -> None:
        self._entries[key] = rendered
        self._bytes += rendered.size
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    async def _render(self, scope: Scope, receive: Receive, key: Key) -> Rendered:
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, collect)
        status, raw = int(start["status"]), start.get("headers", [])
        return self._complete(key, status, raw, b"".join(chunks))

    def _complete(self, key: Key, status: int, raw: Any, body: bytes) -> Rendered:
        """The application's response as the edge sends it (see ``_finish``)."""
        headers = [
            (k.lower(), v)
            for k, v in _allow_head(raw)
            if k.lower() not in DROPPED and k.lower() != b"content-length"
        ]
        return self._finish(key, status, headers, body)

    def _finish(self, key: Key, status: int, headers: Headers, body: bytes) -> Rendered:
        """Append Content-Length, ETag and Cache-Control, then ALWAYS, to the response's own
        headers (lower-case names, none of those the edge sets)."""
        length = (b"content-length", b"%d" % len(body))
        if status != 200:
            return Rendered(status, [*headers, length, NO_STORE, *ALWAYS], body, None)
        digest = self._hash.copy()  # blake2b(revision \0 path \0 query)
        digest.update(b"%s\0%s" % (key[0].encode("utf-8", "surrogatepass"), key[1]))
        etag = b'"%s"' % digest.hexdigest().encode()
        return Rendered(status, [*headers, length, (b"etag", etag), *self._cached], body, etag)


def _header(scope: Scope, name: bytes) -> bytes | None:
    """The last value of a request header (names are lower case in ASGI scopes)."""
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


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
