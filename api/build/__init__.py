"""Fixtures + seeds -> validated -> SQLite and the downloads, atomically; the dataset version is
a content hash.

Every file is written under a temporary name beside its target, then moved onto it
(``os.replace``): the database, the two files of the whole dataset (api/model/downloads.py) and,
last, the manifest that lists them. A build that fails leaves the previous database, downloads
and manifest as they were, and no file of its own."""

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import msgspec

from api.build import checks, dump, inputs, schemas, writer
from api.build.resolve import Resolver
from api.model import downloads, tables
from api.model.errors import BuildError
from api.model.models import Download
from api.revision import code_digest
from api.settings import Settings

#: Bump when the database layout changes; model changes reach the version through schemas/.
FORMAT = "1"


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: where, the dataset version and records per resource."""

    path: Path
    version: str
    counts: dict[str, int]


def version_of(parts: list[tuple[str, bytes]]) -> str:
    """A content hash of the inputs (names and bytes), the models' schemas and the format."""
    digest = hashlib.sha256(f"format {FORMAT}\n".encode())
    for name, data in sorted(schemas.rendered().items()):
        digest.update(f"{name}\n".encode() + data)
    for name, data in sorted(parts):
        digest.update(f"{name}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()[:16]


def current_version(settings: Settings) -> str:
    return version_of(inputs.read(settings.seeds, settings.fixtures).digest_parts)


def build(settings: Settings) -> BuildResult:
    """Validate every input and write the database; on any fault (all are in the BuildError) the
    old database stays."""
    read = inputs.read(settings.seeds, settings.fixtures)
    found = checks.faults(read)
    if found:
        raise BuildError(*found)
    corpus = Resolver(read).corpus()
    version = version_of(read.digest_parts)
    texts = {
        located.record.id: read.texts[located.record.source] for located in read.records["articles"]
    }
    meta = {"version": version, "format": FORMAT, "code": code_digest()}
    target = settings.database
    previous = downloads.read(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    with _temporaries(target.parent) as temporary:
        database, dumped = temporary(".sqlite"), temporary(".ndjson")
        writer.write(database, corpus, texts, meta)
        dump.write(dumped, corpus)
        files = [
            downloads.describe(database, version, "sqlite"),
            downloads.describe(dumped, version, "ndjson"),
        ]
        # Each file appears whole under its own name; the manifest, naming them, comes last.
        _link(database, temporary(".sqlite"), target.parent / files[0].name)
        os.replace(dumped, target.parent / files[1].name)
        os.replace(database, target)
        manifest = temporary(".json")
        manifest.write_bytes(msgspec.json.encode(downloads.Manifest(version=version, files=files)))
        os.replace(manifest, downloads.manifest_path(target))
    _remove_superseded(target.parent, previous, files)
    counts = {name: len(records) for name, records in corpus.records.items()}
    return BuildResult(target, version, counts)


def is_fresh(settings: Settings) -> bool:
    """True when the database exists and was built from exactly the current inputs by exactly
    the current code (a change to how records are resolved or stored changes the database
    without changing the dataset's inputs), and its downloads are all there."""
    same_code = tables.recorded(settings.database, "code") == code_digest()
    version = current_version(settings)
    same = same_code and tables.recorded(settings.database) == version
    return same and downloads.complete(settings.database, version)


@contextmanager
def _temporaries(folder: Path) -> Iterator[Callable[[str], Path]]:
    """Names for new files in ``folder`` (hidden, unique); whichever still exist at the end,
    because the build failed before publishing them, are removed."""
    made: list[Path] = []

    def temporary(suffix: str) -> Path:
        handle, name = tempfile.mkstemp(dir=folder, prefix=".build-", suffix=suffix)
        os.close(handle)
        os.unlink(name)
        made.append(Path(name))
        return made[-1]

    try:
        yield temporary
    finally:
        for path in made:
            path.unlink(missing_ok=True)


def _link(source: Path, temporary: Path, target: Path) -> None:
    """``target`` becomes a second name of ``source``'s bytes (a copy where the file system has
    no hard links). Replacing the database later gives it a new file; this one keeps its bytes."""
    try:
        os.link(source, temporary)
    except OSError:
        shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def _remove_superseded(
    folder: Path, previous: downloads.Manifest | None, files: list[Download]
) -> None:
    """The files of the previous manifest that the new one does not list (another version's)."""
    kept = {file.name for file in files}
    for file in [] if previous is None else previous.files:
        if file.name not in kept:
            (folder / file.name).unlink(missing_ok=True)
