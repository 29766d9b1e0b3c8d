"""A minimal SMTP sink on 127.0.0.1 that accepts every message and counts them.

Not a mail server: no queue, no checks, no TLS. It exists so that sending benchmarks
measure the sender, not the receiver. aiosmtpd reads DATA line by line, which caps any
sender near 300 messages per second on a small machine; this sink reads DATA in one
``readuntil`` and answers at once.

    python benchmarks/smtp_sink.py [PORT]      (0 or nothing: a free port)

Prints ``ready PORT`` once listening. Then reads commands on standard input, one per
line: ``stats`` prints ``COUNT FIRST LAST`` (messages accepted since the last reset and
the ``time.monotonic()`` of the first and last acceptance, 0 when none: on Linux the
clock is shared by every process of the machine), ``reset`` sets the count to zero and
prints ``ok``. It stops when standard input closes (the benchmark ended or died) or on
Ctrl-C.
"""

from __future__ import annotations

import asyncio
import sys
import time

HOST = "127.0.0.1"
MAX_SIZE = 50 * 1024 * 1024
_EHLO = (
    "250-sink.localhost\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
    f"250 SIZE {MAX_SIZE}\r\n"
).encode("ascii")
_END_OF_DATA = b"\r\n.\r\n"


class Counter:
    """Messages accepted, with the time of the first and the last."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.count = 0
        self.first = 0.0
        self.last = 0.0

    def accept(self) -> None:
        self.last = time.monotonic()
        if not self.count:
            self.first = self.last
        self.count += 1


async def _session(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, counter: Counter) -> None:
    write = writer.write
    write(b"220 sink.localhost ESMTP\r\n")
    try:
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb in (b"MAIL", b"RCPT", b"RSET", b"NOOP", b"HELO"):
                write(b"250 OK\r\n")
            elif verb == b"EHLO":
                write(_EHLO)
            elif verb == b"DATA":
                write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                # In one read: aiosmtplib and smtplib end every message, even an empty
                # one, with CRLF before the final ".".
                await reader.readuntil(_END_OF_DATA)
                counter.accept()
                write(b"250 2.0.0 OK queued\r\n")
            elif verb == b"QUIT":
                write(b"221 2.0.0 Bye\r\n")
                break
            else:
                write(b"500 5.5.2 Command not recognised\r\n")
            if writer.transport.get_write_buffer_size() > 65536:
                await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _control(counter: Counter, server: asyncio.Server) -> None:
    """Answer ``stats`` and ``reset`` on standard input until it closes."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    while line := await reader.readline():
        command = line.strip()
        if command == b"stats":
            print(f"{counter.count} {counter.first:.6f} {counter.last:.6f}", flush=True)
        elif command == b"reset":
            counter.reset()
            print("ok", flush=True)
    server.close()


async def serve(port: int) -> None:
    counter = Counter()
    server = await asyncio.start_server(
        lambda r, w: _session(r, w, counter), HOST, port, limit=MAX_SIZE + 1024
    )
    print(f"ready {server.sockets[0].getsockname()[1]}", flush=True)
    await _control(counter, server)


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    try:
        asyncio.run(serve(port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
