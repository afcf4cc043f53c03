"""Serve a reference app of bench/peers.py under the service's own granian configuration.

python -m bench.serve bench.peers:limit --port 8001 [--workers 1]
"""

import argparse

from api.web.server import granian


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.serve", description=__doc__)
    parser.add_argument("target", help="module:factory of an ASGI app")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    granian(args.target, args.host, args.port, args.workers).serve()


if __name__ == "__main__":
    main()
