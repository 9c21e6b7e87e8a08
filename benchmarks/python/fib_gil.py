"""The seed's gil.py: Fibonacci --from..--to in --tasks threads, then one by one; and, to show what the GIL
costs, the same tasks in a process pool. Prints one JSON object with each phase's wall time."""
import argparse
import json
import threading
import time
from concurrent import futures


def fibonacci(n: int) -> int:
    if n <= 1:
        return n
    return fibonacci(n - 1) + fibonacci(n - 2)


def compute(first: int, last: int) -> None:
    for i in range(first, last + 1):
        fibonacci(i)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--from", dest="first", type=int, default=35)
    parser.add_argument("--to", dest="last", type=int, default=39)
    parser.add_argument("--tasks", type=int, default=4)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=compute, args=(args.first, args.last)) for _ in range(args.tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    threaded = time.perf_counter() - t0

    t0 = time.perf_counter()
    for _ in range(args.tasks):
        compute(args.first, args.last)
    sequential = time.perf_counter() - t0

    t0 = time.perf_counter()
    with futures.ProcessPoolExecutor(max_workers=args.procs) as executor:
        list(executor.map(compute, [args.first] * args.tasks, [args.last] * args.tasks))
    processes = time.perf_counter() - t0

    print(json.dumps({"threads_seconds": threaded, "sequential_seconds": sequential, "processes_seconds": processes}))


if __name__ == "__main__":
    main()
