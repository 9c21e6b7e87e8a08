#!/usr/bin/env bash
# The coordinator binary end to end: the default local run (primes, then flags from a local flagserver), the
# pool kinds, fib, ping, a hosts file with real workers and an unreachable one, failures in the exit code, and
# Ctrl-C leaving no process or temporary folder behind.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
[ -f /usr/share/iso-codes/json/iso_3166-1.json ] && [ -d /usr/share/iso-flags-svg ] \
    || { echo "flags need Debian's iso-codes and iso-flags-svg (scripts/install-packages.sh)"; exit 1; }
cd "$work"
before=$(ls /tmp | grep -c '^fanout-local-' || true)

# The default: local workers, primes then flags.
"$coordinator" --count 12 --seed 3 --dest "$work/flags" > default.out 2> default.err || echo "exit $?" >> default.out
check "default run exits 0" bash -c '! grep -q "^exit" default.out'
check "default run checks 12 numbers" count_is default.out '^ +[0-9]+ \| [p ] \| [0-9.]+ \| 127\.0\.0\.1:[0-9]+$' 12
check "default run prints the primes summary" contains default.out "12 in "
check "every prime verdict is right" verdicts_right default.out
check "default run downloads every country" contains default.out "195 downloaded in "
check "every saved flag is the served file" flags_identical "$work/flags" 195

"$coordinator" primes --local 2 --pool processes --size 2 --count 10 --seed 9 --method miller-rabin > processes.out 2>&1
check "primes on process pools" contains processes.out "10 in "
check "process-pool verdicts are right" verdicts_right processes.out
"$coordinator" primes --local 1 --count 7 --seed 2 --joblog jobs.tsv > joblog.out 2>&1
check "--joblog writes a header and a line per job" count_is jobs.tsv '.' 8
check "every job-log line has all 14 columns" bash -c "awk -F'\t' 'NF != 14 { exit 1 }' jobs.tsv"
check "every job-log line says finished" count_is jobs.tsv $'\tfinished\t-$' 7
"$coordinator" primes --local 2 --size 2 --count 9 --seed 3 --timeline timeline.svg > timeline.out 2>&1
check "--timeline writes an SVG with one bar per job" svg_count timeline.svg rect job 9
"$coordinator" primes --local 2 --size 2 --count 9 --seed 4 --trace trace.json --joblog trace-jobs.tsv > trace.out 2>&1
check "--trace writes one complete event per job, in the slot the job log names, on a named process and thread" \
    python3 - trace.json trace-jobs.tsv <<'PY'
import csv, json, sys
events = json.load(open(sys.argv[1]))["traceEvents"]
jobs = list(csv.DictReader(open(sys.argv[2]), delimiter="\t", quoting=csv.QUOTE_NONE))
names = {(e["pid"], e.get("tid")): e["args"]["name"] for e in events if e["ph"] == "M"}
complete = [e for e in events if e["ph"] == "X"]
assert len(complete) == len(jobs) == 9, (len(complete), len(jobs))
by_id = {e["args"]["id"]: e for e in complete}
for job in jobs:
    event = by_id[int(job["job"])]
    assert event["args"]["slot"] == int(job["slot"]), (job, event)
    assert names[(event["pid"], None)] == job["worker"], (job, event)
    assert names[(event["pid"], event["tid"])] == "slot " + job["slot"], (job, event)
    assert event["dur"] >= 0 and event["args"]["kind"].startswith("primes.check"), event
PY

"$coordinator" fib --local 2 --from 20 --to 23 --tasks 2 > fib.out 2>&1
check "fib prints every value of both phases" count_is fib.out '^Fibonacci\(2[0-3]\) = [0-9]+ \(127\.0\.0\.1:[0-9]+\)$' 16
check "fib times both phases" count_is fib.out '^Time taken: ' 2
check "fib(23) is right" contains fib.out "Fibonacci(23) = 28657"

"$coordinator" bench noop --count 50 --workers-count 1,2 --pool threads,processes --repeat 2 --warmup 0 \
    --csv bench.csv --json bench.json > bench.out 2> bench.err
check "bench prints a table row per shape" count_is bench.out '^[12] × (threads|processes) × 1 ' 4
check "bench writes a CSV row per shape" count_is bench.csv '^[12],(threads|processes),1,' 4
check "bench writes JSON with every shape" bash -c "python3 -c 'import json,sys; d=json.load(open(\"bench.json\")); sys.exit(0 if len(d[\"shapes\"]) == 4 else 1)'"
"$coordinator" bench fib --from 15 --to 18 --tasks 2 --local 2 --pool threads,processes --baseline sequential --repeat 1 \
    --warmup 0 --plot bench.svg --csv bench-sequential.csv > bench-sequential.out 2> bench-sequential.err
check "bench --baseline sequential puts the in-process run first" count_is bench-sequential.csv '^0,sequential,1,1,1,8,' 1
check "bench --local 2 sweeps 1 and 2 workers of each pool" count_is bench-sequential.csv '^[12],(threads|processes),1,' 4
check "bench --plot draws a point per shape" svg_count bench.svg circle point 4

printf 'Chad\nAtlantis\nPeru\n' > countries.txt
if "$coordinator" flags --local 1 --countries countries.txt --mode submit --dest "$work/few" > failing.out 2>&1; then echo "exit 0" >> failing.out; fi
check "a failed job makes the exit code non-zero" bash -c '! grep -q "^exit 0" failing.out'
check "the failure is listed with its reason" contains failing.out "failed: Atlantis"
check "the others still download" contains failing.out "2 downloaded in "

# Workers from a hosts file, one of them unreachable.
printf '127.0.0.1\n' > hosts-for-certs.txt
"$coordinator" certs init --hosts hosts-for-certs.txt --out certs > /dev/null
: > hosts.txt
for i in 1 2; do
    "$worker" --listen 127.0.0.1:0 --tls-dir certs/127.0.0.1 --pool threads --size 2 > "worker$i.out" 2> "worker$i.err" &
    pids+=($!)
    for _ in $(seq 1 400); do grep -q '^listening on ' "worker$i.out" && break; sleep 0.05; done
    sed -n 's/^listening on //p' "worker$i.out" >> hosts.txt
done
"$coordinator" ping --workers hosts.txt --tls-dir certs > ping.out 2>&1
check "ping answers for both workers" count_is ping.out '^127\.0\.0\.1:[0-9]+ +host .* threads × 2 +cores [0-9]+ +rtt [0-9.]+ ms +clock [-+][0-9.]+ ms ± [0-9.]+ ms$' 2
"$coordinator" bench noop --count 30 --workers hosts.txt --tls-dir certs --repeat 1 --warmup 0 --csv hosts-bench.csv \
    > hosts-bench.out 2>&1
check "bench over a hosts file sweeps 1 and then both of its workers" count_is hosts-bench.csv '^[12],threads,2,[24],1,30,' 2
if "$coordinator" bench noop --workers hosts.txt --pool processes > bench-pool.out 2>&1; then echo "exit 0" >> bench-pool.out; fi
check "bench refuses --pool with --workers" contains bench-pool.out "--pool and --size shape local workers"
echo "127.0.0.1:1" >> hosts.txt
"$coordinator" primes --workers hosts.txt --tls-dir certs --count 6 --seed 1 > listed.out 2> listed.err
check "a run goes on without an unreachable worker" contains listed.out "6 in "
check "the unreachable worker is named" contains listed.err "unreachable: 127.0.0.1:1"
printf 'good.example\nbad host here\n' > bad-hosts.txt
if "$coordinator" ping --workers bad-hosts.txt > bad.out 2>&1; then echo "exit 0" >> bad.out; fi
check "a bad hosts file names its file and line" contains bad.out "bad-hosts.txt:2:"

# Ctrl-C in the middle of a run stops the local workers and flagserver and removes the temporary folder.
"$coordinator" flags --local 2 --size 1 --dest "$work/interrupted" > interrupted.out 2>&1 &
run=$!
for _ in $(seq 1 400); do grep -q '(127.0.0.1:' interrupted.out && break; sleep 0.05; done
children=$(pgrep -P "$run" | tr '\n' ' ')
check "the run had two workers and a flagserver" test "$(echo $children | wc -w)" = 3
kill -INT "$run"
status=0
wait "$run" || status=$?
check "Ctrl-C ends the run with status 130" test "$status" = 130
check "Ctrl-C prints a partial report" grep -Eq '^interrupted after [0-9.]+ s: [0-9]+ of [0-9]+ jobs finished' interrupted.out
check "Ctrl-C leaves no worker or flagserver running" bash -c "for pid in $children; do ! kill -0 \$pid 2>/dev/null || { echo \"\$pid still runs\"; exit 1; }; done"
after=$(ls /tmp | grep -c '^fanout-local-' || true)
check "no temporary folder is left behind" test "$before" = "$after"

finish
