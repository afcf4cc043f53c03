"""python -m api build | serve | schemas"""

import argparse
import sys

from api.errors import BuildError
from api.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validate fixtures and write the SQLite database")
    build.add_argument("--if-stale", action="store_true", help="only when inputs or code changed")
    serve = commands.add_parser(
        "serve", help="serve a built database with granian (never writes it; see api/preflight.py)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    schemas = commands.add_parser("schemas", help="write JSON Schemas of every model to schemas/")
    schemas.add_argument("--check", action="store_true", help="fail if schemas/ is out of date")
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "build":
        return _build(settings, only_if_stale=args.if_stale)
    if args.command == "serve":
        from api.preflight import fault
        from api.server import serve as run

        found = fault(settings)
        if found is not None:
            print(f"cannot serve: {found.message}", file=sys.stderr)
            return found.code

        run(settings, args.host, args.port, args.workers)
        return 0
    from api import schemas as schema_files

    return schema_files.main(check=args.check)


def _build(settings: Settings, *, only_if_stale: bool) -> int:
    from api.build import build, is_fresh

    try:
        if only_if_stale and is_fresh(settings):
            return 0
        result = build(settings)
    except BuildError as exc:
        print(f"build failed: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build failed: cannot write {settings.database}: {exc.strerror}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {count}" for name, count in result.counts.items())
    print(f"built {result.path} version {result.version}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
