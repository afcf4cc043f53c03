"""Request ids and the access log: one line per request on stdout, tied to its response and its
problem document by the ``X-Request-Id`` they share.

A well-formed ``X-Request-Id`` from the client (1 to 128 of ``A-Za-z0-9._:-``, what nginx and
most tracers send) is kept; any other is replaced by one made here: a random prefix per process
and a counter, unique across workers and restarts, about 0.1 µs to make.

Why not granian's access log: its fields are fixed (no request id, no bytes sent, no how the
request was answered, milliseconds), and it builds each line with ``logging`` and ``strftime``.
Why not a ``logging.Logger`` call per request: one costs about 6 µs here, 15 % of a cached
answer (40 µs). The edge instead keeps an ``Answer`` per request, and lines are made from a
batch of them at once (api/web/ledger.py: at most half a second after the request), encoded
by msgspec, the way nginx's ``access_log … buffer= flush=`` writes. Writes are whole lines of
at most ``PIPE_BUF`` bytes, so lines of several workers sharing one pipe never interleave.

Errors go through ``logging`` (logger ``api``, stderr) with their stack trace, server-side
only; ``LOG_CONFIG`` is the one configuration of it, which granian is given too. The level
and the format (``json``, or ``plain`` for a terminal) are settings (api/settings.py): at
``warning`` or above there are no access lines.
"""

import datetime
import itertools
import logging
import os
import re
import select
import time
from contextvars import ContextVar
from typing import Any, Literal

import msgspec

#: How a response was made: from the response cache, by the fast path, by routing, or streamed.
Answered = Literal["cache", "fast", "routed", "stream"]
CACHE: Answered = "cache"
FAST: Answered = "fast"
ROUTED: Answered = "routed"
STREAM: Answered = "stream"
HEADER = b"x-request-id"
WELL_FORMED = re.compile(rb"[A-Za-z0-9._:-]{1,128}")
#: The id of the request being routed, for the problem documents the application renders.
REQUEST_ID: ContextVar[str] = ContextVar("request_id", default="")
#: Characters of a path or a query a line keeps: a line then fits in PIPE_BUF (4,096 bytes)
#: unless a client fills both with characters JSON must escape (6 bytes each); such a line is
#: written alone, in one write.
CUT = 512


class Answer(msgspec.Struct, gc=False):
    """One request answered: what its log line and its counts are made of."""

    time: float
    method: str
    path: str
    query: bytes
    client: tuple[str, int] | None
    status: int
    size: int
    nanoseconds: int
    answered: Answered
    request_id: bytes
    route: str


class Line(msgspec.Struct, gc=False):
    """One request, as its access-log line has it."""

    time: str
    method: str
    path: str
    query: str
    status: int
    bytes: int
    duration_us: int
    answered: Answered
    request_id: str
    client: str


class Ids:
    """Request ids of this process: the client's when well-formed, else prefix and counter."""

    def __init__(self) -> None:
        self._prefix = os.urandom(6).hex().encode() + b"-"
        self._counter = itertools.count(1)

    def of(self, given: bytes | None) -> bytes:
        if given is not None and WELL_FORMED.fullmatch(given):
            return given
        return b"%s%x" % (self._prefix, next(self._counter))


class Clock:
    """ISO 8601 UTC time to the millisecond, formatted once per millisecond (under load,
    tens of requests share one)."""

    def __init__(self) -> None:
        self._millisecond = -1
        self._text = ""

    def at(self, moment: float) -> str:
        """``moment`` (seconds since the epoch) as the log writes it."""
        millisecond = int(moment * 1000)
        if millisecond != self._millisecond:
            self._millisecond = millisecond
            second, fraction = divmod(millisecond, 1000)
            stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
            self._text = f"{stamp}.{fraction:03d}Z"
        return self._text


class AccessLog:
    """The access log of one process (see the module's docstring)."""

    def __init__(self, fd: int, *, enabled: bool, plain: bool) -> None:
        self.enabled = enabled
        self._fd = fd
        self._plain = plain
        self._encoder = msgspec.json.Encoder()
        self._clock = Clock()
        self._limit = select.PIPE_BUF

    def write(self, answers: list[Answer]) -> None:
        """The lines of ``answers``, written in whole lines of at most PIPE_BUF bytes each."""
        data = self._plain_lines(answers) if self._plain else self._json_lines(answers)
        start = 0
        while start < len(data):
            end = len(data) if len(data) - start <= self._limit else start + self._limit
            if end < len(data):
                cut = data.rfind(b"\n", start, end)
                end = data.find(b"\n", end) + 1 if cut < 0 else cut + 1
            _write_all(self._fd, memoryview(data)[start:end])
            start = end

    def _lines(self, answers: list[Answer]) -> list[Line]:
        at = self._clock.at
        return [
            Line(
                at(a.time),
                a.method,
                a.path if len(a.path) <= CUT else _cut(a.path),
                a.query.decode("latin-1")
                if len(a.query) <= CUT
                else _cut(a.query.decode("latin-1")),
                a.status,
                a.size,
                a.nanoseconds // 1000,
                a.answered,
                a.request_id.decode("ascii"),
                a.client[0] if a.client else "",
            )
            for a in answers
        ]

    def _json_lines(self, answers: list[Answer]) -> bytes:
        lines = self._lines(answers)
        try:
            return self._encoder.encode_lines(lines)
        except UnicodeEncodeError:  # a lone surrogate a percent-decoded path may hold
            for line in lines:
                line.path = line.path.encode("utf-8", "backslashreplace").decode()
            return self._encoder.encode_lines(lines)

    def _plain_lines(self, answers: list[Answer]) -> bytes:
        text = "".join(f"{_plain(line)}\n" for line in self._lines(answers))
        return text.encode("utf-8", "backslashreplace")


def _cut(text: str) -> str:
    """A path or query longer than CUT, cut (so that every line fits in PIPE_BUF bytes)."""
    return text[:CUT] + "…"


#: Control characters as the plain format shows them: escaped, so no line can be forged.
CONTROLS = {code: f"\\x{code:02x}" for code in [*range(32), 127]}


def _plain(line: Line) -> str:
    query = f"?{line.query}" if line.query else ""
    target = f"{line.path}{query}".translate(CONTROLS)
    return (
        f"{line.time} {line.client} {line.method} {target} {line.status}"
        f" {line.bytes}B {line.duration_us}us {line.answered} {line.request_id}"
    )


def _write_all(fd: int, data: memoryview) -> None:
    while data:
        data = data[os.write(fd, data) :]


def log_config(level: str, fmt: str) -> dict[str, Any]:
    """The ``logging`` configuration of the service and of granian: ``level`` for both, lines
    as JSON objects or plain text, on stderr (the access log alone is on stdout)."""
    kind = "JsonFormatter" if fmt == "json" else "PlainFormatter"
    formatter = {"()": f"api.web.access.{kind}"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"service": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "service",
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            name: {"handlers": ["stderr"], "level": level.upper(), "propagate": False}
            for name in ("api", "_granian", "granian.access")
        },
    }


PLAIN = "%(asctime)s %(levelname)s %(name)s %(message)s"


class PlainFormatter(logging.Formatter):
    """A log record as a line of text; one logged while a request is routed names its id."""

    def __init__(self) -> None:
        super().__init__(PLAIN)

    def formatMessage(self, record: logging.LogRecord) -> str:
        """The line before any stack trace, with the request's id at its end."""
        text = super().formatMessage(record)
        request_id = REQUEST_ID.get()
        return f"{text} (request {request_id})" if request_id else text


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object: time, level, logger, the id of the request being
    routed (when there is one: it ties the error to the request's access line and problem
    document), message and, for an error, its stack trace (server-side only: problem documents
    never carry one)."""

    def format(self, record: logging.LogRecord) -> str:
        moment = datetime.datetime.fromtimestamp(record.created, datetime.UTC)
        entry = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        request_id = REQUEST_ID.get()
        if request_id:
            entry["request_id"] = request_id
        entry["message"] = record.getMessage()
        if record.exc_info:
            entry["stack"] = self.formatException(record.exc_info)
        return msgspec.json.encode(entry).decode()
