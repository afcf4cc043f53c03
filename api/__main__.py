"""python -m api build | check | serve | schemas | anchor | draft"""

import argparse
import sys
from pathlib import Path

from api.model.errors import BuildError
from api.settings import Settings


def article_date(value: str) -> str:
    from api.build.draft import article_date as checked

    try:
        return checked(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not YYYY, YYYY-MM or YYYY-MM-DD") from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="validate fixtures and write the SQLite database")
    build.add_argument("--if-stale", action="store_true", help="only when inputs or code changed")
    check = commands.add_parser(
        "check", help="list every fault of every fixture, with suggestions (exit 1 if any)"
    )
    check.add_argument("files", nargs="*", type=Path, help="only these fixture files' faults")
    check.add_argument("--json", action="store_true", help="one JSON object per fault")
    serve = commands.add_parser(
        "serve", help="serve a built database with granian (never writes it; see api/preflight.py)"
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    schemas = commands.add_parser("schemas", help="write JSON Schemas of every model to schemas/")
    schemas.add_argument("--check", action="store_true", help="fail if schemas/ is out of date")
    anchor = commands.add_parser("anchor", help="fill or repair evidence offsets from their words")
    anchor.add_argument("files", nargs="*", type=Path, help="fixture files (default: every one)")
    draft = commands.add_parser("draft", help="print the candidate facts of a new article")
    draft.add_argument("seed", type=Path, help="the article's text file")
    draft.add_argument(
        "--date",
        type=article_date,
        help="the article's date, YYYY, YYYY-MM or YYYY-MM-DD (default: the latest year it names)",
    )
    args = parser.parse_args(argv)
    settings = Settings.from_env()
    if args.command == "build":
        return _build(settings, only_if_stale=args.if_stale)
    if args.command == "serve":
        from api.web.preflight import fault
        from api.web.server import serve as run

        found = fault(settings)
        if found is not None:
            print(f"cannot serve: {found.message}", file=sys.stderr)
            return found.code

        run(settings, args.host, args.port, args.workers)
        return 0
    if args.command == "check":
        from api.build import report

        return report.main(settings.seeds, settings.fixtures, args.files, json=args.json)
    if args.command == "draft":
        from api.build import draft as drafting

        return drafting.main(args.seed, settings.fixtures / "entities.json", args.date)
    if args.command == "anchor":
        from api.build import anchor as anchoring

        return anchoring.main(settings.seeds, settings.fixtures, args.files)
    from api.build import schemas as schema_files

    return schema_files.main(check=args.check)


def _build(settings: Settings, *, only_if_stale: bool) -> int:
    from api.build import build, is_fresh

    try:
        if only_if_stale and is_fresh(settings):
            return 0
        result = build(settings)
    except BuildError as exc:
        for line in str(exc).splitlines():
            print(f"build failed: {line}", file=sys.stderr)
        if len(exc.faults) > 1:
            print(f"{len(exc.faults)} faults; python -m api check suggests fixes", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"build failed: cannot write {settings.database}: {exc.strerror}", file=sys.stderr)
        return 1
    counts = ", ".join(f"{name} {count}" for name, count in result.counts.items())
    print(f"built {result.path} version {result.version}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
