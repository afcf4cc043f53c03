"""Content codings: which one a request takes (``Accept-Encoding``, RFC 9110 12.5.3) and the
encoders that write it.

The service offers br (the ``brotli`` package) and gzip (zlib), and identity. zstd is not
offered: Python 3.11 has no zstd in its standard library, so it would be a third dependency for
a coding every client that sends zstd also takes br for, and br is the smaller of the two on
bodies of this size.

Negotiation follows RFC 9110 12.5.3. No ``Accept-Encoding``, or an empty one, takes identity
(a client that says nothing may not decode anything: curl without ``--compressed``). Otherwise
a coding is acceptable when it is named with a q above 0, or not named and ``*`` has a q above
0; identity is acceptable unless ``identity;q=0``, or ``*;q=0`` without identity named (and,
when neither is named, ranked below every coding that is: ``gzip;q=0.5`` asks for gzip). Codings
the service does not know are ignored (``x-gzip`` is gzip, 8.4.1.3), and so is an element
whose weight does not parse. The acceptable codings are ranked by q, br before gzip before
identity at equal q. When none is acceptable (identity refused, nothing else taken) the answer
is a 406 problem document: the client said it cannot use an unencoded body, and RFC 9110 12.1
lets a server answer 406 rather than disregard the header; the document itself is sent
unencoded, as every error is (small, never cached, readable by any client).

A body shorter than SMALL bytes, or of a type that is compressed already (images, fonts), is
sent as identity whenever identity is acceptable: its gzip framing alone (18 bytes) costs what
compressing saves. A cached body is compressed once, at the quality that gives the smallest
output in about a millisecond a kilobyte or less (br 11 up to 64 KiB, 5 above; gzip 6, level 9
gains less than 0.1 % here); a stream is compressed as it goes, at the cheaper settings.
"""

import re
import zlib
from functools import lru_cache
from typing import Protocol

import brotli

IDENTITY = "identity"
#: The codings the service writes, preferred first when the client weighs them equally.
CODINGS = ("br", "gzip")
#: What each coding appends to an ETag inside its quotes: the encoded body is a different
#: representation, so it needs a different strong validator (RFC 9110 8.8.3).
SUFFIX = {"br": b"-br", "gzip": b"-gz"}
#: Bodies shorter than this are not worth compressing (issue 14: "small bodies left alone").
SMALL = 1024
#: Above this many bytes a cached body gets br's quality 5: quality 11 costs ~10 ms for 13 KB
#: and ~110 ms for the 200 KB OpenAPI document, on the event loop.
BEST_UNDER = 64 * 1024
#: gzip's wbits: a gzip header and trailer (16) around a 32 KiB window (15).
GZIP = 16 + 15
ALIASES = {"x-gzip": "gzip"}
#: The weight of identity when neither it nor ``*`` is named: acceptable, below any coding
#: the client names (``gzip;q=0.5`` asks for gzip).
UNNAMED = 0.0001
QVALUE = re.compile(r"0(?:\.[0-9]{0,3})?|1(?:\.0{0,3})?", re.ASCII)
#: Content types that are compressed already.
PACKED = (b"image/", b"font/", b"audio/", b"video/", b"application/zip", b"application/gzip")


def weights(field: bytes) -> dict[str, float]:
    """The q-value of each coding ``field`` names (lower case, ``*`` included); an element
    whose weight is not a qvalue of RFC 9110 12.4.2 is left out."""
    found: dict[str, float] = {}
    for element in field.decode("latin-1").split(","):
        coding, *parameters = (part.strip() for part in element.split(";"))
        coding = coding.lower()
        if not coding:
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                q = qvalue(value.strip())
        if q >= 0:
            name = ALIASES.get(coding, coding)
            found[name] = max(q, found.get(name, -1.0))
    return found


def qvalue(text: str) -> float:
    """A qvalue (``0``, ``0.5``, ``1.000``: 0 to 1, at most three decimals); -1 for anything
    else."""
    return float(text) if QVALUE.fullmatch(text) else -1.0


@lru_cache(maxsize=512)
def ranked(field: bytes | None) -> tuple[str, ...]:
    """The acceptable codings for an ``Accept-Encoding`` value (None: the header is absent),
    best first. Clients send few distinct values, so each is parsed once."""
    if field is None or not field.strip(b" \t,"):
        return (IDENTITY,)
    given = weights(field)
    anything = given.get("*", -1.0)
    offered = (*CODINGS, IDENTITY)
    default = {IDENTITY: UNNAMED if anything < 0 else anything}
    q = {coding: given.get(coding, default.get(coding, anything)) for coding in offered}
    acceptable = [coding for coding in offered if q[coding] > 0]
    return tuple(sorted(acceptable, key=lambda coding: -q[coding]))


def choose(field: bytes | None, worth: bool) -> str | None:
    """The coding to send a body in: the best acceptable one, identity when compressing is not
    ``worth`` it and identity is acceptable; None when no coding is acceptable (a 406)."""
    codings = ranked(field)
    if not worth and IDENTITY in codings:
        return IDENTITY
    return codings[0] if codings else None


def compressible(content_type: bytes | None) -> bool:
    return content_type is None or not content_type.lower().startswith(PACKED)


def tagged(etag: bytes, coding: str) -> bytes:
    """The ETag of the variant in ``coding`` of the response tagged ``etag``."""
    return etag[:-1] + SUFFIX[coding] + b'"'


def compress(coding: str, body: bytes) -> bytes:
    """``body`` in ``coding`` (one of CODINGS), at the settings for a body kept in the cache.
    The output is a function of the input alone (gzip's header carries no time): the same
    bytes in every process, as a strong ETag requires."""
    if coding == "br":
        quality = 11 if len(body) <= BEST_UNDER else 5
        return brotli.compress(body, mode=brotli.MODE_TEXT, quality=quality)
    return zlib.compress(body, 6, wbits=GZIP)


class Encoder(Protocol):
    """An incremental encoder: ``process`` each part of a body, then ``finish``."""

    def process(self, string: bytes) -> bytes: ...

    def finish(self) -> bytes: ...


class Gzip:
    """zlib's compressor as an Encoder."""

    def __init__(self) -> None:
        self._zlib = zlib.compressobj(5, zlib.DEFLATED, GZIP)

    def process(self, string: bytes) -> bytes:
        return self._zlib.compress(string)

    def finish(self) -> bytes:
        return self._zlib.flush()


def encoder(coding: str) -> Encoder:
    """An encoder for a streamed body: settings that keep pace with the stream (br quality 4
    and gzip level 5 compress a CSV export at ~60 MB/s, several times what it is read at)."""
    if coding == "br":
        return brotli.Compressor(mode=brotli.MODE_TEXT, quality=4)
    return Gzip()
