"""python -m local_runtime demo | serve | invoke FUNCTION EVENT"""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="local_runtime", description="Switchboard's embedded local runtime")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="send every sample contact through the workflow and print the journeys")
    demo.add_argument("--seed", default=None)
    serve = sub.add_parser("serve", help="serve the template's API on 127.0.0.1")
    serve.add_argument("--port", type=int, default=3000)
    serve.add_argument("--seed", default=None)
    invoke = sub.add_parser("invoke", help="invoke one function of the template with an event file")
    invoke.add_argument("function")
    invoke.add_argument("event")
    invoke.add_argument("--seed", default=None)
    invoke.add_argument("--given", default=None, help="sample contact that opens the case the event refers to")
    args = parser.parse_args(argv)
    from .seed_file import SeedError

    try:
        return _run(args)
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    if args.command == "demo":
        from .demo import run_demo

        return run_demo(args.seed)
    if args.command == "serve":
        from .server import serve_forever

        return serve_forever(args.port, args.seed)
    from .invoke import invoke_function

    return invoke_function(args.function, args.event, args.seed, args.given)


if __name__ == "__main__":
    sys.exit(main())
