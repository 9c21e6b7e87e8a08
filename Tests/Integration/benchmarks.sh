#!/usr/bin/env bash
# The benchmark harness, on tiny inputs with the debug build, so that benchmarks/run.sh keeps working: the
# Swift measurements print their figures, each Python baseline prints its JSON, and combine.py writes every
# figure BENCHMARKS.md documents. No figure's value is judged here: timing is never a pass/fail test.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
[[ "$(parallel --version 2>/dev/null)" == "GNU parallel"* ]] \
    || { echo "benchmarks.sh needs GNU Parallel (scripts/install-packages.sh)"; exit 1; }
benchmarks="$bin/fanout-benchmarks"
cd "$work"

"$flagserver" --host 127.0.0.1 --port 0 --delay-ms 5 --log-level warning > flagserver.out &
pids+=($!)
for _ in $(seq 1 200); do grep -q '^listening on ' flagserver.out && break; sleep 0.05; done
flags_url="http://$(sed -n 's/^listening on //p' flagserver.out)/wp-content/uploads/Flag_of_{}.svg"

"$benchmarks" inputs seed-primes > seed-primes.txt
"$benchmarks" inputs small-cpu > small-cpu.txt
"$benchmarks" inputs countries > countries.txt
check "the seed's primes are 20 numbers below 10^8" python3 -c 'import sys
n = [int(l) for l in open("seed-primes.txt")]
sys.exit(0 if len(n) == 20 and all(0 <= x < 10**8 for x in n) else 1)'
check "the small CPU inputs are 200,000 32-bit numbers" python3 -c 'import sys
n = [int(l) for l in open("small-cpu.txt")]
sys.exit(0 if len(n) == 200000 and all(0 <= x < 2**32 for x in n) else 1)'
check "the countries are the 195 sovereign states" count_is countries.txt '.' 195

"$benchmarks" run --quick --repeat 1 --only rtt,seed-primes,flags --flags-url "$flags_url" --flag-delay-ms 5 > fanout.json 2> fanout.err
check "fanout-benchmarks prints the figures it was asked for" python3 -c 'import json, sys
f = json.load(open("fanout.json"))["figures"]
want = {"rtt_p50_us", "rtt_p99_us", "seed_primes_vs_longest_job", "seed_primes_seconds", "flags_vs_floor", "flags_seconds"}
sys.exit(0 if want <= set(f) and all({"median", "min", "max", "runs"} <= set(f[k]) for k in want) else 1)'
"$benchmarks" run --quick --repeat 1 --only noop --flags-url "$flags_url" --page-probe "$root/benchmarks/page_probe.py" \
    > dashboard.json 2> dashboard.err
check "the dashboard's cost is measured with the page open in Chromium" python3 -c 'import json, sys
f = json.load(open("dashboard.json"))["figures"]
want = {"noop_dashboard_served_vs_without", "noop_dashboard_open_vs_without", "dashboard_slowest_update_ms", "dashboard_updates"}
sys.exit(0 if want <= set(f) and f["dashboard_updates"]["median"] >= 2 and f["dashboard_slowest_update_ms"]["median"] > 0 else 1)'
"$benchmarks" memory --jobs 20000 > memory.txt
check "fanout-benchmarks memory prints bytes per pending job" python3 -c 'import sys; float(open("memory.txt").read())'

head -n 200 small-cpu.txt > small-cpu-python.txt
head -n 3 countries.txt > countries-python.txt
python3 "$root/benchmarks/python/noop_queue.py" --jobs 2000 --procs 2 > python-noop.jsonl
python3 "$root/benchmarks/python/primes_queue.py" --procs 2 1009 1010 99991 > python-seed-primes.jsonl
python3 "$root/benchmarks/python/primes_pool_map.py" --workers 2 --numbers-file small-cpu-python.txt > python-small-cpu.jsonl
python3 "$root/benchmarks/python/fib_gil.py" --from 15 --to 18 --tasks 2 --procs 2 > python-fib.jsonl
python3 "$root/benchmarks/python/flags_threadpool.py" --base-url "$flags_url" --countries-file countries-python.txt > python-flags.jsonl
check "the seed's prime checker finds the primes" contains python-seed-primes.jsonl '"primes": [1009, 99991]'
check "the Python flag downloader fetches every flag" contains python-flags.jsonl '"flags": 3'

# The example's kind through its own binary, parsed as run.sh parses it.
example="$root/Examples/PiEstimate"
(cd "$example" && swift build) > example-build.log 2>&1 || { tail -20 example-build.log; exit 1; }
pi="$(cd "$example" && swift build --show-bin-path)/pi-estimate"
for chunksize in 1 50; do
    line="$("$pi" run --local 2 --log-level error --samples 200 --jobs 200 --chunksize "$chunksize" 2> /dev/null)"
    seconds="$(sed -n 's/^π ≈ .* in \([0-9.]*\) s on .*/\1/p' <<< "$line")"
    echo "$chunksize 200 $seconds" >> pi.txt
done
check "pi-estimate's line gives the seconds run.sh reads" bash -c "awk 'NF != 3 || \$3 !~ /^[0-9.]+\$/ { exit 1 }' pi.txt"

# coordinator exec, GNU Parallel and xargs -P, on 20 inputs and 4 slots, timed as run.sh times them.
seq 1 20 > exec-inputs.txt
timed=(python3 "$root/benchmarks/timed.py" --slots 4 --jobs 20)
check "timed.py times coordinator exec" "${timed[@]}" --out exec-true.txt -- \
    "$coordinator" exec --local 2 --size 2 --log-level error -- true :::: exec-inputs.txt < /dev/null
check "timed.py times GNU Parallel" "${timed[@]}" --out gnu-parallel-true.txt -- \
    parallel --will-cite -j 4 true :::: exec-inputs.txt < /dev/null
check "timed.py times xargs -P" "${timed[@]}" --out xargs-true.txt -- xargs -P 4 -n 1 true < exec-inputs.txt
check "timed.py writes slots, jobs and seconds, a line a run" bash -c \
    "cat exec-true.txt gnu-parallel-true.txt xargs-true.txt | awk 'NF != 3 || \$1 != 4 || \$2 != 20 || \$3 !~ /^[0-9.]+\$/ { bad = 1 } END { exit bad || NR != 3 }'"
check "a failing run fails timed.py and writes no line" bash -c \
    "! python3 '$root/benchmarks/timed.py' --out failed.txt --slots 4 --jobs 20 -- '$coordinator' exec --local 1 --log-level error -- false ::: 1 && [ ! -e failed.txt ]"

# combine.py with every Swift figure present, as run.sh gives it.
python3 - <<'PY'
import json
f = json.load(open("fanout.json"))
one = lambda v: {"median": v, "min": v, "max": v, "runs": [v]}
for name in ["noop_jobs_per_s", "noop_unbatched_jobs_per_s", "noop_codable_unbatched_jobs_per_s", "wire_frames_per_job", "wire_bytes_per_job", "small_cpu_efficiency", "fib_speedup_2_vs_1", "fib_1_slot_seconds", "fib_2_slots_seconds"]:
    f["figures"].setdefault(name, one(1.0))
json.dump(f, open("fanout.json", "w"))
PY
python3 "$root/benchmarks/combine.py" --work "$work" --delay-ms 5 --quick yes --out latest.json > combine.out
check "combine.py writes every documented figure with median, min and max" python3 -c 'import json, sys
d = json.load(open("latest.json"))
want = ["noop_jobs_per_s", "python_noop_jobs_per_s", "rtt_p50_us", "rtt_p99_us", "small_cpu_efficiency",
        "seed_primes_vs_longest_job", "fib_speedup_2_vs_1", "flags_vs_floor", "bytes_per_pending_job",
        "noop_unbatched_vs_python", "wire_frames_per_job", "wire_bytes_per_job", "noop_codable_vs_binary_unbatched",
        "example_pi_unbatched_jobs_per_s", "example_pi_batched_jobs_per_s", "exec_true_jobs_per_s",
        "gnu_parallel_true_jobs_per_s", "xargs_true_jobs_per_s", "exec_vs_gnu_parallel", "exec_vs_xargs"]
missing = [k for k in want if not {"median", "min", "max"} <= set(d.get(k, {}))]
print(missing); sys.exit(1 if missing or d.get("machine", {}).get("exec_slots") != 4 else 0)'
check "combine.py prints the table against the targets" contains combine.out "≤ 100"
check "combine.py prints exec's targets against GNU Parallel and xargs" bash -c \
    "grep -q '^exec_vs_gnu_parallel .* ≥ 5 ' combine.out && grep -q '^exec_vs_xargs .* ≥ 1 ' combine.out"

finish
