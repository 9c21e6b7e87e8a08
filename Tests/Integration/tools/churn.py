#!/usr/bin/env python3
"""Opens and closes connections against a worker, in four kinds taken in turn, from several threads:

  job       mutual TLS, hello, a no-op job and its result, goodbye
  abrupt    mutual TLS and hello, then a reset (SO_LINGER 0) with no goodbye
  stranger  plain TCP that sends an HTTP request to the TLS port
  silent    plain TCP, connected and closed at once

usage: churn.py HOST PORT CERT_DIR COUNT [THREADS]
Prints one line per kind with how many connections of it were made; exits 1 if any job went unanswered.
"""
import socket
import ssl
import struct
import sys
import threading
from concurrent.futures import ThreadPoolExecutor

host, port, certs, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
threads = int(sys.argv[5]) if len(sys.argv) > 5 else 8

context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
context.minimum_version = ssl.TLSVersion.TLSv1_3
context.load_verify_locations(f"{certs}/ca.pem")
context.load_cert_chain(f"{certs}/coordinator.pem", f"{certs}/coordinator-key.pem")


def frame(kind, body=b""):
    return struct.pack(">IBB", len(body) + 2, kind, 0) + body


def text(value):
    data = value.encode()
    return struct.pack(">H", len(data)) + data


HELLO = frame(1, b"FNOT" + struct.pack(">HB", 5, 1) + text("churn") + text("churn"))
# The number the shipped worker's hello gives noop.v1 (docs/PROTOCOL.md, "Built-in job kinds").
NOOP_KIND = 8
GOODBYE = frame(7)


def submit_noop(job):
    return frame(2, struct.pack(">QHHQ", job, 1, NOOP_KIND, 0))


def read_frame(stream):
    header = read_exactly(stream, 4)
    (length,) = struct.unpack(">I", header)
    body = read_exactly(stream, length)
    return body[0], body[2:]


def read_exactly(stream, n):
    data = b""
    while len(data) < n:
        chunk = stream.recv(n - len(data))
        if not chunk:
            raise EOFError("the worker closed the connection")
        data += chunk
    return data


def tls():
    raw = socket.create_connection((host, port), timeout=30)
    return context.wrap_socket(raw, server_hostname=host)


def job(n):
    with tls() as stream:
        stream.sendall(HELLO + submit_noop(n))
        while True:
            kind, body = read_frame(stream)
            if kind == 4:  # result
                (job_id, _, status) = struct.unpack(">QHB", body[:11])
                if job_id != n:
                    raise RuntimeError(f"result for job {job_id}, expected {n}")
                if status != 0:
                    raise RuntimeError(f"job {n} did not finish: status {status}, {body[11:]!r}")
                break
        stream.sendall(GOODBYE)


def abrupt(n):
    stream = tls()
    stream.sendall(HELLO)
    read_frame(stream)  # the worker's hello
    stream.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    stream.close()


def stranger(n):
    with socket.create_connection((host, port), timeout=30) as raw:
        raw.sendall(b"GET / HTTP/1.0\r\n\r\n")
        try:
            while raw.recv(4096):
                pass
        except OSError:
            pass


def silent(n):
    socket.create_connection((host, port), timeout=30).close()


kinds = [job, abrupt, stranger, silent]
made = {k.__name__: 0 for k in kinds}
failures = []
lock = threading.Lock()


def one(n):
    kind = kinds[n % len(kinds)]
    try:
        kind(n + 1)
        with lock:
            made[kind.__name__] += 1
    except Exception as error:  # noqa: BLE001 - every failure is reported below
        with lock:
            failures.append(f"{kind.__name__} #{n}: {error!r}")


with ThreadPoolExecutor(threads) as pool:
    list(pool.map(one, range(count)))
for name, n in made.items():
    print(f"{name} {n}")
for failure in failures[:10]:
    print("failed:", failure)
sys.exit(1 if failures else 0)
