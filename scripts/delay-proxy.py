#!/usr/bin/env python3
"""A TCP proxy that delays each direction by a one-way delay plus jitter,
for `make rehearsal`'s links between a region and the hub (the kernel here
has no netem).

    delay-proxy.py LISTEN_HOST:PORT TARGET_HOST:PORT DELAY_MS JITTER_MS [MARK]

Every chunk read from one side is written to the other DELAY_MS ± JITTER_MS
(uniform) after it was read, never before the chunk ahead of it (TCP keeps
order), so the delay is one-way, per direction. A connection that cannot
reach the target is closed. With MARK, the connections to the target carry
that firewall mark (SO_MARK, as root), so a routing rule can send them out
even when the target's address is also the proxy's own. Runs until killed.
"""

import asyncio
import random
import socket
import sys
import time


def parse(addr):
    host, port = addr.rsplit(":", 1)
    return host, int(port)


async def pump(reader, writer, delay, jitter):
    """Copies reader to writer, each chunk delayed, order kept."""
    queue = asyncio.Queue()

    async def deliver():
        last = 0.0
        while True:
            chunk, due = await queue.get()
            if chunk is None:
                break
            due = max(due, last)
            wait = due - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            last = due
            writer.write(chunk)
            await writer.drain()

    delivering = asyncio.ensure_future(deliver())
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            offset = delay + random.uniform(-jitter, jitter)
            await queue.put((chunk, time.monotonic() + max(offset, 0.0)))
    except (ConnectionError, OSError):
        pass
    await queue.put((None, 0.0))
    try:
        await delivering
    except (ConnectionError, OSError):
        pass
    writer.close()


async def main():
    (listen_host, listen_port), target = parse(sys.argv[1]), parse(sys.argv[2])
    delay, jitter = float(sys.argv[3]) / 1000, float(sys.argv[4]) / 1000
    mark = int(sys.argv[5]) if len(sys.argv) > 5 else 0

    async def connect():
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if mark:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_MARK, mark)
        sock.setblocking(False)
        try:
            await asyncio.get_running_loop().sock_connect(sock, target)
        except BaseException:
            sock.close()
            raise
        return await asyncio.open_connection(sock=sock)

    async def handle(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(connect(), timeout=5)
        except (OSError, asyncio.TimeoutError):
            client_writer.close()
            return
        await asyncio.gather(
            pump(client_reader, upstream_writer, delay, jitter),
            pump(upstream_reader, client_writer, delay, jitter),
        )

    server = await asyncio.start_server(handle, listen_host, listen_port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
