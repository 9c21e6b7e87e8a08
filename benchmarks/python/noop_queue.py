"""No-op jobs through the seed's multiprocessing pattern: a SimpleQueue of jobs, worker processes, a SimpleQueue
of results, a poison pill per worker. Prints one JSON object: jobs, seconds, jobs_per_s."""
import argparse
import json
import multiprocessing
import time
from multiprocessing import queues


def worker(jobs: queues.SimpleQueue, results: queues.SimpleQueue) -> None:
    while (job := jobs.get()) is not None:
        results.put(job)
    results.put(None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--procs", type=int, default=2)
    args = parser.parse_args()
    jobs: queues.SimpleQueue = multiprocessing.SimpleQueue()
    results: queues.SimpleQueue = multiprocessing.SimpleQueue()
    procs = [multiprocessing.Process(target=worker, args=(jobs, results)) for _ in range(args.procs)]
    for proc in procs:
        proc.start()
    t0 = time.perf_counter()
    # A feeder thread keeps the pipe full while this thread drains results, as a coordinator would.
    import threading

    def feed() -> None:
        for n in range(1, args.jobs + 1):
            jobs.put(n)
        for _ in procs:
            jobs.put(None)

    feeder = threading.Thread(target=feed)
    feeder.start()
    done = 0
    finished = 0
    while finished < len(procs):
        if results.get() is None:
            finished += 1
        else:
            done += 1
    elapsed = time.perf_counter() - t0
    feeder.join()
    for proc in procs:
        proc.join()
    assert done == args.jobs, f"{done} results for {args.jobs} jobs"
    print(json.dumps({"jobs": done, "seconds": elapsed, "jobs_per_s": done / elapsed}))


if __name__ == "__main__":
    main()
