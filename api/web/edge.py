"""The HTTP edge in front of routing: ETag/304, HEAD, CORS, security headers, response cache.

The dataset is immutable while a process serves it, so a GET response is a pure function of
its path, query string and Accept header (which representation), given the revision
(api/revision.py: the dataset version and a digest of the code and libraries that render
responses). That makes a hash of the revision, the path, the query string and Accept a strong
ETag: the same one means the same bytes, and every
build or deploy that may change bytes gives every response a new one. It costs the same for
any body size (hashing a 9 KB list body cost more than reading it from SQLite).

The edge renders a GET once through the application, adds the ETag and keeps the response in
a bounded LRU cache; later requests with the same path and query are answered from the cache
without routing. HEAD is answered as GET without the body. Only 200 responses are cached, and
not those the application marks ``Cache-Control: no-store`` (the health checks): they get no
ETag and keep their no-store. A file of the dataset (``/v1/downloads/…``, marked by its
``Accept-Ranges: bytes``; see ``own``) is the exception: it has its own strong ETag (its
SHA-256), byte ranges and conditions, all answered by the application; the edge sends it on
as it was made, adding only the headers every response gets, and keeps nothing. A response
the application streams (a body in parts: a whole collection as CSV or NDJSON) is sent on part
by part with the same headers and ETag, and never kept: its memory stays flat.

On a cache miss an optional *shortcut* (api/fast.py) may answer a GET before routing; whatever
answers, the edge finishes the response the same way (headers, ETag, Cache-Control). A cached
response keeps its ASGI messages, so a hit is a dictionary lookup and two sends.

Every response carries its request's ``X-Request-Id``, added as it is sent (never kept in the
cache), and every request is counted (api/web/metrics.py) and logged (api/web/access.py), in
batches (api/web/ledger.py), with how it was answered: from the cache, by the shortcut, by
routing, or streamed; one whose response failed after it began, as far as it went.
"""

import hashlib
import sys
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from time import perf_counter_ns, time
from typing import Any, cast

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

from api.model.errors import problem
from api.web import encoding
from api.web.access import (
    CACHE,
    FAST,
    HEADER,
    REQUEST_ID,
    ROUTED,
    STREAM,
    AccessLog,
    Answer,
    Answered,
    Ids,
)
from api.web.ledger import Ledger
from api.web.metrics import UNMATCHED, Metrics
from api.web.problems import FAILURE, PROBLEM_JSON, log

Headers = list[tuple[bytes, bytes]]
FAILURE_TYPE = (b"content-type", PROBLEM_JSON.encode())
#: What a GET response is a function of (with the revision): its path, query string and Accept
#: (the representation is negotiated; see api/web/representation.py).
Key = tuple[str, bytes, bytes]
SAFE = ("GET", "HEAD")
ALWAYS: Headers = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"access-control-allow-origin", b"*"),
    (
        b"access-control-expose-headers",
        b"ETag, Link, X-Request-Id, Content-Range, Accept-Ranges",
    ),
    (b"vary", b"Accept, Accept-Encoding"),
]
PREFLIGHT: Headers = [
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"If-None-Match, Accept, Content-Type, Range, If-Range"),
    (b"access-control-max-age", b"86400"),
]
ALWAYS_NAMES = frozenset(name for name, _ in ALWAYS)
DROPPED = {b"etag", b"cache-control", *ALWAYS_NAMES}
#: The statuses of a file's own answer (see ``own``): the file, a part of it, not modified.
OWN_STATUSES = (200, 206, 304)


#: A shortcut answers a GET scope with (route template, headers, body) of a 200, or None to let
#: routing answer.
Shortcut = Callable[[Scope], Awaitable[tuple[str, Headers, bytes] | None]]
NO_BODY: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
NOT_MODIFIED_DROPS = (b"content-length", b"content-type", b"content-encoding")
NO_STORE = (b"cache-control", b"no-store")
#: In the scope of a HEAD the edge routes as a GET: true, so that a handler may leave out what
#: only the body needs (a file of the dataset is then not read; api/web/resources/downloads.py).
#: A response routed for a HEAD is therefore never kept: a later GET must not get its body.
HEAD_ONLY = "article_facts.head_only"


class Rendered:
    """A complete response: status, headers (with ETag for a 200) and body.

    The ASGI messages are built once here, so a cached response is sent as it is.
    """

    __slots__ = (
        "_not_modified",
        "body",
        "body_event",
        "etag",
        "headers",
        "route",
        "size",
        "start",
        "status",
        "variants",
        "worth",
    )

    def __init__(
        self, status: int, headers: Headers, body: bytes, etag: bytes | None, route: str
    ) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.etag = etag
        #: The template of the route that made it (the metrics' label).
        self.route = route
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
        #: Set by the edge when it keeps the response (see ``cost``), with its variants'.
        self.size = 0
        #: The response in each content coding it was asked in, made on the first ask.
        self.variants: dict[str, Rendered] = {}
        #: Whether compressing the body saves anything (api/web/encoding.py).
        self.worth = len(body) >= encoding.SMALL and encoding.compressible(
            next((v for k, v in headers if k == b"content-type"), None)
        )

    def cost(self, key: Key, shared: Headers) -> int:
        """The bytes this response costs the cache under ``key``: every object only it holds
        (header names and ``shared`` headers are the edge's) and the cache's own slot. The
        start of a 304, built on the first revalidation, adds about 300 bytes more. Counting
        body and header lengths alone (as before) undercounted a small entry about 4 times,
        so the cache grew to 7 times its budget."""
        return self.weight(shared) + sum(map(sys.getsizeof, (key, *key))) + SLOT

    def weight(self, shared: Headers) -> int:
        """The bytes of every object only this response holds (see ``cost``)."""
        owned = [
            part for header in self.headers if header not in shared for part in (header, header[1])
        ]
        parts = [self, self.start, self.body_event, self.headers, self.body, self.variants]
        return sum(map(sys.getsizeof, [*parts, *owned]))

    def encoded(self, coding: str) -> "Rendered":
        """This 200 with its body in ``coding``: Content-Encoding, its length and its own ETag
        (the identity ETag with the coding's suffix inside the quotes)."""
        assert self.etag is not None
        body = encoding.compress(coding, self.body)
        etag = encoding.tagged(self.etag, coding)
        headers: Headers = []
        for name, value in self.headers:
            if name == b"content-length":
                headers += [(b"content-encoding", coding.encode()), (name, b"%d" % len(body))]
            else:
                headers.append((name, etag if name == b"etag" else value))
        return Rendered(self.status, headers, body, etag, self.route)

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


#: What an OrderedDict spends per entry beyond the key and value: its hash table slot and the
#: link that keeps the LRU order (CPython 3.11, measured with tracemalloc).
SLOT = 100
PREFLIGHT_RESPONSE = Rendered(204, ALWAYS + PREFLIGHT, b"", None, "preflight")
AVAILABLE = ", ".join((*encoding.CODINGS, encoding.IDENTITY))
REFUSED = f"Accept-Encoding takes none of the codings available: {AVAILABLE}"


def failure(status: int, detail: str, request_id: bytes, route: str) -> Rendered:
    """A problem document the edge answers itself: the refused coding (406), a failure of the
    shortcut (500); with the request's id, never cached."""
    body = msgspec.json.encode(problem(status, detail, request_id=request_id.decode()))
    length = (b"content-length", b"%d" % len(body))
    return Rendered(status, [FAILURE_TYPE, length, NO_STORE, *ALWAYS], body, None, route)


def _identified(start: HTTPResponseStartEvent, request_id: bytes) -> HTTPResponseStartEvent:
    """``start`` with the request's id: the one header of a response never kept."""
    return {
        "type": "http.response.start",
        "status": start["status"],
        "headers": [*start["headers"], (HEADER, request_id)],
    }


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
        *,
        access: AccessLog | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        #: The headers after the ETag of every 200: Cache-Control, then ALWAYS.
        self._cached = [(b"cache-control", f"public, max-age={max_age}".encode()), *ALWAYS]
        self._hash = hashlib.blake2b(revision.encode() + b"\0", digest_size=12)
        self.shortcut = shortcut
        self._entries: OrderedDict[Key, Rendered] = OrderedDict()
        self._bytes = 0
        self._ids = Ids()
        self.metrics = metrics or Metrics("", revision, None)
        self.metrics.cache = self.held
        self.ledger = Ledger(self.metrics, access or AccessLog(1, enabled=False, plain=False))

    def held(self) -> tuple[int, int]:
        """The cache's entries and the bytes they count."""
        return len(self._entries), self._bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            lifespan = cast(dict[str, Any], scope)["type"] == "lifespan"
            stopping = self._stopping(send) if lifespan else send
            await self.app(scope, receive, stopping)
            return
        began = perf_counter_ns()
        # One pass over the request's headers (the last of a repeated one counts, as in header()).
        fields: dict[bytes, bytes] = dict(scope["headers"])
        request_id = self._ids.of(fields.get(HEADER))
        method = scope["method"]
        if method not in SAFE:
            status, size, route = await self._other(scope, receive, send, request_id, fields)
            self._done(scope, began, request_id, status, size, ROUTED, route)
            return
        # A cache hit is answered here, without another coroutine: it is the path that counts.
        key = (scope["path"], scope["query_string"], fields.get(b"accept", b""))
        rendered = self._entries.get(key)
        answered: Answered = CACHE
        if rendered is None:
            found = await self._miss(scope, receive, send, key, request_id, began)
            if isinstance(found, Passing):
                self._done(scope, began, request_id, found.status, found.sent, STREAM, found.route)
                return
            rendered, answered = found
        else:
            self._entries.move_to_end(key)
        if rendered.etag is not None:
            rendered = self._variant(fields.get(b"accept-encoding"), key, rendered, request_id)
            condition = fields.get(b"if-none-match")
            tag = rendered.etag
            if condition is not None and tag is not None and etag_matches(condition, tag):
                await send(_identified(rendered.not_modified, request_id))
                await send(NO_BODY)
                self._done(scope, began, request_id, 304, 0, answered, rendered.route)
                return
        await send(_identified(rendered.start, request_id))
        if method == "GET":
            await send(rendered.body_event)
            size = len(rendered.body)
        else:
            await send(NO_BODY)
            size = 0
        self._done(scope, began, request_id, rendered.status, size, answered, rendered.route)

    def _done(
        self,
        scope: HTTPScope,
        began: int,
        request_id: bytes,
        status: int,
        size: int,
        answered: Answered,
        route: str,
    ) -> None:
        """Keep the request's answer, to be counted and logged (api/web/ledger.py)."""
        self.ledger.add(
            Answer(
                time(),
                scope["method"],
                scope["path"],
                scope["query_string"],
                scope.get("client"),
                status,
                size,
                perf_counter_ns() - began,
                answered,
                request_id,
                route,
            )
        )

    def _failed(self, scope: HTTPScope, began: int, passing: "Passing") -> None:
        """An error of routing no handler answered: one that came after the response began (a
        stream cut short; the server then cuts the connection, so the client sees the body end
        early), or the edge's own. Logged with its stack and the request's id, and the request
        logged and counted as far as it went: the status and the bytes sent, or granian's 500."""
        if passing.open:
            log.exception("the response to %s failed after it began", scope["path"])
            status, answered = passing.status, STREAM
        else:
            log.exception("the response to %s failed before it began", scope["path"])
            status, answered = 500, ROUTED
        self._done(scope, began, passing.request_id, status, passing.sent, answered, passing.route)

    def _stopping(self, send: Send) -> Send:
        """The lifespan's send: as the application stops, the answers held are counted and
        logged and the metrics' snapshot written out."""

        async def sending(message: Message) -> None:
            kind = cast(dict[str, Any], message)["type"]
            if kind in ("lifespan.shutdown.complete", "lifespan.shutdown.failed"):
                self.ledger.settle()
                self.metrics.write()
            await send(message)

        return sending

    async def _other(
        self,
        scope: HTTPScope,
        receive: Receive,
        send: Send,
        request_id: bytes,
        fields: dict[bytes, bytes],
    ) -> tuple[int, int, str]:
        """Any method but GET and HEAD: a CORS preflight, or routing. Status, bytes, route."""
        method = scope["method"]
        if (
            method == "OPTIONS"
            and b"origin" in fields
            and b"access-control-request-method" in fields
        ):
            await send(_identified(PREFLIGHT_RESPONSE.start, request_id))
            await send(NO_BODY)
            return 204, 0, PREFLIGHT_RESPONSE.route
        if method == "OPTIONS":
            # What a path allows does not depend on its query: routing sees none.
            scope = {**scope, "query_string": b""}
        REQUEST_ID.set(request_id.decode())
        tap = Tap(send, [*ALWAYS, (HEADER, request_id)])
        await self.app(scope, receive, tap)
        return tap.status, tap.size, scope.get("path_template", UNMATCHED)

    def _variant(
        self, field: bytes | None, key: Key, rendered: Rendered, request_id: bytes
    ) -> Rendered:
        """The variant of a 200 that Accept-Encoding (``field``) takes: compressed on the first
        request for it and kept beside the identity one, its bytes counted with the entry's."""
        if field is None:
            return rendered
        coding = encoding.choose(field, rendered.worth)
        if coding == encoding.IDENTITY:
            return rendered
        if coding is None:
            return failure(406, REFUSED, request_id, rendered.route)
        variant = rendered.variants.get(coding)
        if variant is None:
            variant = rendered.variants[coding] = rendered.encoded(coding)
            variant.size = variant.weight([*self._cached, *rendered.headers]) + SLOT
            if self._entries.get(key) is rendered:
                rendered.size += variant.size
                self._bytes += variant.size
                self._evict()
        return variant

    async def _miss(
        self, scope: Scope, receive: Receive, send: Send, key: Key, request_id: bytes, began: int
    ) -> "tuple[Rendered, Answered] | Passing":
        """The response rendered by the shortcut or by routing (and kept when it may be), or
        the stream that routing sent on as it came."""
        REQUEST_ID.set(request_id.decode())  # for the log lines of errors (api/web/access.py)
        try:
            answer = None if self.shortcut is None else await self.shortcut(scope)
        except Exception:
            # A failure of the shortcut is the response's: reported, never retried by routing.
            log.exception("unhandled error in the fast path on %s", scope["path"])
            return failure(500, FAILURE, request_id, UNMATCHED), FAST
        answered: Answered = FAST
        keep = True
        if answer is None:
            head = scope.get("method") == "HEAD"
            keep = not head
            get = cast(HTTPScope, {**scope, "method": "GET", HEAD_ONLY: head})
            passing = Passing(self, scope, send, key, request_id)
            try:
                found = await self._render(get, receive, passing)
            except Exception:
                self._failed(cast(HTTPScope, scope), began, passing)
                raise
            if found is None:
                return passing
            rendered, answered = found, ROUTED
        else:
            route, headers, body = answer
            rendered = self._finish(key, 200, headers, body, route)
        if self.max_bytes and keep and rendered.etag is not None:
            rendered.size = rendered.cost(key, self._cached)
            if rendered.size <= self.max_bytes // 8:
                self._remember(key, rendered)
        return rendered, answered

    def _remember(self, key: Key, rendered: Rendered) -> None:
        self._entries[key] = rendered
        self._bytes += rendered.size
        self._evict()

    def _evict(self) -> None:
        while self._bytes > self.max_bytes:
            _, evicted = self._entries.popitem(last=False)
            self._bytes -= evicted.size

    async def _render(self, scope: Scope, receive: Receive, passing: "Passing") -> Rendered | None:
        """The application's response, complete; or None when it was a stream (a body sent in
        parts), which ``passing`` sent on as it came and nothing kept."""
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def collect(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                status, raw = int(start["status"]), start.get("headers", [])
                if not passing.open and not chunks and own(status, raw):
                    await passing.keep(status, raw)
                elif not passing.open and message.get("more_body", False) and not chunks:
                    await passing.begin(status, raw)
                if passing.open:
                    await passing.forward(message)
                else:
                    chunks.append(message.get("body", b""))

        try:
            await self.app(scope, receive, collect)
        finally:  # the route is known once routing ran, even when the response then failed
            passing.route = scope.get("path_template", UNMATCHED)
        if passing.open:
            return None
        status, raw = int(start["status"]), start.get("headers", [])
        stored = NO_STORE not in ((k.lower(), v) for k, v in raw)
        body = b"".join(chunks)
        return self._finish(passing.key, status, _own(raw), body, passing.route, stored=stored)

    def _finish(
        self,
        key: Key,
        status: int,
        headers: Headers,
        body: bytes,
        route: str,
        *,
        stored: bool = True,
    ) -> Rendered:
        """Append Content-Length, ETag and Cache-Control, then ALWAYS, to the response's own
        headers (lower-case names, none of those the edge sets); a response that may not be
        ``stored`` and any but a 200 get ``no-store`` and no ETag."""
        length = (b"content-length", b"%d" % len(body))
        etag = self.etag(key) if status == 200 and stored else None
        return Rendered(status, self.closing([*headers, length], etag), body, etag, route)

    def etag(self, key: Key) -> bytes:
        digest = self._hash.copy()  # blake2b(revision \0 path \0 query \0 accept)
        digest.update(b"%s\0%s\0%s" % (key[0].encode("utf-8", "surrogatepass"), key[1], key[2]))
        return b'"%s"' % digest.hexdigest().encode()

    def closing(self, headers: Headers, etag: bytes | None) -> Headers:
        """The edge's headers after a response's own: ETag and Cache-Control for a 200."""
        if etag is None:
            return [*headers, NO_STORE, *ALWAYS]
        return [*headers, (b"etag", etag), *self._cached]


class Passing:
    """A streamed response on its way to the client: headers as for any other (with its
    ETag, so If-None-Match still gives a 304), the parts sent as they come, none kept.
    HEAD and a 304 send no body; the parts the application still produces are dropped.

    A stream is compressed as it goes when Accept-Encoding takes a coding (an export of a whole
    collection shrinks about 5 times). Its ETag is then weak (``W/`` and the coding's suffix):
    the bytes are made anew by each request, as the contract allows only a weak one for."""

    def __init__(self, edge: Edge, scope: Scope, send: Send, key: Key, request_id: bytes) -> None:
        self.edge, self.scope, self.send, self.key = edge, scope, send, key
        self.request_id = request_id
        self.open = False
        #: What the log and the metrics are told: the status sent, the body bytes, the route.
        self.status = 0
        self.sent = 0
        self.route = UNMATCHED
        self._quiet = scope.get("method") == "HEAD"
        self._encoder: encoding.Encoder | None = None

    async def begin(self, status: int, raw: Any) -> None:
        self.open = True
        own = _own(raw)
        etag = self.edge.etag(self.key) if status == 200 else None
        if etag is not None:
            kind = next((v for k, v in own if k == b"content-type"), None)
            field = header(self.scope, b"accept-encoding")
            coding = encoding.choose(field, encoding.compressible(kind))
            if coding is None:
                self._quiet = True
                refused = failure(406, REFUSED, self.request_id, UNMATCHED)
                self.status, self.sent = 406, len(refused.body)
                await self.send(_identified(refused.start, self.request_id))
                await self.send(refused.body_event)
                return
            if coding != encoding.IDENTITY:
                self._encoder = encoding.encoder(coding)
                own.append((b"content-encoding", coding.encode()))
                etag = b"W/" + encoding.tagged(etag, coding)
        headers = self.edge.closing(own, etag)
        condition = header(self.scope, b"if-none-match")
        if etag is not None and condition is not None and etag_matches(condition, etag):
            status, self._quiet = 304, True
            headers = [(k, v) for k, v in headers if k not in NOT_MODIFIED_DROPS]
        self.status = status
        headers.append((HEADER, self.request_id))
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        if self._quiet:
            await self.send(NO_BODY)

    async def keep(self, status: int, raw: Any) -> None:
        """A file's own answer (see ``own``): its status and headers as the application made
        them, with ALWAYS; its body as it comes, neither compressed nor kept."""
        self.open, self.status = True, status
        headers = [(k.lower(), v) for k, v in _allow_head(raw) if k.lower() not in ALWAYS_NAMES]
        headers += [*ALWAYS, (HEADER, self.request_id)]
        await self.send({"type": "http.response.start", "status": status, "headers": headers})
        if self._quiet:
            await self.send(NO_BODY)

    async def forward(self, message: Message) -> None:
        if self._quiet:
            return
        if self._encoder is None:
            self.sent += len(cast(HTTPResponseBodyEvent, message).get("body", b""))
            await self.send(message)
            return
        part = cast(HTTPResponseBodyEvent, message)
        body = self._encoder.process(part.get("body", b""))
        more = part.get("more_body", False)
        if not more:
            body += self._encoder.finish()
        self.sent += len(body)
        if body or not more:
            encoded: HTTPResponseBodyEvent = {
                "type": "http.response.body",
                "body": body,
                "more_body": more,
            }
            await self.send(encoded)


def own(status: int, raw: Any) -> bool:
    """Whether a response is a file's own (api/web/resources/downloads.py): it says
    ``Accept-Ranges: bytes``, so its bytes are counted by its ranges and validated by its own
    strong ETag (the file's hash), which compressing or re-tagging it would break. Nothing else
    says it: the pages' assets (Litestar's File too) get the edge's ETag and cache."""
    return status in OWN_STATUSES and any(
        k.lower() == b"accept-ranges" and v == b"bytes" for k, v in raw
    )


def _own(raw: Any) -> Headers:
    """The application's headers the edge keeps: lower-case, none of those it sets itself."""
    return [
        (k.lower(), v)
        for k, v in _allow_head(raw)
        if k.lower() not in DROPPED and k.lower() != b"content-length"
    ]


def header(scope: Scope, name: bytes) -> bytes | None:
    """The last value of a request header (names are lower case in ASGI scopes)."""
    found = None
    for key, value in scope["headers"]:
        if key == name:
            found = value
    return found


class Tap:
    """The send of a response routing answers directly (any method but GET and HEAD): adds the
    edge's headers and notes the status and the body bytes, for the log and the metrics."""

    def __init__(self, send: Send, extra: Headers) -> None:
        self._send, self._extra = send, extra
        self.status = 0
        self.size = 0

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.status = int(message["status"])
            message["headers"] = [*_allow_head(message.get("headers", [])), *self._extra]
        elif message["type"] == "http.response.body":
            self.size += len(message.get("body", b""))
        await self._send(message)


def _allow_head(headers: Any) -> Headers:
    """The edge answers HEAD wherever GET is routed, so ``Allow`` names it too."""
    result = []
    for name, value in headers:
        if name.lower() == b"allow" and b"GET" in value and b"HEAD" not in value:
            value = value.replace(b"GET", b"GET, HEAD")
        result.append((name, value))
    return result
