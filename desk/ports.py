"""Ports for servers of a process's own: the local runner, tests and benchmarks, and the API's
`serving`."""

from __future__ import annotations

import asyncio
import socket


def free_port() -> int:
    """A port nothing listens on now, for a server of a test's or a benchmark's own."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


async def wait_for_port(port: int, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {seconds} s") from None
            await asyncio.sleep(0.2)
        else:
            writer.close()
            return
