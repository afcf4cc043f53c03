"""Byte ranges of a file (RFC 9110 section 14): which bytes a Range header asks for.

A header that is not a valid ``bytes=`` range set, or asks for more than MOST parts once merged,
is ignored, as RFC 9110 14.2 allows: the answer is the whole file (200). Ranges that overlap or
touch are merged and sent in ascending order (14.2 lets a server coalesce them): one range left
is a 206 with ``Content-Range``, several a 206 ``multipart/byteranges`` (``Part``, ``multipart``).
None of them within the file is a 416.
"""

import re
from collections.abc import Iterator
from dataclasses import dataclass

#: The most parts a multipart answer has; a Range asking for more is ignored (answered whole).
MOST = 16
_SPEC = re.compile(r"^\s*(\d*)\s*-\s*(\d*)\s*$", re.ASCII)
Span = tuple[int, int]  # first and last byte, inclusive


def requested(header: str | None, size: int) -> list[Span] | None:
    """The ranges of ``size`` bytes the header asks for, merged and in order: None when the
    header is absent or ignored, an empty list when none of it is within the file."""
    if header is None:
        return None
    unit, _, specs = header.partition("=")
    if unit.strip().lower() != "bytes" or not specs.strip():
        return None
    try:
        spans = [_span(spec, size) for spec in specs.split(",")]
    except ValueError:
        return None
    merged = _merged(sorted(span for span in spans if span is not None))
    return None if len(merged) > MOST else merged


def _span(spec: str, size: int) -> Span | None:
    """One range within ``size`` bytes, or None when it is valid but outside the file.

    Raises ValueError when it is not a valid range."""
    found = _SPEC.match(spec)
    if found is None or found.groups() == ("", ""):
        raise ValueError(spec)
    first, last = found.groups()
    if not first:  # a suffix: the last N bytes
        length = int(last)
        return (max(size - length, 0), size - 1) if length and size else None
    if last and int(last) < int(first):
        raise ValueError(spec)
    if int(first) >= size:
        return None
    return int(first), min(int(last), size - 1) if last else size - 1


def _merged(spans: list[Span]) -> list[Span]:
    merged: list[Span] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return merged


def content_range(span: Span, size: int) -> str:
    return f"bytes {span[0]}-{span[1]}/{size}"


@dataclass(frozen=True)
class Part:
    """What a multipart/byteranges body sends: some bytes of the file (``span``) or the
    boundary and headers between them (``text``)."""

    text: bytes = b""
    span: Span | None = None

    @property
    def length(self) -> int:
        return len(self.text) if self.span is None else self.span[1] - self.span[0] + 1


def multipart(spans: list[Span], size: int, media_type: str, boundary: str) -> Iterator[Part]:
    """The parts of a multipart/byteranges body (RFC 9110 14.6) of ``spans``."""
    for index, span in enumerate(spans):
        lead = b"\r\n" if index else b""
        yield Part(
            text=lead
            + f"--{boundary}\r\nContent-Type: {media_type}\r\n"
            f"Content-Range: {content_range(span, size)}\r\n\r\n".encode()
        )
        yield Part(span=span)
    yield Part(text=f"\r\n--{boundary}--\r\n".encode())
