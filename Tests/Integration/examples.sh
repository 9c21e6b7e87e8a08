#!/usr/bin/env bash
# The example package a user copies, built against this checkout: its kind run on local workers in both pools,
# one job at a time and in batches; and a mixed cluster of a shipped `worker` and a `pi-estimate worker`,
# where each kind goes only to the workers that run it and a kind that none runs fails at once.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
example="$root/Examples/PiEstimate"
if ! (cd "$example" && swift build) > "$work/example-build.log" 2>&1; then
    tail -40 "$work/example-build.log"; echo "FAIL the example package builds"; exit 1
fi
pi="$(cd "$example" && swift build --show-bin-path)/pi-estimate"
cd "$work"

# estimate_close FILE: the line's estimate is within 0.01 of π (2,000,000 samples give about ±0.0023).
estimate_close() {
    python3 - "$1" <<'PY'
import math, re, sys
m = re.search(r"^π ≈ ([0-9.]+) from", open(sys.argv[1]).read(), re.M)
if not m or abs(float(m.group(1)) - math.pi) > 0.01:
    print("no estimate near π in", open(sys.argv[1]).read()); sys.exit(1)
PY
}

for pool in threads processes; do
    "$pi" run --local 2 --pool "$pool" --samples 2000000 --jobs 8 --joblog "pi-$pool.tsv" > "pi-$pool.out" 2> "pi-$pool.err"
    check "pi-estimate on $pool pools prints its estimate" \
        grep -Eq '^π ≈ 3\.[0-9]+ from 2000000 samples in [0-9.]+ s on 2 workers$' "pi-$pool.out"
    check "the $pool estimate is near π" estimate_close "pi-$pool.out"
    check "every job on $pool pools is a pi.estimate.v1 job that finished" count_is "pi-$pool.tsv" $'\tpi\\.estimate\\.v1\t.*\tfinished\t-$' 8
done
"$pi" run --local 2 --pool processes --samples 2000000 --jobs 8 --chunksize 4 --joblog pi-batched.tsv > pi-batched.out 2> pi-batched.err
check "batched, the estimate is the same as one job at a time" \
    test "$(sed 's/ in .*//' pi-batched.out)" = "$(sed 's/ in .*//' pi-processes.out)"
check "batched, 8 jobs go as 2 batches of the kind's batch kind" count_is pi-batched.tsv $'\tpi\\.estimate\\.batch\\.v1\t4 × pi\\.estimate\\.v1\t' 2

# A mixed cluster: one shipped worker, one pi-estimate worker.
printf '127.0.0.1\n' > hosts-for-certs.txt
"$coordinator" certs init --hosts hosts-for-certs.txt --out certs > /dev/null
"$worker" --listen 127.0.0.1:0 --tls-dir certs/127.0.0.1 --size 2 > plain.out 2> plain.err &
pids+=($!)
"$pi" worker --listen 127.0.0.1:0 --tls-dir certs/127.0.0.1 --size 2 > pi-worker.out 2> pi-worker.err &
pids+=($!)
for file in plain.out pi-worker.out; do
    for _ in $(seq 1 400); do grep -q '^listening on ' "$file" && break; sleep 0.05; done
done
plain=$(sed -n 's/^listening on //p' plain.out)
piworker=$(sed -n 's/^listening on //p' pi-worker.out)
printf '%s\n%s\n' "$plain" "$piworker" > mixed.txt
"$coordinator" ping --workers mixed.txt --tls-dir certs > ping.out 2>&1
check "ping lists the pi worker's kinds with the built-ins" grep -Eq '^    kinds pi\.estimate\.v1, primes\.check\.v1, ' ping.out
check "ping lists the plain worker's built-in kinds alone" grep -Eq '^    kinds primes\.check\.v1, fibonacci\.v1, flags\.download\.v1, sleep\.v1, noop\.v1, noop\.codable\.v1, exec\.v1$' ping.out
"$pi" run --workers mixed.txt --tls-dir certs --samples 1200000 --jobs 12 --joblog mixed.tsv > mixed.out 2>&1
check "a mixed cluster runs the pi jobs" estimate_close mixed.out
check "every pi job ran on the worker that has the kind" count_is mixed.tsv $'\tpi\\.estimate\\.v1\t[^\t]*\t'"$piworker"$'\t' 12
"$coordinator" sleep --workers mixed.txt --tls-dir certs --count 40 --ms 20 --joblog sleep.tsv > sleep.out 2>&1
check "built-in jobs run on both workers" bash -c "grep -qF \"$plain\" sleep.tsv && grep -qF \"$piworker\" sleep.tsv"
printf '%s\n' "$plain" > plain-only.txt
if "$pi" run --workers plain-only.txt --tls-dir certs --jobs 3 > missing.out 2>&1; then echo "exit 0" >> missing.out; fi
check "a kind no worker runs fails the run" bash -c '! grep -q "^exit 0" missing.out'
check "its error names the kind and the worker" contains missing.out "no worker runs pi.estimate.v1: $plain runs no version of pi.estimate"

finish
