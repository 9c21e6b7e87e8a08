"""Combines the Fanout and Python measurements of one benchmarks/run.sh invocation into benchmarks/latest.json
and prints the table. Every figure is {"median", "min", "max", "runs"}; see BENCHMARKS.md."""
import argparse
import json
import math
import os
import platform
import subprocess
import time


def figure(values):
    values = sorted(values)
    n = len(values)
    median = values[n // 2] if n % 2 else (values[n // 2 - 1] + values[n // 2]) / 2
    return {"median": median, "min": values[0], "max": values[-1], "runs": values}


def lines(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def command_output(*command):
    try:
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
    except (OSError, subprocess.CalledProcessError, IndexError):
        return "unknown"


# (figure, target, whether higher is better)
TARGETS = {
    "noop_jobs_per_s": (500_000, True),
    "noop_vs_python": (3, True),
    "noop_dashboard_open_vs_without": (0.9, True),
    "rtt_p50_us": (100, False),
    "rtt_p99_us": (250, False),
    "rtt_p50_vs_reference": (1.5, False),
    "rtt_p99_vs_reference": (2, False),
    "noop_unbatched_vs_python": (3, True),
    "scale_64x8_efficiency": (0.8, True),
    "small_cpu_efficiency": (0.9, True),
    "seed_primes_vs_longest_job": (1.05, False),
    "fib_speedup_2_vs_1": (1.9, True),
    "flags_vs_floor": (1.2, False),
    "bytes_per_pending_job": (300, False),
    "exec_vs_gnu_parallel": (5, True),
    "exec_vs_xargs": (1, True),
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--work", required=True)
    parser.add_argument("--delay-ms", type=float, required=True)
    parser.add_argument("--quick", default="no")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    work = args.work

    with open(os.path.join(work, "fanout.json")) as f:
        fanout = json.load(f)
    result = dict(fanout["figures"])
    with open(os.path.join(work, "memory.txt")) as f:
        result["bytes_per_pending_job"] = figure([float(line) for line in f if line.strip()])

    noop = lines(os.path.join(work, "python-noop.jsonl"))
    result["python_noop_jobs_per_s"] = figure([r["jobs_per_s"] for r in noop])
    result["noop_vs_python"] = figure([f / p for f, p in zip(result["noop_jobs_per_s"]["runs"], result["python_noop_jobs_per_s"]["runs"])])
    result["noop_unbatched_vs_python"] = figure(
        [f / p for f, p in zip(result["noop_unbatched_jobs_per_s"]["runs"], result["python_noop_jobs_per_s"]["runs"])]
    )

    # Each run's round trip over the reference's run of the same index (all of Fanout's runs come first).
    for pool in ("", "compute_", "processes_"):
        for p in ("p50", "p99"):
            ours, reference = result[f"rtt_{pool}{p}_us"]["runs"], result[f"rtt_reference_{p}_us"]["runs"]
            result[f"rtt_{pool}{p}_vs_reference"] = figure([o / r for o, r in zip(ours, reference)])

    result["noop_codable_vs_binary_unbatched"] = figure(
        [c / b for c, b in zip(result["noop_codable_unbatched_jobs_per_s"]["runs"], result["noop_unbatched_jobs_per_s"]["runs"])]
    )
    with open(os.path.join(work, "pi.txt")) as f:
        pi = [line.split() for line in f if line.strip()]
    result["example_pi_unbatched_jobs_per_s"] = figure([int(jobs) / float(seconds) for chunk, jobs, seconds in pi if chunk == "1"])
    result["example_pi_batched_jobs_per_s"] = figure([int(jobs) / float(seconds) for chunk, jobs, seconds in pi if chunk != "1"])

    # "slots jobs seconds" per run, from benchmarks/timed.py; the three took turns, so the ratios pair each
    # Fanout run with the runs of its own turn (the figures' "runs" are sorted).
    timed = {}
    for name in ("exec-true", "gnu-parallel-true", "xargs-true"):
        with open(os.path.join(work, name + ".txt")) as f:
            timed[name] = [line.split() for line in f if line.strip()]
    exec_slots = {int(slots) for runs in timed.values() for slots, jobs, seconds in runs}
    if len(exec_slots) != 1 or len({len(runs) for runs in timed.values()}) != 1:
        counts = {name: len(runs) for name, runs in timed.items()}
        raise SystemExit(f"combine.py: want as many exec, GNU Parallel and xargs runs, on one N: {counts}, N {sorted(exec_slots)}")
    rates = {name: [int(jobs) / float(seconds) for slots, jobs, seconds in runs] for name, runs in timed.items()}
    result["exec_true_jobs_per_s"] = figure(rates["exec-true"])
    result["gnu_parallel_true_jobs_per_s"] = figure(rates["gnu-parallel-true"])
    result["xargs_true_jobs_per_s"] = figure(rates["xargs-true"])
    result["exec_vs_gnu_parallel"] = figure([e / p for e, p in zip(rates["exec-true"], rates["gnu-parallel-true"])])
    result["exec_vs_xargs"] = figure([e / x for e, x in zip(rates["exec-true"], rates["xargs-true"])])

    seed = lines(os.path.join(work, "python-seed-primes.jsonl"))
    result["python_seed_primes_seconds"] = figure([r["seconds"] for r in seed])
    result["python_seed_primes_vs_longest_job"] = figure([r["seconds"] / r["longest_job_seconds"] for r in seed])
    result["seed_primes_vs_python"] = figure([p / f for f, p in zip(result["seed_primes_seconds"]["runs"], result["python_seed_primes_seconds"]["runs"])])

    small = lines(os.path.join(work, "python-small-cpu.jsonl"))
    result["python_small_cpu_efficiency"] = figure([r["busy_seconds"] / (r["seconds"] * 2) for r in small])
    result["python_small_cpu_jobs_per_s"] = figure([r["jobs_per_s"] for r in small])

    fib = lines(os.path.join(work, "python-fib.jsonl"))
    result["python_fib_threads_speedup"] = figure([r["sequential_seconds"] / r["threads_seconds"] for r in fib])
    result["python_fib_processes_speedup"] = figure([r["sequential_seconds"] / r["processes_seconds"] for r in fib])

    flags = lines(os.path.join(work, "python-flags.jsonl"))
    delay = args.delay_ms / 1000
    result["python_flags_vs_floor"] = figure([r["seconds"] / (math.ceil(r["flags"] / r["workers"]) * delay) for r in flags])
    result["python_flags_seconds"] = figure([r["seconds"] for r in flags])

    result["machine"] = {
        "cores": os.cpu_count(),
        "memory_gib": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "kernel": platform.release(),
        "swift": command_output("swift", "--version"),
        "python": platform.python_version(),
        "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "quick": args.quick == "yes",
        "flags_slots": fanout["facts"].get("flags_slots"),
        "noop_chunksize": fanout["facts"].get("noop_chunksize"),
        "small_cpu_chunksize": fanout["facts"].get("small_cpu_chunksize"),
        "exec_slots": exec_slots.pop(),
    }
    with open(args.out, "w") as f:
        json.dump(result, f, indent=2, sort_keys=True)
        f.write("\n")

    print(f"{'figure':32} {'median':>12} {'min':>12} {'max':>12}  target")
    for name in sorted(k for k in result if k != "machine"):
        value = result[name]
        target = ""
        if name in TARGETS:
            goal, higher = TARGETS[name]
            met = value["median"] >= goal if higher else value["median"] <= goal
            target = f"{'≥' if higher else '≤'} {goal:g}  {'met' if met else 'NOT MET'}"
        print(f"{name:32} {value['median']:12.4g} {value['min']:12.4g} {value['max']:12.4g}  {target}")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
