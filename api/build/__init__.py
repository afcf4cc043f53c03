"""Fixtures + seeds -> validated -> SQLite, atomically; the dataset version is a content hash."""

import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from api.build import checks, inputs, schemas, writer
from api.build.resolve import Resolver
from api.model import tables
from api.model.errors import BuildError
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
    target = settings.database
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".build-", suffix=".sqlite")
    os.close(handle)
    os.unlink(temporary)
    try:
        meta = {"version": version, "format": FORMAT, "code": code_digest()}
        writer.write(Path(temporary), corpus, texts, meta)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    counts = {name: len(records) for name, records in corpus.records.items()}
    return BuildResult(target, version, counts)


def is_fresh(settings: Settings) -> bool:
    """True when the database exists and was built from exactly the current inputs by exactly
    the current code (a change to how records are resolved or stored changes the database
    without changing the dataset's inputs)."""
    same_code = tables.recorded(settings.database, "code") == code_digest()
    return same_code and tables.recorded(settings.database) == current_version(settings)
