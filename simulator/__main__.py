"""``python -m simulator [--port N] [--slow-seconds S]``: serve the simulator on 127.0.0.1.

Prints ``simulator listening on http://127.0.0.1:PORT`` once it accepts connections and
stops cleanly on SIGTERM or SIGINT. Port 0 (the default) picks a free port.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from .app import start_simulator
from .state import DEFAULT_SLOW_SECONDS


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulator", description="Serve the SMS gateway simulator on 127.0.0.1."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    parser.add_argument(
        "--slow-seconds",
        type=float,
        default=DEFAULT_SLOW_SECONDS,
        help="how long the 'slow' fault holds a request (default: %(default)s)",
    )
    return parser.parse_args(argv)


async def _serve(port: int, slow_seconds: float) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner, base_url = await start_simulator(port, slow_seconds=slow_seconds)
    try:
        print(f"simulator listening on {base_url}", flush=True)
        await stop.wait()
    finally:
        await runner.cleanup()


def main(argv: list[str] | None = None) -> int:
    """Run until SIGTERM or SIGINT."""
    args = _parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.port, args.slow_seconds))
    return 0


if __name__ == "__main__":
    sys.exit(main())
