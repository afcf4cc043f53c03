"""GET /v1/downloads/{name}: the files of the whole dataset, as the build wrote them.

The whole file is Litestar's ``File`` (streamed in 1 MiB reads); Litestar has no ranges, so a
``Range`` (api/web/ranges.py) is answered here: one range a 206 with ``Content-Range``, several
a 206 ``multipart/byteranges``, none within the file a 416 problem with ``Content-Range:
bytes */<size>``. ``If-Range`` applies the range only when it is the file's ETag (a date, or any
other tag, gets the whole file: the safe answer RFC 9110 13.1.5 allows). Every answer carries
the file's SHA-256 as its strong ETag, ``Accept-Ranges: bytes`` and ``Cache-Control: public,
max-age=31536000, immutable``: a file's name holds its dataset version, so its bytes never
change. ``Accept-Ranges`` is also what tells the edge (api/web/edge.py) that the response is the
file's own: sent as made, never compressed (a range counts the file's bytes), cached or re-tagged.
A HEAD (which the edge routes as a GET, saying so in the scope) gets the same headers and reads
none of the file: it was read whole and dropped, 1.4 GB for the database at a million facts.
"""

import secrets
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Annotated, Any

from litestar import Request, Response, get
from litestar.datastructures import ETag
from litestar.di import NamedDependency
from litestar.params import HeaderParameter, PathParameter
from litestar.response import File, Stream
from litestar.response.base import ASGIResponse

from api.model import downloads
from api.model.errors import NotFound
from api.model.models import Download
from api.web import ranges
from api.web.edge import HEAD_ONLY, etag_matches
from api.web.openapi import DOWNLOAD_RESPONSES
from api.web.problems import problem_response
from api.web.ranges import Part

IMMUTABLE = "public, max-age=31536000, immutable"
NameParameter = Annotated[
    str, PathParameter(description="The file's name, as the index lists it.", max_length=120)
]
RangeHeader = Annotated[
    str | None,
    HeaderParameter(
        name="Range",
        description="Bytes of the file to send (RFC 9110 14.2), e.g. `bytes=0-15` or `bytes=-512`;"
        " several ranges make a multipart/byteranges answer. An invalid one is ignored.",
        required=False,
    ),
]
IfRangeHeader = Annotated[
    str | None,
    HeaderParameter(
        name="If-Range",
        description="Apply Range only if the file's ETag is still this one; otherwise the whole"
        " file is sent (200).",
        required=False,
    ),
]
IfNoneMatchHeader = Annotated[
    str | None,
    HeaderParameter(
        name="If-None-Match",
        description="An ETag from an earlier response; when it still matches the answer is 304.",
        required=False,
    ),
]
Identity = tuple[int, int] | None


class Shelf:
    """The files of the dataset this process serves: the manifest's, as they were when it
    started. A file a later build replaced (another inode under the name) is unknown here,
    rather than other bytes sent under the first one's hash."""

    def __init__(self, folder: Path, files: list[Download]) -> None:
        self.files = files
        self._found = {
            file.name: (file, folder / file.name, _identity(folder / file.name)) for file in files
        }

    @classmethod
    def beside(cls, database: Path, version: str) -> "Shelf":
        return cls(database.parent, downloads.listed(database, version))

    def find(self, name: str) -> tuple[Download, Path]:
        found = self._found.get(name)
        if found is None or _identity(found[1]) != found[2]:
            raise NotFound(f"no download named {name!r}")
        return found[0], found[1]


def _identity(path: Path) -> Identity:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_dev, stat.st_ino


@get(
    "/v1/downloads/{name:str}",
    operation_id="getDownload",
    summary="A file of the whole dataset",
    description=(
        "The SQLite database or the NDJSON dump of every record, as `/v1` lists them under"
        " `downloads` (name, size, SHA-256). The ETag is the file's SHA-256. `Range` is"
        " honoured (206, or 416 when no byte of it is within the file); never compressed."
    ),
    tags=["Index"],
    responses=DOWNLOAD_RESPONSES,
)
async def download(
    request: Request[Any, Any, Any],
    shelf: NamedDependency[Shelf],
    name: NameParameter,
    range_: RangeHeader = None,
    if_range: IfRangeHeader = None,
    if_none_match: IfNoneMatchHeader = None,
) -> Response[Any]:
    file, path = shelf.find(name)
    head = bool(request.scope.get(HEAD_ONLY))
    return answer(file, path, range_, if_range, if_none_match, head=head)


class _HeadOnly:
    """A response whose ASGI response sends its start alone: a HEAD reads nothing of the file.
    Made as for a GET and then marked, so it keeps every header of the GET (Litestar's own HEAD
    leaves out Content-Type)."""

    __slots__ = ()

    def to_asgi_response(self, *args: Any, **kwargs: Any) -> Any:
        response: ASGIResponse = super().to_asgi_response(*args, **kwargs)  # type: ignore[misc]
        response.is_head_response = True
        return response


class _HeadFile(_HeadOnly, File):
    __slots__ = ()


class _HeadStream(_HeadOnly, Stream):
    __slots__ = ()


def answer(
    file: Download,
    path: Path,
    range_: str | None,
    if_range: str | None,
    if_none_match: str | None,
    *,
    head: bool = False,
) -> Response[Any]:
    tag = f'"{file.sha256}"'
    headers = {"Accept-Ranges": "bytes", "Cache-Control": IMMUTABLE}
    if if_none_match is not None and etag_matches(if_none_match.encode(), tag.encode()):
        return Response(b"", status_code=304, headers={**headers, "ETag": tag})
    spans = ranges.requested(range_, file.size) if if_range in (None, tag) else None
    if spans is None:
        etag = ETag(value=file.sha256)
        whole = _HeadFile if head else File
        return whole(
            path, filename=file.name, media_type=file.media_type, etag=etag, headers=headers
        )
    if not spans:
        detail = f"no byte of the range is within the file's {file.size} bytes"
        return problem_response(416, detail, headers={"Content-Range": f"bytes */{file.size}"})
    headers["ETag"] = tag
    if len(spans) == 1:
        parts = [Part(span=spans[0])]
        headers["Content-Range"] = ranges.content_range(spans[0], file.size)
        media_type = file.media_type
    else:
        boundary = secrets.token_hex(16)
        parts = list(ranges.multipart(spans, file.size, file.media_type, boundary))
        media_type = f"multipart/byteranges; boundary={boundary}"
    headers["Content-Length"] = str(sum(part.length for part in parts))
    partial = _HeadStream if head else Stream
    return partial(_read(path, parts), status_code=206, media_type=media_type, headers=headers)


def _read(path: Path, parts: Iterable[Part]) -> Iterator[bytes]:
    """The bytes of ``parts``: their text, or the file's bytes of their span (read in chunks;
    Litestar iterates a plain iterator on a thread, off the event loop)."""
    with path.open("rb") as file:
        for part in parts:
            if part.span is None:
                yield part.text
                continue
            first, last = part.span
            file.seek(first)
            left = last - first + 1
            while left:
                chunk = file.read(min(downloads.CHUNK, left))
                if not chunk:
                    raise OSError(f"{path} ended before byte {last}")
                left -= len(chunk)
                yield chunk
