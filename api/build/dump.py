"""The NDJSON dump of every record: one line each, saying which collection it belongs to.

A line is ``{"resource": "<collection>", "type": "<noun>", "record": {...}}``: the record exactly
as ``GET /v1/<collection>/<id>`` answers it, so the file describes itself and splits back into
the collections with one filter (``jq 'select(.resource == "quotes") | .record'``). Collections
come in catalog order and records in id order (the lists' default). Lines are written one at a
time: the file is never held in memory. Article texts are not records; the SQLite download has
them (``article_text``).
"""

from pathlib import Path
from typing import Any

import msgspec

from api.model.catalog import RESOURCES, Corpus


class Line(msgspec.Struct, frozen=True, kw_only=True):
    resource: str
    type: str
    record: Any


def write(path: Path, corpus: Corpus) -> None:
    """Write the dump at ``path``, which must not exist."""
    encoder = msgspec.json.Encoder()
    buffer = bytearray()
    with path.open("xb") as file:
        for resource in RESOURCES:
            for record in sorted(corpus.records[resource.name], key=lambda r: str(r.id)):
                line = Line(resource=resource.name, type=resource.noun, record=record)
                encoder.encode_into(line, buffer)
                buffer.extend(b"\n")
                file.write(buffer)
