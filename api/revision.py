"""The revision a response belongs to: the dataset version plus the code that renders it.

A GET response is a pure function of its request, the dataset and the code serving it. The
dataset version changes with the data and the schemas; a change to this package or to a
library that renders responses (a new envelope, a different encoding, newer Swagger UI assets)
can change the bytes while the data stays the same, and so can a page's script or style sheet
(api/web/static/). The edge's ETags are derived from the revision, so they change on every such
change, and stay the same across processes otherwise.
"""

import hashlib
import zlib
from importlib import metadata
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: The libraries whose versions shape response bytes (brotli and zlib: the compressed ones).
RENDERERS = ("litestar", "msgspec", "swagger-ui-py", "brotli")


def code_digest(package: Path = PACKAGE) -> str:
    """A digest of every file of ``package`` (names and contents: its modules and the static
    files its pages load) and of RENDERERS' versions."""
    digest = hashlib.blake2b(digest_size=16)
    files = (path for path in package.rglob("*") if path.is_file())
    for path in sorted(path for path in files if "__pycache__" not in path.parts):
        name = path.relative_to(package).as_posix()
        digest.update(b"%s\0%d\0" % (name.encode(), path.stat().st_size))
        digest.update(path.read_bytes())
    for renderer in RENDERERS:
        digest.update(f"{renderer}=={metadata.version(renderer)}\0".encode())
    digest.update(f"zlib=={zlib.ZLIB_RUNTIME_VERSION}".encode())
    return digest.hexdigest()


def revision(dataset_version: str, package: Path = PACKAGE) -> str:
    return f"{dataset_version}+{code_digest(package)}"
