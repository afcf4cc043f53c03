"""One question: how many bytes does compression save per resource?

For each collection, its first page (``GET /v1/<name>``) and its first record: the body as
identity, gzip and br, as the service sends them (rendered in-process by the real application,
through the edge that compresses and keeps them), with br and gzip as a share of identity.

    python -m bench.compression [--database build/bench/facts.sqlite]
"""

import argparse
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from litestar.testing import TestClient

from api.model.catalog import RESOURCES
from api.settings import Settings
from api.web.app import create_app
from bench.plan import BUILD
from bench.servers import build

CODINGS = ("identity", "gzip", "br")


def sizes(client: TestClient[Any], path: str) -> dict[str, int]:
    """The bytes sent for ``path`` in each coding (the Content-Length, not the decoded body)."""
    found = {}
    for coding in CODINGS:
        response = client.head(path, headers={"accept-encoding": coding})
        assert response.status_code == 200, path
        assert response.headers.get("content-encoding", "identity") in (coding, "identity")
        found[coding] = int(response.headers["content-length"])
    return found


def table(database: Path) -> list[str]:
    logging.getLogger("httpx").setLevel(logging.WARNING)
    lines = [
        "| resource | identity | gzip | br | gzip / identity | br / identity |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    with TestClient(app=create_app(Settings(database=database))) as client:
        for resource in RESOURCES:
            path = f"/v1/{resource.name}"
            first = client.get(path, headers={"accept-encoding": "identity"}).json()["data"][0]
            for shown, at in (
                (f"{path} (list)", path),
                (f"{path}/{{id}}", f"{path}/{first['id']}"),
            ):
                got = sizes(client, at)
                lines.append(
                    f"| {shown} | {got['identity']:,} | {got['gzip']:,} | {got['br']:,} |"
                    f" {got['gzip'] / got['identity']:.2f} | {got['br'] / got['identity']:.2f} |"
                )
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.compression", description=__doc__)
    parser.add_argument("--database", type=Path, default=BUILD / "bench" / "facts.sqlite")
    args = parser.parse_args(argv)
    build({"ARTICLE_FACTS_DB": str(args.database)})
    print("\n".join(table(args.database)))


if __name__ == "__main__":
    main()
