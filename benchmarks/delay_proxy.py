"""A TCP proxy on 127.0.0.1 that makes a local server look far away.

Every byte is held back by half the round-trip time in each direction, in order: a
client sees the server ``RTT`` seconds away, as a relay on the Internet is (10 to 50
ms), while both run on this machine. Bandwidth is not limited; only latency is added.

    python benchmarks/delay_proxy.py TARGET_PORT RTT

Prints ``ready PORT`` once listening; stops when standard input closes or on Ctrl-C.
"""

from __future__ import annotations

import asyncio
import sys
from collections import deque

HOST = "127.0.0.1"
CHUNK = 256 * 1024


async def _carry(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float) -> None:
    """Copy ``reader`` to ``writer``, each chunk written ``delay`` seconds after it arrived."""
    loop = asyncio.get_running_loop()
    pending: deque[tuple[float, bytes]] = deque()
    arrived = asyncio.Event()
    ended = False

    async def receive() -> None:
        nonlocal ended
        try:
            while chunk := await reader.read(CHUNK):
                pending.append((loop.time() + delay, chunk))
                arrived.set()
        except ConnectionError:
            pass
        ended = True
        arrived.set()

    receiving = asyncio.create_task(receive())
    try:
        while True:
            while not pending:
                if ended:
                    return
                arrived.clear()
                await arrived.wait()
            due, chunk = pending.popleft()
            if (wait := due - loop.time()) > 0:
                await asyncio.sleep(wait)
            writer.write(chunk)
            await writer.drain()
    except ConnectionError:
        pass
    finally:
        receiving.cancel()
        writer.close()


async def _relay(client_reader, client_writer, target_port: int, delay: float) -> None:
    try:
        server_reader, server_writer = await asyncio.open_connection(HOST, target_port)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(
        _carry(client_reader, server_writer, delay),
        _carry(server_reader, client_writer, delay),
    )


async def _until_stdin_closes() -> None:
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while await reader.read(1024):
        pass


async def serve(target_port: int, rtt: float) -> None:
    server = await asyncio.start_server(lambda r, w: _relay(r, w, target_port, rtt / 2), HOST, 0)
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    await _until_stdin_closes()
    server.close()


def main() -> None:
    try:
        asyncio.run(serve(int(sys.argv[1]), float(sys.argv[2])))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
