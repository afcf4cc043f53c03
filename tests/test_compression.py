"""Compression: Accept-Encoding negotiation (RFC 9110 12.5.3), a strong ETag per coding,
bodies compressed once and kept, against the real server on 127.0.0.1 (bodies read raw, as
sent: http.client decodes nothing)."""

import http.client
import itertools
import urllib.parse
import zlib
from typing import Any

import brotli
import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st
from litestar.testing import TestClient

from api.settings import Settings
from api.web import encoding
from api.web.app import create_app
from api.web.edge import Edge

LIST = "/v1/quotes"
#: (Accept-Encoding, the coding the service must answer in; None: a 406).
NEGOTIATION: list[tuple[str | None, str | None]] = [
    (None, "identity"),
    ("", "identity"),
    ("gzip", "gzip"),
    ("br", "br"),
    ("gzip, br", "br"),
    ("br, gzip", "br"),
    ("br;q=0.5, gzip", "gzip"),
    ("gzip;q=0.5", "gzip"),
    ("GZIP;Q=0.9, br;q=0.1", "gzip"),
    ("x-gzip", "gzip"),
    ("gzip;q=0", "identity"),
    ("gzip;q=2, br;q=0.5x", "identity"),  # weights that are no qvalue: both elements ignored
    ("*", "br"),
    ("*;q=0.5, br;q=0", "gzip"),
    ("*;q=0", None),
    ("*;q=0, identity", "identity"),
    ("*;q=0, gzip;q=0.1", "gzip"),
    ("identity;q=0", None),
    ("identity;q=0, gzip", "gzip"),
    ("identity;q=0, *", "br"),
    ("compress, deflate, zstd", "identity"),  # unknown codings are ignored
    ("compress, identity;q=0", None),
    ("identity", "identity"),
    ("identity, gzip;q=0.5", "identity"),
]


def fetch(
    base: str, path: str, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers (lower-case names) and the body as sent; header names use ``_``."""
    url = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname or "", url.port, timeout=10)
    try:
        sent = {name.replace("_", "-"): value for name, value in headers.items()}
        connection.request(method, path, headers=sent)
        response = connection.getresponse()
        body = response.read()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, body
    finally:
        connection.close()


def encoded(base: str, path: str, accept_encoding: str | None, method: str = "GET") -> Any:
    headers = {} if accept_encoding is None else {"accept_encoding": accept_encoding}
    return fetch(base, path, method, **headers)


def decoded(headers: dict[str, str], body: bytes) -> bytes:
    coding = headers.get("content-encoding")
    if coding == "br":
        return bytes(brotli.decompress(body))
    if coding == "gzip":
        return zlib.decompress(body, wbits=encoding.GZIP)
    assert coding is None
    return body


@pytest.mark.parametrize(("accept_encoding", "expected"), NEGOTIATION)
def test_accept_encoding_chooses_the_coding(
    live_server: str, accept_encoding: str | None, expected: str | None
) -> None:
    _, _, identity = fetch(live_server, LIST, accept_encoding="identity")
    status, headers, body = encoded(live_server, LIST, accept_encoding)
    assert "accept-encoding" in headers["vary"].lower()
    if expected is None:
        assert status == 406
        assert headers["content-type"] == "application/problem+json"
        assert "content-encoding" not in headers
        assert all(coding in fetch_detail(body) for coding in ("br", "gzip", "identity"))
        return
    assert status == 200
    assert headers.get("content-encoding", "identity") == expected
    assert int(headers["content-length"]) == len(body)
    assert decoded(headers, body) == identity
    if expected != "identity":
        assert len(body) < len(identity)


def fetch_detail(body: bytes) -> str:
    detail: str = msgspec.json.decode(body)["detail"]
    return detail


def test_each_coding_has_its_own_strong_etag_and_revalidates_only_with_it(
    live_server: str,
) -> None:
    path = f"{LIST}?limit=40"
    tags = {}
    for coding in ("identity", "gzip", "br"):
        status, headers, _ = fetch(live_server, path, accept_encoding=coding)
        assert status == 200
        tags[coding] = headers["etag"]
        assert not tags[coding].startswith("W/")
    assert len(set(tags.values())) == 3
    for coding, other in itertools.product(tags, repeat=2):
        status, headers, body = fetch(
            live_server, path, accept_encoding=coding, if_none_match=tags[other]
        )
        if coding == other:
            assert (status, body) == (304, b"")
            assert headers["etag"] == tags[coding]
            assert "content-encoding" not in headers
            assert "accept-encoding" in headers["vary"].lower()
        else:
            assert status == 200
            assert headers["etag"] == tags[coding]


@pytest.mark.parametrize("coding", ["identity", "gzip", "br"])
def test_head_sends_the_headers_of_the_chosen_variant(live_server: str, coding: str) -> None:
    path = f"{LIST}?limit=41&sort=-date"
    # HEAD first: the variant it describes is made by the HEAD, then sent by the GET.
    head_status, head, head_body = fetch(live_server, path, "HEAD", accept_encoding=coding)
    get_status, got, body = fetch(live_server, path, accept_encoding=coding)
    assert (head_status, get_status, head_body) == (200, 200, b"")
    for name in ("etag", "content-length", "content-type", "vary", "cache-control"):
        assert head[name] == got[name]
    assert head.get("content-encoding") == got.get("content-encoding")
    assert int(head["content-length"]) == len(body)


def test_a_cache_hit_is_the_miss_again(live_server: str) -> None:
    """The first br request compresses (a miss, or a hit without the variant yet); the next is
    a hit: same status, headers and bytes, with gzip and identity asked for in between."""
    path = f"{LIST}?limit=42"
    first = fetch(live_server, path, accept_encoding="br")
    fetch(live_server, path, accept_encoding="gzip")
    fetch(live_server, path)
    again = fetch(live_server, path, accept_encoding="br")
    assert first[0] == again[0] == 200
    assert without_date(first[1]) == without_date(again[1])
    assert first[2] == again[2]
    assert first[1]["content-encoding"] == "br"


def without_date(headers: dict[str, str]) -> dict[str, str]:
    """The headers that are the response's, not the moment's or the request's."""
    return {k: v for k, v in headers.items() if k not in ("date", "x-request-id")}


def test_small_bodies_are_sent_as_they_are(live_server: str) -> None:
    path = "/v1/countries/russia"
    _, _, identity = fetch(live_server, path)
    assert len(identity) < encoding.SMALL  # the case this test is about
    status, headers, body = fetch(live_server, path, accept_encoding="gzip, br")
    assert status == 200
    assert "content-encoding" not in headers
    assert body == identity
    assert "accept-encoding" in headers["vary"].lower()
    # Refused identity leaves only a coding: then even a small body is compressed.
    status, headers, body = fetch(live_server, path, accept_encoding="identity;q=0, gzip")
    assert (status, headers["content-encoding"]) == (200, "gzip")
    assert decoded(headers, body) == identity


@pytest.mark.parametrize(
    "path", ["/v1/quotes/no-such-quote", "/v1/quotes?limit=0", "/v1/no-such-collection"]
)
def test_error_documents_are_never_encoded(live_server: str, path: str) -> None:
    for accept_encoding in ("gzip, br", "identity;q=0, br", "*;q=0"):
        status, headers, body = fetch(live_server, path, accept_encoding=accept_encoding)
        assert status >= 400
        assert status != 406
        assert headers["content-type"] == "application/problem+json"
        assert "content-encoding" not in headers
        assert int(headers["content-length"]) == len(body)
        assert "accept-encoding" in headers["vary"].lower()


@pytest.mark.parametrize("coding", ["gzip", "br"])
def test_a_stream_is_compressed_as_it_goes_with_a_weak_etag(live_server: str, coding: str) -> None:
    path = "/v1/quotes?format=csv"
    _, plain, identity = fetch(live_server, path)
    status, headers, body = fetch(live_server, path, accept_encoding=coding)
    assert status == 200
    assert headers["content-encoding"] == coding
    # br holds a small export until it finishes: then the server sends one part, with a length.
    assert int(headers.get("content-length", len(body))) == len(body)
    assert decoded(headers, body) == identity
    assert len(body) < len(identity)
    assert headers["etag"].startswith("W/")
    assert headers["etag"] != plain["etag"]
    status, again, body = fetch(
        live_server, path, accept_encoding=coding, if_none_match=headers["etag"]
    )
    assert (status, body) == (304, b"")
    assert again["etag"] == headers["etag"]
    assert fetch(live_server, path, accept_encoding=coding, if_none_match=plain["etag"])[0] == 200
    status, _, body = fetch(live_server, path, "HEAD", accept_encoding=coding)
    assert (status, body) == (200, b"")


def test_a_stream_refusing_identity_and_every_coding_is_a_406(live_server: str) -> None:
    status, headers, _ = fetch(live_server, "/v1/quotes?format=ndjson", accept_encoding="*;q=0")
    assert status == 406
    assert headers["content-type"] == "application/problem+json"


def test_the_cache_counts_the_compressed_bodies(settings: Settings) -> None:
    edge = create_app(settings)
    assert isinstance(edge, Edge)
    with TestClient(app=edge) as client:
        client.headers["accept-encoding"] = "identity"
        client.get(LIST)
        (entry,) = edge._entries.values()
        alone = edge._bytes
        assert alone == entry.size
        for coding in ("gzip", "br", "gzip"):  # the second gzip is the kept one
            assert client.get(LIST, headers={"accept-encoding": coding}).status_code == 200
        assert set(entry.variants) == {"gzip", "br"}
        added = sum(variant.size for variant in entry.variants.values())
        assert added > sum(len(variant.body) for variant in entry.variants.values())
        assert edge._bytes == entry.size == alone + added


qvalues = st.integers(0, 1000).map(lambda q: f"{q // 1000}.{q % 1000:03d}".rstrip("0"))
elements = st.dictionaries(st.sampled_from(["br", "gzip", "identity", "*", "zstd"]), qvalues)


def field_of(weights: dict[str, str], spaces: str) -> bytes:
    return ",".join(f"{spaces}{coding}{spaces};q={q}" for coding, q in weights.items()).encode()


@given(elements, st.sampled_from(["", " ", "\t"]), st.randoms())
def test_the_parser_reads_every_weight_in_any_order(
    weights: dict[str, str], spaces: str, random: Any
) -> None:
    """Each coding's q is read as written, whatever the spacing and order; the ranking is
    acceptable codings only, best first, and does not depend on the order either."""
    parsed = encoding.weights(field_of(weights, spaces))
    assert parsed == {coding: float(q) for coding, q in weights.items()}
    shuffled = list(weights.items())
    random.shuffle(shuffled)
    ranked = encoding.ranked(field_of(dict(shuffled), spaces))
    assert ranked == encoding.ranked(field_of(weights, spaces))
    star = parsed.get("*", -1.0)
    for coding in ranked:
        assert parsed.get(coding, star if star >= 0 else 1.0) > 0
    named = [coding for coding in ("br", "gzip") if parsed.get(coding, star) > 0]
    assert set(named) <= set(ranked)
