"""The seed's multiprocs.py: prime checks by trial division up to n, through a SimpleQueue of jobs to one
process per core (or --procs), results back through another, a poison pill per process. The numbers come on
the command line so that Fanout checks the very same ones. Prints one JSON object: the verdicts, each job's
own time, the longest, and the wall time."""
import argparse
import json
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing import queues

from primality import is_prime_n


@dataclass
class PrimeResult:
    n: int
    prime: bool
    elapsed: float


def check(n: int) -> PrimeResult:
    t0 = time.perf_counter()
    res = is_prime_n(n)
    return PrimeResult(n, res, time.perf_counter() - t0)


def worker(jobs: queues.SimpleQueue, results: queues.SimpleQueue) -> None:
    while (n := jobs.get()) is not None:
        results.put(check(n))
    results.put(None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--procs", type=int, default=multiprocessing.cpu_count())
    parser.add_argument("numbers", type=int, nargs="+")
    args = parser.parse_args()
    t0 = time.perf_counter()
    jobs: queues.SimpleQueue = multiprocessing.SimpleQueue()
    results: queues.SimpleQueue = multiprocessing.SimpleQueue()
    for n in args.numbers:
        jobs.put(n)
    procs = [multiprocessing.Process(target=worker, args=(jobs, results)) for _ in range(args.procs)]
    for proc in procs:
        proc.start()
    for _ in procs:
        jobs.put(None)
    checked: list[PrimeResult] = []
    done = 0
    while done < len(procs):
        result = results.get()
        if result is None:
            done += 1
        else:
            checked.append(result)
    elapsed = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    print(json.dumps({
        "jobs": len(checked),
        "seconds": elapsed,
        "longest_job_seconds": max(r.elapsed for r in checked),
        "primes": sorted(r.n for r in checked if r.prime),
    }))


if __name__ == "__main__":
    main()
