#!/usr/bin/env bash
# Builds Fanout in release mode, measures it on a local cluster over mutual TLS, with the Python baselines
# (benchmarks/python/, from the seed's programs) and GNU Parallel and `xargs -P` (against `coordinator exec`) in
# the same invocation, prints a table and writes benchmarks/latest.json. See BENCHMARKS.md for each figure.
#
#   benchmarks/run.sh [--quick] [--repeat N]
set -euo pipefail

quick=no
repeats=3
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) quick=yes ;;
        --repeat) repeats="$2"; shift ;;
        *) echo "usage: benchmarks/run.sh [--quick] [--repeat N]" >&2; exit 2 ;;
    esac
    shift
done
[ "$repeats" -ge 3 ] 2>/dev/null || { echo "--repeat must be a number of at least 3 (medians need it)" >&2; exit 2; }

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
scripts/install-packages.sh
echo "building in release mode…" >&2
swift build -c release >&2
bin="$(swift build -c release --show-bin-path)"

work="$(mktemp -d /tmp/fanout-benchmarks.XXXXXX)"
flagserver_pid=""
cleanup() {
    if [ -n "$flagserver_pid" ]; then kill "$flagserver_pid" 2>/dev/null || true; wait "$flagserver_pid" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

delay_ms=100
"$bin/flagserver" --host 127.0.0.1 --port 0 --delay-ms "$delay_ms" --log-level warning > "$work/flagserver.out" &
flagserver_pid=$!
for _ in $(seq 1 200); do grep -q '^listening on ' "$work/flagserver.out" && break; sleep 0.05; done
address="$(sed -n 's/^listening on //p' "$work/flagserver.out")"
[ -n "$address" ] || { echo "flagserver did not start" >&2; exit 1; }
flags_url="http://$address/wp-content/uploads/Flag_of_{}.svg"

quick_flag=()
[ "$quick" = yes ] && quick_flag=(--quick)
"$bin/fanout-benchmarks" inputs seed-primes > "$work/seed-primes.txt"
"$bin/fanout-benchmarks" inputs small-cpu > "$work/small-cpu.txt"
"$bin/fanout-benchmarks" inputs countries > "$work/countries.txt"

echo "Fanout…" >&2
# The dashboard's cost, with the page open in headless Chromium, when both are here.
probe_flag=()
if command -v chromium > /dev/null && python3 -c 'import websocket' 2> /dev/null; then
    probe_flag=(--page-probe "$root/benchmarks/page_probe.py")
else
    echo "no chromium or websocket-client (scripts/install-packages.sh): the dashboard's cost is not measured" >&2
fi
"$bin/fanout-benchmarks" run "${quick_flag[@]}" --repeat "$repeats" --flags-url "$flags_url" --flag-delay-ms "$delay_ms" \
    "${probe_flag[@]}" > "$work/fanout.json"

# The example package's kind, through a user's own binary: tiny jobs, so that the figure is the cluster's cost
# per job of a Codable kind, one at a time and in batches.
echo "the example's kind…" >&2
swift build -c release --package-path Examples/PiEstimate >&2
pi="$(swift build -c release --package-path Examples/PiEstimate --show-bin-path)/pi-estimate"
pi_jobs=100000
[ "$quick" = yes ] && pi_jobs=20000
for _ in $(seq 1 "$repeats"); do
    for chunksize in 1 256; do
        line="$("$pi" run --local 2 --log-level error --samples "$pi_jobs" --jobs "$pi_jobs" --chunksize "$chunksize")"
        seconds="$(sed -n 's/^π ≈ .* in \([0-9.]*\) s on .*/\1/p' <<< "$line")"
        [ -n "$seconds" ] || { echo "pi-estimate printed: $line" >&2; exit 1; }
        echo "$chunksize $pi_jobs $seconds" >> "$work/pi.txt"
    done
done

pending_jobs=1000000
[ "$quick" = yes ] && pending_jobs=200000
for _ in $(seq 1 "$repeats"); do
    "$bin/fanout-benchmarks" memory --jobs "$pending_jobs" >> "$work/memory.txt"
done

# `coordinator exec` against GNU Parallel and `xargs -P`: the same 2,000 runs of `true` (quick or not), each given
# its input as an argument, N at a time. N is Fanout's total slots: 2 local workers × a threads worker's default
# size, min(32, cores + 4), passed as --size so that what Fanout runs is N whatever the worker's default becomes.
# Fanout's time includes starting its 2 workers, making their certificates and the TLS handshakes: what a user's
# run pays. The three take turns, so that a busy neighbour slows each of them alike. benchmarks/timed.py fails
# the script when a run fails, rather than give a figure for it.
cores="$(nproc)"
exec_size=$(( cores + 4 < 32 ? cores + 4 : 32 ))
exec_slots=$(( 2 * exec_size ))
exec_jobs=2000
seq 1 "$exec_jobs" > "$work/exec-inputs.txt"
timed=(python3 benchmarks/timed.py --slots "$exec_slots" --jobs "$exec_jobs")
echo "coordinator exec, GNU Parallel and xargs -P, $exec_jobs runs of true on $exec_slots slots…" >&2
for _ in $(seq 1 "$repeats"); do
    "${timed[@]}" --out "$work/exec-true.txt" -- "$bin/coordinator" exec --local 2 --size "$exec_size" \
        --log-level error -- true :::: "$work/exec-inputs.txt" < /dev/null
    "${timed[@]}" --out "$work/gnu-parallel-true.txt" -- parallel --will-cite -j "$exec_slots" true \
        :::: "$work/exec-inputs.txt" < /dev/null
    "${timed[@]}" --out "$work/xargs-true.txt" -- xargs -P "$exec_slots" -n 1 true < "$work/exec-inputs.txt"
done

# Python takes far longer per CPU job, so its CPU baselines get fewer of them; each figure is per job or a
# ratio, so the sizes need not match.
if [ "$quick" = yes ]; then
    noop_jobs=50000; small_cpu_jobs=4000; fib_from=25; fib_to=29
else
    noop_jobs=200000; small_cpu_jobs=20000; fib_from=30; fib_to=34
fi
head -n "$small_cpu_jobs" "$work/small-cpu.txt" > "$work/small-cpu-python.txt"
echo "Python baselines…" >&2
for run in $(seq 1 "$repeats"); do
    echo "  run $run of $repeats" >&2
    python3 benchmarks/python/noop_queue.py --jobs "$noop_jobs" --procs 2 >> "$work/python-noop.jsonl"
    python3 benchmarks/python/primes_queue.py --procs "$cores" $(cat "$work/seed-primes.txt") >> "$work/python-seed-primes.jsonl"
    python3 benchmarks/python/primes_pool_map.py --workers 2 --numbers-file "$work/small-cpu-python.txt" \
        >> "$work/python-small-cpu.jsonl"
    python3 benchmarks/python/fib_gil.py --from "$fib_from" --to "$fib_to" --tasks 4 --procs 2 >> "$work/python-fib.jsonl"
    python3 benchmarks/python/flags_threadpool.py --base-url "$flags_url" --countries-file "$work/countries.txt" \
        >> "$work/python-flags.jsonl"
done

python3 benchmarks/combine.py --work "$work" --delay-ms "$delay_ms" --quick "$quick" --out benchmarks/latest.json
