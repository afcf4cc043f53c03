"""The files of the whole dataset beside the database, and the manifest that lists them.

The build (api/build/__init__.py) writes them, each named with the dataset version:
``article-facts-<version>.sqlite``, the database itself (a hard link to it, so no copy), and
``article-facts-<version>.ndjson``, every record (api/build/dump.py); then, last, the manifest
``<database name>.downloads.json``: the version and each file's name, media type, size and
SHA-256, as the index serves them. The service reads the manifest once when it starts and never
writes anything; a manifest missing, unreadable or of another version than the database's (a
build stopped between its last two steps) lists nothing, and ``build --if-stale`` rebuilds.
"""

import hashlib
from pathlib import Path

import msgspec
from msgspec import Struct

from api.model.models import Download

PREFIX = "article-facts"
#: The media type of each file by its suffix (application/vnd.sqlite3 is IANA's).
MEDIA_TYPES = {"sqlite": "application/vnd.sqlite3", "ndjson": "application/x-ndjson"}
#: Bytes read at a time when hashing or serving a file.
CHUNK = 1 << 20


class Manifest(Struct, frozen=True, kw_only=True):
    """What a build wrote beside the database: its version and the files of the dataset."""

    version: str
    files: list[Download]


def manifest_path(database: Path) -> Path:
    return database.with_name(f"{database.name}.downloads.json")


def file_name(version: str, suffix: str) -> str:
    return f"{PREFIX}-{version}.{suffix}"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def describe(path: Path, version: str, suffix: str) -> Download:
    """The entry of the file at ``path`` once it is published under its versioned name."""
    name = file_name(version, suffix)
    return Download(
        name=name,
        href=f"/v1/downloads/{name}",
        media_type=MEDIA_TYPES[suffix],
        size=path.stat().st_size,
        sha256=sha256_of(path),
        version=version,
    )


def read(database: Path) -> Manifest | None:
    """The manifest beside ``database``, or None when there is no readable one."""
    try:
        return msgspec.json.decode(manifest_path(database).read_bytes(), type=Manifest)
    except (OSError, msgspec.DecodeError):
        return None


def listed(database: Path, version: str) -> list[Download]:
    """The files of ``version`` the manifest lists whose file is there at its size."""
    manifest = read(database)
    if manifest is None or manifest.version != version:
        return []
    return [file for file in manifest.files if _present(database.parent / file.name, file.size)]


def complete(database: Path, version: str) -> bool:
    """True when every file of ``version`` is listed and there (what ``build --if-stale`` asks)."""
    return {file.name for file in listed(database, version)} == {
        file_name(version, suffix) for suffix in MEDIA_TYPES
    }


def _present(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False
