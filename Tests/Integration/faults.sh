#!/usr/bin/env bash
# The fault suite: ten faults injected for real into runs of `coordinator sleep` (and one of `primes`), over
# real worker processes on loopback, or on network-namespace hosts where the fault is in the network. Each
# scenario checks that every job ended exactly once, finished or with an explicit error, from the run's job
# log, and prints a `figures:` line: jobs, retried, late results dropped, workers lost, reconnections, and
# how long the fault took to be detected. Needs root and iptables; the hosts are taken down however it ends.
set -euo pipefail

source "$(dirname "$0")/lib.sh"
use_netns
command -v iptables >/dev/null || { echo "faults.sh needs iptables (scripts/install-packages.sh)"; exit 1; }

proxy="$root/Tests/Integration/tools/faultproxy.py"
cd "$work"
printf '127.0.0.1\n' > local-hosts.txt
"$coordinator" certs init --hosts local-hosts.txt --out certs > /dev/null

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# await FILE REGEX [SECONDS]: waits until a line of FILE matches, for at most SECONDS (default 30).
await() {
    local deadline=$(( $(now_ms) + ${3:-30} * 1000 ))
    until grep -qE -- "$2" "$1" 2>/dev/null; do
        [ "$(now_ms)" -lt "$deadline" ] || { echo "timed out waiting for /$2/ in $1"; return 1; }
        sleep 0.02
    done
}

# start_worker NAME [NAMESPACE HOST LISTEN] -- WORKER OPTIONS: starts a worker and waits for it to listen;
# sets $worker_pid and $worker_address. Without a namespace it listens on a free port of 127.0.0.1; in one,
# on LISTEN, with the certificate of the namespace's HOST.
start_worker() {
    local name=$1; shift
    local run=() listen=127.0.0.1:0 tls=certs/127.0.0.1
    if [ "$1" != -- ]; then
        run=(ip netns exec "$1"); tls=$FANOUT_NETNS_DIR/certs/$2; listen=$3; shift 3
    fi
    shift
    "${run[@]}" "$worker" --listen "$listen" --tls-dir "$tls" --log-level warning "$@" > "$name.out" 2> "$name.err" < /dev/null &
    worker_pid=$!
    pids+=("$worker_pid")
    await "$name.out" '^listening on ' 30
    worker_address=$(sed -n 's/^listening on //p' "$name.out")
}

# start_proxy NAME [NAMESPACE] LISTEN TARGET MODE [MS]: sets $proxy_pid and $proxy_address.
start_proxy() {
    local name=$1; shift
    local run=()
    if [[ "$1" == fanout-* ]]; then run=(ip netns exec "$1"); shift; fi
    "${run[@]}" python3 "$proxy" "$@" > "$name.out" 2> "$name.err" < /dev/null &
    proxy_pid=$!
    pids+=("$proxy_pid")
    await "$name.out" '^listening on ' 30
    proxy_address=$(sed -n 's/^listening on //p' "$name.out")
}

# start_run NAME HOSTS TLS_DIR COMMAND OPTIONS...: runs the coordinator in the background with a job log;
# sets $run_pid.
start_run() {
    local name=$1 hosts=$2 tls=$3; shift 3
    "$coordinator" "$@" --workers "$hosts" --tls-dir "$tls" --joblog "$name.tsv" --log-level warning \
        > "$name.out" 2> "$name.err" &
    run_pid=$!
}

# end_run NAME WANT_STATUS: waits for the run and checks its exit status.
end_run() {
    local status=0
    wait "$run_pid" || status=$?
    check "$1: the run exits with status $2" bash -c "[ $status = $2 ] || { tail -20 $1.err; exit 1; }"
}

# exactly_once NAME JOBS FAILED: the job log has one line for each of JOBS job IDs, every one finished or, for
# exactly FAILED of them, failed with an error; none cancelled, none missing, none twice.
exactly_once() {
    check "$1: every one of $2 jobs ended exactly once, $3 of them failed" python3 - "$1.tsv" "$2" "$3" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
jobs, failed = int(sys.argv[2]), int(sys.argv[3])
ids = [row["job"] for row in rows]
problems = []
if len(rows) != jobs: problems.append(f"{len(rows)} lines, want {jobs}")
if len(set(ids)) != len(ids): problems.append(f"job IDs logged twice: {sorted({i for i in ids if ids.count(i) > 1})}")
if sorted(int(i.split()[-1]) for i in ids) != list(range(1, jobs + 1)): problems.append("job IDs are not 1 to N")
states = [row["status"] for row in rows]
if states.count("failed") != failed: problems.append(f"{states.count('failed')} failed, want {failed}")
if any(s not in ("finished", "failed") for s in states): problems.append(f"other states: {set(states)}")
if any(row["status"] == "failed" and row["error"] in ("", "-") for row in rows): problems.append("a failure without its error")
print("; ".join(problems) or "ok")
sys.exit(1 if problems else 0)
PY
}

# figures NAME DETECTION_MS: the scenario's line of figures, from its job log and its `recovered:` line.
figures() {
    python3 - "$1" "$2" <<'PY'
import csv, re, sys
name, detection = sys.argv[1], sys.argv[2]
rows = list(csv.DictReader(open(name + ".tsv"), delimiter="\t"))
recovered = re.search(r"recovered: (\d+) workers lost, (\d+) reconnections, (\d+) jobs retried, (\d+) late results dropped",
                      open(name + ".err").read())
lost, reconnections, retried, late = recovered.groups() if recovered else ("0", "0", "0", "0")
rerun = sum(1 for row in rows if row["attempts"] not in ("-", "") and int(row["attempts"]) > 1)
print(f"figures: {name}: jobs {len(rows)}, failed {sum(r['status'] == 'failed' for r in rows)}, "
      f"retried {retried} ({rerun} jobs ran more than once), late results dropped {late}, workers lost {lost}, "
      f"reconnections {reconnections}, detection {detection} ms")
PY
}

recovered() { # recovered NAME FIELD: a count from the run's `recovered:` line, 0 without one
    sed -nE "s/.*recovered: .*\\b([0-9]+) $2.*/\\1/p" "$1.err" | tail -1 | grep . || echo 0
}

echo "-- 1. a worker killed with SIGKILL in the middle of its jobs"
start_worker kill-a --; a=$worker_address
start_worker kill-b --; b=$worker_address; victim=$worker_pid
printf '%s\n%s\n' "$a" "$b" > kill.hosts
start_run kill kill.hosts certs sleep --count 60 --ms 150 --heartbeat-timeout 5
await kill.out " on $b\$"
t0=$(now_ms); kill -KILL "$victim"
await kill.err "worker lost"; detected=$(( $(now_ms) - t0 ))
end_run kill 0
exactly_once kill 60 0
check "kill: the killed worker's jobs ran again" test "$(recovered kill 'jobs retried')" -ge 1
figures kill "$detected"

echo "-- 2. a process-pool child killed in the middle of its job"
start_worker child -- --pool processes --size 2; parent=$worker_pid
printf '%s\n' "$worker_address" > child.hosts
start_run child child.hosts certs sleep --count 24 --ms 300
await child.out " on $worker_address\$"
victim=$(pgrep -P "$parent" | head -1)
t0=$(now_ms); kill -KILL "$victim"
await child.err "child process died" ; detected=$(( $(now_ms) - t0 ))
end_run child 0
exactly_once child 24 0
check "child: its job ran again" test "$(recovered child 'jobs retried')" -ge 1
check "child: the worker itself was not lost" test "$(recovered child 'workers lost')" = 0
figures child "$detected"

echo "-- 3. a job that crashes every worker it lands on"
: > crash.hosts
for i in 1 2 3 4; do start_worker "crash-$i" -- --crash-on-prime 1000003; echo "$worker_address" >> crash.hosts; done
start_run crash crash.hosts certs primes --numbers 2,3,4,5,6,7,8,9,10,11,1000003,12,13,14,15,16,17,18,19,20 --method miller-rabin
end_run crash 1
exactly_once crash 20 1
check "crash: the job fails naming the three workers it took down" \
    grep -qE '^ +1000003 \| ! \| failed: .*took down every worker it ran on: 127\.0\.0\.1:[0-9]+, 127\.0\.0\.1:[0-9]+, 127\.0\.0\.1:[0-9]+$' crash.out
check "crash: every other number has its right verdict" verdicts_right crash.out
check "crash: three workers were lost" test "$(recovered crash 'workers lost')" = 3
figures crash 0

echo "-- 7. a worker frozen with SIGSTOP past the heartbeat timeout, then thawed"
start_worker stop-a --; a=$worker_address
start_worker stop-b --; b=$worker_address; victim=$worker_pid
printf '%s\n%s\n' "$a" "$b" > stop.hosts
start_run stop stop.hosts certs sleep --count 80 --ms 150 --heartbeat-timeout 1.5 --heartbeat-interval 0.1
await stop.out " on $b\$"
t0=$(now_ms); kill -STOP "$victim"
await stop.err "worker lost"; detected=$(( $(now_ms) - t0 ))
kill -CONT "$victim"
end_run stop 0
exactly_once stop 80 0
check "stop: the frozen worker's jobs ran again" test "$(recovered stop 'jobs retried')" -ge 1
figures stop "$detected"

for mode in reset flip; do
    if [ $mode = reset ]; then echo "-- 8. a connection reset in the middle of a frame"; else echo "-- 9. bytes corrupted in transit"; fi
    start_worker "$mode-a" --; a=$worker_address
    start_worker "$mode-b" --
    start_proxy "$mode-proxy" 127.0.0.1:0 "$worker_address" "$mode"
    printf '%s\n%s\n' "$a" "$proxy_address" > "$mode.hosts"
    start_run "$mode" "$mode.hosts" certs sleep --count 80 --ms 100
    await "$mode.out" " on $proxy_address\$"
    t0=$(now_ms); kill -USR1 "$proxy_pid"
    await "$mode.err" "worker lost"; detected=$(( $(now_ms) - t0 ))
    end_run "$mode" 0
    exactly_once "$mode" 80 0
    check "$mode: the proxy injected its fault" grep -q '^fault: ' "$mode-proxy.out"
    check "$mode: the jobs in flight through the proxy ran again" test "$(recovered "$mode" 'jobs retried')" -ge 1
    check "$mode: the worker behind the proxy was dialled again" test "$(recovered "$mode" 'reconnections')" -ge 1
    [ $mode = flip ] && check "flip: TLS refused the corrupted record" grep -qiE 'worker lost.*(TLS|SSL|bad ?record|mac|decrypt)|(TLS|SSL|decrypt).*worker lost' flip.err
    figures "$mode" "$detected"
done

echo "-- network faults, on namespace hosts"
"$netns" up 2 --no-workers > up.log 2>&1 || { cat up.log; exit 1; }
ncerts=$FANOUT_NETNS_DIR/certs
start_worker h1 fanout-h1 10.77.0.11 10.77.0.11:7420 --
start_worker h2 fanout-h2 10.77.0.12 10.77.0.12:7420 --
printf '10.77.0.11:7420\n10.77.0.12:7420\n' > net.hosts
h2() { ip netns exec fanout-h2 "$@"; }
heal() { h2 iptables -F INPUT; h2 iptables -F OUTPUT; }

echo "-- 4. a partition longer than the heartbeat timeout, then healed"
start_run partition net.hosts "$ncerts" sleep --count 160 --ms 200 --heartbeat-timeout 2 --heartbeat-interval 0.2
await partition.out ' on 10\.77\.0\.12:7420$'
t0=$(now_ms); h2 iptables -A INPUT -i eth0 -j DROP; h2 iptables -A OUTPUT -o eth0 -j DROP
await partition.err "worker lost"; detected=$(( $(now_ms) - t0 ))
heal
end_run partition 0
exactly_once partition 160 0
check "partition: the cut-off host's jobs ran again" test "$(recovered partition 'jobs retried')" -ge 1
figures partition "$detected"

echo "-- 5. a one-way partition: the coordinator's packets to the host are dropped"
start_run oneway net.hosts "$ncerts" sleep --count 160 --ms 200 --heartbeat-timeout 2 --heartbeat-interval 0.2
await oneway.out ' on 10\.77\.0\.12:7420$'
t0=$(now_ms); h2 iptables -A INPUT -i eth0 -j DROP
await oneway.err "worker lost"; detected=$(( $(now_ms) - t0 ))
heal
end_run oneway 0
exactly_once oneway 160 0
check "oneway: the host's jobs ran again" test "$(recovered oneway 'jobs retried')" -ge 1
figures oneway "$detected"

echo "-- 6. a blip shorter than the heartbeat timeout"
start_run blip net.hosts "$ncerts" sleep --count 120 --ms 200 --heartbeat-timeout 4 --heartbeat-interval 0.5
await blip.out ' on 10\.77\.0\.12:7420$'
h2 iptables -A INPUT -i eth0 -j DROP; h2 iptables -A OUTPUT -o eth0 -j DROP
sleep 1  # the blip itself: the fault lasts a second, by design
heal
end_run blip 0
exactly_once blip 120 0
check "blip: no worker was declared lost" bash -c '! grep -q "worker lost" blip.err'
check "blip: no job was sent twice" test "$(recovered blip 'jobs retried')" = 0
figures blip "-"

echo "-- 10. added latency (50 ms each way) and 5% packet loss, with no false detection"
start_worker h2-slow fanout-h2 10.77.0.12 127.0.0.1:7421 --
start_proxy slow-proxy fanout-h2 10.77.0.12:7430 127.0.0.1:7421 delay 50
printf '10.77.0.11:7420\n10.77.0.12:7430\n' > slow.hosts
h2 iptables -A INPUT -i eth0 -m statistic --mode random --probability 0.05 -j DROP
h2 iptables -A OUTPUT -o eth0 -m statistic --mode random --probability 0.05 -j DROP
start_run slow slow.hosts "$ncerts" sleep --count 200 --ms 50
end_run slow 0
heal
exactly_once slow 200 0
check "slow: the slow host ran jobs" grep -q ' on 10\.77\.0\.12:7430$' slow.out
check "slow: no worker was declared lost" bash -c '! grep -q "worker lost" slow.err'
check "slow: no job was sent twice" test "$(recovered slow 'jobs retried')" = 0
figures slow "-"

finish
