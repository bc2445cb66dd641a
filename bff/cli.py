"""The bff command: serve the BFFs, run the mocks or everything for development, and tools."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from bff.settings import Settings, get_settings
from schema.build import CLIENTS

DEFAULT_PORT = 8000


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except ValidationError as error:
        if error.title != Settings.__name__:
            raise
        from bff.config import settings_error_lines

        print("bff: invalid settings", file=sys.stderr)
        for line in settings_error_lines(error):
            print(f"  {line}", file=sys.stderr)
        return 2
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bff", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve one client's BFF, or both")
    serve.add_argument("--client", choices=[*CLIENTS, "all"], help="default: BFF_CLIENT (all)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=DEFAULT_PORT)
    serve.add_argument("--workers", type=int, help="worker processes (default: BFF_WORKERS, 1)")
    serve.set_defaults(handler=_serve)

    config = commands.add_parser("config", help="the effective settings")
    config_commands = config.add_subparsers(dest="config_command", required=True)
    show = config_commands.add_parser("show", help="print them, secrets masked")
    show.add_argument("--json", action="store_true", help="as a JSON object")
    show.set_defaults(handler=_config_show)

    dev = commands.add_parser("dev", help="run the mocks and both BFFs in one process")
    dev.add_argument("--host", default="127.0.0.1")
    dev.add_argument("--port", type=int, default=DEFAULT_PORT)
    dev.add_argument("--menu-port", type=int, default=8101)
    dev.add_argument("--order-port", type=int, default=8102)
    dev.add_argument("--courier-port", type=int, default=8103)
    dev.add_argument("--no-simulate", dest="simulate", action="store_false")
    dev.add_argument("--speed", type=float, default=1.0, help="simulation speed factor")
    dev.set_defaults(handler=_dev)

    mocks = commands.add_parser("mocks", help="run the mock menu, order and courier services")
    mocks.add_argument("--host", default="127.0.0.1")
    mocks.add_argument("--menu-port", type=int, default=8101)
    mocks.add_argument("--order-port", type=int, default=8102)
    mocks.add_argument("--courier-port", type=int, default=8103)
    mocks.add_argument("--simulate", action="store_true", help="advance orders and couriers")
    mocks.add_argument("--speed", type=float, default=1.0, help="simulation speed factor")
    mocks.set_defaults(handler=_mocks)

    token = commands.add_parser("token", help="print a development token for a customer")
    token.add_argument("user", nargs="?", default="u_1")
    token.add_argument("--ttl", type=int, default=7 * 24 * 3600, help="seconds of validity")
    token.set_defaults(handler=_token)

    schema = commands.add_parser("schema", help="the exported SDL files")
    schema_commands = schema.add_subparsers(dest="schema_command", required=True)
    export = schema_commands.add_parser("export", help="write schema/mobile.graphql and web")
    export.add_argument("--check", action="store_true", help="fail if a file would change")
    export.set_defaults(handler=_schema_export)

    operations = commands.add_parser("operations", help="the apps' trusted documents")
    operations_commands = operations.add_subparsers(dest="operations_command", required=True)
    register = operations_commands.add_parser(
        "register", help="write bff/trusted_documents.json from schema/operations"
    )
    register.add_argument("--check", action="store_true", help="fail if the file would change")
    register.set_defaults(handler=_operations_register)
    return parser


def _clients(choice: str) -> tuple[str, ...]:
    return CLIENTS if choice == "all" else (choice,)


def _bff_server(
    settings: Settings, clients: Sequence[str], host: str, port: int, log_level: str = "info"
) -> uvicorn.Server:
    from bff.app import create_app

    app = create_app(settings, clients=clients)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=log_level,
        lifespan="on",
        # On SIGTERM: stop accepting, let in-flight requests finish, then close the pools.
        timeout_graceful_shutdown=settings.shutdown_grace_s,
    )
    return uvicorn.Server(config)


def _serve(args: argparse.Namespace) -> int:
    from bff.serving import serve

    settings = get_settings()
    clients = _clients(args.client or settings.client)
    workers = args.workers or settings.workers
    if workers < 1:
        print("bff serve: --workers must be at least 1", file=sys.stderr)
        return 2
    for client in clients:
        print(f"{client} BFF: http://{args.host}:{args.port}/{client}/graphql", flush=True)
    serve(settings, clients, args.host, args.port, workers)
    return 0


def _config_show(args: argparse.Namespace) -> int:
    from bff.config import settings_report

    print(settings_report(get_settings(), as_json=args.json))
    return 0


def _dev(args: argparse.Namespace) -> int:
    from bff.auth import issue_token
    from bff.observability import configure_logging
    from mocks.runner import build_mock_servers, run_on_servers_loop

    mock_host = "127.0.0.1"
    settings = get_settings().model_copy(
        update={
            "menu_url": f"http://{mock_host}:{args.menu_port}",
            "order_url": f"http://{mock_host}:{args.order_port}",
            "courier_url": f"http://{mock_host}:{args.courier_port}",
        }
    )
    configure_logging(settings)  # a readable line per request (BFF_LOG_FORMAT=text)
    servers = build_mock_servers(
        mock_host,
        args.menu_port,
        args.order_port,
        args.courier_port,
        simulate=args.simulate,
        speed=args.speed,
    )
    bff = _bff_server(settings, CLIENTS, args.host, args.port, log_level="warning")
    token = issue_token(settings.jwt_secret, settings.dev_user)
    banner = "\n".join(
        [
            "Food delivery BFF, development mode",
            f"  mobile GraphiQL: http://{args.host}:{args.port}/mobile/graphql",
            f"  web GraphiQL:    http://{args.host}:{args.port}/web/graphql",
            f"  mocks:           menu :{args.menu_port}  order :{args.order_port}"
            f"  courier :{args.courier_port}  (simulation {'on' if args.simulate else 'off'})",
            f"  development user {settings.dev_user} (GraphiQL sends this header already; for"
            " curl or another client:)",
            f'  {{"Authorization": "Bearer {token}"}}',
            "Press Ctrl-C to stop.",
        ]
    )
    # Each server passes Ctrl-C on once it has shut down: that is the way out, not an error.
    with contextlib.suppress(KeyboardInterrupt):
        run_on_servers_loop(_serve_all(servers, [bff], banner), [bff])
    return 0


async def _serve_all(
    first: Sequence[uvicorn.Server], then: Sequence[uvicorn.Server], banner: str
) -> None:
    """Serve ``first``, then, once they listen, ``then`` (the BFF, whose event consumers
    connect to the mocks as it starts), and print ``banner`` once everything listens."""

    async def listening(servers: Sequence[uvicorn.Server]) -> bool:
        while not all(server.started for server in servers):
            if any(server.should_exit for server in servers):
                return False
            await asyncio.sleep(0.02)
        return True

    async def start_then() -> None:
        if await listening(first):
            await asyncio.gather(*(server.serve() for server in then))

    async def announce() -> None:
        # Printed last, so that the URLs are the last thing on the screen.
        if await listening(first) and await listening(then):
            print(banner, flush=True)

    await asyncio.gather(announce(), start_then(), *(server.serve() for server in first))


def _mocks(args: argparse.Namespace) -> int:
    from mocks.runner import run

    run(
        args.host,
        args.menu_port,
        args.order_port,
        args.courier_port,
        simulate=args.simulate,
        speed=args.speed,
    )
    return 0


def _token(args: argparse.Namespace) -> int:
    from bff.auth import issue_token
    from clients import is_valid_id

    if not is_valid_id(args.user):
        print(f"bff token: {args.user!r} is not a valid customer id", file=sys.stderr)
        return 2
    settings = get_settings()
    if settings.is_production:
        print("bff token: development tokens are refused with BFF_ENV=production", file=sys.stderr)
        return 2
    print(issue_token(settings.jwt_secret, args.user, ttl_s=args.ttl))
    return 0


def _schema_export(args: argparse.Namespace) -> int:
    from schema.export import export_sdl, sdl_path

    stale = []
    for client in CLIENTS:
        path, sdl = sdl_path(client), export_sdl(client)
        current = path.read_text(encoding="utf-8") if path.exists() else None
        if current == sdl:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(sdl, encoding="utf-8")
            print(f"wrote {Path(path).name}")
    if args.check and stale:
        print("out of date: " + ", ".join(p.name for p in stale), file=sys.stderr)
        return 1
    return 0


def _operations_register(args: argparse.Namespace) -> int:
    from bff.persisted_queries import TRUSTED_DOCUMENTS_PATH, registered_manifest

    manifest = registered_manifest()
    path = TRUSTED_DOCUMENTS_PATH
    current = path.read_text(encoding="utf-8") if path.exists() else None
    if current == manifest:
        return 0
    if args.check:
        print(f"out of date: {path.name} (run bff operations register)", file=sys.stderr)
        return 1
    path.write_text(manifest, encoding="utf-8")
    print(f"wrote {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
