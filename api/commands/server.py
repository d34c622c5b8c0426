"""`duban serve` and the server's administration commands."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    serve = subparsers.add_parser("serve", help="run the web application")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(handler=_serve)


def _serve(args: argparse.Namespace) -> int:
    print(f"duban serve: the server is not built yet (would listen on {args.host}:{args.port})")
    return 0
