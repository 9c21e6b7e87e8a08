"""ProcessPoolExecutor.map over prime checks (trial division up to √n, or up to n with --method n). Prints
one JSON object: jobs, seconds, jobs_per_s, and the sum of the jobs' own times."""
import argparse
import json
import time
from concurrent import futures

from primality import is_prime_n, is_prime_sqrt


def timed_sqrt(n: int) -> tuple[bool, float]:
    t0 = time.perf_counter()
    return is_prime_sqrt(n), time.perf_counter() - t0


def timed_n(n: int) -> tuple[bool, float]:
    t0 = time.perf_counter()
    return is_prime_n(n), time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--method", choices=["sqrt", "n"], default="sqrt")
    parser.add_argument("--chunksize", type=int, default=1)
    parser.add_argument("--numbers-file", required=True, help="one number per line")
    args = parser.parse_args()
    with open(args.numbers_file) as f:
        numbers = [int(line) for line in f if line.strip()]
    check = timed_sqrt if args.method == "sqrt" else timed_n
    t0 = time.perf_counter()
    with futures.ProcessPoolExecutor(max_workers=args.workers) as executor:
        results = list(executor.map(check, numbers, chunksize=args.chunksize))
    elapsed = time.perf_counter() - t0
    print(json.dumps({
        "jobs": len(results),
        "seconds": elapsed,
        "jobs_per_s": len(results) / elapsed,
        "busy_seconds": sum(r[1] for r in results),
        "primes": sum(1 for r in results if r[0]),
    }))


if __name__ == "__main__":
    main()
