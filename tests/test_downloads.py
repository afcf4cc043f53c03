"""The whole-dataset downloads, from the real server on 127.0.0.1: what /v1 lists is what is
sent (hash, size), the files hold what the API serves, and ranges and conditions per RFC 9110."""

import hashlib
import http.client
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from api.model.catalog import RESOURCES
from tests.conftest import ServiceFactory

Answer = tuple[int, dict[str, str], bytes]


def ask(base: str, path: str, method: str = "GET", **headers: str) -> Answer:
    """Status, headers (lower-case names) and body of one request on a new connection."""
    connection = http.client.HTTPConnection(urlsplit(base).netloc, timeout=30)
    try:
        connection.request(
            method, path, headers={k.replace("_", "-"): v for k, v in headers.items()}
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def ask_json(base: str, path: str) -> Any:
    status, _, body = ask(base, path)
    assert status == 200, path
    return json.loads(body)


@pytest.fixture(scope="module")
def files(live_server: str) -> dict[str, dict[str, Any]]:
    """The index's downloads by suffix (sqlite, ndjson)."""
    listed = ask_json(live_server, "/v1")["downloads"]
    return {file["name"].rsplit(".", 1)[1]: file for file in listed}


@pytest.fixture(scope="module")
def whole(live_server: str, files: dict[str, dict[str, Any]]) -> dict[str, bytes]:
    """Each download's bytes, as a plain GET gets them."""
    found = {}
    for suffix, file in files.items():
        status, _, body = ask(live_server, file["href"])
        assert status == 200
        found[suffix] = body
    return found


def every_id(base: str, resource: str) -> Iterator[str]:
    path: str | None = f"/v1/{resource}?limit=500"
    while path is not None:
        page = ask_json(base, path)
        yield from (record["id"] for record in page["data"])
        path = page["links"]["next"]


def test_the_index_lists_both_files_named_with_the_version(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    version = ask_json(live_server, "/v1")["version"]
    assert set(files) == {"sqlite", "ndjson"}
    for suffix, file in files.items():
        assert file["name"] == f"article-facts-{version}.{suffix}"
        assert file["version"] == version
        assert file["href"] == f"/v1/downloads/{file['name']}"
    assert files["sqlite"]["media_type"] == "application/vnd.sqlite3"
    assert files["ndjson"]["media_type"] == "application/x-ndjson"


def test_each_file_is_what_the_index_says_with_its_hash_as_strong_etag(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    for file in files.values():
        status, headers, body = ask(live_server, file["href"], Accept_Encoding="gzip, br")
        assert status == 200
        assert hashlib.sha256(body).hexdigest() == file["sha256"]
        assert int(headers["content-length"]) == len(body) == file["size"]
        assert headers["etag"] == f'"{file["sha256"]}"'
        assert headers["content-type"] == file["media_type"]
        assert headers["accept-ranges"] == "bytes"
        assert "content-encoding" not in headers  # ranges count the file's own bytes
        assert headers["cache-control"] == "public, max-age=31536000, immutable"
        assert file["name"] in headers["content-disposition"]
        exposed = {name.strip() for name in headers["access-control-expose-headers"].split(",")}
        assert {"ETag", "Content-Range", "Accept-Ranges"} <= exposed


def test_the_sqlite_file_opens_and_counts_what_v1_counts(
    live_server: str, whole: dict[str, bytes], tmp_path: Path
) -> None:
    path = tmp_path / "downloaded.sqlite"
    path.write_bytes(whole["sqlite"])
    counts = ask_json(live_server, "/v1")["counts"]
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for resource in RESOURCES:
            query = f"select count(*) from {resource.name}"  # noqa: S608
            assert connection.execute(query).fetchone()[0] == counts[resource.name]
    finally:
        connection.close()


def test_the_ndjson_dump_has_every_record_the_json_pages_have(
    live_server: str, whole: dict[str, bytes]
) -> None:
    lines = [json.loads(line) for line in whole["ndjson"].splitlines()]
    for resource in RESOURCES:
        dumped = [line["record"] for line in lines if line["resource"] == resource.name]
        assert [record["id"] for record in dumped] == list(every_id(live_server, resource.name))
        first = dumped[0]
        assert ask_json(live_server, first["href"]) == first
    assert {line["resource"] for line in lines} == {resource.name for resource in RESOURCES}


def test_a_range_gives_those_bytes(live_server: str, files: dict[str, dict[str, Any]]) -> None:
    file = files["sqlite"]
    status, headers, body = ask(live_server, file["href"], Range="bytes=0-15")
    assert status == 206
    assert body == b"SQLite format 3\0"
    assert headers["content-range"] == f"bytes 0-15/{file['size']}"
    assert headers["content-length"] == "16"
    assert headers["etag"] == f'"{file["sha256"]}"'


@pytest.mark.parametrize(
    ("header", "part"),
    [
        ("bytes=-100", slice(-100, None)),  # a suffix: the last 100 bytes
        ("bytes=5-19, 0-9", slice(0, 20)),  # overlapping ranges, merged into one
        ("bytes=1000-", slice(1000, None)),  # to the end
    ],
    ids=["suffix", "overlapping", "open"],
)
def test_a_single_range_gives_those_bytes_with_content_range(
    live_server: str,
    files: dict[str, dict[str, Any]],
    whole: dict[str, bytes],
    header: str,
    part: slice,
) -> None:
    size = files["sqlite"]["size"]
    first, end, _ = part.indices(size)
    status, headers, body = ask(live_server, files["sqlite"]["href"], Range=header)
    assert status == 206
    assert body == whole["sqlite"][part]
    assert headers["content-range"] == f"bytes {first}-{end - 1}/{size}"
    assert headers["content-length"] == str(end - first)


def test_several_ranges_are_a_multipart_answer(
    live_server: str, files: dict[str, dict[str, Any]], whole: dict[str, bytes]
) -> None:
    file = files["ndjson"]
    status, headers, body = ask(live_server, file["href"], Range="bytes=100-199,0-9")
    assert status == 206
    kind, _, boundary = headers["content-type"].partition("; boundary=")
    assert kind == "multipart/byteranges"
    assert int(headers["content-length"]) == len(body)
    assert body.endswith(f"\r\n--{boundary}--\r\n".encode())
    parts = body.split(f"--{boundary}".encode())[1:-1]
    found = []
    for part in parts:
        head, _, data = part.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        fields = dict(line.split(": ", 1) for line in head.decode().split("\r\n"))
        assert fields["Content-Type"] == file["media_type"]
        found.append((fields["Content-Range"], data.removesuffix(b"\r\n")))
    size = file["size"]
    assert found == [
        (f"bytes 0-9/{size}", whole["ndjson"][:10]),
        (f"bytes 100-199/{size}", whole["ndjson"][100:200]),
    ]


def test_a_range_outside_the_file_is_a_416_naming_its_size(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    file = files["sqlite"]
    status, headers, body = ask(live_server, file["href"], Range=f"bytes={file['size']}-")
    assert status == 416
    assert headers["content-range"] == f"bytes */{file['size']}"
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 416


def test_an_invalid_range_is_ignored(
    live_server: str, files: dict[str, dict[str, Any]], whole: dict[str, bytes]
) -> None:
    for invalid in ("bytes=9-1", "lines=0-1", "bytes=x-", "bytes="):
        status, _, body = ask(live_server, files["sqlite"]["href"], Range=invalid)
        assert (status, body == whole["sqlite"]) == (200, True), invalid


def test_if_range_applies_the_range_only_for_the_current_etag(
    live_server: str, files: dict[str, dict[str, Any]], whole: dict[str, bytes]
) -> None:
    file = files["sqlite"]
    status, headers, body = ask(live_server, file["href"], Range="bytes=0-15", If_Range='"other"')
    assert status == 200
    assert body == whole["sqlite"]
    assert "content-range" not in headers
    tag = f'"{file["sha256"]}"'
    status, _, body = ask(live_server, file["href"], Range="bytes=0-15", If_Range=tag)
    assert (status, body) == (206, b"SQLite format 3\0")


def test_if_none_match_gives_304_with_no_body(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    for file in files.values():
        tag = f'"{file["sha256"]}"'
        status, headers, body = ask(live_server, file["href"], If_None_Match=tag)
        assert (status, body) == (304, b"")
        assert headers["etag"] == tag
        assert "content-length" not in headers or headers["content-length"] == "0"
        status, _, _ = ask(live_server, file["href"], If_None_Match='"other"')
        assert status == 200


def test_head_gives_the_headers_of_get_and_no_body(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    for file in files.values():
        status, headers, body = ask(live_server, file["href"], method="HEAD")
        assert (status, body) == (200, b"")
        assert headers["content-length"] == str(file["size"])
        assert headers["etag"] == f'"{file["sha256"]}"'


def read_bytes(pid: int) -> int:
    """What a process has read so far, from files and sockets alike (``rchar``)."""
    for line in Path(f"/proc/{pid}/io").read_text().splitlines():
        if line.startswith("rchar:"):
            return int(line.split()[1])
    raise LookupError(f"no rchar for {pid}")


def test_a_head_reads_none_of_the_file(
    serve: ServiceFactory, files: dict[str, dict[str, Any]]
) -> None:
    """HEAD, of the whole file or of a range, answers with every header of the GET, and the
    worker reads under a tenth of the file meanwhile: it used to read it whole and drop it
    (1.4 GB for the database at a million facts)."""
    with serve() as service:
        (worker,) = service.workers()
        for file in files.values():
            for asked in ({}, {"Range": "bytes=1-"}):
                status, headers, _ = ask(service.base, file["href"], **asked)
                before = read_bytes(worker)
                head = ask(service.base, file["href"], method="HEAD", **asked)
                read = read_bytes(worker) - before
                assert (head[0], head[2]) == (status, b"")
                assert _but_id(head[1]) == _but_id(headers), (file["name"], asked)
                assert read < file["size"] / 10, (file["name"], asked, read)


def _but_id(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k != "x-request-id"}


def test_an_unknown_file_is_a_404_problem(live_server: str) -> None:
    status, headers, body = ask(live_server, "/v1/downloads/article-facts-0000.sqlite")
    assert status == 404
    assert headers["content-type"] == "application/problem+json"
    assert json.loads(body)["status"] == 404


def test_other_routes_keep_the_edges_etags(live_server: str) -> None:
    """The pages' assets (Litestar's File too) are the edge's: its ETag, 304, no ranges."""
    for path in ("/assets/viewer.js", "/v1", "/"):
        status, headers, _ = ask(live_server, path)
        assert status == 200
        assert "accept-ranges" not in headers
        again, _, body = ask(live_server, path, If_None_Match=headers["etag"])
        assert (again, body) == (304, b""), path


def test_the_home_page_links_every_download(
    live_server: str, files: dict[str, dict[str, Any]]
) -> None:
    status, _, page = ask(live_server, "/")
    assert status == 200
    for file in files.values():
        assert f'<a href="{file["href"]}" type="{file["media_type"]}">' in page.decode()
