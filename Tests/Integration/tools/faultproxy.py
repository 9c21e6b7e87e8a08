#!/usr/bin/env python3
"""A TCP proxy that injects one fault on request, for the fault suite.

usage: faultproxy.py LISTEN_HOST:LISTEN_PORT TARGET_HOST:TARGET_PORT MODE [MS]

Listens (port 0: a free one), prints `listening on HOST:PORT`, then forwards every connection to TARGET.
MODE says what SIGUSR1 does to the connections open at that moment:

  reset   the next chunk from the worker is cut in half: its first half is forwarded, then both sides are
          reset (SO_LINGER 0), so the coordinator sees the connection die in the middle of a TLS record
  flip    one bit in the middle of the next chunk from the worker is flipped
  delay   does nothing on SIGUSR1; every chunk, both ways, is held MS milliseconds (default 50) before it is
          forwarded, in order

Connections made after the fault are forwarded untouched. Each injected fault is printed.
"""
import asyncio
import signal
import socket
import struct
import sys

listen_host, listen_port = sys.argv[1].rsplit(":", 1)
target_host, target_port = sys.argv[2].rsplit(":", 1)
mode = sys.argv[3]
delay = (int(sys.argv[4]) if len(sys.argv) > 4 else 50) / 1000
armed = set()
open_connections = set()


def reset(writer):
    sock = writer.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


async def pipe(reader, writer, connection, from_worker, other_writer):
    queue = asyncio.Queue()

    async def deliver():
        while True:
            due, data = await queue.get()
            if data is None:
                break
            wait = due - asyncio.get_running_loop().time()
            if wait > 0:
                await asyncio.sleep(wait)
            writer.write(data)
            await writer.drain()

    delivering = asyncio.create_task(deliver()) if mode == "delay" else None
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            if from_worker and connection in armed:
                armed.discard(connection)
                half = len(data) // 2
                if mode == "reset":
                    writer.write(data[:half])
                    await writer.drain()
                    print(f"fault: reset after {half} of {len(data)} bytes", flush=True)
                    reset(writer)
                    reset(other_writer)
                    return
                if mode == "flip":
                    data = data[:half] + bytes([data[half] ^ 0x10]) + data[half + 1:]
                    print(f"fault: flipped a bit at byte {half} of {len(data)}", flush=True)
            if delivering:
                await queue.put((asyncio.get_running_loop().time() + delay, data))
            else:
                writer.write(data)
                await writer.drain()
    except (ConnectionError, OSError):
        pass
    finally:
        if delivering:
            await queue.put((0, None))
            await asyncio.gather(delivering, return_exceptions=True)
        try:
            writer.close()
        except Exception:  # noqa: BLE001 - already gone
            pass


async def handle(client_reader, client_writer):
    try:
        worker_reader, worker_writer = await asyncio.open_connection(target_host, int(target_port))
    except OSError:
        client_writer.close()
        return
    connection = object()
    open_connections.add(connection)
    try:
        await asyncio.gather(
            pipe(client_reader, worker_writer, connection, False, client_writer),
            pipe(worker_reader, client_writer, connection, True, worker_writer),
        )
    finally:
        open_connections.discard(connection)
        armed.discard(connection)


async def main():
    server = await asyncio.start_server(handle, listen_host, int(listen_port))
    port = server.sockets[0].getsockname()[1]
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGUSR1, lambda: armed.update(open_connections))
    print(f"listening on {listen_host}:{port}", flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
